//! Reading a function's signature from its tokens: its name, its parameters and their types.
//!
//! This is the part `syn` does for real crates: it parses all of Rust into a syntax tree. A route
//! handler needs much less, so this reads just `[attributes] [pub] [async] fn name(param: Type, …)
//! -> Type { … }` and refuses, with a message at the token, what a handler cannot be (generic, a
//! method). An `async fn` is read like any other; the signature only notes that it is one, so that
//! the expansion awaits it and replies `Reply::Later`.

use proc_macro::{Delimiter, Ident, Span, TokenStream, TokenTree};

use crate::error::MacroError;

/// One parameter: its name and its type, as tokens and as text (`&str`, `u64`, `&Guestbook`).
#[derive(Debug)]
pub struct Param {
    pub name: Ident,
    pub ty: TokenStream,
    pub ty_text: String,
}

/// What the attribute needs to know about the function it is on.
#[derive(Debug)]
pub struct Signature {
    /// `pub`, `pub(crate)` or nothing: the route's description gets the function's visibility.
    pub visibility: TokenStream,
    pub name: Ident,
    pub params: Vec<Param>,
    /// `async fn`: its call is a future, awaited inside the reply's own.
    pub is_async: bool,
    /// Where to point when the function as a whole is at fault.
    pub fn_span: Span,
}

/// Reads the signature of the function in `item`.
pub fn read(item: TokenStream) -> Result<Signature, MacroError> {
    let mut tokens = item.into_iter().peekable();
    let mut visibility = TokenStream::new();
    let mut is_async = false;
    // Attributes (doc comments are `#[doc = "…"]`), visibility and `async`, up to `fn`.
    let fn_span = loop {
        match tokens.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == '#' => {
                tokens.next(); // the `[…]` group
            }
            Some(TokenTree::Ident(word)) if word.to_string() == "pub" => {
                visibility.extend([TokenTree::Ident(word)]);
                if let Some(TokenTree::Group(g)) = tokens.peek() {
                    if g.delimiter() == Delimiter::Parenthesis {
                        visibility.extend(tokens.next());
                    }
                }
            }
            Some(TokenTree::Ident(word)) if word.to_string() == "fn" => break word.span(),
            Some(TokenTree::Ident(word)) if word.to_string() == "async" => is_async = true,
            Some(other) => {
                return Err(MacroError::new(
                    other.span(),
                    "a route attribute goes on a plain `fn`",
                ));
            }
            None => {
                return Err(MacroError::new(
                    Span::call_site(),
                    "a route attribute goes on a function",
                ));
            }
        }
    };
    let Some(TokenTree::Ident(name)) = tokens.next() else {
        return Err(MacroError::new(fn_span, "expected the function's name"));
    };
    let params = match tokens.next() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
            read_params(g.stream())?
        }
        Some(TokenTree::Punct(p)) if p.as_char() == '<' => {
            return Err(MacroError::new(
                p.span(),
                "a route handler cannot be generic: the framework must know its types",
            ));
        }
        other => {
            let span = other.map_or(name.span(), |t| t.span());
            return Err(MacroError::new(span, "expected the function's parameters"));
        }
    };
    // The return type runs from `->` to the body; a `where` clause would mean generics.
    let mut returns = false;
    for token in tokens {
        match token {
            TokenTree::Punct(p) if p.as_char() == '>' && !returns => returns = true,
            TokenTree::Ident(word) if word.to_string() == "where" => {
                return Err(MacroError::new(
                    word.span(),
                    "a route handler cannot be generic: the framework must know its types",
                ));
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
            _ => {}
        }
    }
    if !returns {
        return Err(MacroError::new(
            name.span(),
            "a route handler returns what the client gets: add a return type, such as \
             `-> &'static str`, `-> String` or `-> Result<Html<String>, Error>`",
        ));
    }
    Ok(Signature {
        visibility,
        name,
        params,
        is_async,
        fn_span,
    })
}

/// `name: Type, …`, split at the commas that are not inside a type's `<…>`.
fn read_params(stream: TokenStream) -> Result<Vec<Param>, MacroError> {
    let mut params = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut depth = 0usize;
    let mut after_dash = false;
    for token in stream {
        if let TokenTree::Punct(p) = &token {
            match p.as_char() {
                '<' => depth += 1,
                // `->` inside a type (`fn() -> T`) is not the end of a `<…>`.
                '>' if !after_dash => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    params.push(read_param(std::mem::take(&mut current))?);
                    after_dash = false;
                    continue;
                }
                _ => {}
            }
            after_dash = p.as_char() == '-';
        } else {
            after_dash = false;
        }
        current.push(token);
    }
    if !current.is_empty() {
        params.push(read_param(current)?);
    }
    Ok(params)
}

// ANCHOR: read_param
/// One `name: Type` (or `mut name: Type`).
fn read_param(tokens: Vec<TokenTree>) -> Result<Param, MacroError> {
    let mut tokens = tokens.into_iter().peekable();
    if let Some(TokenTree::Ident(word)) = tokens.peek() {
        if word.to_string() == "mut" {
            tokens.next();
        }
    }
    let name = match tokens.next() {
        Some(TokenTree::Ident(name)) if name.to_string() == "self" => {
            return Err(MacroError::new(
                name.span(),
                "a route handler is a free function, not a method",
            ));
        }
        Some(TokenTree::Ident(name)) => name,
        Some(other) => {
            return Err(MacroError::new(
                other.span(),
                "each parameter of a route handler is one name with a type, `name: Type`",
            ));
        }
        None => return Err(MacroError::new(Span::call_site(), "an empty parameter")),
    };
    match tokens.next() {
        Some(TokenTree::Punct(p)) if p.as_char() == ':' => {}
        _ => {
            return Err(MacroError::new(
                name.span(),
                "each parameter of a route handler is one name with a type, `name: Type`",
            ));
        }
    }
    let ty: TokenStream = tokens.collect();
    let ty_text: String = ty
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Ok(Param { name, ty, ty_text })
}
// ANCHOR_END: read_param

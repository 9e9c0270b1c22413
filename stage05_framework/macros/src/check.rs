//! Checking a handler against its pattern: every `{name}` in the pattern is a parameter of the
//! function, and every parameter is either a `{name}` or something the framework knows how to
//! give (the whole `Input`, the `&Request`, the body as a JSON `Value`, or `&State`).

use proc_macro::{Span, TokenStream, TokenTree};

use crate::error::MacroError;
use crate::signature::{Param, Signature};

/// Where a parameter's value comes from.
#[derive(Debug)]
pub enum Source {
    /// A `{name}` of the pattern, as `&str`.
    PathStr,
    /// A `{name}` of the pattern, as an owned `String`.
    PathString,
    /// A `{name}` of the pattern, parsed into this type (`u64`): anything that is `FromStr`.
    PathParsed(TokenStream),
    /// The whole `Input`, by value.
    Input,
    /// `&Request`.
    Request,
    /// The body, parsed as JSON.
    Json,
    /// `&T`: the application's shared state of type `T`.
    State(TokenStream),
}

/// Each parameter's source, in order, or the first mismatch, pointed at.
pub fn sources(
    signature: &Signature,
    pattern: &str,
    pattern_span: Span,
) -> Result<Vec<Source>, MacroError> {
    // ANCHOR: check_pattern
    let names = stage04_router::parameter_names(pattern)
        .map_err(|error| MacroError::new(pattern_span, error.to_string()))?;
    if let Some(missing) = names
        .iter()
        .find(|name| !signature.params.iter().any(|p| pattern_name(p) == **name))
    {
        return Err(MacroError::new(
            pattern_span,
            format!(
                "the pattern names `{{{missing}}}`, but `{}` has no parameter `{missing}`",
                signature.name
            ),
        ));
    }
    // ANCHOR_END: check_pattern
    let sources = signature
        .params
        .iter()
        .map(|param| source(param, &names, pattern))
        .collect::<Result<Vec<Source>, MacroError>>()?;
    let whole = sources.iter().position(|s| matches!(s, Source::Input));
    let borrows = sources
        .iter()
        .any(|s| matches!(s, Source::Request | Source::State(_) | Source::Json));
    if let (Some(at), true) = (whole, borrows) {
        return Err(MacroError::new(
            signature.params[at].name.span(),
            "a handler that takes the whole `Input` reads the request, the body and the state \
             from it: it cannot take `&Request`, a JSON `Value` or `&State` as well",
        ));
    }
    if sources
        .iter()
        .filter(|s| matches!(s, Source::Input))
        .count()
        > 1
    {
        return Err(MacroError::new(
            signature.fn_span,
            "a handler takes the `Input` at most once",
        ));
    }
    Ok(sources)
}

/// The pattern name a parameter stands for: `id` for `id`, `_id` (a parameter the handler does
/// not use) and `r#id` alike.
pub fn pattern_name(param: &Param) -> String {
    let name = param.name.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    name.strip_prefix('_').unwrap_or(name).to_string()
}

fn source(param: &Param, names: &[String], pattern: &str) -> Result<Source, MacroError> {
    let ty = param.ty_text.as_str();
    // The type's last path segment, without a reference: `&stage05_framework::Request` → `Request`.
    let bare: String = match ty.starts_with('&') {
        true => without_reference(&param.ty).to_string(),
        false => ty.to_string(),
    }
    .chars()
    .filter(|c| !c.is_whitespace())
    .collect();
    let last = bare.rsplit("::").next().unwrap_or(&bare);
    let mutable = {
        let mut tokens = param.ty.clone().into_iter();
        matches!(tokens.next(), Some(TokenTree::Punct(p)) if p.as_char() == '&')
            && matches!(tokens.next(), Some(TokenTree::Ident(i)) if i.to_string() == "mut")
    };
    if names.iter().any(|n| *n == pattern_name(param)) {
        return match ty {
            "&str" => Ok(Source::PathStr),
            "String" | "std::string::String" => Ok(Source::PathString),
            _ if ty.starts_with('&') => Err(MacroError::new(
                param.name.span(),
                format!(
                    "`{}` is a path parameter: take it as `&str`, `String`, or a type that \
                     implements `FromStr`, such as `u64`",
                    param.name
                ),
            )),
            _ => Ok(Source::PathParsed(param.ty.clone())),
        };
    }
    let not_in_pattern = || {
        MacroError::new(
            param.name.span(),
            format!(
                "`{}` is not in the pattern \"{pattern}\": a handler's parameters are the \
                 pattern's {{names}}, or `Input`, `&Request`, the body as a JSON `Value`, or \
                 `&State` for the application's shared state",
                param.name
            ),
        )
    };
    // Text and numbers are what a path parameter is: a misspelt or missing `{name}`.
    const PATH_LIKE: &[&str] = &[
        "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64", "bool", "char",
    ];
    if PATH_LIKE.contains(&last) {
        return Err(not_in_pattern());
    }
    let reference = ty.starts_with('&');
    match last {
        "Input" if !reference => Ok(Source::Input),
        "Input" => Err(MacroError::new(
            param.name.span(),
            "take the `Input` by value, `input: Input`: the handler owns the request",
        )),
        "Request" if reference && !mutable => Ok(Source::Request),
        "Request" => Err(MacroError::new(
            param.name.span(),
            "take the request as `&Request`, or the whole `Input` by value to own it",
        )),
        "Value" if !reference => Ok(Source::Json),
        "Value" => Err(MacroError::new(
            param.name.span(),
            "take the JSON body by value, `body: Value`",
        )),
        _ if mutable => Err(MacroError::new(
            param.name.span(),
            "shared state is shared by every request: take it as `&T`, with a `Mutex` inside \
             for what changes",
        )),
        _ if reference => Ok(Source::State(without_reference(&param.ty))),
        _ => Err(not_in_pattern()),
    }
}

/// `&T` (or `&'a T`) as `T`.
fn without_reference(ty: &TokenStream) -> TokenStream {
    let mut tokens = ty.clone().into_iter().peekable();
    tokens.next(); // `&`
    if let Some(TokenTree::Punct(p)) = tokens.peek() {
        if p.as_char() == '\'' {
            tokens.next();
            tokens.next(); // the lifetime's name
        }
    }
    tokens.collect()
}

//! Writing the route: the function unchanged, then a type of the same name that describes it.
//!
//! For `#[get("/hello/{name}")] fn hello(name: &str) -> String`, the output is the function, and
//!
//! ```text
//! struct hello {}
//! impl RouteDef for hello {
//!     fn route() -> RouteSpec {
//!         RouteSpec::new(Some(Method::Get), "/hello/{name}", |input: Input| -> Reply {
//!             let style = ErrorStyle::of(&input.request);
//!             let a0 = match path_param::<String>(&input, "name") { Ok(v) => v, Err(e) => … };
//!             IntoReply::into_reply(hello(&a0), style)
//!         })
//!     }
//! }
//! ```
//!
//! For `#[get("/sleep/{ms}")] async fn sleep(ms: u64) -> …`, the closure's reply is a future
//! that owns the `Input`, takes the arguments from it as above (a refusal, `Err(e) => return
//! refusal(e, style)`, is then the future's response), and awaits the function:
//!
//! ```text
//! |input: Input| -> Reply {
//!     let style = ErrorStyle::of(&input.request);
//!     Reply::Later(Box::pin(async move {
//!         let a0 = match path_param::<u64>(&input, "ms") { Ok(v) => v, Err(e) => … };
//!         settle(IntoReply::into_reply(sleep(a0).await, style)).await
//!     }))
//! }
//! ```
//!
//! The struct lives in the type namespace and the function in the value namespace, so both can be
//! called `hello`: the function stays callable as it was written, and `routes![hello]` names the
//! struct. (Rocket does the same.)

use proc_macro::{Delimiter, Group, Literal, Span, TokenStream, TokenTree};

use crate::check::{self, Source};
use crate::error::MacroError;
use crate::signature::{self, Signature};

const SUPPORT: &str = "::stage05_framework::macro_support";

/// The expansion of a route attribute: `method` is the variant of `Method` for `#[get]` and the
/// like, `None` for `#[route(METHOD, "…")]`, which names it in `args`.
pub fn route(method: Option<&str>, args: TokenStream, item: TokenStream) -> TokenStream {
    match expand(method, args, item.clone()) {
        Ok(tokens) => tokens,
        Err(error) => {
            // The function is kept, so the one error reported is ours, not a cascade of
            // "cannot find function" errors where it is used.
            let mut out = item;
            out.extend(error.into_tokens());
            out
        }
    }
}

fn expand(
    method: Option<&str>,
    args: TokenStream,
    item: TokenStream,
) -> Result<TokenStream, MacroError> {
    let (method, pattern, pattern_span) = read_args(method, args)?;
    let signature = signature::read(item.clone())?;
    let sources = check::sources(&signature, &pattern, pattern_span)?;
    let mut out = item;
    out.extend(describe(&signature, &method, &pattern, &sources));
    Ok(out)
}

/// The method (`Some("Get")`, or `None` for any) and the pattern, with the pattern's span.
fn read_args(
    method: Option<&str>,
    args: TokenStream,
) -> Result<(Option<String>, String, Span), MacroError> {
    let mut tokens = args.into_iter();
    let method = match method {
        Some(method) => Some(method.to_string()),
        None => match tokens.next() {
            Some(TokenTree::Ident(word)) => {
                let name = word.to_string();
                let method = method_variant(&name).ok_or_else(|| {
                    MacroError::new(
                        word.span(),
                        format!(
                            "unknown method `{name}`: use GET, HEAD, POST, PUT, DELETE, OPTIONS, \
                             TRACE, PATCH, or ANY for every method"
                        ),
                    )
                })?;
                match tokens.next() {
                    Some(TokenTree::Punct(p)) if p.as_char() == ',' => {}
                    _ => {
                        return Err(MacroError::new(
                            word.span(),
                            "expected `#[route(METHOD, \"/pattern\")]`",
                        ));
                    }
                }
                method.map(str::to_string)
            }
            other => {
                let span = other.map_or(Span::call_site(), |t| t.span());
                return Err(MacroError::new(
                    span,
                    "expected `#[route(METHOD, \"/pattern\")]`",
                ));
            }
        },
    };
    let (pattern, span) = match tokens.next() {
        Some(TokenTree::Literal(literal)) => (string_value(&literal)?, literal.span()),
        other => {
            let span = other.map_or(Span::call_site(), |t| t.span());
            return Err(MacroError::new(
                span,
                "expected the route's pattern, a string such as \"/hello/{name}\"",
            ));
        }
    };
    if let Some(extra) = tokens.next() {
        return Err(MacroError::new(
            extra.span(),
            "unexpected after the pattern",
        ));
    }
    Ok((method, pattern, span))
}

/// `Some(variant)` for a method this attribute knows, `Some(None)`… as `None` for `ANY`.
fn method_variant(name: &str) -> Option<Option<&'static str>> {
    let variant = match name {
        "GET" => "Get",
        "HEAD" => "Head",
        "POST" => "Post",
        "PUT" => "Put",
        "DELETE" => "Delete",
        "OPTIONS" => "Options",
        "TRACE" => "Trace",
        "PATCH" => "Patch",
        "ANY" => return Some(None),
        _ => return None,
    };
    Some(Some(variant))
}

/// The text of a plain string literal: `"/hello/{name}"` → `/hello/{name}`.
fn string_value(literal: &Literal) -> Result<String, MacroError> {
    let text = literal.to_string();
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('\\') => Ok(inner.to_string()),
        _ => Err(MacroError::new(
            literal.span(),
            "the pattern is a plain string literal such as \"/hello/{name}\", without escapes",
        )),
    }
}

/// The struct and its `RouteDef` implementation.
fn describe(
    signature: &Signature,
    method: &Option<String>,
    pattern: &str,
    sources: &[Source],
) -> TokenStream {
    let name = &signature.name;
    let method = match method {
        Some(variant) => {
            format!("::core::option::Option::Some(::stage05_framework::Method::{variant})")
        }
        None => "::core::option::Option::None".to_string(),
    };
    // An `async fn`'s arguments are taken inside the reply's future, where a refusal is the
    // future's `Response` rather than a `Reply`.
    let refuse = match signature.is_async {
        true => "refusal",
        false => "refuse",
    };
    // Each argument: a statement that computes it (if any), and the expression passed.
    let mut body = TokenStream::new();
    let mut call_args = TokenStream::new();
    for (i, (param, source)) in signature.params.iter().zip(sources).enumerate() {
        let var = format!("__a{i}");
        let param_name = Literal::string(&check::pattern_name(param)).to_string();
        let (ty, arg): (TokenStream, String) = match source {
            Source::PathStr => (code("::std::string::String"), format!("&{var}")),
            Source::PathString => (code("::std::string::String"), var.clone()),
            Source::PathParsed(ty) => (ty.clone(), var.clone()),
            Source::Json => (code("::stage05_framework::json::Value"), var.clone()),
            Source::State(ty) => {
                let mut reference = code("&");
                reference.extend(ty.clone());
                (reference, var.clone())
            }
            Source::Request => (TokenStream::new(), "&input.request".to_string()),
            Source::Input => (TokenStream::new(), "input".to_string()),
        };
        let fetch = match source {
            Source::PathStr | Source::PathString | Source::PathParsed(_) => {
                Some(format!("path_param(&input, {param_name})"))
            }
            Source::Json => Some("json_body(&input)".to_string()),
            Source::State(_) => Some("state(&input)".to_string()),
            Source::Request | Source::Input => None,
        };
        if let Some(fetch) = fetch {
            body.extend(code(&format!("let {var}:")));
            body.extend(ty);
            body.extend(code(&format!(
                "= match {SUPPORT}::{fetch} {{ \
                    ::core::result::Result::Ok(value) => value, \
                    ::core::result::Result::Err(error) => return {SUPPORT}::{refuse}(error, __style), \
                 }};"
            )));
        }
        call_args.extend(code(&format!("{arg},")));
    }
    let mut call = TokenStream::new();
    call.extend([TokenTree::Ident(name.clone())]);
    call.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        call_args,
    ))]);
    let mut into_args = call;
    if signature.is_async {
        into_args.extend(code(".await"));
    }
    into_args.extend(code(", __style"));
    let mut into_reply = code("::stage05_framework::IntoReply::into_reply");
    into_reply.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        into_args,
    ))]);
    // The handler's whole body: the style first, chosen before anything takes the request.
    let mut handler_body =
        code("let __style = ::stage05_framework::ErrorStyle::of(&input.request);");
    if signature.is_async {
        // `settle` awaits the reply if the function's output is itself one to come.
        body.extend(code(&format!("{SUPPORT}::settle")));
        body.extend([TokenTree::Group(Group::new(
            Delimiter::Parenthesis,
            into_reply,
        ))]);
        body.extend(code(".await"));
        let mut future = code("async move");
        future.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
        let mut pinned = code("::std::boxed::Box::pin");
        pinned.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, future))]);
        handler_body.extend(code("::stage05_framework::Reply::Later"));
        handler_body.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, pinned))]);
    } else {
        handler_body.extend(body);
        handler_body.extend(into_reply);
    }

    let mut out = code("#[doc(hidden)] #[allow(non_camel_case_types)]");
    out.extend(signature.visibility.clone());
    out.extend(code("struct"));
    out.extend([TokenTree::Ident(name.clone())]);
    out.extend(code("{}"));
    out.extend(code(&format!("impl {SUPPORT}::RouteDef for")));
    out.extend([TokenTree::Ident(name.clone())]);
    let pattern = Literal::string(pattern).to_string();
    let mut handler = code("|input: ::stage05_framework::Input| -> ::stage05_framework::Reply");
    handler.extend([TokenTree::Group(Group::new(Delimiter::Brace, handler_body))]);
    let mut spec_args = code(&format!("{method}, {pattern},"));
    spec_args.extend(handler);
    let mut route_body = code(&format!("{SUPPORT}::RouteSpec::new"));
    route_body.extend([TokenTree::Group(Group::new(
        Delimiter::Parenthesis,
        spec_args,
    ))]);
    // Each state the handler takes, so that mounting the route can check the app has it.
    for source in sources {
        if let Source::State(ty) = source {
            route_body.extend(code(".needs::<"));
            route_body.extend(ty.clone());
            route_body.extend(code(">()"));
        }
    }
    let mut route_fn = code(&format!("fn route() -> {SUPPORT}::RouteSpec"));
    route_fn.extend([TokenTree::Group(Group::new(Delimiter::Brace, route_body))]);
    out.extend([TokenTree::Group(Group::new(Delimiter::Brace, route_fn))]);
    out
}

/// Rust source, as tokens. Only ever called with code written in this file.
///
/// The tokens get `Span::mixed_site()`: names the macro makes up (`input`, `__style`, `__a0`)
/// then live apart from the user's, so a handler called `input` or a constant called `__style`
/// cannot collide with them. The user's own tokens (the function's name, its types) keep theirs.
fn code(source: &str) -> TokenStream {
    let tokens: TokenStream = source
        .parse()
        .unwrap_or_else(|e| panic!("the macro's own code does not parse: {e:?}: {source}"));
    respan(tokens, Span::mixed_site())
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                TokenTree::Group(inner)
            }
            mut other => {
                other.set_span(span);
                other
            }
        })
        .collect()
}

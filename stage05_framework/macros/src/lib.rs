//! Chapter 5's route attributes: `#[get("/hello/{name}")]` on a function makes it a route.
//!
//! Written with the compiler's `proc_macro` API alone (no `syn`, no `quote`), so every step is in
//! view: the attribute receives two token streams, the arguments and the function; it reads the
//! function's signature token by token ([`signature`]), checks the pattern and the parameters
//! against each other ([`check`]), and writes the function back unchanged, followed by a type of
//! the same name that describes the route ([`expand`]). Errors are `compile_error!` invocations
//! whose tokens carry the span of the token at fault, so the compiler points at it ([`error`]).

use proc_macro::TokenStream;

mod check;
mod error;
mod expand;
mod signature;

// ANCHOR: get_attribute
/// `#[get("/pattern")]`: the function answers `GET` (and so `HEAD`) on `/pattern`.
#[proc_macro_attribute]
pub fn get(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("Get"), args, item)
}
// ANCHOR_END: get_attribute

/// `#[post("/pattern")]`.
#[proc_macro_attribute]
pub fn post(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("Post"), args, item)
}

/// `#[put("/pattern")]`.
#[proc_macro_attribute]
pub fn put(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("Put"), args, item)
}

/// `#[delete("/pattern")]`.
#[proc_macro_attribute]
pub fn delete(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("Delete"), args, item)
}

/// `#[patch("/pattern")]`.
#[proc_macro_attribute]
pub fn patch(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(Some("Patch"), args, item)
}

/// `#[route(METHOD, "/pattern")]`, for any method (`ANY` for all of them).
#[proc_macro_attribute]
pub fn route(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::route(None, args, item)
}

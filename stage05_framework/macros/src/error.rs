//! A compile error that points at a token.
//!
//! A procedural macro reports an error by expanding to `compile_error!("message")`. The compiler
//! underlines whatever span those tokens carry, so they are all given the span of the token at
//! fault: the pattern literal, a parameter's name, the unknown method.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// An error to report at `span`.
#[derive(Debug)]
pub struct MacroError {
    pub span: Span,
    pub message: String,
}

impl MacroError {
    pub fn new(span: Span, message: impl Into<String>) -> MacroError {
        MacroError {
            span,
            message: message.into(),
        }
    }

    // ANCHOR: into_tokens
    /// `::core::compile_error! { "message" }`, every token at the error's span.
    pub fn into_tokens(self) -> TokenStream {
        let span = self.span;
        let with_span = |mut tree: TokenTree| {
            tree.set_span(span);
            tree
        };
        let mut message = Literal::string(&self.message);
        message.set_span(span);
        let body = Group::new(Delimiter::Brace, TokenTree::Literal(message).into());
        [
            TokenTree::Punct(Punct::new(':', Spacing::Joint)),
            TokenTree::Punct(Punct::new(':', Spacing::Alone)),
            TokenTree::Ident(Ident::new("core", span)),
            TokenTree::Punct(Punct::new(':', Spacing::Joint)),
            TokenTree::Punct(Punct::new(':', Spacing::Alone)),
            TokenTree::Ident(Ident::new("compile_error", span)),
            TokenTree::Punct(Punct::new('!', Spacing::Alone)),
            TokenTree::Group(body),
        ]
        .into_iter()
        .map(with_span)
        .collect()
    }
    // ANCHOR_END: into_tokens
}

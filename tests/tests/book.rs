//! BOOK.md quotes the code exactly: a snippet that drifts from its source region fails here, with
//! the snippet's line in the book, the first line that differs, and what to do about it.
//!
//! The test's name is the one `--skip book_quotes` skips (see `tests::book::STALE_ADVICE`), so a
//! student whose exercise solution edits quoted code can run every other test.

use std::path::Path;

#[test]
fn book_quotes_match_the_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let book = std::fs::read_to_string(root.join("BOOK.md")).expect("BOOK.md at the root");
    let errors = tests::book::check(&book, &root);
    assert!(errors.is_empty(), "\n{}", tests::book::report(&errors));
    let quotes = book.matches("*Quoted from [`").count();
    assert!(quotes > 0, "the book quotes no code at all");
}

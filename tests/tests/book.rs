//! BOOK.md quotes the code exactly: a snippet that drifts from its source region fails here, with
//! the snippet's line in the book and the first line that differs.

use std::path::Path;

#[test]
fn every_rust_snippet_in_the_book_matches_its_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let book = std::fs::read_to_string(root.join("BOOK.md")).expect("BOOK.md at the root");
    let errors = tests::book::check(&book, &root);
    let report: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "\n{}", report.join("\n"));
    let quotes = book.matches("<!-- quote: ").count();
    assert!(quotes > 0, "the book quotes no code at all");
}

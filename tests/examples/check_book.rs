//! Checks the Rust snippets of a Markdown file against the source regions they quote:
//! `cargo run -p tests --example check_book -- BOOK.md` (paths relative to the repository root).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file = std::env::args().nth(1).unwrap_or_else(|| "BOOK.md".into());
    let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
        eprintln!("check_book: cannot read {file}");
        return ExitCode::from(2);
    };
    let errors = tests::book::check(&text, &root);
    if !errors.is_empty() {
        println!("{}", tests::book::report(&errors).replace("BOOK.md", &file));
    }
    println!("{file}: {} snippet problem(s)", errors.len());
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! Every chapter's checks, one file per chapter. A check belongs to the chapter that introduced
//! it and lists every chapter that keeps it, so chapter N runs its own checks and those of the
//! earlier chapters it keeps (`tests/tests/behaviour/changes.rs` says what each chapter changes on
//! purpose, and so what it does not keep).

use crate::check::Check;

mod chapter1;
mod chapter2;
mod chapter3;
mod chapter4;
mod chapter5;
mod chapter6;
mod chapter7;

/// The first and last chapters the checker knows.
pub const CHAPTERS: std::ops::RangeInclusive<u8> = 1..=7;

/// Every check of every chapter, in the order they were introduced.
pub fn all() -> impl Iterator<Item = &'static Check> {
    [
        chapter1::CHECKS,
        chapter2::CHECKS,
        chapter3::CHECKS,
        chapter4::CHECKS,
        chapter5::CHECKS,
        chapter6::CHECKS,
        chapter7::CHECKS,
    ]
    .into_iter()
    .flatten()
}

/// The checks a server for `chapter` must pass.
pub fn for_chapter(chapter: u8) -> Vec<&'static Check> {
    all().filter(|check| check.kept_in(chapter)).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::Path;

    use super::{CHAPTERS, all, for_chapter};

    #[test]
    fn names_are_unique_and_every_chapter_has_new_checks() {
        let mut names = HashSet::new();
        for check in all() {
            assert!(
                names.insert(check.name),
                "two checks named {:?}",
                check.name
            );
            assert!(CHAPTERS.contains(&check.introduced()), "{}", check.name);
        }
        for chapter in CHAPTERS {
            let new = for_chapter(chapter)
                .iter()
                .filter(|c| c.is_new_in(chapter))
                .count();
            assert!(new > 0, "chapter {chapter} adds nothing");
        }
    }

    /// Each hint names a part and a section of BOOK.md that exist, in that order.
    #[test]
    fn every_hint_names_a_real_section_of_the_book() {
        let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BOOK.md");
        let book = std::fs::read_to_string(book).expect("BOOK.md");
        let kinds = [&crate::check::NO_CONTENT_LENGTH, &crate::check::BARE_LF];
        let hints = all()
            .map(|check| (check.name, check.hint))
            .chain(kinds.iter().map(|kind| (kind.name, kind.hint)));
        for (name, hint) in hints {
            let part = format!("\n## {}\n", hint.part);
            let start = book
                .find(&part)
                .unwrap_or_else(|| panic!("{}: no part {:?} in BOOK.md", name, hint.part));
            let rest = &book[start + part.len()..];
            let end = rest.find("\n## ").unwrap_or(rest.len());
            let section = format!("\n### {}\n", hint.section);
            assert!(
                rest[..end].contains(&section),
                "{}: no section {:?} in {:?}",
                name,
                hint.section,
                hint.part
            );
        }
    }
}

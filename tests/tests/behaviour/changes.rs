//! Every behaviour a later stage changes on purpose, in one place. BOOK.md explains each.

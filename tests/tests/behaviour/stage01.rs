//! (filled in by its chapter)

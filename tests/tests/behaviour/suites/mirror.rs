//! (filled in by its chapter)

use super::Case;

pub const CASES: &[Case] = &[];

//! beautylint: a content-safety linter for beauty articles.
//!
//! The pipeline, one module per stage: `walk` finds files, `source` reads
//! them, `document` turns each into prose with exact source spans, `rules`
//! (driven by the data in `pack`) finds problems, and `report` prints them.
//! The library never prints; the binary owns all I/O.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod document;
pub mod pack;
pub mod rules;
pub mod span;

//! beautylint: a content-safety linter for beauty articles.
//!
//! The pipeline, one module per stage: `walk` finds files, `source` reads
//! them, `document` turns each into prose with exact source spans, `rules`
//! (driven by the data in `pack`) finds problems, and `report` prints them.
//! `cli` parses the command line, `settings` resolves it, and `check` runs
//! the stages for `beautylint check`; `server` is the language server.
//! The library never prints; the binary owns all I/O and passes `Write`
//! handles in.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod document;
#[doc(hidden)]
pub mod fuzz;
pub mod pack;
pub mod report;
pub mod rules;
pub mod server;
pub mod settings;
pub mod source;
pub mod span;
pub mod suppress;
pub mod walk;

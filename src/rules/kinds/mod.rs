//! Rule kinds: the Rust logic behind the rules a pack declares. Each kind's
//! user documentation (what it does, why, examples) lives with its rule in
//! the pack, and is printed by `beautylint rule ID`.

pub mod contraindications;
pub mod home_use;
pub mod needle_depth;
pub mod no_professional;
pub mod phrase;
pub mod unsafe_claim;

/// The kinds a pack may name in `kind = "…"`.
pub const KINDS: &[&str] = &[
    "home-use",
    "missing-contraindications",
    "incomplete-contraindications",
    "home-needle-depth",
    "unsafe-claim",
    "no-professional",
    "phrase",
];

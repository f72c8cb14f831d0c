#![no_main]
// See beautylint::fuzz::lint for the invariants checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| beautylint::fuzz::lint(data));

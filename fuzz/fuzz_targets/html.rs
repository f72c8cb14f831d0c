#![no_main]
// See beautylint::fuzz::html for the invariants checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| beautylint::fuzz::html(data));

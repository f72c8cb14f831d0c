#![no_main]
// See beautylint::fuzz::markdown for the invariants checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| beautylint::fuzz::markdown(data));

#![no_main]
// See beautylint::fuzz::config for the invariants checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| beautylint::fuzz::config(data));

#![no_main]
// See beautylint::fuzz::pack for the invariants checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| beautylint::fuzz::pack(data));

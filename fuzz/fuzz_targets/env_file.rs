#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kafkalint_fuzz::env_file::run(data));

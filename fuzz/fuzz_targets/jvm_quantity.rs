#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kafkalint_fuzz::jvm_quantity::run(data));

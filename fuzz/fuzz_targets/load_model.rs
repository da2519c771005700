//! Arbitrary bytes as a model file, as TOML and as JSON (see `shared/loading.rs`).

#![no_main]

#[path = "../shared/loading.rs"]
#[allow(dead_code)]
mod loading;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| loading::check_model_bytes(data));

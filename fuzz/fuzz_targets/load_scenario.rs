//! Arbitrary bytes as a scenario file on the Bitmarck model, as TOML and as JSON, run when it
//! loads (see `shared/loading.rs`).

#![no_main]

#[path = "../shared/loading.rs"]
#[allow(dead_code)]
mod loading;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| loading::check_scenario_bytes(data));

//! Arbitrary structurally valid models and scenarios, simulated, with the invariants of
//! whole runs checked (see `shared/simulate.rs`).

#![no_main]

#[path = "../shared/simulate.rs"]
mod simulate;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|spec: simulate::Spec| simulate::check(&spec));

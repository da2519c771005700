//! No input makes impactsim panic: arbitrary bytes and mutated real files as model and
//! scenario files, and arbitrary structurally valid models and scenarios run with the
//! invariants of whole runs checked.
//!
//! The checks are the fuzz targets' own (`fuzz/shared/`), fed here by proptest, so the test
//! suite and the fuzzers hold impactsim to the same rules; the fuzzers explore further.

#[path = "../../fuzz/shared/loading.rs"]
mod loading;
#[path = "../../fuzz/shared/simulate.rs"]
mod simulate;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;

use crate::common::root;

/// Real files to mutate: the Bitmarck model and scenarios (with patches), and the models
/// and scenarios of the SPEC cases.
fn seeds(file: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("models/bitmarck-2023")];
    let cases = root().join("tests/fixtures/spec-cases");
    for entry in std::fs::read_dir(cases).unwrap() {
        dirs.push(entry.unwrap().path());
    }
    for dir in dirs {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            let is_model = name.starts_with("model");
            if path.extension().is_some_and(|e| e == "toml" || e == "json")
                && is_model == (file == "model")
            {
                out.push(std::fs::read(path).unwrap());
            }
        }
    }
    assert!(out.len() >= 5, "{} {file} files", out.len());
    out
}

/// One edit of a file: delete, insert or replace some bytes, or repeat a piece.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, Vec<u8>),
    Replace(prop::sample::Index, u8),
    Repeat(prop::sample::Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to TOML and JSON, and some that are not text at all.
    let byte = prop_oneof![
        prop::sample::select(b"[]{}=,\"'.:-_ \n#0123456789eE+".to_vec()),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(byte.clone(), 1..8)
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<prop::sample::Index>(), byte).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = data.len().max(1);
        match e {
            Edit::Delete(i, n) => {
                let at = i.index(len).min(data.len());
                let end = (at + n).min(data.len());
                data.drain(at..end);
            }
            Edit::Insert(i, bytes) => {
                let at = i.index(len + 1).min(data.len());
                data.splice(at..at, bytes.iter().copied());
            }
            Edit::Replace(i, b) => {
                if !data.is_empty() {
                    let at = i.index(data.len());
                    data[at] = *b;
                }
            }
            Edit::Repeat(i, n) => {
                let at = i.index(len).min(data.len());
                let end = (at + n).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(end..end, piece);
            }
        }
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_as_a_model_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        loading::check_model_bytes(&data);
    }

    #[test]
    fn arbitrary_bytes_as_a_scenario_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        loading::check_scenario_bytes(&data);
    }

    #[test]
    fn edited_models_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let seeds = seeds("model");
        let data = apply(seeds[seed.index(seeds.len())].clone(), &edits);
        loading::check_model_bytes(&data);
    }

    #[test]
    fn edited_scenarios_never_panic(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let seeds = seeds("scenario");
        let data = apply(seeds[seed.index(seeds.len())].clone(), &edits);
        loading::check_scenario_bytes(&data);
    }

    /// Arbitrary structurally valid models and scenarios: no panic, and every invariant of
    /// `fuzz/shared/simulate.rs` holds.
    #[test]
    fn arbitrary_valid_models_keep_the_invariants(bytes in prop::collection::vec(any::<u8>(), 64..2048)) {
        let mut u = Unstructured::new(&bytes);
        if let Ok(spec) = simulate::Spec::arbitrary(&mut u) {
            simulate::check(&spec);
        }
    }
}

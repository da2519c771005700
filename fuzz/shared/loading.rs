//! Arbitrary bytes as model and scenario files: loading never panics, every error is located
//! in the file it concerns and renders, and what loads can be linted, exported and run.
//!
//! Shared by the `load_model` and `load_scenario` fuzz targets and the test suite
//! (`tests/integration/robustness.rs`).

// Input errors carry their source snippet, as in the library.
#![allow(clippy::result_large_err)]

use std::path::Path;
use std::sync::LazyLock;

use impactsim::graph::{self, Format};
use impactsim::scenario::{self, raw::RawScenarioFile};
use impactsim::source::Source;
use impactsim::{Error, metrics, model};

/// The model the scenarios run on: Bitmarck's, which has every kind of node and requirement.
pub const MODEL: &str = include_str!("../../models/bitmarck-2023/model.toml");

static MODEL_SOURCE: LazyLock<Source> = LazyLock::new(|| Source::from_text("model.toml", MODEL));

/// Scenarios with more time steps or node events are loaded but not simulated, to keep each
/// input fast (the limits themselves are checked at load, far higher).
const MAX_SIMULATED_STEPS: u64 = 20_000;
const MAX_SIMULATED_EVENTS: f64 = 20_000.0;

/// Node events of a run: every event target, and about two for each random failure the
/// mtbf values draw over the horizon.
fn node_events(s: &impactsim::Scenario) -> f64 {
    let scheduled: usize = s.events.iter().map(|e| e.targets.len()).sum();
    let drawn: f64 = s
        .model
        .random
        .iter()
        .filter_map(|r| {
            let r = r.as_ref()?;
            let cycle = r.mtbf?.mean() + r.mttr?.mean();
            Some(s.horizon.0 as f64 / cycle.max(1.0))
        })
        .sum();
    scheduled as f64 + 2.0 * drawn
}

/// An input error must be located in one of `files` and render.
fn check_error(e: Error, files: &[&str]) {
    match e {
        Error::Input(ie) => {
            let location = ie.location.clone().expect("every input error is located");
            assert!(
                files.iter().any(|f| location.file == Path::new(f)),
                "located in {location}, not in {files:?}"
            );
            let text = Error::Input(ie).render(false);
            assert!(text.starts_with(&format!("error: {location}: ")), "{text}");
        }
        other => panic!("not an input error: {other}"),
    }
}

/// `data` as a model file, read as TOML and as JSON.
pub fn check_model_bytes(data: &[u8]) {
    for name in ["model.toml", "model.json"] {
        let loaded = Source::from_bytes(Path::new(name), data.to_vec())
            .and_then(|source| model::load_model(&source));
        match loaded {
            Ok(model) => {
                let _ = model.warnings();
                let _ = model.restart_cycles();
                for format in [Format::Dot, Format::Mermaid, Format::Json] {
                    let _ = graph::render(&model, None, format);
                }
            }
            Err(e) => check_error(e.into(), &[name]),
        }
    }
}

fn load_scenario(data: &[u8], name: &str, patched: bool) -> Result<impactsim::Scenario, Error> {
    let source = Source::from_bytes(Path::new(name), data.to_vec())?;
    let raw: RawScenarioFile = source.deserialize()?;
    if patched {
        scenario::from_sources(&source, raw, &MODEL_SOURCE)
    } else {
        scenario::from_sources_unpatched(&source, raw, &MODEL_SOURCE)
    }
}

/// `data` as a scenario file (patches included) on [`MODEL`], read as TOML and as JSON, with
/// its patch and without (the baseline of `compare`); a scenario that loads runs as the
/// median run and as one seeded sample.
pub fn check_scenario_bytes(data: &[u8]) {
    for (name, patched) in [
        ("scenario.toml", true),
        ("scenario.json", true),
        ("scenario.toml", false),
    ] {
        match load_scenario(data, name, patched) {
            Ok(s) => {
                if s.horizon.0 / s.step.0 > MAX_SIMULATED_STEPS
                    || node_events(&s) > MAX_SIMULATED_EVENTS
                {
                    continue;
                }
                let total = s.model.total_population() as f64 * (1.0 + 1e-9);
                let r = metrics::run(&s);
                assert!(r.peak_affected <= total);
                let r = metrics::run_seeded(&s, Some(7));
                assert!(r.peak_affected <= total);
            }
            Err(e) => check_error(e, &[name, "model.toml"]),
        }
    }
}

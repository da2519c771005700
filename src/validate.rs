//! `validate`: load a model or a scenario, report what it holds and what looks wrong.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::error::Error;
use crate::limits::LoadOptions;
use crate::model::{self, Model, NodeKind};
use crate::scenario;
use crate::source::Source;

/// What `validate` found.
#[derive(Debug, Clone)]
pub struct Validation {
    /// "model" or "scenario".
    pub kind: &'static str,
    /// One line describing what was loaded.
    pub summary: String,
    /// Warnings (restart cycles, unused nodes, clients with no uses, ignored events).
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Probe {
    scenario: Option<IgnoredAny>,
}

/// True when `source` is a scenario (it has a `[scenario]` table).
fn is_scenario(source: &Source) -> bool {
    source
        .deserialize::<Probe>()
        .map(|p| p.scenario.is_some())
        .unwrap_or(false)
}

/// The model of a model file, or of a scenario file (with the scenario's patch applied).
pub fn model_of(path: &Path) -> Result<Model, Error> {
    model_of_with(path, &LoadOptions::default())
}

/// [`model_of`] within the limits of `options`.
pub fn model_of_with(path: &Path, options: &LoadOptions) -> Result<Model, Error> {
    let source = Source::read_with(path, options)?;
    if is_scenario(&source) {
        Ok(scenario::load_scenario_from(source, options)?.model)
    } else {
        Ok(model::load_model(&source)?)
    }
}

/// Validates a model or scenario file (a scenario is recognised by its `[scenario]` table).
pub fn validate(path: &Path) -> Result<Validation, Error> {
    validate_with(path, &LoadOptions::default())
}

/// [`validate`] within the limits of `options`.
pub fn validate_with(path: &Path, options: &LoadOptions) -> Result<Validation, Error> {
    let source = Source::read_with(path, options)?;
    if is_scenario(&source) {
        let s = scenario::load_scenario_from(source, options)?;
        let mut warnings = s.model.warnings();
        warnings.extend(s.warnings.iter().cloned());
        Ok(Validation {
            kind: "scenario",
            summary: format!(
                "scenario \"{}\": {} events over {}, on {}{}",
                s.name,
                s.events.len(),
                s.horizon,
                describe(&s.model),
                if s.patched_ids.is_empty() {
                    String::new()
                } else {
                    format!(", {} patched", s.patched_ids.len())
                }
            ),
            warnings,
        })
    } else {
        let m = model::load_model(&source)?;
        Ok(Validation {
            kind: "model",
            summary: describe(&m),
            warnings: m.warnings(),
        })
    }
}

fn describe(m: &Model) -> String {
    let sites = m.nodes.iter().filter(|n| n.kind == NodeKind::Site).count();
    format!(
        "model \"{}\": {} sites, {} services, {} clients, {} {}",
        m.name,
        sites,
        m.nodes.len() - sites,
        m.clients.len(),
        crate::format::thousands(m.total_population() as f64),
        m.population_label
    )
}

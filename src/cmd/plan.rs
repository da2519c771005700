//! `impactsim plan`: the restart order that makes the people-hours smallest.

use std::path::PathBuf;

use super::Console;
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::output;
use crate::plan::{self, Config};
use crate::report;

/// What `plan` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Number of crews.
    pub crews: u32,
    /// The most simulation runs the search makes.
    pub iterations: u64,
    /// Write the planned scenario to this file.
    pub out: Option<PathBuf>,
    /// The plan as JSON instead of the table.
    pub json: bool,
    /// What the plan makes small.
    pub measure: crate::measure::Measure,
}

/// Runs the command.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    let s = crate::scenario::load_scenario_with(&a.scenario, load)?;
    let config = Config {
        iterations: a.iterations,
        measure: a.measure,
        ..Config::new(a.crews)
    };
    let found = plan::plan(&s, &config)?;
    if let Some(out) = &a.out {
        let text = report::plan::scenario_file(&s, &found, out)?;
        output::write_file(out, text, "--out")?;
    }
    if a.json {
        console.print(&report::pretty_json(&found))?;
    } else {
        console.print(&report::plan::table(&found))?;
        if let Some(out) = &a.out {
            console.print(&format!(
                "\nwrote {}; `impactsim run {}` replays the plan\n",
                out.display(),
                out.display()
            ))?;
        }
    }
    Ok(0)
}

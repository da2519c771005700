//! `impactsim batch`: many scenarios side by side, one row each.

use std::path::PathBuf;

use super::{Console, pool, progress_bar, text, usage};
use crate::batch;
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::montecarlo as mc;
use crate::report;

/// What `batch` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// Scenario files.
    pub files: Vec<PathBuf>,
    /// Make each scenario a Monte Carlo study of this many runs (medians shown).
    pub runs: Option<u64>,
    /// Seed of the studies.
    pub seed: u64,
    /// Worker threads (default: every core).
    pub threads: Option<usize>,
    /// Sort the rows by this figure, largest first.
    pub sort: Option<String>,
    /// CSV instead of the table.
    pub csv: bool,
    /// JSON instead of the table.
    pub json: bool,
    /// The measure shown beside the figures (and sorted by, without `sort`).
    pub measure: crate::measure::Measure,
}

/// Runs the command.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    if a.runs == Some(0) {
        return Err(usage("--runs must be at least 1"));
    }
    let scenarios = a
        .files
        .iter()
        .map(|f| crate::scenario::load_scenario_with(f, load))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(runs) = a.runs {
        // Each study keeps its runs' figures until its medians are taken, as `montecarlo`.
        for s in &scenarios {
            mc::check_memory(s, runs, runs)?;
        }
    }
    let pool = pool(a.threads)?;
    let bar = progress_bar(scenarios.len() as u64, "scenarios");
    for s in &scenarios {
        a.measure.check(&s.model)?;
    }
    let mut rows =
        pool.install(|| batch::run(&scenarios, a.runs, a.seed, a.measure, &|| bar.inc(1)));
    bar.finish_and_clear();
    match (&a.sort, a.measure) {
        (Some(f), _) => batch::sort(&mut rows, f),
        (None, crate::measure::Measure::PeopleHours) => {}
        (None, m) => batch::sort(&mut rows, m.figure()),
    }
    let shown = if a.csv {
        text(report::batch::csv(&rows)?)
    } else if a.json {
        report::batch::json(&rows)
    } else {
        report::batch::table(&rows, a.runs)
    };
    console.print(&shown)?;
    Ok(0)
}

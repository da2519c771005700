//! `impactsim compare`: scenarios against the first.

use std::path::PathBuf;

use super::{Console, check_out_dirs, plot_charts, text};
use crate::chart::{self, Chart};
use crate::compare;
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::report;

/// What `compare` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// Scenario files: the first is the baseline.
    pub files: Vec<PathBuf>,
    /// One JSON object instead of the table.
    pub json: bool,
    /// CSV in long format instead of the table.
    pub csv: bool,
    /// How many clients, nodes and RTO breaches the table lists.
    pub top: usize,
    /// The HTML report's file.
    pub report: Option<PathBuf>,
    /// Directory for the comparison chart.
    pub plot: Option<PathBuf>,
    /// Write into a directory holding files impactsim did not write.
    pub force: bool,
    /// A measure of the business functions to compare as well.
    pub measure: crate::measure::Measure,
}

/// Runs the command.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    check_out_dirs(&[&a.plot], a.force)?;
    let inputs = compare::load_with(&a.files, load)?;
    for input in &inputs {
        a.measure.check(&input.scenario.model)?;
    }
    let comparison = compare::compare_by(&inputs, a.measure);
    if let Some(file) = &a.report {
        report::html::write_report(file, &report::html::compare_report(&inputs, &comparison)?)?;
    }
    let shown = if a.csv {
        text(report::compare::csv(&comparison)?)
    } else if a.json {
        report::compare::json(&comparison)
    } else {
        report::compare::table(&comparison, a.top)
    };
    let plotted = plot_charts(
        a.plot.as_deref(),
        || {
            let curves = chart::compare_curves(&comparison);
            let label = &comparison.baseline.population_label;
            vec![Chart::compare(
                &curves,
                label,
                compare::common_start(&inputs),
            )]
        },
        a.force,
    )?;
    console.print(&shown)?;
    console.plot_note(plotted, a.json || a.csv)?;
    if let (Some(file), false, false) = (&a.report, a.csv, a.json) {
        console.print(&format!("\nwrote {}\n", file.display()))?;
    }
    Ok(0)
}

//! `impactsim rank`: every site and service lost alone (or in pairs), ranked.

use std::path::PathBuf;

use super::{Console, check_out_dirs, plot_charts, text};
use crate::chart::Chart;
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::rank::{self, Options};
use crate::report;

/// What `rank` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// A model file, or a scenario file (its patched model).
    pub model: PathBuf,
    /// The losses, their length and how many pairs to try.
    pub options: Options,
    /// How many losses and pairs the table lists.
    pub top: usize,
    /// The whole ranking as JSON.
    pub json: bool,
    /// The single losses as CSV.
    pub csv: bool,
    /// Directory for the ranking chart.
    pub plot: Option<PathBuf>,
    /// Write into a directory holding files impactsim did not write.
    pub force: bool,
}

/// Runs the command.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    check_out_dirs(&[&a.plot], a.force)?;
    let model = crate::validate::model_of_with(&a.model, load)?;
    a.options.measure.check(&model)?;
    let ranking = rank::rank(&model, a.options);
    let plotted = plot_charts(
        a.plot.as_deref(),
        || vec![Chart::rank(&ranking, a.top)],
        a.force,
    )?;
    if a.json {
        console.print(&report::rank::json(&ranking))?;
    } else if a.csv {
        console.print(&text(report::rank::csv(&ranking)?))?;
    } else {
        console.print(&report::rank::table(&ranking, a.top))?;
    }
    console.plot_note(plotted, a.json || a.csv)?;
    Ok(0)
}

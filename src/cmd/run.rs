//! `impactsim run`: one simulation of a scenario, summarised.

use std::path::PathBuf;
use std::time::Instant;

use super::{Console, check_out_dirs, plot_charts};
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::metrics::{self, RunResult};
use crate::report;
use crate::scenario::Scenario;

/// Problems `--fail-on` turns into exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A cold-start deadlock.
    Deadlock,
    /// Any RTO breach.
    RtoBreach,
    /// People still affected at the horizon.
    NotRecovered,
}

impl Problem {
    /// Whether `result` shows this problem.
    pub fn shown_by(self, result: &RunResult) -> bool {
        match self {
            Problem::Deadlock => !result.deadlocks.is_empty(),
            Problem::RtoBreach => result.services.iter().any(|s| !s.rto_breaches.is_empty()),
            Problem::NotRecovered => result.recovered_at_h.is_none(),
        }
    }
}

/// What `run` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The whole result as JSON instead of the summary.
    pub json: bool,
    /// Directory for timeline.csv, clients.csv, services.csv, summary.json.
    pub out: Option<PathBuf>,
    /// How many clients and services the summary lists.
    pub top: usize,
    /// Problems that make the exit code 1.
    pub fail_on: Vec<Problem>,
    /// Time spent loading and simulating, on stderr.
    pub timings: bool,
    /// A Monte Carlo sample from this seed instead of the median run.
    pub seed: Option<u64>,
    /// The HTML report's file.
    pub report: Option<PathBuf>,
    /// Directory for the charts.
    pub plot: Option<PathBuf>,
    /// Write into output directories holding files impactsim did not write.
    pub force: bool,
}

/// Runs the command; the exit code is 1 when the run shows a problem of `fail_on`.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    check_out_dirs(&[&a.out, &a.plot], a.force)?;
    let s = crate::scenario::load_scenario_with(&a.scenario, load)?;
    let t1 = Instant::now();
    // The charts of --plot and --report come from the same simulation pass as the figures.
    let (result, charts) = if a.plot.is_some() || a.report.is_some() {
        crate::chart::run_with_charts(&s, a.seed)
    } else {
        (metrics::run_seeded(&s, a.seed), Vec::new())
    };
    if a.timings {
        timings(&s, &result, t1.elapsed().as_secs_f64(), console);
    }
    if let Some(dir) = &a.out {
        report::write_out_dir(&result, &s, dir, a.force)?;
    }
    if let (Some(file), [timeline, gantt]) = (&a.report, charts.as_slice()) {
        let html = report::html::run_report(&result, &s, timeline, gantt)?;
        report::html::write_report(file, &html)?;
    }
    let plotted = plot_charts(a.plot.as_deref(), || charts, a.force)?;
    if a.json {
        console.print(&report::json(&result))?;
    } else {
        // The sparkline only where someone looks at it: a terminal.
        let spark = console.out_is_terminal;
        console.print(&report::summary_table_with(&result, a.top, spark))?;
        if let Some(dir) = &a.out {
            console.print(&format!(
                "\nwrote timeline.csv, clients.csv, services.csv, summary.json to {}\n",
                dir.display()
            ))?;
        }
        if let Some(file) = &a.report {
            console.print(&format!("\nwrote {}\n", file.display()))?;
        }
    }
    console.plot_note(plotted, a.json)?;
    let failed = a.fail_on.iter().any(|p| p.shown_by(&result));
    Ok(u8::from(failed))
}

fn timings(s: &Scenario, result: &RunResult, simulated: f64, console: &mut Console) {
    let lt = s.timings;
    let per_event = simulated * 1e6 / result.events_processed.max(1) as f64;
    console.note(&format!(
        "timings: read {:.3} s, parse {:.3} s, build {:.3} s, simulate {simulated:.3} s\n\
         timings: {} nodes, {} edges, {} clients; {} scenario events, {} events processed ({per_event:.1} µs each)",
        lt.read.as_secs_f64(),
        lt.parse.as_secs_f64(),
        lt.build.as_secs_f64(),
        s.model.node_count(),
        s.model.edge_count(),
        s.model.clients.len(),
        s.events.len(),
        result.events_processed,
    ));
}

//! `impactsim montecarlo` and `impactsim merge`: a study of many runs, whole or in shards,
//! and the shards combined.

use std::path::{Path, PathBuf};

use super::{Console, check_out_dirs, plot_charts, pool, progress_bar, usage};
use crate::chart::Chart;
use crate::error::Error;
use crate::limits::LoadOptions;
use crate::montecarlo::{self as mc, Frame, McResult, Shard, ShardFile, Study};
use crate::output;
use crate::report;

/// How a study's result is shown and written (shared by `montecarlo` and `merge`).
#[derive(Debug, Clone)]
pub struct Show {
    /// Percentiles to report, from 0 to 100.
    pub percentiles: Vec<f64>,
    /// The whole result as JSON instead of the table.
    pub json: bool,
    /// Directory for bands.csv, runs.csv and summary.json.
    pub out: Option<PathBuf>,
    /// How many clients and services the table lists.
    pub top: usize,
    /// Directory for the bands chart.
    pub plot: Option<PathBuf>,
    /// Write into output directories holding files impactsim did not write.
    pub force: bool,
}

/// What `montecarlo` is asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Number of runs.
    pub runs: u64,
    /// Seed of the study.
    pub seed: u64,
    /// Worker threads (default: every core).
    pub threads: Option<usize>,
    /// Make only this shard and write it to `show.out`.
    pub shard: Option<Shard>,
    /// The HTML report's file.
    pub report: Option<PathBuf>,
    /// How the result is shown.
    pub show: Show,
}

/// What `merge` is asked.
#[derive(Debug, Clone)]
pub struct MergeArgs {
    /// Directories holding shard files, or shard files.
    pub dirs: Vec<PathBuf>,
    /// How the result is shown.
    pub show: Show,
    /// The HTML report's file (needs `scenario`).
    pub report: Option<PathBuf>,
    /// The scenario the shards were made from, checked against them.
    pub scenario: Option<PathBuf>,
}

/// Runs `montecarlo`.
pub fn run(a: &Args, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    if a.runs == 0 {
        return Err(usage("--runs must be at least 1"));
    }
    let o = &a.show;
    check_out_dirs(&[&o.out, &o.plot], o.force)?;
    let pool = pool(a.threads)?;
    let s = crate::scenario::load_scenario_with(&a.scenario, load)?;
    if !s.is_random() {
        console.note(
            "warning: nothing in this scenario is random (no distributions, restart failures or mtbf): every run is the same",
        );
    }
    let study = Study {
        runs: a.runs,
        seed: a.seed,
    };
    let shard = a.shard.unwrap_or(Shard::ALL);
    let made = shard.run_count(a.runs);
    mc::check_memory(&s, made, a.runs)?;
    let bar = progress_bar(made, "runs");
    let records = pool.install(|| mc::simulate(&s, study, shard, &|| bar.inc(1)));
    bar.finish_and_clear();
    let frame = Frame::of(&s);
    if let (Some(sh), Some(dir)) = (a.shard, &o.out) {
        let file = ShardFile {
            format: ShardFile::FORMAT.to_string(),
            fingerprint: mc::fingerprint(&s),
            frame,
            study,
            shard: sh.index,
            shards: sh.count,
            records,
        };
        let name = ShardFile::file_name(sh.index, sh.count);
        let text = serde_json::to_vec(&file).map_err(crate::OutputError::json)?;
        output::write_out_files(dir, &[(name.as_str(), text)], o.force)?;
        console.print(&format!(
            "wrote {} ({} runs); combine the shards with `impactsim merge`\n",
            dir.join(&name).display(),
            file.records.len()
        ))?;
        return Ok(0);
    }
    let result = mc::aggregate(&frame, study, &records, &o.percentiles);
    if let Some(file) = &a.report {
        report::html::write_report(file, &report::html::mc_report(&result, &s)?)?;
    }
    show(&result, o, a.report.as_deref(), console)
}

/// Runs `merge`.
pub fn merge(a: &MergeArgs, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    let o = &a.show;
    check_out_dirs(&[&o.out, &o.plot], o.force)?;
    let scenario = a
        .scenario
        .as_deref()
        .map(|s| crate::scenario::load_scenario_with(s, load))
        .transpose()?;
    let mut shards = Vec::new();
    for f in shard_files(&a.dirs)? {
        let shard = read_shard(&f)?;
        shards.push((f, shard));
    }
    let whole = mc::merge(shards)?;
    if let Some(s) = &scenario
        && mc::fingerprint(s) != whole.fingerprint
    {
        return Err(usage(format!(
            "the shards were not made from {} as it is now (it, or its model, differs from the files the shards were made from, or another version of impactsim made them)",
            s.path().display()
        )));
    }
    let result = mc::aggregate(&whole.frame, whole.study, &whole.records, &o.percentiles);
    if let (Some(file), Some(s)) = (&a.report, &scenario) {
        report::html::write_report(file, &report::html::mc_report(&result, s)?)?;
    }
    show(&result, o, a.report.as_deref(), console)
}

/// The shard files `dirs` name: each directory's `shard-*.json` in name order, and the
/// files given as they are.
fn shard_files(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            files.push(d.clone());
            continue;
        }
        let entries = std::fs::read_dir(d).map_err(|e| Error::io("reading", d, e))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

fn read_shard(f: &Path) -> Result<ShardFile, Error> {
    let bytes = std::fs::read(f).map_err(|e| Error::io("reading", f, e))?;
    serde_json::from_slice(&bytes)
        .ok()
        .filter(|s: &ShardFile| s.format == ShardFile::FORMAT)
        .ok_or_else(|| {
            usage(format!(
                "{} is not a shard file of this version of impactsim; write shards with `montecarlo --shard I/N --out DIR`",
                f.display()
            ))
        })
}

/// Writes and prints a study's result.
fn show(
    result: &McResult,
    o: &Show,
    report_file: Option<&Path>,
    console: &mut Console,
) -> Result<u8, Error> {
    let summary = report::pretty_json(&report::montecarlo::json(result));
    if let Some(dir) = &o.out {
        output::write_out_files(
            dir,
            &[
                ("bands.csv", report::montecarlo::bands_csv(result)?),
                ("runs.csv", report::montecarlo::runs_csv(result)?),
                ("summary.json", summary.clone().into_bytes()),
            ],
            o.force,
        )?;
    }
    let plotted = plot_charts(o.plot.as_deref(), || vec![Chart::bands(result)], o.force)?;
    if o.json {
        console.print(&summary)?;
    } else {
        console.print(&report::montecarlo::table(result, o.top))?;
        if let Some(dir) = &o.out {
            console.print(&format!(
                "\nwrote bands.csv, runs.csv, summary.json to {}\n",
                dir.display()
            ))?;
        }
    }
    console.plot_note(plotted, o.json)?;
    if let (Some(file), false) = (report_file, o.json) {
        console.print(&format!("\nwrote {}\n", file.display()))?;
    }
    Ok(0)
}

//! Monte Carlo: many seeded runs of one scenario, summarised as percentiles and bands.
//!
//! Run `i` of a study with seed `S` draws from its own seed, [`run_seed`]`(S, i)`, so any run
//! can be replayed alone (`run --seed`), runs can be spread over threads or machines
//! ([`Shard`]), and the result never depends on how they were spread: runs are collected in
//! run order and every figure is reduced in that order.
//!
//! Every figure of a run is kept ([`Record`]). A figure that is undefined in a run (CAIDI with
//! no interruption, the first affected time of a client never affected) is left out of its
//! percentiles; a recovery time of a run that never recovered counts as later than any other
//! (infinite), so "not recovered" shows in the upper percentiles.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::{Options, Propagation};
use crate::error::Error;
use crate::metrics::{self, Metrics, RunResult};
use crate::scenario::Scenario;
use crate::time::SimTime;

pub use crate::metrics::SUMMARY;
/// The figures of a client, in record order.
pub const CLIENT: [&str; 4] = [
    "people_hours",
    "first_affected_h",
    "recovered_at_h",
    "longest_outage_h",
];
/// The figures of a site or service, in record order.
pub const SERVICE: [&str; 6] = [
    "unavailable_h",
    "fallback_h",
    "restarts",
    "rto_breaches",
    "attributed_people_hours",
    "restored_at_h",
];

/// The figures of a business function (over all its clients), in record order.
pub const FUNCTION: [&str; 6] = [
    "disrupted_h",
    "longest_outage_h",
    "fallback_h",
    "restored_at_h",
    "breaches",
    "data_lost_h",
];
/// The figures of a run's business functions together (see [`crate::measure::Measure`]).
pub const MEASURES: [&str; 2] = ["weighted_people_hours", "tolerance_breaches"];

/// The percentiles reported when none are asked for.
pub const DEFAULT_PERCENTILES: [f64; 3] = [5.0, 50.0, 95.0];

/// The seed of run `run` in a study seeded with `seed` (SplitMix64 of both).
pub fn run_seed(seed: u64, run: u64) -> u64 {
    let mut z = seed
        .wrapping_add(run.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Everything one run contributes: its figures, and its timeline of people affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Index of the run in the study.
    pub run: u64,
    /// The seed the run drew from.
    pub seed: u64,
    /// [`SUMMARY`] figures; `None` where the run's result has null.
    pub summary: Vec<Option<f64>>,
    /// [`CLIENT`] figures of every client, client after client.
    pub clients: Vec<Option<f64>>,
    /// [`SERVICE`] figures of every site and service, node after node.
    pub services: Vec<Option<f64>>,
    /// [`FUNCTION`] figures of every business function, function after function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Option<f64>>,
    /// [`MEASURES`] figures, when the model has business functions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<Option<f64>>,
    /// Change points of the people affected: (seconds, people).
    pub timeline: Vec<(u64, f64)>,
    /// Warnings of the run (restarts left off after failed attempts, and the like).
    pub warnings: u32,
    /// Cold-start deadlocks of the run.
    pub deadlocks: u32,
}

impl Record {
    /// The record of run `run` from its result.
    pub fn from_result(run: u64, seed: u64, r: &RunResult) -> Record {
        Record {
            run,
            seed,
            summary: r.figures().to_vec(),
            clients: r
                .clients
                .iter()
                .flat_map(|c| {
                    [
                        Some(c.people_hours),
                        c.first_affected_h,
                        c.recovered_at_h,
                        Some(c.longest_outage_h),
                    ]
                })
                .collect(),
            services: r
                .services
                .iter()
                .flat_map(|s| {
                    [
                        Some(s.unavailable_h),
                        Some(s.fallback_h),
                        Some(s.restarts as f64),
                        Some(s.rto_breaches.len() as f64),
                        Some(s.attributed_people_hours),
                        s.restored_at_h,
                    ]
                })
                .collect(),
            functions: r
                .per_function
                .iter()
                .flat_map(|f| {
                    [
                        Some(f.disrupted_h),
                        Some(f.longest_outage_h),
                        Some(f.fallback_h),
                        f.restored_at_h,
                        Some(f.breaches.len() as f64),
                        f.data_lost_h,
                    ]
                })
                .collect(),
            measures: match (r.weighted_people_hours, r.tolerance_breaches) {
                (Some(w), Some(b)) => vec![Some(w), Some(b as f64)],
                _ => Vec::new(),
            },
            timeline: r.points.iter().map(|&(t, a)| (t.0, a)).collect(),
            warnings: r.warnings.len() as u32,
            deadlocks: r.deadlocks.len() as u32,
        }
    }
}

/// Which runs of a study to make: all, or every `count`-th from `index` (a shard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: u64,
    /// The number of shards.
    pub count: u64,
}

impl Shard {
    /// The whole study as one shard.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` (0 ≤ I < N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write I/N with 0 ≤ I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The runs of this shard among `runs`.
    pub fn runs(self, runs: u64) -> impl Iterator<Item = u64> {
        (self.index..runs).step_by(self.count as usize)
    }

    /// How many runs of `runs` this shard makes (the length of [`Shard::runs`], counted
    /// without walking it: a study may ask for more runs than memory allows).
    pub fn run_count(self, runs: u64) -> u64 {
        runs.saturating_sub(self.index).div_ceil(self.count)
    }
}

/// What a study is: how many runs, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Study {
    /// Number of runs.
    pub runs: u64,
    /// The study's seed.
    pub seed: u64,
}

/// The most memory a study may spend on the figures it keeps of every run.
pub const MAX_RECORD_BYTES: u64 = 8 << 30;

/// About how many bytes the records of `runs` runs of `scenario` take: every figure of
/// every client and node is kept until the percentiles are taken.
pub fn record_bytes(scenario: &Scenario, runs: u64) -> u64 {
    let model = &scenario.model;
    let figures = SUMMARY.len()
        + CLIENT.len() * model.clients.len()
        + SERVICE.len() * model.nodes.len()
        + FUNCTION.len() * model.functions.len()
        + MEASURES.len();
    // The bands hold one value per run at every step.
    let grid = (scenario.horizon.0 / scenario.step.0.max(1)) as usize + 1;
    let per_run = figures * size_of::<Option<f64>>() + size_of::<Record>() + 64 * 16 + grid * 8;
    runs.saturating_mul(per_run as u64)
}

/// Refuses a study whose kept figures would pass [`MAX_RECORD_BYTES`]: `kept` runs of it are
/// made here (a shard makes fewer than the `asked` runs of the whole study).
pub fn check_memory(scenario: &Scenario, kept: u64, asked: u64) -> Result<(), Error> {
    let bytes = record_bytes(scenario, kept);
    if bytes <= MAX_RECORD_BYTES {
        return Ok(());
    }
    Err(Error::Usage {
        message: format!(
            "{asked} runs of this model would keep about {} GiB of figures in memory (every figure of {} nodes and {} clients per run); use at most {} runs",
            bytes >> 30,
            scenario.model.nodes.len(),
            scenario.model.clients.len(),
            MAX_RECORD_BYTES / record_bytes(scenario, 1)
        ),
    })
}

/// Makes the runs of `shard` of `study`, in parallel on the current rayon pool, calling
/// `progress` after each. Records come back in run order.
pub fn simulate(
    scenario: &Scenario,
    study: Study,
    shard: Shard,
    progress: &(dyn Fn() + Sync),
) -> Vec<Record> {
    let runs: Vec<u64> = shard.runs(study.runs).collect();
    let options = |seed| Options {
        propagation: Propagation::Incremental,
        seed: Some(seed),
    };
    runs.into_par_iter()
        .map_init(
            || Metrics::new(&scenario.model),
            |m, run| {
                let seed = run_seed(study.seed, run);
                let result = metrics::run_into(scenario, options(seed), m);
                progress();
                Record::from_result(run, seed, &result)
            },
        )
        .collect()
}

/// Percentiles, mean and its 95 % confidence interval of one figure over the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    /// Runs in which the figure is defined.
    pub runs: u64,
    /// Runs that never recovered (recovery times only).
    pub not_recovered: Option<u64>,
    /// One value per asked percentile; `None` when no run defines the figure, infinite when
    /// the percentile falls on runs that never recovered.
    pub percentiles: Vec<Option<f64>>,
    /// Mean over the runs that define the figure; `None` when some never recovered.
    pub mean: Option<f64>,
    /// 95 % confidence interval of the mean (normal approximation).
    pub ci95: Option<(f64, f64)>,
}

/// Linear-interpolated percentile `p` (0–100) of sorted values (the "type 7" definition).
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    let a = sorted[lo];
    if frac == 0.0 || lo == last || sorted[lo + 1] == a {
        return Some(a);
    }
    let b = sorted[lo + 1];
    Some(if b.is_infinite() {
        b
    } else {
        a + frac * (b - a)
    })
}

impl Stat {
    /// The statistics of `values` (one per run, in run order); `recovery` marks a recovery
    /// time, where `None` means never recovered rather than undefined.
    pub fn of(values: impl Iterator<Item = Option<f64>>, recovery: bool, ps: &[f64]) -> Stat {
        let mut v: Vec<f64> = if recovery {
            values.map(|x| x.unwrap_or(f64::INFINITY)).collect()
        } else {
            values.flatten().collect()
        };
        let n = v.len();
        let not_recovered = recovery.then(|| v.iter().filter(|x| x.is_infinite()).count() as u64);
        // Mean and variance in run order, before sorting, so they never depend on anything
        // but the runs themselves.
        let finite = v.iter().all(|x| x.is_finite());
        let (mean, ci95) = if n > 0 && finite {
            let mean = v.iter().sum::<f64>() / n as f64;
            let ci = (n > 1).then(|| {
                let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
                let half = 1.96 * (var / n as f64).sqrt();
                (mean - half, mean + half)
            });
            (Some(mean), ci)
        } else {
            (None, None)
        };
        v.sort_unstable_by(f64::total_cmp);
        Stat {
            runs: n as u64,
            not_recovered,
            percentiles: ps.iter().map(|&p| percentile(&v, p)).collect(),
            mean,
            ci95,
        }
    }
}

/// One point of the bands: the people affected at `t` over all runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BandPoint {
    /// Hours from the start.
    pub t_h: f64,
    /// One value per asked percentile.
    pub percentiles: Vec<f64>,
    /// Mean over the runs.
    pub mean: f64,
}

/// A whole study, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's `start` (wall-clock time of t = 0), for dates on charts.
    pub start: Option<String>,
    /// How reports name the people.
    pub population_label: String,
    /// Everyone served.
    pub total_population: u64,
    /// How the clients' uses combine, in words (see [`crate::metrics::combine_line`]).
    pub combine: String,
    /// The study.
    pub study: Study,
    /// The percentiles asked for.
    pub percentiles: Vec<f64>,
    /// The horizon, hours.
    pub horizon_h: f64,
    /// The step of the bands, hours.
    pub step_h: f64,
    /// [`SUMMARY`] figures.
    pub summary: Vec<Stat>,
    /// Per client: id and its [`CLIENT`] figures.
    pub clients: Vec<(String, Vec<Stat>)>,
    /// Per site and service: id and its [`SERVICE`] figures.
    pub services: Vec<(String, Vec<Stat>)>,
    /// Per business function: its name (and client, for a client's own) and its
    /// [`FUNCTION`] figures; empty without functions.
    pub functions: Vec<(String, Vec<Stat>)>,
    /// [`MEASURES`] figures; empty without functions.
    pub measures: Vec<Stat>,
    /// People affected on the `step` grid.
    pub bands: Vec<BandPoint>,
    /// Runs that reported warnings (replay one with `run --seed` to read them).
    pub runs_with_warnings: u64,
    /// Runs that ended in a cold-start deadlock.
    pub runs_with_deadlocks: u64,
    /// Seeds of the runs, and their figures, in run order (for runs.csv).
    pub runs: Vec<(u64, u64, Vec<Option<f64>>)>,
}

/// What a summary needs to know of the scenario besides the runs. Shard files carry it, so
/// `merge` needs neither the scenario nor the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario's `start`, when it has one (shards of scenarios without keep their
    /// bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// How reports name the people.
    pub population_label: String,
    /// Everyone served.
    pub total_population: u64,
    /// How the clients' uses combine, in words: runs that combine them differently do not
    /// merge. (Saved runs from before `combine` existed combined by max.)
    #[serde(default = "combine_by_max")]
    pub combine: String,
    /// The horizon, seconds.
    pub horizon: u64,
    /// The step of the bands, seconds.
    pub step: u64,
    /// Client ids, in model order.
    pub clients: Vec<String>,
    /// Site and service ids, in model order.
    pub nodes: Vec<String>,
    /// Business functions, in model order: the name, with the client for a client's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
}

fn combine_by_max() -> String {
    crate::metrics::combine_line("max", std::iter::empty())
}

impl Frame {
    /// The frame of `scenario`.
    pub fn of(scenario: &Scenario) -> Frame {
        let model = &scenario.model;
        Frame {
            scenario: scenario.name.clone(),
            start: scenario.start.clone(),
            population_label: model.population_label.clone(),
            total_population: model.total_population(),
            combine: crate::metrics::combine_line(
                model.combine.as_str(),
                model.clients.iter().map(|c| c.combine.as_str()),
            ),
            horizon: scenario.horizon.0,
            step: scenario.step.0,
            clients: model.clients.iter().map(|c| c.id.to_string()).collect(),
            nodes: model.nodes.iter().map(|n| n.id.to_string()).collect(),
            functions: model
                .functions
                .iter()
                .map(|f| match f.client {
                    Some(c) => format!("{} ({})", f.name, model.clients[c as usize].id),
                    None => f.name.clone(),
                })
                .collect(),
        }
    }
}

/// Summarises the records of a whole study (every run, in run order).
pub fn aggregate(frame: &Frame, study: Study, records: &[Record], ps: &[f64]) -> McResult {
    // Each percentile once, in the order asked.
    let mut unique: Vec<f64> = Vec::with_capacity(ps.len());
    for &p in ps {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    let ps = &unique[..];
    let column = |pick: &dyn Fn(&Record) -> Option<f64>, recovery: bool| {
        Stat::of(records.iter().map(pick), recovery, ps)
    };
    let summary = SUMMARY
        .iter()
        .enumerate()
        .map(|(f, name)| column(&|r| r.summary[f], name.starts_with("recovered")))
        .collect();
    let clients = frame
        .clients
        .iter()
        .enumerate()
        .map(|(c, id)| {
            let stats = CLIENT
                .iter()
                .enumerate()
                .map(|(f, name)| {
                    column(
                        &|r| r.clients[c * CLIENT.len() + f],
                        name.starts_with("recovered"),
                    )
                })
                .collect();
            (id.clone(), stats)
        })
        .collect();
    let services = frame
        .nodes
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let stats = SERVICE
                .iter()
                .enumerate()
                .map(|(f, name)| {
                    column(
                        &|r| r.services[n * SERVICE.len() + f],
                        name.starts_with("restored"),
                    )
                })
                .collect();
            (id.clone(), stats)
        })
        .collect();
    let functions = frame
        .functions
        .iter()
        .enumerate()
        .map(|(f, name)| {
            let stats = FUNCTION
                .iter()
                .enumerate()
                .map(|(k, figure)| {
                    column(
                        &|r| r.functions[f * FUNCTION.len() + k],
                        figure.starts_with("restored"),
                    )
                })
                .collect();
            (name.clone(), stats)
        })
        .collect();
    let measures = if frame.functions.is_empty() {
        Vec::new()
    } else {
        (0..MEASURES.len())
            .map(|k| column(&|r| r.measures[k], false))
            .collect()
    };
    McResult {
        scenario: frame.scenario.clone(),
        start: frame.start.clone(),
        population_label: frame.population_label.clone(),
        total_population: frame.total_population,
        combine: frame.combine.clone(),
        study,
        percentiles: ps.to_vec(),
        horizon_h: SimTime(frame.horizon).hours(),
        step_h: SimTime(frame.step).hours(),
        summary,
        clients,
        services,
        functions,
        measures,
        bands: bands(records, SimTime(frame.step), SimTime(frame.horizon), ps),
        runs_with_warnings: records.iter().filter(|r| r.warnings > 0).count() as u64,
        runs_with_deadlocks: records.iter().filter(|r| r.deadlocks > 0).count() as u64,
        runs: records
            .iter()
            .map(|r| (r.run, r.seed, r.summary.clone()))
            .collect(),
    }
}

/// Percentiles and mean of the people affected at 0, step, 2·step, ... up to the horizon.
fn bands(records: &[Record], step: SimTime, horizon: SimTime, ps: &[f64]) -> Vec<BandPoint> {
    let step = step.0.max(1);
    let grid: Vec<u64> = (0..=horizon.0 / step).map(|i| i * step).collect();
    // values[g * runs + r]: run r at grid point g.
    let runs = records.len();
    let mut values = vec![0.0; grid.len() * runs];
    for (r, rec) in records.iter().enumerate() {
        let mut k = 0;
        let mut current = 0.0;
        for (g, &t) in grid.iter().enumerate() {
            while k < rec.timeline.len() && rec.timeline[k].0 <= t {
                current = rec.timeline[k].1;
                k += 1;
            }
            values[g * runs + r] = current;
        }
    }
    grid.iter()
        .enumerate()
        .map(|(g, &t)| {
            let row = &mut values[g * runs..(g + 1) * runs];
            let mean = if runs == 0 {
                0.0
            } else {
                row.iter().sum::<f64>() / runs as f64
            };
            row.sort_unstable_by(f64::total_cmp);
            BandPoint {
                t_h: SimTime(t).hours(),
                percentiles: ps
                    .iter()
                    .map(|&p| percentile(row, p).unwrap_or(0.0))
                    .collect(),
                mean,
            }
        })
        .collect()
}

/// `5` → `p5`, `2.5` → `p2.5`.
pub fn percentile_name(p: f64) -> String {
    format!("p{p}")
}

/// The part of a study one shard made, as written to and read from `shard-I-of-N.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always [`ShardFile::FORMAT`].
    pub format: String,
    /// A hash of the scenario and model files: shards of different inputs do not merge.
    pub fingerprint: String,
    /// What the summary needs of the scenario.
    pub frame: Frame,
    /// The study.
    pub study: Study,
    /// This shard, from 0.
    pub shard: u64,
    /// The number of shards.
    pub shards: u64,
    /// Its runs, in run order.
    pub records: Vec<Record>,
}

impl ShardFile {
    /// The format tag.
    pub const FORMAT: &'static str = "impactsim-montecarlo-shard-2";

    /// The file name of shard `index` of `count`.
    pub fn file_name(index: u64, count: u64) -> String {
        format!("shard-{index}-of-{count}.json")
    }
}

/// FNV-1a over the version of impactsim and the scenario and model files: enough to tell
/// inputs apart.
pub fn fingerprint(scenario: &Scenario) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0xff]) {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    // Another version of impactsim may simulate differently: its shards do not merge.
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    // The texts as they were loaded, not the files as they are now.
    // (A large model's text was let go after loading and is read again: when the file has
    // changed since, the fingerprint says so, and matches no shard made from the text.)
    for source in [&scenario.source, &scenario.model_source] {
        match source.text() {
            Some(text) => feed(text.as_bytes()),
            None => feed(b"changed after loading"),
        }
    }
    format!("{h:016x}")
}

/// Puts the shards of one study back together: they must come from the same inputs and
/// study, and cover every shard exactly once. Returns the study, percentiles and every
/// record in run order.
pub fn merge(mut shards: Vec<(std::path::PathBuf, ShardFile)>) -> Result<ShardFile, Error> {
    let usage = |message: String| Error::Usage { message };
    let Some((first_path, first)) = shards.first() else {
        return Err(usage("no shard files found; give the directories that `montecarlo --shard I/N --out DIR` wrote".into()));
    };
    let (first_path, first) = (first_path.clone(), first.clone());
    for (path, s) in &shards {
        let differs = if s.fingerprint != first.fingerprint {
            Some("scenario or model files")
        } else if s.study != first.study {
            Some("--runs or --seed")
        } else if s.shards != first.shards {
            Some("number of shards")
        } else {
            None
        };
        if let Some(what) = differs {
            return Err(usage(format!(
                "{} and {} come from different studies (their {what} differ); merge shards of one study only",
                first_path.display(),
                path.display()
            )));
        }
    }
    shards.sort_by_key(|(_, s)| s.shard);
    for w in shards.windows(2) {
        if w[0].1.shard == w[1].1.shard {
            return Err(usage(format!(
                "shard {} of {} is given twice: {} and {}",
                w[0].1.shard,
                first.shards,
                w[0].0.display(),
                w[1].0.display()
            )));
        }
    }
    let have: Vec<u64> = shards.iter().map(|(_, s)| s.shard).collect();
    let missing: Vec<String> = (0..first.shards)
        .filter(|i| !have.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        let (which, verb) = if missing.len() == 1 {
            ("shard", "is")
        } else {
            ("shards", "are")
        };
        return Err(usage(format!(
            "{which} {} of {} {verb} missing; run them with `montecarlo --shard I/{}` and merge again",
            missing.join(", "),
            first.shards,
            first.shards
        )));
    }
    let mut records: Vec<Record> = shards.into_iter().flat_map(|(_, s)| s.records).collect();
    records.sort_by_key(|r| r.run);
    let complete = records.len() as u64 == first.study.runs
        && records.iter().enumerate().all(|(i, r)| r.run == i as u64);
    if !complete {
        return Err(usage(format!(
            "the shards hold {} runs, not the study's {} runs 0..{}; were the files edited?",
            records.len(),
            first.study.runs,
            first.study.runs
        )));
    }
    Ok(ShardFile {
        shard: 0,
        shards: 1,
        records,
        ..first
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_counts_its_runs() {
        for (index, count, runs) in [
            (0, 1, 10),
            (0, 4, 10),
            (1, 4, 10),
            (3, 4, 10),
            (2, 3, 2),
            (0, 2, 0),
        ] {
            let shard = Shard { index, count };
            assert_eq!(
                shard.run_count(runs),
                shard.runs(runs).count() as u64,
                "{index}/{count} of {runs}"
            );
        }
        assert_eq!(
            Shard { index: 1, count: 4 }.run_count(10),
            3,
            "runs 1, 5 and 9"
        );
    }

    #[test]
    fn percentiles_by_hand() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        // h = 4·p: p50 → h = 2 → 3; p5 → h = 0.2 → 1.2; p95 → h = 3.8 → 4.8.
        assert_eq!(percentile(&v, 50.0), Some(3.0));
        assert!((percentile(&v, 5.0).unwrap() - 1.2).abs() < 1e-12);
        assert!((percentile(&v, 95.0).unwrap() - 4.8).abs() < 1e-12);
        assert_eq!(percentile(&v, 100.0), Some(5.0));
        assert_eq!(percentile(&[], 50.0), None);
        // Between a value and "never recovered": never recovered.
        assert_eq!(percentile(&[1.0, f64::INFINITY], 75.0), Some(f64::INFINITY));
        assert_eq!(percentile(&[1.0, f64::INFINITY], 0.0), Some(1.0));
    }

    #[test]
    fn stat_mean_ci_and_not_recovered() {
        // 2, 4, 6: mean 4, sample variance 4, half-width 1.96·√(4/3) = 2.2632.
        let s = Stat::of(
            [Some(6.0), Some(2.0), Some(4.0)].into_iter(),
            false,
            &[50.0],
        );
        assert_eq!(s.mean, Some(4.0));
        let (lo, hi) = s.ci95.unwrap();
        assert!(
            (hi - 4.0 - 1.96 * (4.0f64 / 3.0).sqrt()).abs() < 1e-12
                && (lo + hi - 8.0).abs() < 1e-12
        );
        assert_eq!(s.percentiles, vec![Some(4.0)]);
        // Undefined values are left out.
        let s = Stat::of([None, Some(1.0)].into_iter(), false, &[50.0]);
        assert_eq!((s.runs, s.mean), (1, Some(1.0)));
        // A run that never recovered: counted, no mean, upper percentiles infinite.
        let s = Stat::of(
            [Some(3.0), None, Some(1.0)].into_iter(),
            true,
            &[0.0, 100.0],
        );
        assert_eq!(s.not_recovered, Some(1));
        assert_eq!(s.mean, None);
        assert_eq!(s.percentiles, vec![Some(1.0), Some(f64::INFINITY)]);
    }

    #[test]
    fn shards_partition_the_runs() {
        let s = Shard::parse("1/3").unwrap();
        assert_eq!(s.runs(8).collect::<Vec<_>>(), vec![1, 4, 7]);
        let all: Vec<u64> = (0..3)
            .flat_map(|i| Shard { index: i, count: 3 }.runs(8))
            .collect();
        assert_eq!(all.len(), 8);
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn run_seeds_differ_and_repeat() {
        assert_eq!(run_seed(7, 3), run_seed(7, 3));
        let seeds: std::collections::HashSet<u64> = (0..1000).map(|i| run_seed(7, i)).collect();
        assert_eq!(seeds.len(), 1000);
        assert_ne!(run_seed(7, 0), run_seed(8, 0));
    }
}

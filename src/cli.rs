//! Command-line arguments (clap derive; the doc comments are the help text).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use impactsim::error::Remedy;
use impactsim::measure::Measure;
use impactsim::{SimTime, cmd};

/// impactsim: who is affected, when and for how long, when a shared IT provider goes down.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// The most node events a scenario may have: every target of every event, and the random
    /// failures its mtbf values would draw over the horizon.
    #[arg(long, global = true, value_name = "N", default_value_t = impactsim::limits::DEFAULT_MAX_EVENTS)]
    pub max_events: u64,
    /// Load input files even when they seem too large for the memory available.
    #[arg(long, global = true)]
    pub no_memory_check: bool,
    /// The memory input files may take to load (e.g. 8GiB), instead of what the system says
    /// is available.
    #[arg(long, global = true, value_name = "SIZE", value_parser = impactsim::limits::parse_bytes)]
    pub max_memory: Option<u64>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a model or scenario file: errors with file:line:column, warnings about restart
    /// cycles, unused nodes and clients with no uses.
    Validate {
        /// A model or scenario file (.toml, or .json).
        file: PathBuf,
    },
    /// Run one deterministic simulation of a scenario and summarise it.
    Run(Box<RunArgs>),
    /// Run a scenario many times with random durations and failures: percentiles of every
    /// figure, per client and per service, and bands of the people affected over time.
    Montecarlo(Box<McArgs>),
    /// Combine the shard files that `montecarlo --shard I/N --out DIR` wrote into the result
    /// of the whole study, identical to a run without shards.
    Merge(Box<MergeArgs>),
    /// Run many scenarios in parallel: one summary table (or CSV), one row per scenario.
    Batch(Box<BatchArgs>),
    /// Compare scenarios with the first (the baseline): every summary figure, people-hours
    /// per client, unavailability per node and RTO breaches, with differences and ratios.
    /// One scenario with a [patch] is compared with itself without the patch.
    Compare(CompareArgs),
    /// Every site and service lost alone (and with --order 2, in pairs), ranked by
    /// people-hours: single points of failure, redundancy that is not there, cut sets.
    Rank(Box<RankArgs>),
    /// Search the order in which a limited number of crews restart nodes that makes the
    /// people-hours smallest: compared with file order and critical-first, as a timed list,
    /// and (--out) as a scenario that `run` replays.
    Plan(Box<PlanArgs>),
    /// Generate a synthetic model and scenario from a seed: sites, services in layers,
    /// clients, redundancy, cycles, fallbacks and random events. Same seed, same bytes.
    Generate(Box<GenerateArgs>),
    /// Export the dependency graph as DOT (Graphviz), Mermaid or JSON, optionally coloured by
    /// the state of a scenario at one instant.
    Graph(Box<GraphArgs>),
}

/// Options of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Print the whole result as JSON on stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Write timeline.csv, clients.csv, services.csv and summary.json into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How many clients and services the summary lists.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Exit with code 1 when the run shows this problem (repeatable).
    #[arg(long, value_enum, value_name = "PROBLEM")]
    pub fail_on: Vec<Problem>,
    /// Print time spent loading and simulating, and the events processed, on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Make one Monte Carlo sample instead: draw durations, restart failures and random
    /// failures from this seed (runs.csv of `montecarlo` gives each run's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write a self-contained HTML report (charts, sortable tables, assumptions) to FILE.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Draw timeline.svg/.png (people affected, by client group) and gantt.svg/.png
    /// (state of every site and service that changes) into this directory.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Write into --out and --plot directories that hold files impactsim did not write
    /// (it replaces only the files of the names it writes).
    #[arg(long)]
    pub force: bool,
}

/// Options of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directories holding shard files, or shard files.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: McOutput,
    /// Write a self-contained HTML report of the merged study to this file (needs
    /// --scenario, for the names of clients and services).
    #[arg(long, value_name = "FILE.html", requires = "scenario")]
    pub report: Option<PathBuf>,
    /// The scenario file the shards were made from (checked against them): names and
    /// tags for --report.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Options of `montecarlo`.
#[derive(Debug, Args)]
pub struct McArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Number of runs.
    #[arg(long, default_value_t = 1000)]
    pub runs: u64,
    /// Seed of the study; run i draws from a seed derived from it and i.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: every core). The result does not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Make only runs I, I+N, I+2N, ... and write them to DIR/shard-I-of-N.json for `merge`.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, requires = "out", conflicts_with_all = ["json", "plot"])]
    pub shard: Option<impactsim::montecarlo::Shard>,
    /// Write a self-contained HTML report (bands, percentile tables, assumptions) to FILE.
    #[arg(long, value_name = "FILE.html", conflicts_with = "shard")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub output: McOutput,
}

/// How a Monte Carlo result is shown.
#[derive(Debug, Args)]
pub struct McOutput {
    /// Percentiles to report, from 0 to 100.
    #[arg(long, value_delimiter = ',', default_value = "5,50,95", value_parser = parse_percentile)]
    pub percentiles: Vec<f64>,
    /// Print the whole result as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write bands.csv, runs.csv and summary.json into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// How many clients and services the table lists.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Draw bands.svg and bands.png (percentile bands of the people affected) into this
    /// directory.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Write into --out and --plot directories that hold files impactsim did not write (it
    /// replaces only the files of the names it writes).
    #[arg(long)]
    pub force: bool,
}

/// Options of `rank`.
#[derive(Debug, Args)]
pub struct RankArgs {
    /// A model file, or a scenario file (its patched model).
    pub model: PathBuf,
    /// How long each loss lasts before the node is ordered to restart.
    #[arg(long, default_value = "24h", value_parser = parse_time)]
    pub duration: SimTime,
    /// 1: single losses; 2: also the pairs that cut off clients neither loss alone does.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub order: u8,
    /// How many losses and pairs the table lists.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The most candidate pairs to simulate with --order 2.
    #[arg(long, default_value_t = 10_000)]
    pub max_pairs: usize,
    /// A client counts as cut off when at least this share of its people is affected.
    #[arg(long, value_name = "SHARE", default_value_t = 1.0, value_parser = parse_cut_off)]
    pub cut_off: f64,
    /// What the losses are ranked by: people-hours, weighted-people-hours (of the business
    /// functions) or tolerance-breaches (of the business functions).
    #[arg(long, default_value = "people-hours", value_parser = parse_measure)]
    pub measure: Measure,
    /// Print the whole ranking (losses, pairs, cut sets per client) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the single losses as CSV.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Draw rank.svg and rank.png (people-hours of the --top costliest losses) into this
    /// directory.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Write into a --plot directory that holds files impactsim did not write (it replaces
    /// only the files of the names it writes).
    #[arg(long)]
    pub force: bool,
}

/// Options of `batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Make each scenario a Monte Carlo study of this many runs (the table shows medians).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the studies.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Sort the rows by this figure, largest first.
    #[arg(long, value_parser = parse_figure, value_name = "FIGURE")]
    pub sort: Option<String>,
    /// Print CSV on stdout instead of the table.
    #[arg(long)]
    pub csv: bool,
    /// Print JSON on stdout instead of the table.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Show this measure of the business functions beside the figures, and sort by it
    /// (unless --sort): weighted-people-hours or tolerance-breaches.
    #[arg(long, default_value = "people-hours", value_parser = parse_measure)]
    pub measure: Measure,
}

/// Options of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files: the first is the baseline. A single file must have a [patch].
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the comparison as one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print CSV in long format (one figure per row) instead of the table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// How many clients, nodes and RTO breaches the table lists per comparison.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Write a self-contained HTML report (chart, sortable tables, assumptions) to FILE.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Draw compare.svg and compare.png (people affected over time, every scenario
    /// overlaid) into this directory.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Write into a --plot directory that holds files impactsim did not write (it replaces
    /// only the files of the names it writes).
    #[arg(long)]
    pub force: bool,
    /// Compare this measure of the business functions too: weighted-people-hours or
    /// tolerance-breaches.
    #[arg(long, default_value = "people-hours", value_parser = parse_measure)]
    pub measure: Measure,
}

/// Options of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write model.EXT and scenario.EXT into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace model and scenario files that already exist in DIR.
    #[arg(long)]
    pub force: bool,
    /// File format; `auto` writes TOML up to 10,000 nodes and clients, JSON above.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The model's name.
    #[arg(long, default_value = "generated")]
    pub name: String,
    /// Number of sites (data centers).
    #[arg(long, default_value_t = 4)]
    pub sites: u32,
    /// Number of services, split evenly into the layers.
    #[arg(long, default_value_t = 40)]
    pub services: u32,
    /// Number of service layers; layer 0 needs only its sites.
    #[arg(long, default_value_t = 4)]
    pub layers: u32,
    /// Number of clients; they use services of the top layer.
    #[arg(long, default_value_t = 20)]
    pub clients: u32,
    /// Services of the layer below that each service requires, as MIN..MAX; a comma list
    /// gives layers 1, 2, ... their own range (the last one holds for the rest).
    #[arg(long, default_value = "1..4", value_parser = parse_ranges)]
    pub fan_in: Ranges,
    /// Share of services hosted on any of two sites instead of one.
    #[arg(long, default_value_t = 0.3)]
    pub any_of_hosting: f64,
    /// Share of requirement groups of two or three members (any_of or k-of-n).
    #[arg(long, default_value_t = 0.1)]
    pub k_of_n: f64,
    /// Share of services with an extra requirement on their own or a higher layer (cycles).
    #[arg(long, default_value_t = 0.01)]
    pub back_edges: f64,
    /// Share of services (on no cycle) with a fallback.
    #[arg(long, default_value_t = 0.05)]
    pub fallbacks: f64,
    /// Share of services with a recovery time objective.
    #[arg(long, default_value_t = 0.02)]
    pub rto: f64,
    /// Total population of the clients.
    #[arg(long, default_value_t = 1_000_000)]
    pub population: u64,
    /// Spread of client populations (σ of a lognormal; 0 makes them equal).
    #[arg(long, default_value_t = 1.0)]
    pub population_sigma: f64,
    /// Services each client uses, as MIN..MAX.
    #[arg(long, default_value = "1..5", value_parser = parse_range)]
    pub uses: (u32, u32),
    /// Median restart time (lognormal per node; 0h makes every restart instant).
    #[arg(long, default_value = "2h", value_parser = parse_time)]
    pub restart_median: SimTime,
    /// 90th percentile of the restart time (default: 6 × the median).
    #[arg(long, value_parser = parse_time)]
    pub restart_p90: Option<SimTime>,
    /// Median repair time of a failed node.
    #[arg(long, default_value = "1d", value_parser = parse_time)]
    pub repair_median: SimTime,
    /// 90th percentile of the repair time (default: 3 × the median).
    #[arg(long, value_parser = parse_time)]
    pub repair_p90: Option<SimTime>,
    /// Number of scenario events.
    #[arg(long, default_value_t = 20)]
    pub events: u32,
    /// The scenario's horizon (default 30d, or events × --every).
    #[arg(long, value_parser = parse_time)]
    pub horizon: Option<SimTime>,
    /// One event every DURATION from 0 instead of at random minutes.
    #[arg(long, value_parser = parse_time, value_name = "DURATION")]
    pub every: Option<SimTime>,
    /// Share of take-down events that are failures rather than shutdowns.
    #[arg(long, default_value_t = 0.3)]
    pub fail_share: f64,
}

/// Fan-in ranges per layer.
#[derive(Debug, Clone)]
pub struct Ranges(pub Vec<(u32, u32)>);

/// `generate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// TOML for small models, JSON for large ones.
    Auto,
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("`{s}` is not a range: write MIN..MAX, e.g. 2..6, or one number");
    match s.split_once("..") {
        Some((a, b)) => {
            let a = a.trim().parse().map_err(|_| bad())?;
            let b = b
                .trim()
                .trim_start_matches('=')
                .parse()
                .map_err(|_| bad())?;
            Ok((a, b))
        }
        None => {
            let x = s.trim().parse().map_err(|_| bad())?;
            Ok((x, x))
        }
    }
}

fn parse_ranges(s: &str) -> Result<Ranges, String> {
    s.split(',')
        .map(parse_range)
        .collect::<Result<_, _>>()
        .map(Ranges)
}

fn parse_shard(s: &str) -> Result<impactsim::montecarlo::Shard, String> {
    impactsim::montecarlo::Shard::parse(s)
}

fn parse_percentile(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!(
            "`{s}` is not a percentile: write a number from 0 to 100, e.g. 5,50,95"
        )),
    }
}

fn parse_measure(s: &str) -> Result<Measure, String> {
    Measure::parse(s).ok_or_else(|| {
        format!(
            "`{s}` is not a measure; one of: {}",
            Measure::ALL.map(Measure::name).join(", ")
        )
    })
}

fn parse_cut_off(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
        _ => Err(format!(
            "`{s}` is not a share of a client's people: write a number above 0 and at most 1, e.g. 0.5"
        )),
    }
}

fn parse_figure(s: &str) -> Result<String, String> {
    let figures = impactsim::montecarlo::SUMMARY;
    if figures.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not a figure; one of: {}",
            figures.join(", ")
        ))
    }
}

fn parse_time(s: &str) -> Result<SimTime, String> {
    impactsim::time::parse_duration(s).map_err(|e| e.to_string())
}

/// Problems `run --fail-on` can turn into exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Problem {
    /// A cold-start deadlock.
    Deadlock,
    /// Any RTO breach.
    RtoBreach,
    /// People still affected at the horizon.
    NotRecovered,
}

/// Options of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// A model file, or a scenario file (its patched model).
    pub model: PathBuf,
    /// Output format (default: from the --out extension .dot/.gv, .mmd/.mermaid, .json;
    /// else dot).
    #[arg(long, value_enum)]
    pub format: Option<GraphFormat>,
    /// Colour nodes and clients by their state at TIME in SCENARIO (split at the last '@'),
    /// e.g. models/bitmarck-2023/attack-2023.toml@3d.
    #[arg(long, value_name = "SCENARIO@TIME", value_parser = impactsim::graph::Highlight::parse)]
    pub highlight: Option<impactsim::graph::Highlight>,
    /// Write the graph to FILE (whole or not at all) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// The graph as JSON.
    Json,
}

/// Options of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Number of crews (replaces the scenario's `crews`).
    #[arg(long)]
    pub crews: u32,
    /// The most simulation runs the search makes, the two starting orders included.
    #[arg(long, value_name = "N", default_value_t = impactsim::plan::DEFAULT_ITERATIONS)]
    pub iterations: u64,
    /// Write the scenario with `crews`, `policy = "order"` and the plan's `order` to FILE
    /// (JSON when FILE ends in .json); `impactsim run FILE` replays the plan.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as JSON on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// What the plan makes small: people-hours, weighted-people-hours (of the business
    /// functions) or tolerance-breaches (of the business functions).
    #[arg(long, default_value = "people-hours", value_parser = parse_measure)]
    pub measure: Measure,
}

// The command line becomes the library's plain arguments.

/// `Target { a, b, .. }` from the fields of the same names of `$from`.
macro_rules! same_fields {
    ($from:ident => $($to:ident)::+ { $($field:ident),* $(,)? } $(, $name:ident: $value:expr)*) => {
        $($to)::+ { $($field: $from.$field,)* $($name: $value,)* }
    };
}

impl From<Problem> for cmd::run::Problem {
    fn from(p: Problem) -> Self {
        match p {
            Problem::Deadlock => cmd::run::Problem::Deadlock,
            Problem::RtoBreach => cmd::run::Problem::RtoBreach,
            Problem::NotRecovered => cmd::run::Problem::NotRecovered,
        }
    }
}

impl From<RunArgs> for cmd::run::Args {
    fn from(a: RunArgs) -> Self {
        let fail_on = a.fail_on.iter().map(|&p| p.into()).collect();
        same_fields!(a => cmd::run::Args { scenario, json, out, top, timings, seed, report, plot, force }, fail_on: fail_on)
    }
}

impl From<McOutput> for cmd::montecarlo::Show {
    fn from(o: McOutput) -> Self {
        same_fields!(o => cmd::montecarlo::Show { percentiles, json, out, top, plot, force })
    }
}

impl From<McArgs> for cmd::montecarlo::Args {
    fn from(a: McArgs) -> Self {
        let show = a.output.into();
        same_fields!(a => cmd::montecarlo::Args { scenario, runs, seed, threads, shard, report }, show: show)
    }
}

impl From<MergeArgs> for cmd::montecarlo::MergeArgs {
    fn from(a: MergeArgs) -> Self {
        let show = a.output.into();
        same_fields!(a => cmd::montecarlo::MergeArgs { dirs, report, scenario }, show: show)
    }
}

impl From<BatchArgs> for cmd::batch::Args {
    fn from(a: BatchArgs) -> Self {
        same_fields!(a => cmd::batch::Args { files, runs, seed, threads, sort, csv, json, measure })
    }
}

impl From<CompareArgs> for cmd::compare::Args {
    fn from(a: CompareArgs) -> Self {
        same_fields!(a => cmd::compare::Args { files, json, csv, top, report, plot, force, measure })
    }
}

impl From<RankArgs> for cmd::rank::Args {
    fn from(a: RankArgs) -> Self {
        let options = same_fields!(a => impactsim::rank::Options { duration, order, max_pairs, cut_off, measure });
        same_fields!(a => cmd::rank::Args { model, top, json, csv, plot, force }, options: options)
    }
}

impl From<PlanArgs> for cmd::plan::Args {
    fn from(a: PlanArgs) -> Self {
        same_fields!(a => cmd::plan::Args { scenario, crews, iterations, out, json, measure })
    }
}

impl From<GraphArgs> for cmd::graph::Args {
    fn from(a: GraphArgs) -> Self {
        use impactsim::graph::Format;
        let format = a.format.map(|f| match f {
            GraphFormat::Dot => Format::Dot,
            GraphFormat::Mermaid => Format::Mermaid,
            GraphFormat::Json => Format::Json,
        });
        same_fields!(a => cmd::graph::Args { model, highlight, out }, format: format)
    }
}

impl From<GenerateArgs> for cmd::generate::Args {
    fn from(a: GenerateArgs) -> Self {
        use impactsim::generate::{Config, Format, REPAIR_P90_FACTOR, RESTART_P90_FACTOR};
        let p90 = |median: SimTime, p90: Option<SimTime>, factor: u64| {
            (median, p90.unwrap_or(SimTime(median.0 * factor)))
        };
        let format = match a.format {
            FormatArg::Auto => None,
            FormatArg::Toml => Some(Format::Toml),
            FormatArg::Json => Some(Format::Json),
        };
        let config = same_fields!(a => Config {
            seed, name, sites, services, layers, clients, any_of_hosting, k_of_n, back_edges,
            fallbacks, rto, population, population_sigma, uses, events, horizon, every,
            fail_share,
        },
            fan_in: a.fan_in.0,
            restart: p90(a.restart_median, a.restart_p90, RESTART_P90_FACTOR),
            repair: p90(a.repair_median, a.repair_p90, REPAIR_P90_FACTOR)
        );
        same_fields!(a => cmd::generate::Args { out, force }, format: format, config: config)
    }
}

/// The command line's words for the limits a library hint names.
pub fn remedy_words(remedy: Remedy) -> &'static str {
    match remedy {
        Remedy::MaxEvents => "pass --max-events N to allow more",
        Remedy::NoMemoryCheck => "pass --no-memory-check to try anyway",
        Remedy::Force => "pass --force to write into it anyway",
        other => other.concept(),
    }
}

//! The `impactsim` binary: arguments in, library call, exit code out.
//!
//! Exit codes: 0 success, 1 the run showed a problem named with `--fail-on`, 2 bad input,
//! 3 I/O failure. Interrupted by Ctrl-C, SIGTERM or SIGHUP, impactsim removes its temporary
//! files and then ends by that signal (a shell reports 130, 143, 129). A closed stdout
//! (`| head`) is a quiet exit 0.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use impactsim::{Error, SimTime, metrics, report, validate};

use std::path::PathBuf;

use cli::{BatchArgs, Cli, Command, FormatArg, GenerateArgs, McArgs, McOutput, Problem, RankArgs};

fn main() -> ExitCode {
    report::clean_up_on_interrupt();
    let cli = Cli::parse();
    impactsim::limits::set_max_events(cli.max_events);
    impactsim::limits::set_memory_check(!cli.no_memory_check);
    impactsim::limits::set_max_memory(cli.max_memory);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report_error(&e);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// Writes a line to stderr, ignoring a closed stderr (where `eprintln!` would panic).
macro_rules! note {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn report_error(e: &Error) {
    let _ = std::io::stderr().write_all(e.render(use_color()).as_bytes());
}

/// Prints to stdout; a closed pipe ends the program quietly.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        note!("error: writing to stdout: {e}");
        std::process::exit(3);
    }
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Validate { file } => {
            let v = validate::validate(&file)?;
            let mut text = format!("ok: {}\n", v.summary);
            for w in &v.warnings {
                text.push_str(&format!("warning: {w}\n"));
            }
            print(&text);
            Ok(0)
        }
        Command::Run {
            scenario,
            json,
            out,
            top,
            fail_on,
            timings,
            seed,
            plot,
            report: report_file,
            force,
        } => {
            check_out_dirs(&[&out, &plot], force)?;
            let s = impactsim::load_scenario(&scenario)?;
            let t1 = Instant::now();
            let result = metrics::run_seeded(&s, seed);
            let simulated = t1.elapsed();
            if timings {
                let lt = s.timings;
                let per_event =
                    simulated.as_secs_f64() * 1e6 / result.events_processed.max(1) as f64;
                note!(
                    "timings: read {:.3} s, parse {:.3} s, build {:.3} s, simulate {:.3} s\n\
                     timings: {} nodes, {} edges, {} clients; {} scenario events, {} events processed ({per_event:.1} µs each)",
                    lt.read.as_secs_f64(),
                    lt.parse.as_secs_f64(),
                    lt.build.as_secs_f64(),
                    simulated.as_secs_f64(),
                    s.model.node_count(),
                    s.model.edge_count(),
                    s.model.clients.len(),
                    s.events.len(),
                    result.events_processed,
                );
            }
            if let Some(dir) = &out {
                report::write_out_dir(&result, &s, dir, force)?;
            }
            if let Some(file) = &report_file {
                report::html::write_report(file, &report::html::run_report(&result, &s)?)?;
            }
            let plotted = plot
                .as_deref()
                .map(|d| plot_charts(d, &impactsim::chart::run_charts(&result, &s), force))
                .transpose()?;
            if json {
                print(&report::json(&result));
            } else {
                // The sparkline only where someone looks at it: a terminal.
                let spark = std::io::stdout().is_terminal();
                print(&report::summary_table_with(&result, top, spark));
                if let Some(dir) = &out {
                    print(&format!(
                        "\nwrote timeline.csv, clients.csv, services.csv, summary.json to {}\n",
                        dir.display()
                    ));
                }
                if let Some(file) = &report_file {
                    print(&format!("\nwrote {}\n", file.display()));
                }
            }
            plot_note(plotted, json);
            let failed = fail_on.iter().any(|p| match p {
                Problem::Deadlock => !result.deadlocks.is_empty(),
                Problem::RtoBreach => result.services.iter().any(|s| !s.rto_breaches.is_empty()),
                Problem::NotRecovered => result.recovered_at_h.is_none(),
            });
            Ok(if failed { 1 } else { 0 })
        }
        Command::Generate(args) => generate(&args),
        Command::Graph(args) => graph(&args),
        Command::Montecarlo(args) => montecarlo(&args),
        Command::Merge {
            dirs,
            output,
            report,
            scenario,
        } => merge(&dirs, &output, report.as_deref(), scenario.as_deref()),
        Command::Batch(args) => batch(&args),
        Command::Compare(args) => compare(&args),
        Command::Rank(args) => rank(&args),
        Command::Plan(args) => plan(&args),
    }
}

/// A rayon pool of `threads` workers, or of every core.
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    if threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| usage(&format!("cannot start worker threads: {e}")))
}

/// Refuses, before any work, output directories holding files impactsim did not write.
fn check_out_dirs(dirs: &[&Option<PathBuf>], force: bool) -> Result<(), Error> {
    for dir in dirs.iter().filter_map(|d| d.as_deref()) {
        report::check_out_dir(dir, force)?;
    }
    Ok(())
}

fn usage(message: &str) -> Error {
    Error::Usage {
        message: message.to_string(),
    }
}

/// A progress bar on stderr; it draws nothing when stderr is not a terminal.
fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {what} · {{per_sec}} · {{eta}} left"
    )) {
        bar.set_style(style);
    }
    bar
}

fn montecarlo(a: &McArgs) -> Result<u8, Error> {
    use impactsim::montecarlo::{self as mc, Frame, Shard, ShardFile, Study};
    if a.runs == 0 {
        return Err(usage("--runs must be at least 1"));
    }
    check_out_dirs(&[&a.output.out, &a.output.plot], a.output.force)?;
    let pool = pool(a.threads)?;
    let s = impactsim::load_scenario(&a.scenario)?;
    if !s.is_random() {
        note!(
            "warning: nothing in this scenario is random (no distributions, restart failures or mtbf): every run is the same"
        );
    }
    let study = Study {
        runs: a.runs,
        seed: a.seed,
    };
    let shard = a.shard.unwrap_or(Shard::ALL);
    let kept = mc::record_bytes(&s, shard.runs(a.runs).count() as u64);
    if kept > mc::MAX_RECORD_BYTES {
        return Err(usage(&format!(
            "{} runs of this model would keep about {} GiB of figures in memory (every figure of {} nodes and {} clients per run); use at most {} runs",
            a.runs,
            kept >> 30,
            s.model.nodes.len(),
            s.model.clients.len(),
            mc::MAX_RECORD_BYTES / mc::record_bytes(&s, 1)
        )));
    }
    let bar = progress_bar(shard.runs(a.runs).count() as u64, "runs");
    let records = pool.install(|| mc::simulate(&s, study, shard, &|| bar.inc(1)));
    bar.finish_and_clear();
    let frame = Frame::of(&s);
    if let (Some(sh), Some(dir)) = (a.shard, &a.output.out) {
        let file = ShardFile {
            format: ShardFile::FORMAT.to_string(),
            fingerprint: mc::fingerprint(&s)?,
            frame,
            study,
            shard: sh.index,
            shards: sh.count,
            records,
        };
        let name = ShardFile::file_name(sh.index, sh.count);
        let text = serde_json::to_vec(&file).map_err(|e| usage(&e.to_string()))?;
        report::write_out_files(dir, &[(name.as_str(), text)], a.output.force)?;
        print(&format!(
            "wrote {} ({} runs); combine the shards with `impactsim merge`\n",
            dir.join(&name).display(),
            file.records.len()
        ));
        return Ok(0);
    }
    let result = mc::aggregate(&frame, study, &records, &a.output.percentiles);
    if let Some(file) = &a.report {
        report::html::write_report(file, &report::html::mc_report(&result, &s)?)?;
    }
    let code = show_mc(&result, &a.output)?;
    if let (Some(file), false) = (&a.report, a.output.json) {
        print(&format!("\nwrote {}\n", file.display()));
    }
    Ok(code)
}

fn show_mc(result: &impactsim::montecarlo::McResult, o: &McOutput) -> Result<u8, Error> {
    let mut summary =
        serde_json::to_string_pretty(&result.to_json()).map_err(|e| usage(&e.to_string()))?;
    summary.push('\n');
    if let Some(dir) = &o.out {
        report::write_out_files(
            dir,
            &[
                ("bands.csv", result.bands_csv()?),
                ("runs.csv", result.runs_csv()?),
                ("summary.json", summary.clone().into_bytes()),
            ],
            o.force,
        )?;
    }
    let plotted = o
        .plot
        .as_deref()
        .map(|d| plot_charts(d, &[impactsim::chart::Chart::bands(result)], o.force))
        .transpose()?;
    if o.json {
        print(&summary);
    } else {
        print(&report::mc_table(result, o.top));
        if let Some(dir) = &o.out {
            print(&format!(
                "\nwrote bands.csv, runs.csv, summary.json to {}\n",
                dir.display()
            ));
        }
    }
    plot_note(plotted, o.json);
    Ok(0)
}

/// Draws `charts` into `dir` (`--plot`), each as SVG and PNG; returns the line naming them.
fn plot_charts(
    dir: &std::path::Path,
    charts: &[impactsim::chart::Chart],
    force: bool,
) -> Result<String, Error> {
    let names = impactsim::chart::write(dir, charts, force)?;
    Ok(format!("wrote {} to {}\n", names.join(", "), dir.display()))
}

/// Prints the line of `--plot`: on stdout after the table, on stderr when stdout carries
/// JSON or CSV.
fn plot_note(note: Option<String>, machine_readable: bool) {
    if let Some(note) = note {
        if machine_readable {
            let _ = write!(std::io::stderr(), "{note}");
        } else {
            print(&format!("\n{note}"));
        }
    }
}

fn merge(
    dirs: &[PathBuf],
    o: &McOutput,
    report_file: Option<&std::path::Path>,
    scenario: Option<&std::path::Path>,
) -> Result<u8, Error> {
    use impactsim::montecarlo::{self as mc, ShardFile};
    check_out_dirs(&[&o.out, &o.plot], o.force)?;
    let scenario = scenario.map(impactsim::load_scenario).transpose()?;
    let mut files = Vec::new();
    for d in dirs {
        if d.is_dir() {
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
        } else {
            files.push(d.clone());
        }
    }
    let mut shards = Vec::with_capacity(files.len());
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| Error::io("reading", &f, e))?;
        let shard: ShardFile = serde_json::from_slice(&bytes)
            .ok()
            .filter(|s: &ShardFile| s.format == ShardFile::FORMAT)
            .ok_or_else(|| {
                usage(&format!(
                    "{} is not a shard file of this version of impactsim; write shards with `montecarlo --shard I/N --out DIR`",
                    f.display()
                ))
            })?;
        shards.push((f, shard));
    }
    let whole = mc::merge(shards)?;
    if let Some(s) = &scenario
        && mc::fingerprint(s)? != whole.fingerprint
    {
        return Err(usage(&format!(
            "the shards were not made from {} as it is now (it, or its model, differs from the files the shards were made from, or another version of impactsim made them)",
            s.path.display()
        )));
    }
    let result = mc::aggregate(&whole.frame, whole.study, &whole.records, &o.percentiles);
    if let (Some(file), Some(s)) = (report_file, &scenario) {
        report::html::write_report(file, &report::html::mc_report(&result, s)?)?;
    }
    let code = show_mc(&result, o)?;
    if let (Some(file), false) = (report_file, o.json) {
        print(&format!("\nwrote {}\n", file.display()));
    }
    Ok(code)
}

fn compare(a: &cli::CompareArgs) -> Result<u8, Error> {
    use impactsim::compare as c;
    check_out_dirs(&[&a.plot], a.force)?;
    let inputs = c::load(&a.files)?;
    let comparison = c::compare(&inputs);
    if let Some(file) = &a.report {
        report::html::write_report(file, &report::html::compare_report(&inputs, &comparison)?)?;
    }
    let text = if a.csv {
        String::from_utf8(c::csv(&comparison)?).map_err(|e| usage(&e.to_string()))?
    } else if a.json {
        c::json(&comparison)
    } else {
        c::table(&comparison, a.top)
    };
    let plotted = a
        .plot
        .as_deref()
        .map(|d| {
            let curves = impactsim::chart::compare_curves(&comparison, &inputs);
            let label = &comparison.baseline.population_label;
            plot_charts(
                d,
                &[impactsim::chart::Chart::compare(
                    &curves,
                    label,
                    impactsim::compare::common_start(&inputs),
                )],
                a.force,
            )
        })
        .transpose()?;
    print(&text);
    plot_note(plotted, a.json || a.csv);
    if let (Some(file), false, false) = (&a.report, a.csv, a.json) {
        print(&format!("\nwrote {}\n", file.display()));
    }
    Ok(0)
}

fn batch(a: &BatchArgs) -> Result<u8, Error> {
    use impactsim::batch as b;
    let scenarios = a
        .files
        .iter()
        .map(|f| impactsim::load_scenario(f))
        .collect::<Result<Vec<_>, _>>()?;
    let pool = pool(a.threads)?;
    let bar = progress_bar(scenarios.len() as u64, "scenarios");
    let mut rows = pool.install(|| b::run(&scenarios, a.runs, a.seed, &|| bar.inc(1)));
    bar.finish_and_clear();
    if let Some(f) = &a.sort {
        b::sort(&mut rows, f);
    }
    let text = if a.csv {
        String::from_utf8(b::csv(&rows)?).map_err(|e| usage(&e.to_string()))?
    } else if a.json {
        b::json(&rows)
    } else {
        b::table(&rows, a.runs)
    };
    print(&text);
    Ok(0)
}

fn generate(args: &GenerateArgs) -> Result<u8, Error> {
    use impactsim::generate::{self as g, Format};
    let t0 = Instant::now();
    let cfg = g::Config {
        seed: args.seed,
        name: args.name.clone(),
        sites: args.sites,
        services: args.services,
        layers: args.layers,
        clients: args.clients,
        fan_in: args.fan_in.0.clone(),
        any_of_hosting: args.any_of_hosting,
        k_of_n: args.k_of_n,
        back_edges: args.back_edges,
        fallbacks: args.fallbacks,
        rto: args.rto,
        population: args.population,
        population_sigma: args.population_sigma,
        uses: args.uses,
        restart: (
            args.restart_median,
            args.restart_p90
                .unwrap_or(SimTime(args.restart_median.0 * g::RESTART_P90_FACTOR)),
        ),
        repair: (
            args.repair_median,
            args.repair_p90
                .unwrap_or(SimTime(args.repair_median.0 * g::REPAIR_P90_FACTOR)),
        ),
        events: args.events,
        horizon: args.horizon,
        every: args.every,
        fail_share: args.fail_share,
    };
    cfg.check()?;
    let format = match args.format {
        FormatArg::Auto => cfg.auto_format(),
        FormatArg::Toml => Format::Toml,
        FormatArg::Json => Format::Json,
    };
    let model_name = format!("model.{}", format.extension());
    let scenario_name = format!("scenario.{}", format.extension());
    if !args.force {
        for name in [&model_name, &scenario_name] {
            let path = args.out.join(name);
            if path.exists() {
                return Err(Error::Usage {
                    message: format!(
                        "{} already exists; pass --force to replace it",
                        path.display()
                    ),
                });
            }
        }
    }
    let generated = g::generate(&cfg)?;
    let model = generated.model_text(format).into_bytes();
    let scenario = generated.scenario_text(format, &model_name).into_bytes();
    // Forced: generate refuses only to replace its own two files (above), and records them
    // in the manifest so that the directory counts as impactsim's.
    report::write_out_files(
        &args.out,
        &[
            (model_name.as_str(), model),
            (scenario_name.as_str(), scenario),
        ],
        true,
    )?;
    print(&format!(
        "wrote {} ({} nodes, {} edges, {} clients) and {} ({} events) in {:.2} s\n",
        args.out.join(&model_name).display(),
        generated.node_count(),
        generated.edge_count(),
        generated.client_count(),
        args.out.join(&scenario_name).display(),
        generated.event_count(),
        t0.elapsed().as_secs_f64()
    ));
    Ok(0)
}

fn rank(a: &RankArgs) -> Result<u8, Error> {
    check_out_dirs(&[&a.plot], a.force)?;
    let model = impactsim::validate::model_of(&a.model)?;
    let options = impactsim::rank::Options {
        duration: a.duration,
        order: a.order,
        max_pairs: a.max_pairs,
    };
    let ranking = impactsim::rank::rank(&model, options);
    let plotted = a
        .plot
        .as_deref()
        .map(|d| {
            plot_charts(
                d,
                &[impactsim::chart::Chart::rank(&ranking, a.top)],
                a.force,
            )
        })
        .transpose()?;
    if a.json {
        print(&ranking.json());
    } else if a.csv {
        print(&String::from_utf8_lossy(&ranking.csv()?));
    } else {
        print(&ranking.table(a.top));
    }
    plot_note(plotted, a.json || a.csv);
    Ok(0)
}

fn graph(a: &cli::GraphArgs) -> Result<u8, Error> {
    use impactsim::graph::{self as g, Format};
    let format = match a.format {
        Some(cli::GraphFormat::Dot) => Format::Dot,
        Some(cli::GraphFormat::Mermaid) => Format::Mermaid,
        Some(cli::GraphFormat::Json) => Format::Json,
        None => a
            .out
            .as_deref()
            .and_then(Format::from_extension)
            .unwrap_or(Format::Dot),
    };
    let (model, state) = g::load(&a.model, a.highlight.as_ref())?;
    let text = g::render(&model, state.as_ref(), format);
    let edges = g::edge_count(&model);
    if format == Format::Mermaid && edges > g::MERMAID_MAX_EDGES {
        note!(
            "warning: {edges} edges: Mermaid renders at most {} unless its maxEdges setting is raised",
            g::MERMAID_MAX_EDGES
        );
    }
    match &a.out {
        Some(file) => {
            report::write_file(file, text.into_bytes(), "--out")?;
            print(&format!("wrote {}\n", file.display()));
        }
        None => print(&text),
    }
    Ok(0)
}

fn plan(a: &cli::PlanArgs) -> Result<u8, Error> {
    use impactsim::plan as p;
    let s = impactsim::load_scenario(&a.scenario)?;
    let config = p::Config {
        iterations: a.iterations,
        ..p::Config::new(a.crews)
    };
    let found = p::plan(&s, &config)?;
    if let Some(out) = &a.out {
        let text = p::scenario_file(&s, &found, out)?;
        report::write_file(out, text, "--out")?;
    }
    if a.json {
        let mut text = serde_json::to_string_pretty(&found).map_err(|e| usage(&e.to_string()))?;
        text.push('\n');
        print(&text);
    } else {
        print(&p::table(&found));
        if let Some(out) = &a.out {
            print(&format!(
                "\nwrote {}; `impactsim run {}` replays the plan\n",
                out.display(),
                out.display()
            ));
        }
    }
    Ok(0)
}

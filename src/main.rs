//! The `impactsim` binary: arguments in, library call, exit code out.
//!
//! Exit codes: 0 success, 1 the run showed a problem named with `--fail-on`, 2 bad input,
//! 3 I/O failure. A closed stdout (`| head`) is a quiet exit 0.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use impactsim::{Error, SimTime, metrics, report, validate};

use cli::{Cli, Command, FormatArg, GenerateArgs, Problem};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report_error(&e);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn report_error(e: &Error) {
    let mut text = String::new();
    match e {
        Error::Input(ie) => {
            text.push_str(&format!("error: {}\n", ie.headline()));
            let theme = if use_color() {
                miette::GraphicalTheme::unicode()
            } else {
                miette::GraphicalTheme::unicode_nocolor()
            };
            let handler = miette::GraphicalReportHandler::new_themed(theme);
            let mut snippet = String::new();
            if handler.render_report(&mut snippet, ie.as_ref()).is_ok() {
                text.push_str(&snippet);
            } else if let Some(h) = &ie.hint {
                text.push_str(&format!("hint: {h}\n"));
            }
        }
        other => text.push_str(&format!("error: {other}\n")),
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Prints to stdout; a closed pipe ends the program quietly.
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to stdout: {e}");
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
        } => {
            let s = impactsim::load_scenario(&scenario)?;
            let t1 = Instant::now();
            let result = metrics::run(&s);
            let simulated = t1.elapsed();
            if timings {
                let lt = s.timings;
                let per_event =
                    simulated.as_secs_f64() * 1e6 / result.events_processed.max(1) as f64;
                eprintln!(
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
                report::write_out_dir(&result, &s, dir)?;
            }
            if json {
                print(&report::json(&result));
            } else {
                print(&report::summary_table(&result, top));
                if let Some(dir) = &out {
                    print(&format!(
                        "\nwrote timeline.csv, clients.csv, services.csv, summary.json to {}\n",
                        dir.display()
                    ));
                }
            }
            let failed = fail_on.iter().any(|p| match p {
                Problem::Deadlock => !result.deadlocks.is_empty(),
                Problem::RtoBreach => result.services.iter().any(|s| !s.rto_breaches.is_empty()),
                Problem::NotRecovered => result.recovered_at_h.is_none(),
            });
            Ok(if failed { 1 } else { 0 })
        }
        Command::Generate(args) => generate(&args),
    }
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
    report::write_all_or_nothing(
        &args.out,
        &[
            (model_name.as_str(), model),
            (scenario_name.as_str(), scenario),
        ],
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

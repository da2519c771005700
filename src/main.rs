//! The `impactsim` binary: arguments in, library call, exit code out.
//!
//! Exit codes: 0 success, 1 the run showed a problem named with `--fail-on`, 2 bad input,
//! 3 I/O failure. Interrupted by Ctrl-C, SIGTERM or SIGHUP, impactsim removes its temporary
//! files and then ends by that signal (a shell reports 130, 143, 129). A closed stdout
//! (`| head`) is a quiet exit 0.

mod cli;
mod signals;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use impactsim::cmd::{self, Console};
use impactsim::{Error, LoadOptions};

use cli::{Cli, Command};

fn main() -> ExitCode {
    signals::install();
    let cli = Cli::parse();
    let load = LoadOptions {
        max_events: cli.max_events,
        memory_check: !cli.no_memory_check,
        max_memory: cli.max_memory,
    };
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let out_is_terminal = out.is_terminal();
    let mut console = Console::new(&mut out, &mut err, out_is_terminal);
    match dispatch(cli.command, &load, &mut console) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let e = e.name_remedies(cli::remedy_words);
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
            let _ = std::io::stderr().write_all(e.render(color).as_bytes());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn dispatch(command: Command, load: &LoadOptions, console: &mut Console) -> Result<u8, Error> {
    match command {
        Command::Validate { file } => cmd::validate::run(&file, load, console),
        Command::Run(a) => cmd::run::run(&(*a).into(), load, console),
        Command::Montecarlo(a) => cmd::montecarlo::run(&(*a).into(), load, console),
        Command::Merge(a) => cmd::montecarlo::merge(&(*a).into(), load, console),
        Command::Batch(a) => cmd::batch::run(&(*a).into(), load, console),
        Command::Compare(a) => cmd::compare::run(&a.into(), load, console),
        Command::Rank(a) => cmd::rank::run(&(*a).into(), load, console),
        Command::Plan(a) => cmd::plan::run(&(*a).into(), load, console),
        Command::Generate(a) => cmd::generate::run(&(*a).into(), console),
        Command::Graph(a) => cmd::graph::run(&(*a).into(), load, console),
    }
}

//! Command-line arguments (clap derive; the doc comments are the help text).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// impactsim: who is affected, when and for how long, when a shared IT provider goes down.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
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
    Run {
        /// The scenario file.
        scenario: PathBuf,
        /// Print the whole result as JSON on stdout instead of the summary.
        #[arg(long)]
        json: bool,
        /// Write timeline.csv, clients.csv, services.csv and summary.json into this directory.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// How many clients and services the summary lists.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Exit with code 1 when the run shows this problem (repeatable).
        #[arg(long, value_enum, value_name = "PROBLEM")]
        fail_on: Vec<Problem>,
        /// Print time spent loading and simulating, and the events processed, on stderr.
        #[arg(long)]
        timings: bool,
    },
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

//! The commands of the `impactsim` binary, one module each: every one takes plain arguments
//! (no command-line parser type), checks them, calls the library and says what it did on a
//! [`Console`]. The binary only parses the command line, installs the interrupt handler and
//! turns the result into an exit code.

pub mod batch;
pub mod compare;
pub mod generate;
pub mod graph;
pub mod montecarlo;
pub mod plan;
pub mod rank;
pub mod run;
pub mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::chart::{self, Chart};
use crate::error::Error;
use crate::output;

/// Where a command writes what it shows: stdout for results, stderr for notes and warnings.
pub struct Console<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// Whether stdout is a terminal (the run summary draws a sparkline only there).
    pub out_is_terminal: bool,
}

impl<'a> Console<'a> {
    /// A console writing results to `out` and notes to `err`.
    pub fn new(out: &'a mut dyn Write, err: &'a mut dyn Write, out_is_terminal: bool) -> Self {
        Console {
            out,
            err,
            out_is_terminal,
        }
    }

    /// Writes `text` to stdout. A closed stdout (`| head`) is an error for which
    /// [`Error::is_broken_pipe`] holds: the binary ends quietly then.
    pub fn print(&mut self, text: &str) -> Result<(), Error> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|_| self.out.flush())
            .map_err(|e| Error::io("writing to", "stdout", e))
    }

    /// Writes a line to stderr; a closed stderr is ignored.
    pub fn note(&mut self, line: &str) {
        let _ = writeln!(self.err, "{line}");
    }

    /// The line naming what `--plot` drew: after the table on stdout, or on stderr when
    /// stdout carries JSON or CSV.
    fn plot_note(&mut self, note: Option<String>, machine_readable: bool) -> Result<(), Error> {
        match note {
            Some(note) if machine_readable => {
                let _ = write!(self.err, "{note}");
                Ok(())
            }
            Some(note) => self.print(&format!("\n{note}")),
            None => Ok(()),
        }
    }
}

/// A usage error: a request that cannot be done as asked (exit code 2).
fn usage(message: impl Into<String>) -> Error {
    Error::Usage {
        message: message.into(),
    }
}

/// Refuses, before any work, output directories holding files impactsim did not write.
fn check_out_dirs(dirs: &[&Option<PathBuf>], force: bool) -> Result<(), Error> {
    for dir in dirs.iter().filter_map(|d| d.as_deref()) {
        output::check_out_dir(dir, force)?;
    }
    Ok(())
}

/// A rayon pool of `threads` workers, or of every core.
fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    if threads == Some(0) {
        return Err(usage("--threads must be at least 1"));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| usage(format!("cannot start worker threads: {e}")))
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

/// Draws `charts` into `dir` (`--plot`), each as SVG and PNG; returns the line naming them.
fn plot_charts(
    dir: Option<&Path>,
    charts: impl FnOnce() -> Vec<Chart>,
    force: bool,
) -> Result<Option<String>, Error> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let names = chart::write(dir, &charts(), force)?;
    Ok(Some(format!(
        "wrote {} to {}\n",
        names.join(", "),
        dir.display()
    )))
}

/// Text a writer made as bytes (CSV), for stdout.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

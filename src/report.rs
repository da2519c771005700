//! Outputs of a run: the terminal summary, JSON, and the CSV files of `--out`.
//!
//! Each consumer reads a finished [`RunResult`]; files are written whole or not at all
//! (a temporary file in the same directory, then a rename), and output directories keep a
//! manifest of the files impactsim wrote (see [`check_out_dir`]).

pub(crate) mod csv_out;
pub mod html;
mod mc;
mod outputs;
pub(crate) mod table;

use std::path::Path;

use crate::error::Error;
use crate::metrics::RunResult;
use crate::scenario::Scenario;

pub use csv_out::{clients_csv, services_csv, timeline_csv};
pub use mc::mc_table;
pub use outputs::{
    INTERRUPTED_EXIT_CODE, LOCK, MANIFEST, check_out_dir, clean_up_on_interrupt,
    write_all_or_nothing, write_out_files,
};
pub use table::{sparkline, summary_table, summary_table_with};

/// The whole result as pretty JSON (SPEC 4).
pub fn json(result: &RunResult) -> String {
    let mut s = serde_json::to_string_pretty(result).expect("a RunResult always serializes");
    s.push('\n');
    s
}

/// Writes timeline.csv, clients.csv, services.csv and summary.json into `dir` (created if
/// needed), as [`write_out_files`] does: all four whole or none, refused (unless `force`)
/// when `dir` holds files impactsim did not write.
pub fn write_out_dir(
    result: &RunResult,
    scenario: &Scenario,
    dir: &Path,
    force: bool,
) -> Result<(), Error> {
    let files: [(&str, Vec<u8>); 4] = [
        ("timeline.csv", timeline_csv(result, scenario)?),
        ("clients.csv", clients_csv(result)?),
        ("services.csv", services_csv(result)?),
        ("summary.json", json(result).into_bytes()),
    ];
    write_out_files(dir, &files, force)
}

/// Writes one file whole or not at all (a temporary file next to it, then a rename).
/// `option` names the command-line option that gave the path, for the error message.
pub fn write_file(file: &Path, bytes: Vec<u8>, option: &str) -> Result<(), Error> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage {
            message: format!("{option} {} names no file", file.display()),
        })?;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    write_all_or_nothing(dir, &[(name, bytes)])
}

/// `25012345.0` → `25,012,345`; values below 100 keep one decimal when they have one.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let rounded = x.round();
    if x.abs() < 100.0 && (x - rounded).abs() > 1e-9 {
        return format!("{x:.1}");
    }
    let digits = format!("{}", rounded.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if rounded < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Hours as a compact duration to the minute: `52.5` → `2d 4h 30m`.
pub fn hours(h: f64) -> String {
    crate::time::SimTime((h * 60.0).round().max(0.0) as u64 * 60).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(25_012_345.0), "25,012,345");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(2.5), "2.5");
        assert_eq!(thousands(0.0), "0");
    }
}

//! Outputs of a run: the terminal summary, JSON, and the CSV files of `--out`.
//!
//! Each consumer reads a finished [`RunResult`]; files are written whole or not at all
//! (a temporary file in the same directory, then a rename).

pub(crate) mod csv_out;
pub mod html;
mod mc;
pub(crate) mod table;

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::metrics::RunResult;
use crate::scenario::Scenario;

pub use csv_out::{clients_csv, services_csv, timeline_csv};
pub use mc::mc_table;
pub use table::{sparkline, summary_table, summary_table_with};

/// The whole result as pretty JSON (SPEC 4).
pub fn json(result: &RunResult) -> String {
    let mut s = serde_json::to_string_pretty(result).expect("a RunResult always serializes");
    s.push('\n');
    s
}

/// Writes timeline.csv, clients.csv, services.csv and summary.json into `dir` (created if
/// needed). Every file is first written to a temporary name; only when all four are complete
/// are they renamed into place.
pub fn write_out_dir(result: &RunResult, scenario: &Scenario, dir: &Path) -> Result<(), Error> {
    let files: [(&str, Vec<u8>); 4] = [
        ("timeline.csv", timeline_csv(result, scenario)?),
        ("clients.csv", clients_csv(result)?),
        ("services.csv", services_csv(result)?),
        ("summary.json", json(result).into_bytes()),
    ];
    write_all_or_nothing(dir, &files)
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

/// Writes several files into `dir` so that either all appear complete or none does.
pub fn write_all_or_nothing(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    let mut temps = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let target = dir.join(name);
        let mut tmp = tempfile_in(dir).map_err(|e| Error::io("writing", &target, e))?;
        tmp.1
            .write_all(bytes)
            .and_then(|_| tmp.1.sync_all())
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp.0);
                Error::io("writing", &target, e)
            })?;
        temps.push((tmp.0, target));
    }
    for (i, (tmp, target)) in temps.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            for (t, _) in &temps[i..] {
                let _ = std::fs::remove_file(t);
            }
            return Err(Error::io("writing", target, e));
        }
    }
    Ok(())
}

/// A new hidden file in `dir` with a unique name.
fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let pid = std::process::id();
    for i in 0..1000u32 {
        let path = dir.join(format!(".impactsim-{pid}-{i}.tmp"));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
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

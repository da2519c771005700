//! Shared helpers: running scenarios from text, comparing JSON with tolerance.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use impactsim::metrics::{self, RunResult};
use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes a model and a scenario into a temporary directory and runs the scenario.
pub fn run_text(model: &str, scenario: &str) -> RunResult {
    run_seeded(model, scenario, None)
}

/// [`run_text`], drawn from `seed` (`None`: the deterministic run).
pub fn run_seeded(model: &str, scenario: &str, seed: Option<u64>) -> RunResult {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), model).unwrap();
    std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
    let s = impactsim::load_scenario(&dir.path().join("scenario.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    metrics::run_seeded(&s, seed)
}

/// Reads CSV into its header and rows.
pub fn read_csv_from(r: impl std::io::Read) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(r);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Reads a CSV file into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    read_csv_from(std::fs::File::open(path).unwrap())
}

/// The index of column `name`.
pub fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {header:?}"))
}

/// A numeric cell.
pub fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("`{cell}` is not a number"))
}

pub fn run_file(path: &Path) -> RunResult {
    let s = impactsim::load_scenario(path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    metrics::run(&s)
}

/// Asserts that every field of `expected` is in `actual` with the same value (numbers within
/// 1e-9 relative). Arrays must have the same length; objects in `expected` may name a subset.
pub fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing in {actual}"));
                assert_subset(ev, av, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(
                e.len(),
                a.len(),
                "{path}: expected {expected}, got {actual}"
            );
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                assert_subset(ev, av, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            assert!(
                (e - a).abs() <= 1e-9 * e.abs().max(1.0),
                "{path}: expected {e}, got {a}"
            );
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

/// A temporary directory holding `files` (name, contents).
pub fn dir_with<B: AsRef<[u8]>>(files: &[(&str, B)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// The binary, run in `dir`, without colour.
pub fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("impactsim").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Runs the binary in `dir` with `args` and returns what it did.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().unwrap()
}

/// Runs the binary in `dir` with `args`, which must succeed, and reads its stdout as JSON.
pub fn json_in(dir: &Path, args: &[&str]) -> Value {
    let out = run_in(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Writes `files` into a fresh directory and runs `args` there, which must be refused as
/// bad input (exit 2); returns what it said on stderr.
pub fn refused(files: &[(&str, &str)], args: &[&str]) -> String {
    let dir = dir_with(files);
    let out = run_in(dir.path(), args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

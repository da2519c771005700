//! The Monte Carlo commands end to end: `montecarlo` (threads, seeds, `--out`, `--shard`),
//! `merge`, `run --seed` (replaying one sample), `batch`, and the located errors of duration
//! distributions and random failures in a model.
//!
//! The shipped Bitmarck model has lognormal restart and repair times and restart failures, so
//! its scenarios are the random studies used here. Runs stay small (at most a few hundred) so
//! the whole file runs in a few seconds in a debug build. Tests that write their own model run
//! the binary in a temporary directory with relative paths, so error locations read
//! `model.toml:LINE:COLUMN`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{column, num, read_csv, read_csv_from, root, run_in};

// ---------------------------------------------------------------------------------------------
// Helpers (the ones in cli.rs are private to that module, so the few needed are repeated here)
// ---------------------------------------------------------------------------------------------

/// The directory of the shipped Bitmarck model and its four scenarios.
fn bitmarck() -> PathBuf {
    root().join("models/bitmarck-2023")
}

/// The four Bitmarck scenarios (every `.toml` there except the model).
const SCENARIOS: [&str; 4] = [
    "attack-2023.toml",
    "what-if-faster-repair.toml",
    "what-if-georedundant-channels.toml",
    "what-if-no-paper-fallback.toml",
];

/// Runs the binary in the Bitmarck directory (scenarios named by file name).
fn run_bitmarck(args: &[&str]) -> Output {
    run_in(&bitmarck(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts exit code 0 and returns stdout.
#[track_caller]
fn ok(out: &Output) -> Vec<u8> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "expected success; stderr:\n{}",
        text(&out.stderr)
    );
    out.stdout.clone()
}

/// Asserts exit code `code` without a panic, and returns stderr.
#[track_caller]
fn fails(out: &Output, code: i32) -> String {
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the program panicked:\n{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code; stdout:\n{}\nstderr:\n{stderr}",
        text(&out.stdout)
    );
    stderr
}

#[track_caller]
fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(bytes)))
}

/// A path as a command-line argument.
fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The entry of `figure` in the `summary` array of a Monte Carlo result.
#[track_caller]
fn figure<'a>(result: &'a Value, figure: &str) -> &'a Value {
    result["summary"]
        .as_array()
        .unwrap_or_else(|| panic!("no `summary` array in the result"))
        .iter()
        .find(|f| f["figure"] == figure)
        .unwrap_or_else(|| panic!("no figure `{figure}` in the summary"))
}

/// A percentile (`"p50"`, ...) of `people_hours` in a Monte Carlo result.
#[track_caller]
fn people_hours(result: &Value, percentile: &str) -> f64 {
    figure(result, "people_hours")[percentile]
        .as_f64()
        .unwrap_or_else(|| panic!("people_hours.{percentile} is not a number"))
}

/// The files `montecarlo --out` and `merge --out` write.
const OUT_FILES: [&str; 3] = ["bands.csv", "runs.csv", "summary.json"];

/// Asserts that two output directories hold byte-identical result files.
#[track_caller]
fn assert_same_files(a: &Path, b: &Path) {
    for f in OUT_FILES {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        let (x, y) = (
            x.unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display())),
            y.unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display())),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Asserts that `dir` was not created, or holds nothing.
#[track_caller]
fn assert_nothing_written(dir: &Path) {
    if dir.exists() {
        let entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            entries.is_empty(),
            "{} should be empty, holds {entries:?}",
            dir.display()
        );
    }
}

/// Runs `montecarlo SCENARIO --runs RUNS --seed SEED --shard i/N --out tmp/NAME-i` in the
/// Bitmarck directory for every i, and returns the shard directories.
fn shard_dirs(
    tmp: &Path,
    name: &str,
    scenario: &str,
    runs: u32,
    seed: u64,
    n: u32,
) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let dir = tmp.join(format!("{name}-{i}"));
            ok(&run_bitmarck(&[
                "montecarlo",
                scenario,
                "--runs",
                &runs.to_string(),
                "--seed",
                &seed.to_string(),
                "--shard",
                &format!("{i}/{n}"),
                "--out",
                arg(&dir),
            ]));
            dir
        })
        .collect()
}

/// The shard file that `shard_dirs` wrote into `dir` for shard `i` of `n`.
fn shard_file(dir: &Path, i: u32, n: u32) -> PathBuf {
    let f = dir.join(format!("shard-{i}-of-{n}.json"));
    assert!(f.is_file(), "{} was not written", f.display());
    f
}

/// A small model: one site, then the service `epa` whose further keys are `body`, one client.
/// The first line of `body` is line 11.
///
/// ```text
///  1  [model]             6  id = "dc-1"
///  2  name = "mini"       7  (blank)
///  3  population_label    8  [[service]]
///  4  (blank)             9  id = "epa"
///  5  [[site]]           10  hosted_on = "dc-1"
///                        11  <body line 1>
/// ```
fn model_with(body: &str) -> String {
    format!(
        r#"[model]
name = "mini"
population_label = "insured"

[[site]]
id = "dc-1"

[[service]]
id = "epa"
hosted_on = "dc-1"
{body}

[[client]]
id = "sbk"
population = 1000
uses = ["epa"]
"#
    )
}

/// A scenario on `model.toml`: dc-1 is shut down at 0h for one hour.
const SCENARIO: &str = r#"[scenario]
name = "s"
model = "model.toml"
horizon = "10d"
step = "1h"

[[event]]
at = "0h"
action = "shutdown"
target = "dc-1"
for = "1h"
"#;

/// A temporary directory holding `model.toml` (from `body`, see `model_with`) and
/// `scenario.toml`.
fn mini(body: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), model_with(body)).unwrap();
    std::fs::write(dir.path().join("scenario.toml"), SCENARIO).unwrap();
    dir
}

/// Asserts a located bad-input error: exit 2, the first stderr line starts with
/// `error: model.toml:LINE:` and contains `message`, and `validate model.toml` gives the same
/// first line (the model itself is wrong, not just the study).
#[track_caller]
fn assert_model_error(body: &str, line: usize, message: &str) -> String {
    let dir = mini(body);
    let out = run_in(
        dir.path(),
        &["montecarlo", "scenario.toml", "--runs", "5", "--seed", "1"],
    );
    let stderr = fails(&out, 2);
    let first = stderr.lines().next().unwrap_or("").to_string();
    let prefix = format!("error: model.toml:{line}:");
    assert!(
        first.starts_with(&prefix),
        "expected the first stderr line to start with `{prefix}`, got:\n{stderr}"
    );
    assert!(
        first.contains(message),
        "expected `{message}` in the first stderr line, got:\n{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout on bad input");
    let validate = run_in(dir.path(), &["validate", "model.toml"]);
    let v = fails(&validate, 2);
    assert_eq!(
        v.lines().next(),
        Some(first.as_str()),
        "validate reports the same error"
    );
    stderr
}

// ---------------------------------------------------------------------------------------------
// 1-2. Determinism: same seed, same bytes for any thread count; another seed, another result
// ---------------------------------------------------------------------------------------------

/// Run i draws from a seed derived from the study seed and i, and results are combined in run
/// order, so the number of worker threads must not change a single byte: neither the JSON on
/// stdout nor the three `--out` files. Would fail if runs were combined in completion order,
/// or if a thread shared one random stream across runs. (`--json --out` together print and
/// write the same study, so each thread count is one process.)
#[test]
fn same_seed_same_bytes_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let mut stdouts = Vec::new();
    for threads in ["1", "2"] {
        let dir = tmp.path().join(format!("t{threads}"));
        let out = run_bitmarck(&[
            "montecarlo",
            "attack-2023.toml",
            "--runs",
            "300",
            "--seed",
            "7",
            "--threads",
            threads,
            "--json",
            "--out",
            arg(&dir),
        ]);
        stdouts.push(ok(&out));
    }
    assert_eq!(json(&stdouts[0])["runs"], 300);
    assert!(
        stdouts[0] == stdouts[1],
        "--json with --threads 2 differs from --threads 1"
    );
    assert_same_files(&tmp.path().join("t1"), &tmp.path().join("t2"));
    // summary.json is the same bytes as --json.
    assert!(
        std::fs::read(tmp.path().join("t1/summary.json")).unwrap() == stdouts[0],
        "summary.json equals the --json output"
    );
}

/// Another study seed must give other draws: the median of people-hours over 100 runs of a
/// model with lognormal durations differs, and so do the per-run seeds in runs.csv. Would fail
/// if `--seed` were ignored.
#[test]
fn a_different_seed_gives_a_different_result() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p50 = Vec::new();
    for seed in ["7", "8"] {
        let out = run_bitmarck(&[
            "montecarlo",
            "attack-2023.toml",
            "--runs",
            "100",
            "--seed",
            seed,
            "--json",
            "--out",
            arg(&tmp.path().join(seed)),
        ]);
        let result = json(&ok(&out));
        assert_eq!(result["seed"], seed.parse::<u64>().unwrap());
        p50.push(people_hours(&result, "p50"));
    }
    assert_ne!(p50[0], p50[1], "people_hours p50 for seeds 7 and 8");
    let seeds = |s: &str| {
        let (h, rows) = read_csv(&tmp.path().join(s).join("runs.csv"));
        let c = column(&h, "seed");
        rows.into_iter().map(|r| r[c].clone()).collect::<Vec<_>>()
    };
    let (a, b) = (seeds("7"), seeds("8"));
    assert_eq!(a.len(), 100);
    assert!(
        a.iter().zip(&b).all(|(x, y)| x != y),
        "per-run seeds of study seeds 7 and 8 must differ"
    );
}

/// The summary is computed from the runs listed in runs.csv: with `--percentiles 0,100` every
/// figure's p0 and p100 are the smallest and largest value in its column, the mean is the
/// column's mean, and `not_recovered_runs` counts the runs whose recovered_at_h cell is empty
/// (a run that never recovers is the worst case, so p100 of recovered_at_h is null). bands.csv
/// has one row per step from 0 to the horizon, each with p0 <= mean <= p100. Would fail if
/// runs.csv listed other draws than those summarised, or if not-recovered runs were dropped.
#[test]
fn summary_agrees_with_runs_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("o");
    // Seed 7 has runs that never recover within the 21 days.
    let result = json(&ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "60",
        "--seed",
        "7",
        "--percentiles",
        "0,100",
        "--json",
        "--out",
        arg(&dir),
    ])));
    let (h, rows) = read_csv(&dir.join("runs.csv"));
    assert_eq!(rows.len(), 60);
    let figures = result["summary"].as_array().unwrap();
    assert!(figures.len() >= 7, "every summary figure");
    for f in figures {
        let name = f["figure"].as_str().unwrap();
        let c = column(&h, name);
        let values: Vec<f64> = rows
            .iter()
            .filter(|r| !r[c].is_empty())
            .map(|r| num(&r[c]))
            .collect();
        let missing = rows.len() - values.len();
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(f["runs"], 60, "{name}.runs");
        assert_eq!(f["p0"].as_f64(), Some(min), "{name}.p0 is the smallest run");
        if name == "recovered_at_h" {
            assert!(missing > 0, "seed 7 has runs that never recover");
            assert_eq!(
                f["not_recovered_runs"], missing,
                "{name}.not_recovered_runs"
            );
            assert!(f["p100"].is_null(), "{name}.p100: a run never recovered");
        } else {
            assert_eq!(missing, 0, "{name}: no empty cells");
            assert_eq!(
                f["p100"].as_f64(),
                Some(max),
                "{name}.p100 is the largest run"
            );
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let got = f["mean"].as_f64().unwrap();
            assert!(
                (got - mean).abs() <= 1e-9 * mean.abs().max(1.0),
                "{name}.mean: {got}, runs.csv gives {mean}"
            );
        }
    }
    let (bh, bands) = read_csv(&dir.join("bands.csv"));
    let (t, lo, mean, hi) = (
        column(&bh, "t_h"),
        column(&bh, "p0"),
        column(&bh, "mean"),
        column(&bh, "p100"),
    );
    assert_eq!(bands.len(), 21 * 24 + 1, "one row per hour over 21 days");
    for (i, row) in bands.iter().enumerate() {
        assert_eq!(num(&row[t]), i as f64, "t_h of row {i}");
        let (lo, mean, hi) = (num(&row[lo]), num(&row[mean]), num(&row[hi]));
        assert!(
            lo <= mean && mean <= hi,
            "row {i}: p0 {lo}, mean {mean}, p100 {hi}"
        );
    }
    assert_eq!(num(&bands[0][hi]), 25_000_000.0, "everyone affected at 0h");
}

// ---------------------------------------------------------------------------------------------
// 3. Shards and merge
// ---------------------------------------------------------------------------------------------

/// `--shard I/N` makes runs I, I+N, ...; `merge` must give exactly the unsharded study. 301
/// runs in 3 shards leaves one shard a run longer than the others, so an off-by-one in the
/// split, a lost or doubled run, or runs merged in shard order instead of run order changes
/// runs.csv and the percentiles. The shards sit in three separate directories.
#[test]
fn shards_merged_equal_the_unsharded_study_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 301, 7, 3);
    let full = tmp.path().join("full");
    let single = ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "301",
        "--seed",
        "7",
        "--json",
        "--out",
        arg(&full),
    ]));
    let merged = tmp.path().join("m");
    ok(&run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            arg(&dirs[2]),
            "--out",
            arg(&merged),
        ],
    ));
    assert_same_files(&full, &merged);

    // runs.csv holds every run once, in order.
    let (h, rows) = read_csv(&merged.join("runs.csv"));
    let run = column(&h, "run");
    let runs: Vec<String> = rows.iter().map(|r| r[run].clone()).collect();
    let expected: Vec<String> = (0..301).map(|i| i.to_string()).collect();
    assert_eq!(runs, expected, "runs.csv lists runs 0..=300 in order");

    // merge --json equals montecarlo --json.
    let merged_json = ok(&run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            arg(&dirs[2]),
            "--json",
        ],
    ));
    assert!(
        merged_json == single,
        "merge --json differs from the unsharded --json"
    );

    // Shard files named directly, in any order.
    for order in [[2u32, 0, 1], [1, 2, 0], [2, 1, 0]] {
        let files: Vec<PathBuf> = order
            .iter()
            .map(|&i| shard_file(&dirs[i as usize], i, 3))
            .collect();
        let mut args = vec!["merge"];
        args.extend(files.iter().map(|f| arg(f)));
        args.push("--json");
        let out = ok(&run_in(tmp.path(), &args));
        assert!(
            out == single,
            "merge of shard files in order {order:?} differs from the unsharded --json"
        );
    }
}

/// `merge --report` writes the HTML report the unsharded study writes, byte for byte; it
/// needs `--scenario`, which must be the file the shards were made from.
#[test]
fn merge_report_equals_the_unsharded_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 40, 5, 2);
    let single = tmp.path().join("single.html");
    ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "40",
        "--seed",
        "5",
        "--report",
        arg(&single),
    ]));
    let merged = tmp.path().join("merged.html");
    // The report names the scenario file as given: give it the same way.
    let out = ok(&run_bitmarck(&[
        "merge",
        arg(&dirs[0]),
        arg(&dirs[1]),
        "--report",
        arg(&merged),
        "--scenario",
        "attack-2023.toml",
    ]));
    assert!(text(&out).contains("wrote "), "{}", text(&out));
    let (a, b) = (
        std::fs::read(&single).unwrap(),
        std::fs::read(&merged).unwrap(),
    );
    assert!(text(&a).contains("Siemens-Betriebskrankenkasse"));
    assert!(a == b, "merge --report differs from montecarlo --report");

    // Without --scenario, or with another scenario than the shards': refused, nothing
    // written.
    let lone = tmp.path().join("lone.html");
    let other = root().join("models/bitmarck-2023/what-if-faster-repair.toml");
    for (extra, message) in [
        (vec![], "--scenario"),
        (
            vec!["--scenario", arg(&other)],
            "the shards were not made from",
        ),
    ] {
        let mut args = vec![
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            "--report",
            arg(&lone),
        ];
        args.extend(extra);
        let out = run_in(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(!lone.exists());
    }
}

/// `merge --percentiles` reports the percentiles asked of it, the same as the unsharded study
/// with those percentiles: shards keep every run, not pre-computed percentiles.
#[test]
fn merge_computes_the_percentiles_it_is_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 40, 3, 2);
    let single = ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "40",
        "--seed",
        "3",
        "--percentiles",
        "10,90",
        "--json",
    ]));
    let merged = ok(&run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            "--percentiles",
            "10,90",
            "--json",
        ],
    ));
    assert!(merged == single, "merge --percentiles 10,90 differs");
    let result = json(&merged);
    people_hours(&result, "p10");
    people_hours(&result, "p90");
    assert!(figure(&result, "people_hours").get("p50").is_none());
    // A percentile asked twice is reported once.
    let twice = ok(&run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            "--percentiles",
            "10,90,10",
            "--json",
        ],
    ));
    assert!(twice == merged, "--percentiles 10,90,10 is 10,90");
}

/// More shards than runs: one shard holds no run at all and must still merge into the study.
#[test]
fn an_empty_shard_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 2, 3, 3);
    let single = ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "2",
        "--seed",
        "3",
        "--json",
    ]));
    let merged = ok(&run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            arg(&dirs[2]),
            "--json",
        ],
    ));
    assert!(merged == single, "merge with an empty shard differs");
}

// ---------------------------------------------------------------------------------------------
// 4. Merge refuses what is not one whole study
// ---------------------------------------------------------------------------------------------

/// A missing shard would silently give a smaller study with other percentiles: merge must
/// refuse with exit 2, name the missing shard, and write nothing.
#[test]
fn merge_refuses_a_missing_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 31, 7, 3);
    let out_dir = tmp.path().join("m");
    let out = run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[2]),
            "--out",
            arg(&out_dir),
        ],
    );
    let stderr = fails(&out, 2);
    assert!(
        stderr.contains("missing") && stderr.contains("1 of 3"),
        "the message names shard 1 of 3 as missing:\n{stderr}"
    );
    assert_nothing_written(&out_dir);
}

/// The same shard twice would count its runs twice.
#[test]
fn merge_refuses_the_same_shard_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 31, 7, 3);
    let out_dir = tmp.path().join("m");
    let out = run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            arg(&dirs[1]),
            arg(&dirs[2]),
            "--out",
            arg(&out_dir),
        ],
    );
    let stderr = fails(&out, 2);
    assert!(
        stderr.contains("shard 1 of 3") && stderr.contains("twice"),
        "the message names the doubled shard:\n{stderr}"
    );
    assert_nothing_written(&out_dir);

    // A copy of a shard file next to its original counts as the same shard given twice.
    let copy = tmp.path().join("copy.json");
    std::fs::copy(shard_file(&dirs[0], 0, 3), &copy).unwrap();
    let out = run_in(
        tmp.path(),
        &[
            "merge",
            arg(&dirs[0]),
            arg(&dirs[1]),
            arg(&dirs[2]),
            arg(&copy),
            "--out",
            arg(&out_dir),
        ],
    );
    fails(&out, 2);
    assert_nothing_written(&out_dir);
}

/// Shards of different studies (another seed, another run count, another shard count) have
/// runs that do not fit together: exit 2, nothing written.
#[test]
fn merge_refuses_shards_of_different_studies() {
    let tmp = tempfile::tempdir().unwrap();
    let base = shard_dirs(tmp.path(), "base", "attack-2023.toml", 31, 7, 3);
    let seed8 = shard_dirs(tmp.path(), "seed8", "attack-2023.toml", 31, 8, 3);
    let runs32 = shard_dirs(tmp.path(), "runs32", "attack-2023.toml", 32, 7, 3);
    let other = shard_dirs(tmp.path(), "other", "what-if-faster-repair.toml", 31, 7, 3);
    let out_dir = tmp.path().join("m");
    for (what, odd) in [
        ("another seed", &seed8[1]),
        ("another run count", &runs32[1]),
        ("another scenario", &other[1]),
    ] {
        let out = run_in(
            tmp.path(),
            &[
                "merge",
                arg(&base[0]),
                arg(odd),
                arg(&base[2]),
                "--out",
                arg(&out_dir),
            ],
        );
        let stderr = fails(&out, 2);
        assert!(
            stderr.contains("different studies"),
            "{what}: expected `different studies` in:\n{stderr}"
        );
        assert_nothing_written(&out_dir);
    }
    // Another shard count.
    let halves = shard_dirs(tmp.path(), "halves", "attack-2023.toml", 31, 7, 2);
    let out = run_in(
        tmp.path(),
        &[
            "merge",
            arg(&base[0]),
            arg(&base[1]),
            arg(&base[2]),
            arg(&halves[1]),
            "--out",
            arg(&out_dir),
        ],
    );
    fails(&out, 2);
    assert_nothing_written(&out_dir);
}

/// Files that are not shards (other JSON, a study's summary.json, not JSON at all) are bad
/// input, not a crash and not an I/O error.
#[test]
fn merge_refuses_a_file_that_is_not_a_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shard_dirs(tmp.path(), "d", "attack-2023.toml", 31, 7, 3);
    let full = tmp.path().join("full");
    ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "31",
        "--seed",
        "7",
        "--out",
        arg(&full),
    ]));
    let other_json = tmp.path().join("other.json");
    std::fs::write(&other_json, r#"{"format": "something else", "a": 1}"#).unwrap();
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, "not json at all\n").unwrap();
    let out_dir = tmp.path().join("m");
    for bad in [other_json, garbage, full.join("summary.json")] {
        let out = run_in(
            tmp.path(),
            &[
                "merge",
                arg(&dirs[0]),
                arg(&dirs[1]),
                arg(&dirs[2]),
                arg(&bad),
                "--out",
                arg(&out_dir),
            ],
        );
        let stderr = fails(&out, 2);
        assert!(
            stderr.contains("not a shard"),
            "{}: expected `not a shard` in:\n{stderr}",
            bad.display()
        );
        assert!(
            stderr.contains(bad.file_name().unwrap().to_str().unwrap()),
            "the message names the file:\n{stderr}"
        );
        assert_nothing_written(&out_dir);
    }
    // A directory without shard files.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = run_in(tmp.path(), &["merge", arg(&empty), "--out", arg(&out_dir)]);
    fails(&out, 2);
    assert_nothing_written(&out_dir);
}

// ---------------------------------------------------------------------------------------------
// 5-6. Replaying one run; medians without a seed
// ---------------------------------------------------------------------------------------------

/// runs.csv gives each run's own seed, and `run --seed` must replay exactly that sample: the
/// same draws in the same order, so the same people-hours to the last bit. Would fail if the
/// per-run seed printed were not the one used, or if `run` drew in another order.
#[test]
fn run_with_a_seed_from_runs_csv_replays_that_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("o");
    ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "10",
        "--seed",
        "7",
        "--out",
        arg(&dir),
    ]));
    let (h, rows) = read_csv(&dir.join("runs.csv"));
    let (run, seed, ph) = (
        column(&h, "run"),
        column(&h, "seed"),
        column(&h, "people_hours"),
    );
    let row = rows
        .iter()
        .find(|r| r[run] == "5")
        .expect("run 5 in runs.csv");
    let expected = num(&row[ph]);
    let replay = json(&ok(&run_bitmarck(&[
        "run",
        "attack-2023.toml",
        "--seed",
        &row[seed],
        "--json",
    ])));
    assert_eq!(
        replay["people_hours"].as_f64(),
        Some(expected),
        "run --seed {} replays run 5",
        row[seed]
    );
    // Another run's seed gives that run's figure, not run 5's.
    let other = rows.iter().find(|r| r[run] == "6").unwrap();
    assert_ne!(num(&other[ph]), expected, "runs 5 and 6 differ");
}

/// Replay also holds for random failures (mtbf/mttr) and every distribution kind: each of 10
/// runs of a small model replays exactly.
#[test]
fn every_run_replays_on_a_model_with_random_failures() {
    let dir = mini(
        "restart = { dist = \"triangular\", min = \"10m\", mode = \"30m\", max = \"2h\" }\n\
         repair = { dist = \"pert\", min = \"1h\", mode = \"2h\", max = \"8h\" }\n\
         mtbf = { dist = \"uniform\", min = \"1d\", max = \"3d\" }\n\
         mttr = { dist = \"exponential\", mean = \"6h\" }",
    );
    ok(&run_in(
        dir.path(),
        &[
            "montecarlo",
            "scenario.toml",
            "--runs",
            "10",
            "--seed",
            "1",
            "--out",
            "o",
        ],
    ));
    let (h, rows) = read_csv(&dir.path().join("o/runs.csv"));
    let (seed, ph) = (column(&h, "seed"), column(&h, "people_hours"));
    assert_eq!(rows.len(), 10);
    let mut distinct: Vec<f64> = Vec::new();
    for row in &rows {
        let replay = json(&ok(&run_in(
            dir.path(),
            &["run", "scenario.toml", "--seed", &row[seed], "--json"],
        )));
        assert_eq!(
            replay["people_hours"].as_f64(),
            Some(num(&row[ph])),
            "run --seed {}",
            row[seed]
        );
        if !distinct.contains(&num(&row[ph])) {
            distinct.push(num(&row[ph]));
        }
    }
    assert!(distinct.len() > 1, "random failures vary between runs");
}

/// Without `--seed`, `run` stays deterministic and takes every distribution's median: the
/// published Bitmarck figure. And `montecarlo` must really draw: its median people-hours is
/// not that figure (restart failures only add time, so the study's median lies above it).
#[test]
fn run_without_seed_uses_medians_and_montecarlo_really_draws() {
    let det = json(&ok(&run_bitmarck(&["run", "attack-2023.toml", "--json"])));
    assert_eq!(det["people_hours"].as_f64(), Some(4_643_860_140.0));
    let again = json(&ok(&run_bitmarck(&["run", "attack-2023.toml", "--json"])));
    assert_eq!(again["people_hours"], det["people_hours"], "deterministic");

    let mc = json(&ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "100",
        "--seed",
        "1",
        "--json",
    ])));
    let p50 = people_hours(&mc, "p50");
    assert_ne!(
        p50, 4_643_860_140.0,
        "montecarlo p50 equals the medians run"
    );
    let (p5, p95) = (people_hours(&mc, "p5"), people_hours(&mc, "p95"));
    assert!(
        p5 < p50 && p50 < p95,
        "percentiles spread: p5 {p5}, p50 {p50}, p95 {p95}"
    );
}

// ---------------------------------------------------------------------------------------------
// 7. Usage errors
// ---------------------------------------------------------------------------------------------

/// Options that cannot make a study are usage errors (exit 2) before anything runs or is
/// written: no runs, a shard index outside 0..N, a shard without --out (where would it go?),
/// a percentile above 100, no threads.
#[test]
fn montecarlo_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("o");
    let cases: [(&[&str], &str); 8] = [
        (&["--runs", "0", "--out", arg(&out_dir)], "--runs"),
        // A shard writes a file for `merge`, never JSON on stdout.
        (
            &[
                "--runs",
                "5",
                "--shard",
                "0/2",
                "--out",
                arg(&out_dir),
                "--json",
            ],
            "--json",
        ),
        (
            &["--runs", "5", "--shard", "3/3", "--out", arg(&out_dir)],
            "3/3",
        ),
        (
            &["--runs", "5", "--shard", "0/0", "--out", arg(&out_dir)],
            "0/0",
        ),
        (&["--runs", "5", "--shard", "1/2"], "--out"),
        (
            &[
                "--runs",
                "5",
                "--percentiles",
                "120",
                "--out",
                arg(&out_dir),
            ],
            "120",
        ),
        (&["--runs", "5", "--percentiles", "5,abc"], "abc"),
        (
            &["--runs", "5", "--threads", "0", "--out", arg(&out_dir)],
            "--threads",
        ),
    ];
    for (extra, mention) in cases {
        let mut args = vec!["montecarlo", "attack-2023.toml", "--seed", "1"];
        args.extend(extra);
        let out = run_bitmarck(&args);
        let stderr = fails(&out, 2);
        assert!(
            stderr.contains(mention),
            "{extra:?}: expected the message to mention `{mention}`:\n{stderr}"
        );
        assert!(out.stdout.is_empty(), "{extra:?}: nothing on stdout");
        assert_nothing_written(&out_dir);
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Bad distributions and random failures are located errors
// ---------------------------------------------------------------------------------------------

/// A lognormal's p90 below its median has no lognormal: the error points at the line of the
/// distribution and says that p90 must be above the median.
#[test]
fn lognormal_p90_below_median_is_located() {
    assert_model_error(
        "restart = { dist = \"lognormal\", median = \"12h\", p90 = \"6h\" }",
        11,
        "must be above the median",
    );
    // Two lines further down, the location follows.
    assert_model_error(
        "restart = \"1h\"\nrto = \"1d\"\nrepair = { dist = \"lognormal\", median = \"1d\", p90 = \"20h\" }",
        13,
        "must be above the median",
    );
}

/// A misspelt distribution name is located and suggests the closest name.
#[test]
fn unknown_distribution_suggests_the_closest_name() {
    let stderr = assert_model_error(
        "restart = { dist = \"lognorml\", median = \"12h\", p90 = \"36h\" }",
        11,
        "unknown distribution `lognorml`",
    );
    assert!(
        stderr.contains("did you mean `lognormal`"),
        "expected a `did you mean` hint:\n{stderr}"
    );
}

/// A uniform distribution with min above max is located, not silently swapped or sampled.
#[test]
fn uniform_min_above_max_is_located() {
    assert_model_error(
        "restart = \"1h\"\nrepair = { dist = \"uniform\", min = \"5h\", max = \"2h\" }",
        12,
        "min (5h) is above max (2h)",
    );
}

/// Random failures need both mtbf and mttr; the message says which one is missing and points
/// at the one given.
#[test]
fn mtbf_without_mttr_names_the_missing_key() {
    assert_model_error(
        "restart = \"1h\"\nmtbf = \"30d\"",
        12,
        "`mtbf` is given without `mttr`",
    );
    assert_model_error(
        "mttr = \"4h\"\nrestart = \"1h\"",
        11,
        "`mttr` is given without `mtbf`",
    );
}

// ---------------------------------------------------------------------------------------------
// 9. Nothing random
// ---------------------------------------------------------------------------------------------

/// A study of a scenario with nothing random is allowed but pointless: montecarlo warns on
/// stderr, succeeds, and every percentile is the deterministic figure.
#[test]
fn nothing_random_warns_and_still_succeeds() {
    let dir = mini("restart = \"2h\"\nrepair = \"1d\"");
    let out = run_in(
        dir.path(),
        &[
            "montecarlo",
            "scenario.toml",
            "--runs",
            "20",
            "--seed",
            "1",
            "--json",
        ],
    );
    let result = json(&ok(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("nothing in this scenario is random"),
        "expected a warning on stderr:\n{stderr}"
    );
    let det = json(&ok(&run_in(
        dir.path(),
        &["run", "scenario.toml", "--json"],
    )));
    let expected = det["people_hours"].as_f64().unwrap();
    for p in ["p5", "p50", "p95"] {
        assert_eq!(people_hours(&result, p), expected, "people_hours {p}");
    }
    // The table too.
    let out = run_in(dir.path(), &["montecarlo", "scenario.toml", "--runs", "5"]);
    ok(&out);
    assert!(text(&out.stderr).contains("nothing in this scenario is random"));
}

// ---------------------------------------------------------------------------------------------
// 10. batch
// ---------------------------------------------------------------------------------------------

/// One CSV row per scenario, and without --runs each row is the deterministic run (attack-2023
/// has the published people-hours).
#[test]
fn batch_csv_has_one_row_per_scenario() {
    let mut args = vec!["batch", "--csv"];
    args.extend(SCENARIOS);
    let (h, rows) = read_csv_from(&ok(&run_bitmarck(&args))[..]);
    assert_eq!(rows.len(), 4, "4 data rows");
    let (file, ph) = (column(&h, "file"), column(&h, "people_hours"));
    let attack = rows
        .iter()
        .find(|r| r[file] == "attack-2023.toml")
        .expect("a row for attack-2023.toml");
    assert_eq!(num(&attack[ph]), 4_643_860_140.0);
    let mut files: Vec<&str> = rows.iter().map(|r| r[file].as_str()).collect();
    files.sort_unstable();
    assert_eq!(files, SCENARIOS, "one row per file");
}

/// `--sort people_hours` orders the rows by that column, largest first, whatever the order of
/// the files on the command line.
#[test]
fn batch_sort_orders_rows_descending() {
    for files in [
        SCENARIOS,
        [SCENARIOS[3], SCENARIOS[1], SCENARIOS[0], SCENARIOS[2]],
    ] {
        let mut args = vec!["batch", "--csv", "--sort", "people_hours"];
        args.extend(files);
        let (h, rows) = read_csv_from(&ok(&run_bitmarck(&args))[..]);
        assert_eq!(rows.len(), 4);
        let ph = column(&h, "people_hours");
        let values: Vec<f64> = rows.iter().map(|r| num(&r[ph])).collect();
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "people_hours not descending: {values:?}"
        );
        assert!(values[0] > values[3], "the scenarios differ: {values:?}");
    }
    let out = run_bitmarck(&["batch", "--csv", "--sort", "bogus", SCENARIOS[0]]);
    fails(&out, 2);
}

/// With --runs each scenario becomes a study and the row holds its medians: 4 objects with
/// numeric people_hours, and the attack's equals `montecarlo`'s p50 with the same runs and seed.
#[test]
fn batch_runs_json_gives_medians_per_scenario() {
    let mut args = vec!["batch", "--runs", "50", "--seed", "1", "--json"];
    args.extend(SCENARIOS);
    let rows = json(&ok(&run_bitmarck(&args)));
    let rows = rows.as_array().expect("a JSON array");
    assert_eq!(rows.len(), 4);
    for row in rows {
        assert!(
            row["people_hours"].as_f64().is_some_and(|v| v > 0.0),
            "numeric people_hours in {row}"
        );
    }
    let attack = rows
        .iter()
        .find(|r| r["file"] == "attack-2023.toml")
        .expect("attack-2023.toml in the batch");
    let mc = json(&ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "50",
        "--seed",
        "1",
        "--json",
    ])));
    assert_eq!(
        attack["people_hours"].as_f64(),
        Some(people_hours(&mc, "p50")),
        "batch --runs shows the study's median"
    );
    assert_ne!(
        attack["people_hours"].as_f64(),
        Some(4_643_860_140.0),
        "--runs makes a study, not the deterministic run"
    );
}

/// A scenario that never recovers has no recovery time. `run --out` (clients.csv) and
/// `montecarlo --out` (runs.csv) write an empty cell for it and the JSON outputs null; batch
/// CSV must do the same, not print `inf`, which spreadsheets read as text and other tools as
/// infinity. The table says "not recovered".
#[test]
fn batch_csv_writes_not_recovered_as_an_empty_cell() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("model.toml"),
        model_with("restart = \"1h\""),
    )
    .unwrap();
    // SCENARIO without the closing `for`: dc-1 stays down.
    let never = SCENARIO.replace("for = \"1h\"\n", "");
    assert_ne!(never, SCENARIO);
    std::fs::write(dir.path().join("never.toml"), never).unwrap();
    std::fs::write(dir.path().join("short.toml"), SCENARIO).unwrap();

    let json_rows = json(&ok(&run_in(
        dir.path(),
        &["batch", "never.toml", "short.toml", "--json"],
    )));
    assert!(json_rows[0]["recovered_at_h"].is_null(), "JSON: null");

    let out = ok(&run_in(
        dir.path(),
        &["batch", "never.toml", "short.toml", "--csv"],
    ));
    let (h, rows) = read_csv_from(&out[..]);
    let (file, rec) = (column(&h, "file"), column(&h, "recovered_at_h"));
    let never = rows.iter().find(|r| r[file] == "never.toml").unwrap();
    let short = rows.iter().find(|r| r[file] == "short.toml").unwrap();
    assert_eq!(num(&short[rec]), 1.0);
    assert_eq!(
        never[rec], "",
        "recovered_at_h of a scenario that never recovers"
    );
}

/// A scenario file named on the command line that does not exist is an I/O failure, exit 3
/// (docs/reference.md, exit codes), and no partial table is printed.
#[test]
fn batch_missing_file_exits_3() {
    let out = run_bitmarck(&["batch", "--csv", SCENARIOS[0], "no-such-scenario.toml"]);
    let stderr = fails(&out, 3);
    assert!(
        stderr.contains("no-such-scenario.toml"),
        "the message names the file:\n{stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "no partial CSV:\n{}",
        text(&out.stdout)
    );
    // The same for montecarlo.
    let out = run_bitmarck(&["montecarlo", "no-such-scenario.toml", "--runs", "3"]);
    fails(&out, 3);
}

/// `batch --runs` makes a study per scenario, so it checks its runs as `montecarlo` does: at
/// least one, and no more than the figures kept in memory allow. Both are refused before
/// any run (exit 2, nothing on stdout).
#[test]
fn batch_checks_its_runs_like_montecarlo() {
    for cmd in ["batch", "montecarlo"] {
        let out = run_bitmarck(&[cmd, SCENARIOS[0], "--runs", "0"]);
        let stderr = fails(&out, 2);
        assert!(
            stderr.contains("--runs must be at least 1"),
            "{cmd}:\n{stderr}"
        );
        assert!(out.stdout.is_empty(), "{cmd}: {}", text(&out.stdout));
        let out = run_bitmarck(&[cmd, SCENARIOS[0], "--runs", "1000000000000"]);
        let stderr = fails(&out, 2);
        assert!(
            stderr.contains("would keep about") && stderr.contains("use at most"),
            "{cmd}:\n{stderr}"
        );
        assert!(out.stdout.is_empty(), "{cmd}: {}", text(&out.stdout));
    }
}

// ---------------------------------------------------------------------------------------------
// 11. The table
// ---------------------------------------------------------------------------------------------

/// Without --json, montecarlo prints a table with the number of runs and a header of the
/// percentiles asked for, in order.
#[test]
fn montecarlo_table_shows_percentiles_and_runs() {
    let out = ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "20",
        "--seed",
        "7",
    ]));
    let table = text(&out);
    assert!(table.contains("20 runs"), "the number of runs:\n{table}");
    let header = table
        .lines()
        .find(|l| l.contains("P50"))
        .unwrap_or_else(|| panic!("no P50 header:\n{table}"));
    let (p5, p50, p95) = (
        header.find("P5 ").or_else(|| header.find("P5\t")),
        header.find("P50"),
        header.find("P95"),
    );
    assert!(
        matches!((p5, p50, p95), (Some(a), Some(b), Some(c)) if a < b && b < c),
        "P5, P50, P95 in order in `{header}`"
    );
    assert!(
        table
            .lines()
            .any(|l| l.trim_start().starts_with("people_hours")),
        "a people_hours row:\n{table}"
    );

    let out = ok(&run_bitmarck(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "20",
        "--seed",
        "7",
        "--percentiles",
        "10,90",
    ]));
    let table = text(&out);
    assert!(table.contains("P10") && table.contains("P90"), "{table}");
    assert!(
        !table.contains("P50"),
        "only the percentiles asked for:\n{table}"
    );
}

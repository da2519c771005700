//! Snapshots of the text a person reads: the terminal tables of every command on the
//! Bitmarck model, and the sparkline. A change to any of them shows up as a diff here.

use crate::common::{root, run_in};

fn bitmarck() -> std::path::PathBuf {
    root().join("models/bitmarck-2023")
}

/// Runs the binary in the Bitmarck directory and returns stdout, requiring success.
fn out(args: &[&str]) -> String {
    let o = run_in(&bitmarck(), args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn run_summary() {
    insta::assert_snapshot!(out(&["run", "attack-2023.toml", "--top", "5"]));
}

#[test]
fn validate_summary() {
    insta::assert_snapshot!(out(&["validate", "attack-2023.toml"]));
}

#[test]
fn montecarlo_table() {
    insta::assert_snapshot!(out(&[
        "montecarlo",
        "attack-2023.toml",
        "--runs",
        "200",
        "--seed",
        "7",
        "--top",
        "3",
    ]));
}

#[test]
fn rank_table() {
    insta::assert_snapshot!(out(&["rank", "model.toml", "--order", "2", "--top", "8"]));
}

#[test]
fn compare_table() {
    insta::assert_snapshot!(out(&[
        "compare",
        "attack-2023.toml",
        "what-if-faster-repair.toml",
        "--top",
        "5",
    ]));
}

#[test]
fn batch_table() {
    insta::assert_snapshot!(out(&[
        "batch",
        "attack-2023.toml",
        "what-if-faster-repair.toml",
        "what-if-georedundant-channels.toml",
        "what-if-no-paper-fallback.toml",
        "--sort",
        "people_hours",
    ]));
}

#[test]
fn plan_output() {
    insta::assert_snapshot!(out(&["plan", "attack-2023.toml", "--crews", "3"]));
}

/// The sparkline of the Bitmarck run, 56 slices of 9 hours: all 25 million affected for the
/// first 1½ days (full blocks), then falling in steps to the last slices with nobody.
#[test]
fn sparkline_of_the_attack() {
    let s = impactsim::load_scenario(&bitmarck().join("attack-2023.toml")).unwrap();
    let r = impactsim::metrics::run(&s);
    let line = impactsim::report::sparkline(&r, 56);
    assert_eq!(line.chars().count(), 56);
    assert!(line.starts_with("████"), "{line}");
    assert!(line.ends_with(' '), "nobody affected at the end: {line}");
    insta::assert_snapshot!(line);
}

//! `impactsim compare`: scenarios against a baseline, and a what-if against itself without
//! its `[patch]`. Every number below is worked out by hand from the tiny models in this file.
//!
//! Each test writes its files into a temporary directory and runs the binary there with
//! relative paths.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{column, dir_with, num, read_csv_from, root, run_in};

// ---------------------------------------------------------------------------------------------
// Helpers and the tiny models
// ---------------------------------------------------------------------------------------------

/// One site, one service with a 2 h RTO, one client of 10 people who need the service.
/// `app` restarts instantly, so a shutdown `for = X` keeps the client down exactly X.
const TINY: &str = r#"[model]
name = "tiny"

[[site]]
id = "dc"

[[service]]
id = "app"
hosted_on = "dc"
rto = "2h"

[[client]]
id = "c1"
population = 10
uses = ["app"]
"#;

/// The same as TINY under another name, with the client `c2` instead of `c1`.
const TINY_2: &str = r#"[model]
name = "tiny-2"

[[site]]
id = "dc"

[[service]]
id = "app"
hosted_on = "dc"
rto = "2h"

[[client]]
id = "c2"
population = 10
uses = ["app"]
"#;

/// `app` shut down at 0 h for `down` (a horizon of 1 day), on `model`.
fn outage(name: &str, model: &str, down: &str) -> String {
    format!(
        r#"[scenario]
name = "{name}"
model = "{model}"
horizon = "1d"

[[event]]
at = "0h"
action = "shutdown"
target = "app"
for = "{down}"
"#
    )
}

/// Two sites; `app` only on dc-1, and `db` only on dc-1 used with share 0.5. The scenario
/// switches dc-1 off for 4 h (site restart 0: both services come back by themselves at 4 h).
///
/// Without the patch: 100 people × max(1 × 1, 0.5 × 1) = 100 for 4 h = 400 people-hours.
/// With the patch (`app` on any of dc-1, dc-2; dc-2 new): app stays up, db does not:
/// 100 × max(1 × 0, 0.5 × 1) = 50 for 4 h = 200 people-hours. Difference -200, ratio 0.5.
const REDUNDANT_MODEL: &str = r#"[model]
name = "redundancy"

[[site]]
id = "dc-1"

[[service]]
id = "app"
hosted_on = "dc-1"

[[service]]
id = "db"
hosted_on = "dc-1"

[[client]]
id = "office"
population = 100
uses = ["app", { service = "db", share = 0.5 }]
"#;

const REDUNDANT_WHAT_IF: &str = r#"[scenario]
name = "second site for app"
model = "model.toml"
horizon = "12h"

[[event]]
at = "0h"
action = "shutdown"
target = "dc-1"
for = "4h"

[patch]

[[patch.site]]
id = "dc-2"

[[patch.service]]
id = "app"
hosted_on = { any_of = ["dc-1", "dc-2"] }
"#;

fn stdout(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json_in(dir: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&stdout(&run_in(dir, &all))).unwrap()
}

/// The tiny model with scenarios `slow` (3 h down), `fast` (1 h), `long` (5 h), `never`
/// (down for 2 days: past the horizon) and `other` (1 h on TINY_2).
fn tiny_dir() -> TempDir {
    dir_with(&[
        ("model.toml", TINY),
        ("model-2.toml", TINY_2),
        ("slow.toml", &outage("slow", "model.toml", "3h")),
        ("fast.toml", &outage("fast", "model.toml", "1h")),
        ("long.toml", &outage("long", "model.toml", "5h")),
        ("never.toml", &outage("never", "model.toml", "2d")),
        ("other.toml", &outage("other", "model-2.toml", "1h")),
    ])
}

#[track_caller]
fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!(
        (a - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "expected {expected}, got {a}"
    );
}

/// The entry of `list` whose `id` is `id`.
fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no `{id}` in {list}"))
}

// ---------------------------------------------------------------------------------------------
// Hand-worked figures
// ---------------------------------------------------------------------------------------------

#[test]
fn compare_two_scenarios_hand_worked() {
    // slow: 10 people × 3 h = 30 people-hours; fast: 10 × 1 h = 10.
    // SAIDI = people-hours / 10 people: 3 and 1; SAIFI 1 each; CAIDI 3 and 1.
    // Per year: × 8760 h / 24 h = 10,950 and 3,650.
    let dir = tiny_dir();
    let j = json_in(dir.path(), &["compare", "slow.toml", "fast.toml"]);
    assert_eq!(j["baseline"]["scenario"], "slow");
    assert_eq!(j["baseline"]["patch"], "none");
    assert_eq!(j["models_differ"], false);
    close(&j["baseline_summary"]["people_hours"], 30.0);
    let v = &j["comparisons"][0];
    assert_eq!(v["scenario"]["label"], "B");
    assert_eq!(v["scenario"]["scenario"], "fast");
    let s = &v["summary"];
    let ph = &s["people_hours"];
    close(&ph["baseline"], 30.0);
    close(&ph["value"], 10.0);
    close(&ph["difference"], -20.0);
    close(&ph["ratio"], 1.0 / 3.0);
    close(&s["recovered_at_h"]["difference"], -2.0);
    close(&s["saidi_h"]["ratio"], 1.0 / 3.0);
    close(&s["saifi"]["value"], 1.0);
    close(&s["saifi"]["ratio"], 1.0);
    close(&s["caidi_h"]["difference"], -2.0);
    close(&s["people_hours_per_year"]["baseline"], 10_950.0);
    close(&s["people_hours_per_year"]["value"], 3_650.0);
    close(&s["peak_affected"]["difference"], 0.0);
    // The peak is at 0 h on both sides: the difference is 0, the ratio undefined.
    close(&s["peak_time_h"]["difference"], 0.0);
    assert_eq!(s["peak_time_h"]["ratio"], Value::Null);

    let c1 = by_id(&v["clients"], "c1");
    assert_eq!(c1["status"], "changed");
    close(&c1["difference"], -20.0);
    close(&c1["ratio"], 1.0 / 3.0);
    let app = by_id(&v["services"], "app");
    close(&app["baseline"], 3.0);
    close(&app["value"], 1.0);
    close(&app["difference"], -2.0);
    // The site never went down: listed (JSON lists every id), unchanged, ratio 0/0 undefined.
    let dc = by_id(&v["services"], "dc");
    assert_eq!(dc["status"], "same");
    assert_eq!(dc["ratio"], Value::Null);
    // Sorted by the size of the change: app first.
    assert_eq!(v["services"][0]["id"], "app");

    let table = stdout(&run_in(dir.path(), &["compare", "slow.toml", "fast.toml"]));
    assert!(table.contains("2 scenarios of the model tiny; A is the baseline"));
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("People-hours "))
        .unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cells, ["People-hours", "30", "10", "-20", "0.333"]);
    let c1 = table
        .lines()
        .find(|l| l.trim_start().starts_with("c1 "))
        .unwrap();
    assert_eq!(
        c1.split_whitespace().collect::<Vec<_>>(),
        ["c1", "30", "10", "-20", "0.333"]
    );
    for l in table.lines() {
        assert!(l.chars().count() <= 85, "too wide: {l}");
    }
}

#[test]
fn compare_patch_only_with_added_redundancy() {
    let dir = dir_with(&[
        ("model.toml", REDUNDANT_MODEL),
        ("what-if.toml", REDUNDANT_WHAT_IF),
    ]);
    let j = json_in(dir.path(), &["compare", "what-if.toml"]);
    assert_eq!(j["baseline"]["patch"], "removed");
    assert_eq!(
        j["baseline"]["patched_ids"],
        serde_json::json!(["dc-2", "app"])
    );
    let v = &j["comparisons"][0];
    assert_eq!(v["scenario"]["patch"], "applied");
    let ph = &v["summary"]["people_hours"];
    close(&ph["baseline"], 400.0);
    close(&ph["value"], 200.0);
    close(&ph["difference"], -200.0);
    close(&ph["ratio"], 0.5);
    // Peak: 100 people without the patch, 50 with it.
    close(&v["summary"]["peak_affected"]["ratio"], 0.5);
    // app: 4 h unavailable without the patch, never with it; db 4 h on both sides.
    close(&by_id(&v["services"], "app")["difference"], -4.0);
    close(&by_id(&v["services"], "app")["ratio"], 0.0);
    assert_eq!(by_id(&v["services"], "db")["status"], "same");
    // The patch adds dc-2: on one side only, never down.
    let dc2 = by_id(&v["services"], "dc-2");
    assert_eq!(dc2["status"], "added");
    assert_eq!(dc2["baseline"], Value::Null);
    close(&dc2["difference"], 0.0);
    assert_eq!(v["added"]["services"], serde_json::json!(["dc-2"]));
    assert_eq!(v["removed"]["services"], serde_json::json!([]));

    let table = stdout(&run_in(dir.path(), &["compare", "what-if.toml"]));
    assert!(table.starts_with("One scenario without and with its patch, model redundancy"));
    assert!(table.contains("second site for app (without its patch)"));
    assert!(table.contains("patch left out: dc-2, app"));
}

#[test]
fn compare_rto_breaches_appear_disappear_and_change_length() {
    // RTO 2 h. slow: one breach of 3 h; fast (1 h): none; long: 5 h.
    let dir = tiny_dir();
    let j = json_in(
        dir.path(),
        &["compare", "slow.toml", "fast.toml", "long.toml"],
    );
    let gone = by_id(&j["comparisons"][0]["rto_breaches"], "app");
    assert_eq!(gone["status"], "disappeared");
    close(&gone["baseline"]["breach_h"], 3.0);
    assert_eq!(gone["value"], Value::Null);
    close(&gone["difference_h"], -3.0);
    let longer = by_id(&j["comparisons"][1]["rto_breaches"], "app");
    assert_eq!(longer["status"], "longer");
    close(&longer["difference_h"], 2.0);
    close(&longer["value"]["breach_h"], 5.0);
    assert_eq!(longer["value"]["count"], 1);

    let j = json_in(dir.path(), &["compare", "fast.toml", "slow.toml"]);
    let new = by_id(&j["comparisons"][0]["rto_breaches"], "app");
    assert_eq!(new["status"], "appeared");
    close(&new["difference_h"], 3.0);

    let j = json_in(dir.path(), &["compare", "long.toml", "slow.toml"]);
    assert_eq!(
        by_id(&j["comparisons"][0]["rto_breaches"], "app")["status"],
        "shorter"
    );

    let table = stdout(&run_in(
        dir.path(),
        &["compare", "slow.toml", "fast.toml", "long.toml"],
    ));
    assert!(table.contains("disappeared"), "{table}");
    assert!(table.contains("longer by 2h"), "{table}");
    assert!(table.contains("C against A"), "{table}");
}

#[test]
fn compare_not_recovered_has_no_difference() {
    // never: down past the 1-day horizon, so not recovered: difference and ratio undefined.
    let dir = tiny_dir();
    let j = json_in(dir.path(), &["compare", "slow.toml", "never.toml"]);
    let rec = &j["comparisons"][0]["summary"]["recovered_at_h"];
    close(&rec["baseline"], 3.0);
    assert_eq!(rec["value"], Value::Null);
    assert_eq!(rec["difference"], Value::Null);
    assert_eq!(rec["ratio"], Value::Null);
    // 10 people × 24 h.
    close(
        &j["comparisons"][0]["summary"]["people_hours"]["value"],
        240.0,
    );
    let b = by_id(&j["comparisons"][0]["rto_breaches"], "app");
    assert_eq!(b["value"]["ongoing"], true);
    let table = stdout(&run_in(dir.path(), &["compare", "slow.toml", "never.toml"]));
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("Recovered"))
        .unwrap();
    assert!(
        line.contains("not recovered") && line.contains('–'),
        "{line}"
    );
}

#[test]
fn compare_added_and_removed_ids_across_models() {
    // slow on `tiny` (client c1, 30 people-hours) against other on `tiny-2` (client c2, 10).
    let dir = tiny_dir();
    let j = json_in(dir.path(), &["compare", "slow.toml", "other.toml"]);
    assert_eq!(j["models_differ"], true);
    let v = &j["comparisons"][0];
    assert_eq!(v["scenario"]["model"], "tiny-2");
    assert_eq!(v["added"]["clients"], serde_json::json!(["c2"]));
    assert_eq!(v["removed"]["clients"], serde_json::json!(["c1"]));
    let c1 = by_id(&v["clients"], "c1");
    assert_eq!(c1["status"], "removed");
    assert_eq!(c1["value"], Value::Null);
    close(&c1["difference"], -30.0);
    assert_eq!(c1["ratio"], Value::Null);
    let c2 = by_id(&v["clients"], "c2");
    assert_eq!(c2["status"], "added");
    close(&c2["difference"], 10.0);
    // Largest change first: c1 (-30), then c2 (+10).
    assert_eq!(v["clients"][0]["id"], "c1");
    assert_eq!(v["clients"][1]["id"], "c2");

    let table = stdout(&run_in(dir.path(), &["compare", "slow.toml", "other.toml"]));
    assert!(table.contains("different models"), "{table}");
    assert!(table.contains("model tiny-2"), "{table}");
    let c1_line = table
        .lines()
        .find(|l| l.trim_start().starts_with("c1 "))
        .unwrap();
    assert!(c1_line.ends_with("removed"), "{c1_line}");
    assert!(
        table
            .lines()
            .any(|l| l.trim_start().starts_with("c2 ") && l.ends_with("added"))
    );
}

#[test]
fn compare_csv_long_format() {
    let dir = tiny_dir();
    let out = stdout(&run_in(
        dir.path(),
        &["compare", "slow.toml", "fast.toml", "--csv"],
    ));
    let (header, rows) = read_csv_from(out.as_bytes());
    assert_eq!(
        header,
        [
            "scope",
            "id",
            "figure",
            "scenario",
            "file",
            "status",
            "value",
            "baseline",
            "difference",
            "ratio"
        ]
    );
    let find = |scope: &str, id: &str, figure: &str| {
        rows.iter()
            .find(|r| r[0] == scope && r[1] == id && r[2] == figure)
            .unwrap_or_else(|| panic!("no {scope},{id},{figure} in {rows:?}"))
    };
    let ph = find("summary", "", "people_hours");
    assert_eq!(ph[3], "fast");
    assert_eq!(ph[4], "fast.toml");
    assert_eq!(ph[5], "changed");
    assert_eq!(num(&ph[column(&header, "value")]), 10.0);
    assert_eq!(num(&ph[column(&header, "baseline")]), 30.0);
    assert_eq!(num(&ph[column(&header, "difference")]), -20.0);
    assert!((num(&ph[column(&header, "ratio")]) - 1.0 / 3.0).abs() < 1e-12);
    // Undefined cells are empty.
    assert_eq!(find("summary", "", "peak_time_h")[9], "");
    assert_eq!(num(&find("client", "c1", "people_hours")[8]), -20.0);
    assert_eq!(find("service", "dc", "unavailable_h")[5], "same");
    let rto = find("rto", "app", "breach_h");
    assert_eq!(rto[5], "disappeared");
    assert_eq!(rto[6], "");
    assert_eq!(num(&rto[7]), 3.0);
    assert_eq!(num(&find("rto", "app", "breaches")[8]), -1.0);
    // 8 summary rows, 1 client, 2 nodes, 2 rto rows.
    assert_eq!(rows.len(), 13);
}

#[test]
fn compare_json_has_every_key() {
    let dir = tiny_dir();
    let j = json_in(dir.path(), &["compare", "slow.toml", "fast.toml"]);
    for k in [
        "baseline",
        "baseline_summary",
        "models_differ",
        "comparisons",
    ] {
        assert!(j.get(k).is_some(), "no `{k}`");
    }
    let side_keys = [
        "label",
        "file",
        "scenario",
        "model",
        "patch",
        "patched_ids",
        "population_label",
        "total_population",
        "horizon_h",
    ];
    for k in side_keys {
        assert!(j["baseline"].get(k).is_some(), "baseline has no `{k}`");
    }
    let v = &j["comparisons"][0];
    for k in [
        "scenario",
        "summary",
        "clients",
        "services",
        "rto_breaches",
        "added",
        "removed",
    ] {
        assert!(v.get(k).is_some(), "comparison has no `{k}`");
    }
    // The figures, in the order of `run --json` (serde_json's map here sorts its keys, so
    // the order is checked in the text).
    let order = [
        "peak_affected",
        "peak_time_h",
        "people_hours",
        "recovered_at_h",
        "saidi_h",
        "saifi",
        "caidi_h",
        "people_hours_per_year",
    ];
    let mut figures: Vec<&str> = v["summary"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    figures.sort_unstable();
    let mut sorted = order;
    sorted.sort_unstable();
    assert_eq!(figures, sorted);
    let text = stdout(&run_in(
        dir.path(),
        &["compare", "slow.toml", "fast.toml", "--json"],
    ));
    let at = |k: &str| text.find(&format!("\"{k}\": {{")).unwrap();
    assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])));
    for (_, d) in v["summary"].as_object().unwrap() {
        for k in ["baseline", "value", "difference", "ratio"] {
            assert!(d.get(k).is_some(), "figure has no `{k}`: {d}");
        }
    }
    for k in [
        "id",
        "name",
        "status",
        "baseline",
        "value",
        "difference",
        "ratio",
    ] {
        assert!(v["clients"][0].get(k).is_some(), "client has no `{k}`");
        assert!(v["services"][0].get(k).is_some(), "service has no `{k}`");
    }
    let b = &v["rto_breaches"][0];
    for k in ["id", "status", "baseline", "value", "difference_h"] {
        assert!(b.get(k).is_some(), "breach has no `{k}`");
    }
    for k in [
        "count",
        "breach_h",
        "longest_h",
        "ongoing",
        "people_affected",
    ] {
        assert!(b["baseline"].get(k).is_some(), "breaches have no `{k}`");
    }
    for k in ["clients", "services"] {
        assert!(v["added"][k].is_array() && v["removed"][k].is_array());
    }
}

// ---------------------------------------------------------------------------------------------
// The shipped what-ifs
// ---------------------------------------------------------------------------------------------

#[test]
fn compare_bitmarck_agrees_with_run() {
    let models = root().join("models/bitmarck-2023");
    let dir = models.as_path();
    let ph = |file: &str| json_in(dir, &["run", file])["people_hours"].clone();
    let attack = ph("attack-2023.toml");
    let faster = ph("what-if-faster-repair.toml");
    let j = json_in(
        dir,
        &["compare", "attack-2023.toml", "what-if-faster-repair.toml"],
    );
    let s = &j["comparisons"][0]["summary"]["people_hours"];
    assert_eq!(s["baseline"], attack);
    assert_eq!(s["value"], faster);
    assert!(faster.as_f64().unwrap() < attack.as_f64().unwrap());
    // The what-if alone: its baseline (same events, no patch) is the attack itself.
    let j = json_in(dir, &["compare", "what-if-faster-repair.toml"]);
    let s = &j["comparisons"][0]["summary"]["people_hours"];
    assert_eq!(s["baseline"], attack);
    assert_eq!(s["value"], faster);
}

// ---------------------------------------------------------------------------------------------
// Usage errors and bad input
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn assert_exit(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(code), "stderr:\n{stderr}");
    assert!(stderr.contains(needle), "expected `{needle}` in:\n{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout on an error");
}

#[test]
fn compare_usage_errors_exit_2() {
    let dir = tiny_dir();
    let one = run_in(dir.path(), &["compare", "slow.toml"]);
    assert_exit(&one, 2, "slow.toml has no [patch]");
    assert_exit(&one, 2, "hint: name a second scenario");
    assert_exit(&run_in(dir.path(), &["compare"]), 2, "required");
    assert_exit(
        &run_in(
            dir.path(),
            &["compare", "slow.toml", "fast.toml", "--json", "--csv"],
        ),
        2,
        "cannot be used with",
    );
}

#[test]
fn compare_keeps_each_scenarios_own_error() {
    let bad = outage("bad", "model.toml", "1h").replace("target = \"app\"", "target = \"ap\"");
    let dir = dir_with(&[
        ("model.toml", TINY),
        ("fast.toml", &outage("fast", "model.toml", "1h")),
        ("bad.toml", &bad),
    ]);
    // The second file is bad: its own located error (line 9, column 10), exit 2.
    let out = run_in(dir.path(), &["compare", "fast.toml", "bad.toml"]);
    assert_exit(&out, 2, "error: bad.toml:9:10: unknown target `ap`");
    assert_exit(&out, 2, "did you mean `app`?");
    // A missing file is an I/O failure: exit 3.
    let out = run_in(dir.path(), &["compare", "fast.toml", "missing.toml"]);
    assert_exit(&out, 3, "missing.toml");
}

#[test]
fn compare_patch_only_names_an_unpatched_failure() {
    // The event targets `dc-2`, which only the patch adds: without the patch it matches
    // nothing, and the error says so.
    let what_if = REDUNDANT_WHAT_IF.replace("target = \"dc-1\"", "target = \"dc-2\"");
    let dir = dir_with(&[("model.toml", REDUNDANT_MODEL), ("what-if.toml", &what_if)]);
    let out = run_in(dir.path(), &["compare", "what-if.toml"]);
    assert_exit(
        &out,
        2,
        "error: what-if.toml:9:10: without its [patch]: unknown target `dc-2`",
    );
}

/// A restoration order that names a node only the patch adds: the baseline (the scenario
/// without its patch) leaves it out with a warning instead of failing on an unknown id.
/// With the patch, `b` is shut down too, and one crew restarts `b` first (2 h to 5 h), then
/// `a` (5 h to 6 h): 100 people × 6 h = 600 people-hours. Without it, `a` alone, 2 h to
/// 3 h: 300.
#[test]
fn compare_baseline_leaves_out_of_order_what_only_the_patch_adds() {
    let model = r#"
[model]
name = "one"

[[service]]
id = "a"
restart = "1h"

[[client]]
id = "x"
population = 100
uses = ["a"]
"#;
    let scenario = r#"
[scenario]
name = "b first"
model = "model.toml"
horizon = "1d"
crews = 1
policy = "order"
order = ["b", "a"]

[[event]]
at = "0h"
action = "shutdown"
target = "service:*"
for = "2h"

[patch]
[[patch.service]]
id = "b"
restart = "3h"
"#;
    let dir = dir_with(&[("model.toml", model), ("s.toml", scenario)]);
    let path = dir.path().join("s.toml");
    let base = impactsim::scenario::load_scenario_unpatched(&path).unwrap();
    assert_eq!(
        base.warnings,
        ["`order` names `b`, which only the patch adds; without the patch it is left out"]
    );
    let patched = impactsim::load_scenario(&path).unwrap();
    assert!(patched.warnings.is_empty(), "{:?}", patched.warnings);
    close_to(impactsim::metrics::run(&base).people_hours, 300.0);
    close_to(impactsim::metrics::run(&patched).people_hours, 600.0);

    let j = json_in(dir.path(), &["compare", "s.toml"]);
    close(
        &j["comparisons"][0]["summary"]["people_hours"]["baseline"],
        300.0,
    );
    close(
        &j["comparisons"][0]["summary"]["people_hours"]["value"],
        600.0,
    );
    // A plain unknown id in `order` stays an error.
    let typo = scenario.replace("order = [\"b\", \"a\"]", "order = [\"c\", \"a\"]");
    std::fs::write(&path, typo).unwrap();
    assert!(impactsim::scenario::load_scenario_unpatched(&path).is_err());
}

fn close_to(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} ≠ {expected}");
}

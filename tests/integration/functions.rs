//! Business functions: availability, disruption, time on fallbacks, tolerances, each worked
//! by hand.
//!
//! Site S carries A and B; C requires A. B has a fallback at half capacity, 1h after its
//! loss. S is shut down at 1h and restarted at 4h (no restart times: all back at 4h; B's
//! fallback engages at 2h and switches back at 4h).
//!
//! - F1 (every client) needs C, mtpd 2h, rto 1h: down 1h–4h. Disrupted 3h, longest 3h,
//!   restored at 4h; it depends on no fallback. Breaches: mtpd by 1h, rto by 2h. Loss 3 h.
//! - F2 (every client) needs any of A, B, min_level 0.5, mtn 1h: 0 from 1h to 2h, then 0.5
//!   on B's fallback until 4h. Disrupted only 1h–2h (0.5 is not below 0.5). On fallback
//!   2h–4h: mtn breached by 1h. Loss 1 × 1h + 0.5 × 2h = 2 h.
//! - F3 (Y's own, weight 2) needs B: below 1 from 1h to 4h (disrupted 3h); loss 1 + 0.5 × 2
//!   = 2 h; people-hours 50 × 2 = 100, weighted 200.
//!
//! X has 100 people, Y 50.

use crate::common::run_text;
use impactsim::metrics::FunctionResult;

const MODEL: &str = r#"
[model]
name = "functions"

[[function]]
id = "F1"
name = "Claims"
needs = "C"
mtpd = "2h"
rto = "1h"

[[function]]
id = "F2"
needs = { any_of = ["A", "B"] }
min_level = 0.5
mtn = "1h"

[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
[[service]]
id = "B"
hosted_on = "S"
fallback = { capacity = 0.5, activation = "1h" }
[[service]]
id = "C"
requires = "A"

[[client]]
id = "X"
population = 100
uses = ["C"]

[[client]]
id = "Y"
population = 50
uses = ["B"]
[[client.function]]
id = "F3"
needs = ["B"]
weight = 2
"#;

const SCENARIO: &str = r#"
[scenario]
name = "S down 1h-4h"
model = "model.toml"
horizon = "6h"
[[event]]
at = "1h"
action = "shutdown"
target = "S"
for = "3h"
"#;

fn row<'a>(rows: &'a [FunctionResult], client: &str, function: &str) -> &'a FunctionResult {
    rows.iter()
        .find(|r| r.client == client && r.function == function)
        .unwrap_or_else(|| panic!("no row {client} × {function}"))
}

fn breaches(r: &FunctionResult) -> Vec<(&str, f64, f64, f64)> {
    r.breaches
        .iter()
        .map(|b| (b.tolerance, b.limit_h, b.actual_h, b.by_h))
        .collect()
}

#[test]
fn rows_come_client_by_client_model_functions_first() {
    let r = run_text(MODEL, SCENARIO);
    let order: Vec<(&str, &str)> = r
        .functions
        .iter()
        .map(|f| (f.client.as_str(), f.function.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("X", "F1"),
            ("X", "F2"),
            ("Y", "F1"),
            ("Y", "F2"),
            ("Y", "F3")
        ]
    );
}

#[test]
fn a_function_that_needs_a_down_service() {
    let r = run_text(MODEL, SCENARIO);
    let f1 = row(&r.functions, "X", "F1");
    assert_eq!(f1.name, "Claims");
    assert_eq!(f1.first_disrupted_h, Some(1.0));
    assert_eq!(f1.disrupted_h, 3.0);
    assert_eq!(f1.longest_outage_h, 3.0);
    assert_eq!(f1.fallback_h, 0.0);
    assert_eq!(f1.restored_at_h, Some(4.0));
    assert_eq!(f1.people_hours, 300.0);
    assert_eq!(
        breaches(f1),
        [("mtpd", 2.0, 3.0, 1.0), ("rto", 1.0, 3.0, 2.0)]
    );
    // Y has the same function: the same times, its own people.
    let y = row(&r.functions, "Y", "F1");
    assert_eq!((y.disrupted_h, y.people, y.people_hours), (3.0, 50, 150.0));
}

#[test]
fn min_level_and_fallbacks() {
    let r = run_text(MODEL, SCENARIO);
    let f2 = row(&r.functions, "X", "F2");
    assert_eq!(f2.min_level, 0.5);
    assert_eq!(f2.first_disrupted_h, Some(1.0));
    assert_eq!(f2.disrupted_h, 1.0);
    assert_eq!(f2.longest_outage_h, 1.0);
    assert_eq!(f2.fallback_h, 2.0);
    assert_eq!(f2.longest_fallback_h, 2.0);
    assert_eq!(f2.restored_at_h, Some(4.0));
    assert_eq!(f2.people_hours, 200.0);
    assert_eq!(breaches(f2), [("mtn", 1.0, 2.0, 1.0)]);
}

#[test]
fn a_clients_own_function_and_its_weight() {
    let r = run_text(MODEL, SCENARIO);
    let f3 = row(&r.functions, "Y", "F3");
    assert_eq!(f3.disrupted_h, 3.0);
    assert_eq!(f3.fallback_h, 2.0);
    assert_eq!(f3.people_hours, 100.0);
    assert_eq!(f3.weight, 2.0);
    assert_eq!(f3.weighted_people_hours, 200.0);
    assert!(f3.breaches.is_empty());
    assert!(
        !r.functions
            .iter()
            .any(|f| f.client == "X" && f.function == "F3")
    );
}

/// A disruption still running at the horizon counts up to it, and the function is not
/// restored.
#[test]
fn an_ongoing_disruption_is_cut_at_the_horizon() {
    let scenario = SCENARIO.replace("for = \"3h\"\n", "");
    let r = run_text(MODEL, &scenario);
    let f1 = row(&r.functions, "X", "F1");
    assert_eq!(f1.disrupted_h, 5.0);
    assert_eq!(f1.longest_outage_h, 5.0);
    assert_eq!(f1.restored_at_h, None);
    // F2 stays at 0.5 on B's fallback from 2h on: on fallback 4h, disrupted 1h.
    let f2 = row(&r.functions, "X", "F2");
    assert_eq!((f2.disrupted_h, f2.fallback_h), (1.0, 4.0));
}

/// A model without functions has no `functions` in its JSON (old outputs are unchanged).
#[test]
fn no_functions_no_key() {
    let model = MODEL.split("[[site]]").nth(1).unwrap();
    let model = format!("[model]\nname = \"m\"\n[[site]]{model}").replace(
        "[[client.function]]\nid = \"F3\"\nneeds = [\"B\"]\nweight = 2\n",
        "",
    );
    let r = run_text(&model, SCENARIO);
    assert!(r.functions.is_empty());
    assert!(!impactsim::report::json(&r).contains("\"functions\""));
}

/// Bad functions are refused where they are written.
#[test]
fn bad_functions_are_located() {
    let cases = [
        (
            MODEL.replace("needs = \"C\"", "needs = \"Q\""),
            "unknown id `Q`",
            "model.toml:8:",
        ),
        (
            MODEL.replace("needs = \"C\"", "needs = \"X\""),
            "`X` is a client; a function needs sites and services",
            "model.toml:8:",
        ),
        (
            MODEL.replace("id = \"F3\"", "id = \"F1\""),
            "duplicate function `F1`",
            "model.toml:41:",
        ),
        (
            MODEL.replace("min_level = 0.5", "min_level = 0"),
            "`min_level = 0`",
            "model.toml:15:",
        ),
        (
            MODEL.replace("weight = 2", "weight = -1"),
            "a weight is a number of at least 0",
            "model.toml:43:",
        ),
        (
            MODEL.replace("mtn = \"1h\"", "mtn = \"1h\"\nmtpd = 4"),
            "a duration needs a unit",
            "model.toml:17:",
        ),
    ];
    for (model, message, at) in cases {
        let dir = crate::common::dir_with(&[("model.toml", model.as_str())]);
        let out = crate::common::run_in(dir.path(), &["validate", "model.toml"]);
        assert_eq!(out.status.code(), Some(2), "{message}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
        assert!(err.contains(at), "{at}: {err}");
    }
}

/// The summary table has a line per function (the model's functions once, for all their
/// clients), and `--out` writes functions.csv with the breaches by tolerance.
#[test]
fn the_table_and_functions_csv() {
    let r = run_text(MODEL, SCENARIO);
    let table = impactsim::report::summary_table(&r, 10);
    let line = |start: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}: {table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("Claims"), "Claims 150 3h 3h – 4h MTPD +1h, RTO +2h");
    assert_eq!(line("F2"), "F2 150 1h 1h 2h 4h MTN +1h");
    assert_eq!(line("F3 (Y)"), "F3 (Y) 50 3h 3h 2h 4h –");

    let dir = crate::common::dir_with(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let out = crate::common::run_in(dir.path(), &["run", "s.toml", "--out", "out"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read(dir.path().join("out/functions.csv")).unwrap();
    let (header, rows) = crate::common::read_csv_from(&csv[..]);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 5);
    let x_f1 = &rows[0];
    assert_eq!(
        (x_f1[col("client")].as_str(), x_f1[col("function")].as_str()),
        ("X", "F1")
    );
    assert_eq!(x_f1[col("mtpd_exceeded_by_h")], "1");
    assert_eq!(x_f1[col("rto_exceeded_by_h")], "2");
    assert_eq!(x_f1[col("mtn_exceeded_by_h")], "");
    assert_eq!(x_f1[col("people_hours")], "300");
    let y_f3 = &rows[4];
    assert_eq!(y_f3[col("weighted_people_hours")], "200");
}

/// A scenario's patch may give a client other functions (the whole list is replaced).
#[test]
fn a_patch_replaces_a_clients_functions() {
    let scenario = format!(
        "{SCENARIO}[[patch.client]]\nid = \"Y\"\nfunction = [{{ id = \"F4\", needs = \"C\", mtpd = \"4h\" }}]\n"
    );
    let r = run_text(MODEL, &scenario);
    let ids: Vec<&str> = r
        .functions
        .iter()
        .filter(|f| f.client == "Y")
        .map(|f| f.function.as_str())
        .collect();
    assert_eq!(ids, ["F1", "F2", "F4"]);
    // C is down 3h: within F4's 4h.
    assert!(row(&r.functions, "Y", "F4").breaches.is_empty());
}

/// `rank` measures every loss's business functions as a plain run of the same loss does
/// (shutdown at 0, restart ordered after the duration, run to the same horizon: the
/// duration plus the longest activation, 1h here), and ranks by the measure asked for.
#[test]
fn rank_measures_each_loss_like_a_plain_run() {
    use impactsim::measure::Measure;
    use impactsim::rank::{Options, rank};
    let model =
        impactsim::model::load_model(&impactsim::source::Source::from_text("model.toml", MODEL))
            .unwrap();
    for measure in [Measure::WeightedPeopleHours, Measure::ToleranceBreaches] {
        let r = rank(
            &model,
            Options {
                duration: impactsim::SimTime(3 * 3600),
                measure,
                ..Options::default()
            },
        );
        assert_eq!(r.measure.map(Measure::figure), Some(measure.figure()));
        for s in &r.singles {
            let scenario = format!(
                "[scenario]\nname = \"loss\"\nmodel = \"model.toml\"\nhorizon = \"4h\"\n\
                 [[event]]\nat = \"0h\"\naction = \"shutdown\"\ntarget = \"{}\"\nfor = \"3h\"\n",
                s.id
            );
            let plain = run_text(MODEL, &scenario);
            assert_eq!(
                s.weighted_people_hours, plain.weighted_people_hours,
                "{}",
                s.id
            );
            assert_eq!(s.tolerance_breaches, plain.tolerance_breaches, "{}", s.id);
        }
        // Costliest first by the measure.
        let values: Vec<f64> = r
            .singles
            .iter()
            .map(|s| match measure {
                Measure::ToleranceBreaches => s.tolerance_breaches.unwrap() as f64,
                _ => s.weighted_people_hours.unwrap(),
            })
            .collect();
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    }
    // S's loss of 3h: C is down 3h (F1 breaches mtpd 2h and rto 1h for X and Y: 4), F2 is
    // on B's fallback from 1h to 3h (mtn 1h: 2 more); weighted: F1 3 h × 150, F2 1 + 0.5 × 2
    // = 2 h × 150, F3 2 × 2 h × 50.
    let r = rank(
        &model,
        Options {
            duration: impactsim::SimTime(3 * 3600),
            measure: Measure::ToleranceBreaches,
            ..Options::default()
        },
    );
    let s = r.singles.iter().find(|s| s.id == "S").unwrap();
    assert_eq!(s.tolerance_breaches, Some(6));
    assert_eq!(s.weighted_people_hours, Some(450.0 + 300.0 + 200.0));
}

/// `plan --measure` and `rank --measure` refuse a model without business functions.
#[test]
fn a_function_measure_needs_functions() {
    let model = "[model]\nname = \"m\"\n[[site]]\nid = \"S\"\n[[client]]\nid = \"X\"\npopulation = 1\nuses = [\"S\"]\n";
    let dir = crate::common::dir_with(&[("model.toml", model)]);
    let out = crate::common::run_in(
        dir.path(),
        &["rank", "model.toml", "--measure", "tolerance-breaches"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs business functions"), "{err}");
    let out = crate::common::run_in(dir.path(), &["rank", "model.toml", "--measure", "hours"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("weighted-people-hours"));
}

/// `plan --measure`: one crew restarts A (2h, used by X's 100 people) and B (1h, used by
/// Y's 10) after both were shut down until 1h. A first: X waits 3h, Y 4h: 340
/// people-hours; B first: 400 + 20 = 420. So people-hours want A first. A function every
/// client has (110 people) needs B, weight 100, MTPD 3h: A first keeps B down 4h (44,000
/// weighted people-hours, MTPD breached for both clients), B first 2h (22,000, none). Both
/// function measures want B first.
#[test]
fn plan_makes_the_measure_small() {
    let model = r#"
[model]
name = "plan"
[[function]]
id = "urgent"
needs = "B"
weight = 100
mtpd = "3h"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
restart = "2h"
[[service]]
id = "B"
hosted_on = "S"
restart = "1h"
[[client]]
id = "X"
population = 100
uses = ["A"]
[[client]]
id = "Y"
population = 10
uses = ["B"]
"#;
    let scenario = r#"
[scenario]
name = "both down"
model = "model.toml"
horizon = "6h"
[[event]]
at = "0h"
action = "shutdown"
target = ["A", "B"]
for = "1h"
"#;
    let dir = crate::common::dir_with(&[("model.toml", model), ("s.toml", scenario)]);
    let s = impactsim::load_scenario(&dir.path().join("s.toml")).unwrap();
    let plan = |measure| {
        let config = impactsim::plan::Config {
            measure,
            ..impactsim::plan::Config::new(1)
        };
        impactsim::plan::plan(&s, &config).unwrap()
    };
    use impactsim::measure::Measure;
    let p = plan(Measure::PeopleHours);
    assert_eq!(p.order, ["A", "B"]);
    assert_eq!(p.people_hours, 340.0);
    assert!(p.measured.is_none());
    let p = plan(Measure::WeightedPeopleHours);
    assert_eq!(p.order, ["B", "A"]);
    assert_eq!(p.people_hours, 420.0);
    let m = p.measured.unwrap();
    assert_eq!((m.measure, m.plan), ("weighted_people_hours", 22_000.0));
    assert_eq!(m.file_order, 44_000.0);
    let p = plan(Measure::ToleranceBreaches);
    assert_eq!(p.order, ["B", "A"]);
    let m = p.measured.unwrap();
    assert_eq!((m.file_order, m.plan), (2.0, 0.0));
}

/// Monte Carlo gives percentiles of every function's figures and of the measures. With no
/// distribution in the model, every run is the deterministic one.
#[test]
fn montecarlo_reports_functions() {
    let dir = crate::common::dir_with(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let args = ["montecarlo", "s.toml", "--runs", "5", "--json"];
    let json = crate::common::json_in(dir.path(), &args);
    let figure = |list: &serde_json::Value, name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|f| f["figure"] == name)
            .unwrap_or_else(|| panic!("no {name} in {list}"))
            .clone()
    };
    let functions = json["functions"].as_array().unwrap();
    let names: Vec<&str> = functions
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Claims", "F2", "F3 (Y)"]);
    let claims = &functions[0]["figures"];
    assert_eq!(figure(claims, "longest_outage_h")["p50"], 3.0);
    assert_eq!(figure(claims, "restored_at_h")["p50"], 4.0);
    assert_eq!(figure(claims, "breaches")["p50"], 2.0);
    // The measures of the deterministic run: 4 + 2 breaches (see the module's comment);
    // weighted people-hours F1 3 h × 150, F2 2 h × 150, F3 2 × 2 h × 50.
    assert_eq!(figure(&json["measures"], "tolerance_breaches")["p50"], 6.0);
    assert_eq!(
        figure(&json["measures"], "weighted_people_hours")["p50"],
        950.0
    );
}

/// `batch --measure` shows the measure beside the figures and sorts by it; `compare
/// --measure` compares it as one more figure. The second scenario keeps S down 1h longer
/// (until 5h): F1's outage is 4h (2 breaches per client, as before), F2 on fallback 3h
/// (MTN still breached): the same 6 breaches; the weighted people-hours grow by F1 1 h ×
/// 150 + F2 0.5 × 1 h × 150 + F3 2 × 0.5 h × 50 = 275, to 1,225.
#[test]
fn batch_and_compare_by_a_measure() {
    let longer = SCENARIO
        .replace("for = \"3h\"", "for = \"4h\"")
        .replace("S down 1h-4h", "S down 1h-5h");
    let dir = crate::common::dir_with(&[
        ("model.toml", MODEL),
        ("a.toml", SCENARIO),
        ("b.toml", longer.as_str()),
    ]);
    let out = crate::common::run_in(
        dir.path(),
        &[
            "batch",
            "a.toml",
            "b.toml",
            "--measure",
            "weighted-people-hours",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(&str, f64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let w = r["weighted_people_hours"].as_f64().unwrap();
            (r["file"].as_str().unwrap(), w)
        })
        .map(|(f, w)| (f.rsplit('/').next().unwrap(), w))
        .collect();
    assert_eq!(got, [("b.toml", 1225.0), ("a.toml", 950.0)]);

    let out = crate::common::run_in(
        dir.path(),
        &[
            "compare",
            "a.toml",
            "b.toml",
            "--measure",
            "tolerance-breaches",
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tolerance_breaches"), "{text}");
    let out = crate::common::run_in(
        dir.path(),
        &[
            "compare",
            "a.toml",
            "b.toml",
            "--measure",
            "tolerance-breaches",
        ],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    let line = table
        .lines()
        .find(|l| l.contains("Tolerances breached"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(line, "Tolerances breached 6 6 0 1.000");
}

/// `backup` and `rpo`: D is backed up at 0, 4h, 8h, …; a failure loses what was written
/// since the last backup. A function needing E (which requires D) with an RPO of 2h:
/// - D fails at 5h: 1h lost, within the RPO;
/// - D fails at 7h: 3h lost, RPO exceeded by 1h;
/// - D only shut down at 7h: nothing lost (a shutdown damages nothing);
/// - D fails at 5h, is restarted at 6h (repair 0: up again) and fails at 11h: the larger of
///   1h and 3h.
///
/// A function that depends on no backup reports no data lost.
#[test]
fn backups_and_data_loss() {
    let model = r#"
[model]
name = "backups"
[[function]]
id = "records"
needs = "E"
rpo = "2h"
[[function]]
id = "other"
needs = "F"
[[site]]
id = "S"
[[service]]
id = "D"
hosted_on = "S"
backup = { every = "4h" }
[[service]]
id = "E"
requires = "D"
[[service]]
id = "F"
hosted_on = "S"
[[client]]
id = "X"
population = 10
uses = ["E"]
"#;
    let scenario = |events: &str| {
        format!("[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"12h\"\n{events}")
    };
    let event = |at: &str, action: &str| {
        format!("[[event]]\nat = \"{at}\"\naction = \"{action}\"\ntarget = \"D\"\n")
    };
    let lost = |events: String| {
        let r = run_text(model, &scenario(&events));
        let f = row(&r.functions, "X", "records");
        let other = row(&r.functions, "X", "other");
        assert_eq!(other.data_lost_h, None);
        let b: Vec<(String, f64, f64, f64)> = breaches(f)
            .into_iter()
            .map(|(t, l, a, by)| (t.to_string(), l, a, by))
            .collect();
        (f.data_lost_h, b)
    };
    let rpo = |by: f64| vec![("rpo".to_string(), 2.0, 2.0 + by, by)];
    assert_eq!(lost(event("5h", "fail")), (Some(1.0), vec![]));
    assert_eq!(lost(event("7h", "fail")), (Some(3.0), rpo(1.0)));
    assert_eq!(lost(event("7h", "shutdown")), (Some(0.0), vec![]));
    let twice = event("5h", "fail") + &event("6h", "restart") + &event("11h", "fail");
    assert_eq!(lost(twice), (Some(3.0), rpo(1.0)));
}

/// The HTML report of a run with functions has their table, with the breaches; one without
/// has none.
#[test]
fn the_html_report_has_the_functions() {
    let dir = crate::common::dir_with(&[("model.toml", MODEL), ("s.toml", SCENARIO)]);
    let out = crate::common::run_in(dir.path(), &["run", "s.toml", "--report", "r.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("id=\"functions\""));
    assert!(html.contains("MTPD +1h, RTO +2h"), "the breaches of F1");
    let plain = MODEL.replace(
        "[[client.function]]\nid = \"F3\"\nneeds = [\"B\"]\nweight = 2\n",
        "",
    );
    let plain = format!(
        "[model]\nname = \"m\"\n[[site]]{}",
        plain.split("[[site]]").nth(1).unwrap()
    );
    std::fs::write(dir.path().join("model.toml"), plain).unwrap();
    let out = crate::common::run_in(dir.path(), &["run", "s.toml", "--report", "r2.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("r2.html")).unwrap();
    assert!(!html.contains("id=\"functions\""));
}

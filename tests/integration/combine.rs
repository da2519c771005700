//! How a client's uses combine (`combine = "max" | "union" | "sum"`), each worked by hand.
//!
//! One model for all: services A and B on site S. Client U (100 people) uses A whole and B
//! at share 0.5; client V (200 people) uses A at share 0.4 and B at share 0.5. The scenario
//! shuts A down from 1h to 3h and B from 2h to 5h, so:
//!
//! | interval | down  | U losses    | V losses     |
//! | -------- | ----- | ----------- | ------------ |
//! | 1h–2h    | A     | 1           | 0.4          |
//! | 2h–3h    | A, B  | 1 and 0.5   | 0.4 and 0.5  |
//! | 3h–5h    | B     | 0.5         | 0.5          |
//!
//! Only 2h–3h, with two uses down at once, tells the modes apart:
//! - max: U 1 → 100, V 0.5 → 100;
//! - union: U 1 − 0 × 0.5 = 1 → 100, V 1 − 0.6 × 0.5 = 0.7 → 140;
//! - sum: U 1.5, capped at 1 → 100, V 0.4 + 0.5 = 0.9 → 180.

use crate::common::run_text;

fn model(model_combine: &str, u_combine: &str) -> String {
    format!(
        r#"
[model]
name = "combine"
{model_combine}
[[site]]
id = "S"
rto = "30m"
[[service]]
id = "A"
hosted_on = "S"
[[service]]
id = "B"
hosted_on = "S"
[[client]]
id = "U"
population = 100
uses = ["A", {{ service = "B", share = 0.5 }}]
{u_combine}
[[client]]
id = "V"
population = 200
uses = [{{ service = "A", share = 0.4 }}, {{ service = "B", share = 0.5 }}]
"#
    )
}

const STAGGERED: &str = r#"
[scenario]
name = "A then B"
model = "model.toml"
horizon = "6h"
[[event]]
at = "1h"
action = "shutdown"
target = "A"
for = "2h"
[[event]]
at = "2h"
action = "shutdown"
target = "B"
for = "3h"
"#;

fn timeline(r: &impactsim::RunResult) -> Vec<(f64, f64)> {
    r.timeline.iter().map(|p| (p.t_h, p.affected)).collect()
}

fn client_hours(r: &impactsim::RunResult) -> Vec<f64> {
    r.clients.iter().map(|c| c.people_hours).collect()
}

/// max (the default): 1h–2h 100 + 80; 2h–3h 100 + 100; 3h–5h 50 + 100.
/// U: 100 + 100 + 2 × 50 = 300; V: 80 + 100 + 2 × 100 = 380.
#[test]
fn max_is_the_default_and_takes_the_worst_use() {
    for (m, u) in [
        ("", ""),
        ("combine = \"max\"", ""),
        ("", "combine = \"max\""),
    ] {
        let r = run_text(&model(m, u), STAGGERED);
        assert_eq!(
            timeline(&r),
            [
                (0.0, 0.0),
                (1.0, 180.0),
                (2.0, 200.0),
                (3.0, 150.0),
                (5.0, 0.0)
            ]
        );
        assert_eq!(client_hours(&r), [300.0, 380.0]);
        assert_eq!(r.people_hours, 680.0);
        assert_eq!(r.combine, "max");
        assert!(r.clients.iter().all(|c| c.combine == "max"));
    }
}

/// union: 2h–3h U 100, V 140. U: 300; V: 80 + 140 + 200 = 420.
#[test]
fn union_counts_independent_uses() {
    let r = run_text(&model("combine = \"union\"", ""), STAGGERED);
    assert_eq!(
        timeline(&r),
        [
            (0.0, 0.0),
            (1.0, 180.0),
            (2.0, 240.0),
            (3.0, 150.0),
            (5.0, 0.0)
        ]
    );
    assert_eq!(client_hours(&r), [300.0, 420.0]);
    assert_eq!(r.people_hours, 720.0);
    assert_eq!(r.peak_affected, 240.0);
    assert_eq!(r.combine, "union");
}

/// sum: 2h–3h U 100 (1.5 capped), V 180. U: 300; V: 80 + 180 + 200 = 460.
#[test]
fn sum_adds_uses_up_to_the_whole_client() {
    let r = run_text(&model("combine = \"sum\"", ""), STAGGERED);
    assert_eq!(
        timeline(&r),
        [
            (0.0, 0.0),
            (1.0, 180.0),
            (2.0, 280.0),
            (3.0, 150.0),
            (5.0, 0.0)
        ]
    );
    assert_eq!(client_hours(&r), [300.0, 460.0]);
    assert_eq!(r.people_hours, 760.0);
}

/// A client's own `combine` wins over the model's: the model sums, U takes the union. U
/// loses the same in every mode here (300); V sums (460).
#[test]
fn a_client_can_combine_its_own_way() {
    let r = run_text(
        &model("combine = \"sum\"", "combine = \"union\""),
        STAGGERED,
    );
    assert_eq!(client_hours(&r), [300.0, 460.0]);
    assert_eq!(r.combine, "sum");
    let modes: Vec<&str> = r.clients.iter().map(|c| c.combine).collect();
    assert_eq!(modes, ["union", "sum"]);
}

/// The people affected through a node (RTO breaches) combine the uses that depend on it
/// the client's way. Site S down 1h–2h takes A and B with it: through S, U loses 1 in
/// every mode (100); V loses 0.5 (max, 100), 0.7 (union, 140) or 0.9 (sum, 180).
#[test]
fn people_through_a_node_combine_as_the_client_does() {
    let site_down = r#"
[scenario]
name = "S down"
model = "model.toml"
horizon = "3h"
[[event]]
at = "1h"
action = "shutdown"
target = "S"
for = "1h"
"#;
    for (mode, through) in [("max", 200.0), ("union", 240.0), ("sum", 280.0)] {
        let r = run_text(&model(&format!("combine = \"{mode}\""), ""), site_down);
        let s = r.services.iter().find(|s| s.id == "S").unwrap();
        assert_eq!(s.rto_breaches.len(), 1, "{mode}");
        assert_eq!(s.rto_breaches[0].people_affected, through, "{mode}");
        assert_eq!(r.peak_affected, through, "{mode}");
    }
}

/// A scenario's patch may change how a client combines; the model's word stays for the
/// others.
#[test]
fn a_patch_can_change_a_clients_combine() {
    let scenario = format!("{STAGGERED}\n[[patch.client]]\nid = \"V\"\ncombine = \"sum\"\n");
    let r = run_text(&model("", ""), &scenario);
    // U by max (300), V by sum (460).
    assert_eq!(client_hours(&r), [300.0, 460.0]);
    assert_eq!(r.combine, "max");
}

/// An unknown mode is an error that names the three.
#[test]
fn an_unknown_mode_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    std::fs::write(&path, model("combine = \"avg\"", "")).unwrap();
    let source = impactsim::source::Source::read(&path).unwrap();
    let err = impactsim::model::load_model(&source)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `avg`"), "{err}");
    assert!(err.contains("`max`, `union`, `sum`"), "{err}");
}

/// Every output says how the uses combine: the summary table, clients.csv and the JSON.
#[test]
fn outputs_say_how_uses_combine() {
    let r = run_text(
        &model("combine = \"sum\"", "combine = \"union\""),
        STAGGERED,
    );
    let table = impactsim::report::summary_table(&r, 10);
    assert!(
        table.contains("\nUses combine by sum (1 client by union)\n"),
        "{table}"
    );
    let csv = impactsim::report::clients_csv(&r).unwrap();
    let (header, rows) = crate::common::read_csv_from(&csv[..]);
    assert_eq!(header[3], "combine");
    assert_eq!((rows[0][0].as_str(), rows[0][3].as_str()), ("U", "union"));
    assert_eq!((rows[1][0].as_str(), rows[1][3].as_str()), ("V", "sum"));
    let json: serde_json::Value = serde_json::from_str(&impactsim::report::json(&r)).unwrap();
    assert_eq!(json["combine"], "sum");
    assert_eq!(json["clients"][0]["combine"], "union");
    // The default reads the same way.
    let r = run_text(&model("", ""), STAGGERED);
    let table = impactsim::report::summary_table(&r, 10);
    assert!(table.contains("\nUses combine by max\n"), "{table}");
}

/// compare says how uses combine: once when the scenarios agree, under each when they do
/// not (here B patches V to sum).
#[test]
fn compare_says_how_each_scenario_combines() {
    let patched = format!("{STAGGERED}\n[[patch.client]]\nid = \"V\"\ncombine = \"sum\"\n");
    let dir = crate::common::dir_with(&[
        ("model.toml", model("", "").as_str()),
        ("a.toml", STAGGERED),
        ("b.toml", patched.as_str()),
    ]);
    let out = crate::common::run_in(dir.path(), &["compare", "a.toml", "a.toml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\nUses combine by max\n"), "{text}");
    let out = crate::common::run_in(dir.path(), &["compare", "a.toml", "b.toml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("     Uses combine by max\n"), "{text}");
    assert!(
        text.contains("     Uses combine by max (1 client by sum)\n"),
        "{text}"
    );
}

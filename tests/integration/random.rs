//! Seeded runs: restart failures, random `for`, random failures against the textbook
//! availability formulas, and the attribution of people-hours, each worked out by hand.

use impactsim::metrics::RunResult;

use crate::common::run_seeded;

fn service<'a>(r: &'a RunResult, id: &str) -> &'a impactsim::metrics::ServiceResult {
    r.services.iter().find(|s| s.id == id).unwrap()
}

fn one_service(restart_failure: &str) -> String {
    format!(
        r#"
[model]
name = "restart failure"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
restart = "1h"
{restart_failure}
[[client]]
id = "X"
population = 10
uses = ["A"]
"#
    )
}

const SHUT_AND_RESTART: &str = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "shutdown"
target = "A"
[[event]]
at = "2h"
action = "restart"
target = "A"
"#;

/// Every restart fails (probability 1), off 2h between attempts, 3 attempts:
/// 1h off; 2h restart: restarting 2h-3h, fails (1), off until 5h; restarting 5h-6h, fails (2),
/// off until 8h; restarting 8h-9h, fails (3): left off, with a warning. 10 people × 11 h.
/// The deterministic run draws no failures: up at 3h, 10 × 2 h.
#[test]
fn restart_failures_until_the_bound() {
    let model =
        one_service(r#"restart_failure = { probability = 1.0, down = "2h", attempts = 3 }"#);
    let r = run_seeded(&model, SHUT_AND_RESTART, Some(1));
    assert_eq!(r.people_hours, 110.0);
    assert_eq!(r.recovered_at_h, None);
    assert_eq!(service(&r, "A").restarts, 0);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("`A` failed 3 restarts in a row by 9h")),
        "{:?}",
        r.warnings
    );
    let d = run_seeded(&model, SHUT_AND_RESTART, None);
    assert_eq!((d.people_hours, d.recovered_at_h), (20.0, Some(3.0)));
    assert_eq!(service(&d, "A").restarts, 1);
}

/// Probability 0: a seeded run is the deterministic one.
#[test]
fn restart_failure_never() {
    let model = one_service(r#"restart_failure = { probability = 0, down = "2h" }"#);
    for seed in 0..5 {
        let r = run_seeded(&model, SHUT_AND_RESTART, Some(seed));
        assert_eq!((r.people_hours, r.recovered_at_h), (20.0, Some(3.0)));
    }
}

/// Probability ½, down 2h: the number k of failed attempts before the first success has
/// P(k) = 1/2^(k+1). The service comes back at 3h + 3h·k, and people-hours are 10 × (2 + 3k).
/// Within the 12h horizon k counts up to 3 (three failures and more read as 3). Over 400
/// seeds: every result has that form, both k = 0 and k = 1 occur, and the mean of min(k, 3)
/// is near ½·0 + ¼·1 + ⅛·2 + ⅛·3 = 0.875 (standard error about 0.05).
#[test]
fn restart_failure_half() {
    let model = one_service(r#"restart_failure = { probability = 0.5, down = "2h" }"#);
    let mut ks = Vec::new();
    for seed in 0..400 {
        let r = run_seeded(&model, SHUT_AND_RESTART, Some(seed));
        match r.recovered_at_h {
            Some(t) => {
                let k = (t - 3.0) / 3.0;
                assert_eq!(k.fract(), 0.0, "back at {t}");
                assert_eq!(r.people_hours, 10.0 * (2.0 + 3.0 * k));
                ks.push(k);
            }
            // Three failures push the next attempt past the horizon (12h).
            None => ks.push(3.0),
        }
    }
    let mean = ks.iter().sum::<f64>() / ks.len() as f64;
    assert!((mean - 0.875).abs() < 0.2, "mean failed attempts {mean}");
    assert!(ks.contains(&0.0) && ks.contains(&1.0));
}

/// `for` as a distribution: shutdown at 1h for uniform 2h..4h, restart 0h. The deterministic
/// run uses the median, 3h: 10 × 3 = 30 people-hours. Seeded runs stay within 10 × [2, 4]
/// and differ from each other.
#[test]
fn random_for() {
    let model = one_service("").replace(r#"restart = "1h""#, r#"restart = "0h""#);
    let scenario = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "shutdown"
target = "A"
for = { dist = "uniform", min = "2h", max = "4h" }
"#;
    assert_eq!(run_seeded(&model, scenario, None).people_hours, 30.0);
    let drawn: Vec<f64> = (0..50)
        .map(|s| run_seeded(&model, scenario, Some(s)).people_hours)
        .collect();
    assert!(
        drawn.iter().all(|&p| (20.0..=40.0).contains(&p)),
        "{drawn:?}"
    );
    assert!(drawn.iter().any(|&p| p != drawn[0]));
}

/// Random failures against the textbook formulas. A, B, C fail independently with
/// exponential times between failures (mean 100 h) and to restore (mean 10 h): each is
/// available MTBF / (MTBF + MTTR) = 100/110 of the time. Then
///   series X (needs A and B):     A²            = 0.826446
///   parallel Y (any of A, B):     1 − (1 − A)²  = 0.991736
///   2-of-3 Z (2 of A, B, C):      3A² − 2A³     = 0.976709
/// 24 runs of 20,000 h each; the mean availability over runs must lie within 4 standard
/// errors of the formula, and the standard error must be small enough to tell them apart.
#[test]
fn availability_matches_closed_forms() {
    let model = r#"
[model]
name = "availability"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
mtbf = "100h"
mttr = "10h"
[[service]]
id = "B"
hosted_on = "S"
mtbf = "100h"
mttr = "10h"
[[service]]
id = "C"
hosted_on = "S"
mtbf = { dist = "exponential", mean = "100h" }
mttr = { dist = "exponential", mean = "10h" }
[[service]]
id = "X"
hosted_on = "S"
requires = ["A", "B"]
[[service]]
id = "Y"
hosted_on = "S"
requires = { any_of = ["A", "B"] }
[[service]]
id = "Z"
hosted_on = "S"
requires = { k = 2, of = ["A", "B", "C"] }
[[client]]
id = "P"
population = 100
uses = ["X", "Y", "Z"]
"#;
    let scenario = r#"
[scenario]
name = "years of random failures"
model = "model.toml"
horizon = "20000h"
step = "100h"
"#;
    let a = 100.0 / 110.0;
    let expected = [
        ("A", a),
        ("B", a),
        ("C", a),
        ("X", a * a),
        ("Y", 1.0 - (1.0 - a) * (1.0 - a)),
        ("Z", 3.0 * a * a - 2.0 * a * a * a),
    ];
    let runs: Vec<RunResult> = (0..24)
        .map(|seed| run_seeded(model, scenario, Some(1000 + seed)))
        .collect();
    for (id, want) in expected {
        let avail: Vec<f64> = runs
            .iter()
            .map(|r| 1.0 - service(r, id).unavailable_h / 20_000.0)
            .collect();
        let n = avail.len() as f64;
        let mean = avail.iter().sum::<f64>() / n;
        let sd = (avail.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let se = sd / n.sqrt();
        assert!(
            se < 0.003,
            "{id}: standard error {se} too large to test anything"
        );
        assert!(
            (mean - want).abs() < 4.0 * se,
            "{id}: simulated availability {mean:.5} ± {se:.5}, formula {want:.5}"
        );
    }
    // Without a seed nothing fails at random.
    let d = run_seeded(model, scenario, None);
    assert_eq!(d.people_hours, 0.0);
}

/// Attribution: S1 off 1h-3h (A down), S2 off 2h-4h (B down). X (10) uses A, Y (5) uses A
/// and B. [1h, 2h): 15 people, S1 alone down: 15 to S1. [2h, 3h): 15 people, S1 and S2 down:
/// 7.5 each. [3h, 4h): Y through B, 5 people: 5 to S2. S1 22.5, S2 12.5, total 35; per year
/// 35 × 8760 / 10 = 30,660.
#[test]
fn people_hours_are_attributed_to_the_nodes_down() {
    let model = r#"
[model]
name = "attribution"
[[site]]
id = "S1"
[[site]]
id = "S2"
[[service]]
id = "A"
hosted_on = "S1"
[[service]]
id = "B"
hosted_on = "S2"
[[client]]
id = "X"
population = 10
uses = ["A"]
[[client]]
id = "Y"
population = 5
uses = ["A", "B"]
"#;
    let scenario = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "10h"
[[event]]
at = "1h"
action = "shutdown"
target = "S1"
for = "2h"
[[event]]
at = "2h"
action = "shutdown"
target = "S2"
for = "2h"
"#;
    let r = run_seeded(model, scenario, None);
    assert_eq!(r.people_hours, 35.0);
    assert_eq!(service(&r, "S1").attributed_people_hours, 22.5);
    assert_eq!(service(&r, "S2").attributed_people_hours, 12.5);
    assert_eq!(service(&r, "A").attributed_people_hours, 0.0);
    assert_eq!(r.people_hours_per_year, 30_660.0);
}

/// An order to restart starts the count of failed attempts afresh. Every restart fails, 2
/// attempts, off 2h between: 2h restart, fails at 3h and 6h: left off at 6h. 8h restart:
/// fails at 9h (1) and, after 2h off, at 12h (2): left off again. Without the fresh count
/// the 9h failure would already be the third, leaving it off at 9h.
#[test]
fn a_new_restart_order_counts_attempts_afresh() {
    let model =
        one_service(r#"restart_failure = { probability = 1.0, down = "2h", attempts = 2 }"#);
    let scenario = SHUT_AND_RESTART.replace(r#"horizon = "12h""#, r#"horizon = "14h""#)
        + r#"
[[event]]
at = "8h"
action = "restart"
target = "A"
"#;
    let r = run_seeded(&model, &scenario, Some(3));
    let left: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("left off"))
        .collect();
    assert_eq!(left.len(), 2, "{:?}", r.warnings);
    assert!(
        left[0].contains("by 6h") && left[1].contains("by 12h"),
        "{left:?}"
    );
    assert_eq!(r.people_hours, 10.0 * 13.0);
}

/// A seeded run says which seed it was drawn from; the deterministic run has none.
#[test]
fn a_seeded_run_names_its_seed() {
    let model = one_service("");
    assert_eq!(
        run_seeded(&model, SHUT_AND_RESTART, Some(42)).seed,
        Some(42)
    );
    assert_eq!(run_seeded(&model, SHUT_AND_RESTART, None).seed, None);
}

/// Durations that must stay fixed say so, and name where distributions may go.
#[test]
fn an_rto_cannot_be_a_distribution() {
    let model = one_service(r#"rto = { dist = "uniform", min = "1h", max = "2h" }"#);
    let source = impactsim::source::Source::from_text("model.toml", model.as_str());
    let e = impactsim::model::load_model(&source).unwrap_err();
    let text = format!("{} {}", e.headline(), e.hint.clone().unwrap_or_default());
    assert!(
        text.contains("must be fixed") && text.contains("restart"),
        "{text}"
    );
}

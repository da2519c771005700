//! Every rule of SPEC section 2 that the twelve spec cases do not already pin down, each with
//! a tiny model whose answer is worked out by hand in the comments.

use crate::common::run_text;

fn timeline(r: &impactsim::RunResult) -> Vec<(f64, f64)> {
    r.timeline.iter().map(|p| (p.t_h, p.affected)).collect()
}

fn service<'a>(r: &'a impactsim::RunResult, id: &str) -> &'a impactsim::metrics::ServiceResult {
    r.services.iter().find(|s| s.id == id).unwrap()
}

const ONE_SERVICE: &str = r#"
[model]
name = "one"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
repair = "4h"
restart = "1h"
[[client]]
id = "X"
population = 10
uses = ["A"]
"#;

/// 2.1: shutdown of a repairing node leaves it failed; the next restart repairs from scratch.
/// 1h fail; 2h restart: repairing 2h-6h; 3h shutdown: failed again (repair cancelled);
/// 5h restart: repairing 5h-9h, restarting 9h-10h, up at 10h. X: 10 people × 9 h.
#[test]
fn shutdown_keeps_damage_and_cancels_repair() {
    let r = run_text(
        ONE_SERVICE,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "fail"
target = "A"
[[event]]
at = "2h"
action = "restart"
target = "A"
[[event]]
at = "3h"
action = "shutdown"
target = "A"
[[event]]
at = "5h"
action = "restart"
target = "A"
"#,
    );
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (1.0, 10.0), (10.0, 0.0)]);
    assert_eq!(r.people_hours, 90.0);
    assert_eq!(service(&r, "A").restarts, 1);
}

/// 2.1: `fail` with `for` fails now and restarts at at+for (repair first).
/// 1h fail for 3h: restart at 4h, repairing 4h-8h, restarting 8h-9h, up at 9h: 10 × 8 h.
#[test]
fn fail_for_repairs_then_restarts() {
    let r = run_text(
        ONE_SERVICE,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "fail"
target = "A"
for = "3h"
"#,
    );
    assert_eq!(r.recovered_at_h, Some(9.0));
    assert_eq!(r.people_hours, 80.0);
}

/// 2.1: a restart of a node that is up changes nothing and warns.
#[test]
fn restart_of_up_node_warns() {
    let r = run_text(
        ONE_SERVICE,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "2h"
[[event]]
at = "1h"
action = "restart"
target = "A"
"#,
    );
    assert_eq!(r.people_hours, 0.0);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].contains("`A`") && r.warnings[0].contains("it is up"),
        "{:?}",
        r.warnings
    );
}

/// 2.6: events after the horizon are ignored with a warning; events exactly at it apply.
/// 10h shutdown at the horizon: a change point at 10h, no people-hours; not recovered.
#[test]
fn events_at_and_after_horizon() {
    let r = run_text(
        ONE_SERVICE,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "10h"
[[event]]
at = "10h"
action = "shutdown"
target = "A"
[[event]]
at = "12h"
action = "restart"
target = "A"
"#,
    );
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (10.0, 10.0)]);
    assert_eq!(r.people_hours, 0.0);
    assert_eq!((r.peak_affected, r.peak_time_h), (10.0, 10.0));
    assert_eq!(r.recovered_at_h, None);
    assert!(
        r.warnings.iter().any(|w| w.contains("after the horizon")),
        "{:?}",
        r.warnings
    );
}

/// 2.6 metrics: nothing affected: first_affected null, recovered 0, peak 0 at 0, SAIFI 0,
/// CAIDI null.
#[test]
fn never_affected() {
    let r = run_text(
        ONE_SERVICE,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "5h"
"#,
    );
    assert_eq!(
        (r.peak_affected, r.peak_time_h, r.recovered_at_h),
        (0.0, 0.0, Some(0.0))
    );
    assert_eq!((r.saifi, r.caidi_h), (0.0, None));
    assert_eq!(r.clients[0].first_affected_h, None);
    assert_eq!(r.clients[0].recovered_at_h, Some(0.0));
    assert_eq!(timeline(&r), vec![(0.0, 0.0)]);
}

/// 2.4: a cycle whose outside input goes and comes back is settled again from the top.
/// A needs 2 of [B, C], B needs A, D needs 2 of [A, B, C]. 1h C off: A = 0, so B = 0 (the
/// cycle cannot hold itself up), and D has none of the three: D = 0. 2h C restarts, up at
/// 3h: A's group, seen with B still at 0, stays at 0, yet the greatest fixed point brings A
/// and B back, and D with them.
/// X uses A (10), Y uses B (5), Z uses D (1): 16 affected 1h-3h, 32 people-hours.
#[test]
fn cycle_recovers_when_its_input_returns() {
    let r = run_text(
        r#"
[model]
name = "cycle"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
requires = { k = 2, of = ["B", "C"] }
[[service]]
id = "B"
hosted_on = "S"
requires = ["A"]
[[service]]
id = "C"
hosted_on = "S"
restart = "1h"
[[service]]
id = "D"
hosted_on = "S"
requires = { k = 2, of = ["A", "B", "C"] }
[[client]]
id = "X"
population = 10
uses = ["A"]
[[client]]
id = "Y"
population = 5
uses = ["B"]
[[client]]
id = "Z"
population = 1
uses = ["D"]
"#,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "5h"
[[event]]
at = "1h"
action = "shutdown"
target = "C"
[[event]]
at = "2h"
action = "restart"
target = "C"
"#,
    );
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (1.0, 16.0), (3.0, 0.0)]);
    assert_eq!(r.people_hours, 32.0);
}

const FALLBACK_REQUIRES: &str = r#"
[model]
name = "fallback requires"
[[site]]
id = "S1"
[[site]]
id = "S2"
[[service]]
id = "P"
hosted_on = "S2"
[[service]]
id = "E"
hosted_on = "S1"
fallback = { capacity = 0.8, activation = "0h", requires = ["P"] }
[[client]]
id = "X"
population = 100
uses = ["E"]
"#;

/// 2.2: f(n) = min(capacity, fallback groups).
/// 1h S1 off: engaged at once, f = min(.8, a(P) = 1) = .8: 20 affected.
/// 3h S2 off: P down, f = 0: 100.  5h S2 back: 20.  11h S1 back: switchback 0h: 0.
/// People-hours 20·2 + 100·2 + 20·6 = 360; on fallback 1h-11h.
#[test]
fn fallback_requirements_limit_it() {
    let r = run_text(
        FALLBACK_REQUIRES,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "shutdown"
target = "S1"
for = "10h"
[[event]]
at = "3h"
action = "shutdown"
target = "S2"
for = "2h"
"#,
    );
    assert_eq!(
        timeline(&r),
        vec![
            (0.0, 0.0),
            (1.0, 20.0),
            (3.0, 100.0),
            (5.0, 20.0),
            (11.0, 0.0)
        ]
    );
    assert_eq!(r.people_hours, 360.0);
    assert_eq!(service(&r, "E").fallback_h, 10.0);
}

/// 2.3: p drops during switchback: switchback is cancelled, the fallback stays engaged.
/// 1h S off: engaged, a = .5 (50).  3h back: switchback to 7h at .25 (75).  5h S off:
/// cancelled, engaged, a = .5 (50).  6h back: switchback to 10h at .25 (75).  10h: 0.
/// People-hours 50·2 + 75·2 + 50·1 + 75·4 = 600; on fallback 1h-10h.
#[test]
fn switchback_cancelled_by_new_loss() {
    let r = run_text(
        r#"
[model]
name = "sb"
[[site]]
id = "S"
[[service]]
id = "E"
hosted_on = "S"
fallback = { capacity = 0.5, activation = "0h", switchback = "4h", switchback_capacity = 0.25 }
[[client]]
id = "X"
population = 100
uses = ["E"]
"#,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "12h"
[[event]]
at = "1h"
action = "shutdown"
target = "S"
for = "2h"
[[event]]
at = "5h"
action = "shutdown"
target = "S"
for = "1h"
"#,
    );
    assert_eq!(
        timeline(&r),
        vec![
            (0.0, 0.0),
            (1.0, 50.0),
            (3.0, 75.0),
            (5.0, 50.0),
            (6.0, 75.0),
            (10.0, 0.0)
        ]
    );
    assert_eq!(r.people_hours, 600.0);
    assert_eq!(service(&r, "E").fallback_h, 9.0);
}

/// 2.6: during switchback the default capacity f(n) follows f as it changes.
/// 1h S1 off: engaged at .6 (40).  3h S1 back: switchback to 8h at f = .6 (no change point).
/// 4h S2 off: P down, f = 0 (100).  5h back: f = .6 (40).  8h: 0.
#[test]
fn default_switchback_capacity_follows_f() {
    let model = FALLBACK_REQUIRES.replace(
        "fallback = { capacity = 0.8, activation = \"0h\", requires = [\"P\"] }",
        "fallback = { capacity = 0.6, activation = \"0h\", switchback = \"5h\", requires = [\"P\"] }",
    );
    let r = run_text(
        &model,
        r#"
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
at = "4h"
action = "shutdown"
target = "S2"
for = "1h"
"#,
    );
    assert_eq!(
        timeline(&r),
        vec![
            (0.0, 0.0),
            (1.0, 40.0),
            (4.0, 100.0),
            (5.0, 40.0),
            (8.0, 0.0)
        ]
    );
    assert_eq!(r.people_hours, 340.0);
}

/// 2.6: a fallback engages on any p < 1, partial degradation included.
/// 1h SP off: P engaged at once (.5); Q's p = .5 < 1, activation to 3h; a(Q) = .5 (50).
/// 3h Q engaged: max(.5, .9) = .9 (10).  People-hours 50·2 + 10·3 = 130.
#[test]
fn partial_degradation_engages_fallback() {
    let r = run_text(
        r#"
[model]
name = "partial"
[[site]]
id = "SP"
[[site]]
id = "SQ"
[[service]]
id = "P"
hosted_on = "SP"
fallback = { capacity = 0.5, activation = "0h" }
[[service]]
id = "Q"
hosted_on = "SQ"
requires = ["P"]
fallback = { capacity = 0.9, activation = "2h" }
[[client]]
id = "X"
population = 100
uses = ["Q"]
"#,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "6h"
[[event]]
at = "1h"
action = "shutdown"
target = "SP"
"#,
    );
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (1.0, 50.0), (3.0, 10.0)]);
    assert_eq!(r.people_hours, 130.0);
    assert_eq!(service(&r, "Q").fallback_h, 3.0);
    assert_eq!(service(&r, "P").fallback_h, 5.0);
}

const RTO_MODEL: &str = r#"
[model]
name = "rto"
[[site]]
id = "S"
rto = "1h"
[[site]]
id = "S2"
[[service]]
id = "A"
hosted_on = "S"
rto = "2h"
[[service]]
id = "B"
hosted_on = "S2"
[[client]]
id = "X"
population = 100
uses = [{ service = "A", share = 0.4 }, "B"]
"#;

/// 2.6: a breach is a run of a < 1 strictly longer than the RTO; one still open at the
/// horizon is cut there and `ongoing`.
/// A off 1h-3h (exactly its RTO of 2h): no breach.  A off from 5h to the horizon 10h:
/// breach from 5h, breached at 7h, 5h long, ongoing, 40 people through A (share .4).
#[test]
fn rto_breach_strict_and_ongoing() {
    let r = run_text(
        RTO_MODEL,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "10h"
[[event]]
at = "1h"
action = "shutdown"
target = "A"
for = "2h"
[[event]]
at = "5h"
action = "shutdown"
target = "A"
"#,
    );
    let b = &service(&r, "A").rto_breaches;
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(
        (
            b[0].start_h,
            b[0].breached_at_h,
            b[0].duration_h,
            b[0].ongoing
        ),
        (5.0, 7.0, 5.0, true)
    );
    assert_eq!(b[0].people_affected, 40.0);
}

/// 2.6: people affected through a node count only the uses that depend on it.
/// 1h B off for good: X 100 affected (share 1).  2h-5h S off: A down through S; through S
/// the peak is X × .4 = 40, although X is affected 100 in total.  S's run of 3h > 1h.
#[test]
fn rto_people_through_node() {
    let r = run_text(
        RTO_MODEL,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "10h"
[[event]]
at = "1h"
action = "shutdown"
target = "B"
[[event]]
at = "2h"
action = "shutdown"
target = "S"
for = "3h"
"#,
    );
    let b = &service(&r, "S").rto_breaches;
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(
        (
            b[0].start_h,
            b[0].breached_at_h,
            b[0].duration_h,
            b[0].ongoing
        ),
        (2.0, 3.0, 3.0, false)
    );
    assert_eq!(b[0].people_affected, 40.0);
    assert_eq!(r.peak_affected, 100.0);
}

/// 2.6: deadlock through an up-but-unavailable node. A requires C, C requires B, B requires
/// A. A and B are shut down and restarted; C stays up but unavailable. A waits on C, which is
/// explained by B (waiting); B waits on A: the set is {A, B}; C is not listed.
#[test]
fn deadlock_through_unavailable_node() {
    let r = run_text(
        r#"
[model]
name = "dl"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
requires = ["C"]
[[service]]
id = "B"
hosted_on = "S"
requires = ["A"]
[[service]]
id = "C"
hosted_on = "S"
requires = ["B"]
[[client]]
id = "X"
population = 1
uses = ["C"]
"#,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "5h"
[[event]]
at = "0h"
action = "shutdown"
target = ["A", "B"]
[[event]]
at = "1h"
action = "restart"
target = ["A", "B"]
"#,
    );
    assert_eq!(r.deadlocks, vec![vec!["A".to_string(), "B".to_string()]]);
    assert_eq!(r.recovered_at_h, None);
}

/// 1 and 2.6: a patch replaces whole fields (a fallback table is not merged) and adds ids.
/// The patch adds site S2 and hosts A on any_of [S1, S2]: S1's loss costs nothing.
/// E's fallback becomes { capacity = .7 } (activation and switchback back to 0): 1h-3h at
/// .7 → 30 people × 2 h = 60 (a merged table would have kept the 1h activation).
#[test]
fn patch_replaces_fields_and_adds_ids() {
    let r = run_text(
        r#"
[model]
name = "patch"
[[site]]
id = "S1"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S1"
[[service]]
id = "E"
hosted_on = "S"
fallback = { capacity = 0.5, activation = "1h", switchback = "3h" }
[[client]]
id = "X"
population = 100
uses = ["A"]
[[client]]
id = "Y"
population = 100
uses = ["E"]
"#,
        r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "6h"
[[event]]
at = "1h"
action = "shutdown"
target = ["S1", "S"]
[[event]]
at = "3h"
action = "restart"
target = "S"
[patch]
[[patch.site]]
id = "S2"
[[patch.service]]
id = "A"
hosted_on = { any_of = ["S1", "S2"] }
[[patch.service]]
id = "E"
fallback = { capacity = 0.7 }
"#,
    );
    assert_eq!(r.clients[0].people_hours, 0.0);
    assert_eq!(r.clients[1].people_hours, 60.0);
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (1.0, 30.0), (3.0, 0.0)]);
}

/// A patch removes a fallback with `fallback = false`. E (100 people) has a fallback at 0.5
/// from 1h after its loss. S is down 1h–4h. With the fallback: 100 × 1 h + 50 × 2 h = 200
/// people-hours; without it, 100 × 3 h = 300. `fallback = true` is refused.
#[test]
fn patch_removes_a_fallback_with_false() {
    let model = r#"
[model]
name = "no fallback"
[[site]]
id = "S"
[[service]]
id = "E"
hosted_on = "S"
fallback = { capacity = 0.5, activation = "1h" }
[[client]]
id = "Y"
population = 100
uses = ["E"]
"#;
    let scenario = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "6h"
[[event]]
at = "1h"
action = "shutdown"
target = "S"
for = "3h"
"#;
    assert_eq!(run_text(model, scenario).people_hours, 200.0);
    let removed = format!("{scenario}[[patch.service]]\nid = \"E\"\nfallback = false\n");
    let r = run_text(model, &removed);
    assert_eq!(r.people_hours, 300.0);
    assert_eq!(r.services[1].fallback_h, 0.0);
    let dir = crate::common::dir_with(&[
        ("model.toml", model),
        (
            "s.toml",
            &format!("{scenario}[[patch.service]]\nid = \"E\"\nfallback = true\n"),
        ),
    ]);
    let out = crate::common::run_in(dir.path(), &["run", "s.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`fallback = true` says nothing"), "{err}");
    assert!(err.contains("s.toml:13:"), "{err}");
}

/// An event's `at` may be a date and time when the scenario has a `start`: start 18:00
/// (+02:00), shutdown at 20:00 the same day = 2h, restart the next day at 04:30 = 10.5h,
/// up after A's restart of 1h at 11.5h: 10 people × 9.5 h = 95. The same instants written in UTC give the same run. Without a
/// start, or before it, the date is refused at the event's `at`.
#[test]
fn at_may_be_a_date_when_start_is_set() {
    let scenario = |start: &str, down: &str, up: &str| {
        format!(
            "[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"1d\"\n{start}\n\
             [[event]]\nat = \"{down}\"\naction = \"shutdown\"\ntarget = \"A\"\n\
             [[event]]\nat = \"{up}\"\naction = \"restart\"\ntarget = \"A\"\n"
        )
    };
    let start = "start = \"2023-04-24T18:00:00+02:00\"";
    let local = scenario(
        start,
        "2023-04-24T20:00:00+02:00",
        "2023-04-25T04:30:00+02:00",
    );
    let r = run_text(ONE_SERVICE, &local);
    assert_eq!(timeline(&r), vec![(0.0, 0.0), (2.0, 10.0), (11.5, 0.0)]);
    assert_eq!(r.people_hours, 95.0);
    let utc = scenario(start, "2023-04-24T18:00:00Z", "2023-04-25T02:30:00Z");
    assert_eq!(run_text(ONE_SERVICE, &utc).timeline, r.timeline);
    // A date and a duration may be mixed.
    let mixed = scenario(start, "2h", "2023-04-25T04:30:00+02:00");
    assert_eq!(run_text(ONE_SERVICE, &mixed).timeline, r.timeline);
    for (text, want) in [
        (
            scenario("", "2023-04-24T20:00:00+02:00", "12h"),
            "the scenario has no `start`",
        ),
        (
            scenario(start, "2023-04-24T17:00:00+02:00", "12h"),
            "is before the scenario's `start`",
        ),
        (
            scenario(start, "2023-04-24 20:00", "12h"),
            "is not a date and time with offset",
        ),
    ] {
        let dir =
            crate::common::dir_with(&[("model.toml", ONE_SERVICE), ("s.toml", text.as_str())]);
        let out = crate::common::run_in(dir.path(), &["run", "s.toml"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
        assert!(err.contains("s.toml:7:"), "{err}");
    }
}

/// Restored-at: when a node's availability last came back to 1. A is shut down at 1h for 1h
/// (restart order at 2h, up at 3h after its 1h restart), then again at 5h for good: not
/// restored at the 8h horizon (null). S never drops: 0. With the second shutdown gone, A's
/// last return is 3h. Monte Carlo reports it as percentiles (every run alike here), counting
/// the runs that never restore it.
#[test]
fn restored_at_is_the_last_return_to_full() {
    let scenario = |second: &str| {
        format!(
            "[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"8h\"\n\
             [[event]]\nat = \"1h\"\naction = \"shutdown\"\ntarget = \"A\"\nfor = \"1h\"\n{second}"
        )
    };
    let again = "[[event]]\nat = \"5h\"\naction = \"shutdown\"\ntarget = \"A\"\n";
    let r = run_text(ONE_SERVICE, &scenario(again));
    assert_eq!(service(&r, "S").restored_at_h, Some(0.0));
    assert_eq!(service(&r, "A").restored_at_h, None);
    let r = run_text(ONE_SERVICE, &scenario(""));
    assert_eq!(service(&r, "A").restored_at_h, Some(3.0));
    let csv = impactsim::report::services_csv(&r).unwrap();
    let (header, rows) = crate::common::read_csv_from(&csv[..]);
    let col = header.iter().position(|h| h == "restored_at_h").unwrap();
    assert_eq!(rows[1][col], "3");

    let dir = crate::common::dir_with(&[("model.toml", ONE_SERVICE), ("s.toml", &scenario(again))]);
    let args = ["montecarlo", "s.toml", "--runs", "4", "--json"];
    let json = crate::common::json_in(dir.path(), &args);
    let a = json["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "A")
        .unwrap();
    let restored = a["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == "restored_at_h")
        .unwrap();
    assert_eq!(restored["not_recovered_runs"], 4, "{restored}");
    assert_eq!(restored["runs"], 4, "{restored}");
}

/// `warmup`: after its restart, A runs at half its capacity for 2h. A is shut down at 1h
/// for 1h: restart ordered at 2h, up at 3h at 0.5, fully back at 5h. X (10 people): 10 from
/// 1h to 3h, 5 from 3h to 5h: 30 people-hours; A unavailable 2 + 0.5 × 2 = 3h, restored at
/// 5h. Shut down again at 4h (during its warmup) for 1h: the warmup ends there, the next
/// restart starts another (up at 6h at 0.5, back at 8h), and the first warmup's end at 5h
/// changes nothing.
#[test]
fn warmup_brings_a_restarted_node_back_in_steps() {
    let model = ONE_SERVICE.replace(
        "restart = \"1h\"\n",
        "restart = \"1h\"\nwarmup = { level = 0.5, for = \"2h\" }\n",
    );
    let scenario = |extra: &str| {
        format!(
            "[scenario]\nname = \"t\"\nmodel = \"model.toml\"\nhorizon = \"10h\"\n\
             [[event]]\nat = \"1h\"\naction = \"shutdown\"\ntarget = \"A\"\nfor = \"1h\"\n{extra}"
        )
    };
    let r = run_text(&model, &scenario(""));
    assert_eq!(
        timeline(&r),
        vec![(0.0, 0.0), (1.0, 10.0), (3.0, 5.0), (5.0, 0.0)]
    );
    assert_eq!(r.people_hours, 30.0);
    let a = service(&r, "A");
    assert_eq!(
        (a.unavailable_h, a.restored_at_h, a.restarts),
        (3.0, Some(5.0), 1)
    );
    let again = "[[event]]\nat = \"4h\"\naction = \"shutdown\"\ntarget = \"A\"\nfor = \"1h\"\n";
    let r = run_text(&model, &scenario(again));
    assert_eq!(
        timeline(&r),
        vec![
            (0.0, 0.0),
            (1.0, 10.0),
            (3.0, 5.0),
            (4.0, 10.0),
            (6.0, 5.0),
            (8.0, 0.0)
        ]
    );
    // rank plays the warmup out: a 2h loss of A is 10 × 3h + 5 × 2h.
    let m = impactsim::model::load_model(&impactsim::source::Source::from_text(
        "model.toml",
        model.as_str(),
    ))
    .unwrap();
    let ranking = impactsim::rank::rank(
        &m,
        impactsim::rank::Options {
            duration: impactsim::SimTime(2 * 3600),
            ..Default::default()
        },
    );
    let loss = ranking.singles.iter().find(|s| s.id == "A").unwrap();
    assert_eq!(loss.people_hours, 40.0);
    assert_eq!(loss.recovered_at_h, Some(5.0));
    // A level of 0 is refused where it is written.
    let zero = ONE_SERVICE.replace(
        "restart = \"1h\"\n",
        "restart = \"1h\"\nwarmup = { level = 0, for = \"2h\" }\n",
    );
    let err = crate::common::refused(&[("model.toml", &zero)], &["validate", "model.toml"]);
    assert!(err.contains("`level = 0`"), "{err}");
    assert!(err.contains("model.toml:11:"), "{err}");
}

/// A fallback that grows: E's fallback starts at 0.2, 1h after its loss, and carries 0.5
/// from 2h after its engagement, 0.8 from 4h. S down 1h–10h: Y (100 people) has 100
/// affected until 2h, 80 until 4h, 50 until 6h, 20 until 10h: 440 people-hours. A second
/// loss from 11h to 14h engages the fallback anew at 0.2 (not where it had got to): 80 from
/// 12h to 14h, 260 more.
#[test]
fn a_fallback_grows_after_its_engagement() {
    let model = r#"
[model]
name = "growth"
[[site]]
id = "S"
[[service]]
id = "E"
hosted_on = "S"
fallback = { capacity = 0.2, activation = "1h", grows = [{ after = "2h", capacity = 0.5 }, { after = "4h", capacity = 0.8 }] }
[[client]]
id = "Y"
population = 100
uses = ["E"]
"#;
    let scenario = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "16h"
[[event]]
at = "1h"
action = "shutdown"
target = "S"
for = "9h"
[[event]]
at = "11h"
action = "shutdown"
target = "S"
for = "3h"
"#;
    let r = run_text(model, scenario);
    assert_eq!(
        timeline(&r),
        vec![
            (0.0, 0.0),
            (1.0, 100.0),
            (2.0, 80.0),
            (4.0, 50.0),
            (6.0, 20.0),
            (10.0, 0.0),
            (11.0, 100.0),
            (12.0, 80.0),
            (14.0, 0.0)
        ]
    );
    assert_eq!(r.people_hours, 700.0);
    // Steps must come later and later.
    let bad = model.replace("after = \"4h\"", "after = \"2h\"");
    let err = crate::common::refused(&[("model.toml", &bad)], &["validate", "model.toml"]);
    assert!(err.contains("is not later than the step before"), "{err}");
    assert!(err.contains("model.toml:9:"), "{err}");
}

/// `repair_requires`: B's repair (restore from backup) waits for forensic clearance F. B
/// fails at 0 and F is shut down; B is ordered to restart at 1h but awaits its repair while
/// F is off. F restarts at 3h and is up at 4h (restart 1h): B's repair runs 4h–6h, its
/// restart 6h–7h. X (10 people) is affected 7h: 70 people-hours. Without the requirement B
/// would be repaired 1h–3h and up at 4h. Two nodes whose repairs wait on each other never
/// start: a deadlock, reported by name.
#[test]
fn a_repair_waits_for_what_it_requires() {
    let model = |requires: &str| {
        format!(
            "[model]\nname = \"forensics\"\n[[site]]\nid = \"S\"\n\
             [[service]]\nid = \"F\"\nhosted_on = \"S\"\nrestart = \"1h\"\n\
             [[service]]\nid = \"B\"\nhosted_on = \"S\"\nrepair = \"2h\"\nrestart = \"1h\"\n{requires}\
             [[client]]\nid = \"X\"\npopulation = 10\nuses = [\"B\"]\n"
        )
    };
    let scenario = r#"
[scenario]
name = "t"
model = "model.toml"
horizon = "10h"
[[event]]
at = "0h"
action = "fail"
target = "B"
[[event]]
at = "0h"
action = "shutdown"
target = "F"
[[event]]
at = "1h"
action = "restart"
target = "B"
[[event]]
at = "3h"
action = "restart"
target = "F"
"#;
    let r = run_text(&model("repair_requires = \"F\"\n"), scenario);
    assert_eq!(timeline(&r), vec![(0.0, 10.0), (7.0, 0.0)]);
    assert_eq!(r.people_hours, 70.0);
    assert!(r.deadlocks.is_empty());
    let r = run_text(&model(""), scenario);
    assert_eq!(timeline(&r), vec![(0.0, 10.0), (4.0, 0.0)]);

    // F's repair needs B, and B's needs F: neither starts.
    let both = model("repair_requires = \"F\"\n").replace(
        "restart = \"1h\"\n[[service]]",
        "restart = \"1h\"\nrepair_requires = \"B\"\n[[service]]",
    );
    let stuck = scenario.replace(
        "action = \"shutdown\"\ntarget = \"F\"",
        "action = \"fail\"\ntarget = \"F\"",
    );
    let r = run_text(&both, &stuck);
    assert_eq!(r.deadlocks, vec![vec!["F".to_string(), "B".to_string()]]);
    assert_eq!(r.people_hours, 100.0);
    // A repair that requires its own node is refused.
    let own = model("repair_requires = \"B\"\n");
    let err = crate::common::refused(&[("model.toml", &own)], &["validate", "model.toml"]);
    assert!(err.contains("`B` requires itself"), "{err}");
}

/// 2.6 selectors: `hosted:SITE` counts any_of members; `tag:` matches sites and services;
/// `site:*` and `service:*`.
#[test]
fn selectors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    std::fs::write(
        &path,
        r#"
[model]
name = "sel"
[[site]]
id = "S1"
tags = ["x"]
[[site]]
id = "S2"
[[service]]
id = "A"
hosted_on = { any_of = ["S1", "S2"] }
[[service]]
id = "B"
hosted_on = "S2"
tags = ["x"]
[[service]]
id = "C"
hosted_on = ["S2"]
requires = ["S1"]
"#,
    )
    .unwrap();
    let model =
        impactsim::model::load_model(&impactsim::source::Source::read(&path).unwrap()).unwrap();
    let ids = |t: &str| -> Vec<String> {
        impactsim::scenario::select(&model, t)
            .unwrap()
            .iter()
            .map(|&n| model.nodes[n as usize].id.to_string())
            .collect()
    };
    assert_eq!(ids("hosted:S1"), ["A"]);
    assert_eq!(ids("hosted:S2"), ["A", "B", "C"]);
    assert_eq!(ids("tag:x"), ["S1", "B"]);
    assert_eq!(ids("site:*"), ["S1", "S2"]);
    assert_eq!(ids("service:*"), ["A", "B", "C"]);
    assert!(impactsim::scenario::select(&model, "hosted:A").is_err());
}

/// 2.4: `validate` warns about restart cycles statically: A and B need each other. D needs
/// any of [A, C]: it can restart through C, so it is not part of a cycle. A fallback's
/// requirements do not count.
#[test]
fn restart_cycles_are_found_statically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.toml");
    std::fs::write(
        &path,
        r#"
[model]
name = "rc"
[[site]]
id = "S"
[[service]]
id = "A"
hosted_on = "S"
requires = ["B"]
[[service]]
id = "B"
hosted_on = "S"
requires = ["A"]
[[service]]
id = "C"
hosted_on = "S"
[[service]]
id = "D"
hosted_on = "S"
requires = [{ any_of = ["A", "C"] }]
[[service]]
id = "E"
requires = ["D"]
[[service]]
id = "F"
requires = ["E"]
[[service]]
id = "G"
requires = [{ any_of = ["F", "H"] }]
[[service]]
id = "H"
requires = ["G"]
[[service]]
id = "K"
hosted_on = "S"
fallback = { capacity = 0.5, requires = "C" }
"#,
    )
    .unwrap();
    let model =
        impactsim::model::load_model(&impactsim::source::Source::read(&path).unwrap()).unwrap();
    // G needs F or H, H needs G: G can restart through F (outside the set): no cycle there.
    // K's fallback needs C, but a fallback's requirements are not needed to restart.
    assert_eq!(
        model.restart_cycles(),
        vec![vec!["A".to_string(), "B".to_string()]]
    );
}

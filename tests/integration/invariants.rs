//! Invariants of whole runs on random generated models and scenarios: affected people stay
//! within the population, people-hours are the integral of the timeline, the same seed gives
//! the same result, the incremental engine equals the full recompute, and (under a stated
//! condition) one more take-down never lowers the people affected.

use std::path::Path;

use impactsim::engine::Propagation;
use impactsim::generate::{self, Config, Format};
use impactsim::metrics::{self, RunResult};
use impactsim::scenario::{Action, Event};
use impactsim::{Scenario, SimTime};
use proptest::prelude::*;

const H: u64 = 3600;

/// Writes the generated model (its text passed through `edit`) and scenario into `dir` and
/// loads the scenario.
fn load_edited(cfg: &Config, dir: &Path, edit: impl Fn(String) -> String) -> Scenario {
    let g = generate::generate(cfg).unwrap();
    std::fs::write(dir.join("model.toml"), edit(g.model_text(Format::Toml))).unwrap();
    let path = dir.join("scenario.toml");
    std::fs::write(&path, g.scenario_text(Format::Toml, "model.toml")).unwrap();
    impactsim::load_scenario(&path).unwrap_or_else(|e| panic!("{e:?}"))
}

fn load(cfg: &Config, dir: &Path) -> Scenario {
    load_edited(cfg, dir, |s| s)
}

/// A random generated configuration: 20..200 services and 5..40 events.
fn config() -> impl Strategy<Value = Config> {
    (
        (0u64..1_000_000, 1u32..5, 20u32..200, 1u32..6, 1u32..15),
        (0.0f64..0.8, 0.0f64..0.8, 0.0f64..0.3, 0.0f64..0.6),
        (5u32..40, 0u32..3, 0.0f64..1.0),
    )
        .prop_map(
            |(
                (seed, sites, services, layers, clients),
                (any_of_hosting, k_of_n, back_edges, fallbacks),
                (events, timing, fail_share),
            )| {
                let mut cfg = Config {
                    seed,
                    sites,
                    services,
                    layers,
                    clients,
                    fan_in: vec![(1, 3), (1, 4)],
                    any_of_hosting,
                    k_of_n,
                    back_edges,
                    fallbacks,
                    rto: 0.2,
                    events,
                    fail_share,
                    horizon: Some(SimTime(10 * 86_400)),
                    ..Config::default()
                };
                match timing {
                    // Instant restarts and repairs ("0h"), one event an hour.
                    0 => {
                        cfg.restart = (SimTime::ZERO, SimTime::ZERO);
                        cfg.repair = (SimTime::ZERO, SimTime::ZERO);
                        cfg.every = Some(SimTime(H));
                        cfg.horizon = None;
                    }
                    // Short restarts, events at random minutes of two days.
                    1 => {
                        cfg.restart = (SimTime(600), SimTime(3 * H));
                        cfg.horizon = Some(SimTime(2 * 86_400));
                    }
                    _ => {}
                }
                cfg
            },
        )
}

/// A tiny configuration, for the soak test.
fn tiny(seed: u64) -> Config {
    let services = 2 + (seed % 11) as u32;
    let mut cfg = Config {
        seed,
        sites: 1 + (seed % 3) as u32,
        services,
        layers: (1 + (seed % 3) as u32).min(services),
        clients: 1 + (seed % 4) as u32,
        fan_in: vec![(1, 2)],
        any_of_hosting: 0.4,
        k_of_n: 0.3,
        back_edges: if seed.is_multiple_of(5) { 0.3 } else { 0.05 },
        fallbacks: 0.4,
        rto: 0.3,
        events: 3 + (seed % 10) as u32,
        horizon: Some(SimTime(3 * 86_400)),
        ..Config::default()
    };
    if seed.is_multiple_of(4) {
        cfg.restart = (SimTime::ZERO, SimTime::ZERO);
        cfg.repair = (SimTime::ZERO, SimTime::ZERO);
    }
    cfg
}

/// Property 1: 0 ≤ affected ≤ total population at every change point.
fn check_bounds(r: &RunResult) -> Result<(), String> {
    let total = r.total_population as f64;
    let eps = 1e-9 * total.max(1.0);
    for &(t, a) in &r.points {
        if !(a >= 0.0 && a <= total + eps) {
            return Err(format!("affected {a} at {t} outside 0..={total}"));
        }
    }
    for p in &r.timeline {
        if !(p.affected >= 0.0 && p.affected <= total + eps) {
            return Err(format!("timeline {p:?} outside 0..={total}"));
        }
    }
    if r.peak_affected > total + eps {
        return Err(format!("peak {} above {total}", r.peak_affected));
    }
    Ok(())
}

/// Property 2: people-hours = Σ affectedᵢ × (tᵢ₊₁ − tᵢ) up to the horizon, within 1e-9.
fn check_integral(r: &RunResult, horizon: SimTime) -> Result<(), String> {
    let mut sum = 0.0;
    for (i, &(t, a)) in r.points.iter().enumerate() {
        let next = r.points.get(i + 1).map_or(horizon, |p| p.0);
        if next < t {
            return Err(format!("change points out of order at {t}"));
        }
        sum += a * (next.0 - t.0) as f64 / 3600.0;
    }
    if (sum - r.people_hours).abs() > 1e-9 * sum.abs().max(1.0) {
        return Err(format!(
            "people-hours {} but the timeline integrates to {sum}",
            r.people_hours
        ));
    }
    // The printed timeline is the same step function, in hours.
    if r.timeline.len() != r.points.len() {
        return Err(format!(
            "{} timeline points, {} exact points",
            r.timeline.len(),
            r.points.len()
        ));
    }
    for (p, &(t, a)) in r.timeline.iter().zip(&r.points) {
        if (p.t_h - t.hours()).abs() > 1e-9 || p.affected != a {
            return Err(format!("timeline {p:?} is not the exact point ({t}, {a})"));
        }
    }
    Ok(())
}

/// Property 3: the same seed gives the same result, and so does the deterministic run.
fn check_repeatable(s: &Scenario, seed: u64) -> Result<RunResult, String> {
    let a = metrics::run(s);
    let b = metrics::run(s);
    if a != b {
        return Err("two deterministic runs differ".into());
    }
    let x = metrics::run_seeded(s, Some(seed));
    let y = metrics::run_seeded(s, Some(seed));
    if x != y {
        return Err(format!("two runs with seed {seed} differ"));
    }
    Ok(a)
}

fn check_all(s: &Scenario, seed: u64) -> Result<RunResult, String> {
    let r = check_repeatable(s, seed)?;
    check_bounds(&r)?;
    check_integral(&r, s.horizon)?;
    Ok(r)
}

/// Affected people at `t` (after everything at `t`), the timeline read as a step function.
fn at(points: &[(SimTime, f64)], t: SimTime) -> f64 {
    match points.partition_point(|p| p.0 <= t) {
        0 => 0.0,
        i => points[i - 1].1,
    }
}

/// `s` with one more event, placed after every event at or before its time.
fn with_extra(s: &Scenario, at: SimTime, action: Action, node: u32) -> Scenario {
    let mut s = s.clone();
    let order = s.events.iter().map(|e| e.order + 1).max().unwrap_or(0);
    let pos = s.events.partition_point(|e| (e.at, e.order) <= (at, order));
    s.events.insert(
        pos,
        Event {
            at,
            action,
            targets: vec![node],
            order,
            implied: false,
        },
    );
    s
}

/// The first time at which `with` affects fewer people than `without`, if any.
fn first_drop(without: &RunResult, with: &RunResult) -> Option<(SimTime, f64, f64)> {
    let mut times: Vec<SimTime> = without
        .points
        .iter()
        .chain(&with.points)
        .map(|p| p.0)
        .collect();
    times.sort();
    times.dedup();
    times.into_iter().find_map(|t| {
        let (a, b) = (at(&without.points, t), at(&with.points, t));
        (b < a - 1e-6).then_some((t, a, b))
    })
}

/// The model text with every `every_nth` node restarting after a lognormal time.
fn lognormal_restarts(text: &str, every_nth: usize) -> String {
    let mut i = 0;
    let mut out = String::with_capacity(text.len());
    for l in text.lines() {
        if l.starts_with("restart = ") {
            i += 1;
            if i % every_nth == 0 {
                out.push_str("restart = { dist = \"lognormal\", median = \"1h\", p90 = \"5h\" }\n");
                continue;
            }
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Property 4: adds one shutdown (or failure) of a node at a whole minute of the horizon
/// and checks that the people affected never drop below those of the scenario without it.
fn check_monotone(
    cfg: &Config,
    node: prop::sample::Index,
    when: f64,
    fail: bool,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let s = load(cfg, dir.path());
    let node = node.index(s.model.node_count()) as u32;
    let t = SimTime((s.horizon.0 as f64 * when) as u64 / 60 * 60);
    let action = if fail { Action::Fail } else { Action::Shutdown };
    let more = with_extra(&s, t, action, node);
    let (without, with) = (metrics::run(&s), metrics::run(&more));
    match first_drop(&without, &with) {
        Some((at, a, b)) => Err(TestCaseError::fail(format!(
            "{action:?} of {} at {t}: at {at} {b} affected with it, {a} without ({cfg:?})",
            s.model.nodes[node as usize].id
        ))),
        None => Ok(()),
    }
}

/// The minimal counterexample to property 4 (found by the property test, minimised by
/// removing events, blocks and lines): `both` needs `a` and `b` and has a fallback that
/// activates after 1 day. The scenario fails `b` at 8d 18h 46m: `both` is down for a day,
/// then on fallback (0.7). One more failure, of `a` at 3d 12h 54m, starts the activation
/// timer 5 days earlier: when `b` fails, `both` is already on fallback, and from 8d 18h 46m
/// to 9d 18h 46m 30% instead of 100% of the client are affected. Not an engine bug: the
/// activation delay runs from the node's first loss of availability, as the semantics say.
#[test]
fn fallback_timer_lets_an_extra_failure_lower_affected() {
    let model = r#"
[model]
name = "fallback timer"

[[service]]
id = "a"
[[service]]
id = "b"
[[service]]
id = "both"
requires = ["a", "b"]
fallback = { capacity = 0.7, activation = "1d", switchback = "4h", switchback_capacity = 0.5 }

[[client]]
id = "client"
population = 1000
uses = ["both"]
"#;
    let scenario = r#"
[scenario]
name = "b fails"
model = "model.toml"
horizon = "10d"

[[event]]
at = "8d 18h 46m"
action = "fail"
target = "b"
"#;
    let extra = "\n[[event]]\nat = \"3d 12h 54m\"\naction = \"fail\"\ntarget = \"a\"\n";
    let without = crate::common::run_text(model, scenario);
    let with = crate::common::run_text(model, &format!("{scenario}{extra}"));
    let t = SimTime((8 * 24 + 18) * H + 46 * 60);
    assert_eq!(at(&without.points, t), 1000.0);
    assert!((at(&with.points, t) - 300.0).abs() < 1e-9);
    assert_eq!(first_drop(&without, &with).map(|d| d.0), Some(t));
    // With no fallback on `both`, the extra failure only adds.
    let plain = model.replace("fallback = {", "# fallback = {");
    let without = crate::common::run_text(&plain, scenario);
    let with = crate::common::run_text(&plain, &format!("{scenario}{extra}"));
    assert_eq!(first_drop(&without, &with), None);
    assert!(with.people_hours > without.people_hours);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Properties 1–3 on random generated models and scenarios.
    #[test]
    fn bounds_integral_and_repeatability(cfg in config(), run_seed in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let s = load(&cfg, dir.path());
        if let Err(e) = check_all(&s, run_seed) {
            return Err(TestCaseError::fail(format!("{e} ({cfg:?})")));
        }
    }

    /// Property 5: incremental equals full recompute, deterministic runs, with lognormal
    /// restart times in the model.
    #[test]
    fn incremental_equals_full_recompute_with_distributions(
        cfg in config(),
        every_nth in 1usize..4,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let s = load_edited(&cfg, dir.path(), |text| lognormal_restarts(&text, every_nth));
        let fast = metrics::run(&s);
        let reference = metrics::run_with(&s, Propagation::FullRecompute);
        prop_assert_eq!(&fast, &reference);
    }

    /// Property 4 in general: NOT true. A fallback's activation timer starts when the node
    /// loses availability, so an earlier loss engages the fallback earlier, and a later loss
    /// (of the scenario's own) then finds it already on fallback instead of down; see
    /// `fallback_timer_lets_an_extra_failure_lower_affected` for the minimal case.
    #[test]
    #[ignore = "not an invariant: an extra take-down upstream of a fallback starts its activation timer earlier, so later losses find it on fallback (see fallback_timer_lets_an_extra_failure_lower_affected)"]
    fn one_more_take_down_never_helps(
        cfg in config(),
        node in any::<prop::sample::Index>(),
        when in 0.0f64..=1.0,
        fail in any::<bool>(),
    ) {
        check_monotone(&cfg, node, when, fail)?;
    }

    /// Property 4 where it holds: without fallbacks (and without crews, which generated
    /// scenarios never have), one more shutdown or failure of any node at any time never
    /// lowers the people affected at any time.
    #[test]
    fn one_more_take_down_never_helps_without_fallbacks(
        cfg in config(),
        node in any::<prop::sample::Index>(),
        when in 0.0f64..=1.0,
        fail in any::<bool>(),
    ) {
        check_monotone(&Config { fallbacks: 0.0, ..cfg }, node, when, fail)?;
    }
}

/// Property 6: properties 1–3 on 2,000 tiny random scenarios.
#[test]
fn soak_tiny_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for seed in 0..2_000u64 {
        let cfg = tiny(seed);
        let s = load(&cfg, dir.path());
        check_all(&s, seed).unwrap_or_else(|e| panic!("seed {seed}: {e} ({cfg:?})"));
        count += 1;
    }
    println!("soak: {count} scenarios checked");
    assert_eq!(count, 2_000);
}

proptest! {
    // The draw-order bug this guards against showed up in about one case in 40 or 50.
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Property 5 for seeded runs. It once failed (seed 359918: 4 sites, 106 services in 2
    /// layers, back edges and fallbacks, every restart lognormal 1h/5h; run seed
    /// 15086142335231424678): two restart durations drawn at one instant went to different
    /// nodes in the two propagation modes, because decisions were taken in the order
    /// propagation reached the nodes. Seeded runs now decide in node order.
    #[test]
    fn incremental_equals_full_recompute_seeded(
        cfg in config(),
        run_seed in any::<u64>(),
        every_nth in 1usize..4,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let s = load_edited(&cfg, dir.path(), |text| lognormal_restarts(&text, every_nth));
        let opts = |propagation| impactsim::engine::Options { propagation, seed: Some(run_seed) };
        let fast = metrics::run_opts(&s, opts(Propagation::Incremental));
        let reference = metrics::run_opts(&s, opts(Propagation::FullRecompute));
        check_bounds(&fast).map_err(TestCaseError::fail)?;
        check_integral(&fast, s.horizon).map_err(TestCaseError::fail)?;
        prop_assert_eq!(&fast.points, &reference.points);
        prop_assert_eq!(&fast, &reference);
    }
}

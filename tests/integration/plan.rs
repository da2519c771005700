//! Crews, effort and restoration policies (worked by hand), and `plan`: never worse than file
//! order, optimal where every order can be tried, replayed exactly by `run`.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use impactsim::engine::Propagation;
use impactsim::metrics;
use impactsim::plan::{self, Config, Method};
use impactsim::scenario::{Policy, Restoration, restart_targets};
use impactsim::{Scenario, SimTime};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

use crate::common::{root, run_text};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Two services with no requirements, restart 1h each; `big` (100 people) is listed after
/// `small` (10 people), so file order restarts the small one first.
const TWO: &str = r#"[model]
name = "two"

[[service]]
id = "small"
restart = "1h"

[[service]]
id = "big"
restart = "1h"

[[client]]
id = "few"
population = 10
uses = ["small"]

[[client]]
id = "many"
population = 100
uses = ["big"]
"#;

/// Everything shut down at 0 and ordered back at once, with `header` added to [scenario].
fn all_back_at_once(header: &str) -> String {
    format!(
        r#"[scenario]
name = "all back"
model = "model.toml"
horizon = "1d"
{header}

[[event]]
at = "0h"
action = "shutdown"
target = "service:*"

[[event]]
at = "0h"
action = "restart"
target = "service:*"
"#
    )
}

fn load_text(model: &str, scenario: &str) -> (tempfile::TempDir, Scenario) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), model).unwrap();
    std::fs::write(dir.path().join("scenario.toml"), scenario).unwrap();
    let s = impactsim::load_scenario(&dir.path().join("scenario.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    (dir, s)
}

/// People-hours of `s` with `crews` crews and this priority order.
fn people_hours(s: &Scenario, crews: u32, priority: &[u32]) -> f64 {
    let mut s = s.clone();
    s.restoration = Restoration {
        crews: Some(crews),
        policy: Policy::Order,
        priority: priority.to_vec(),
    };
    metrics::run(&s).people_hours
}

/// The lowest people-hours over every order of the restarted nodes, by brute force.
fn best_by_brute_force(s: &Scenario, crews: u32) -> f64 {
    let targets = restart_targets(s.model.nodes.len(), &s.events, &s.random_for);
    let mut best = f64::INFINITY;
    permutations(&targets, &mut |order| {
        best = best.min(people_hours(s, crews, order));
    });
    best
}

/// Calls `f` with every permutation of `items` (Heap's algorithm).
fn permutations(items: &[u32], f: &mut impl FnMut(&[u32])) {
    fn heap(k: usize, a: &mut Vec<u32>, f: &mut impl FnMut(&[u32])) {
        if k <= 1 {
            f(a);
            return;
        }
        for i in 0..k {
            heap(k - 1, a, f);
            let j = if k.is_multiple_of(2) { i } else { 0 };
            if i + 1 < k {
                a.swap(j, k - 1);
            }
        }
    }
    let mut a = items.to_vec();
    heap(a.len(), &mut a, f);
}

fn bin(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("impactsim").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().unwrap()
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Exit code 2 and a first stderr line `error: LOCATION: ...MESSAGE...`.
#[track_caller]
fn assert_located(out: &Output, location: &str, message: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or("");
    let prefix = format!("error: {location}: ");
    assert!(
        first.starts_with(&prefix) && first.contains(message),
        "expected `{prefix}...{message}...`, got:\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Semantics, worked by hand
// ---------------------------------------------------------------------------------------------

#[test]
fn one_crew_restarts_one_node_at_a_time() {
    // Unlimited: both back at 1h: 10 + 100 = 110 people-hours.
    let r = run_text(TWO, &all_back_at_once(""));
    assert_eq!(r.people_hours, 110.0);
    // One crew, file order: `small` 0h-1h, then `big` 1h-2h: 10 × 1 + 100 × 2 = 210.
    let r = run_text(TWO, &all_back_at_once("crews = 1"));
    assert_eq!(r.people_hours, 210.0);
    let big = r.clients.iter().find(|c| c.id == "many").unwrap();
    assert_eq!(big.recovered_at_h, Some(2.0), "the second starts at 1h");
    // The plan's timed list says the same.
    let (_dir, s) = load_text(TWO, &all_back_at_once(""));
    let p = plan::plan(&s, &Config::new(1)).unwrap();
    assert_eq!(p.people_hours_file_order, 210.0);
    let steps: Vec<(&str, f64, Option<f64>, u32)> = p
        .restarts
        .iter()
        .map(|st| (st.id.as_str(), st.start_h, st.end_h, st.crews_in_use))
        .collect();
    // The plan restarts `big` first: 100 × 1 + 10 × 2 = 120.
    assert_eq!(p.people_hours, 120.0);
    assert_eq!(
        steps,
        [("big", 0.0, Some(1.0), 1), ("small", 1.0, Some(2.0), 1)]
    );
    assert_eq!(p.saving, 90.0);
    assert!((p.saving_pct.unwrap() - 90.0 / 210.0 * 100.0).abs() < 1e-9);
    assert_eq!(p.method, Method::Exhaustive);
}

/// A loaded scenario keeps the texts it was made from: the planned scenario file and a
/// study's fingerprint come from them, not from the files as they are later (changed or
/// gone), so what is written always matches what was simulated.
#[test]
fn the_plan_and_the_fingerprint_use_the_texts_as_loaded() {
    let (dir, s) = load_text(TWO, &all_back_at_once(""));
    let fingerprint = impactsim::montecarlo::fingerprint(&s);
    let p = plan::plan(&s, &Config::new(1)).unwrap();
    let out = dir.path().join("planned.toml");
    let before = impactsim::report::plan::scenario_file(&s, &p, &out).unwrap();
    std::fs::remove_file(dir.path().join("scenario.toml")).unwrap();
    let after = impactsim::report::plan::scenario_file(&s, &p, &out).unwrap();
    assert_eq!(after, before, "written from the kept text");
    let text = String::from_utf8(after).unwrap();
    assert!(text.contains("order = [\"big\", \"small\"]"), "{text}");
    assert!(
        text.contains("target = \"service:*\""),
        "the events as loaded: {text}"
    );
    std::fs::write(dir.path().join("model.toml"), "changed").unwrap();
    assert_eq!(impactsim::montecarlo::fingerprint(&s), fingerprint);
}

#[test]
fn policy_order_and_critical_first_by_hand() {
    // `order` puts big first: 100 × 1 + 10 × 2 = 120.
    let r = run_text(
        TWO,
        &all_back_at_once("crews = 1\npolicy = \"order\"\norder = [\"big\"]"),
    );
    assert_eq!(r.people_hours, 120.0);
    // ... and small first gives file order's 210.
    let r = run_text(
        TWO,
        &all_back_at_once("crews = 1\npolicy = \"order\"\norder = [\"small\", \"big\"]"),
    );
    assert_eq!(r.people_hours, 210.0);
    // critical-first: 100 people per crew-hour beat 10: big first, 120.
    let r = run_text(
        TWO,
        &all_back_at_once("crews = 1\npolicy = \"critical-first\""),
    );
    assert_eq!(r.people_hours, 120.0);
    // Without crews, a policy changes nothing, and a warning says so.
    let r = run_text(TWO, &all_back_at_once("policy = \"critical-first\""));
    assert_eq!(r.people_hours, 110.0);
    assert!(
        r.warnings.iter().any(|w| w.contains("only with `crews`")),
        "{:?}",
        r.warnings
    );
    // Nodes still waiting for a crew at the horizon are named.
    let r = run_text(
        TWO,
        &all_back_at_once("crews = 1").replace("horizon = \"1d\"", "horizon = \"30m\""),
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w == "`big` still waits for a crew at the horizon (1 crew)"),
        "{:?}",
        r.warnings
    );
    // Two crews: nobody waits, whatever the order: 110.
    let r = run_text(
        TWO,
        &all_back_at_once("crews = 2\npolicy = \"order\"\norder = [\"small\"]"),
    );
    assert_eq!(r.people_hours, 110.0);
}

/// Three services, 100 people each on one of them: `heavy` (effort 2, restart 2h), `a` and
/// `b` (effort 1, restart 1h); two crews.
const HEAVY: &str = r#"[model]
name = "heavy"

[[service]]
id = "heavy"
restart = "2h"
effort = 2

[[service]]
id = "a"
restart = "1h"

[[service]]
id = "b"
restart = "1h"

[[client]]
id = "ch"
population = 100
uses = ["heavy"]

[[client]]
id = "ca"
population = 100
uses = ["a"]

[[client]]
id = "cb"
population = 100
uses = ["b"]
"#;

#[test]
fn an_effort_of_two_with_two_crews_blocks_the_others() {
    // File order: heavy takes both crews 0h-2h; a and b 2h-3h: 200 + 300 + 300 = 800.
    let r = run_text(HEAVY, &all_back_at_once("crews = 2"));
    assert_eq!(r.people_hours, 800.0);
    // Unlimited: 200 + 100 + 100 = 400.
    assert_eq!(run_text(HEAVY, &all_back_at_once("")).people_hours, 400.0);
    // a first: at 0h a takes one crew; heavy needs two and waits, and b behind it does not
    // overtake (strict order). a is up at 1h; heavy 1h-3h; b 3h-4h: 100 + 300 + 400 = 800.
    let r = run_text(
        HEAVY,
        &all_back_at_once("crews = 2\npolicy = \"order\"\norder = [\"a\", \"heavy\", \"b\"]"),
    );
    assert_eq!(r.people_hours, 800.0);
    let cb = r.clients.iter().find(|c| c.id == "cb").unwrap();
    assert_eq!(cb.recovered_at_h, Some(4.0));
    // a and b first: both 0h-1h, heavy 1h-3h: 100 + 100 + 300 = 500.
    let r = run_text(
        HEAVY,
        &all_back_at_once("crews = 2\npolicy = \"order\"\norder = [\"a\", \"b\"]"),
    );
    assert_eq!(r.people_hours, 500.0);
    // The plan finds it, and its list shows heavy occupying both crews.
    let (_dir, s) = load_text(HEAVY, &all_back_at_once(""));
    let p = plan::plan(&s, &Config::new(2)).unwrap();
    assert_eq!(p.people_hours, 500.0);
    let heavy = p.restarts.iter().find(|st| st.id == "heavy").unwrap();
    assert_eq!(
        (heavy.start_h, heavy.end_h, heavy.crews_in_use),
        (1.0, Some(3.0), 2)
    );
}

#[test]
fn crews_free_up_when_a_restart_is_interrupted() {
    // `db` restarts 2h, `app` needs it and restarts 1h, `other` 1h; one crew, file order.
    // At 0h db starts; app waits for db (not ready), other waits for the crew. At 1h db is
    // shut down: its crew is free, other starts at once (1h-2h). db is ordered back at 2h
    // and restarts 2h-4h; app 4h-5h.
    let model = r#"[model]
name = "m"

[[service]]
id = "db"
restart = "2h"

[[service]]
id = "app"
requires = "db"
restart = "1h"

[[service]]
id = "other"
restart = "1h"

[[client]]
id = "c"
population = 10
uses = ["app"]

[[client]]
id = "o"
population = 1
uses = ["other"]
"#;
    let scenario = r#"[scenario]
name = "s"
model = "model.toml"
horizon = "1d"
crews = 1

[[event]]
at = "0h"
action = "shutdown"
target = "service:*"

[[event]]
at = "0h"
action = "restart"
target = "service:*"

[[event]]
at = "1h"
action = "shutdown"
target = "db"

[[event]]
at = "2h"
action = "restart"
target = "db"
"#;
    let r = run_text(model, scenario);
    let rec = |id: &str| {
        r.clients
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .recovered_at_h
    };
    assert_eq!(rec("o"), Some(2.0));
    assert_eq!(rec("c"), Some(5.0));
    assert_eq!(r.people_hours, 2.0 + 50.0);
    // The timed list of that run (file order: priority empty).
    let (_dir, s) = load_text(model, scenario);
    let steps = plan::steps(&s, 1, &[]);
    let steps: Vec<(&str, f64, Option<f64>, &str, u32)> = steps
        .iter()
        .map(|st| {
            (
                st.id.as_str(),
                st.start_h,
                st.end_h,
                st.end,
                st.crews_in_use,
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("db", 0.0, Some(1.0), "shut down", 1),
            ("other", 1.0, Some(2.0), "up", 1),
            ("db", 2.0, Some(4.0), "up", 1),
            ("app", 4.0, Some(5.0), "up", 1),
        ]
    );
    // The plan wastes no crew on db before its shutdown: other first, 1 + 50.
    let p = plan::plan(&s, &Config::new(1)).unwrap();
    assert_eq!(p.people_hours, 51.0);
}

#[test]
fn a_patch_sets_effort() {
    let scenario = format!(
        "{}\n[[patch.service]]\nid = \"a\"\neffort = 2\n",
        all_back_at_once("crews = 2\npolicy = \"order\"\norder = [\"a\", \"b\", \"heavy\"]")
    );
    // a now takes both crews 0h-1h; b 1h-2h (with heavy waiting behind it: 1 + 2 > 2);
    // heavy 2h-4h: 100 + 200 + 400 = 700.
    assert_eq!(run_text(HEAVY, &scenario).people_hours, 700.0);
}

#[test]
fn critical_first_prefers_the_larger_client() {
    // Same restart and effort: the node behind more people goes first, whatever file order.
    let (_dir, s) = load_text(
        TWO,
        &all_back_at_once("crews = 1\npolicy = \"critical-first\""),
    );
    let big = s.model.nodes.iter().position(|n| n.id == "big").unwrap() as u32;
    assert_eq!(s.restoration.priority[0], big);
    // Through dependencies: `base` carries everyone above it (10 + 100 people); a slow
    // restart lowers the score (per crew-hour).
    let model = r#"[model]
name = "m"

[[service]]
id = "leaf"
restart = "1h"

[[service]]
id = "base"
restart = "2h"

[[service]]
id = "top"
requires = "base"
restart = "1h"

[[client]]
id = "c1"
population = 60
uses = ["leaf"]

[[client]]
id = "c2"
population = 100
uses = [{ service = "top", share = 0.5 }, "base"]
"#;
    let (_dir, s) = load_text(
        model,
        &all_back_at_once("crews = 1\npolicy = \"critical-first\""),
    );
    let scores = impactsim::scenario::critical_scores(&s.model, &[0, 1, 2]);
    // leaf: 60 people / 1 crew-hour; base: 100 (c2's largest share among its uses of base
    // and top) / 2; top: 50 / 1.
    assert_eq!(scores, [60.0, 50.0, 50.0]);
    // Ties keep file order: base before top.
    assert_eq!(s.restoration.priority, [0, 1, 2]);
}

#[test]
fn both_propagations_agree_with_crews_on_generated_models() {
    use impactsim::generate::{self, Config as Gen, Format};
    for seed in 0..12u64 {
        let cfg = Gen {
            seed,
            sites: 3,
            services: 40,
            layers: 4,
            clients: 10,
            back_edges: 0.05,
            fallbacks: 0.2,
            k_of_n: 0.3,
            events: 30,
            horizon: Some(SimTime(10 * 86_400)),
            ..Gen::default()
        };
        let g = generate::generate(&cfg).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.toml"), g.model_text(Format::Toml)).unwrap();
        std::fs::write(
            dir.path().join("s.toml"),
            g.scenario_text(Format::Toml, "model.toml"),
        )
        .unwrap();
        let mut s = impactsim::load_scenario(&dir.path().join("s.toml")).unwrap();
        let targets = restart_targets(s.model.nodes.len(), &s.events, &s.random_for);
        for (crews, policy) in [(1, Policy::File), (2, Policy::CriticalFirst)] {
            s.restoration = Restoration {
                crews: Some(crews),
                policy,
                priority: match policy {
                    Policy::CriticalFirst => {
                        impactsim::scenario::critical_first(&s.model, &targets)
                    }
                    _ => Vec::new(),
                },
            };
            let fast = metrics::run_with(&s, Propagation::Incremental);
            let reference = metrics::run_with(&s, Propagation::FullRecompute);
            assert_eq!(
                impactsim::report::json(&fast),
                impactsim::report::json(&reference),
                "seed {seed}, {crews} crews"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// plan against brute force
// ---------------------------------------------------------------------------------------------

/// A random small model and scenario: one site and 3 to 5 services (so at most 6 nodes
/// restart), requirements on earlier services, efforts up to the crews, restarts from 30m to
/// 4h, one client per service; everything shut down at 0 and ordered back at 0, some nodes
/// again later.
fn random_case(seed: u64) -> (String, String, u32) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let crews = rng.random_range(1..=2u32);
    let services = rng.random_range(3..=5usize);
    let mut m = String::from("[model]\nname = \"random\"\n\n[[site]]\nid = \"dc\"\n");
    m += &format!("restart = \"{}m\"\n", rng.random_range(0..=4u32) * 30);
    for i in 0..services {
        m += &format!("\n[[service]]\nid = \"v{i}\"\n");
        m += &format!("restart = \"{}m\"\n", rng.random_range(1..=8u32) * 30);
        m += &format!("effort = {}\n", rng.random_range(1..=crews));
        if rng.random_range(0..3u32) > 0 {
            m += "hosted_on = \"dc\"\n";
        }
        if i > 0 && rng.random_range(0..2u32) == 0 {
            m += &format!("requires = \"v{}\"\n", rng.random_range(0..i));
        }
    }
    for i in 0..services {
        m += &format!(
            "\n[[client]]\nid = \"c{i}\"\npopulation = {}\nuses = [{{ service = \"v{i}\", share = 0.{} }}]\n",
            rng.random_range(1..=1000u32),
            rng.random_range(1..=9u32)
        );
    }
    let mut s = String::from(
        "[scenario]\nname = \"random\"\nmodel = \"model.toml\"\nhorizon = \"2d\"\n\n\
         [[event]]\nat = \"0h\"\naction = \"shutdown\"\ntarget = [\"site:*\", \"service:*\"]\n\n\
         [[event]]\nat = \"0h\"\naction = \"restart\"\ntarget = [\"site:*\", \"service:*\"]\n",
    );
    if rng.random_range(0..2u32) == 0 {
        let v = rng.random_range(0..services);
        let at = rng.random_range(1..=6u32);
        s += &format!(
            "\n[[event]]\nat = \"{at}h\"\naction = \"shutdown\"\ntarget = \"v{v}\"\nfor = \"1h\"\n"
        );
    }
    (m, s, crews)
}

#[test]
fn plan_is_never_worse_than_file_order_and_optimal_on_small_cases() {
    let mut local_optimal = 0;
    let cases = 30;
    for seed in 0..cases {
        let (m, s, crews) = random_case(seed);
        let (_dir, sc) = load_text(&m, &s);
        let best = best_by_brute_force(&sc, crews);
        let p = plan::plan(&sc, &Config::new(crews)).unwrap();
        assert_eq!(p.method, Method::Exhaustive, "seed {seed}");
        assert!(p.people_hours <= p.people_hours_file_order, "seed {seed}");
        assert!(
            p.people_hours <= p.people_hours_critical_first,
            "seed {seed}"
        );
        assert_eq!(p.people_hours, best, "seed {seed}: plan is the optimum");
        // The figures are those of `run` with the policies.
        assert_eq!(people_hours(&sc, crews, &[]), p.people_hours_file_order);
        let targets = restart_targets(sc.model.nodes.len(), &sc.events, &sc.random_for);
        let critical = impactsim::scenario::critical_first(&sc.model, &targets);
        assert_eq!(
            people_hours(&sc, crews, &critical),
            p.people_hours_critical_first
        );
        assert_eq!(people_hours(&sc, crews, &p.order_nodes), p.people_hours);
        // The local search alone: never worse than file order, and optimal on these.
        let local = plan::plan(
            &sc,
            &Config {
                exhaustive: false,
                ..Config::new(crews)
            },
        )
        .unwrap();
        assert_ne!(local.method, Method::Exhaustive);
        assert!(local.people_hours <= local.people_hours_file_order);
        assert!(local.people_hours >= best);
        assert_eq!(
            people_hours(&sc, crews, &local.order_nodes),
            local.people_hours
        );
        local_optimal += u64::from(local.people_hours == best);
    }
    // Measured once over seeds 0..400: optimal in 399 (seed 347 stops at a local optimum).
    assert_eq!(local_optimal, cases, "local search not optimal everywhere");
}

// ---------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------

#[test]
fn plan_writes_a_scenario_that_run_replays() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model.toml"), HEAVY).unwrap();
    // With a patch, a description and a `for`: all carried over.
    let scenario = format!(
        "{}\n[[event]]\nat = \"5h\"\naction = \"shutdown\"\ntarget = \"b\"\nfor = \"2h\"\n\n\
         [patch]\n[[patch.service]]\nid = \"a\"\nrestart = \"3h\"\n",
        all_back_at_once("description = \"what if\"\ncrews = 3")
    );
    std::fs::write(dir.path().join("scenario.toml"), &scenario).unwrap();
    let planned = json_of(&run_in(
        dir.path(),
        &[
            "plan",
            "scenario.toml",
            "--crews",
            "2",
            "--json",
            "--out",
            "plans/p.toml",
        ],
    ));
    let replay = json_of(&run_in(dir.path(), &["run", "plans/p.toml", "--json"]));
    assert_eq!(planned["people_hours"], replay["people_hours"]);
    assert_eq!(planned["crews"], 2);
    let written = std::fs::read_to_string(dir.path().join("plans/p.toml")).unwrap();
    assert!(written.contains("model = \"../model.toml\""), "{written}");
    assert!(written.contains("policy = \"order\""), "{written}");
    assert!(written.contains("description = \"what if\""), "{written}");
    assert!(written.contains("[[patch.service]]"), "{written}");
    // The patch is kept: without it, a restarts in 1h and the figure differs.
    let unpatched = run_text(HEAVY, &all_back_at_once("crews = 2"));
    assert_ne!(
        replay["people_hours"].as_f64().unwrap(),
        unpatched.people_hours
    );
    // JSON out of TOML in: the same replay.
    json_of(&run_in(
        dir.path(),
        &[
            "plan",
            "scenario.toml",
            "--crews",
            "2",
            "--json",
            "--out",
            "p.json",
        ],
    ));
    let replay_json = json_of(&run_in(dir.path(), &["run", "p.json", "--json"]));
    assert_eq!(planned["people_hours"], replay_json["people_hours"]);
    // The table names the three figures and the saving.
    let out = run_in(dir.path(), &["plan", "scenario.toml", "--crews", "2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "file order",
        "critical-first",
        "plan",
        "saving over file order",
        "start",
    ] {
        assert!(text.contains(want), "{text}");
    }
}

#[test]
fn bitmarck_plan_saves_people_hours_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("models/bitmarck-2023/attack-2023.toml");
    let out = dir.path().join("bitmarck-plan.toml");
    let planned = json_of(&run_in(
        dir.path(),
        &[
            "plan",
            scenario.to_str().unwrap(),
            "--crews",
            "3",
            "--json",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let saving = planned["saving"].as_f64().unwrap();
    assert!(saving > 0.0, "{planned}");
    let replay = json_of(&run_in(
        dir.path(),
        &["run", out.to_str().unwrap(), "--json"],
    ));
    assert_eq!(planned["people_hours"], replay["people_hours"]);
}

#[test]
fn bad_crews_effort_and_order_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let write = |name: &str, text: &str| std::fs::write(p.join(name), text).unwrap();
    write("model.toml", TWO);
    // Scenario lines: 1 [scenario], 2 name, 3 model, 4 horizon, 5 the header line.
    write("crews0.toml", &all_back_at_once("crews = 0"));
    assert_located(
        &run_in(p, &["run", "crews0.toml"]),
        "crews0.toml:5:9",
        "0 crews",
    );
    write(
        "order.toml",
        &all_back_at_once("crews = 1\npolicy = \"order\"\norder = [\"big\", \"smal\"]"),
    );
    let out = run_in(p, &["validate", "order.toml"]);
    assert_located(&out, "order.toml:7:17", "unknown id `smal` in `order`");
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `small`?"));
    write(
        "client.toml",
        &all_back_at_once("crews = 1\npolicy = \"order\"\norder = [\"many\"]"),
    );
    assert_located(
        &run_in(p, &["run", "client.toml"]),
        "client.toml:7:10",
        "is a client",
    );
    write(
        "twice.toml",
        &all_back_at_once("crews = 1\npolicy = \"order\"\norder = [\"big\", \"big\"]"),
    );
    assert_located(
        &run_in(p, &["run", "twice.toml"]),
        "twice.toml:7:17",
        "listed twice",
    );
    write(
        "nopolicy.toml",
        &all_back_at_once("crews = 1\norder = [\"big\"]"),
    );
    assert_located(
        &run_in(p, &["run", "nopolicy.toml"]),
        "nopolicy.toml:6:9",
        "`order`",
    );
    write("policy.toml", &all_back_at_once("policy = \"fastest\""));
    assert_located(
        &run_in(p, &["run", "policy.toml"]),
        "policy.toml:5:10",
        "fastest",
    );
    // effort = 0 in the model (line 7 of the model below).
    write(
        "effort-model.toml",
        &TWO.replace(
            "restart = \"1h\"\n\n[[service]]\nid = \"big\"",
            "restart = \"1h\"\neffort = 0\n\n[[service]]\nid = \"big\"",
        ),
    );
    write(
        "effort.toml",
        &all_back_at_once("").replace("model.toml", "effort-model.toml"),
    );
    assert_located(
        &run_in(p, &["run", "effort.toml"]),
        "effort-model.toml:7:10",
        "0 crews",
    );
    // More effort than crews: located at `crews`, naming the node.
    write("heavy.toml", HEAVY);
    write(
        "few.toml",
        &all_back_at_once("crews = 1").replace("model.toml", "heavy.toml"),
    );
    assert_located(
        &run_in(p, &["run", "few.toml"]),
        "few.toml:5:9",
        "effort of `heavy` (2)",
    );
    // plan --crews below an effort, or 0: bad input too.
    write(
        "heavy-s.toml",
        &all_back_at_once("").replace("model.toml", "heavy.toml"),
    );
    for crews in ["0", "1"] {
        let out = run_in(p, &["plan", "heavy-s.toml", "--crews", crews]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

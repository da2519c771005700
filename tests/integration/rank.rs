//! `rank`: single losses on a hand-made model with a known single point of failure and a
//! known redundant pair, and the pairs and cut sets held to brute force on random models.

use impactsim::engine::{Engine, Recorder, View};
use impactsim::model::{Combine, FULL, Model};
use impactsim::rank::{Options, rank};
use impactsim::scenario::{Action, Event};
use impactsim::source::Source;
use impactsim::time::SimTime;

fn load(text: &str) -> Model {
    impactsim::model::load_model(&Source::from_text("model.toml", text)).unwrap()
}

/// S1 and S2 are sites (restart 1h). A runs on either site; B only on S1. X (10 people)
/// uses A; Y (5) uses B; Z (4) uses A for half its needs.
const MODEL: &str = r#"
[model]
name = "rank"
[[site]]
id = "S1"
restart = "1h"
[[site]]
id = "S2"
restart = "1h"
[[service]]
id = "A"
hosted_on = { any_of = ["S1", "S2"] }
[[service]]
id = "B"
hosted_on = "S1"
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
population = 4
uses = [{ service = "A", share = 0.5 }]
"#;

/// Losses of 2h. A: X cut off and Z half affected for 2h (restart 0h): (10 + 2) × 2 = 24.
/// S1: B down until S1 is back at 3h (2h + restart 1h); A runs on S2: Y cut off, 5 × 3 = 15.
/// B: Y cut off for 2h: 10. S2: nothing. Pairs: only S1 + S2 cut off X, whom neither cuts
/// off alone. Cut sets: X {A}, {S1, S2}; Y {S1}, {B}; Z none (it never loses everything).
#[test]
fn hand_model() {
    let model = load(MODEL);
    let r = rank(
        &model,
        Options {
            duration: SimTime(2 * 3600),
            order: 2,
            max_pairs: 1000,
            ..Options::default()
        },
    );
    let order: Vec<(&str, f64)> = r
        .singles
        .iter()
        .map(|s| (s.id.as_str(), s.people_hours))
        .collect();
    assert_eq!(
        order,
        vec![("A", 24.0), ("S1", 15.0), ("B", 10.0), ("S2", 0.0)]
    );
    let a = &r.singles[0];
    assert_eq!((a.peak_affected, a.clients_hit), (12.0, 2));
    assert_eq!(a.cut_off, vec!["X"]);
    assert_eq!(a.recovered_at_h, Some(2.0));
    let s1 = &r.singles[1];
    assert_eq!(
        (s1.cut_off.to_vec(), s1.people_cut_off),
        (vec!["Y".to_string()], 5)
    );
    assert_eq!(s1.recovered_at_h, Some(3.0));
    assert_eq!(r.pairs.len(), 1, "{:?}", r.pairs);
    assert_eq!(r.pairs[0].ids, ["S1".to_string(), "S2".to_string()]);
    assert_eq!(
        (r.pairs[0].cut_off.clone(), r.pairs[0].people_cut_off),
        (vec!["X".to_string()], 10)
    );
    let cuts: Vec<(String, Vec<String>, Vec<[String; 2]>)> = r
        .cut_sets
        .iter()
        .map(|c| (c.id.clone(), c.singles.to_vec(), c.pairs.clone()))
        .collect();
    assert_eq!(
        cuts,
        vec![
            (
                "X".into(),
                vec!["A".into()],
                vec![["S1".into(), "S2".into()]]
            ),
            ("Y".into(), vec!["S1".into(), "B".into()], vec![]),
        ]
    );
    // The JSON names the clients and nodes by their ids, as lists.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["singles"][0]["cut_off"], serde_json::json!(["X"]));
    assert_eq!(json["singles"][3]["cut_off"], serde_json::json!([]));
    assert_eq!(
        json["cut_sets"][1]["singles"],
        serde_json::json!(["S1", "B"])
    );
    // The table names the single points of failure.
    let table = impactsim::report::rank::table(&r, 10);
    assert!(
        table.contains("Single points of failure: 3 of 4"),
        "{table}"
    );
    assert!(table.contains("S1") && table.contains("+ S2"), "{table}");
}

/// Clients cut off at the first instant of a joint loss, from a fresh engine: those whose
/// uses' losses, combined the client's way and worked out here from scratch, reach
/// `cut_units` (10⁻¹² of a client).
struct FirstCut {
    first: bool,
    cut_units: u128,
    cut: Vec<usize>,
}

/// A client's losses combined, the plain way (SPEC 2.5 and docs/reference.md).
fn combined_loss(how: Combine, losses: impl Iterator<Item = u128>) -> u128 {
    let whole = (FULL as u128) * (FULL as u128);
    match how {
        Combine::Max => losses.max().unwrap_or(0),
        Combine::Sum => losses.sum::<u128>().min(whole),
        Combine::Union => whole - losses.fold(whole, |kept, l| kept * (whole - l) / whole),
    }
}

impl Recorder for FirstCut {
    fn start(&mut self, _: &View<'_>) {}
    fn instant(&mut self, _: SimTime, _: &[u32], _: &[u32], v: &View<'_>) {
        if !self.first {
            return;
        }
        self.first = false;
        for (c, client) in v.model.clients.iter().enumerate() {
            let losses = v
                .model
                .client_uses(c)
                .iter()
                .map(|&(n, share)| share as u128 * (FULL - v.a[n as usize]) as u128);
            let cut =
                client.population > 0 && combined_loss(client.combine, losses) >= self.cut_units;
            if cut {
                self.cut.push(c);
            }
        }
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

fn cut_by(model: &Model, cut_off: f64, nodes: Vec<u32>) -> Vec<usize> {
    let mut rec = FirstCut {
        first: true,
        cut_units: (cut_off * FULL as f64).round() as u128 * FULL as u128,
        cut: Vec::new(),
    };
    let events = [Event {
        at: SimTime::ZERO,
        action: Action::Shutdown,
        targets: nodes,
        order: 0,
        implied: false,
    }];
    Engine::new(model).play(&events, SimTime::ZERO, &mut rec);
    rec.cut
}

/// On random generated models (any-of hosting, k-of-n groups, cycles, fallbacks), the
/// single and pair cut sets `rank` finds equal brute force over every node and every pair,
/// each simulated on a fresh engine. A quarter of the models are ranked as before (all
/// people, uses by max); the others with clients summing their uses, with a cut-off of
/// half the people, or with a cut-off of 0.7 and clients combining by max, union or sum.
#[test]
fn cut_sets_match_brute_force() {
    let mut pairs_seen = [0; 4];
    for seed in 0..80 {
        let variant = seed as usize % 4;
        let (cut_off, modes): (f64, &[Combine]) = match variant {
            0 => (1.0, &[Combine::Max]),
            1 => (1.0, &[Combine::Sum]),
            2 => (0.5, &[Combine::Max]),
            _ => (0.7, &[Combine::Max, Combine::Union, Combine::Sum]),
        };
        let cfg = impactsim::generate::Config {
            seed,
            sites: 3,
            services: 18,
            layers: 3,
            clients: 8,
            fan_in: vec![(1, 3)],
            any_of_hosting: 0.6,
            k_of_n: 0.5,
            back_edges: 0.05,
            fallbacks: 0.2,
            uses: if variant == 0 { (1, 2) } else { (1, 3) },
            ..Default::default()
        };
        let g = impactsim::generate::generate(&cfg).unwrap();
        let text = g.model_text(impactsim::generate::Format::Toml);
        let mut model = load(&text);
        for (c, client) in model.clients.iter_mut().enumerate() {
            client.combine = modes[c % modes.len()];
        }
        let model = model;
        let r = rank(
            &model,
            Options {
                duration: SimTime(3600),
                order: 2,
                max_pairs: usize::MAX,
                cut_off,
                ..Options::default()
            },
        );
        let n = model.nodes.len() as u32;
        let id = |v: u32| model.nodes[v as usize].id.to_string();
        let cid = |c: usize| model.clients[c].id.to_string();
        let singles: Vec<Vec<usize>> = (0..n).map(|v| cut_by(&model, cut_off, vec![v])).collect();
        // Singles.
        for s in &r.singles {
            let v = model.nodes.iter().position(|x| x.id == s.id).unwrap();
            let want: Vec<String> = singles[v].iter().map(|&c| cid(c)).collect();
            assert_eq!(s.cut_off, want, "seed {seed}: loss of {}", s.id);
        }
        // Pairs: every pair, brute force.
        let mut want: Vec<([String; 2], Vec<String>)> = Vec::new();
        for x in 0..n {
            for y in x + 1..n {
                let only: Vec<String> = cut_by(&model, cut_off, vec![x, y])
                    .into_iter()
                    .filter(|c| {
                        !singles[x as usize].contains(c) && !singles[y as usize].contains(c)
                    })
                    .map(cid)
                    .collect();
                if !only.is_empty() {
                    want.push(([id(x), id(y)], only));
                }
            }
        }
        let mut got: Vec<([String; 2], Vec<String>)> = r
            .pairs
            .iter()
            .map(|p| (p.ids.clone(), p.cut_off.clone()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "seed {seed}");
        assert_eq!(r.pairs_untried, 0);
        pairs_seen[variant] += want.len();
    }
    assert!(
        pairs_seen.iter().all(|&p| p > 0),
        "the random models of every variant must have some pairs to find: {pairs_seen:?}"
    );
}

/// Every single loss costs what a plain run of the same loss costs: a scenario that shuts
/// the node down at 0 and orders its restart after the duration, run to the same horizon
/// (the duration plus the model's longest restart, activation and switchback). This holds
/// the shortcut `rank` takes for quiet losses, and the full runs it plays otherwise
/// (fallbacks, cycles), to the ordinary engine and metrics.
#[test]
fn single_losses_equal_plain_runs() {
    for seed in 0..6 {
        let cfg = impactsim::generate::Config {
            seed: 100 + seed,
            sites: 3,
            services: 24,
            layers: 3,
            clients: 8,
            fan_in: vec![(1, 3)],
            any_of_hosting: 0.5,
            k_of_n: 0.4,
            back_edges: 0.08,
            fallbacks: 0.3,
            uses: (1, 3),
            ..Default::default()
        };
        let g = impactsim::generate::generate(&cfg).unwrap();
        let text = g.model_text(impactsim::generate::Format::Toml);
        let model = load(&text);
        let duration = SimTime(5 * 3600);
        let r = rank(
            &model,
            Options {
                duration,
                order: 1,
                max_pairs: 0,
                ..Options::default()
            },
        );
        let longest = |f: &dyn Fn(usize) -> u64| (0..model.nodes.len()).map(f).max().unwrap();
        let horizon = duration.0
            + longest(&|i| model.nodes[i].restart.0)
            + longest(&|i| model.fallbacks[i].map_or(0, |f| f.activation.0))
            + longest(&|i| model.fallbacks[i].map_or(0, |f| f.switchback.0));
        for s in &r.singles {
            let scenario = format!(
                "[scenario]\nname = \"loss\"\nmodel = \"model.toml\"\nhorizon = \"{horizon}s\"\n\
                 [[event]]\nat = \"0h\"\naction = \"shutdown\"\ntarget = \"{}\"\nfor = \"5h\"\n",
                s.id
            );
            let plain = crate::common::run_text(&text, &scenario);
            let close =
                (plain.people_hours - s.people_hours).abs() <= 1e-9 * plain.people_hours.max(1.0);
            assert!(
                close,
                "seed {seed}, loss of {}: rank {} vs run {}",
                s.id, s.people_hours, plain.people_hours
            );
            assert_eq!(
                plain.peak_affected, s.peak_affected,
                "seed {seed}, {}",
                s.id
            );
            assert_eq!(
                plain.recovered_at_h, s.recovered_at_h,
                "seed {seed}, {}",
                s.id
            );
        }
    }
}

/// Cut-offs below all the people, and clients that combine partial losses. A runs on S1, B
/// on S2; U (100 people) uses A and B at share 0.6 each. Alone, any loss takes 0.6 of U.
/// Nodes in model order: S1, S2, A, B.
/// - max, cut-off 1: nothing cuts U off, alone or in pairs (the worst use is 0.6).
/// - max, cut-off 0.5: every single loss does (0.6 ≥ 0.5), so no pair adds anything.
/// - sum, cut-off 1: no single loss; a pair taking both uses does (0.6 + 0.6, capped at 1):
///   S1 + S2, S1 + B, S2 + A, A + B. S1 + A takes only A.
/// - union, cut-off 0.8: the same pairs (1 − 0.4 × 0.4 = 0.84); by union, cut-off 1, none.
#[test]
fn cut_off_and_combine_decide_who_is_cut_off() {
    let text = r#"
[model]
name = "partial"
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
id = "U"
population = 100
uses = [{ service = "A", share = 0.6 }, { service = "B", share = 0.6 }]
"#;
    let both = [["S1", "S2"], ["S1", "B"], ["S2", "A"], ["A", "B"]];
    let cases: [(Combine, f64, usize, &[[&str; 2]]); 5] = [
        (Combine::Max, 1.0, 0, &[]),
        (Combine::Max, 0.5, 4, &[]),
        (Combine::Sum, 1.0, 0, &both),
        (Combine::Union, 0.8, 0, &both),
        (Combine::Union, 1.0, 0, &[]),
    ];
    for (how, cut_off, singles, pairs) in cases {
        let mut model = load(text);
        model.clients[0].combine = how;
        let r = rank(
            &model,
            Options {
                duration: SimTime(3600),
                order: 2,
                max_pairs: 100,
                cut_off,
                ..Options::default()
            },
        );
        let cutting = r.singles.iter().filter(|s| s.people_cut_off == 100).count();
        assert_eq!(cutting, singles, "{how} at {cut_off}");
        let mut got: Vec<[String; 2]> = r.pairs.iter().map(|p| p.ids.clone()).collect();
        got.sort();
        let mut want: Vec<[String; 2]> = pairs
            .iter()
            .map(|[x, y]| [x.to_string(), y.to_string()])
            .collect();
        want.sort();
        assert_eq!(got, want, "{how} at {cut_off}");
        assert_eq!(r.cut_off, cut_off);
    }
}

/// `--cut-off` takes a share above 0 and at most 1; the table and the JSON say which.
#[test]
fn cut_off_on_the_command_line() {
    let dir = crate::common::dir_with(&[("model.toml", MODEL)]);
    for bad in ["0", "1.5", "half"] {
        let out = crate::common::run_in(dir.path(), &["rank", "model.toml", "--cut-off", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("share of a client's people"), "{err}");
    }
    let out = crate::common::run_in(dir.path(), &["rank", "model.toml", "--cut-off", "0.5"]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("A client is cut off with at least 50% of its people affected."),
        "{table}"
    );
    let out = crate::common::run_in(
        dir.path(),
        &["rank", "model.toml", "--cut-off", "0.5", "--json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cut_off"], 0.5);
    // Z uses A for half its needs: losing A now cuts it off too.
    let a = json["singles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "A")
        .unwrap();
    assert_eq!(a["cut_off"], serde_json::json!(["X", "Z"]));
}

//! Generated models: same seed, same bytes; the incremental engine held to the
//! full-recompute reference; the people-hours checksum.

use std::path::{Path, PathBuf};

use impactsim::engine::{Engine, Propagation, Recorder, View};
use impactsim::generate::{self, Config, Format};
use impactsim::metrics;
use impactsim::model::{Combine, FULL};
use impactsim::{Scenario, SimTime};
use proptest::prelude::*;

const H: u64 = 3600;

/// Writes a generated model and scenario into `dir` and loads the scenario.
fn load(cfg: &Config, format: Format, dir: &Path) -> Scenario {
    let g = generate::generate(cfg).unwrap();
    let model_name = format!("model.{}", format.extension());
    let scenario_path: PathBuf = dir.join(format!("scenario.{}", format.extension()));
    std::fs::write(dir.join(&model_name), g.model_text(format)).unwrap();
    std::fs::write(&scenario_path, g.scenario_text(format, &model_name)).unwrap();
    impactsim::load_scenario(&scenario_path).unwrap_or_else(|e| panic!("{e:?}"))
}

fn small(seed: u64) -> Config {
    Config {
        seed,
        sites: 3,
        services: 60,
        layers: 4,
        clients: 12,
        fan_in: vec![(1, 3), (2, 4)],
        any_of_hosting: 0.5,
        k_of_n: 0.4,
        back_edges: 0.08,
        fallbacks: 0.3,
        rto: 0.2,
        events: 40,
        horizon: Some(SimTime(10 * 86_400)),
        ..Config::default()
    }
}

#[test]
fn same_seed_same_bytes_and_events_leave_the_model_alone() {
    let a = generate::generate(&small(7)).unwrap();
    let b = generate::generate(&small(7)).unwrap();
    for f in [Format::Toml, Format::Json] {
        assert_eq!(a.model_text(f), b.model_text(f));
        assert_eq!(a.scenario_text(f, "m"), b.scenario_text(f, "m"));
    }
    let other = generate::generate(&small(8)).unwrap();
    assert_ne!(a.model_text(Format::Json), other.model_text(Format::Json));
    let more_events = generate::generate(&Config {
        events: 90,
        ..small(7)
    })
    .unwrap();
    assert_eq!(
        a.model_text(Format::Toml),
        more_events.model_text(Format::Toml)
    );
    assert_ne!(
        a.scenario_text(Format::Toml, "m"),
        more_events.scenario_text(Format::Toml, "m")
    );
}

#[test]
fn generated_models_have_the_asked_shape() {
    let cfg = Config {
        population: 25_000_000,
        ..small(3)
    };
    let dir = tempfile::tempdir().unwrap();
    let toml = load(&cfg, Format::Toml, dir.path());
    let json = load(&cfg, Format::Json, dir.path());
    let m = &toml.model;
    assert_eq!(m.node_count(), 63);
    assert_eq!(m.clients.len(), 12);
    assert_eq!(m.total_population(), 25_000_000, "populations sum exactly");
    assert_eq!(toml.events.len(), 40);
    assert_eq!(json.model.edge_count(), m.edge_count());
    // TOML and JSON are the same model: the same run, to the byte.
    let (rt, rj) = (metrics::run(&toml), metrics::run(&json));
    assert_eq!(impactsim::report::json(&rt), impactsim::report::json(&rj));
    // Every client uses 1 to 5 services of the top layer (ids `svc3-..`).
    for c in 0..m.clients.len() {
        let uses = m.client_uses(c);
        assert!((1..=5).contains(&uses.len()));
        for &(n, _) in uses {
            assert!(m.nodes[n as usize].id.starts_with("svc3-"));
        }
    }
}

#[test]
fn bad_options_are_usage_errors() {
    for cfg in [
        Config {
            sites: 0,
            ..small(1)
        },
        Config {
            layers: 0,
            ..small(1)
        },
        Config {
            services: 2,
            layers: 3,
            ..small(1)
        },
        Config {
            fan_in: vec![(4, 2)],
            ..small(1)
        },
        Config {
            k_of_n: 1.5,
            ..small(1)
        },
        Config {
            restart: (SimTime(5 * H), SimTime(H)),
            ..small(1)
        },
    ] {
        let e = generate::generate(&cfg).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Whole runs on random generated models (cycles, any-of hosting, k-of-n groups,
    /// fallbacks, RTOs, repairs and restarts; half of them with many clients; clients
    /// combining their uses by max, union, sum or a mix; business functions; warmups and
    /// growing fallbacks):
    /// every figure and the whole timeline of the incremental engine and metrics equal
    /// those of the full-recompute reference.
    #[test]
    fn incremental_equals_reference_on_generated_models(
        seed in 0u64..10_000,
        back_edges in 0.0f64..0.3,
        k_of_n in 0.0f64..0.8,
        fallbacks in 0.0f64..0.6,
        instant in any::<bool>(),
        many_clients in any::<bool>(),
        combine in 0usize..4,
        functions in any::<bool>(),
        ramps in any::<bool>(),
    ) {
        let mut cfg = Config { back_edges, k_of_n, fallbacks, ..small(seed) };
        if many_clients {
            // Clients outnumber the services ten to one, each using several: the incremental
            // client figures and RTO sums against the plain ones.
            cfg.clients = 150;
            cfg.uses = (3, 9);
            cfg.rto = 0.5;
        }
        if instant {
            cfg.restart = (SimTime::ZERO, SimTime::ZERO);
            cfg.repair = (SimTime::ZERO, SimTime::ZERO);
            cfg.every = Some(SimTime(H));
            cfg.horizon = None;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut s = load(&cfg, Format::Toml, dir.path());
        let modes = [Combine::Max, Combine::Union, Combine::Sum];
        for (c, client) in s.model.clients.iter_mut().enumerate() {
            client.combine = modes[if combine == 3 { c % 3 } else { combine }];
        }
        if functions {
            add_functions(&mut s.model);
        }
        if ramps {
            // Every third node runs at 0.4 for an hour and a half after each restart; every
            // fallback carries 0.1 more from 1h after its engagement, and everything from 3h.
            for (v, node) in s.model.nodes.iter_mut().enumerate() {
                if v % 3 == 0 {
                    node.warmup = Some((FULL * 2 / 5, SimTime(H * 3 / 2)));
                }
            }
            let growth = s.model.fallbacks.iter().map(|f| match f {
                Some(f) => vec![
                    (SimTime(H), (f.capacity + FULL / 10).min(FULL)),
                    (SimTime(3 * H), FULL),
                ],
                None => Vec::new(),
            });
            s.model.fallback_growth = impactsim::model::Csr::from_rows(growth.collect::<Vec<_>>());
        }
        let fast = metrics::run_with(&s, Propagation::Incremental);
        let reference = metrics::run_with(&s, Propagation::FullRecompute);
        prop_assert_eq!(&fast.timeline, &reference.timeline);
        prop_assert_eq!(&fast.functions, &reference.functions);
        prop_assert_eq!(impactsim::report::json(&fast), impactsim::report::json(&reference));
    }
}

/// Three business functions over nodes spread through the model: one node; any of two, at
/// min level 0.5 with an MTN; two of three, for the first client only. Each depends on
/// every fallback and every backup of the model (more than the model's own upstream: the
/// counting is what is held to the reference), with an RPO of an hour.
fn add_functions(model: &mut impactsim::model::Model) {
    let n = model.nodes.len() as u32;
    // Every fourth node is backed up every 2h; every function depends on those backups.
    for (v, node) in model.nodes.iter_mut().enumerate() {
        if v % 4 == 0 {
            node.backup = Some(SimTime(2 * H));
        }
    }
    let backups: Vec<u32> = (0..n).filter(|&v| v % 4 == 0).collect();
    let fallbacks: Vec<u32> = (0..n)
        .filter(|&v| model.fallbacks[v as usize].is_some())
        .collect();
    let function = |id: &str, needs: Vec<(u32, Vec<u32>)>| impactsim::model::Function {
        id: id.to_string(),
        name: id.to_string(),
        client: None,
        needs,
        weight: 1.0,
        min_level: FULL,
        mtpd: Some(SimTime(2 * H)),
        rto: Some(SimTime(H)),
        mtn: None,
        rpo: Some(SimTime(H)),
        fallbacks: fallbacks.clone(),
        backups: backups.clone(),
    };
    model.functions = vec![
        function("one", vec![(1, vec![n / 2])]),
        impactsim::model::Function {
            min_level: FULL / 2,
            mtn: Some(SimTime(H)),
            ..function("any", vec![(1, vec![n / 3, 2 * n / 3])])
        },
        impactsim::model::Function {
            client: Some(0),
            weight: 2.0,
            ..function("two", vec![(2, vec![n - 1, n - 2, n - 3])])
        },
    ];
}

/// Affected people (in 10⁻¹² person units) computed from scratch at every instant.
struct FromScratch {
    at: Vec<(SimTime, u128)>,
}

impl Recorder for FromScratch {
    fn start(&mut self, _: &View<'_>) {}
    fn instant(&mut self, t: SimTime, _: &[u32], _: &[u32], v: &View<'_>) {
        let m = v.model;
        let total = (0..m.clients.len())
            .map(|c| {
                let worst = m
                    .client_uses(c)
                    .iter()
                    .map(|&(n, share)| share as u128 * (FULL - v.a[n as usize]) as u128)
                    .max()
                    .unwrap_or(0);
                m.clients[c].population as u128 * worst
            })
            .sum();
        self.at.push((t, total));
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

/// One event an hour, every restart and repair instant: people-hours equal the sum over
/// events of the people affected after each event, as the full-recompute reference sees them.
#[test]
fn people_hours_checksum() {
    for seed in [1, 2, 3, 4] {
        let cfg = Config {
            seed,
            sites: 5,
            services: 400,
            layers: 5,
            clients: 40,
            fan_in: vec![(1, 4)],
            back_edges: 0.05,
            fallbacks: 0.0,
            restart: (SimTime::ZERO, SimTime::ZERO),
            repair: (SimTime::ZERO, SimTime::ZERO),
            events: 120,
            every: Some(SimTime(H)),
            horizon: None,
            population: 3_000_000,
            ..Config::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let s = load(&cfg, Format::Json, dir.path());
        assert_eq!(s.horizon, SimTime(120 * H));
        let mut scratch = FromScratch { at: Vec::new() };
        Engine::run_with(&s, &mut scratch, Propagation::FullRecompute);
        // Exactly one instant per event, at whole hours 0..120.
        let times: Vec<u64> = scratch.at.iter().map(|p| p.0.0).collect();
        assert_eq!(times, (0..120).map(|i| i * H).collect::<Vec<_>>());
        let units: u128 = scratch.at.iter().map(|p| p.1).sum();
        let expected = (units * H as u128) as f64 / (FULL as f64 * FULL as f64 * H as f64);
        let result = metrics::run(&s);
        assert_eq!(result.people_hours, expected, "seed {seed}");
        assert!(
            result.people_hours > 0.0,
            "seed {seed}: the events affect someone"
        );
    }
}

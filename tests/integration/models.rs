//! Every file under models/ validates and every scenario runs; the Bitmarck attack scenario
//! shows what the news reports of 2023 describe.

use std::path::{Path, PathBuf};

use impactsim::SimTime;
use impactsim::engine::{Engine, Recorder, View};
use impactsim::model::IdRef;

use crate::common::{root, run_file};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "json")
        ) {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn every_model_and_scenario_validates_and_runs() {
    let files = files_under(&root().join("models"));
    assert!(files.len() >= 4, "{files:?}");
    let mut scenarios = 0;
    for f in &files {
        let v =
            impactsim::validate::validate(f).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        if v.kind == "scenario" {
            scenarios += 1;
            let r = run_file(f);
            assert!(r.deadlocks.is_empty(), "{}: {:?}", f.display(), r.deadlocks);
        }
    }
    assert!(scenarios >= 3, "the attack and at least two what-ifs");
}

fn attack() -> PathBuf {
    root().join("models/bitmarck-2023/attack-2023.toml")
}

#[test]
fn bitmarck_population_and_recovery() {
    let r = run_file(&attack());
    assert_eq!(r.clients.len(), 80);
    assert!(
        (24_500_000..=25_500_000).contains(&r.total_population),
        "{}",
        r.total_population
    );
    // Everything is shut down at detection: every insured is affected at once.
    assert_eq!(
        (r.peak_affected, r.peak_time_h),
        (r.total_population as f64, 0.0)
    );
    let recovered = r.recovered_at_h.expect("recovers within the horizon");
    assert!(
        recovered <= r.horizon_h && recovered > 7.0 * 24.0,
        "{recovered}"
    );
}

#[test]
fn bitmarck_sbk_loses_all_customer_communication() {
    let r = run_file(&attack());
    let sbk = r.clients.iter().find(|c| c.id == "sbk").unwrap();
    assert_eq!(sbk.peak_affected, sbk.population as f64);
    // Its channels stay down for two weeks: the longest outage of any insurer.
    assert!(
        sbk.longest_outage_h >= 14.0 * 24.0,
        "{}",
        sbk.longest_outage_h
    );
    assert!(
        r.clients
            .iter()
            .all(|c| c.longest_outage_h <= sbk.longest_outage_h)
    );
}

#[test]
fn bitmarck_second_dip_when_services_are_shut_down_again() {
    let r = run_file(&attack());
    let rises: Vec<f64> = r
        .timeline
        .windows(2)
        .filter(|w| w[1].affected > w[0].affected)
        .map(|w| w[1].t_h)
        .collect();
    assert!(
        !rises.is_empty(),
        "affected never rises again after the first recovery steps"
    );
    assert!(rises.iter().any(|&t| t > 3.0 * 24.0), "{rises:?}");
}

/// Tracks, for chosen services, whether they were ever completely lost.
struct LostCheck {
    services: Vec<u32>,
    lost: Vec<bool>,
}

impl Recorder for LostCheck {
    fn start(&mut self, _: &View<'_>) {}
    fn instant(&mut self, _t: SimTime, _: &[u32], _: &[u32], v: &View<'_>) {
        for (i, &s) in self.services.iter().enumerate() {
            if v.a[s as usize] == 0 {
                self.lost[i] = true;
            }
        }
    }
    fn finish(&mut self, _: SimTime, _: &View<'_>) {}
}

#[test]
fn bitmarck_epa_and_eau_lost_for_every_insurer_using_them() {
    let s = impactsim::load_scenario(&attack()).unwrap();
    let ids = ["epa", "eau-gateway"];
    let services: Vec<u32> = ids
        .iter()
        .map(|id| match s.model.lookup(id) {
            Some(IdRef::Node(n)) => n,
            other => panic!("{id}: {other:?}"),
        })
        .collect();
    let mut check = LostCheck {
        lost: vec![false; services.len()],
        services,
    };
    Engine::run(&s, &mut check);
    assert_eq!(
        check.lost,
        vec![true, true],
        "ePA and eAU are completely lost at some point"
    );
    // Every insurer that uses them is affected from detection on.
    let r = impactsim::metrics::run(&s);
    let users = r
        .clients
        .iter()
        .filter(|c| c.first_affected_h == Some(0.0))
        .count();
    assert_eq!(users, r.clients.len());
}

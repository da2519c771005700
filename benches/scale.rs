//! Scale: the cost of one scenario event and of loading, on generated models of two shapes.
//!
//! - **layered**: 1k, 100k and (with `IMPACTSIM_BENCH_1M=1`) 1M nodes in 5 layers, about 4.9
//!   dependency edges per node (fan-in 2..7, 30 % of services on any of two sites, 10 % of
//!   groups k-of-n, 1 % back edges that make cycles, 5 % fallbacks, 2 % RTOs), one client
//!   per 100 services, and 1,000 random shutdowns, failures and restarts over 30 days.
//! - **clients**: where clients dominate: the same graph with 4 clients per 10 services,
//!   each using 3 to 9 services, and one event an hour.
//!
//! Each model is run with its 1,000 events and with its first event alone: the difference
//! divided by 999 is the cost of one scenario event (with the timers it sets off), the fixed
//! cost of a run (its state, one result per node and client) taken out. Criterion's
//! throughput line for the 1,000-event run reads in events per second, fixed cost included.
//!
//! `load` times reading, parsing and building the 100k (and 1M) models from JSON; `rank`
//! times ranking every single loss of the layered 100k model, loaded beforehand (what
//! `impactsim rank` does after loading).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use impactsim::SimTime;
use impactsim::generate::{self, Config, Format};

const EVENTS: u32 = 1000;

/// The two shapes.
#[derive(Clone, Copy)]
enum Shape {
    Layered,
    Clients,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Layered => "layered",
            Shape::Clients => "clients",
        }
    }
}

fn config(shape: Shape, services: u32, events: u32) -> Config {
    let base = Config {
        seed: 1,
        sites: (services / 10_000).max(3),
        services,
        layers: 5,
        clients: (services / 100).max(10),
        fan_in: vec![(2, 7)],
        population: 25_000_000,
        events,
        ..Config::default()
    };
    match shape {
        Shape::Layered => base,
        Shape::Clients => Config {
            clients: services / 10 * 4,
            uses: (3, 9),
            every: Some(SimTime(3600)),
            horizon: Some(SimTime(EVENTS as u64 * 3600)),
            ..base
        },
    }
}

/// Writes the generated model and scenario as JSON into `dir`; returns the scenario path.
fn write(cfg: &Config, dir: &Path) -> PathBuf {
    let g = generate::generate(cfg).unwrap();
    std::fs::write(dir.join("model.json"), g.model_text(Format::Json)).unwrap();
    let path = dir.join("scenario.json");
    std::fs::write(&path, g.scenario_text(Format::Json, "model.json")).unwrap();
    path
}

fn sizes() -> Vec<u32> {
    let mut v = vec![1_000, 100_000];
    if std::env::var_os("IMPACTSIM_BENCH_1M").is_some() {
        v.push(1_000_000);
    }
    v
}

fn per_event(c: &mut Criterion) {
    for shape in [Shape::Layered, Shape::Clients] {
        let mut group = c.benchmark_group(format!("event-{}", shape.name()));
        group.sample_size(10);
        for services in sizes() {
            for events in [EVENTS, 1] {
                let dir = tempfile::tempdir().unwrap();
                let path = write(&config(shape, services, events), dir.path());
                let s = impactsim::load_scenario(&path).unwrap();
                group.throughput(Throughput::Elements(events as u64));
                let id = format!("{}-nodes/{events}-events", s.model.node_count());
                group.bench_with_input(BenchmarkId::from_parameter(id), &s, |b, s| {
                    b.iter(|| impactsim::metrics::run(black_box(s)))
                });
            }
        }
        group.finish();
    }
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for shape in [Shape::Layered, Shape::Clients] {
        for services in sizes().into_iter().skip(1) {
            let dir = tempfile::tempdir().unwrap();
            let path = write(&config(shape, services, EVENTS), dir.path());
            let id = format!("{}/{services}-services", shape.name());
            // Loading is timed, not freeing what was loaded: each load's scenario and model
            // are dropped outside the measurement.
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter_with_large_drop(|| impactsim::load_scenario(black_box(&path)).unwrap())
            });
        }
    }
    group.finish();
}

fn rank(c: &mut Criterion) {
    let mut group = c.benchmark_group("rank");
    group.sample_size(10);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&config(Shape::Layered, 100_000, 1), dir.path());
    let s = impactsim::load_scenario(&path).unwrap();
    let id = format!("layered/{}-nodes", s.model.node_count());
    group.bench_function(BenchmarkId::from_parameter(id), |b| {
        b.iter(|| impactsim::rank::rank(black_box(&s.model), Default::default()))
    });
    group.finish();
}

criterion_group!(benches, per_event, load, rank);
criterion_main!(benches);

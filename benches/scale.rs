//! Scale: the cost of one scenario event on generated layered models of 1k, 100k and (with
//! `IMPACTSIM_BENCH_1M=1`) 1M nodes, and the cost of loading a model.
//!
//! Each model has about 4.9 dependency edges per node (fan-in 2..7 per layer, 30 % of
//! services on any of two sites, 10 % of groups k-of-n, 1 % back edges that make cycles,
//! 5 % fallbacks, 2 % RTOs) and a scenario of 1,000 random shutdowns, failures and restarts
//! over 30 days. The per-event figure is the measured time of a whole run (engine, timers
//! and metrics) divided by 1,000: criterion's throughput line reads it in events per second.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use impactsim::generate::{self, Config, Format};

const EVENTS: u32 = 1000;

fn config(services: u32) -> Config {
    Config {
        seed: 1,
        sites: (services / 10_000).max(3),
        services,
        layers: 5,
        clients: (services / 100).max(10),
        fan_in: vec![(2, 7)],
        population: 25_000_000,
        events: EVENTS,
        ..Config::default()
    }
}

/// Writes the generated model and scenario as JSON into `dir`; returns the scenario path.
fn write(cfg: &Config, dir: &std::path::Path) -> PathBuf {
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
    let mut group = c.benchmark_group("event");
    group.sample_size(10);
    group.throughput(Throughput::Elements(EVENTS as u64));
    for services in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let s = impactsim::load_scenario(&write(&config(services), dir.path())).unwrap();
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{}-nodes", s.model.node_count())),
            &s,
            |b, s| b.iter(|| impactsim::metrics::run(black_box(s))),
        );
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    for services in sizes().into_iter().skip(1) {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&config(services), dir.path());
        group.bench_function(
            BenchmarkId::from_parameter(format!("{services}-services")),
            |b| b.iter(|| impactsim::load_scenario(black_box(&path)).unwrap()),
        );
    }
    group.finish();
}

criterion_group!(benches, per_event, load);
criterion_main!(benches);

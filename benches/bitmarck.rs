//! The Bitmarck 2023 attack scenario: load + run, and the run alone.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn scenario_path() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/bitmarck-2023/attack-2023.toml"
    ))
}

fn bench(c: &mut Criterion) {
    c.bench_function("bitmarck/load+run", |b| {
        b.iter(|| {
            let s = impactsim::load_scenario(black_box(scenario_path())).unwrap();
            impactsim::metrics::run(&s)
        })
    });
    let s = impactsim::load_scenario(scenario_path()).unwrap();
    c.bench_function("bitmarck/run", |b| {
        b.iter(|| impactsim::metrics::run(black_box(&s)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

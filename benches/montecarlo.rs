//! Monte Carlo runs per second on the Bitmarck attack scenario, on 1 and 2 threads: 1,000
//! runs simulated and summarised (percentiles, bands) per iteration.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use impactsim::montecarlo::{self as mc, DEFAULT_PERCENTILES, Frame, Shard, Study};

const RUNS: u64 = 1000;

fn bench(c: &mut Criterion) {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/bitmarck-2023/attack-2023.toml"
    ));
    let s = impactsim::load_scenario(path).unwrap();
    let frame = Frame::of(&s);
    let mut g = c.benchmark_group("montecarlo/bitmarck");
    g.throughput(Throughput::Elements(RUNS));
    g.sample_size(20);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| {
                let study = Study {
                    runs: RUNS,
                    seed: 1,
                };
                let records =
                    pool.install(|| mc::simulate(black_box(&s), study, Shard::ALL, &|| {}));
                mc::aggregate(&frame, study, &records, &DEFAULT_PERCENTILES)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

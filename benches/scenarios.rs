//! Whole-scenario throughput: simulated records and engine events per wall
//! second. Run with `cargo bench --bench scenarios`.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kafkasim::scenario::load_str;
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, World};

/// One broker, four partitions, one producer sending a million 100-byte
/// records 10 µs apart (linger.ms=5 batches them), one consumer reading all.
const MILLION: &str = r#"
name: A million records
topics: [{ name: events, partitions: 4 }]
producers:
  - { id: p, topic: events, every: 10us, count: 1000000, key: "key-{n}", value_bytes: 100 }
consumers:
  - { id: c, topics: [events], config: { auto.offset.reset: earliest } }
expect:
  - outcome: { acknowledged: 1000000, lost: 0 }
run: 20s
"#;

fn run(text: &str) -> World {
    let scenario = load_str("bench.yaml", text).expect("bench scenario loads");
    let mut world = World::new(scenario, BuildOptions::default());
    world.run(&mut NullSink).expect("bench scenario runs");
    world
}

fn million_records(c: &mut Criterion) {
    let probe = run(MILLION);
    assert!(probe.outcome().passed, "the benchmark scenario must pass its expectations");
    eprintln!("million-records: {} engine events per run", probe.steps);
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("million-records (records/s)", |b| b.iter(|| run(MILLION)));
    group.throughput(Throughput::Elements(probe.steps));
    group.bench_function("million-records (events/s)", |b| b.iter(|| run(MILLION)));
    group.finish();
}

criterion_group!(benches, million_records);
criterion_main!(benches);

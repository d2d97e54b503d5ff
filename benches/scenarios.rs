//! Whole-scenario throughput and scaling. Run with `cargo bench --bench
//! scenarios`; `kafkasim run FILE --stats` gives the same figures for one run.
//!
//! - throughput: `benches/scenarios/throughput.yaml` (3 brokers, RF=3,
//!   acks=all, 12 partitions, 1,000,000 records of 100 bytes, linger.ms=5,
//!   a group of 3 consumers reading everything);
//! - scaling: the same at a tenth and at the full record count, and with
//!   10× the partitions, to show the cost grows linearly.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kafkasim::scenario::load_str;
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, World};

const THROUGHPUT: &str = include_str!("scenarios/throughput.yaml");

/// The throughput scenario with `records` records and `partitions` partitions.
fn scaled(records: u64, partitions: u32) -> String {
    THROUGHPUT
        .replace("count: 1000000", &format!("count: {records}"))
        .replace(
            "acknowledged: 1000000, lost: 0, delivered: 1000000",
            &format!("acknowledged: {records}, lost: 0, delivered: {records}"),
        )
        .replace("partitions: 12", &format!("partitions: {partitions}"))
}

fn run(text: &str) -> World {
    let scenario = load_str("bench.yaml", text).expect("bench scenario loads");
    let mut world = World::new(scenario, BuildOptions::default());
    world.run(&mut NullSink).expect("bench scenario runs");
    world
}

fn throughput(c: &mut Criterion) {
    let probe = run(THROUGHPUT);
    assert!(probe.outcome().passed, "the benchmark scenario must pass its expectations");
    eprintln!("throughput: {} engine events per run", probe.steps);
    let mut group = c.benchmark_group("scenario");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("throughput 1M records (records/s)", |b| b.iter(|| run(THROUGHPUT)));
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10).measurement_time(Duration::from_secs(15));
    for (records, partitions) in [(100_000u64, 12u32), (1_000_000, 12), (100_000, 120)] {
        let text = scaled(records, partitions);
        assert!(run(&text).outcome().passed, "{records} records, {partitions} partitions");
        group.throughput(Throughput::Elements(records));
        group.bench_function(format!("{records} records, {partitions} partitions"), |b| b.iter(|| run(&text)));
    }
    group.finish();
}

criterion_group!(benches, throughput, scaling);
criterion_main!(benches);

//! Kafka Streams runs as a reference computation says it should: for random
//! input (keys, values, partitions, threads, instances) and no faults, with
//! the record cache off, every key's output records are exactly what a
//! straightforward fold over that key's input records, in log order, gives.
//! Also: with the cache on, fewer updates reach the output, the last of each
//! key still the final result.

use std::collections::BTreeMap;

use kafkasim::scenario::load_str;
use kafkasim::trace::digest::DigestSink;
use kafkasim::world::{BuildOptions, World};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

/// Each partition's records (key, value), in offset order.
fn records(world: &World, topic: &str) -> Vec<Vec<(String, String)>> {
    let Some(id) = world.names.topic_id(topic) else { return Vec::new() };
    let mut partitions = Vec::new();
    for view in world.partition_views().into_iter().filter(|v| v.tp.topic == id) {
        let mut list = Vec::new();
        if let Some(log) = view.log {
            for batch in log.batches() {
                for (offset, r) in batch.records() {
                    if offset < log.high_watermark() {
                        let text =
                            |b: Option<&[u8]>| b.map_or("null".into(), |b| String::from_utf8_lossy(b).into_owned());
                        list.push((text(r.key()), text(r.value())));
                    }
                }
            }
        }
        partitions.push(list);
    }
    partitions
}

/// What a topology does, and the fold that computes it.
#[derive(Clone, Copy, Debug)]
enum Program {
    /// `group_by_key | count`.
    Count,
    /// `filter(. % 3 != 0) | map_values(. * 10) | group_by_key | reduce(+)`.
    FilterMapSum,
}

impl Program {
    fn steps(self) -> &'static str {
        match self {
            Program::Count => "          - group_by_key\n          - count: { store: totals }\n",
            Program::FilterMapSum => {
                "          - filter: '. % 3 != 0'\n          - map_values: '. * 10'\n          - group_by_key\n          - reduce: { reducer: '.aggregate + .value', store: totals }\n"
            }
        }
    }

    /// The expected updates of each key, from its input values in order.
    fn reference(self, inputs: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
        let mut state: BTreeMap<String, i64> = BTreeMap::new();
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, value) in inputs {
            let v: i64 = value.parse().expect("numeric values");
            let next = match self {
                Program::Count => state.get(key).copied().unwrap_or(0) + 1,
                Program::FilterMapSum if v % 3 == 0 => continue,
                Program::FilterMapSum => state.get(key).copied().unwrap_or(0) + v * 10,
            };
            state.insert(key.clone(), next);
            out.entry(key.clone()).or_default().push(next.to_string());
        }
        out
    }
}

#[derive(Clone, Debug)]
struct Case {
    partitions: u32,
    instances: u32,
    threads: u32,
    count: u32,
    keys: u32,
    modulus: u32,
    program: Program,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (1u32..=4, 1u32..=2, 1u32..=2, 1u32..=40, 1u32..=5, 2u32..=9, prop::bool::ANY, 0u64..1000).prop_map(
        |(partitions, instances, threads, count, keys, modulus, sum, seed)| Case {
            partitions,
            instances,
            threads,
            count,
            keys,
            modulus,
            program: if sum { Program::FilterMapSum } else { Program::Count },
            seed,
        },
    )
}

fn yaml(c: &Case, cache_bytes: u64) -> String {
    let instances: Vec<String> = (1..=c.instances).map(|i| format!("app-{i}")).collect();
    format!(
        "name: generated streams\nseed: {seed}\nbrokers: 1\ntopics:\n  - {{ name: input, partitions: {p} }}\n  - {{ name: output, partitions: {p} }}\n\
producers:\n  - {{ id: source, topic: input, start: 1s, every: 100ms, count: {count}, key: \"k-{{n%{keys}}}\", value: \"{{n%{m}}}\" }}\n\
streams:\n  - application.id: app\n    instances: [{inst}]\n    config: {{ num.stream.threads: {threads}, statestore.cache.max.bytes: {cache_bytes}, commit.interval.ms: 2000 }}\n    topology:\n      - stream: input\n        then:\n{steps}          - to_stream\n          - to: output\nrun: 30s\n",
        seed = c.seed,
        p = c.partitions,
        count = c.count,
        keys = c.keys,
        m = c.modulus,
        inst = instances.join(", "),
        threads = c.threads,
        steps = c.program.steps(),
    )
}

fn run(text: &str) -> Result<World, String> {
    let scenario = load_str("generated.yaml", text).map_err(|e| format!("does not load:\n{e}"))?;
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    world.run(&mut DigestSink::default()).map_err(|e| e.to_string())?;
    Ok(world)
}

/// Each key's output values, in the order they were written.
fn outputs_by_key(world: &World) -> BTreeMap<String, Vec<String>> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for partition in records(world, "output") {
        for (k, v) in partition {
            by_key.entry(k).or_default().push(v);
        }
    }
    by_key
}

fn inputs(world: &World) -> Vec<(String, String)> {
    records(world, "input").into_iter().flatten().collect()
}

fn runner() -> TestRunner {
    let cases = std::env::var("KAFKASIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    TestRunner::new_with_rng(
        Config { cases, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() },
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[19; 32]),
    )
}

#[test]
fn uncached_output_equals_a_reference_fold_over_the_input() {
    let result = runner().run(&case(), |c| {
        let text = yaml(&c, 0);
        let world = run(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let input = inputs(&world);
        prop_assert_eq!(input.len(), c.count as usize, "every input record was written\n{}", text);
        let expected = c.program.reference(&input);
        let found = outputs_by_key(&world);
        prop_assert_eq!(found, expected, "scenario:\n{}", text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_cache_coalesces_updates_and_keeps_the_final_result() {
    let c = Case {
        partitions: 2,
        instances: 1,
        threads: 1,
        count: 40,
        keys: 3,
        modulus: 7,
        program: Program::Count,
        seed: 5,
    };
    let world = run(&yaml(&c, 10 * 1024 * 1024)).expect("runs");
    let expected = c.program.reference(&inputs(&world));
    let found = outputs_by_key(&world);
    let total: usize = found.values().map(Vec::len).sum();
    assert!(total < c.count as usize, "cached: fewer updates than inputs ({total} of {})", c.count);
    for (key, updates) in &expected {
        assert_eq!(found[key].last(), updates.last(), "key {key} ends at its final count");
    }
}

/// Kafka's `KStreamWindowAggregateTest.testAggBasic`
/// (streams/src/test/java/org/apache/kafka/streams/kstream/internals/):
/// hopping windows of 10 ms advancing by 5 ms, a string-appending
/// aggregator, eighteen records of which the last three are out of order
/// but within grace. The windowed updates, in order, are Kafka's. (Kafka's
/// test uses the old one-day default grace; the timestamps of the results
/// are not compared: see the simplification in `streams::runtime::process`.)
#[test]
fn hopping_window_aggregation_updates_as_kafkas_test_expects() {
    let input = [
        ("A", "1", 0),
        ("B", "2", 1),
        ("C", "3", 2),
        ("D", "4", 3),
        ("A", "1", 4),
        ("A", "1", 5),
        ("B", "2", 6),
        ("D", "4", 7),
        ("B", "2", 8),
        ("C", "3", 9),
        ("A", "1", 10),
        ("B", "2", 11),
        ("D", "4", 12),
        ("B", "2", 13),
        ("C", "3", 14),
        ("B", "1", 3),
        ("B", "2", 2),
        ("B", "3", 9),
    ];
    let producers: String = input
        .iter()
        .enumerate()
        .map(|(i, (k, v, ts))| {
            format!(
                "  - {{ id: p{i}, topic: topic1, start: {}ms, count: 1, key: \"{k}\", value: '{{{{\"v\": \"{v}\", \"ts\": {ts}}}}}' }}\n",
                1000 + 100 * i
            )
        })
        .collect();
    let text = format!(
        "name: testAggBasic\nseed: 1\nbrokers: 1\ntopics:\n  - {{ name: topic1, partitions: 1 }}\n  - {{ name: output, partitions: 1 }}\n\
producers:\n{producers}\
streams:\n  - application.id: agg\n    timestamp_field: ts\n    config: {{ statestore.cache.max.bytes: 0 }}\n    topology:\n      - stream: topic1\n        then:\n          - group_by_key\n          - windowed_by: {{ hopping: 10ms, advance: 5ms, grace: 1d }}\n          - aggregate: {{ initializer: '\"0\"', aggregator: '.aggregate + \"+\" + .value.v', store: topic1-Canonized }}\n          - to_stream\n          - to: output\nrun: 10s\n"
    );
    let world = run(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let found: Vec<(String, String)> = records(&world, "output").into_iter().flatten().collect();
    let expected: Vec<(String, String)> = [
        ("A", 0, "0+1"),
        ("B", 0, "0+2"),
        ("C", 0, "0+3"),
        ("D", 0, "0+4"),
        ("A", 0, "0+1+1"),
        ("A", 0, "0+1+1+1"),
        ("A", 5, "0+1"),
        ("B", 0, "0+2+2"),
        ("B", 5, "0+2"),
        ("D", 0, "0+4+4"),
        ("D", 5, "0+4"),
        ("B", 0, "0+2+2+2"),
        ("B", 5, "0+2+2"),
        ("C", 0, "0+3+3"),
        ("C", 5, "0+3"),
        ("A", 5, "0+1+1"),
        ("A", 10, "0+1"),
        ("B", 5, "0+2+2+2"),
        ("B", 10, "0+2"),
        ("D", 5, "0+4+4"),
        ("D", 10, "0+4"),
        ("B", 5, "0+2+2+2+2"),
        ("B", 10, "0+2+2"),
        ("C", 5, "0+3+3"),
        ("C", 10, "0+3"),
        ("B", 0, "0+2+2+2+1"),
        ("B", 0, "0+2+2+2+1+2"),
        ("B", 0, "0+2+2+2+1+2+3"),
        ("B", 5, "0+2+2+2+2+3"),
    ]
    .iter()
    .map(|(k, start, v)| (format!("[{k}@{start}/{}]", start + 10), v.to_string()))
    .collect();
    assert_eq!(found, expected);
}

/// `scenarios/streams-windowed.yaml`: a click 3 s behind stream time but
/// within the 5 s grace still counts in its window; one 18 s behind is
/// dropped, once per window that held it (Kafka's `dropped-records`), and
/// `suppress` writes exactly one final count per closed window.
#[test]
fn late_records_count_within_grace_and_are_dropped_after_it() {
    let scenario =
        kafkasim::scenario::load_file(std::path::Path::new("scenarios/streams-windowed.yaml")).expect("loads");
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    world.run(&mut DigestSink::default()).expect("runs");
    let finals: Vec<(String, String)> = records(&world, "final-clicks").into_iter().flatten().collect();
    let expected: Vec<(String, String)> = [
        ("[page-0@0/10000]", "5"),
        ("[page-1@0/10000]", "5"),
        ("[page-0@10000/20000]", "5"),
        // 11, 13, 15, 17, 19 and the late click from 17 s.
        ("[page-1@10000/20000]", "6"),
        ("[page-0@20000/30000]", "5"),
        ("[page-1@20000/30000]", "5"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(finals, expected, "one final result per closed window; [30 s, 40 s) is still open");
    let dropped = |app: &str| -> u64 {
        world.stream_threads.iter().filter(|t| t.app.application_id == app).map(|t| t.dropped_records()).sum()
    };
    assert_eq!(dropped("final-clicks"), 1, "the click from 12 s, for [10 s, 20 s)");
    assert_eq!(dropped("hopping-clicks"), 2, "the click from 12 s, for [5 s, 15 s) and [10 s, 20 s)");
}

/// `scenarios/streams-count.yaml`: both applications end with each city's
/// count of rides; the cached one writes far fewer updates to get there.
#[test]
fn the_count_lesson_ends_with_every_citys_rides_and_the_cache_writes_fewer() {
    let scenario = kafkasim::scenario::load_file(std::path::Path::new("scenarios/streams-count.yaml")).expect("loads");
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    world.run(&mut DigestSink::default()).expect("runs");
    let mut rides: BTreeMap<String, u64> = BTreeMap::new();
    for (city, _) in inputs_of(&world, "rides") {
        *rides.entry(city).or_default() += 1;
    }
    assert_eq!(rides.values().sum::<u64>(), 60);
    for topic in ["rides-per-city", "rides-per-city-uncached"] {
        let mut last: BTreeMap<String, u64> = BTreeMap::new();
        for (city, count) in inputs_of(&world, topic) {
            last.insert(city, count.parse().expect("a count"));
        }
        assert_eq!(last, rides, "{topic} ends at each city's count");
    }
    let cached = inputs_of(&world, "rides-per-city").len();
    let uncached = inputs_of(&world, "rides-per-city-uncached").len();
    assert_eq!(uncached, 60, "without the cache every ride is an update");
    assert!(cached <= 3 * 3, "with it, at most one update per city and commit ({cached})");
}

fn inputs_of(world: &World, topic: &str) -> Vec<(String, String)> {
    records(world, topic).into_iter().flatten().collect()
}

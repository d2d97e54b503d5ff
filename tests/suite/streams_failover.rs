//! Kafka Streams failover (`scenarios/streams-failover.yaml`): a crashed
//! instance's tasks move, restore their stores from the changelogs before
//! processing anything, and then process again what the crashed owner had
//! processed but not committed. Proved on the run's own trace and logs:
//! the counts end right with the cache on; with the cache off the replay
//! counts twice exactly the records the trace says were processed again.

use std::collections::BTreeMap;

use kafkasim::streams::runtime::TaskId;
use kafkasim::trace::event::{Level, TraceEvent};
use kafkasim::trace::sink::VecSink;
use kafkasim::trace::streams::StreamsHappening;
use kafkasim::world::{BuildOptions, World};

const SCENARIO: &str = "scenarios/streams-failover.yaml";

fn run(text: &str) -> (World, VecSink) {
    let scenario = kafkasim::scenario::load_str("streams-failover.yaml", text).expect("loads");
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut sink = VecSink::new(Level::Debug);
    world.run(&mut sink).expect("runs");
    (world, sink)
}

/// Each record (key, value) of a topic, partition by partition, in offset order.
fn records(world: &World, topic: &str) -> Vec<(String, String)> {
    let id = world.names.topic_id(topic).expect("the topic exists");
    let mut list = Vec::new();
    for view in world.partition_views().into_iter().filter(|v| v.tp.topic == id) {
        let Some(log) = view.log else { continue };
        for batch in log.batches() {
            for (offset, r) in batch.records() {
                if offset < log.high_watermark() {
                    let text = |b: Option<&[u8]>| b.map_or("null".into(), |b| String::from_utf8_lossy(b).into_owned());
                    list.push((text(r.key()), text(r.value())));
                }
            }
        }
    }
    list
}

fn rides_per_rider(world: &World) -> BTreeMap<String, i64> {
    let mut rides = BTreeMap::new();
    for (rider, _) in records(world, "rides") {
        *rides.entry(rider).or_default() += 1;
    }
    rides
}

fn last_counts(world: &World) -> BTreeMap<String, i64> {
    records(world, "rides-per-rider").into_iter().map(|(k, v)| (k, v.parse().expect("a count"))).collect()
}

fn happenings(sink: &VecSink) -> Vec<(u64, String, StreamsHappening)> {
    sink.events
        .iter()
        .filter_map(|e| match &e.event {
            TraceEvent::Streams(s) => Some((e.time.as_millis() as u64, s.thread.clone(), s.what.clone())),
            _ => None,
        })
        .collect()
}

/// Records the trace says were processed again, in total.
fn reprocessed(sink: &VecSink) -> i64 {
    happenings(sink)
        .iter()
        .map(|(_, _, h)| match h {
            StreamsHappening::Reprocessed { from_offset, to_offset, .. } => to_offset - from_offset,
            _ => 0,
        })
        .sum()
}

#[test]
fn after_failover_every_riders_count_is_right_and_the_replay_is_told() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let (world, sink) = run(&text);
    let rides = rides_per_rider(&world);
    assert_eq!(rides.values().sum::<i64>(), 1000);
    assert_eq!(last_counts(&world), rides, "the cache held the uncommitted counts: none reached the changelog");
    let again = reprocessed(&sink);
    assert!(again > 0, "counter-1 crashed between commits: counter-2 processes some rides again");
    let consumer = world.scenario.consumers.iter().position(|c| c.name == "counter-2-StreamThread-1-consumer");
    let redelivered = world.ledger.redelivered_to(kafkasim::ids::ClientIdx(consumer.expect("exists") as u32));
    assert_eq!(again, redelivered as i64, "the replay told is what the group read twice");
}

#[test]
fn moved_tasks_restore_the_whole_changelog_before_processing_anything() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let (world, sink) = run(&text);
    let events = happenings(&sink);
    // Restores that read something: two tasks to counter-2, then back to
    // counter-1. Kafka Streams' assignor dealt counter-1 tasks 0_0 and 0_2
    // (round-robin over the instances); when counter-1 returns without
    // state its lag is under acceptable.recovery.lag (10 000), so it counts
    // as caught up and the balanced assignment gives the two tasks back.
    let restored: Vec<(u64, String, String, u64)> = events
        .iter()
        .filter_map(|(t, thread, h)| match h {
            StreamsHappening::RestoreEnded { task, restored, .. } if *restored > 0 => {
                Some((*t, thread.clone(), task.clone(), *restored))
            }
            _ => None,
        })
        .collect();
    let moved: Vec<(&str, &str)> = restored.iter().map(|(_, th, task, _)| (th.as_str(), task.as_str())).collect();
    assert_eq!(
        moved,
        [
            ("counter-2-StreamThread-1", "0_0"),
            ("counter-2-StreamThread-1", "0_2"),
            ("counter-1-StreamThread-1", "0_0"),
            ("counter-1-StreamThread-1", "0_2"),
        ]
    );
    for (_, thread, task, n) in &restored {
        let started = events.iter().rev().find_map(|(_, th, h)| match h {
            StreamsHappening::RestoreStarted { task: t, end_offset, .. } if th == thread && t == task => {
                Some(*end_offset)
            }
            _ => None,
        });
        assert!(started.is_some_and(|end| end as u64 >= *n), "{thread} {task}: restored up to the end offset");
    }
    // The second restore reads a longer changelog: counter-2 kept writing it.
    assert!(restored[2].3 > restored[0].3 && restored[3].3 > restored[1].3);
    // counter-2 reads nothing of rides-0 between taking 0_0 and restoring it.
    let c2 = world.scenario.consumers.iter().position(|c| c.name == "counter-2-StreamThread-1-consumer").unwrap();
    let rides = world.names.topic_id("rides").unwrap();
    let restore_end = restored[0].0;
    let read_before_restored = sink.events.iter().any(|e| {
        let t = e.time.as_millis() as u64;
        matches!(&e.event, TraceEvent::Consumed { consumer, tp, .. }
            if consumer.0 as usize == c2 && tp.topic == rides && tp.partition == 0 && t > 60_000 && t < restore_end)
    });
    assert!(!read_before_restored, "rides-0 stays paused while 0_0 restores");
    // What counter-1 restored at the end is each rider's count of its partitions.
    let thread = world.stream_threads.iter().find(|t| t.name == "counter-1-StreamThread-1").unwrap();
    let task = &thread.tasks[&TaskId { subtopology: 0, partition: 0 }];
    let store: BTreeMap<String, i64> = task
        .stores
        .values()
        .flat_map(|s| s.entries.iter().map(|(k, v)| (k.key.clone(), String::from_utf8_lossy(v).parse().unwrap())))
        .collect();
    let rides = rides_per_rider(&world);
    assert!(!store.is_empty());
    for (rider, count) in &store {
        assert_eq!(rides.get(rider), Some(count), "{rider} in the restored store");
    }
}

#[test]
fn with_the_cache_off_the_replay_counts_twice_what_was_processed_again() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads").replace(
        "      commit.interval.ms: 1000\n",
        "      commit.interval.ms: 1000\n      statestore.cache.max.bytes: 0\n",
    );
    let (world, sink) = run(&text);
    let again = reprocessed(&sink);
    assert!(again > 0);
    let counted: i64 = last_counts(&world).values().sum();
    // The changelog holds the counts of the uncommitted rides, so replaying
    // them counts them twice; but the crashed instance's producer loses what
    // it had not yet sent, so a few replayed rides are counted only once.
    assert!(
        counted > 1000 && counted <= 1000 + again,
        "replayed rides are counted again, at most once each: {counted} counted, {again} replayed"
    );
}

/// Each rider's count as the stores' report (`run --stores`) gives it: one
/// entry per rider over all active tasks, each task holding only riders of
/// its own partition.
fn reported_counts(world: &World) -> (BTreeMap<String, i64>, Option<i64>) {
    let reports = world.store_reports();
    assert_eq!(reports.len(), 1, "one store: rides-per-rider");
    let report = &reports[0];
    assert_eq!((report.application.as_str(), report.store.as_str()), ("rider-counter", "rides-per-rider"));
    let tasks: Vec<&str> = report.tasks.iter().map(|t| t.task.as_str()).collect();
    assert_eq!(tasks, ["0_0", "0_1", "0_2", "0_3"], "each task once, in task order");
    let mut counts = BTreeMap::new();
    for task in &report.tasks {
        let keys: Vec<&String> = task.entries.iter().map(|e| &e.key).collect();
        assert!(keys.is_sorted(), "task {}: keys sorted", task.task);
        for e in &task.entries {
            let before = counts.insert(e.key.clone(), e.value.parse::<i64>().expect("a count"));
            assert!(before.is_none(), "{} is in one task only", e.key);
        }
    }
    (counts, report.values_sum)
}

#[test]
fn the_stores_report_holds_each_riders_count() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let (world, _) = run(&text);
    let (counts, sum) = reported_counts(&world);
    assert_eq!(counts, rides_per_rider(&world), "every rider counted once per ride, after the failover too");
    assert_eq!(sum, Some(1000));
}

#[test]
fn with_the_cache_off_the_stores_report_shows_the_double_count() {
    let text = std::fs::read_to_string("book/exercises/streams-failover--cache-0.yaml").expect("reads");
    let (world, sink) = run(&text);
    let (counts, sum) = reported_counts(&world);
    assert_eq!(
        counts,
        last_counts(&world),
        "with caching off the output topic has every update: the last is the store's"
    );
    let again = reprocessed(&sink);
    let sum = sum.expect("counts add up");
    assert!(sum > 1000 && sum <= 1000 + again, "{sum} counted, {again} replayed");
    let over: i64 = counts.iter().map(|(rider, n)| n - rides_per_rider(&world)[rider]).sum();
    assert_eq!(over, sum - 1000, "the excess is in riders' counts, never below a rider's rides");
    assert!(counts.iter().all(|(rider, n)| *n >= rides_per_rider(&world)[rider]));
}

#[test]
fn run_stores_prints_each_store_in_text_and_json() {
    let out = crate::support::kafkasim(&["run", "-q", "--stores", "streams-failover"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("store rides-per-rider of rider-counter · 4 active task(s) · 200 key(s) · values sum to 1000\n"),
        "{text}"
    );
    assert!(text.contains("  task 0_0 on counter-1-StreamThread-1 · "), "{text}");
    let out = crate::support::kafkasim(&["run", "--format", "json", "--stores", "streams-failover"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["stores"][0]["store"], "rides-per-rider");
    assert_eq!(v["stores"][0]["values_sum"], 1000);
    assert_eq!(v["stores"][0]["tasks"].as_array().map(Vec::len), Some(4));
    let out = crate::support::kafkasim(&["run", "--format", "json", "streams-failover"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v.get("stores").is_none(), "without --stores the outcome has no stores");
}

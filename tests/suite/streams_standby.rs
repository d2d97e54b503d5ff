//! Kafka Streams standby tasks (`scenarios/streams-standby.yaml`): with
//! `num.standby.replicas: 1` each instance keeps copies of the other's task
//! stores, fed from the changelogs; when an instance crashes, its tasks move
//! to the instance with their standbys and restore only the changelog
//! records written since the standby's last read. Proved against the same
//! run without standbys, which restores every changelog from its beginning.

use std::collections::BTreeMap;

use kafkasim::streams::runtime::TaskId;
use kafkasim::trace::event::{Level, TraceEvent};
use kafkasim::trace::sink::VecSink;
use kafkasim::trace::streams::StreamsHappening;
use kafkasim::world::{BuildOptions, World};

const SCENARIO: &str = "scenarios/streams-standby.yaml";

fn run(text: &str) -> (World, VecSink) {
    let scenario = kafkasim::scenario::load_str("streams-standby.yaml", text).expect("loads");
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut sink = VecSink::new(Level::Debug);
    world.run(&mut sink).expect("runs");
    (world, sink)
}

fn without_standbys() -> String {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let changed = text.replace("      num.standby.replicas: 1\n", "");
    assert_ne!(changed, text, "the scenario sets num.standby.replicas");
    changed
}

/// (thread, happening) of every Streams trace event, in order.
fn happenings(sink: &VecSink) -> Vec<(u64, String, StreamsHappening)> {
    sink.events
        .iter()
        .filter_map(|e| match &e.event {
            TraceEvent::Streams(s) => Some((e.time.as_millis() as u64, s.thread.clone(), s.what.clone())),
            _ => None,
        })
        .collect()
}

/// Per (thread, task): records restored, and where the restore started.
fn restores(sink: &VecSink) -> BTreeMap<(String, String), (u64, Option<i64>, i64)> {
    let events = happenings(sink);
    let mut found = BTreeMap::new();
    for (_, thread, h) in &events {
        if let StreamsHappening::RestoreEnded { task, restored, .. } = h {
            let started = events.iter().rev().find_map(|(_, th, h)| match h {
                StreamsHappening::RestoreStarted { task: t, starting_offset, end_offset, .. }
                    if th == thread && t == task =>
                {
                    Some((*starting_offset, *end_offset))
                }
                _ => None,
            });
            let (from, end) = started.expect("a restore that ended had started");
            found.insert((thread.clone(), task.clone()), (*restored, from, end));
        }
    }
    found
}

/// Each rider's rides, and each rider's last count in the output topic.
fn counts(world: &World) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let mut rides = BTreeMap::new();
    let mut last = BTreeMap::new();
    for (topic, into_counts) in [("rides", false), ("rides-per-rider", true)] {
        let id = world.names.topic_id(topic).expect("the topic exists");
        for view in world.partition_views().into_iter().filter(|v| v.tp.topic == id) {
            let Some(log) = view.log else { continue };
            for batch in log.batches() {
                for (offset, r) in batch.records() {
                    if offset >= log.high_watermark() {
                        continue;
                    }
                    let key = String::from_utf8_lossy(r.key().expect("keyed")).into_owned();
                    if into_counts {
                        let value = String::from_utf8_lossy(r.value().expect("a count")).parse().expect("a number");
                        last.insert(key, value);
                    } else {
                        *rides.entry(key).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    (rides, last)
}

#[test]
fn standbys_follow_the_changelogs_of_the_other_instances_tasks() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let (_, sink) = run(&text);
    let events = happenings(&sink);
    let standbys = |thread: &str| {
        events.iter().find_map(|(_, th, h)| match h {
            StreamsHappening::StandbyTasksAssigned { tasks } if th == thread => Some(tasks.clone()),
            _ => None,
        })
    };
    // Round-robin over the instances: counter-1 runs 0_0 and 0_2, so its
    // standbys are the other two, and counter-2's are counter-1's tasks.
    assert_eq!(standbys("counter-1-StreamThread-1"), Some(vec!["0_1".to_string(), "0_3".to_string()]));
    assert_eq!(standbys("counter-2-StreamThread-1"), Some(vec!["0_0".to_string(), "0_2".to_string()]));
    let applied_before_crash: u64 = events
        .iter()
        .filter(|(t, th, _)| *t < 20_500 && th == "counter-2-StreamThread-1")
        .map(|(_, _, h)| match h {
            StreamsHappening::StandbyUpdated { records, .. } => *records,
            _ => 0,
        })
        .sum();
    assert!(applied_before_crash > 100, "counter-2's standbys applied {applied_before_crash} records before the crash");
    // A standby processes nothing: before the crash counter-2 commits the
    // inputs of its own tasks only, never those of its standbys.
    for (t, th, h) in &events {
        if let StreamsHappening::Committed { offsets } = h
            && th == "counter-2-StreamThread-1"
            && *t < 20_500
        {
            assert!(offsets.iter().all(|(tp, _)| tp == "rides-1" || tp == "rides-3"), "{offsets:?}");
        }
    }
}

#[test]
fn a_promoted_standby_restores_only_the_gap_and_every_count_ends_right() {
    let text = std::fs::read_to_string(SCENARIO).expect("reads");
    let (world, sink) = run(&text);
    let with = restores(&sink);
    let (_, sink_without) = run(&without_standbys());
    let without = restores(&sink_without);
    let moved = |r: &BTreeMap<(String, String), (u64, Option<i64>, i64)>| -> Vec<(String, String)> {
        r.iter().filter(|(_, (n, _, end))| *n > 0 || *end > 0).map(|(k, _)| k.clone()).collect()
    };
    let expected =
        [("counter-2-StreamThread-1", "0_0"), ("counter-2-StreamThread-1", "0_2")].map(|(a, b)| (a.into(), b.into()));
    assert_eq!(moved(&with), expected, "counter-1's tasks move to counter-2");
    assert_eq!(moved(&without), expected);
    let total = |r: &BTreeMap<(String, String), (u64, Option<i64>, i64)>| r.values().map(|(n, ..)| n).sum::<u64>();
    assert_eq!(total(&without), 220, "without standbys the whole changelogs (streams-failover's 220 records)");
    // The restores at the start read empty changelogs; the takeover's do not.
    for ((thread, task), (restored, from, end)) in with.iter().filter(|(_, (_, _, end))| *end > 0) {
        let Some(from) = from else { panic!("{thread} {task} restored from the beginning") };
        assert!(*from > 0, "{thread} {task}: its standby had read up to {from}");
        assert_eq!(*restored as i64, end - from, "{thread} {task}: exactly the gap from {from} to {end}");
        let (full, _, full_end) = without[&(thread.clone(), task.clone())];
        assert!(*restored < full, "{thread} {task}: {restored} restored with a standby, {full} without");
        assert_eq!(*end, full_end, "the same changelog either way");
    }
    assert!(total(&with) < 20, "only the last records of a commit interval or two: {}", total(&with));
    // The thread's own count, as the question in the scenario reads it.
    let thread = world.stream_threads.iter().find(|t| t.name == "counter-2-StreamThread-1").unwrap();
    assert_eq!(thread.restored_records(), total(&with));
    // What the stores hold after the takeover is each rider's count.
    let (rides, last) = counts(&world);
    assert_eq!(rides.values().sum::<i64>(), 1000);
    assert_eq!(last, rides, "every rider's last count is its number of rides");
    for id in [0, 2] {
        let task = &thread.tasks[&TaskId { subtopology: 0, partition: id }];
        for store in task.stores.values() {
            for (key, value) in &store.entries {
                let n: i64 = String::from_utf8_lossy(value).parse().unwrap();
                assert_eq!(rides.get(&key.key), Some(&n), "{} in the store of 0_{id}", key.key);
            }
        }
    }
}

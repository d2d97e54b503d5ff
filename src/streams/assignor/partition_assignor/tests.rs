//! The leader's step from subscriptions to partitions, on a counting
//! application (`orders` → `groupByKey().count()`, a changelog per task).

use std::collections::BTreeMap;

use super::*;

fn app(standbys: u32) -> StreamsApp {
    let yaml = format!(
        "name: t\ntopics:\n  - {{ name: orders, partitions: 3 }}\nstreams:\n  - application.id: app\n    \
         config: {{ num.standby.replicas: {standbys} }}\n    topology:\n      - stream: orders\n        \
         then:\n          - group_by_key\n          - count\n"
    );
    match crate::scenario::load_str("t.yaml", &yaml) {
        Ok(s) => s.streams.into_iter().next().expect("one application"),
        Err(e) => panic!("{}", e.render(false)),
    }
}

fn t(subtopology: u32, partition: u32) -> TaskId {
    TaskId { subtopology, partition }
}

fn subscription(process: &str, sums: &[(TaskId, i64)]) -> StreamsSubscription {
    StreamsSubscription { process_id: process.into(), task_offset_sums: sums.iter().copied().collect() }
}

fn counts() -> BTreeMap<String, u32> {
    [("orders".to_string(), 3)].into()
}

#[test]
fn tasks_are_dealt_round_robin_over_instances_and_map_to_their_partitions() {
    // Nobody has state: 0_0 and 0_2 to instance a, 0_1 to b (range would
    // have given a partitions 0 and 1).
    let app = app(0);
    let (a, b) = (subscription("a", &[]), subscription("b", &[]));
    let members = [
        StreamsMember { member_id: "a-1", subscription: &a, owned: &[] },
        StreamsMember { member_id: "b-1", subscription: &b, owned: &[] },
    ];
    let decided = assign(&app, &counts(), &members, &|_, _| None);
    assert_eq!(decided.active_tasks["a-1"], vec![t(0, 0), t(0, 2)]);
    assert_eq!(decided.active_tasks["b-1"], vec![t(0, 1)]);
    assert_eq!(decided.partitions["a-1"], vec![("orders".to_string(), 0), ("orders".to_string(), 2)]);
    assert!(!decided.probing_rebalance_needed);
}

#[test]
fn a_task_stays_with_the_instance_that_runs_it_when_the_newcomer_is_far_behind() {
    // a runs 0_0 and 0_2, b runs 0_1 (LATEST_OFFSET); round-robin would
    // give the newcomer c task 0_2, but its changelog is 20 000 records
    // long, more than acceptable.recovery.lag: a keeps it and c warms up
    // (a probing rebalance follows).
    let app = app(0);
    let a = subscription("a", &[(t(0, 0), LATEST_OFFSET), (t(0, 2), LATEST_OFFSET)]);
    let b = subscription("b", &[(t(0, 1), LATEST_OFFSET)]);
    let c = subscription("c", &[]);
    let members = [
        StreamsMember { member_id: "a-1", subscription: &a, owned: &[] },
        StreamsMember { member_id: "b-1", subscription: &b, owned: &[] },
        StreamsMember { member_id: "c-1", subscription: &c, owned: &[] },
    ];
    let long = |topic: &str, _p: u32| topic.ends_with("-changelog").then_some(20_000);
    let decided = assign(&app, &counts(), &members, &long);
    assert!(decided.probing_rebalance_needed, "{decided:?}");
    assert!(decided.active_tasks["c-1"].is_empty(), "c is far behind on everything: {decided:?}");
    assert!(!decided.standby_tasks["c-1"].is_empty(), "c warms up");

    // The same with short changelogs: everyone is within 10 000, so the
    // balanced assignment stands and c gets a task at once.
    let short = |_: &str, _: u32| Some(50);
    let decided = assign(&app, &counts(), &members, &short);
    assert!(!decided.probing_rebalance_needed);
    assert_eq!(decided.active_tasks["c-1"].len(), 1, "{decided:?}");
}

#[test]
fn standby_tasks_go_to_another_instance() {
    let app = app(1);
    let (a, b) = (subscription("a", &[]), subscription("b", &[]));
    let members = [
        StreamsMember { member_id: "a-1", subscription: &a, owned: &[] },
        StreamsMember { member_id: "b-1", subscription: &b, owned: &[] },
    ];
    let decided = assign(&app, &counts(), &members, &|_, _| Some(0));
    for member in ["a-1", "b-1"] {
        for task in &decided.standby_tasks[member] {
            assert!(!decided.active_tasks[member].contains(task), "{member} has {task} twice");
        }
    }
    let standbys: usize = decided.standby_tasks.values().map(Vec::len).sum();
    assert_eq!(standbys, 3, "one standby per stateful task");
}

//! Scenarios from Kafka's `RangeAssignorTest` (the non-rack cases).

use super::super::Strategy::Range;
use super::super::test_support::*;
use super::super::{Subscription, TopicPartition};
use std::collections::BTreeMap;

fn static_member(member: &str, instance: &str, topics: &[&str]) -> Subscription {
    sub(member, topics).with_instance_id(instance)
}

/// Kafka's tests compare range results as sets.
fn assert_set(actual: &[TopicPartition], expected: &str) {
    assert_eq!(set(actual), set(&tps(expected)));
}

#[test]
fn one_consumer_no_topic() {
    let a = run(Range, &topics(&[]), &[sub("consumer1", &[])]);
    assert_eq!(a.len(), 1);
    assert!(list(&a, "consumer1").is_empty());
}

#[test]
fn one_consumer_nonexistent_topic() {
    let a = run(Range, &topics(&[]), &[sub("consumer1", &["topic1"])]);
    assert!(list(&a, "consumer1").is_empty());
}

#[test]
fn one_consumer_one_topic() {
    let a = run(Range, &topics(&[("topic1", 3)]), &[sub("consumer1", &["topic1"])]);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-1, topic1-2"));
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    let counts = topics(&[("topic1", 3), ("other", 3)]);
    let a = run(Range, &counts, &[sub("consumer1", &["topic1"])]);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-1, topic1-2"));
}

#[test]
fn one_consumer_multiple_topics() {
    let counts = topics(&[("topic1", 1), ("topic2", 2)]);
    let a = run(Range, &counts, &[sub("consumer1", &["topic1", "topic2"])]);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic2-0, topic2-1"));
}

#[test]
fn two_consumers_one_topic_one_partition() {
    let subs = [sub("consumer1", &["topic1"]), sub("consumer2", &["topic1"])];
    let a = run(Range, &topics(&[("topic1", 1)]), &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
    assert!(list(&a, "consumer2").is_empty());
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    let subs = [sub("consumer1", &["topic1"]), sub("consumer2", &["topic1"])];
    let a = run(Range, &topics(&[("topic1", 2)]), &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1"));
}

#[test]
fn multiple_consumers_mixed_topics() {
    let counts = topics(&[("topic1", 3), ("topic2", 2)]);
    let subs = [sub("consumer1", &["topic1"]), sub("consumer2", &["topic1", "topic2"]), sub("consumer3", &["topic1"])];
    let a = run(Range, &counts, &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-0, topic2-1"));
    assert_eq!(list(&a, "consumer3"), tps("topic1-2"));
}

#[test]
fn two_consumers_two_topics_six_partitions() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let a = run(Range, &counts, &[sub("consumer1", &both), sub("consumer2", &both)]);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-1, topic2-0, topic2-1"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-2, topic2-2"));
}

#[test]
fn two_static_consumers_two_topics_six_partitions() {
    // consumer-a sorts first by member id, but instance ids decide.
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let subs = [static_member("consumer-b", "instance1", &both), static_member("consumer-a", "instance2", &both)];
    let a = run(Range, &counts, &subs);
    assert_set(&list(&a, "consumer-b"), "topic1-0, topic1-1, topic2-0, topic2-1");
    assert_set(&list(&a, "consumer-a"), "topic1-2, topic2-2");
}

#[test]
fn one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let subs = [static_member("consumer-b", "instance1", &both), sub("consumer-a", &both)];
    let a = run(Range, &counts, &subs);
    assert_set(&list(&a, "consumer-b"), "topic1-0, topic1-1, topic2-0, topic2-1");
    assert_set(&list(&a, "consumer-a"), "topic1-2, topic2-2");
}

#[test]
fn static_member_range_assignment_persistent() {
    let counts = topics(&[("topic1", 5), ("topic2", 4)]);
    let both = ["topic1", "topic2"];
    let mut subs = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
        sub("consumer4", &both),
    ];
    let a = run(Range, &counts, &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-1, topic2-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-2, topic2-1"));
    assert_eq!(list(&a, "consumer3"), tps("topic1-3, topic2-2"));
    assert_eq!(list(&a, "consumer4"), tps("topic1-4, topic2-3"));

    // A new dynamic member replaces consumer4 and takes over exactly its share.
    subs[3] = sub("consumer5", &both);
    let b = run(Range, &counts, &subs);
    assert_eq!(list(&b, "consumer5"), tps("topic1-4, topic2-3"));
    for member in ["consumer1", "consumer2", "consumer3"] {
        assert_eq!(list(&a, member), list(&b, member));
    }
}

/// Assignment keyed by `group.instance.id`, as Kafka's `checkStaticAssignment`.
fn by_instance(subs: &[Subscription]) -> BTreeMap<String, Vec<TopicPartition>> {
    let a = run(Range, &topics(&[("topic1", 5), ("topic2", 5)]), subs);
    subs.iter().filter_map(|s| Some((s.group_instance_id.clone()?, list(&a, &s.member_id)))).collect()
}

#[test]
fn static_member_range_assignment_persistent_after_member_id_changes() {
    let both = ["topic1", "topic2"];
    let subs = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
    ];
    let before = by_instance(&subs);
    assert_set(&before["instance1"], "topic1-0, topic1-1, topic2-0, topic2-1");
    assert_set(&before["instance2"], "topic1-2, topic1-3, topic2-2, topic2-3");
    assert_set(&before["instance3"], "topic1-4, topic2-4");

    // Restarted static members get new member ids but keep their instance ids.
    let renamed = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer5", "instance2", &both),
        static_member("consumer4", "instance3", &both),
    ];
    assert_eq!(by_instance(&renamed), before);
}

/// Non-rack expectations of Kafka's rack tests: members `consumer0..`, sorted strings.
fn check_sorted(counts: &[(&str, u32)], member_topics: &[&[&str]], expected: &[&str]) {
    let subs: Vec<Subscription> =
        member_topics.iter().enumerate().map(|(i, t)| sub(&format!("consumer{i}"), t)).collect();
    let a = run(Range, &topics(counts), &subs);
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(sorted_string(&list(&a, &format!("consumer{i}"))), *want);
    }
}

#[test]
fn rack_test_uniform_subscription_without_racks() {
    let all: &[&str] = &["t1", "t2", "t3"];
    check_sorted(
        &[("t1", 6), ("t2", 7), ("t3", 2)],
        &[all, all, all],
        &["t1-0, t1-1, t2-0, t2-1, t2-2, t3-0", "t1-2, t1-3, t2-3, t2-4, t3-1", "t1-4, t1-5, t2-5, t2-6"],
    );
}

#[test]
fn rack_test_non_equal_subscription_without_racks() {
    let all: &[&str] = &["t1", "t2", "t3"];
    check_sorted(
        &[("t1", 6), ("t2", 7), ("t3", 2)],
        &[all, all, &["t1", "t3"]],
        &["t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0", "t1-2, t1-3, t2-4, t2-5, t2-6, t3-1", "t1-4, t1-5"],
    );
}

#[test]
fn rack_test_uniform_partitions_without_racks() {
    let all: &[&str] = &["t1", "t2", "t3"];
    let counts = [("t1", 5), ("t2", 5), ("t3", 5)];
    check_sorted(
        &counts,
        &[all, all, all],
        &["t1-0, t1-1, t2-0, t2-1, t3-0, t3-1", "t1-2, t1-3, t2-2, t2-3, t3-2, t3-3", "t1-4, t2-4, t3-4"],
    );
    check_sorted(
        &counts,
        &[all, all, &["t1", "t3"]],
        &["t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1", "t1-2, t1-3, t2-3, t2-4, t3-2, t3-3", "t1-4, t3-4"],
    );
}

#[test]
fn rack_test_co_partitioning_without_racks() {
    let counts = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2)];
    let (a, b): (&[&str], &[&str]) = (&["t1", "t2"], &["t3", "t4"]);
    check_sorted(
        &counts,
        &[a, a, b, b],
        &["t1-0, t1-1, t1-2, t2-0, t2-1, t2-2", "t1-3, t1-4, t1-5, t2-3, t2-4, t2-5", "t3-0, t4-0", "t3-1, t4-1"],
    );
    let all: &[&str] = &["t1", "t2", "t3", "t4"];
    check_sorted(
        &counts,
        &[all, all, all, all],
        &["t1-0, t1-1, t2-0, t2-1, t3-0, t4-0", "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1", "t1-4, t2-4", "t1-5, t2-5"],
    );
}

#[test]
fn co_partitioned_assignment_with_same_subscription_without_racks() {
    let counts = [("t1", 6), ("t2", 6), ("t3", 2), ("t4", 2), ("t5", 4), ("t6", 4)];
    let all: &[&str] = &["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    check_sorted(
        &counts,
        &[all, all, all],
        &[
            "t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1",
            "t1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2",
            "t1-4, t1-5, t2-4, t2-5, t5-3, t6-3",
        ],
    );
}

#[test]
fn topic_lists_follow_java_hash_map_order() {
    // In Java's 16-bucket table "topic2" and "a" share bucket 1 (topic2 was added first),
    // "b" is in bucket 2 and "topic10" in bucket 6 — neither alphabetical nor subscription order.
    let counts = topics(&[("topic10", 1), ("topic2", 1), ("a", 1), ("b", 1)]);
    let a = run(Range, &counts, &[sub("c", &["topic2", "topic10", "b", "a"])]);
    assert_eq!(list(&a, "c"), tps("topic2-0, a-0, b-0, topic10-0"));
}

#[test]
fn explanation_names_the_split() {
    let result = run_full(
        Range,
        &topics(&[("demo_1", 2)]),
        &[sub("c1", &["demo_1"]), sub("c2", &["demo_1"]), sub("c3", &["demo_1"])],
    );
    let line = result.explanation.iter().find(|l| l.starts_with("topic demo_1")).expect("per-topic line");
    assert!(line.contains("2 partitions / 3 members = 0 each, the first 2 members get one extra"));
    assert!(line.contains("c3 []"));
}

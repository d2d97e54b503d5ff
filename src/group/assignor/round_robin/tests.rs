//! Scenarios from Kafka's `RoundRobinAssignorTest`.

use super::super::Strategy::RoundRobin;
use super::super::Subscription;
use super::super::test_support::*;

fn static_member(member: &str, instance: &str, topics: &[&str]) -> Subscription {
    sub(member, topics).with_instance_id(instance)
}

#[test]
fn one_consumer_no_topic() {
    let a = run(RoundRobin, &topics(&[]), &[sub("consumer", &[])]);
    assert_eq!(a.len(), 1);
    assert!(list(&a, "consumer").is_empty());
}

#[test]
fn one_consumer_nonexistent_topic() {
    let a = run(RoundRobin, &topics(&[]), &[sub("consumer", &["topic"])]);
    assert!(list(&a, "consumer").is_empty());
}

#[test]
fn one_consumer_one_topic() {
    let a = run(RoundRobin, &topics(&[("topic", 3)]), &[sub("consumer", &["topic"])]);
    assert_eq!(list(&a, "consumer"), tps("topic-0, topic-1, topic-2"));
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    let counts = topics(&[("topic", 3), ("other", 3)]);
    let a = run(RoundRobin, &counts, &[sub("consumer", &["topic"])]);
    assert_eq!(list(&a, "consumer"), tps("topic-0, topic-1, topic-2"));
}

#[test]
fn one_consumer_multiple_topics() {
    let counts = topics(&[("topic1", 1), ("topic2", 2)]);
    let a = run(RoundRobin, &counts, &[sub("consumer", &["topic1", "topic2"])]);
    assert_eq!(list(&a, "consumer"), tps("topic1-0, topic2-0, topic2-1"));
}

#[test]
fn two_consumers_one_topic_one_partition() {
    let subs = [sub("consumer1", &["topic"]), sub("consumer2", &["topic"])];
    let a = run(RoundRobin, &topics(&[("topic", 1)]), &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic-0"));
    assert!(list(&a, "consumer2").is_empty());
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    let subs = [sub("consumer1", &["topic"]), sub("consumer2", &["topic"])];
    let a = run(RoundRobin, &topics(&[("topic", 2)]), &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic-1"));
}

#[test]
fn multiple_consumers_mixed_topics() {
    let counts = topics(&[("topic1", 3), ("topic2", 2)]);
    let subs = [sub("consumer1", &["topic1"]), sub("consumer2", &["topic1", "topic2"]), sub("consumer3", &["topic1"])];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-0, topic2-1"));
    assert_eq!(list(&a, "consumer3"), tps("topic1-2"));
}

#[test]
fn two_consumers_two_topics_six_partitions() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let a = run(RoundRobin, &counts, &[sub("consumer1", &both), sub("consumer2", &both)]);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-2, topic2-1"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-0, topic2-2"));
}

#[test]
fn two_static_consumers_two_topics_six_partitions() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let subs = [static_member("consumer-b", "instance1", &both), static_member("consumer-a", "instance2", &both)];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "consumer-b"), tps("topic1-0, topic1-2, topic2-1"));
    assert_eq!(list(&a, "consumer-a"), tps("topic1-1, topic2-0, topic2-2"));
}

#[test]
fn one_static_consumer_and_one_dynamic_consumer_two_topics_six_partitions() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let subs = [static_member("consumer-b", "instance1", &both), sub("consumer-a", &both)];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "consumer-b"), tps("topic1-0, topic1-2, topic2-1"));
    assert_eq!(list(&a, "consumer-a"), tps("topic1-1, topic2-0, topic2-2"));
}

#[test]
fn static_member_round_robin_assignment_persistent() {
    let counts = topics(&[("topic1", 3), ("topic2", 3)]);
    let both = ["topic1", "topic2"];
    let mut subs = vec![
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
        sub("consumer4", &both),
    ];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic2-1"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-2"));
    assert_eq!(list(&a, "consumer3"), tps("topic1-2"));
    assert_eq!(list(&a, "consumer4"), tps("topic2-0"));

    subs[3] = sub("consumer5", &both);
    let b = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&b, "consumer5"), tps("topic2-0"));
    assert_eq!(list(&b, "consumer1"), tps("topic1-0, topic2-1"));
}

#[test]
fn static_member_round_robin_assignment_persistent_after_member_id_changes() {
    let counts = topics(&[("topic1", 5), ("topic2", 5)]);
    let both = ["topic1", "topic2"];
    let by_instance = |subs: &[Subscription]| {
        let a = run(RoundRobin, &counts, subs);
        subs.iter()
            .map(|s| (s.group_instance_id.clone().unwrap_or_default(), list(&a, &s.member_id)))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = by_instance(&[
        static_member("consumer1", "instance1", &both),
        static_member("consumer2", "instance2", &both),
        static_member("consumer3", "instance3", &both),
    ]);
    assert_eq!(before["instance1"], tps("topic1-0, topic1-3, topic2-1, topic2-4"));
    assert_eq!(before["instance2"], tps("topic1-1, topic1-4, topic2-2"));
    assert_eq!(before["instance3"], tps("topic1-2, topic2-0, topic2-3"));
    let after = by_instance(&[
        static_member("consumer1", "instance1", &both),
        static_member("consumer5", "instance2", &both),
        static_member("consumer4", "instance3", &both),
    ]);
    assert_eq!(after, before);
}

#[test]
fn poor_round_robin_scenario_from_sticky_test_doc() {
    // The round-robin result quoted in Kafka's AbstractStickyAssignorTest.
    let counts = topics(&[("topic1", 2), ("topic2", 1), ("topic3", 2), ("topic4", 1), ("topic5", 2)]);
    let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
    let odd = ["topic1", "topic3", "topic5"];
    let subs = [sub("consumer1", &all), sub("consumer2", &odd), sub("consumer3", &odd), sub("consumer4", &all)];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic3-0, topic5-0"));
    assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic3-1, topic5-1"));
    assert!(list(&a, "consumer3").is_empty());
    assert_eq!(list(&a, "consumer4"), tps("topic2-0, topic4-0"));
}

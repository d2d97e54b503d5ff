//! API behaviour, the worked examples of the reference (`kafka-reference.md` §6.4), and
//! recorded results of Kafka's own Java assignors (`kafka_cases.txt`).

use std::collections::BTreeMap;

use super::Strategy::{self, CooperativeSticky, Range, RoundRobin, Sticky};
use super::test_support::*;
use super::{RebalanceProtocol, Subscription, TopicPartition, assign};

#[test]
fn strategy_names_round_trip() {
    for strategy in Strategy::ALL {
        assert_eq!(strategy.name().parse::<Strategy>(), Ok(strategy));
        assert_eq!(strategy.to_string(), strategy.name());
    }
    assert_eq!("org.apache.kafka.clients.consumer.RangeAssignor".parse(), Ok(Range));
    assert_eq!("CooperativeStickyAssignor".parse(), Ok(CooperativeSticky));
    assert!("uniform".parse::<Strategy>().is_err());
    assert_eq!(CooperativeSticky.protocol(), RebalanceProtocol::Cooperative);
    assert_eq!(Sticky.protocol(), RebalanceProtocol::Eager);
    assert_eq!(tp("demo", 3).to_string(), "demo-3");
}

#[test]
fn every_member_appears_even_when_idle() {
    let counts = topics(&[("t", 1)]);
    let subs = [sub("a", &["t"]), sub("b", &["t"]), sub("c", &["other"])];
    for strategy in Strategy::ALL {
        let result = assign(strategy, &counts, &subs);
        assert_eq!(result.assignment.len(), 3, "{strategy}");
        assert!(result.assignment["c"].is_empty());
        assert!(!result.explanation.is_empty());
    }
}

#[test]
fn empty_group_gets_empty_result() {
    for strategy in Strategy::ALL {
        assert!(assign(strategy, &topics(&[("t", 3)]), &[]).assignment.is_empty());
    }
}

#[test]
fn duplicate_member_keeps_last_subscription() {
    let counts = topics(&[("x", 2), ("y", 2)]);
    let subs = [sub("m", &["x"]), sub("m", &["y"])];
    let a = run(Range, &counts, &subs);
    assert_eq!(list(&a, "m"), tps("y-0, y-1"));
}

#[test]
fn unsubscribed_topics_do_not_count_for_sticky_quotas() {
    // The Java client only hands subscribed topics to the assignor.
    let counts = topics(&[("t", 2), ("unused", 50)]);
    let subs = [sub("a", &["t"]), sub("b", &["t"])];
    for strategy in Strategy::ALL {
        let a = run(strategy, &counts, &subs);
        assert_eq!((list(&a, "a").len(), list(&a, "b").len()), (1, 1), "{strategy}");
    }
}

fn three_members(topic_list: &[&str]) -> Vec<Subscription> {
    ["C1", "C2", "C3"].iter().map(|m| sub(m, topic_list)).collect()
}

#[test]
fn example_1_more_members_than_partitions() {
    let counts = topics(&[("demo", 2)]);
    for strategy in Strategy::ALL {
        let a = run(strategy, &counts, &three_members(&["demo"]));
        assert_eq!(list(&a, "C1"), tps("demo-0"), "{strategy}");
        assert_eq!(list(&a, "C2"), tps("demo-1"), "{strategy}");
        assert!(list(&a, "C3").is_empty(), "{strategy}");
    }
}

#[test]
fn example_2_three_topics_two_members() {
    let counts = topics(&[("a", 3), ("b", 3), ("c", 3)]);
    let subs = [sub("C1", &["a", "b", "c"]), sub("C2", &["a", "b", "c"])];
    let range = run(Range, &counts, &subs);
    assert_eq!(list(&range, "C1"), tps("a-0, a-1, b-0, b-1, c-0, c-1"));
    assert_eq!(list(&range, "C2"), tps("a-2, b-2, c-2"));
    for strategy in [RoundRobin, Sticky, CooperativeSticky] {
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "C1"), tps("a-0, a-2, b-1, c-0, c-2"), "{strategy}");
        assert_eq!(list(&a, "C2"), tps("a-1, b-0, b-2, c-1"), "{strategy}");
    }
    let sticky = run_full(Sticky, &counts, &subs);
    assert!(sticky.explanation[0].contains("minQuota 4, maxQuota 5 (1 member may hold 5)"));
}

#[test]
fn example_3_two_topics_six_partitions() {
    let counts = topics(&[("t1", 3), ("t2", 3)]);
    let a = run(Range, &counts, &[sub("C1", &["t1", "t2"]), sub("C2", &["t1", "t2"])]);
    assert_eq!(list(&a, "C1"), tps("t1-0, t1-1, t2-0, t2-1"));
    assert_eq!(list(&a, "C2"), tps("t1-2, t2-2"));
}

#[test]
fn example_4_mixed_subscriptions_round_robin() {
    let counts = topics(&[("t1", 3), ("t2", 2)]);
    let subs = [sub("C1", &["t1"]), sub("C2", &["t1", "t2"]), sub("C3", &["t1"])];
    let a = run(RoundRobin, &counts, &subs);
    assert_eq!(list(&a, "C1"), tps("t1-0"));
    assert_eq!(list(&a, "C2"), tps("t1-1, t2-0, t2-1"));
    assert_eq!(list(&a, "C3"), tps("t1-2"));
}

#[test]
fn example_5_stickiness_on_leave() {
    let counts = topics(&[("t", 6)]);
    let fresh = run(Sticky, &counts, &three_members(&["t"]));
    assert_eq!(list(&fresh, "C1"), tps("t-0, t-3"));
    assert_eq!(list(&fresh, "C2"), tps("t-1, t-4"));
    assert_eq!(list(&fresh, "C3"), tps("t-2, t-5"));
    let remaining = next_generation(&three_members(&["t"])[..2], &fresh, 1);
    let sticky = run_full(Sticky, &counts, &remaining);
    assert_eq!(list(&sticky.assignment, "C1"), tps("t-0, t-3, t-2"));
    assert_eq!(list(&sticky.assignment, "C2"), tps("t-1, t-4, t-5"));
    assert!(sticky.explanation.iter().any(|l| l == "C1 kept [t-0, t-3]"));
    assert!(sticky.explanation.iter().any(|l| l == "C1 gets unowned [t-2]"));

    let range_before = run(Range, &counts, &three_members(&["t"]));
    assert_eq!(list(&range_before, "C3"), tps("t-4, t-5"));
    let range_after = run(Range, &counts, &three_members(&["t"])[..2]);
    assert_eq!(list(&range_after, "C1"), tps("t-0, t-1, t-2"));
    assert_eq!(list(&range_after, "C2"), tps("t-3, t-4, t-5"));
}

#[test]
fn example_6_cooperative_two_phase() {
    let counts = topics(&[("t", 3)]);
    let round1 = [owning("C1", &["t"], "t-0, t-1, t-2", 1), sub("C2", &["t"])];
    let eager = run(Sticky, &counts, &round1);
    assert_eq!(list(&eager, "C2"), tps("t-2"));
    let first = run(CooperativeSticky, &counts, &round1);
    assert_eq!(list(&first, "C1"), tps("t-0, t-1"));
    assert!(list(&first, "C2").is_empty());
    let second = run(CooperativeSticky, &counts, &next_generation(&round1, &first, 2));
    assert_eq!(list(&second, "C2"), tps("t-2"));
}

/// Results recorded from Kafka 4.0's assignor code on random groups (see the file header).
#[test]
fn kafka_cases() {
    let fixture = include_str!("kafka_cases.txt");
    let mut checked = 0;
    for block in fixture.split("end\n").filter(|b| b.contains("case ")) {
        let (input, expected) = block.split_once("expect\n").expect("expect section");
        let (strategy, counts, subs) = parse_case(input);
        let result = assign(strategy, &counts, &subs);
        let mut actual = String::new();
        for (member, partitions) in &result.assignment {
            actual.push_str(&format!("{member} {}\n", render(partitions)));
        }
        if strategy == CooperativeSticky {
            let mut pending: Vec<String> =
                result.pending_transfers.iter().map(|(tp, m)| format!(" {tp}={m}")).collect();
            pending.sort();
            actual.push_str(&format!("pending{}\n", pending.concat()));
        }
        assert_eq!(actual, expected, "case:\n{input}");
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} cases");
}

fn parse_case(input: &str) -> (Strategy, BTreeMap<String, u32>, Vec<Subscription>) {
    let mut strategy = Range;
    let mut counts = BTreeMap::new();
    let mut subs = Vec::new();
    for line in input.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[0] {
            "case" => strategy = fields[1].parse().expect("strategy"),
            "topic" => {
                counts.insert(fields[1].to_string(), fields[2].parse().expect("count"));
            }
            "member" => subs.push(parse_member(&fields)),
            _ => {}
        }
    }
    (strategy, counts, subs)
}

fn parse_member(fields: &[&str]) -> Subscription {
    let dash = |s: &str| (s != "-").then(|| s.to_string());
    let topic_list: Vec<&str> = dash(fields[4]).map_or(Vec::new(), |_| fields[4].split(',').collect());
    let mut s = sub(fields[1], &topic_list);
    s.group_instance_id = dash(fields[2]);
    s.generation = dash(fields[3]).map(|g| g.parse().expect("generation"));
    s.owned_partitions = dash(fields[5]).map_or(Vec::new(), |o| tps(&o.replace(',', ", ")));
    s
}

fn render(partitions: &[TopicPartition]) -> String {
    if partitions.is_empty() {
        return "-".to_string();
    }
    let names: Vec<String> = partitions.iter().map(ToString::to_string).collect();
    names.join(",")
}

/// Seeded property check for all four assignors: valid, and for identical subscriptions
/// balanced within one partition.
#[test]
fn random_groups_are_valid_and_balanced() {
    let mut rng = Rng::new(42);
    for round in 0..200 {
        let strategy = Strategy::ALL[round % 4];
        let topic_names: Vec<String> = (0..1 + rng.below(5)).map(|i| format!("topic{i}")).collect();
        let counts: BTreeMap<String, u32> = topic_names.iter().map(|t| (t.clone(), 1 + rng.below(12) as u32)).collect();
        let members = 1 + rng.below(8);
        let subs: Vec<Subscription> =
            (0..members).map(|i| Subscription::new(format!("member-{i}"), topic_names.clone())).collect();
        let (_, a) = settled(strategy, &counts, &subs, 1);
        let all: Vec<&TopicPartition> = a.values().flatten().collect();
        let total: u32 = counts.values().sum();
        assert_eq!(all.len(), total as usize, "{strategy}: every partition assigned once");
        if strategy != Range || counts.len() == 1 {
            assert!(is_fully_balanced(&a), "{strategy}: {a:?}");
        }
    }
}

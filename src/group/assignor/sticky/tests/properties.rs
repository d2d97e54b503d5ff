//! `AbstractStickyAssignorTest` cases that check properties (validity, balance,
//! stickiness) rather than exact lists. Kafka's random tests use a seeded generator here,
//! and its million-partition timing tests are scaled down.

use super::*;

fn per_topic(assignment: &Assignment, topic: &str) -> Vec<usize> {
    assignment.values().map(|l| l.iter().filter(|p| p.topic == topic).count()).collect()
}

fn owned_everything(subs: &mut [Subscription], assignment: &Assignment) {
    for s in subs.iter_mut() {
        let owned = assignment.get(&s.member_id).cloned().unwrap_or_default();
        *s = s.clone().with_owned(owned, Some(GEN));
    }
}

fn contains_all(outer: &[TopicPartition], inner: &[TopicPartition]) -> bool {
    inner.iter().all(|p| outer.contains(p))
}

#[test]
fn topic_balance_after_reassignment() {
    for strategy in BOTH {
        let all = ["topic1", "topic2"];
        let counts = topics(&[("topic1", 12), ("topic2", 12)]);
        let mut subs = vec![sub("consumer1", &all)];
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(per_topic(&a, "topic1").iter().all(|n| *n == 12));

        upsert(&mut subs, v2("consumer1", &all, &list(&a, "consumer1"), GEN));
        upsert(&mut subs, v2("consumer2", &all, &[], GEN));
        let b = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(per_topic(&b, "topic1").iter().chain(&per_topic(&b, "topic2")).all(|n| *n == 6));

        owned_everything(&mut subs, &b);
        upsert(&mut subs, v2("consumer3", &all, &[], GEN));
        upsert(&mut subs, v2("consumer4", &all, &[], GEN));
        let c = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(per_topic(&c, "topic1").iter().chain(&per_topic(&c, "topic2")).all(|n| *n == 3));

        remove(&mut subs, "consumer1");
        remove(&mut subs, "consumer2");
        owned_everything(&mut subs, &c);
        assert!(no_transfers(strategy, &counts, &subs));
        let d = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(per_topic(&d, "topic1").iter().chain(&per_topic(&d, "topic2")).all(|n| *n == 6));
    }
}

#[test]
fn poor_round_robin_assignment_scenario() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 2), ("topic2", 1), ("topic3", 2), ("topic4", 1), ("topic5", 2)]);
        let all = ["topic1", "topic2", "topic3", "topic4", "topic5"];
        let odd = ["topic1", "topic3", "topic5"];
        let subs = [sub("consumer1", &all), sub("consumer2", &odd), sub("consumer3", &odd), sub("consumer4", &all)];
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(a.values().all(|l| l.len() == 2), "sticky balances what round-robin cannot: {a:?}");
    }
}

#[test]
fn add_remove_topic_two_consumers() {
    for strategy in BOTH {
        let mut counts = topics(&[("topic", 3)]);
        let mut subs = vec![sub("consumer1", &["topic"]), sub("consumer2", &["topic"])];
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        let (a1, a2) = (list(&a, "consumer1"), list(&a, "consumer2"));
        assert_eq!(a1.len() + a2.len(), 3);
        assert!(is_fully_balanced(&a));

        counts.insert("topic2".to_string(), 3);
        let both = ["topic", "topic2"];
        upsert(&mut subs, v2("consumer1", &both, &a1, GEN));
        upsert(&mut subs, v2("consumer2", &both, &a2, GEN));
        assert!(no_transfers(strategy, &counts, &subs));
        let b = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        let (b1, b2) = (list(&b, "consumer1"), list(&b, "consumer2"));
        assert_eq!((b1.len(), b2.len()), (3, 3));
        assert!(contains_all(&b1, &a1) && contains_all(&b2, &a2));

        counts.remove("topic");
        upsert(&mut subs, v2("consumer1", &["topic2"], &b1, GEN));
        upsert(&mut subs, v2("consumer2", &["topic2"], &b2, GEN));
        assert!(no_transfers(strategy, &counts, &subs));
        let c = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        let (c1, c2) = (list(&c, "consumer1"), list(&c, "consumer2"));
        assert!(is_fully_balanced(&c) && c1.len() + c2.len() == 3);
        assert!(contains_all(&b1, &c1) && contains_all(&b2, &c2));
    }
}

#[test]
fn reassignment_after_one_consumer_leaves() {
    for strategy in BOTH {
        let counts: BTreeMap<String, u32> = (1..20).map(|i| (padded("t", i, 20), i as u32)).collect();
        let mut subs: Vec<Subscription> = (1..20)
            .map(|i| {
                let t: Vec<String> = (1..=i).map(|j| padded("t", j, 20)).collect();
                sub(&padded("c", i, 20), &names(&t))
            })
            .collect();
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        owned_everything(&mut subs, &a);
        remove(&mut subs, "c10");
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
    }
}

#[test]
fn reassignment_after_one_consumer_added() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 20)]);
        let mut subs: Vec<Subscription> = (1..10).map(|i| sub(&padded("c", i, 10), &["topic"])).collect();
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        subs.push(sub("c10", &["topic"]));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
    }
}

#[test]
fn same_subscriptions() {
    for strategy in BOTH {
        let counts: BTreeMap<String, u32> = (1..15).map(|i| (padded("t", i, 15), i as u32)).collect();
        let all: Vec<String> = counts.keys().cloned().collect();
        let mut subs: Vec<Subscription> = (1..9).map(|i| sub(&padded("c", i, 9), &names(&all))).collect();
        assert!(no_transfers(strategy, &counts, &subs));
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        owned_everything(&mut subs, &a);
        remove(&mut subs, &padded("c", 5, 9));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
    }
}

/// Scaled-down `testLargeAssignmentAndGroupWith{Uniform,NonEqual}Subscription` and
/// `testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout`.
#[test]
fn large_groups_rebalance_and_stay_balanced() {
    let (topic_count, partitions, consumers) = (20, 40, 60);
    let all: Vec<String> = (0..topic_count).map(|i| padded("t", i, topic_count)).collect();
    let counts: BTreeMap<String, u32> = all.iter().map(|t| (t.clone(), partitions)).collect();
    // Uniform; all but the last member alike; two disjoint halves.
    let shape = |kind: usize, i: usize| -> Vec<String> {
        match kind {
            0 => all.clone(),
            1 if i == consumers - 1 => all[..1].to_vec(),
            1 => all.clone(),
            _ if i.is_multiple_of(4) => all[..topic_count / 2].to_vec(),
            _ => all[topic_count / 2..].to_vec(),
        }
    };
    for kind in 0..3 {
        for strategy in BOTH {
            let mut subs: Vec<Subscription> =
                (0..consumers).map(|i| Subscription::new(padded("c", i, consumers), shape(kind, i))).collect();
            let a = run(strategy, &counts, &subs);
            assert_valid_and_balanced(&subs, &a);
            owned_everything(&mut subs[1..], &a);
            let b = run(strategy, &counts, &subs);
            verify(strategy, &counts, &subs, b);
        }
    }
}

#[test]
fn new_subscription() {
    for strategy in BOTH {
        let counts: BTreeMap<String, u32> = (1..5).map(|i| (padded("t", i, 5), 1)).collect();
        let mut subs: Vec<Subscription> = (0..3usize)
            .map(|i| {
                // Kafka's `for (j = i; j <= 3 * i - 2; j++)`.
                let (first, last) = (i as i64, 3 * i as i64 - 2);
                let t: Vec<String> = (first..=last).map(|j| padded("t", j as usize, 5)).collect();
                sub(&padded("c", i, 3), &names(&t))
            })
            .collect();
        assert_eq!(subs[1].topics, ["t1"]);
        assert_eq!(subs[2].topics, ["t2", "t3", "t4"]);
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        subs[0].topics.push("t1".to_string());
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
    }
}

#[test]
fn move_existing_assignments() {
    for strategy in BOTH {
        let counts: BTreeMap<String, u32> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
        let subs = [
            v2("consumer1", &["topic1", "topic2"], &tps("topic1-0"), GEN),
            v2("consumer2", &["topic1", "topic2", "topic3", "topic4"], &tps("topic2-0, topic3-0"), GEN),
            v2(
                "consumer3",
                &["topic2", "topic3", "topic4", "topic5", "topic6"],
                &tps("topic4-0, topic5-0, topic6-0"),
                GEN,
            ),
        ];
        assert_eq!(transfers(strategy, &counts, &subs), None);
        verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
    }
}

#[test]
fn stickiness() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 3)]);
        let mut subs: Vec<Subscription> = (1..=4).map(|i| sub(&format!("consumer{i}"), &["topic1"])).collect();
        assert!(no_transfers(strategy, &counts, &subs));
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert!(a.values().all(|l| l.len() <= 1));

        remove(&mut subs, "consumer1");
        for s in subs.iter_mut() {
            *s = v2(&s.member_id.clone(), &["topic1"], &list(&a, &s.member_id), GEN);
        }
        assert!(no_transfers(strategy, &counts, &subs));
        let b = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        for (member, partitions) in &b {
            assert_eq!(partitions.len(), 1);
            assert!(contains_all(partitions, &list(&a, member)), "{member} kept its partition");
        }
    }
}

/// `testReassignmentWithRandomSubscriptionsAndChanges` and
/// `testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription`, seeded.
#[test]
fn random_subscriptions_and_changes_stay_valid_and_balanced() {
    let mut rng = Rng::new(0x5EED);
    for round in 0..12 {
        let strategy = BOTH[round % 2];
        let topic_count = 6 + rng.below(8);
        let all: Vec<String> = (0..topic_count).map(|i| padded("t", i, 20)).collect();
        let counts: BTreeMap<String, u32> = all.iter().enumerate().map(|(i, t)| (t.clone(), i as u32 + 1)).collect();
        let consumers = 10 + rng.below(20);
        let random_topics = |rng: &mut Rng| -> Vec<String> {
            let keep: Vec<String> = all.iter().filter(|_| rng.below(3) > 0).cloned().collect();
            if keep.is_empty() { vec![all[0].clone()] } else { keep }
        };
        let mut subs: Vec<Subscription> =
            (0..consumers).map(|i| Subscription::new(padded("c", i, 40), random_topics(&mut rng))).collect();
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        for s in subs.iter_mut() {
            let owned = list(&a, &s.member_id);
            *s = Subscription::new(s.member_id.clone(), random_topics(&mut rng)).with_owned(owned, Some(GEN));
        }
        for _ in 0..consumers / 4 {
            let gone = padded("c", rng.below(consumers), 40);
            remove(&mut subs, &gone);
        }
        if !subs.is_empty() {
            verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        }
    }
}

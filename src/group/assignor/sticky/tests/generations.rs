//! Generation handling: stale claims lose, equal claims cancel
//! (`AbstractStickyAssignorTest` and `StickyAssignorTest`).

use super::*;

#[test]
fn owned_partitions_are_invalidated_for_consumer_with_stale_or_no_generation() {
    for stale in [Some(9), None] {
        for strategy in BOTH {
            let counts = topics(&[("topic", 3), ("topic2", 3)]);
            let both = ["topic", "topic2"];
            let claim = tps("topic-0, topic-2, topic2-1");
            let subs = [v2("consumer1", &both, &claim, 10), sub("consumer2", &both).with_owned(claim.clone(), stale)];
            let a = run(strategy, &counts, &subs);
            assert_eq!(set(&list(&a, "consumer1")), set(&claim));
            assert_eq!(set(&list(&a, "consumer2")), set(&tps("topic-1, topic2-0, topic2-2")));
            assert!(no_transfers(strategy, &counts, &subs));
            verify(strategy, &counts, &subs, a);
        }
    }
}

#[test]
fn ensure_partitions_assigned_to_highest_generation() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
        let all = ["topic", "topic2", "topic3"];
        let subs = [
            v2("consumer1", &all, &tps("topic-0, topic2-0, topic3-0"), 10),
            v2("consumer2", &all, &tps("topic-1, topic2-1, topic3-1"), 9),
            v2("consumer3", &all, &tps("topic2-1, topic3-0, topic3-2"), 8),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(set(&list(&a, "consumer1")), set(&tps("topic-0, topic2-0, topic3-0")));
        assert_eq!(set(&list(&a, "consumer2")), set(&tps("topic-1, topic2-1, topic3-1")));
        assert_eq!(set(&list(&a, "consumer3")), set(&tps("topic-2, topic2-2, topic3-2")));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, a);
    }
}

#[test]
fn no_reassignment_on_current_members() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
        let all = ["topic", "topic2", "topic3", "topic1"];
        let subs = [
            sub("consumer1", &all),
            v2("consumer2", &all, &tps("topic-0, topic2-0, topic1-0"), 9),
            v2("consumer3", &all, &tps("topic3-2, topic2-2, topic1-1"), 8),
            v2("consumer4", &all, &tps("topic3-1, topic-1, topic-2"), 7),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(set(&list(&a, "consumer1")), set(&tps("topic1-2, topic2-1, topic3-0")));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, a);
    }
}

#[test]
fn owned_partitions_are_invalidated_for_consumer_with_multiple_generation() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3), ("topic2", 3)]);
        let both = ["topic", "topic2"];
        let subs = [
            v2("consumer1", &both, &tps("topic-0, topic2-1, topic-1"), 10),
            v2("consumer2", &both, &tps("topic-0, topic2-1, topic2-2"), 8),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(set(&list(&a, "consumer1")), set(&tps("topic-0, topic2-1, topic-1")));
        assert_eq!(set(&list(&a, "consumer2")), set(&tps("topic-2, topic2-2, topic2-0")));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, a);
    }
}

#[test]
fn subscription_not_equal_and_assign_same_partition_with_3_generation() {
    let orders = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]];
    for strategy in BOTH {
        for g in orders {
            let counts = topics(&[("topic", 6), ("topic1", 1)]);
            let subs = [
                v2("consumer1", &["topic"], &tps("topic-0, topic-2"), g[0]),
                v2("consumer2", &["topic"], &tps("topic-1, topic-2, topic-3"), g[1]),
                v2("consumer3", &["topic"], &tps("topic-2, topic-4, topic-5"), g[2]),
                v2("consumer4", &["topic1"], &tps("topic1-0"), 2),
            ];
            let a = run(strategy, &counts, &subs);
            let all: Vec<TopicPartition> = a.values().flatten().cloned().collect();
            assert_eq!(all.len(), set(&all).len(), "no partition twice");
            assert!(a.values().all(|l| (1..=2).contains(&l.len())), "{strategy}: {a:?}");
        }
    }
}

/// `StickyAssignorTest.testAssignmentWithMultipleGenerations1`, both subscription shapes.
#[test]
fn assignment_with_multiple_generations_1() {
    for equal in [true, false] {
        let all = ["topic", "topic2"];
        let c2_topics: &[&str] = if equal { &all } else { &["topic"] };
        let counts = topics(&[("topic", 6), ("topic2", 6)]);
        let mut subs = vec![sub("consumer1", &all), sub("consumer2", c2_topics), sub("consumer3", &all)];
        let r1 = run(Sticky, &counts, &subs);
        assert!(r1.values().all(|l| l.len() == 4));
        verify(Sticky, &counts, &subs, r1.clone());

        upsert(&mut subs, v2("consumer1", &all, &list(&r1, "consumer1"), GEN));
        upsert(&mut subs, v2("consumer2", c2_topics, &list(&r1, "consumer2"), GEN));
        remove(&mut subs, "consumer3");
        let r2 = run(Sticky, &counts, &subs);
        assert!(r2.values().all(|l| l.len() == 6));
        if equal {
            assert!(list(&r1, "consumer1").iter().all(|p| list(&r2, "consumer1").contains(p)));
        }
        assert!(list(&r1, "consumer2").iter().all(|p| list(&r2, "consumer2").contains(p)));
        assert!(list(&r1, "consumer3").iter().any(|p| list(&r2, "consumer2").contains(p)));
        verify(Sticky, &counts, &subs, r2.clone());

        // consumer3 comes back with its generation-1 partitions; consumer2 is at generation 2.
        remove(&mut subs, "consumer1");
        upsert(&mut subs, v2("consumer2", c2_topics, &list(&r2, "consumer2"), 2));
        upsert(&mut subs, v2("consumer3", &all, &list(&r1, "consumer3"), 1));
        let r3 = run(Sticky, &counts, &subs);
        assert!(r3.values().all(|l| l.len() == 6));
        assert!(set(&list(&r3, "consumer2")).is_disjoint(&set(&list(&r3, "consumer3"))));
        verify(Sticky, &counts, &subs, r3);
    }
}

/// `StickyAssignorTest.testAssignmentWithMultipleGenerations2`.
#[test]
fn assignment_with_multiple_generations_2() {
    for equal in [true, false] {
        let all = ["topic", "topic2", "topic3"];
        let c1_topics: &[&str] = if equal { &all } else { &["topic"] };
        let c3_topics: &[&str] = if equal { &all } else { &["topic", "topic2"] };
        let counts = topics(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
        let mut subs = vec![sub("consumer1", c1_topics), sub("consumer2", &all), sub("consumer3", c3_topics)];
        let r1 = run(Sticky, &counts, &subs);
        assert!(r1.values().all(|l| l.len() == 4));

        remove(&mut subs, "consumer1");
        upsert(&mut subs, v2("consumer2", &all, &list(&r1, "consumer2"), 1));
        remove(&mut subs, "consumer3");
        let r2 = run(Sticky, &counts, &subs);
        assert_eq!(list(&r2, "consumer2").len(), 12);
        assert!(list(&r1, "consumer2").iter().all(|p| list(&r2, "consumer2").contains(p)));

        upsert(&mut subs, v2("consumer1", c1_topics, &list(&r1, "consumer1"), 1));
        upsert(&mut subs, v2("consumer2", &all, &list(&r2, "consumer2"), 2));
        upsert(&mut subs, v2("consumer3", c3_topics, &list(&r1, "consumer3"), 1));
        let r3 = run(Sticky, &counts, &subs);
        assert!(r3.values().all(|l| l.len() == 4));
        verify(Sticky, &counts, &subs, r3);
    }
}

/// `StickyAssignorTest.testAssignmentWithConflictingPreviousGenerations`.
#[test]
fn assignment_with_conflicting_previous_generations() {
    for equal in [true, false] {
        let all = ["topic", "topic2", "topic3"];
        let c1_topics: &[&str] = if equal { &all } else { &["topic"] };
        let c2_topics: &[&str] = if equal { &all } else { &["topic", "topic2"] };
        let counts = topics(&[("topic", 4), ("topic2", 4), ("topic3", 4)]);
        let c1_owned = if equal {
            "topic-0, topic-1, topic-2, topic2-2, topic2-3, topic3-0"
        } else {
            "topic-0, topic-1, topic-2, topic-3"
        };
        let c2_owned = tps("topic-0, topic-1, topic2-0, topic2-1, topic2-2, topic2-3");
        let c3_owned = tps("topic-2, topic-3, topic3-0, topic3-1, topic3-2, topic3-3");
        let subs = [
            v2("consumer1", c1_topics, &tps(c1_owned), 1),
            v2("consumer2", c2_topics, &c2_owned, 2),
            v2("consumer3", &all, &c3_owned, 2),
        ];
        let a = run(Sticky, &counts, &subs);
        assert!(a.values().all(|l| l.len() == 4));
        assert!(list(&a, "consumer2").iter().all(|p| c2_owned.contains(p)));
        assert!(list(&a, "consumer3").iter().all(|p| c3_owned.contains(p)));
        verify(Sticky, &counts, &subs, a);
    }
}

/// `StickyAssignorTest.testSchemaBackwardCompatibility`: a member without a generation.
#[test]
fn schema_backward_compatibility() {
    let counts = topics(&[("topic", 3)]);
    let c1_owned = tps("topic-0, topic-2");
    let c2_owned = tps("topic-1");
    let subs = [
        v2("consumer1", &["topic"], &c1_owned, 1),
        sub("consumer2", &["topic"]).with_owned(c2_owned.clone(), None),
        sub("consumer3", &["topic"]),
    ];
    let a = run(Sticky, &counts, &subs);
    assert!(a.values().all(|l| l.len() == 1));
    assert!(list(&a, "consumer1").iter().all(|p| c1_owned.contains(p)));
    assert!(list(&a, "consumer2").iter().all(|p| c2_owned.contains(p)));
    verify(Sticky, &counts, &subs, a);
}

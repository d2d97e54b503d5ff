//! `AbstractStickyAssignorTest` cases with exact expectations.

use super::*;

#[test]
fn one_consumer_no_topic() {
    for strategy in BOTH {
        let subs = [sub("consumer", &[])];
        let a = run(strategy, &topics(&[]), &subs);
        assert_eq!(a.len(), 1);
        assert!(list(&a, "consumer").is_empty());
    }
}

#[test]
fn one_consumer_nonexistent_topic() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 0)]);
        let subs = [sub("consumer", &["topic"])];
        let a = run(strategy, &counts, &subs);
        assert!(list(&a, "consumer").is_empty());
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn one_consumer_one_topic() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3)]);
        let subs = [sub("consumer", &["topic"])];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer"), tps("topic-0, topic-1, topic-2"));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn only_assigns_partitions_from_subscribed_topics() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 2)]);
        let subs = [v2("consumer", &["topic"], &tps("topic-0, topic-1, other-0, other-1"), GEN)];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer"), tps("topic-0, topic-1"));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn one_consumer_multiple_topics() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 1), ("topic2", 2)]);
        let a = run(strategy, &counts, &[sub("consumer", &["topic1", "topic2"])]);
        assert_eq!(list(&a, "consumer"), tps("topic1-0, topic2-0, topic2-1"));
    }
}

#[test]
fn two_consumers_one_topic_one_partition() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 1)]);
        let subs = [sub("consumer1", &["topic"]), sub("consumer2", &["topic"])];
        let a = run(strategy, &counts, &subs);
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, a.clone());
        assert!(is_fully_balanced(&a));
    }
}

#[test]
fn two_consumers_one_topic_two_partitions() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 2)]);
        let subs = [sub("consumer1", &["topic"]), sub("consumer2", &["topic"])];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic-0"));
        assert_eq!(list(&a, "consumer2"), tps("topic-1"));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn multiple_consumers_mixed_topic_subscriptions() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 3), ("topic2", 2)]);
        let subs =
            [sub("consumer1", &["topic1"]), sub("consumer2", &["topic1", "topic2"]), sub("consumer3", &["topic1"])];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-2"));
        assert_eq!(list(&a, "consumer2"), tps("topic2-0, topic2-1"));
        assert_eq!(list(&a, "consumer3"), tps("topic1-1"));
        assert_eq!(transfers(strategy, &counts, &subs), None, "general path");
        verify(strategy, &counts, &subs, a);
    }
}

#[test]
fn two_consumers_two_topics_six_partitions() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 3), ("topic2", 3)]);
        let both = ["topic1", "topic2"];
        let a = run(strategy, &counts, &[sub("consumer1", &both), sub("consumer2", &both)]);
        assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-2, topic2-1"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-0, topic2-2"));
    }
}

#[test]
fn consumer_owning_min_quota_expected_max_quota() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 2), ("topic2", 3)]);
        let both = ["topic1", "topic2"];
        let subs = [
            v2("consumer1", &both, &tps("topic1-0, topic2-1"), GEN),
            v2("consumer2", &both, &tps("topic1-1, topic2-2"), GEN),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic2-1, topic2-0"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-2"));
        assert!(no_transfers(strategy, &counts, &subs));
        verify(strategy, &counts, &subs, a);
    }
}

#[test]
fn max_quota_consumer_more_than_num_expected_max_capacity_members() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 2), ("topic2", 2)]);
        let both = ["topic1", "topic2"];
        let subs = [
            v2("consumer1", &both, &tps("topic1-0, topic2-0"), GEN),
            v2("consumer2", &both, &tps("topic1-1, topic2-1"), GEN),
            v2("consumer3", &both, &[], GEN),
        ];
        // Java visits consumer2 before consumer1, so consumer2 keeps two partitions.
        let expected = transfer_map(&[("topic2-0", "consumer3")]);
        assert_eq!(transfers(strategy, &counts, &subs), Some(expected));
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-1"));
        assert_eq!(list(&a, "consumer3"), tps("topic2-0"));
    }
}

#[test]
fn all_consumers_are_under_min_quota() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 2), ("topic2", 3)]);
        let both = ["topic1", "topic2"];
        let subs = [
            v2("consumer1", &both, &tps("topic1-0"), GEN),
            v2("consumer2", &both, &tps("topic1-1"), GEN),
            v2("consumer3", &both, &[], GEN),
        ];
        assert!(no_transfers(strategy, &counts, &subs));
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic2-1"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-2"));
        assert_eq!(list(&a, "consumer3"), tps("topic2-0"));
    }
}

#[test]
fn add_remove_consumer_one_topic() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3)]);
        let mut subs = vec![sub("consumer1", &["topic"])];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic-0, topic-1, topic-2"));

        upsert(&mut subs, v2("consumer1", &["topic"], &list(&a, "consumer1"), GEN));
        upsert(&mut subs, v2("consumer2", &["topic"], &[], GEN));
        let expected = transfer_map(&[("topic-2", "consumer2")]);
        assert_eq!(transfers(strategy, &counts, &subs), Some(expected));
        let b = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert_eq!(list(&b, "consumer1"), tps("topic-0, topic-1"));
        assert_eq!(list(&b, "consumer2"), tps("topic-2"));

        remove(&mut subs, "consumer1");
        upsert(&mut subs, v2("consumer2", &["topic"], &list(&b, "consumer2"), GEN));
        let c = run(strategy, &counts, &subs);
        assert_eq!(set(&list(&c, "consumer2")), set(&tps("topic-0, topic-1, topic-2")));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn add_remove_two_consumers_two_topics() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 3), ("topic2", 4)]);
        let all = ["topic1", "topic2"];
        let mut subs = vec![sub("consumer1", &all), sub("consumer2", &all)];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic1-0, topic1-2, topic2-1, topic2-3"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1, topic2-0, topic2-2"));

        // Two members join.
        upsert(&mut subs, v2("consumer1", &all, &list(&a, "consumer1"), GEN));
        upsert(&mut subs, v2("consumer2", &all, &list(&a, "consumer2"), GEN));
        upsert(&mut subs, v2("consumer3", &all, &[], GEN));
        upsert(&mut subs, v2("consumer4", &all, &[], GEN));
        let expected = transfer_map(&[("topic1-2", "consumer3"), ("topic2-3", "consumer3"), ("topic2-2", "consumer4")]);
        assert_eq!(transfers(strategy, &counts, &subs), Some(expected));
        let b = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert_eq!(list(&b, "consumer1"), tps("topic1-0, topic2-1"));
        assert_eq!(list(&b, "consumer2"), tps("topic2-0, topic1-1"));
        assert_eq!(list(&b, "consumer3"), tps("topic1-2, topic2-3"));
        assert_eq!(list(&b, "consumer4"), tps("topic2-2"));

        // The first two leave.
        remove(&mut subs, "consumer1");
        remove(&mut subs, "consumer2");
        upsert(&mut subs, v2("consumer3", &all, &list(&b, "consumer3"), GEN));
        upsert(&mut subs, v2("consumer4", &all, &list(&b, "consumer4"), GEN));
        let c = run(strategy, &counts, &subs);
        assert_eq!(list(&c, "consumer3"), tps("topic1-2, topic2-3, topic1-0, topic2-1"));
        assert_eq!(list(&c, "consumer4"), tps("topic2-2, topic1-1, topic2-0"));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn all_consumers_reach_expected_quota_and_are_considered_filled() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 4)]);
        let subs = [
            v2("consumer1", &["topic"], &tps("topic-0, topic-1"), GEN),
            v2("consumer2", &["topic"], &tps("topic-2"), GEN),
            v2("consumer3", &["topic"], &[], GEN),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic-0, topic-1"));
        assert_eq!(list(&a, "consumer2"), tps("topic-2"));
        assert_eq!(list(&a, "consumer3"), tps("topic-3"));
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn partitions_transferring_ownership_include_the_partition_claimed_by_multiple_consumers() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3)]);
        let subs = [
            v2("consumer1", &["topic"], &tps("topic-0, topic-1"), GEN),
            v2("consumer2", &["topic"], &tps("topic-0, topic-2"), GEN),
            v2("consumer3", &["topic"], &[], GEN),
        ];
        let expected = transfer_map(&[("topic-0", "consumer3")]);
        assert_eq!(transfers(strategy, &counts, &subs), Some(expected));
        let a = verify(strategy, &counts, &subs, run(strategy, &counts, &subs));
        assert_eq!(list(&a, "consumer1"), tps("topic-1"));
        assert_eq!(list(&a, "consumer2"), tps("topic-2"));
        assert_eq!(list(&a, "consumer3"), tps("topic-0"));
    }
}

#[test]
fn same_generation_double_claim_is_invalidated_for_everyone() {
    // StickyAssignorTest / CooperativeStickyAssignorTest
    // "AllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGeneration…".
    let cases = [(3, "topic-1"), (4, "topic-1, topic-3")];
    for (partitions, consumer1_gets) in cases {
        let counts = topics(&[("topic", partitions)]);
        let subs = [
            v2("consumer1", &["topic"], &tps("topic-0, topic-1"), GEN),
            v2("consumer2", &["topic"], &tps("topic-0, topic-2"), GEN),
            v2("consumer3", &["topic"], &[], GEN),
        ];
        let eager = run(Sticky, &counts, &subs);
        assert_eq!(list(&eager, "consumer1"), tps(consumer1_gets));
        assert_eq!(list(&eager, "consumer2"), tps("topic-2"));
        assert_eq!(list(&eager, "consumer3"), tps("topic-0"));
        // Cooperative: topic-0 still counts as owned until both claimants revoked it.
        let cooperative = run(CooperativeSticky, &counts, &subs);
        assert_eq!(list(&cooperative, "consumer1"), tps(consumer1_gets));
        assert_eq!(list(&cooperative, "consumer2"), tps("topic-2"));
        assert!(list(&cooperative, "consumer3").is_empty());
        let last = verify(CooperativeSticky, &counts, &subs, cooperative);
        assert!(is_fully_balanced(&last));
    }
}

#[test]
fn assignor_with_old_version_subscriptions() {
    // Old protocol versions carry the generation differently; in kafkasim it is one field.
    for strategy in BOTH {
        let counts = topics(&[("topic1", 3)]);
        let subs = [
            v2("consumer1", &["topic1"], &tps("topic1-0"), GEN),
            v2("consumer2", &["topic1"], &tps("topic1-1"), GEN),
            v2("consumer3", &["topic1"], &[], GEN),
        ];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer1"), tps("topic1-0"));
        assert_eq!(list(&a, "consumer2"), tps("topic1-1"));
        assert_eq!(list(&a, "consumer3"), tps("topic1-2"));
    }
}

#[test]
fn assignment_updated_for_deleted_topic() {
    for strategy in BOTH {
        let counts = topics(&[("topic1", 1), ("topic3", 100)]);
        let subs = [sub("consumer", &["topic1", "topic2", "topic3"])];
        let a = run(strategy, &counts, &subs);
        assert_eq!(list(&a, "consumer").len(), 101);
        assert!(no_transfers(strategy, &counts, &subs));
    }
}

#[test]
fn no_exception_thrown_when_only_subscribed_topic_deleted() {
    for strategy in BOTH {
        let counts = topics(&[("topic", 3)]);
        let mut subs = vec![sub("consumer", &["topic"])];
        let a = run(strategy, &counts, &subs);
        upsert(&mut subs, v2("consumer", &["topic"], &list(&a, "consumer"), GEN));
        let b = run(strategy, &topics(&[]), &subs);
        assert_eq!(b.len(), 1);
        assert!(list(&b, "consumer").is_empty());
    }
}

#[test]
fn rack_test_uniform_subscription_without_racks() {
    // Kafka's rack test, cases where rack-aware logic is not used.
    let counts = topics(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all = ["t1", "t2", "t3"];
    let expected = ["t1-0, t1-3, t2-0, t2-3, t2-6", "t1-1, t1-4, t2-1, t2-4, t3-0", "t1-2, t1-5, t2-2, t2-5, t3-1"];
    for strategy in BOTH {
        let fresh: Vec<Subscription> = (0..3).map(|i| sub(&format!("consumer{i}"), &all)).collect();
        check_sorted(strategy, &counts, &fresh, &expected);
        // Owning exactly the expected partitions changes nothing.
        let owning: Vec<Subscription> =
            (0..3).map(|i| sub(&format!("consumer{i}"), &all).with_owned(tps(expected[i]), None)).collect();
        check_sorted(strategy, &counts, &owning, &expected);
    }
}

#[test]
fn rack_test_non_equal_subscription_without_racks() {
    let counts = topics(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let all: &[&str] = &["t1", "t2", "t3"];
    let member_topics = [all, all, &["t1", "t3"]];
    let members = |owned: &[&str]| -> Vec<Subscription> {
        (0..3)
            .map(|i| {
                let s = sub(&format!("consumer{i}"), member_topics[i]);
                s.with_owned(tps(owned.get(i).copied().unwrap_or("")), None)
            })
            .collect()
    };
    let expected = ["t1-5, t2-0, t2-2, t2-4, t2-6", "t1-3, t2-1, t2-3, t2-5, t3-0", "t1-0, t1-1, t1-2, t1-4, t3-1"];
    for strategy in BOTH {
        check_sorted(strategy, &counts, &members(&[]), &expected);
        check_sorted(strategy, &counts, &members(&expected), &expected);
    }
    // Misaligned ownership (consumer2 owns t2 partitions it no longer subscribes to).
    let owned = ["t1-0, t1-1, t1-2, t1-3, t1-4", "t1-5, t2-0, t2-1, t2-2, t2-3", "t2-4, t2-5, t2-6, t3-0, t3-1"];
    let intermediate = ["t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"];
    let last = ["t1-2, t1-3, t1-4, t2-4, t2-5", "t2-0, t2-1, t2-2, t2-3, t2-6", "t1-0, t1-1, t1-5, t3-0, t3-1"];
    check_sorted(CooperativeSticky, &counts, &members(&owned), &intermediate);
    check_sorted(CooperativeSticky, &counts, &members(&intermediate), &last);
}

/// Kafka's `verifyRackAssignment` comparison: each member's partitions as sorted strings.
fn check_sorted(strategy: Strategy, counts: &BTreeMap<TopicName, u32>, subs: &[Subscription], expected: &[&str]) {
    let a = run(strategy, counts, subs);
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(sorted_string(&list(&a, &format!("consumer{i}"))), *want, "{strategy} consumer{i}");
    }
}

#[test]
fn member_data_takes_owned_partitions_and_generation() {
    let s = v2("c", &["topic"], &tps("topic1-0, topic2-1"), GEN);
    for strategy in BOTH {
        let data = super::super::member_data(&s, flavor(strategy));
        assert_eq!(data.partitions, tps("topic1-0, topic2-1"));
        assert_eq!(data.generation, Some(GEN));
    }
    // The eager assignor's user data groups partitions per topic in Java hash order.
    let mixed = v2("c", &["a", "topic2"], &tps("a-1, topic2-0, a-0"), GEN);
    let data = super::super::member_data(&mixed, Flavor::Eager);
    assert_eq!(data.partitions, tps("topic2-0, a-1, a-0"));
}

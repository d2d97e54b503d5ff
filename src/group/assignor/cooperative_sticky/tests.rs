//! Cooperative-only behaviour: partitions that change owner are withheld for one round.
//! (`CooperativeStickyAssignorTest`; the shared sticky scenarios run for this assignor in
//! `sticky::tests`.)

use super::super::Strategy::{CooperativeSticky, Sticky};
use super::super::test_support::*;
use std::collections::BTreeMap;

#[test]
fn joining_member_waits_for_revocation() {
    // Reference example 6 (Kafka's testAddRemoveConsumerOneTopic, cooperative flavour).
    let counts = topics(&[("t", 3)]);
    let round1 = [owning("C1", &["t"], "t-0, t-1, t-2", 1), sub("C2", &["t"]).with_owned(vec![], Some(1))];
    let first = run_full(CooperativeSticky, &counts, &round1);
    assert_eq!(list(&first.assignment, "C1"), tps("t-0, t-1"));
    assert!(list(&first.assignment, "C2").is_empty());
    assert_eq!(first.pending_transfers, BTreeMap::from([(tp("t", 2), "C2".to_string())]));
    assert!(
        first
            .explanation
            .iter()
            .any(|l| l.contains("t-2 withheld this round") && l.contains("revoke first, then assign"))
    );
    assert!(first.explanation.iter().any(|l| l.starts_with("C1 revokes only [t-2]")));

    // C1 revoked t-2 and rejoined: the follow-up rebalance hands it to C2.
    let round2 = next_generation(&round1, &first.assignment, 2);
    let second = run_full(CooperativeSticky, &counts, &round2);
    assert_eq!(list(&second.assignment, "C1"), tps("t-0, t-1"));
    assert_eq!(list(&second.assignment, "C2"), tps("t-2"));
    assert!(second.pending_transfers.is_empty());
    assert!(second.explanation.iter().any(|l| l.contains("no follow-up rebalance")));
}

#[test]
fn eager_sticky_moves_immediately() {
    let counts = topics(&[("t", 3)]);
    let subs = [owning("C1", &["t"], "t-0, t-1, t-2", 1), sub("C2", &["t"]).with_owned(vec![], Some(1))];
    let result = run_full(Sticky, &counts, &subs);
    assert_eq!(list(&result.assignment, "C2"), tps("t-2"));
    assert!(result.pending_transfers.is_empty());
}

#[test]
fn newcomer_stays_idle_when_owners_keep_everything() {
    // Reference example 1: C3 joins {C1: [p0], C2: [p1]}.
    let counts = topics(&[("demo", 2)]);
    let subs = [owning("C1", &["demo"], "demo-0", 4), owning("C2", &["demo"], "demo-1", 4), sub("C3", &["demo"])];
    let result = run_full(CooperativeSticky, &counts, &subs);
    assert_eq!(list(&result.assignment, "C1"), tps("demo-0"));
    assert_eq!(list(&result.assignment, "C2"), tps("demo-1"));
    assert!(list(&result.assignment, "C3").is_empty());
    assert!(result.pending_transfers.is_empty());
}

#[test]
fn different_subscriptions_withhold_partitions_that_change_owner() {
    // General path: transfers are computed from owned vs assigned partitions.
    let counts = topics(&[("a", 4), ("b", 2)]);
    let subs =
        [owning("c1", &["a", "b"], "a-0, a-1, a-2, a-3, b-0, b-1", 3), sub("c2", &["a"]).with_owned(vec![], Some(3))];
    let result = run_full(CooperativeSticky, &counts, &subs);
    let eager = run(Sticky, &counts, &subs);
    for (tp, new_owner) in &result.pending_transfers {
        assert!(list(&eager, new_owner).contains(tp), "withheld {tp} is what sticky would move");
        assert!(!list(&result.assignment, new_owner).contains(tp));
    }
    assert!(!result.pending_transfers.is_empty());
    let (_, settled) = settle_cooperative(&counts, &subs, result.assignment, 3);
    assert_valid_and_balanced(&subs, &settled);
}

#[test]
fn owners_never_lose_partitions_they_keep() {
    // Whatever a member keeps, it keeps in the first round: only revocations change.
    let counts = topics(&[("t", 8)]);
    let subs = [
        owning("m1", &["t"], "t-0, t-1, t-2, t-3, t-4, t-5", 7),
        owning("m2", &["t"], "t-6, t-7", 7),
        sub("m3", &["t"]),
    ];
    let result = run_full(CooperativeSticky, &counts, &subs);
    for s in &subs {
        for tp in list(&result.assignment, &s.member_id) {
            let owned_by_someone_else =
                subs.iter().any(|o| o.member_id != s.member_id && o.owned_partitions.contains(&tp));
            assert!(!owned_by_someone_else, "{tp} handed over in the same round");
        }
    }
}

//! Scenarios from Kafka's `AbstractStickyAssignorTest` (run, as in Kafka, for both the
//! eager `sticky` and the `cooperative-sticky` assignor), `StickyAssignorTest` and the
//! sticky parts of the reference examples. Rack-only cases are left out.

mod generations;
mod properties;
mod scenarios;

use std::collections::BTreeMap;

use super::super::Strategy::{self, CooperativeSticky, Sticky};
use super::super::test_support::*;
use super::super::{Subscription, TopicName, TopicPartition, prepare};
use super::{Flavor, run as sticky_run};

/// Both assignors built on the shared sticky logic.
const BOTH: [Strategy; 2] = [Sticky, CooperativeSticky];
/// Kafka's tests rebuild subscriptions with this generation.
const GEN: i32 = 1;

fn flavor(strategy: Strategy) -> Flavor {
    if strategy == CooperativeSticky { Flavor::Cooperative } else { Flavor::Eager }
}

/// Java's `partitionsTransferringOwnership` after the shared logic ran: `None` on the
/// different-subscriptions path.
fn transfers(
    strategy: Strategy,
    counts: &BTreeMap<TopicName, u32>,
    subs: &[Subscription],
) -> Option<BTreeMap<TopicPartition, String>> {
    let (topics, members) = prepare(counts, subs)?;
    sticky_run(&topics, &members, flavor(strategy)).transferring
}

fn no_transfers(strategy: Strategy, counts: &BTreeMap<TopicName, u32>, subs: &[Subscription]) -> bool {
    transfers(strategy, counts, subs).is_some_and(|t| t.is_empty())
}

fn transfer_map(pairs: &[(&str, &str)]) -> BTreeMap<TopicPartition, String> {
    pairs.iter().map(|(tp, member)| (tps(tp)[0].clone(), member.to_string())).collect()
}

/// Kafka's `verifyValidityAndBalance`, including the cooperative follow-up rounds; returns
/// the final assignment (what Kafka's tests inspect afterwards).
fn verify(
    strategy: Strategy,
    counts: &BTreeMap<TopicName, u32>,
    subs: &[Subscription],
    first: Assignment,
) -> Assignment {
    if strategy == CooperativeSticky {
        let (settled_subs, last) = settle_cooperative(counts, subs, first, GEN);
        assert_valid_and_balanced(&settled_subs, &last);
        last
    } else {
        assert_valid_and_balanced(subs, &first);
        first
    }
}

/// Replaces a member's subscription in place or adds it at the end, like `Map.put` on the
/// test's `HashMap` (which keeps an updated key where it was).
fn upsert(subs: &mut Vec<Subscription>, subscription: Subscription) {
    match subs.iter_mut().find(|s| s.member_id == subscription.member_id) {
        Some(existing) => *existing = subscription,
        None => subs.push(subscription),
    }
}

fn remove(subs: &mut Vec<Subscription>, member: &str) {
    subs.retain(|s| s.member_id != member);
}

/// `buildSubscriptionV2Above(topics, owned, generation)`.
fn v2(member: &str, topics: &[&str], owned: &[TopicPartition], generation: i32) -> Subscription {
    sub(member, topics).with_owned(owned.to_vec(), Some(generation))
}

fn names(topics: &[String]) -> Vec<&str> {
    topics.iter().map(String::as_str).collect()
}

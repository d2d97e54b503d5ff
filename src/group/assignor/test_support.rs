//! Helpers shared by the assignor tests: builders for Kafka's test fixtures and the
//! validity/balance checks Kafka's `AbstractStickyAssignorTest` applies.

use std::collections::{BTreeMap, BTreeSet};

use super::{AssignmentResult, Strategy, Subscription, TopicName, TopicPartition, assign};

pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

pub fn tp(topic: &str, partition: u32) -> TopicPartition {
    TopicPartition::new(topic, partition)
}

/// Partitions written Kafka-style: `tps("t1-0, t2-3")`.
pub fn tps(list: &str) -> Vec<TopicPartition> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (topic, partition) = s.rsplit_once('-').expect("topic-partition");
            tp(topic, partition.parse().expect("partition number"))
        })
        .collect()
}

pub fn topics(counts: &[(&str, u32)]) -> BTreeMap<TopicName, u32> {
    counts.iter().map(|(t, n)| (t.to_string(), *n)).collect()
}

pub fn sub(member: &str, topics: &[&str]) -> Subscription {
    Subscription::new(member, topics.iter().copied())
}

/// A member that owned `owned` in `generation`.
pub fn owning(member: &str, topics: &[&str], owned: &str, generation: i32) -> Subscription {
    sub(member, topics).with_owned(tps(owned), Some(generation))
}

pub fn run(strategy: Strategy, counts: &BTreeMap<TopicName, u32>, subs: &[Subscription]) -> Assignment {
    assign(strategy, counts, subs).assignment
}

pub fn run_full(strategy: Strategy, counts: &BTreeMap<TopicName, u32>, subs: &[Subscription]) -> AssignmentResult {
    assign(strategy, counts, subs)
}

pub fn list(assignment: &Assignment, member: &str) -> Vec<TopicPartition> {
    assignment.get(member).cloned().unwrap_or_else(|| panic!("{member} missing from {assignment:?}"))
}

pub fn set(partitions: &[TopicPartition]) -> BTreeSet<TopicPartition> {
    partitions.iter().cloned().collect()
}

/// Kafka's `toSortedString`: partition names sorted as strings, comma separated.
pub fn sorted_string(partitions: &[TopicPartition]) -> String {
    let mut names: Vec<String> = partitions.iter().map(ToString::to_string).collect();
    names.sort();
    names.join(", ")
}

/// Feeds an assignment back as every member's owned partitions (the next generation).
pub fn next_generation(subs: &[Subscription], assignment: &Assignment, generation: i32) -> Vec<Subscription> {
    subs.iter()
        .map(|s| {
            let owned = assignment.get(&s.member_id).cloned().unwrap_or_default();
            s.clone().with_owned(owned, Some(generation))
        })
        .collect()
}

pub fn is_fully_balanced(assignment: &Assignment) -> bool {
    let sizes = assignment.values().map(Vec::len);
    match (sizes.clone().min(), sizes.max()) {
        (Some(min), Some(max)) => max - min <= 1,
        _ => true,
    }
}

/// Kafka's `verifyValidityAndBalance`: members only get subscribed topics, no partition is
/// given twice, and two members differing by 2+ partitions share no topic.
pub fn assert_valid_and_balanced(subs: &[Subscription], assignment: &Assignment) {
    assert_eq!(subs.len(), assignment.len(), "every member appears");
    let by_member: BTreeMap<&str, &Subscription> = subs.iter().map(|s| (s.member_id.as_str(), s)).collect();
    for (member, partitions) in assignment {
        let subscription = by_member[member.as_str()];
        for p in partitions {
            assert!(
                subscription.topics.contains(&p.topic),
                "{p} given to {member}, which is not subscribed: {assignment:?}"
            );
        }
    }
    let members: Vec<(&String, &Vec<TopicPartition>)> = assignment.iter().collect();
    for (i, (a, a_parts)) in members.iter().enumerate() {
        for (b, b_parts) in &members[i + 1..] {
            let shared: Vec<_> = a_parts.iter().filter(|p| b_parts.contains(p)).collect();
            assert!(shared.is_empty(), "{a} and {b} share {shared:?}");
            if a_parts.len().abs_diff(b_parts.len()) <= 1 {
                continue;
            }
            let a_topics: BTreeSet<&TopicName> = a_parts.iter().map(|p| &p.topic).collect();
            let b_topics: BTreeSet<&TopicName> = b_parts.iter().map(|p| &p.topic).collect();
            assert!(
                a_topics.is_disjoint(&b_topics),
                "{a} ({}) and {b} ({}) could be balanced better: {assignment:?}",
                a_parts.len(),
                b_parts.len()
            );
        }
    }
}

/// Kafka's cooperative `verifyValidityAndBalance`: while partitions are being revoked,
/// feed the result back (same generation, as Kafka's test does) and rebalance again; a
/// partition must never be revoked and handed out in the same round.
pub fn settle_cooperative(
    counts: &BTreeMap<TopicName, u32>,
    subs: &[Subscription],
    first: Assignment,
    generation: i32,
) -> (Vec<Subscription>, Assignment) {
    let mut subs = subs.to_vec();
    let mut current = first;
    for _ in 0..=4 {
        if !revokes_without_reassigning(&subs, &current) {
            return (subs, current);
        }
        subs = next_generation(&subs, &current, generation);
        current = run(Strategy::CooperativeSticky, counts, &subs);
    }
    panic!("cooperative rebalancing did not settle within 4 follow-ups: {current:?}");
}

/// True when some owned partition is revoked; panics if one is also handed out.
fn revokes_without_reassigning(subs: &[Subscription], assignment: &Assignment) -> bool {
    let mut added = BTreeSet::new();
    let mut revoked = BTreeSet::new();
    for s in subs {
        let assigned = assignment.get(&s.member_id).cloned().unwrap_or_default();
        revoked.extend(s.owned_partitions.iter().filter(|p| !assigned.contains(p)).cloned());
        added.extend(assigned.into_iter().filter(|p| !s.owned_partitions.contains(p)));
    }
    let both: Vec<_> = added.intersection(&revoked).collect();
    assert!(both.is_empty(), "revoked and reassigned in one round: {both:?}");
    !revoked.is_empty()
}

/// The assignment after cooperative follow-ups, or as is for eager assignors.
pub fn settled(
    strategy: Strategy,
    counts: &BTreeMap<TopicName, u32>,
    subs: &[Subscription],
    generation: i32,
) -> (Vec<Subscription>, Assignment) {
    let first = run(strategy, counts, subs);
    if strategy == Strategy::CooperativeSticky {
        settle_cooperative(counts, subs, first, generation)
    } else {
        (subs.to_vec(), first)
    }
}

/// `"c" + zero-padded i` as Kafka's `getConsumerName(i, max)`.
pub fn padded(prefix: &str, i: usize, max: usize) -> String {
    let width = max.to_string().len();
    format!("{prefix}{i:0width$}")
}

/// A small deterministic generator for property tests (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

//! The logic shared by `sticky` and `cooperative-sticky` (Kafka's `AbstractStickyAssignor`).
//!
//! Goals, in priority order: (1) balance — partition counts differ by at most one where
//! subscriptions allow it; (2) stickiness — a partition stays with its previous owner
//! whenever balance permits.
//!
//! Previous ownership comes from each member's `owned_partitions` and `generation`.
//! Before anything else, conflicting claims are settled: when two members claim one
//! partition, the claim from the newer generation wins, and two claims from the *same*
//! generation cancel each other (neither keeps it). Claims on topics no longer in play are
//! dropped.
//!
//! Then one of two paths runs:
//! - every member subscribes to the same topics → [`constrained`]: a quota algorithm
//!   (`minQuota = ⌊P/C⌋`, `maxQuota = ⌈P/C⌉`) that keeps owned partitions up to the quota and
//!   deals out the rest;
//! - otherwise → [`general`]: assign to the least-loaded eligible member, then move
//!   partitions until no move can improve balance.
//!
//! Where Kafka walks Java `HashMap`s (member ids, topics of the eager assignor's user data,
//! partition sets in the general path) we reproduce Java's iteration order with
//! [`super::java_hash_map`], so results match the Java client exactly.
//!
//! Simplifications:
//! - Java keeps the highest generation it has ever seen in the assignor object across
//!   rebalances; we use the highest generation in this call (the same unless every member
//!   rejoined with an older generation than the leader saw before).
//! - The eager `sticky` assignor's user data and the subscription's own generation field are
//!   one field here (`Subscription::generation`); they agree in a well-behaved client.
//! - Owned partitions whose number is beyond the topic's current partition count are
//!   ignored (Kafka cannot shrink a topic, so Java never sees them).
//! - Where Java would throw (only reachable with inconsistent input), we skip the step.
//! - Rack-aware assignment (`client.rack`) is not modelled.

mod constrained;
mod general;
mod movements;

use std::collections::{BTreeMap, BTreeSet};

use super::java_hash_map::{JavaHashOrder, java_hash_order};
use super::{
    AssignmentResult, Subscription, TopicName, TopicPartition, member_order, members_in_map_order, show_partitions,
};

/// Java's `DEFAULT_GENERATION`: a member that never completed a rebalance.
const NO_GENERATION: i32 = -1;

/// Which assignor reads the subscriptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `StickyAssignor`: previous partitions travel in user data, grouped by topic.
    Eager,
    /// `CooperativeStickyAssignor`: previous partitions are the `ownedPartitions` field.
    Cooperative,
}

/// The shared sticky logic's answer, before any cooperative adjustment.
pub(crate) struct StickyRun {
    pub assignment: BTreeMap<String, Vec<TopicPartition>>,
    /// Constrained path only: partitions handed to a member other than the one that held
    /// them (Java's `partitionsTransferringOwnership`). `None` on the general path.
    pub transferring: Option<BTreeMap<TopicPartition, String>>,
    /// Which path ran and how conflicting claims were settled.
    pub notes: Vec<String>,
    /// Each partition's previous owner, after conflicting claims were settled.
    pub previous_owner: BTreeMap<TopicPartition, String>,
}

/// `sticky`: the eager assignor returns the shared result unchanged.
pub(crate) fn assign_eager(topics: &BTreeMap<TopicName, u32>, members: &[Subscription]) -> AssignmentResult {
    let run = run(topics, members, Flavor::Eager);
    let mut explanation = run.notes;
    explanation.extend(describe_moves(members, &run.previous_owner, &run.assignment));
    explanation.push(
        "Eager protocol: every member released all its partitions before rejoining; \
         the ones it kept are handed straight back."
            .to_string(),
    );
    AssignmentResult { assignment: run.assignment, explanation, ..AssignmentResult::default() }
}

/// Runs `AbstractStickyAssignor.assign` for the given flavour.
pub(crate) fn run(topics: &BTreeMap<TopicName, u32>, members: &[Subscription], flavor: Flavor) -> StickyRun {
    let ordered = members_in_map_order(members);
    let claims = Claims::settle(topics, &ordered, flavor);
    let (assignment, transferring, mut notes) = if claims.all_equal {
        let outcome = constrained::build(topics, &claims);
        (outcome.assignment, Some(outcome.transferring), outcome.notes)
    } else {
        let assignment = general::build(topics, &ordered, &claims, flavor);
        (assignment, None, vec![general::NOTE.to_string()])
    };
    notes.extend(claims.notes.iter().cloned());
    let previous_owner = claims
        .owned
        .iter()
        .flat_map(|(member, owned)| owned.iter().map(move |tp| (tp.clone(), member.clone())))
        .collect();
    StickyRun { assignment, transferring, notes, previous_owner }
}

/// What one member says it owned (Java's `MemberData`).
pub(crate) struct MemberData {
    pub partitions: Vec<TopicPartition>,
    pub generation: Option<i32>,
}

pub(crate) fn member_data(member: &Subscription, flavor: Flavor) -> MemberData {
    // A negative generation is Java's "absent".
    let generation = member.generation.filter(|g| *g >= 0);
    let partitions = match flavor {
        Flavor::Cooperative => member.owned_partitions.clone(),
        Flavor::Eager => grouped_by_topic(&member.owned_partitions),
    };
    MemberData { partitions, generation }
}

/// The eager assignor serialises its partitions grouped per topic through a Java
/// `HashMap` filled with `computeIfAbsent`, which reorders the topics (partitions keep
/// their order within a topic).
fn grouped_by_topic(partitions: &[TopicPartition]) -> Vec<TopicPartition> {
    let mut topics = JavaHashOrder::new();
    for p in partitions {
        topics.insert_if_absent(p.topic.clone());
    }
    topics.iter().flat_map(|topic| partitions.iter().filter(move |p| &p.topic == topic)).cloned().collect()
}

/// Previous ownership after generation checks (Java's `allSubscriptionsEqual`).
pub(crate) struct Claims {
    pub all_equal: bool,
    /// Each member's still-valid owned partitions, in the iteration order of Java's
    /// `consumerToOwnedPartitions` map.
    pub owned: Vec<(String, Vec<TopicPartition>)>,
    /// Partitions claimed twice in one generation: nobody keeps them.
    pub multiply_claimed: BTreeSet<TopicPartition>,
    pub max_generation: i32,
    pub notes: Vec<String>,
}

impl Claims {
    fn settle(topics: &BTreeMap<TopicName, u32>, ordered: &[&Subscription], flavor: Flavor) -> Self {
        let mut settler = ClaimSettler {
            owned: vec![Vec::new(); ordered.len()],
            holder: BTreeMap::new(),
            multiply_claimed: BTreeSet::new(),
            notes: Vec::new(),
        };
        let mut first_topics: Vec<&TopicName> = Vec::new();
        let mut all_equal = true;
        let mut max_generation = NO_GENERATION;
        for (index, member) in ordered.iter().enumerate() {
            // Java seeds the comparison set from the first member with a non-empty list.
            if first_topics.is_empty() {
                first_topics = dedup(&member.topics);
            } else if all_equal
                && !(member.topics.len() == first_topics.len()
                    && member.topics.iter().all(|t| first_topics.contains(&t)))
            {
                all_equal = false;
            }
            let data = member_data(member, flavor);
            let generation = data.generation.unwrap_or(NO_GENERATION);
            max_generation = max_generation.max(generation);
            for tp in data.partitions.iter().filter(|tp| in_play(topics, tp)) {
                settler.claim(ordered, index, generation, tp);
            }
        }
        let ids: Vec<String> = ordered.iter().map(|m| m.member_id.clone()).collect();
        let owned = java_hash_order(&ids)
            .into_iter()
            .map(|id| {
                let index = ids.iter().position(|m| *m == id).unwrap_or_default();
                (id, std::mem::take(&mut settler.owned[index]))
            })
            .collect();
        Claims { all_equal, owned, multiply_claimed: settler.multiply_claimed, max_generation, notes: settler.notes }
    }
}

struct ClaimSettler {
    owned: Vec<Vec<TopicPartition>>,
    /// Who currently holds each claimed partition (by index into the ordered members).
    holder: BTreeMap<TopicPartition, usize>,
    multiply_claimed: BTreeSet<TopicPartition>,
    notes: Vec<String>,
}

impl ClaimSettler {
    fn claim(&mut self, ordered: &[&Subscription], index: usize, generation: i32, tp: &TopicPartition) {
        let Some(&other) = self.holder.get(tp) else {
            self.owned[index].push(tp.clone());
            self.holder.insert(tp.clone(), index);
            return;
        };
        // Java compares against the other subscription's own generation field.
        let other_generation = ordered[other].generation.filter(|g| *g >= 0).unwrap_or(NO_GENERATION);
        let (me, them) = (&ordered[index].member_id, &ordered[other].member_id);
        if generation == other_generation {
            remove_first(&mut self.owned[other], tp);
            self.multiply_claimed.insert(tp.clone());
            self.holder.insert(tp.clone(), index);
            self.notes.push(format!(
                "{tp} was claimed by both {them} and {me} in generation {generation}: \
                 neither keeps it."
            ));
        } else if generation > other_generation {
            self.owned[index].push(tp.clone());
            remove_first(&mut self.owned[other], tp);
            self.holder.insert(tp.clone(), index);
            self.notes.push(format!(
                "{tp}: {me}'s claim (generation {generation}) beats {them}'s older one \
                 (generation {other_generation})."
            ));
        } else {
            self.notes.push(format!(
                "{tp}: {me}'s claim (generation {generation}) loses to {them}'s newer one \
                 (generation {other_generation})."
            ));
        }
    }
}

fn in_play(topics: &BTreeMap<TopicName, u32>, tp: &TopicPartition) -> bool {
    topics.get(&tp.topic).is_some_and(|count| tp.partition < *count)
}

fn dedup(items: &[TopicName]) -> Vec<&TopicName> {
    let mut seen: Vec<&TopicName> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// Java's `List.remove(Object)`: drops the first equal element.
pub(crate) fn remove_first(list: &mut Vec<TopicPartition>, tp: &TopicPartition) {
    if let Some(position) = list.iter().position(|p| p == tp) {
        list.remove(position);
    }
}

/// "kept", "moved" and "gets unowned" lines, members in group order.
pub(crate) fn describe_moves(
    members: &[Subscription],
    previous: &BTreeMap<TopicPartition, String>,
    assignment: &BTreeMap<String, Vec<TopicPartition>>,
) -> Vec<String> {
    let mut sorted: Vec<&Subscription> = members.iter().collect();
    sorted.sort_by(|a, b| member_order(a, b));
    let mut lines = Vec::new();
    for member in sorted {
        let id = &member.member_id;
        let got = assignment.get(id).map(Vec::as_slice).unwrap_or_default();
        let kept: Vec<TopicPartition> = got.iter().filter(|tp| previous.get(*tp) == Some(id)).cloned().collect();
        let fresh: Vec<TopicPartition> = got.iter().filter(|tp| !previous.contains_key(*tp)).cloned().collect();
        if !kept.is_empty() {
            lines.push(format!("{id} kept {}", show_partitions(&kept)));
        }
        for tp in got.iter().filter(|tp| previous.get(*tp).is_some_and(|owner| owner != id)) {
            lines.push(format!("{tp} moved {} → {id}", previous[tp]));
        }
        if !fresh.is_empty() {
            lines.push(format!("{id} gets unowned {}", show_partitions(&fresh)));
        }
    }
    lines
}

#[cfg(test)]
mod tests;

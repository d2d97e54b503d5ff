//! `cooperative-sticky` (Kafka's `CooperativeStickyAssignor`, KIP-429).
//!
//! Computes the same target as the sticky assignor (see [`super::sticky`]), then applies
//! the cooperative rule: a partition may not go straight from one member to another in a
//! single rebalance, because its old owner is still consuming it. Such partitions are
//! left out of this round's assignment. Each member then revokes only `owned − assigned`
//! and, if it revoked anything, rejoins at once; in that follow-up rebalance the freed
//! partitions are unowned and go to their new member. Members never stop consuming the
//! partitions they keep.
//!
//! Which partitions are held back: on the same-subscriptions path, those the quota
//! algorithm took from one member and gave to another (or that two members claimed in the
//! same generation); on the different-subscriptions path, every partition assigned to a
//! member that does not own it while some member owns it now and loses it.
//!
//! Simplification: none beyond those listed in [`super::sticky`].

use std::collections::{BTreeMap, BTreeSet};

use super::sticky::{self, Flavor, remove_first};
use super::{AssignmentResult, Subscription, TopicName, TopicPartition, show_partitions};

pub(crate) fn assign(topics: &BTreeMap<TopicName, u32>, members: &[Subscription]) -> AssignmentResult {
    let run = sticky::run(topics, members, Flavor::Cooperative);
    let mut assignment = run.assignment;
    let pending = match run.transferring {
        Some(transferring) => transferring,
        None => changing_owner(members, &assignment),
    };
    for (tp, new_owner) in &pending {
        if let Some(list) = assignment.get_mut(new_owner) {
            remove_first(list, tp);
        }
    }
    let mut explanation = run.notes;
    explanation.extend(sticky::describe_moves(members, &run.previous_owner, &assignment));
    explanation.extend(describe_pending(members, &pending));
    explanation.extend(describe_revocations(members, &assignment));
    AssignmentResult { assignment, pending_transfers: pending, explanation }
}

/// Partitions given to a non-owner while some member owns and loses them.
fn changing_owner(
    members: &[Subscription],
    assignment: &BTreeMap<String, Vec<TopicPartition>>,
) -> BTreeMap<TopicPartition, String> {
    let mut added = BTreeMap::new();
    let mut revoked = BTreeSet::new();
    for member in members {
        let assigned = assignment.get(&member.member_id).map(Vec::as_slice).unwrap_or_default();
        let owned = &member.owned_partitions;
        for tp in assigned.iter().filter(|tp| !owned.contains(tp)) {
            added.insert(tp.clone(), member.member_id.clone());
        }
        revoked.extend(owned.iter().filter(|tp| !assigned.contains(tp)).cloned());
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}

fn describe_pending(members: &[Subscription], pending: &BTreeMap<TopicPartition, String>) -> Vec<String> {
    pending
        .iter()
        .map(|(tp, new_owner)| {
            let owners: Vec<&str> = members
                .iter()
                .filter(|m| m.owned_partitions.contains(tp) && m.member_id != *new_owner)
                .map(|m| m.member_id.as_str())
                .collect();
            let who = match owners.as_slice() {
                [] => "its previous owner".to_string(),
                [one] => (*one).to_string(),
                many => many.join(" and "),
            };
            format!(
                "{tp} withheld this round: {who} must revoke it first, then {new_owner} gets it \
                 in the follow-up rebalance (revoke first, then assign)."
            )
        })
        .collect()
}

fn describe_revocations(members: &[Subscription], assignment: &BTreeMap<String, Vec<TopicPartition>>) -> Vec<String> {
    let mut lines = Vec::new();
    for member in members {
        let assigned = assignment.get(&member.member_id).map(Vec::as_slice).unwrap_or_default();
        let lost: Vec<TopicPartition> =
            member.owned_partitions.iter().filter(|tp| !assigned.contains(tp)).cloned().collect();
        if !lost.is_empty() {
            lines.push(format!(
                "{} revokes only {} (keeps consuming the rest) and rejoins for a follow-up rebalance.",
                member.member_id,
                show_partitions(&lost)
            ));
        }
    }
    if lines.is_empty() {
        lines.push("No member loses a partition: no follow-up rebalance is needed.".to_string());
    }
    lines
}

#[cfg(test)]
mod tests;

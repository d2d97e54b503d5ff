//! `range` (Kafka's `RangeAssignor`, the default assignor).
//!
//! Works one topic at a time: the topic's members are sorted (static members by
//! `group.instance.id` first, then dynamic members by member id), the partitions are cut
//! into contiguous ranges of `P / C`, and the first `P % C` members get one extra. Every
//! topic starts again at the first member, so with many topics the first members carry
//! more; in exchange, topics with equal partition counts are co-partitioned (partition `i`
//! of each goes to the same member).
//!
//! A member's list concatenates its ranges topic by topic, in the order Java iterates the
//! `HashMap` of topics the client builds (see [`super::java_hash_map`]); for short names
//! such as `topic1`, `topic2` that is alphabetical, but not in general.
//!
//! Simplification: the rack-aware variant (Kafka 3.5+, used only when consumers set
//! `client.rack`) is not modelled.

use std::collections::BTreeMap;

use super::java_hash_map::JavaHashOrder;
use super::{
    AssignmentResult, Subscription, TopicName, TopicPartition, empty_assignment, member_order, members_in_map_order,
    show_partitions,
};

pub(crate) fn assign(topics: &BTreeMap<TopicName, u32>, members: &[Subscription]) -> AssignmentResult {
    let mut assignment = empty_assignment(members);
    let mut explanation = vec![
        "range: each topic is split on its own; members sorted by id (static members by \
         group.instance.id, first), partitions in numeric order."
            .to_string(),
    ];
    let ordered = members_in_map_order(members);
    for topic in topic_order(topics, &ordered) {
        let count = topics[&topic];
        let consumers = sorted_consumers(&topic, &ordered);
        let plan = split(count, consumers.len());
        let mut next = 0;
        let mut shares = Vec::new();
        for (member, share) in consumers.iter().zip(&plan) {
            let range: Vec<TopicPartition> =
                (next..next + share).map(|p| TopicPartition::new(topic.clone(), p)).collect();
            next += share;
            shares.push(format!("{} {}", member.member_id, show_partitions(&range)));
            if let Some(list) = assignment.get_mut(&member.member_id) {
                list.extend(range);
            }
        }
        explanation.push(describe_topic(&topic, count, consumers.len(), &shares));
    }
    AssignmentResult { assignment, explanation, ..AssignmentResult::default() }
}

/// How many partitions each of `members` sorted members gets.
fn split(partitions: u32, members: usize) -> Vec<u32> {
    let Ok(members) = u32::try_from(members) else {
        return Vec::new();
    };
    if members == 0 {
        return Vec::new();
    }
    let (each, extra) = (partitions / members, partitions % members);
    (0..members).map(|i| each + u32::from(i < extra)).collect()
}

fn describe_topic(topic: &str, count: u32, members: usize, shares: &[String]) -> String {
    let members_u32 = u32::try_from(members).unwrap_or(u32::MAX).max(1);
    let (each, extra) = (count / members_u32, count % members_u32);
    let extra_note = match extra {
        0 => "no remainder".to_string(),
        1 => "the first member gets one extra".to_string(),
        n => format!("the first {n} members get one extra"),
    };
    format!("topic {topic}: {count} partitions / {members} members = {each} each, {extra_note}: {}", shares.join(", "))
}

/// Members subscribed to `topic`, in `MemberInfo` order. Java builds the list while walking
/// the subscription map and then sorts it stably, so ties keep that walk order.
fn sorted_consumers<'a>(topic: &str, ordered: &[&'a Subscription]) -> Vec<&'a Subscription> {
    let mut consumers: Vec<&Subscription> =
        ordered.iter().copied().filter(|m| m.topics.iter().any(|t| t == topic)).collect();
    consumers.sort_by(|a, b| member_order(a, b));
    consumers
}

/// The order of Java's `partitionsPerTopic` map: topics are first collected into a
/// `HashSet` while walking the members, then copied into a `HashMap`.
fn topic_order(topics: &BTreeMap<TopicName, u32>, ordered: &[&Subscription]) -> Vec<TopicName> {
    let mut subscribed = JavaHashOrder::new();
    for member in ordered {
        for topic in &member.topics {
            subscribed.insert(topic.clone());
        }
    }
    let with_metadata = subscribed.iter().filter(|topic| topics.contains_key(*topic)).cloned();
    JavaHashOrder::from_keys(with_metadata).iter().cloned().collect()
}

#[cfg(test)]
mod tests;

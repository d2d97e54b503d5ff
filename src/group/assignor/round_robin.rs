//! `roundrobin` (Kafka's `RoundRobinAssignor`).
//!
//! All partitions of all subscribed topics are laid out sorted by topic name, then
//! partition number, and dealt one at a time to the members in a circle (members sorted:
//! static members by `group.instance.id` first, then dynamic members by member id). A
//! member not subscribed to a partition's topic is skipped for that partition; the deal
//! continues after whoever took it. With identical subscriptions counts differ by at most
//! one; with different subscriptions the result can be unbalanced.
//!
//! Nothing here depends on Java hash order, so this is an exact port.

use std::collections::BTreeMap;

use super::{
    AssignmentResult, Subscription, TopicName, TopicPartition, empty_assignment, member_order, members_in_map_order,
    topics_in_java_order,
};

pub(crate) fn assign(topics: &BTreeMap<TopicName, u32>, members: &[Subscription]) -> AssignmentResult {
    let mut assignment = empty_assignment(members);
    let mut circle = members_in_map_order(members);
    circle.sort_by(|a, b| member_order(a, b));
    let mut skipped = 0usize;
    let mut seat = 0usize;
    let partitions = all_partitions_sorted(topics);
    for partition in &partitions {
        // Some member subscribes to every topic in `topics`, so this loop ends.
        while !circle[seat].topics.contains(&partition.topic) {
            seat = (seat + 1) % circle.len();
            skipped += 1;
        }
        if let Some(list) = assignment.get_mut(&circle[seat].member_id) {
            list.push(partition.clone());
        }
        seat = (seat + 1) % circle.len();
    }
    let order: Vec<&str> = circle.iter().map(|m| m.member_id.as_str()).collect();
    let mut explanation = vec![format!(
        "roundrobin: {} partitions sorted by topic then number, dealt in turn to {}.",
        partitions.len(),
        order.join(" → ")
    )];
    if skipped > 0 {
        let times = if skipped == 1 { "once" } else { "several times" };
        explanation.push(format!(
            "A member not subscribed to a partition's topic is skipped ({times} here), \
             so counts can differ by more than one."
        ));
    }
    AssignmentResult { assignment, explanation, ..AssignmentResult::default() }
}

fn all_partitions_sorted(topics: &BTreeMap<TopicName, u32>) -> Vec<TopicPartition> {
    topics_in_java_order(topics)
        .into_iter()
        .flat_map(|(topic, count)| (0..count).map(|p| TopicPartition::new(topic.clone(), p)))
        .collect()
}

#[cfg(test)]
mod tests;

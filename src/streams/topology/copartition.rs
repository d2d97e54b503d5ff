//! Co-partitioning, as the group leader's `StreamsPartitionAssignor` checks
//! it during a rebalance (`CopartitionedTopicsEnforcer`), not when the
//! topology is built: the inputs of a join must have the same number of
//! partitions, or records with equal keys would land in different tasks and
//! never meet.
//!
//! For each co-partition group: the user topics (not repartition topics)
//! must agree, else `TopologyException: Invalid topology: <log prefix>Topics
//! not co-partitioned: [{a=3, b=2}]` (a `TreeMap`, so sorted by topic); the
//! group's repartition topics then take that count. A group of repartition
//! topics only takes the largest of their counts.
//!
//! Simplification: a repartition topic's own count (before the group decides)
//! is the largest partition count of its sub-topology's source topics, as
//! `RepartitionTopics` computes when `Repartitioned` sets none.

use std::collections::BTreeMap;

use super::{NodeKind, Topology};

/// Partition counts of every topic the application uses: user topics from
/// the cluster, repartition topics as the assignor sizes them.
pub fn partition_counts(
    topology: &Topology,
    user_topic_partitions: &dyn Fn(&str) -> Option<u32>,
    log_prefix: &str,
) -> Result<BTreeMap<String, u32>, String> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for sub in &topology.subtopologies {
        for topic in &sub.source_topics {
            if topology.is_repartition_topic(topic) {
                continue;
            }
            let n = user_topic_partitions(topic).ok_or_else(|| format!("{log_prefix}Topic not found: {topic}"))?;
            counts.insert(topic.clone(), n);
        }
    }
    // A repartition topic gets the most partitions of the sources upstream of
    // its sink; sub-topologies are numbered upstream first, and a pass per
    // repartition topic settles chains of them.
    for _ in 0..=topology.repartition_topics.len() {
        for topic in &topology.repartition_topics {
            let writer =
                topology.nodes.iter().find(|n| matches!(&n.kind, NodeKind::Sink { topic: t, .. } if t == topic));
            let Some(writer) = writer else { continue };
            let Some(sub) = topology.subtopologies.iter().find(|s| s.id == writer.subtopology) else { continue };
            let upstream = sub.source_topics.iter().filter_map(|t| counts.get(t)).copied().max();
            if let Some(n) = upstream {
                counts.insert(topic.clone(), n);
            }
        }
    }
    for group in &topology.copartition_groups {
        let users: BTreeMap<&str, u32> = group
            .iter()
            .filter(|t| !topology.is_repartition_topic(t))
            .filter_map(|t| counts.get(t).map(|&n| (t.as_str(), n)))
            .collect();
        let decided = if users.is_empty() {
            group.iter().filter_map(|t| counts.get(t)).copied().max()
        } else {
            let first = *users.values().next().expect("non-empty");
            if users.values().any(|&n| n != first) {
                let listed: Vec<String> = users.iter().map(|(t, n)| format!("{t}={n}")).collect();
                return Err(format!(
                    "Invalid topology: {log_prefix}Topics not co-partitioned: [{{{}}}]",
                    listed.join(", ")
                ));
            }
            Some(first)
        };
        if let Some(n) = decided {
            for t in group.iter().filter(|t| topology.is_repartition_topic(t)) {
                counts.insert(t.clone(), n);
            }
        }
    }
    Ok(counts)
}

/// Tasks per sub-topology: the most partitions among its source topics.
pub fn task_counts(topology: &Topology, counts: &BTreeMap<String, u32>) -> BTreeMap<u32, u32> {
    topology
        .subtopologies
        .iter()
        .map(|s| (s.id, s.source_topics.iter().filter_map(|t| counts.get(t)).copied().max().unwrap_or(0)))
        .collect()
}

//! Reading consumer groups the way `kafka-consumer-groups --describe` does:
//! which broker coordinates a group, its members and their assignments (from
//! the coordinator), and its committed offsets (from `__consumer_offsets`).

use std::collections::BTreeMap;

use super::World;
use crate::group::classic_group::{ClassicGroup, Member};
use crate::group::coordinator::records::{parse_commit, parse_commit_key};
use crate::group::hash::coordinator_partition;
use crate::ids::{BrokerId, TopicId, TopicPartition};
use crate::trace::report::{GroupReport, GroupRow};

/// One group as the cluster sees it now.
pub struct GroupView<'a> {
    pub name: String,
    /// The `__consumer_offsets` partition that holds the group.
    pub offsets_partition: TopicPartition,
    /// The leader of that partition: the coordinator (none while offline).
    pub coordinator: Option<BrokerId>,
    /// The coordinator's state of the group (none before anyone joined, or
    /// while no coordinator has it).
    pub group: Option<&'a ClassicGroup>,
    /// Committed offsets: the latest commit per partition in the replicated
    /// part of the offsets log (below its high watermark).
    pub committed: BTreeMap<TopicPartition, i64>,
}

impl World {
    /// The internal `__consumer_offsets` topic, when the scenario uses groups.
    pub fn offsets_topic(&self) -> Option<TopicId> {
        self.scenario.offsets_topic()
    }

    /// Group ids the scenario's consumers use, in order of first mention.
    pub fn group_names(&self) -> Vec<String> {
        self.scenario.groups().into_iter().map(str::to_string).collect()
    }

    /// The `__consumer_offsets` partition of a group.
    pub fn offsets_partition_of(&self, group: &str) -> Option<TopicPartition> {
        let topic = self.offsets_topic()?;
        let partitions = self.scenario.topics[topic.0 as usize].partitions;
        Some(TopicPartition::new(topic, coordinator_partition(group, partitions)))
    }

    pub fn group_view(&self, name: &str) -> Option<GroupView<'_>> {
        let offsets_partition = self.offsets_partition_of(name)?;
        let view = self.partition_view(offsets_partition)?;
        let coordinator = view.state.leader;
        let group = coordinator
            .and_then(|b| self.brokers.get((b.0 - 1) as usize))
            .filter(|b| b.alive && b.coordinator.owns(name))
            .and_then(|b| b.coordinator.groups.get(name));
        let mut committed = BTreeMap::new();
        if let Some(log) = view.log {
            let high_watermark = log.high_watermark();
            for batch in log.batches() {
                for (offset, record) in batch.records() {
                    if offset >= high_watermark {
                        break;
                    }
                    let Some(key) = record.key() else { continue };
                    if let Some((group, topic, partition, position)) = parse_commit(key, record.value())
                        && group == name
                        && let Some(topic) = self.names.topic_id(&topic)
                    {
                        committed.insert(TopicPartition::new(topic, partition), position);
                    } else if record.is_tombstone()
                        && let Some((group, topic, partition)) = parse_commit_key(key)
                        && group == name
                        && let Some(topic) = self.names.topic_id(&topic)
                    {
                        // The commit expired (`offsets.retention.minutes`).
                        committed.remove(&TopicPartition::new(topic, partition));
                    }
                }
            }
        }
        Some(GroupView { name: name.to_string(), offsets_partition, coordinator, group, committed })
    }

    /// The `__transaction_state` partitions holding the scenario's
    /// transactional ids, in order of first mention.
    pub fn transaction_state_partitions(&self) -> Vec<TopicPartition> {
        let Some(topic) = self.scenario.transaction_state_topic() else { return Vec::new() };
        let partitions = self.scenario.topics[topic.0 as usize].partitions;
        let mut shown: Vec<TopicPartition> = Vec::new();
        for id in self.scenario.producers.iter().filter_map(|p| p.config.transactional_id.as_deref()) {
            let tp = TopicPartition::new(
                topic,
                crate::txn::coordinator_partition::transaction_state_partition(id, partitions),
            );
            if !shown.contains(&tp) {
                shown.push(tp);
            }
        }
        shown
    }

    /// What `ListOffsets(latest)` answers for a partition: its high watermark
    /// (the end a `read_uncommitted` consumer can reach), which is what
    /// `kafka-consumer-groups` prints as LOG-END-OFFSET.
    pub fn readable_end(&self, tp: TopicPartition) -> Option<i64> {
        self.partition_view(tp).and_then(|v| v.log).map(|l| l.high_watermark())
    }

    /// A group's lag: over the partitions it has committed, the readable end
    /// minus the committed offset.
    pub fn group_lag(&self, group: &str) -> Option<i64> {
        let view = self.group_view(group)?;
        Some(view.committed.iter().map(|(&tp, &offset)| (self.readable_end(tp).unwrap_or(0) - offset).max(0)).sum())
    }
}

impl World {
    /// The `kafka-consumer-groups --describe` view of a group.
    pub fn group_report(&self, name: &str) -> Option<GroupReport> {
        let view = self.group_view(name)?;
        let mut rows: Vec<GroupRow> = Vec::new();
        let mut owned: BTreeMap<TopicPartition, &Member> = BTreeMap::new();
        let mut idle: Vec<&Member> = Vec::new();
        for member in view.group.iter().flat_map(|g| g.members.values()) {
            for &tp in &member.assignment {
                owned.insert(tp, member);
            }
            if member.assignment.is_empty() {
                idle.push(member);
            }
        }
        let mut partitions: Vec<TopicPartition> = owned.keys().chain(view.committed.keys()).copied().collect();
        partitions.sort();
        partitions.dedup();
        let host = |m: &Member| format!("/{}", self.names.node(m.node));
        for tp in partitions {
            let current_offset = view.committed.get(&tp).copied();
            let log_end_offset = self.readable_end(tp);
            let owner = owned.get(&tp);
            rows.push(GroupRow {
                topic: Some(self.names.topic(tp.topic).to_string()),
                partition: Some(tp.partition),
                current_offset,
                log_end_offset,
                lag: current_offset.zip(log_end_offset).map(|(c, end)| (end - c).max(0)),
                consumer_id: owner.map(|m| m.member_id.clone()),
                host: owner.map(|m| host(m)),
                client_id: owner.map(|m| m.client_id.clone()),
            });
        }
        for m in idle {
            rows.push(GroupRow {
                topic: None,
                partition: None,
                current_offset: None,
                log_end_offset: None,
                lag: None,
                consumer_id: Some(m.member_id.clone()),
                host: Some(host(m)),
                client_id: Some(m.client_id.clone()),
            });
        }
        Some(GroupReport {
            group: name.to_string(),
            offsets_partition: view.offsets_partition.partition,
            coordinator: view.coordinator.map(|b| b.0),
            state: view.group.map_or("Dead".to_string(), |g| g.state.name().to_string()),
            generation: view.group.map_or(0, |g| g.generation),
            protocol: view.group.and_then(|g| g.protocol).map(|p| p.name().to_string()),
            members: view.group.map_or(0, |g| g.members.len()),
            rows,
        })
    }
}

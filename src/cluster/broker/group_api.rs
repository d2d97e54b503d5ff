//! Serving consumer groups: FindCoordinator from any broker, the rest on the
//! broker that leads the group's `__consumer_offsets` partition; ListGroups
//! and DescribeGroups (the admin clients') list and describe the groups a
//! broker coordinates.

use std::sync::Arc;

use crate::actor::Ctx;
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::group::coordinator::CoordinatorWrite;
use crate::group::coordinator::records::{GroupRecord, commit_key, group_key};
use crate::group::hash::coordinator_partition;
use crate::ids::{NodeId, RecordId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, JoinGroup, Message};

use super::Broker;

/// The error answer to a group request this broker cannot serve.
fn refusal(message: &GroupMessage, error: ErrorCode) -> Option<GroupMessage> {
    Some(match message {
        GroupMessage::JoinGroupRequest(JoinGroup { correlation_id, member_id, .. }) => {
            crate::group::coordinator::membership::join_error(*correlation_id, error, member_id)
        }
        GroupMessage::SyncGroupRequest { correlation_id, .. } => {
            GroupMessage::SyncGroupResponse { correlation_id: *correlation_id, error, assignment: Vec::new() }
        }
        GroupMessage::HeartbeatRequest { correlation_id, .. } => {
            GroupMessage::HeartbeatResponse { correlation_id: *correlation_id, error }
        }
        GroupMessage::LeaveGroupRequest { correlation_id, .. } => {
            GroupMessage::LeaveGroupResponse { correlation_id: *correlation_id, error }
        }
        GroupMessage::OffsetCommitRequest { correlation_id, offsets, .. } => {
            GroupMessage::OffsetCommitResponse { correlation_id: *correlation_id, error, offsets: offsets.clone() }
        }
        GroupMessage::OffsetFetchRequest { correlation_id, .. } => {
            GroupMessage::OffsetFetchResponse { correlation_id: *correlation_id, error, offsets: Vec::new() }
        }
        _ => return None,
    })
}

fn group_of(message: &GroupMessage) -> Option<&str> {
    match message {
        GroupMessage::JoinGroupRequest(JoinGroup { group, .. })
        | GroupMessage::SyncGroupRequest { group, .. }
        | GroupMessage::HeartbeatRequest { group, .. }
        | GroupMessage::LeaveGroupRequest { group, .. }
        | GroupMessage::OffsetCommitRequest { group, .. }
        | GroupMessage::OffsetFetchRequest { group, .. }
        | GroupMessage::FindCoordinatorRequest { group, .. } => Some(group),
        _ => None,
    }
}

impl Broker {
    pub(super) fn handle_group(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: GroupMessage) {
        if self.answer_group_listing(ctx, from, &message) {
            return;
        }
        let Some(offsets_topic) = self.offsets_topic else {
            if let Some(reply) = refusal(&message, ErrorCode::CoordinatorNotAvailable) {
                ctx.send(from, Message::Group(reply));
            }
            return;
        };
        let Some(group) = group_of(&message).map(str::to_string) else {
            return;
        };
        let partition = coordinator_partition(&group, self.config.offsets_topic_num_partitions);
        let tp = TopicPartition::new(offsets_topic, partition);
        if let GroupMessage::FindCoordinatorRequest { correlation_id, .. } = message {
            let leader = self.metadata.partition(tp).and_then(|p| p.leader);
            let error = if leader.is_some() { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
            ctx.send(
                from,
                Message::Group(GroupMessage::FindCoordinatorResponse { correlation_id, error, coordinator: leader }),
            );
            return;
        }
        if !self.ready || !self.coordinator.owns(&group) {
            if let Some(reply) = refusal(&message, ErrorCode::NotCoordinator) {
                ctx.send(from, Message::Group(reply));
            }
            return;
        }
        if let Some(commit) = self.coordinator.handle(ctx, from, message, &mut self.member_ids) {
            let mut builder = RecordBatchBuilder::new(ProducerStamp::NONE);
            for &(committed_tp, offset) in &commit.offsets {
                let topic = self.metadata.topics.get(&committed_tp.topic).map_or("?", |t| t.name.as_str());
                let key = commit_key(&group, topic, committed_tp.partition);
                builder.push(
                    RecordId::INTERNAL,
                    ctx.now.as_millis(),
                    Some(key.as_bytes()),
                    Some(offset.to_string().as_bytes()),
                    &[],
                );
            }
            self.append_coordinator_write(ctx, tp, CoordinatorWrite::Commit(commit), Arc::new(builder.build()));
        }
        self.write_group_metadata(ctx);
    }

    /// ListGroups and DescribeGroups, answered by any broker for the groups
    /// it coordinates (none before it has loaded their partitions). Returns
    /// whether `message` was one of them.
    fn answer_group_listing(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: &GroupMessage) -> bool {
        match message {
            GroupMessage::ListGroupsRequest { correlation_id } => {
                let correlation_id = *correlation_id;
                let groups = if self.ready { self.coordinator.list_groups() } else { Vec::new() };
                let error = ErrorCode::None;
                ctx.send(from, Message::Group(GroupMessage::ListGroupsResponse { correlation_id, error, groups }));
                true
            }
            GroupMessage::DescribeGroupsRequest { correlation_id, groups } => {
                let correlation_id = *correlation_id;
                let groups = groups
                    .iter()
                    .map(|g| {
                        let mut described = self.coordinator.describe(g);
                        if !self.ready && described.error.is_ok() {
                            described.error = ErrorCode::NotCoordinator;
                        }
                        described
                    })
                    .collect();
                ctx.send(from, Message::Group(GroupMessage::DescribeGroupsResponse { correlation_id, groups }));
                true
            }
            _ => false,
        }
    }

    /// Appends the metadata records of groups that changed (a new generation
    /// got its assignment, or the group became empty). A new assignment is
    /// waited for; the coordinator answers SyncGroup once it is committed.
    pub(super) fn write_group_metadata(&mut self, ctx: &mut Ctx<'_>) {
        let Some(offsets_topic) = self.offsets_topic else { return };
        for group in std::mem::take(&mut self.coordinator.metadata_changed) {
            let Some(state) = self.coordinator.groups.get(&group) else { continue };
            let topics = &self.metadata.topics;
            let record = GroupRecord::of(state, |t| topics.get(&t).map_or("?", |t| t.name.as_str()).to_string());
            let partition = coordinator_partition(&group, self.config.offsets_topic_num_partitions);
            let tp = TopicPartition::new(offsets_topic, partition);
            let mut builder = RecordBatchBuilder::new(ProducerStamp::NONE);
            builder.push(
                RecordId::INTERNAL,
                ctx.now.as_millis(),
                Some(group_key(&group).as_bytes()),
                Some(record.to_json().as_bytes()),
                &[],
            );
            let batch = Arc::new(builder.build());
            match self.coordinator.assignment_writes.remove(&group) {
                Some(generation) => {
                    let write = CoordinatorWrite::Assignment { group, generation };
                    self.append_coordinator_write(ctx, tp, write, batch);
                }
                None => self.append_internal(ctx, tp, batch),
            }
        }
        self.write_tombstones(ctx);
    }

    /// Appends the tombstones of offsets that expired and groups deleted
    /// (`cleanupGroupMetadata`), one batch per group.
    fn write_tombstones(&mut self, ctx: &mut Ctx<'_>) {
        let Some(offsets_topic) = self.offsets_topic else { return };
        for expiry in std::mem::take(&mut self.coordinator.expired) {
            let mut builder = RecordBatchBuilder::new(ProducerStamp::NONE);
            let mut keys: Vec<String> = expiry
                .partitions
                .iter()
                .map(|tp| {
                    let topic = self.metadata.topics.get(&tp.topic).map_or("?", |t| t.name.as_str());
                    commit_key(&expiry.group, topic, tp.partition)
                })
                .collect();
            if expiry.group_deleted {
                keys.push(group_key(&expiry.group));
            }
            for key in &keys {
                builder.push(RecordId::INTERNAL, ctx.now.as_millis(), Some(key.as_bytes()), None, &[]);
            }
            let partition = coordinator_partition(&expiry.group, self.config.offsets_topic_num_partitions);
            self.append_internal(ctx, TopicPartition::new(offsets_topic, partition), Arc::new(builder.build()));
        }
    }

    /// Leadership of an offsets partition moved here or away: load or drop
    /// the groups it coordinates.
    pub(super) fn on_offsets_leadership(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, leading: bool) {
        if self.offsets_topic != Some(tp.topic) {
            return;
        }
        if leading {
            let Some(partition) = self.partitions.get(&tp) else { return };
            let topics = &self.metadata.topics;
            let resolve = |name: &str| topics.iter().find(|(_, t)| t.name == name).map(|(&id, _)| id);
            self.coordinator.load(ctx, tp.partition, &partition.log, resolve);
        } else {
            self.coordinator.unload(ctx, tp.partition);
        }
    }
}

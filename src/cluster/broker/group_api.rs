//! Serving consumer groups: FindCoordinator from any broker, the rest on the
//! broker that leads the group's `__consumer_offsets` partition; ListGroups
//! and DescribeGroups (the admin clients') list and describe the groups a
//! broker coordinates.

use std::sync::Arc;

use crate::actor::Ctx;
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::group::coordinator::CoordinatorWrite;
use crate::group::coordinator::records::{GroupRecord, commit_key, group_key};
use crate::group::coordinator::txn_offsets::PendingTxnCommit;
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
        GroupMessage::TxnOffsetCommitRequest { correlation_id, .. } => {
            GroupMessage::TxnOffsetCommitResponse { correlation_id: *correlation_id, error }
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
        | GroupMessage::TxnOffsetCommitRequest { group, .. }
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
        if let GroupMessage::TxnOffsetCommitRequest { .. } = message {
            self.handle_txn_offset_commit(ctx, from, tp, message);
            return;
        }
        if let Some(commit) = self.coordinator.handle(ctx, from, message, &mut self.member_ids) {
            let batch = self.offset_commit_batch(ProducerStamp::NONE, &group, &commit.offsets, ctx.now.as_millis());
            self.append_coordinator_write(ctx, tp, CoordinatorWrite::Commit(commit), Arc::new(batch));
        }
        self.write_group_metadata(ctx);
    }

    /// TxnOffsetCommit at the group's coordinator: checked against the
    /// group's generation and members (KIP-447), then written to the
    /// offsets partition as a transactional batch of the producer, so the
    /// partition's last stable offset waits for the transaction too; the
    /// offsets stay pending until the marker arrives.
    fn handle_txn_offset_commit(&mut self, ctx: &mut Ctx<'_>, from: NodeId, tp: TopicPartition, message: GroupMessage) {
        let GroupMessage::TxnOffsetCommitRequest {
            correlation_id,
            group,
            producer_id,
            producer_epoch,
            generation,
            member_id,
            offsets,
            ..
        } = message
        else {
            return;
        };
        let error = self.coordinator.validate_txn_commit(&group, generation, &member_id);
        if !error.is_ok() {
            ctx.send(from, Message::Group(GroupMessage::TxnOffsetCommitResponse { correlation_id, error }));
            return;
        }
        // Kafka's coordinator writes with the producer's id and epoch and no
        // sequence number (`RecordBatch.NO_SEQUENCE`).
        let stamp = ProducerStamp { producer_id, producer_epoch, base_sequence: -1 };
        let batch = self.offset_commit_batch(stamp, &group, &offsets, ctx.now.as_millis());
        let batch = Arc::new(batch.into_transactional());
        let commit = PendingTxnCommit { from, correlation_id, group, producer_id, producer_epoch, offsets };
        self.append_coordinator_write(ctx, tp, CoordinatorWrite::TxnCommit(commit), batch);
    }

    /// The offset-commit records of `group` for `offsets`, one per
    /// partition, keyed as Kafka keys them in `__consumer_offsets`.
    fn offset_commit_batch(
        &self,
        stamp: ProducerStamp,
        group: &str,
        offsets: &[(TopicPartition, i64)],
        now_ms: i64,
    ) -> crate::cluster::record::RecordBatch {
        let mut builder = RecordBatchBuilder::new(stamp);
        for &(committed_tp, offset) in offsets {
            let topic = self.metadata.topics.get(&committed_tp.topic).map_or("?", |t| t.name.as_str());
            let key = commit_key(group, topic, committed_tp.partition);
            builder.push(RecordId::INTERNAL, now_ms, Some(key.as_bytes()), Some(offset.to_string().as_bytes()), &[]);
        }
        builder.build()
    }

    /// A transaction marker was appended to offsets partition `tp`: the
    /// coordinator commits or drops the transaction's pending offsets.
    pub(super) fn replay_marker_on_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        producer_id: i64,
        committed: bool,
    ) {
        if self.offsets_topic != Some(tp.topic) || !self.coordinator.loaded.contains(&tp.partition) {
            return;
        }
        let replayed = self.coordinator.replay_end_txn_marker(producer_id, tp.partition, committed, ctx.now);
        if replayed.is_empty() {
            return;
        }
        let listed: Vec<String> = replayed
            .iter()
            .map(|((_, p), o)| {
                let topic = self.metadata.topics.get(&p.topic).map_or("?", |t| t.name.as_str());
                format!("{topic}-{}@{o}", p.partition)
            })
            .collect();
        let group = replayed[0].0.0.clone();
        let verb = if committed { "commits" } else { "discards" };
        ctx.trace(crate::trace::TraceEvent::Action {
            text: format!(
                "broker {}, coordinator of group `{group}`: the {} marker reached __consumer_offsets-{}; it {verb} \
                 the transaction's offsets {}",
                self.id,
                if committed { "commit" } else { "abort" },
                tp.partition,
                listed.join(", ")
            ),
        });
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

//! The group coordinator: runs on the broker that leads a group's
//! `__consumer_offsets` partition, and answers JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch for its groups.
//!
//! Session timeouts and the join phase are driven by timers; committed offsets
//! are appended to the offsets partition by the broker and become visible once
//! that write is committed (replicated), as in Kafka.
//!
//! Each generation's metadata (members, assignment) is written there too, so
//! when leadership of the partition moves, the new leader loads the group and
//! its members carry on without a rebalance (see `records`).

pub mod describe;
pub mod expiry;
pub mod member_id;
pub mod membership;
pub mod records;

use std::collections::{BTreeMap, BTreeSet};

use crate::actor::{Ctx, Timer};
use crate::cluster::broker::BrokerTimer;
use crate::cluster::log::PartitionLog;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::{NodeId, TopicId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, Message};

use super::classic_group::{ClassicGroup, Waiting};

/// Timers the coordinator sets (through its broker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupTimer {
    /// `group.initial.rebalance.delay.ms` of an empty group passed.
    InitialDelay { group: String, token: u64 },
    /// The join phase reached the rebalance timeout.
    JoinDeadline { group: String, token: u64 },
    /// Look for members whose session expired.
    SessionCheck { group: String },
    /// The rebalance timeout after a join phase ended: members of that
    /// generation that never sent SyncGroup are removed.
    SyncDeadline { group: String, generation: i32 },
    /// `offsets.retention.check.interval.ms` passed: expire offsets and
    /// delete empty groups of an offsets partition (for the load `epoch`).
    CleanupGroupMetadata { partition: u32, epoch: u64 },
}

/// An offset commit being written to `__consumer_offsets`.
#[derive(Clone, Debug)]
pub struct PendingCommit {
    pub from: NodeId,
    pub correlation_id: u64,
    pub group: String,
    pub offsets: Vec<(TopicPartition, i64)>,
}

/// A write to `__consumer_offsets` the coordinator answers once it is
/// committed (replicated to the partition's ISR).
#[derive(Clone, Debug)]
pub enum CoordinatorWrite {
    Commit(PendingCommit),
    /// A new generation's assignment (`storeGroup`): the members' SyncGroup
    /// answers wait for it, so no member acts on an assignment a new
    /// coordinator would not know.
    Assignment {
        group: String,
        generation: i32,
    },
}

/// Timing configuration from the broker.
#[derive(Clone, Copy, Debug)]
pub struct CoordinatorConfig {
    pub initial_rebalance_delay_ms: u64,
    pub offsets_partitions: u32,
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    /// `offsets.retention.minutes`, in ms.
    pub offsets_retention_ms: u64,
    pub offsets_retention_check_interval_ms: u64,
}

#[derive(Clone, Debug)]
pub struct GroupCoordinator {
    pub config: CoordinatorConfig,
    pub groups: BTreeMap<String, ClassicGroup>,
    /// Committed offsets, by group and partition.
    pub offsets: BTreeMap<(String, TopicPartition), i64>,
    /// When each of them was committed (`OffsetAndMetadata.commitTimestampMs`).
    pub committed_at: BTreeMap<(String, TopicPartition), SimTime>,
    /// `__consumer_offsets` partitions this broker leads (and so coordinates).
    pub loaded: BTreeSet<u32>,
    /// Groups whose metadata record is to be written (the broker drains it).
    pub metadata_changed: BTreeSet<String>,
    /// Of those, groups whose record carries a new generation's assignment,
    /// with that generation: the broker waits for the write.
    pub assignment_writes: BTreeMap<String, i32>,
    /// Offsets and groups the last checks removed: tombstones for the broker
    /// to write (it drains this).
    pub expired: Vec<expiry::Expiry>,
    /// Per loaded offsets partition, the load its cleanup timer belongs to.
    pub cleanup_epochs: BTreeMap<u32, u64>,
    pub next_cleanup_epoch: u64,
}

impl GroupCoordinator {
    pub fn new(config: CoordinatorConfig) -> Self {
        GroupCoordinator {
            config,
            groups: BTreeMap::new(),
            offsets: BTreeMap::new(),
            committed_at: BTreeMap::new(),
            loaded: BTreeSet::new(),
            metadata_changed: BTreeSet::new(),
            assignment_writes: BTreeMap::new(),
            expired: Vec::new(),
            cleanup_epochs: BTreeMap::new(),
            next_cleanup_epoch: 0,
        }
    }

    pub fn partition_for(&self, group: &str) -> u32 {
        super::hash::coordinator_partition(group, self.config.offsets_partitions)
    }

    /// Whether this broker coordinates `group` now.
    pub fn owns(&self, group: &str) -> bool {
        self.loaded.contains(&self.partition_for(group))
    }

    /// Becoming leader of offsets partition `partition`: read its commits and
    /// the latest metadata of its groups, whose members' sessions start now.
    /// Tombstones delete what came before them (expired offsets, deleted
    /// groups). The first expiry check follows an interval later.
    pub fn load(
        &mut self,
        ctx: &mut Ctx<'_>,
        partition: u32,
        log: &PartitionLog,
        topic_id: impl Fn(&str) -> Option<TopicId>,
    ) {
        self.loaded.insert(partition);
        let mut groups: BTreeMap<String, records::GroupRecord> = BTreeMap::new();
        for batch in log.batches() {
            for (_, record) in batch.records() {
                let Some(key) = record.key() else { continue };
                if let Some((group, topic, p)) = records::parse_commit_key(key) {
                    let Some(topic) = topic_id(&topic) else { continue };
                    let key = (group, TopicPartition::new(topic, p));
                    let offset = record.value().and_then(|v| std::str::from_utf8(v).ok()?.parse().ok());
                    match offset {
                        Some(offset) => {
                            let committed_at = SimTime::from_millis(u64::try_from(record.timestamp_ms()).unwrap_or(0));
                            self.committed_at.insert(key.clone(), committed_at);
                            self.offsets.insert(key, offset);
                        }
                        None => {
                            self.offsets.remove(&key);
                            self.committed_at.remove(&key);
                        }
                    }
                } else if let Some((group, metadata)) = records::GroupRecord::parse(key, record.value()) {
                    groups.insert(group, metadata);
                } else if record.is_tombstone()
                    && let Some(group) = records::parse_group_key(key)
                {
                    groups.remove(group);
                }
            }
        }
        for (name, metadata) in groups {
            let group = metadata.load(&name, ctx.now, &topic_id);
            let has_members = !group.members.is_empty();
            self.groups.insert(name.clone(), group);
            if has_members {
                self.schedule_session_check(ctx, &name);
            }
        }
        self.schedule_cleanup(ctx, partition);
    }

    /// No longer leading `partition`: forget its groups, telling members
    /// parked in JoinGroup or SyncGroup to find the new coordinator
    /// (`GroupMetadataManager.onUnloaded`).
    pub fn unload(&mut self, ctx: &mut Ctx<'_>, partition: u32) {
        self.loaded.remove(&partition);
        self.cleanup_epochs.remove(&partition);
        let offsets_partitions = self.config.offsets_partitions;
        let mine = |g: &str| super::hash::coordinator_partition(g, offsets_partitions) == partition;
        for group in self.groups.values_mut().filter(|g| mine(&g.name)) {
            for member in group.members.values_mut() {
                if let Some(w) = member.awaiting_join.take() {
                    reply(
                        ctx,
                        w.node,
                        membership::join_error(w.correlation_id, ErrorCode::NotCoordinator, &member.member_id),
                    );
                }
                if let Some(w) = member.awaiting_sync.take() {
                    let assignment = Vec::new();
                    let error = ErrorCode::NotCoordinator;
                    reply(
                        ctx,
                        w.node,
                        GroupMessage::SyncGroupResponse { correlation_id: w.correlation_id, error, assignment },
                    );
                }
            }
        }
        self.groups.retain(|name, _| !mine(name));
        self.offsets.retain(|(group, _), _| !mine(group));
        self.committed_at.retain(|(group, _), _| !mine(group));
    }

    /// Handles a group request for a group this broker coordinates. Returns
    /// an offset commit for the broker to append, if any.
    pub fn handle(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        message: GroupMessage,
        rng: &mut SimRng,
    ) -> Option<PendingCommit> {
        match message {
            GroupMessage::JoinGroupRequest { .. } => self.handle_join(ctx, from, message, rng),
            GroupMessage::SyncGroupRequest { correlation_id, group, generation, member_id, assignments } => {
                self.handle_sync(
                    ctx,
                    Waiting { node: from, correlation_id },
                    &group,
                    generation,
                    &member_id,
                    assignments,
                );
            }
            GroupMessage::HeartbeatRequest { correlation_id, group, generation, member_id } => {
                let error = self.handle_heartbeat(ctx, &group, generation, &member_id);
                reply(ctx, from, GroupMessage::HeartbeatResponse { correlation_id, error });
            }
            GroupMessage::LeaveGroupRequest { correlation_id, group, member_id, reason } => {
                let error = self.handle_leave(ctx, &group, &member_id, &reason);
                reply(ctx, from, GroupMessage::LeaveGroupResponse { correlation_id, error });
            }
            GroupMessage::OffsetCommitRequest { correlation_id, group, generation, member_id, offsets } => {
                let error = self.validate_commit(&group, generation, &member_id);
                if error.is_ok() {
                    return Some(PendingCommit { from, correlation_id, group, offsets });
                }
                reply(ctx, from, GroupMessage::OffsetCommitResponse { correlation_id, error, offsets });
            }
            GroupMessage::OffsetFetchRequest { correlation_id, group, partitions } => {
                let offsets = partitions
                    .iter()
                    .map(|&tp| (tp, self.offsets.get(&(group.clone(), tp)).copied().unwrap_or(-1)))
                    .collect();
                reply(ctx, from, GroupMessage::OffsetFetchResponse { correlation_id, error: ErrorCode::None, offsets });
            }
            _ => {}
        }
        None
    }

    /// Kafka accepts commits from the current generation's members, and from
    /// consumers outside any group when the group has no members.
    fn validate_commit(&self, group: &str, generation: i32, member_id: &str) -> ErrorCode {
        let Some(g) = self.groups.get(group) else {
            return if generation < 0 { ErrorCode::None } else { ErrorCode::IllegalGeneration };
        };
        if generation < 0 && member_id.is_empty() {
            // Only a group nobody is a member of takes commits from outside.
            return if g.state == super::classic_group::GroupState::Empty {
                ErrorCode::None
            } else {
                ErrorCode::UnknownMemberId
            };
        }
        if g.fenced.contains_key(member_id) {
            return ErrorCode::FencedInstanceId;
        }
        if !g.members.contains_key(member_id) {
            return ErrorCode::UnknownMemberId;
        }
        if generation != g.generation {
            return ErrorCode::IllegalGeneration;
        }
        // While preparing a rebalance the old generation still counts, so an
        // eager member's commit before it rejoins goes through; only between
        // the join and the sync (the new generation has no assignment yet) is
        // a commit refused.
        if g.state == super::classic_group::GroupState::CompletingRebalance {
            return ErrorCode::RebalanceInProgress;
        }
        ErrorCode::None
    }

    /// The commit was written and replicated (or failed): update the cache and answer.
    pub fn on_commit_done(&mut self, ctx: &mut Ctx<'_>, commit: PendingCommit, error: ErrorCode) {
        if error.is_ok() {
            for &(tp, offset) in &commit.offsets {
                self.offsets.insert((commit.group.clone(), tp), offset);
                self.committed_at.insert((commit.group.clone(), tp), ctx.now);
            }
        }
        reply(
            ctx,
            commit.from,
            GroupMessage::OffsetCommitResponse {
                correlation_id: commit.correlation_id,
                error,
                offsets: commit.offsets,
            },
        );
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: GroupTimer) {
        match timer {
            GroupTimer::InitialDelay { group, token } => self.initial_delay_done(ctx, &group, token),
            GroupTimer::JoinDeadline { group, token } => self.join_deadline(ctx, &group, token),
            GroupTimer::SessionCheck { group } => self.check_sessions(ctx, &group),
            GroupTimer::SyncDeadline { group, generation } => self.sync_deadline(ctx, &group, generation),
            GroupTimer::CleanupGroupMetadata { partition, epoch } => self.cleanup_group_metadata(ctx, partition, epoch),
        }
    }
}

pub(crate) fn reply(ctx: &mut Ctx<'_>, to: NodeId, message: GroupMessage) {
    ctx.send(to, Message::Group(message));
}

pub(crate) fn set_timer(ctx: &mut Ctx<'_>, delay: SimDuration, timer: GroupTimer) {
    ctx.set_timer(delay, Timer::Broker(BrokerTimer::Group(timer)));
}

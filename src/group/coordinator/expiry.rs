//! Committed offsets expire, and empty groups are deleted
//! (`GroupCoordinatorShard.cleanupGroupMetadata`,
//! `OffsetMetadataManager.cleanupExpiredOffsets`,
//! `ClassicGroup.offsetExpirationCondition`).
//!
//! - `offsets.retention.check.interval.ms` (10 min) after the coordinator
//!   loads an offsets partition, and every interval after that, it looks at
//!   each group the partition holds.
//! - A committed offset expires once `offsets.retention.minutes` (7 days) has
//!   passed since its base time: for an empty group, the moment the group
//!   became empty; for a group no consumer ever joined (consumers that assign
//!   partitions themselves and commit under a group id), and for a stable
//!   group's offsets on topics none of its members subscribes to, the
//!   offset's own commit. Nothing expires while a group rebalances, nor on a
//!   topic a member subscribes to.
//! - Each expired offset gets a tombstone in `__consumer_offsets`. A group
//!   left with no offsets and no members is deleted too (a tombstone for its
//!   metadata record); an empty group that never committed goes at the first
//!   check.
//! - A consumer of that group that comes back finds no committed offset and
//!   starts where `auto.offset.reset` says.
//!
//! Simplification: per-commit retention times (OffsetCommit v1–v4) and
//! pending transactional offsets, which Kafka also considers, are not
//! modelled.

use std::collections::BTreeSet;

use crate::actor::Ctx;
use crate::engine::{SimDuration, SimTime};
use crate::group::classic_group::{ClassicGroup, GroupState};
use crate::ids::{TopicId, TopicPartition};
use crate::trace::TraceEvent;

use super::{GroupCoordinator, GroupTimer, set_timer};

/// Which time an offset's retention runs from (`OffsetExpirationConditionImpl.baseTimestamp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpirationBase {
    /// When the group entered its current state (Empty), if known; else the commit.
    StateChange(Option<SimTime>),
    /// The offset's commit.
    Commit,
}

impl ExpirationBase {
    pub fn base(self, committed_at: SimTime) -> SimTime {
        match self {
            ExpirationBase::StateChange(Some(at)) => at,
            _ => committed_at,
        }
    }

    /// `OffsetExpirationConditionImpl.isOffsetExpired`: the retention has
    /// passed since the base time.
    pub fn is_offset_expired(self, committed_at: SimTime, now: SimTime, retention: SimDuration) -> bool {
        now.saturating_sub(self.base(committed_at)) >= retention
    }
}

impl ClassicGroup {
    /// `ClassicGroup.offsetExpirationCondition` for a consumer group (every
    /// member of ours speaks the `consumer` protocol): from the moment it
    /// became empty while it has no members; from each commit while it is
    /// stable; none while it rebalances.
    pub fn offset_expiration_condition(&self) -> Option<ExpirationBase> {
        match self.state {
            GroupState::Empty => Some(ExpirationBase::StateChange(self.current_state_timestamp)),
            GroupState::Stable => Some(ExpirationBase::Commit),
            GroupState::PreparingRebalance | GroupState::CompletingRebalance => None,
        }
    }

    /// `ClassicGroup.isSubscribedToTopic`: some member subscribes to it.
    pub fn is_subscribed_to_topic(&self, topic: TopicId) -> bool {
        self.members.values().any(|m| m.subscription.topics.contains(&topic))
    }
}

/// What one check removed from a group: tombstones for the broker to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub group: String,
    pub partitions: Vec<TopicPartition>,
    pub group_deleted: bool,
}

impl GroupCoordinator {
    /// The first check of a newly loaded offsets partition
    /// (`scheduleGroupMetadataExpiration` in `onLoaded`).
    pub(super) fn schedule_cleanup(&mut self, ctx: &mut Ctx<'_>, partition: u32) {
        self.next_cleanup_epoch += 1;
        let epoch = self.next_cleanup_epoch;
        self.cleanup_epochs.insert(partition, epoch);
        let interval = SimDuration::from_millis(self.config.offsets_retention_check_interval_ms);
        set_timer(ctx, interval, GroupTimer::CleanupGroupMetadata { partition, epoch });
    }

    /// `cleanupGroupMetadata`: expires offsets and deletes groups of one
    /// offsets partition, then schedules the next check. A timer of a
    /// partition unloaded since (or loaded again) is ignored.
    pub(super) fn cleanup_group_metadata(&mut self, ctx: &mut Ctx<'_>, partition: u32, epoch: u64) {
        if self.cleanup_epochs.get(&partition) != Some(&epoch) {
            return;
        }
        let offsets_partitions = self.config.offsets_partitions;
        let mine = |g: &str| super::super::hash::coordinator_partition(g, offsets_partitions) == partition;
        let names: BTreeSet<String> =
            self.groups.keys().chain(self.offsets.keys().map(|(g, _)| g)).filter(|g| mine(g)).cloned().collect();
        for name in names {
            self.cleanup_group(ctx, &name);
        }
        let interval = SimDuration::from_millis(self.config.offsets_retention_check_interval_ms);
        set_timer(ctx, interval, GroupTimer::CleanupGroupMetadata { partition, epoch });
    }

    /// `cleanupExpiredOffsets` and then `maybeDeleteGroup` for one group.
    fn cleanup_group(&mut self, ctx: &mut Ctx<'_>, name: &str) {
        let retention = SimDuration::from_millis(self.config.offsets_retention_ms);
        let group = self.groups.get(name);
        let committed: Vec<TopicPartition> =
            self.offsets.keys().filter(|(g, _)| g == name).map(|&(_, tp)| tp).collect();
        let mut expired = Vec::new();
        if !committed.is_empty() {
            // A group nobody joined is Kafka's "simple" group: no protocol
            // type, so its offsets expire from their commits.
            let condition = match group {
                Some(g) => g.offset_expiration_condition(),
                None => Some(ExpirationBase::Commit),
            };
            let Some(condition) = condition else { return };
            for &tp in &committed {
                if group.is_some_and(|g| g.is_subscribed_to_topic(tp.topic)) {
                    continue;
                }
                let key = (name.to_string(), tp);
                let committed_at = self.committed_at.get(&key).copied().unwrap_or(SimTime::ZERO);
                if condition.is_offset_expired(committed_at, ctx.now, retention) {
                    expired.push(tp);
                }
            }
        }
        let all_expired = expired.len() == committed.len();
        let group_deleted = all_expired && group.is_none_or(|g| g.state == GroupState::Empty);
        if expired.is_empty() && !group_deleted {
            return;
        }
        let reason = match group.and_then(|g| g.offset_expiration_condition()) {
            Some(ExpirationBase::StateChange(Some(since))) => {
                format!("the group has been empty since {since}")
            }
            _ if expired.is_empty() => "the group is empty and holds no offsets".to_string(),
            _ => "no member reads their topics and they were committed that long ago".to_string(),
        };
        for &tp in &expired {
            let key = (name.to_string(), tp);
            self.offsets.remove(&key);
            self.committed_at.remove(&key);
        }
        if group_deleted {
            self.groups.remove(name);
        }
        ctx.trace(TraceEvent::OffsetsExpired {
            group: name.to_string(),
            partitions: expired.clone(),
            group_deleted,
            retention_minutes: self.config.offsets_retention_ms / 60_000,
            reason,
        });
        self.expired.push(Expiry { group: name.to_string(), partitions: expired, group_deleted });
    }
}

#[cfg(test)]
mod tests;

//! Leaders and followers. When the metadata changes a partition's leader, each
//! replica takes up its new role; followers pull records from the leader with
//! Fetch requests carrying their log end offset and last epoch, and truncate
//! where their log diverges from the leader's (KIP-101, KIP-279, KAFKA-10554).

use std::collections::BTreeMap;

use crate::actor::Ctx;
use crate::cluster::leader_epoch::truncation_offset;
use crate::cluster::partition::FollowerState;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{
    ErrorCode, FetchPartition, FetchPartitionResponse, FetchRequest, FetchResponse, IsolationLevel, Message,
};
use crate::trace::TraceEvent;

use super::{Broker, Followed, Outgoing};

impl Broker {
    /// Applies the image's current state of `tp` to the hosted replica.
    pub(super) fn reconcile_partition(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        self.reconcile_partition_forced(ctx, tp, false);
    }

    /// As `reconcile_partition`; `force` re-takes the role even if nothing
    /// changed (after a restart).
    pub(super) fn reconcile_partition_forced(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, force: bool) {
        let me = self.id;
        let Some(new_state) = self.metadata.partition(tp).cloned() else {
            return;
        };
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        let old = std::mem::replace(&mut partition.state, new_state.clone());
        if old.leader != new_state.leader {
            self.followed = None;
        }
        let epoch_changed = old.leader_epoch != new_state.leader_epoch;
        let is_leader = new_state.leader == Some(me);
        if is_leader && (force || epoch_changed || old.leader != Some(me)) {
            self.become_leader(ctx, tp);
            self.on_offsets_leadership(ctx, tp, true);
            self.on_transaction_state_leadership(ctx, tp, true);
        } else if !is_leader && (force || epoch_changed || old.leader != new_state.leader) {
            self.become_follower(ctx, tp, old.leader == Some(me));
            self.on_offsets_leadership(ctx, tp, false);
            self.on_transaction_state_leadership(ctx, tp, false);
        } else if is_leader {
            // Same leader, new ISR: an AlterPartition took effect.
            if let Some(p) = self.partitions.get_mut(&tp)
                && p.pending_isr.as_ref().is_some_and(|pending| *pending == new_state.isr)
            {
                p.pending_isr = None;
            }
            self.maybe_advance_high_watermark(ctx, tp);
        }
    }

    /// Kafka's `makeLeader`: the new epoch starts at this replica's log end;
    /// followers' positions are unknown until they fetch, and count as caught
    /// up as of now.
    fn become_leader(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        let me = self.id;
        let now = ctx.now;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        let epoch = partition.state.leader_epoch;
        let leo = partition.log.log_end_offset();
        partition.log.epoch_cache.assign(epoch, leo);
        partition.pending_isr = None;
        partition.followers = partition
            .state
            .replicas
            .iter()
            .filter(|&&b| b != me)
            .map(|&b| {
                (
                    b,
                    FollowerState {
                        log_end_offset: -1,
                        log_start_offset: -1,
                        last_caught_up: now,
                        leader_end_at_last_fetch: leo,
                        last_fetch: now,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>();
        ctx.trace(TraceEvent::RoleChange { broker: me, tp, leader: Some(me), leader_epoch: epoch });
        self.maybe_advance_high_watermark(ctx, tp);
        self.complete_delayed_fetches(ctx, tp);
    }

    /// Kafka's `makeFollower`: stop leading; parked writes for this partition
    /// are answered NOT_LEADER_OR_FOLLOWER; fetching starts from the new leader.
    fn become_follower(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, was_leader: bool) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        partition.followers.clear();
        partition.pending_isr = None;
        let (leader, leader_epoch) = (partition.state.leader, partition.state.leader_epoch);
        ctx.trace(TraceEvent::RoleChange { broker: me, tp, leader, leader_epoch });
        if was_leader {
            self.fail_delayed_produces(ctx, tp);
        }
        self.complete_delayed_fetches(ctx, tp);
        self.run_replica_fetchers(ctx);
    }

    /// Partitions this broker follows, by leader (computed again only after
    /// a leader moved).
    fn followed_partitions(&mut self) -> Followed {
        if let Some(followed) = &self.followed {
            return followed.clone(); // a reference count, not a copy
        }
        let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for (&tp, p) in &self.partitions {
            if let Some(leader) = p.state.leader
                && leader != self.id
            {
                by_leader.entry(leader).or_default().push(tp);
            }
        }
        let followed: Followed = by_leader.into_iter().collect();
        self.followed = Some(followed.clone());
        followed
    }

    /// One Fetch per leader, for every partition followed from it, unless one
    /// is already waiting at that leader.
    pub(super) fn run_replica_fetchers(&mut self, ctx: &mut Ctx<'_>) {
        if !self.ready {
            return;
        }
        for (leader, partitions) in self.followed_partitions().iter() {
            let leader = *leader;
            if self.has_in_flight(&Outgoing::ReplicaFetch(leader))
                || self.fetch_backoff.get(&leader).is_some_and(|&t| t > ctx.now)
            {
                continue;
            }
            let node = NodeId::Broker(leader);
            if !self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id) {
                self.wake_later(ctx);
                continue;
            }
            let fetch_partitions: Vec<FetchPartition> = partitions
                .iter()
                .map(|&tp| {
                    let p = &self.partitions[&tp];
                    FetchPartition {
                        tp,
                        fetch_offset: p.log.log_end_offset(),
                        current_leader_epoch: Some(p.state.leader_epoch),
                        last_fetched_epoch: p.log.last_fetched_epoch(),
                        log_start_offset: p.log.log_start_offset(),
                    }
                })
                .collect();
            let (me, max_wait_ms, max_bytes) =
                (self.id, self.config.replica_fetch_wait_max_ms, self.config.replica_fetch_max_bytes);
            self.send_request(ctx, node, Outgoing::ReplicaFetch(leader), |correlation_id| {
                Message::FetchRequest(FetchRequest {
                    isolation_level: IsolationLevel::ReadUncommitted,
                    correlation_id,
                    replica: Some(me),
                    max_wait_ms,
                    min_bytes: 1,
                    partition_max_bytes: max_bytes,
                    partitions: fetch_partitions,
                })
            });
        }
    }

    pub(super) fn on_replica_fetch_response(&mut self, ctx: &mut Ctx<'_>, from: NodeId, response: FetchResponse) {
        let NodeId::Broker(leader) = from else {
            return;
        };
        if self.in_flight.remove(&response.correlation_id) != Some(Outgoing::ReplicaFetch(leader)) {
            return;
        }
        let mut backoff = false;
        for p in response.partitions {
            let still_following = self.partitions.get(&p.tp).is_some_and(|x| x.state.leader == Some(leader));
            if !still_following {
                continue;
            }
            backoff |= self.apply_fetched(ctx, leader, p);
        }
        if backoff {
            // The leader refused: wait for fresher metadata before asking again.
            let until = ctx.now + crate::engine::SimDuration::from_millis(super::REPLICA_FETCH_BACKOFF_MS);
            self.fetch_backoff.insert(leader, until);
            self.wake_at(ctx, until);
        }
        self.run(ctx);
    }

    /// Handles one partition of a follower fetch; returns whether to back off.
    fn apply_fetched(&mut self, ctx: &mut Ctx<'_>, leader: BrokerId, p: FetchPartitionResponse) -> bool {
        let me = self.id;
        let tp = p.tp;
        if let Some((epoch, end_offset)) = p.diverging_epoch {
            self.truncate_diverging(ctx, tp, leader, epoch, end_offset);
            return false;
        }
        match p.error {
            ErrorCode::None => {}
            ErrorCode::OffsetOutOfRange => {
                self.handle_out_of_range(ctx, tp, leader, p.log_start_offset, p.log_end_offset);
                return false;
            }
            _ => return true,
        }
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return false;
        };
        let log = &mut partition.log;
        let before = log.log_end_offset();
        log.append_as_follower(&p.batches);
        // A follower's high watermark is the leader's, capped at what it has.
        let leo = log.log_end_offset();
        if p.high_watermark > log.high_watermark() {
            log.set_high_watermark(p.high_watermark.min(leo));
        }
        log.advance_log_start_offset(p.log_start_offset);
        if leo > before {
            ctx.trace(TraceEvent::Replicated {
                broker: me,
                tp,
                from_offset: before,
                to_offset: leo,
                high_watermark: log.high_watermark(),
            });
        }
        false
    }

    /// KIP-279 truncation: the leader said our last epoch ends at
    /// `(epoch, end_offset)` in its log. If we know that epoch, cut at the
    /// smaller end; if not, cut at the end of our own largest epoch below it
    /// and let the next fetch narrow it down further.
    fn truncate_diverging(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        leader: BrokerId,
        epoch: i32,
        end_offset: i64,
    ) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        let log = &mut partition.log;
        let target = truncation_offset(&log.epoch_cache, log.log_end_offset(), epoch, end_offset);
        let records = log.truncate_to(target);
        ctx.trace(TraceEvent::Truncated {
            broker: me,
            tp,
            to_offset: log.log_end_offset(),
            records,
            reason: format!(
                "its log diverges from leader broker {leader}'s after epoch {epoch} (which ends at offset {end_offset} on the leader)"
            ),
        });
    }

    /// Kafka's `handleOutOfRangeError` for followers: the leader's log ends
    /// below ours (an unclean leader) — truncate to its end; or it starts beyond
    /// ours (retention) — start over at its log start.
    fn handle_out_of_range(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        leader: BrokerId,
        leader_start: i64,
        leader_end: i64,
    ) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        let log = &mut partition.log;
        if leader_end < log.log_end_offset() {
            let records = log.truncate_to(leader_end);
            ctx.trace(TraceEvent::Truncated {
                broker: me,
                tp,
                to_offset: log.log_end_offset(),
                records,
                reason: format!("leader broker {leader}'s log ends at {leader_end}, below this replica's"),
            });
        } else if leader_start > log.log_end_offset() {
            log.truncate_fully_and_start_at(leader_start);
        }
    }
}

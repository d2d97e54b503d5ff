//! The leader's side of ISR management (Kafka's `Partition.maybeExpandIsr`,
//! `maybeShrinkIsr`): a follower that has caught up joins the ISR; one that
//! has not caught up for `replica.lag.time.max.ms` leaves it. Changes go to
//! the controller as AlterPartition requests (KIP-497) and take effect when it
//! accepts them; meanwhile the high watermark waits for the larger set.

use crate::actor::{Ctx, Timer};
use crate::cluster::metadata::PartitionState;
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{ControllerMessage, ErrorCode, Message};

use super::{Broker, BrokerTimer, Outgoing};

impl Broker {
    /// After a follower's fetch: add it to the ISR if it has caught up with the
    /// high watermark and with the start of the current leader epoch, and the
    /// controller has it unfenced.
    pub(super) fn maybe_expand_isr(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, follower: BrokerId) {
        let me = self.id;
        let unfenced = self.metadata.is_unfenced(follower);
        let Some(partition) = self.partitions.get(&tp) else {
            return;
        };
        if !partition.is_leader(me) || partition.pending_isr.is_some() || partition.maximal_isr().contains(&follower) {
            return;
        }
        let Some(state) = partition.followers.get(&follower) else {
            return;
        };
        let epoch_start = partition.log.epoch_cache.entries().last().map_or(0, |&(_, start)| start);
        let caught_up = state.log_end_offset >= partition.log.high_watermark() && state.log_end_offset >= epoch_start;
        if caught_up && unfenced {
            let mut isr = partition.state.isr.clone();
            isr.push(follower);
            self.propose_isr(ctx, tp, isr);
        }
    }

    /// Every `replica.lag.time.max.ms / 2`: propose dropping followers that
    /// have not caught up within `replica.lag.time.max.ms`.
    pub(super) fn shrink_isrs(&mut self, ctx: &mut Ctx<'_>) {
        let lag = SimDuration::from_millis(self.config.replica_lag_time_max_ms);
        ctx.set_timer(lag / 2, Timer::Broker(BrokerTimer::IsrCheck));
        if !self.ready {
            return;
        }
        let me = self.id;
        let mut proposals: Vec<(TopicPartition, Vec<BrokerId>)> = Vec::new();
        for (&tp, p) in &self.partitions {
            if !p.is_leader(me) || p.pending_isr.is_some() {
                continue;
            }
            let leader_end = p.log.log_end_offset();
            let out_of_sync: Vec<BrokerId> = p
                .state
                .isr
                .iter()
                .copied()
                .filter(|&b| b != me)
                .filter(|b| {
                    p.followers
                        .get(b)
                        .is_none_or(|f| f.log_end_offset != leader_end && f.last_caught_up + lag < ctx.now)
                })
                .collect();
            if !out_of_sync.is_empty() {
                let isr = p.state.isr.iter().copied().filter(|b| !out_of_sync.contains(b)).collect();
                proposals.push((tp, isr));
            }
        }
        for (tp, isr) in proposals {
            self.propose_isr(ctx, tp, isr);
        }
    }

    fn propose_isr(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, new_isr: Vec<BrokerId>) {
        let Some(controller) = self.active_controller else {
            return;
        };
        let node = NodeId::Controller(controller);
        if !self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id) {
            self.wake_later(ctx);
            return;
        }
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        partition.pending_isr = Some(new_isr.clone());
        let (broker, broker_epoch) = (self.id, self.broker_epoch);
        let (leader_epoch, partition_epoch) = (partition.state.leader_epoch, partition.state.partition_epoch);
        self.send_request(ctx, node, Outgoing::AlterPartition(tp), |correlation_id| {
            Message::Controller(ControllerMessage::AlterPartitionRequest {
                correlation_id,
                broker,
                broker_epoch,
                tp,
                leader_epoch,
                partition_epoch,
                new_isr,
            })
        });
    }

    pub(super) fn on_alter_partition_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        error: ErrorCode,
        state: Option<PartitionState>,
    ) {
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        partition.pending_isr = None;
        if let (ErrorCode::None, Some(state)) = (error, state)
            && state.leader_epoch == partition.state.leader_epoch
            && state.partition_epoch >= partition.state.partition_epoch
        {
            partition.state = state;
            self.maybe_advance_high_watermark(ctx, tp);
        }
    }
}

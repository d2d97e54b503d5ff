//! Serving Produce: validate, append as leader, and answer at once (acks=1),
//! never (acks=0), or when the high watermark covers the write (acks=all).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::actor::{Ctx, Timer};
use crate::cluster::log::LeaderAppend;
use crate::cluster::record::{LogBatch, RecordBatch};
use crate::engine::SimDuration;
use crate::group::coordinator::CoordinatorWrite;
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{Acks, ErrorCode, Message, ProducePartitionResponse, ProduceRequest, ProduceResponse};
use crate::trace::TraceEvent;

use super::txn_api::TxnWrite;
use super::{Broker, BrokerTimer};

/// An acks=all produce waiting until every partition's high watermark passes its
/// last offset (Kafka's `DelayedProduce`).
#[derive(Clone, Debug)]
pub struct DelayedProduce {
    id: u64,
    from: NodeId,
    correlation_id: u64,
    results: Vec<ProducePartitionResponse>,
    /// Per partition still waiting: the offset the high watermark must reach.
    waiting: Vec<(TopicPartition, i64)>,
    /// Set when the group coordinator wrote this (an offset commit, a
    /// group's assignment): the coordinator answers it.
    write: Option<CoordinatorWrite>,
    /// Set when the transaction coordinator wrote this (a transit to
    /// `__transaction_state`): the coordinator answers it.
    txn_write: Option<TxnWrite>,
    /// Set for transaction markers written on the coordinator's
    /// WriteTxnMarkers (the producer id they mark): answered with a
    /// WriteTxnMarkersResponse.
    markers_of: Option<i64>,
}

impl DelayedProduce {
    pub(super) fn for_txn_write(
        id: u64,
        result: ProducePartitionResponse,
        tp: TopicPartition,
        required: Option<i64>,
        write: TxnWrite,
    ) -> Self {
        DelayedProduce {
            id,
            from: NodeId::Broker(crate::ids::BrokerId(0)),
            correlation_id: 0,
            results: vec![result],
            waiting: required.map(|r| vec![(tp, r)]).unwrap_or_default(),
            write: None,
            txn_write: Some(write),
            markers_of: None,
        }
    }

    pub(super) fn for_markers(
        id: u64,
        from: NodeId,
        correlation_id: u64,
        producer_id: i64,
        results: Vec<ProducePartitionResponse>,
        waiting: Vec<(TopicPartition, i64)>,
    ) -> Self {
        DelayedProduce {
            id,
            from,
            correlation_id,
            results,
            waiting,
            write: None,
            txn_write: None,
            markers_of: Some(producer_id),
        }
    }

    pub(super) fn id(&self) -> u64 {
        self.id
    }
}

impl Broker {
    pub(super) fn handle_produce(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: ProduceRequest) {
        if self.needs_transaction_verification(&request) {
            self.verify_transaction(ctx, from, request);
        } else {
            self.append_produce(ctx, from, request, &BTreeMap::new());
        }
    }

    /// Appends a Produce request's batches, except those of `refused`
    /// partitions (the transaction verification's errors), and answers as
    /// `acks` says.
    pub(super) fn append_produce(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        request: ProduceRequest,
        refused: &BTreeMap<TopicPartition, ErrorCode>,
    ) {
        let mut results = Vec::with_capacity(request.partitions.len());
        let mut waiting = Vec::new();
        for (tp, batch) in request.partitions {
            if let Some(&error) = refused.get(&tp) {
                let records = batch.len() as u32;
                ctx.trace(TraceEvent::ProduceRejected { broker: self.id, tp, error, records });
                results.push(ProducePartitionResponse { tp, error, base_offset: -1, log_start_offset: -1 });
                continue;
            }
            let (result, required_offset) = self.append_for_produce(ctx, tp, batch, request.acks);
            if let (Some(required), true) = (required_offset, result.error.is_ok()) {
                waiting.push((tp, required));
            }
            results.push(result);
        }
        for &(tp, _) in &waiting {
            self.maybe_advance_high_watermark(ctx, tp);
        }
        match request.acks {
            // acks=0 gets no answer; on an error Kafka closes the connection,
            // the only signal such a producer gets to refresh its metadata.
            Acks::None => {
                if results.iter().any(|r| !r.error.is_ok()) {
                    ctx.send(from, Message::ConnectionReset);
                }
            }
            Acks::Leader => respond(ctx, from, request.correlation_id, results),
            Acks::All => {
                let mut delayed = DelayedProduce {
                    id: self.next_delayed_id(),
                    from,
                    correlation_id: request.correlation_id,
                    results,
                    waiting,
                    write: None,
                    txn_write: None,
                    markers_of: None,
                };
                if self.try_complete_produce(&mut delayed) {
                    self.finish_delayed(ctx, delayed);
                } else {
                    ctx.set_timer(
                        SimDuration::from_millis(request.timeout_ms),
                        Timer::Broker(BrokerTimer::ProduceExpired(delayed.id)),
                    );
                    self.delayed_produces.push(delayed);
                }
            }
        }
    }

    /// Validates and appends one partition's batch. Returns the response entry
    /// and, for a successful write, the offset the high watermark must reach.
    pub(super) fn append_for_produce(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        batch: Arc<RecordBatch>,
        acks: Acks,
    ) -> (ProducePartitionResponse, Option<i64>) {
        let me = self.id;
        let records = batch.len() as u32;
        let mut reply = ProducePartitionResponse { tp, error: ErrorCode::None, base_offset: -1, log_start_offset: -1 };
        let ready = self.ready;
        let Some(partition) = self.partitions.get_mut(&tp).filter(|p| ready && p.is_leader(me)) else {
            reply.error = ErrorCode::NotLeaderOrFollower;
            ctx.trace(TraceEvent::ProduceRejected { broker: me, tp, error: reply.error, records });
            return (reply, None);
        };
        reply.log_start_offset = partition.log.log_start_offset();
        let error = if u64::from(batch.size_bytes()) > partition.config.max_message_bytes {
            ErrorCode::MessageTooLarge
        } else if partition.config.cleanup_policy.compact && batch.records().any(|r| r.key().is_none()) {
            ErrorCode::InvalidRecord
        } else if acks == Acks::All && partition.state.isr.len() < partition.effective_min_isr() {
            ErrorCode::NotEnoughReplicas
        } else {
            ErrorCode::None
        };
        if !error.is_ok() {
            reply.error = error;
            ctx.trace(TraceEvent::ProduceRejected { broker: me, tp, error, records });
            return (reply, None);
        }
        let epoch = partition.state.leader_epoch;
        match partition.log.append_as_leader(batch.clone(), epoch) {
            LeaderAppend::Appended { base_offset, last_offset } => {
                reply.base_offset = base_offset;
                ctx.trace(TraceEvent::Append {
                    broker: me,
                    tp,
                    batch: LogBatch { base_offset, partition_leader_epoch: epoch, batch },
                });
                self.on_partition_progress(ctx, tp);
                (reply, Some(last_offset + 1))
            }
            LeaderAppend::Duplicate { base_offset, last_offset } => {
                reply.base_offset = base_offset;
                ctx.trace(TraceEvent::DuplicateBatch { broker: me, tp, base_offset, records });
                (reply, Some(last_offset + 1))
            }
            LeaderAppend::OutOfOrderSequence { .. } => {
                reply.error = ErrorCode::OutOfOrderSequenceNumber;
                ctx.trace(TraceEvent::ProduceRejected { broker: me, tp, error: reply.error, records });
                (reply, None)
            }
            LeaderAppend::ProducerFenced => {
                reply.error = ErrorCode::InvalidProducerEpoch;
                ctx.trace(TraceEvent::ProduceRejected { broker: me, tp, error: reply.error, records });
                (reply, None)
            }
        }
    }

    /// Kafka's `checkEnoughReplicasReachOffset`: a partition is done when the high
    /// watermark passed its write; if the ISR meanwhile fell below
    /// min.insync.replicas the write stands but is answered
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND. Returns whether every partition is done.
    pub(super) fn try_complete_produce(&self, delayed: &mut DelayedProduce) -> bool {
        let me = self.id;
        delayed.waiting.retain(|&(tp, required)| {
            let Some(partition) = self.partitions.get(&tp) else {
                set_error(&mut delayed.results, tp, ErrorCode::NotLeaderOrFollower);
                return false;
            };
            if !partition.is_leader(me) {
                set_error(&mut delayed.results, tp, ErrorCode::NotLeaderOrFollower);
                return false;
            }
            if partition.log.high_watermark() >= required {
                if partition.state.isr.len() < partition.effective_min_isr() {
                    set_error(&mut delayed.results, tp, ErrorCode::NotEnoughReplicasAfterAppend);
                }
                return false;
            }
            true
        });
        delayed.waiting.is_empty()
    }

    pub(super) fn complete_delayed_produces(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        if !self.delayed_produces.iter().any(|d| d.waiting.iter().any(|w| w.0 == tp)) {
            return;
        }
        let pending = std::mem::take(&mut self.delayed_produces);
        let mut done = Vec::new();
        for mut delayed in pending {
            if self.try_complete_produce(&mut delayed) {
                done.push(delayed);
            } else {
                self.delayed_produces.push(delayed);
            }
        }
        for delayed in done {
            self.finish_delayed(ctx, delayed);
        }
    }

    /// Answers a completed write: a ProduceResponse, or the coordinator's
    /// answer to what it wrote.
    pub(super) fn finish_delayed(&mut self, ctx: &mut Ctx<'_>, mut delayed: DelayedProduce) {
        let error = delayed.results.iter().map(|r| r.error).find(|e| !e.is_ok()).unwrap_or(ErrorCode::None);
        if let Some(write) = delayed.txn_write.take() {
            self.on_txn_write_done(ctx, write, error);
            return;
        }
        if let Some(producer_id) = delayed.markers_of {
            let results = delayed.results.iter().map(|r| (r.tp, r.error)).collect();
            ctx.send(
                delayed.from,
                Message::Txn(crate::protocol::TxnMessage::WriteTxnMarkersResponse {
                    correlation_id: delayed.correlation_id,
                    producer_id,
                    results,
                }),
            );
            return;
        }
        match delayed.write.take() {
            Some(CoordinatorWrite::Commit(commit)) => {
                // A commit that cannot be written here means the coordinator moved
                // (`GroupMetadataManager.storeOffsets`).
                let error = match error {
                    ErrorCode::None => ErrorCode::None,
                    ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
                    ErrorCode::RequestTimedOut => ErrorCode::RequestTimedOut,
                    _ => ErrorCode::CoordinatorNotAvailable,
                };
                self.coordinator.on_commit_done(ctx, commit, error);
            }
            Some(CoordinatorWrite::Assignment { group, generation }) => {
                // `GroupMetadataManager.storeGroup`'s mapping.
                let error = match error {
                    ErrorCode::None => ErrorCode::None,
                    ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
                    ErrorCode::RequestTimedOut => ErrorCode::RebalanceInProgress,
                    _ => ErrorCode::CoordinatorNotAvailable,
                };
                self.coordinator.on_assignment_written(ctx, &group, generation, error);
            }
            None => respond(ctx, delayed.from, delayed.correlation_id, delayed.results),
        }
    }

    /// Writes a record of the group coordinator's to a `__consumer_offsets`
    /// partition; the coordinator answers once the write is committed
    /// (replicated), or fails after `offsets.commit.timeout.ms`.
    pub(super) fn append_coordinator_write(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        write: CoordinatorWrite,
        batch: Arc<RecordBatch>,
    ) {
        let (result, required) = self.append_for_produce(ctx, tp, batch, Acks::All);
        let (from, correlation_id) = match &write {
            CoordinatorWrite::Commit(commit) => (commit.from, commit.correlation_id),
            CoordinatorWrite::Assignment { .. } => (ctx.me, 0),
        };
        let mut delayed = DelayedProduce {
            id: self.next_delayed_id(),
            from,
            correlation_id,
            results: vec![result],
            waiting: required.map(|r| vec![(tp, r)]).unwrap_or_default(),
            write: Some(write),
            txn_write: None,
            markers_of: None,
        };
        self.maybe_advance_high_watermark(ctx, tp);
        if self.try_complete_produce(&mut delayed) {
            self.finish_delayed(ctx, delayed);
        } else {
            let timeout = SimDuration::from_millis(self.config.offsets_commit_timeout_ms);
            ctx.set_timer(timeout, Timer::Broker(BrokerTimer::ProduceExpired(delayed.id)));
            self.delayed_produces.push(delayed);
        }
    }

    /// A write of the broker's own (group metadata) that nobody waits for.
    pub(super) fn append_internal(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, batch: Arc<RecordBatch>) {
        let _ = self.append_for_produce(ctx, tp, batch, Acks::All);
        self.maybe_advance_high_watermark(ctx, tp);
    }

    /// This broker stopped leading `tp`: parked writes to it are answered
    /// NOT_LEADER_OR_FOLLOWER (their data may still be in the log).
    pub(super) fn fail_delayed_produces(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        let pending = std::mem::take(&mut self.delayed_produces);
        let mut done = Vec::new();
        for mut delayed in pending {
            if delayed.waiting.iter().any(|w| w.0 == tp) {
                delayed.waiting.retain(|w| w.0 != tp);
                set_error(&mut delayed.results, tp, ErrorCode::NotLeaderOrFollower);
            }
            if delayed.waiting.is_empty() {
                done.push(delayed);
            } else {
                self.delayed_produces.push(delayed);
            }
        }
        for delayed in done {
            self.finish_delayed(ctx, delayed);
        }
    }

    pub(super) fn expire_produce(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some(index) = self.delayed_produces.iter().position(|d| d.id == id) else {
            return;
        };
        let mut delayed = self.delayed_produces.swap_remove(index);
        for (tp, _) in std::mem::take(&mut delayed.waiting) {
            set_error(&mut delayed.results, tp, ErrorCode::RequestTimedOut);
        }
        self.finish_delayed(ctx, delayed);
    }
}

fn set_error(results: &mut [ProducePartitionResponse], tp: TopicPartition, error: ErrorCode) {
    if let Some(r) = results.iter_mut().find(|r| r.tp == tp) {
        r.error = error;
    }
}

fn respond(ctx: &mut Ctx<'_>, to: NodeId, correlation_id: u64, partitions: Vec<ProducePartitionResponse>) {
    ctx.send(to, Message::ProduceResponse(ProduceResponse { correlation_id, partitions }));
}

//! Serving transactional producers: FindCoordinator(TRANSACTION) from any
//! broker; InitProducerId, AddPartitionsToTxn and EndTxn on the broker
//! leading the id's `__transaction_state` partition, whose transaction
//! coordinator decides, writes its decision to that partition, and answers
//! once the write is replicated (`TransactionStateManager.appendTransactionToLog`).
//!
//! Every `transaction.abort.timed.out.transaction.cleanup.interval.ms`
//! (10 s) the coordinator fences and aborts the open transactions older than
//! their `transaction.timeout.ms` (`TransactionCoordinator.abortTimedOutTransactions`).

use std::sync::Arc;

use crate::actor::{Ctx, Timer};
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::engine::SimDuration;
use crate::ids::{NodeId, RecordId, TopicPartition};
use crate::protocol::{Acks, ErrorCode, InitProducerIdRequest, InitProducerIdResponse, Message, TxnMessage};
use crate::trace::TraceEvent;
use crate::txn::coordinator::InitOutcome;
use crate::txn::coordinator::end_txn::EndTxnOutcome;
use crate::txn::log_record::{TxnLogValue, txn_key};
use crate::txn::metadata::TxnTransit;
use crate::txn::state::TransactionState;

use super::produce::DelayedProduce;
use super::{Broker, BrokerTimer, Outgoing};

/// The broker's `request.timeout.ms` (30 s), which bounds the coordinator's
/// writes to `__transaction_state` (`TransactionConfig.requestTimeoutMs`).
const TXN_LOG_WRITE_TIMEOUT_MS: u64 = 30_000;

/// A transit being written to `__transaction_state`, and who waits for it.
#[derive(Clone, Debug)]
pub struct TxnWrite {
    pub transactional_id: String,
    pub transit: TxnTransit,
    pub reply: TxnReply,
}

/// The answer a write completes.
#[derive(Clone, Debug)]
pub enum TxnReply {
    InitProducerId {
        from: NodeId,
        correlation_id: u64,
    },
    /// A partition leader's AddPartitionsToTxn.
    AddPartitions {
        from: NodeId,
        correlation_id: u64,
    },
    /// EndTxn of the producer; `None` for the coordinator's own abort.
    EndTxn {
        from: Option<(NodeId, u64)>,
    },
    /// The coordinator fenced a timed-out transaction: abort it next.
    TimeoutFence,
    /// CompleteCommit or CompleteAbort: nobody waits.
    Complete,
}

impl Broker {
    pub(super) fn handle_txn(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: TxnMessage) {
        if let Some(correlation_id) = message.response_correlation_id() {
            return self.on_txn_response(ctx, correlation_id, message);
        }
        match message {
            TxnMessage::FindCoordinatorRequest { correlation_id, transactional_id } => {
                let leader = self
                    .transaction_state_partition(&transactional_id)
                    .and_then(|tp| self.metadata.partition(tp).and_then(|p| p.leader));
                let error = if leader.is_some() { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
                ctx.send(
                    from,
                    Message::Txn(TxnMessage::FindCoordinatorResponse { correlation_id, error, coordinator: leader }),
                );
            }
            TxnMessage::AddPartitionsToTxnRequest(request) => self.handle_add_partitions_to_txn(ctx, from, request),
            TxnMessage::EndTxnRequest { correlation_id, transactional_id, producer_id, producer_epoch, committed } => {
                self.handle_end_txn(
                    ctx,
                    Some((from, correlation_id)),
                    transactional_id,
                    (producer_id, producer_epoch),
                    committed,
                )
            }
            TxnMessage::WriteTxnMarkersRequest {
                correlation_id,
                producer_id,
                producer_epoch,
                marker,
                partitions,
                ..
            } => self.handle_write_txn_markers(
                ctx,
                from,
                correlation_id,
                (producer_id, producer_epoch),
                marker,
                partitions,
            ),
            _ => {}
        }
    }

    /// An answer to a request of this broker's own: a verification or markers.
    fn on_txn_response(&mut self, ctx: &mut Ctx<'_>, correlation_id: u64, message: TxnMessage) {
        let Some(what) = self.in_flight.remove(&correlation_id) else { return };
        match (what, message) {
            (Outgoing::TxnVerify { parked, .. }, TxnMessage::AddPartitionsToTxnResponse { error, .. }) => {
                self.on_transaction_verified(ctx, parked, error);
            }
            (
                Outgoing::TxnMarkers { transactional_id, partitions, .. },
                TxnMessage::WriteTxnMarkersResponse { results, .. },
            ) => self.on_txn_markers_done(ctx, &transactional_id, &partitions, &results),
            _ => {}
        }
    }

    /// EndTxn from the producer (`reply_to`), or the coordinator's own abort.
    pub(super) fn handle_end_txn(
        &mut self,
        ctx: &mut Ctx<'_>,
        reply_to: Option<(NodeId, u64)>,
        transactional_id: String,
        producer: (i64, i16),
        committed: bool,
    ) {
        let reply = |ctx: &mut Ctx<'_>, error, producer_id, producer_epoch| {
            if let Some((to, correlation_id)) = reply_to {
                ctx.send(
                    to,
                    Message::Txn(TxnMessage::EndTxnResponse { correlation_id, error, producer_id, producer_epoch }),
                );
            }
        };
        let Some(tp) = self.transaction_state_partition(&transactional_id) else {
            return reply(ctx, ErrorCode::CoordinatorNotAvailable, -1, -1);
        };
        if !self.ready || !self.txn_coordinator.owns(&transactional_id) {
            return reply(ctx, ErrorCode::NotCoordinator, -1, -1);
        }
        let next_producer_id = &mut self.next_producer_id;
        let outcome = self.txn_coordinator.handle_end_txn(
            &transactional_id,
            producer,
            committed,
            || {
                let id = *next_producer_id;
                *next_producer_id += 1;
                id
            },
            ctx.now.as_millis(),
        );
        match outcome {
            EndTxnOutcome::Reply(error, producer_id, producer_epoch) => reply(ctx, error, producer_id, producer_epoch),
            EndTxnOutcome::Write(transit) => {
                let reply = TxnReply::EndTxn { from: reply_to };
                self.append_txn_write(ctx, tp, TxnWrite { transactional_id, transit, reply });
            }
        }
    }

    /// After a fence (a new instance, a timeout) was written: the
    /// coordinator aborts the open transaction with the fenced epoch.
    fn abort_fenced_transaction(&mut self, ctx: &mut Ctx<'_>, transactional_id: &str) {
        let Some(metadata) = self.txn_coordinator.transactions.get(transactional_id) else { return };
        let producer = (metadata.producer_id, metadata.producer_epoch);
        self.handle_end_txn(ctx, None, transactional_id.to_string(), producer, false);
    }

    /// `abortTimedOutTransactions`: fence and abort every open transaction
    /// older than its `transaction.timeout.ms`, then look again later.
    pub(super) fn abort_timed_out_transactions(&mut self, ctx: &mut Ctx<'_>) {
        if !self.alive {
            return;
        }
        for (transactional_id, _, _) in self.txn_coordinator.timed_out_transactions(ctx.now.as_millis()) {
            let Some(tp) = self.transaction_state_partition(&transactional_id) else { continue };
            let Some(transit) = self.txn_coordinator.prepare_fence(&transactional_id) else { continue };
            ctx.trace(TraceEvent::Action {
                text: format!(
                    "broker {}, transaction coordinator of `{transactional_id}`: its transaction has been open longer \
                     than transaction.timeout.ms={}: the coordinator fences epoch {} and aborts it",
                    self.id,
                    transit.txn_timeout_ms,
                    transit.producer_epoch.saturating_sub(1)
                ),
            });
            self.append_txn_write(ctx, tp, TxnWrite { transactional_id, transit, reply: TxnReply::TimeoutFence });
        }
        ctx.set_timer(
            SimDuration::from_millis(self.config.transaction_abort_timed_out_transaction_cleanup_interval_ms),
            Timer::Broker(BrokerTimer::TxnAbortCheck),
        );
    }

    /// The `__transaction_state` partition of an id, when the cluster has the topic.
    pub(super) fn transaction_state_partition(&self, transactional_id: &str) -> Option<TopicPartition> {
        let topic = self.transaction_state_topic?;
        Some(TopicPartition::new(topic, self.txn_coordinator.partition_for(transactional_id)))
    }

    /// InitProducerId of a transactional producer, at its coordinator.
    pub(super) fn handle_transactional_init(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        request: InitProducerIdRequest,
        transactional_id: String,
    ) {
        let refuse = |ctx: &mut Ctx<'_>, error: ErrorCode| {
            ctx.send(
                from,
                Message::InitProducerIdResponse(InitProducerIdResponse {
                    correlation_id: request.correlation_id,
                    error,
                    producer_id: -1,
                    producer_epoch: -1,
                }),
            );
        };
        let Some(tp) = self.transaction_state_partition(&transactional_id) else {
            return refuse(ctx, ErrorCode::CoordinatorNotAvailable);
        };
        if !self.ready || !self.txn_coordinator.owns(&transactional_id) {
            return refuse(ctx, ErrorCode::NotCoordinator);
        }
        let next_producer_id = &mut self.next_producer_id;
        let outcome = self.txn_coordinator.handle_init_producer_id(
            &transactional_id,
            request.transaction_timeout_ms,
            request.producer_id_and_epoch,
            || {
                let id = *next_producer_id;
                *next_producer_id += 1;
                id
            },
            ctx.now.as_millis(),
        );
        match outcome {
            InitOutcome::Refuse(error) => refuse(ctx, error),
            InitOutcome::Write(transit) => {
                let reply = TxnReply::InitProducerId { from, correlation_id: request.correlation_id };
                self.append_txn_write(ctx, tp, TxnWrite { transactional_id, transit, reply });
            }
        }
    }

    /// Appends a transit to the id's `__transaction_state` partition; the
    /// coordinator adopts it once the high watermark covers it.
    pub(super) fn append_txn_write(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, write: TxnWrite) {
        let topics = &self.metadata.topics;
        let value = TxnLogValue::of(&write.transit, |t| topics.get(&t).map_or("?", |t| t.name.as_str()).to_string());
        let mut builder = RecordBatchBuilder::new(ProducerStamp::NONE);
        builder.push(
            RecordId::INTERNAL,
            ctx.now.as_millis(),
            Some(txn_key(&write.transactional_id).as_bytes()),
            Some(value.to_json().as_bytes()),
            &[],
        );
        let (result, required) = self.append_for_produce(ctx, tp, Arc::new(builder.build()), Acks::All);
        let mut delayed = DelayedProduce::for_txn_write(self.next_delayed_id(), result, tp, required, write);
        self.maybe_advance_high_watermark(ctx, tp);
        if self.try_complete_produce(&mut delayed) {
            self.finish_delayed(ctx, delayed);
        } else {
            let timeout = SimDuration::from_millis(TXN_LOG_WRITE_TIMEOUT_MS);
            ctx.set_timer(timeout, Timer::Broker(BrokerTimer::ProduceExpired(delayed.id())));
            self.delayed_produces.push(delayed);
        }
    }

    /// A transit's write finished (replicated, or failed with `error`).
    pub(super) fn on_txn_write_done(&mut self, ctx: &mut Ctx<'_>, write: TxnWrite, error: ErrorCode) {
        let error = self.txn_coordinator.on_write_done(&write.transactional_id, &write.transit, error);
        if error.is_ok()
            && let Some(tp) = self.transaction_state_partition(&write.transactional_id)
        {
            ctx.trace(TraceEvent::TransactionState {
                broker: self.id,
                transactional_id: write.transactional_id.clone(),
                tp,
                state: write.transit.state,
                producer_id: write.transit.producer_id,
                producer_epoch: write.transit.producer_epoch,
            });
        }
        let fence_written = error.is_ok() && write.transit.state == TransactionState::PrepareEpochFence;
        match write.reply {
            TxnReply::AddPartitions { from, correlation_id } => {
                ctx.send(from, Message::Txn(TxnMessage::AddPartitionsToTxnResponse { correlation_id, error }));
            }
            TxnReply::EndTxn { from } => {
                let (producer_id, producer_epoch) =
                    if error.is_ok() { (write.transit.producer_id, write.transit.producer_epoch) } else { (-1, -1) };
                if let Some((to, correlation_id)) = from {
                    ctx.send(
                        to,
                        Message::Txn(TxnMessage::EndTxnResponse { correlation_id, error, producer_id, producer_epoch }),
                    );
                }
                if error.is_ok() {
                    self.start_markers(ctx, &write.transactional_id, &write.transit);
                }
            }
            TxnReply::TimeoutFence => {
                if fence_written {
                    self.abort_fenced_transaction(ctx, &write.transactional_id);
                }
            }
            TxnReply::Complete => {}
            TxnReply::InitProducerId { from, correlation_id } => {
                if fence_written {
                    self.abort_fenced_transaction(ctx, &write.transactional_id);
                }
                // A fence is followed by an abort; the caller retries meanwhile.
                let error = if error.is_ok() && write.transit.state == TransactionState::PrepareEpochFence {
                    ErrorCode::ConcurrentTransactions
                } else {
                    error
                };
                let (producer_id, producer_epoch) =
                    if error.is_ok() { (write.transit.producer_id, write.transit.producer_epoch) } else { (-1, -1) };
                ctx.send(
                    from,
                    Message::InitProducerIdResponse(InitProducerIdResponse {
                        correlation_id,
                        error,
                        producer_id,
                        producer_epoch,
                    }),
                );
            }
        }
    }

    /// Leadership of a `__transaction_state` partition moved here or away:
    /// load or drop the ids it holds.
    pub(super) fn on_transaction_state_leadership(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, leading: bool) {
        if self.transaction_state_topic != Some(tp.topic) {
            return;
        }
        if leading {
            let Some(partition) = self.partitions.get(&tp) else { return };
            let topics = &self.metadata.topics;
            let resolve = |name: &str| topics.iter().find(|(_, t)| t.name == name).map(|(&id, _)| id);
            self.txn_coordinator.load(tp.partition, &partition.log, resolve);
            self.resume_loaded_transactions(ctx, tp.partition);
            if !self.txn_abort_check_armed {
                self.txn_abort_check_armed = true;
                ctx.set_timer(
                    SimDuration::from_millis(self.config.transaction_abort_timed_out_transaction_cleanup_interval_ms),
                    Timer::Broker(BrokerTimer::TxnAbortCheck),
                );
            }
        } else {
            self.txn_coordinator.unload(tp.partition);
            self.drop_markers_of(tp.partition);
        }
    }

    /// A new coordinator finds transactions whose PrepareCommit or
    /// PrepareAbort was written but not completed: it writes their markers
    /// (`loadTransactionsForTxnTopicPartition` hands them to the marker
    /// channel), and aborts those caught between a fence and its abort.
    fn resume_loaded_transactions(&mut self, ctx: &mut Ctx<'_>, partition: u32) {
        let num_partitions = self.txn_coordinator.num_partitions;
        let loaded: Vec<(String, crate::txn::metadata::TxnTransit)> = self
            .txn_coordinator
            .transactions
            .iter()
            .filter(|(id, m)| {
                crate::txn::coordinator_partition::transaction_state_partition(id, num_partitions) == partition
                    && matches!(
                        m.state,
                        TransactionState::PrepareCommit
                            | TransactionState::PrepareAbort
                            | TransactionState::PrepareEpochFence
                    )
            })
            .map(|(id, m)| (id.clone(), m.current()))
            .collect();
        for (id, transit) in loaded {
            if transit.state == TransactionState::PrepareEpochFence {
                self.abort_fenced_transaction(ctx, &id);
            } else {
                self.start_markers(ctx, &id, &transit);
            }
        }
    }
}

//! Serving transactional producers: FindCoordinator(TRANSACTION) from any
//! broker; InitProducerId on the broker leading the id's
//! `__transaction_state` partition, whose transaction coordinator decides,
//! writes its decision to that partition, and answers once the write is
//! replicated (`TransactionStateManager.appendTransactionToLog`).

use std::sync::Arc;

use crate::actor::{Ctx, Timer};
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::engine::SimDuration;
use crate::ids::{NodeId, RecordId, TopicPartition};
use crate::protocol::{Acks, ErrorCode, InitProducerIdRequest, InitProducerIdResponse, Message, TxnMessage};
use crate::trace::TraceEvent;
use crate::txn::coordinator::InitOutcome;
use crate::txn::log_record::{TxnLogValue, txn_key};
use crate::txn::metadata::TxnTransit;
use crate::txn::state::TransactionState;

use super::produce::DelayedProduce;
use super::{Broker, BrokerTimer};

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
    InitProducerId { from: NodeId, correlation_id: u64 },
}

impl Broker {
    pub(super) fn handle_txn(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: TxnMessage) {
        if let TxnMessage::FindCoordinatorRequest { correlation_id, transactional_id } = message {
            let leader = self
                .transaction_state_partition(&transactional_id)
                .and_then(|tp| self.metadata.partition(tp).and_then(|p| p.leader));
            let error = if leader.is_some() { ErrorCode::None } else { ErrorCode::CoordinatorNotAvailable };
            ctx.send(
                from,
                Message::Txn(TxnMessage::FindCoordinatorResponse { correlation_id, error, coordinator: leader }),
            );
        }
    }

    /// The `__transaction_state` partition of an id, when the cluster has the topic.
    fn transaction_state_partition(&self, transactional_id: &str) -> Option<TopicPartition> {
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
    fn append_txn_write(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, write: TxnWrite) {
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
        match write.reply {
            TxnReply::InitProducerId { from, correlation_id } => {
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
    pub(super) fn on_transaction_state_leadership(&mut self, tp: TopicPartition, leading: bool) {
        if self.transaction_state_topic != Some(tp.topic) {
            return;
        }
        if leading {
            let Some(partition) = self.partitions.get(&tp) else { return };
            let topics = &self.metadata.topics;
            let resolve = |name: &str| topics.iter().find(|(_, t)| t.name == name).map(|(&id, _)| id);
            self.txn_coordinator.load(tp.partition, &partition.log, resolve);
        } else {
            self.txn_coordinator.unload(tp.partition);
        }
    }
}

//! The transactional side of a producer (Kafka's `TransactionManager`):
//! `initTransactions()` finds the id's transaction coordinator with
//! FindCoordinator(TRANSACTION) and asks it for a producer id and epoch with
//! InitProducerId, retrying while the coordinator moves or is busy.
//!
//! Errors, as `TransactionManager.InitProducerIdHandler` treats them:
//! NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE look the coordinator up
//! again; CONCURRENT_TRANSACTIONS and COORDINATOR_LOAD_IN_PROGRESS retry
//! after `retry.backoff.ms`; PRODUCER_FENCED is fatal: the application must
//! close the producer.

use crate::actor::Ctx;
use crate::client::transaction_plan::TransactionPlan;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, NodeId};
use crate::protocol::{ErrorCode, InitProducerIdRequest, Message, TxnMessage};
use crate::trace::TraceEvent;

use super::{InFlight, Producer};

/// Where the client's side of the transaction protocol stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnClientState {
    /// `initTransactions()` has not finished.
    Uninitialized,
    /// It has: the producer holds its producer id and epoch.
    Ready,
    /// Fenced or otherwise failed: only `close()` is left.
    FatalError,
}

#[derive(Clone, Debug)]
pub struct TransactionManager {
    pub transactional_id: String,
    pub plan: TransactionPlan,
    pub coordinator: Option<BrokerId>,
    pub state: TxnClientState,
    /// No coordinator request before this (after a retriable error).
    backoff_until: SimTime,
}

impl TransactionManager {
    pub fn new(transactional_id: String, plan: TransactionPlan) -> Self {
        TransactionManager {
            transactional_id,
            plan,
            coordinator: None,
            state: TxnClientState::Uninitialized,
            backoff_until: SimTime::ZERO,
        }
    }

    /// When the next coordinator request may go, if it waits.
    pub fn next_retry(&self, now: SimTime) -> Option<SimTime> {
        (self.state == TxnClientState::Uninitialized && self.backoff_until > now).then_some(self.backoff_until)
    }
}

impl Producer {
    /// `initTransactions()`: FindCoordinator, then InitProducerId to the coordinator.
    pub(super) fn init_transactions(&mut self, ctx: &mut Ctx<'_>) {
        let Some(txn) = &self.transactions else { return };
        if txn.state != TxnClientState::Uninitialized
            || ctx.now < txn.backoff_until
            || self
                .in_flight
                .values()
                .any(|f| matches!(f, InFlight::InitProducerId { .. } | InFlight::FindCoordinator { .. }))
        {
            return;
        }
        let transactional_id = txn.transactional_id.clone();
        match txn.coordinator {
            None => {
                let Some(broker) = self.pick_broker(ctx) else { return };
                let correlation_id = self.next_correlation_id();
                ctx.send(
                    NodeId::Broker(broker),
                    Message::Txn(TxnMessage::FindCoordinatorRequest { correlation_id, transactional_id }),
                );
                self.track_request(ctx, correlation_id, InFlight::FindCoordinator { broker });
            }
            Some(coordinator) => {
                let node = NodeId::Broker(coordinator);
                if !self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id) {
                    return;
                }
                let correlation_id = self.next_correlation_id();
                ctx.send(
                    node,
                    Message::InitProducerIdRequest(InitProducerIdRequest {
                        correlation_id,
                        transactional_id: Some(transactional_id),
                        transaction_timeout_ms: self.config.transaction_timeout_ms,
                        producer_id_and_epoch: None,
                    }),
                );
                self.track_request(ctx, correlation_id, InFlight::InitProducerId { broker: coordinator });
            }
        }
    }

    pub(super) fn on_find_coordinator(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode, coordinator: Option<BrokerId>) {
        let backoff = SimDuration::from_millis(self.config.retry_backoff_ms);
        let Some(txn) = &mut self.transactions else { return };
        match coordinator {
            Some(broker) if error.is_ok() => txn.coordinator = Some(broker),
            _ => txn.backoff_until = ctx.now + backoff,
        }
    }

    /// InitProducerId failed at the coordinator or on the way.
    pub(super) fn on_init_producer_id_error(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        let backoff = SimDuration::from_millis(self.config.retry_backoff_ms);
        let idx = self.idx;
        let Some(txn) = &mut self.transactions else { return };
        match error {
            ErrorCode::ProducerFenced | ErrorCode::InvalidProducerEpoch => {
                txn.state = TxnClientState::FatalError;
                ctx.trace(TraceEvent::ProducerFailed {
                    producer: idx,
                    exception: "ProducerFencedException".to_string(),
                    reason: format!(
                        "another instance with transactional.id `{}` has a newer epoch: this one must close",
                        txn.transactional_id
                    ),
                });
            }
            ErrorCode::NotCoordinator
            | ErrorCode::CoordinatorNotAvailable
            | ErrorCode::NetworkException
            | ErrorCode::RequestTimedOut => {
                txn.coordinator = None;
                txn.backoff_until = ctx.now + backoff;
            }
            _ => txn.backoff_until = ctx.now + backoff,
        }
    }

    /// The producer id and epoch arrived: `initTransactions()` returns.
    pub(super) fn on_transactions_initialized(&mut self) {
        if let Some(txn) = &mut self.transactions {
            txn.state = TxnClientState::Ready;
        }
    }
}

//! The transactional side of a producer (Kafka's `TransactionManager`), as a
//! Kafka 4.0 client speaks it with `transaction.version=2`:
//!
//! - `initTransactions()` finds the id's transaction coordinator with
//!   FindCoordinator(TRANSACTION) and asks it for a producer id and epoch
//!   with InitProducerId, retrying while the coordinator moves or is busy.
//! - `beginTransaction()` is the client's own business; the first `send()`
//!   opens the transaction. The client sends no AddPartitionsToTxn: each
//!   partition leader adds its partition when the first transactional
//!   batch arrives (KIP-890 part 2).
//! - `commitTransaction()` flushes every record of the transaction, then
//!   sends EndTxn(COMMIT); `abortTransaction()` sends EndTxn(ABORT). The
//!   answer carries the bumped epoch the next transaction uses, and the
//!   sequence numbers start again at 0.
//!
//! The application's work keeps arriving while it is blocked in
//! `initTransactions()` or `commitTransaction()`: records wait in a backlog
//! and are sent once it returns.
//!
//! Errors, as `TransactionManager` treats them: NOT_COORDINATOR and
//! COORDINATOR_NOT_AVAILABLE look the coordinator up again;
//! CONCURRENT_TRANSACTIONS and COORDINATOR_LOAD_IN_PROGRESS retry after
//! `retry.backoff.ms`; a failed batch (INVALID_PRODUCER_EPOCH among them) is
//! an *abortable* error: the commit fails and the application aborts;
//! PRODUCER_FENCED is fatal: the application must close the producer.

use crate::actor::Ctx;
use crate::client::transaction_plan::{TransactionEnd, TransactionPlan};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, NodeId, RecordId};
use crate::protocol::{ErrorCode, InitProducerIdRequest, Message, TxnMessage};
use crate::trace::TraceEvent;

use super::{InFlight, Producer};

/// Where the client's side of the transaction protocol stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnClientState {
    /// `initTransactions()` has not finished.
    Uninitialized,
    /// It has: the producer holds its producer id and epoch; no transaction open.
    Ready,
    /// A transaction is open: records are being sent in it.
    InTransaction,
    /// `commitTransaction()` (or `abortTransaction()`) was called and has
    /// not returned.
    Ending { committed: bool },
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
    /// Records the application has to send, waiting while it is blocked.
    pub backlog: u64,
    /// The number of the transaction open or next (0-based, in plan order).
    pub index: u64,
    /// The records sent in the open transaction.
    pub records: Vec<RecordId>,
    /// A batch of the open transaction failed: it can only be aborted.
    abortable: Option<String>,
}

impl TransactionManager {
    pub fn new(transactional_id: String, plan: TransactionPlan) -> Self {
        TransactionManager {
            transactional_id,
            plan,
            coordinator: None,
            state: TxnClientState::Uninitialized,
            backoff_until: SimTime::ZERO,
            backlog: 0,
            index: 0,
            records: Vec::new(),
            abortable: None,
        }
    }

    /// When the next coordinator request may go, if it waits.
    pub fn next_retry(&self, now: SimTime) -> Option<SimTime> {
        let waits = matches!(self.state, TxnClientState::Uninitialized | TxnClientState::Ending { .. });
        (waits && self.backoff_until > now).then_some(self.backoff_until)
    }

    /// Whether the application may call `send()` now.
    fn can_send(&self) -> bool {
        matches!(self.state, TxnClientState::Ready | TxnClientState::InTransaction)
    }
}

impl Producer {
    /// `initTransactions()`: FindCoordinator, then InitProducerId to the coordinator.
    pub(super) fn init_transactions(&mut self, ctx: &mut Ctx<'_>) {
        let Some(txn) = &self.transactions else { return };
        if txn.state != TxnClientState::Uninitialized {
            return;
        }
        let transactional_id = txn.transactional_id.clone();
        let timeout_ms = self.config.transaction_timeout_ms;
        self.send_to_coordinator(ctx, |correlation_id| {
            Message::InitProducerIdRequest(InitProducerIdRequest {
                correlation_id,
                transactional_id: Some(transactional_id),
                transaction_timeout_ms: timeout_ms,
                producer_id_and_epoch: None,
            })
        });
    }

    /// Sends a request to the transaction coordinator, finding it first;
    /// nothing while another coordinator request is out or backing off.
    fn send_to_coordinator(&mut self, ctx: &mut Ctx<'_>, request: impl FnOnce(u64) -> Message) {
        let Some(txn) = &self.transactions else { return };
        if ctx.now < txn.backoff_until
            || self.in_flight.values().any(|f| {
                matches!(
                    f,
                    InFlight::InitProducerId { .. } | InFlight::FindCoordinator { .. } | InFlight::EndTxn { .. }
                )
            })
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
                let message = request(correlation_id);
                let flight = if matches!(message, Message::InitProducerIdRequest(_)) {
                    InFlight::InitProducerId { broker: coordinator }
                } else {
                    InFlight::EndTxn { broker: coordinator }
                };
                ctx.send(node, message);
                self.track_request(ctx, correlation_id, flight);
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

    /// A coordinator request failed with `error`: retry, look the
    /// coordinator up again, or give up for good.
    pub(super) fn on_coordinator_error(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        let backoff = SimDuration::from_millis(self.config.retry_backoff_ms);
        let idx = self.idx;
        let Some(txn) = &mut self.transactions else { return };
        match error {
            ErrorCode::ProducerFenced
            | ErrorCode::InvalidProducerEpoch
            | ErrorCode::InvalidProducerIdMapping
            | ErrorCode::InvalidTxnState => {
                txn.state = TxnClientState::FatalError;
                txn.backlog = 0;
                if !txn.records.is_empty() {
                    // Its open transaction was aborted by the coordinator.
                    ctx.trace(TraceEvent::TransactionEnded {
                        producer: idx,
                        outcome: "fenced",
                        producer_epoch: -1,
                        ids: std::mem::take(&mut txn.records),
                    });
                }
                let exception = error.exception_name().unwrap_or("KafkaException").to_string();
                ctx.trace(TraceEvent::ProducerFailed {
                    producer: idx,
                    exception,
                    reason: format!(
                        "{error}: the coordinator of transactional.id `{}` holds a newer epoch (a newer instance \
                         started, or the transaction timed out and was aborted): this producer must close",
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

    /// The connection to the coordinator failed: look it up again, as the
    /// Sender does for a disconnected coordinator request.
    pub(super) fn forget_coordinator_if(&mut self, broker: BrokerId) {
        if let Some(txn) = &mut self.transactions
            && txn.coordinator == Some(broker)
        {
            txn.coordinator = None;
        }
    }

    /// The producer id and epoch arrived: `initTransactions()` returns.
    pub(super) fn on_transactions_initialized(&mut self) {
        if let Some(txn) = &mut self.transactions {
            txn.state = TxnClientState::Ready;
        }
    }

    /// The application's tick: `count` more records to send in transactions.
    pub(super) fn queue_transactional_records(&mut self, ctx: &mut Ctx<'_>, count: u64) {
        if let Some(txn) = &mut self.transactions
            && txn.state != TxnClientState::FatalError
        {
            txn.backlog += count;
        }
        self.pump_transactions(ctx);
    }

    /// Sends backlog records while the application is not blocked, ending
    /// each transaction where the plan says.
    pub(super) fn pump_transactions(&mut self, ctx: &mut Ctx<'_>) {
        let mut wake_sender = false;
        loop {
            let Some(txn) = &self.transactions else { return };
            if !txn.can_send() || txn.backlog == 0 {
                break;
            }
            let (index, last) = txn.plan.transaction_of(self.sent);
            let topic = txn.plan.topic_of(self.sent);
            let mut record = self.workload.generate(self.sent, &self.name, ctx.now, &mut self.rng);
            record.topic = topic.filter(|t| *t != self.topic);
            let id = RecordId { producer: self.idx, number: self.sent };
            if let Some(txn) = &mut self.transactions {
                txn.backlog -= 1;
                txn.index = index;
                txn.state = TxnClientState::InTransaction;
                txn.records.push(id);
            }
            wake_sender |= self.send_from_application(ctx, record);
            if last {
                let end = self.transactions.as_ref().map(|t| t.plan.nth(index).end);
                match end {
                    Some(TransactionEnd::Crash) => {
                        self.crash_in_transaction(ctx);
                        return;
                    }
                    Some(end) => {
                        if let Some(txn) = &mut self.transactions {
                            txn.state = TxnClientState::Ending { committed: end == TransactionEnd::Commit };
                        }
                    }
                    None => {}
                }
                break;
            }
        }
        if wake_sender {
            self.run_sender(ctx);
        }
    }

    /// The plan's `crash`: the process dies with the transaction open.
    fn crash_in_transaction(&mut self, ctx: &mut Ctx<'_>) {
        let Some(txn) = &self.transactions else { return };
        let epoch = self.producer_id.map_or(-1, |(_, e)| e);
        ctx.trace(TraceEvent::TransactionEnded {
            producer: self.idx,
            outcome: "crash",
            producer_epoch: epoch,
            ids: txn.records.clone(),
        });
        // What was already sent reaches the brokers; the rest dies with the process.
        self.run_sender(ctx);
        self.crash();
    }

    /// `commitTransaction()` / `abortTransaction()`: once every record of
    /// the transaction is acknowledged or failed, EndTxn.
    pub(super) fn maybe_end_transaction(&mut self, ctx: &mut Ctx<'_>) {
        let Some(txn) = &self.transactions else { return };
        let TxnClientState::Ending { committed } = txn.state else { return };
        if self.unfinished_records() > 0 {
            return;
        }
        let mut committed = committed;
        if committed && let Some(error) = txn.abortable.clone() {
            ctx.trace(TraceEvent::Action {
                text: format!(
                    "{} commitTransaction() fails: a record of the transaction failed ({error}); the application \
                     calls abortTransaction()",
                    self.name
                ),
            });
            committed = false;
            if let Some(txn) = &mut self.transactions {
                txn.state = TxnClientState::Ending { committed };
            }
        }
        let Some((producer_id, producer_epoch)) = self.producer_id else { return };
        let Some(txn) = &self.transactions else { return };
        let transactional_id = txn.transactional_id.clone();
        self.send_to_coordinator(ctx, |correlation_id| {
            Message::Txn(TxnMessage::EndTxnRequest {
                correlation_id,
                transactional_id,
                producer_id,
                producer_epoch,
                committed,
            })
        });
    }

    /// EndTxn answered.
    pub(super) fn on_end_txn(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode, producer: (i64, i16)) {
        if !error.is_ok() {
            self.on_coordinator_error(ctx, error);
            return;
        }
        let Some(txn) = &mut self.transactions else { return };
        let TxnClientState::Ending { committed } = txn.state else { return };
        let ids = std::mem::take(&mut txn.records);
        txn.state = TxnClientState::Ready;
        txn.abortable = None;
        ctx.trace(TraceEvent::TransactionEnded {
            producer: self.idx,
            outcome: if committed { "commit" } else { "abort" },
            producer_epoch: producer.1,
            ids,
        });
        // TV2: the bumped epoch starts every partition's sequence at 0.
        self.producer_id = Some(producer);
        self.last_acked_sequence.clear();
        self.accumulator.reset_sequences();
        self.pump_transactions(ctx);
    }

    /// A batch of the open transaction failed for good.
    pub(super) fn on_transactional_batch_failed(&mut self, error: &str) {
        if let Some(txn) = &mut self.transactions
            && txn.abortable.is_none()
        {
            txn.abortable = Some(error.to_string());
        }
    }
}

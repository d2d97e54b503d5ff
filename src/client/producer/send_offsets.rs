//! The transactional producer driven by its application, as a
//! consume-transform-produce loop drives it (`TransactionManager` in the
//! Java client):
//!
//! - `beginTransaction()` and `send()` of the records derived from a poll
//!   ([`Producer::send_in_transaction`]);
//! - `sendOffsetsToTransaction(offsets, consumer.groupMetadata())`:
//!   AddOffsetsToTxn to the transaction coordinator, which adds the
//!   group's `__consumer_offsets` partition to the transaction; then
//!   FindCoordinator(GROUP) and TxnOffsetCommit to the group coordinator
//!   with the consumer's generation and member id (KIP-447);
//! - `commitTransaction()`, once every record is acknowledged and the
//!   offsets are in: EndTxn(COMMIT) ([`Producer::commit_with_offsets`]).
//!
//! Errors as `TxnOffsetCommitHandler` treats them: the coordinator moved or
//! is loading: look it up again and retry; ILLEGAL_GENERATION and
//! UNKNOWN_MEMBER_ID (`CommitFailedException`) and FENCED_INSTANCE_ID are
//! *abortable*: the partitions went to another member, so the commit turns
//! into an abort and the other member processes the input again.

use crate::actor::Ctx;
use crate::client::workload::Outgoing;
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, RecordId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, Message, TxnMessage};
use crate::trace::TraceEvent;

use super::transactional::TxnClientState;
use super::{InFlight, Producer};

/// Offsets the application hands `sendOffsetsToTransaction`, with the
/// consumer's group metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetsToSend {
    pub group: String,
    pub generation: i32,
    pub member_id: String,
    pub offsets: Vec<(TopicPartition, i64)>,
}

/// Where `sendOffsetsToTransaction` stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetsStep {
    /// AddOffsetsToTxn to the transaction coordinator is next.
    AddOffsets,
    /// TxnOffsetCommit to the group coordinator is next.
    CommitOffsets,
    /// The offsets are in the transaction (or failed: the commit aborts).
    Done,
}

/// The offsets of the open transaction and how far they got.
#[derive(Clone, Debug)]
pub struct OffsetsInTransaction {
    pub to_send: OffsetsToSend,
    pub step: OffsetsStep,
    pub group_coordinator: Option<BrokerId>,
}

impl Producer {
    /// Whether the application may send in a transaction now:
    /// `initTransactions()` returned and no commit is under way.
    pub fn transaction_open_for_sends(&self) -> bool {
        self.transactions
            .as_ref()
            .is_some_and(|t| matches!(t.state, TxnClientState::Ready | TxnClientState::InTransaction))
    }

    /// Whether the producer was fenced or failed for good.
    pub fn transaction_failed(&self) -> bool {
        self.transactions.as_ref().is_some_and(|t| t.state == TxnClientState::FatalError)
    }

    /// `beginTransaction()` if none is open, then `send()` of each record.
    /// Returns the records' ids.
    pub fn send_in_transaction(&mut self, ctx: &mut Ctx<'_>, records: Vec<Outgoing>) -> Vec<RecordId> {
        if !self.transaction_open_for_sends() {
            return Vec::new();
        }
        let mut ids = Vec::with_capacity(records.len());
        let mut wake_sender = false;
        for record in records {
            let id = RecordId { producer: self.idx, number: self.sent };
            if let Some(txn) = &mut self.transactions {
                txn.state = TxnClientState::InTransaction;
                txn.records.push(id);
            }
            ids.push(id);
            wake_sender |= self.send_from_application(ctx, record);
        }
        if wake_sender {
            self.run_sender(ctx);
        }
        ids
    }

    /// `sendOffsetsToTransaction(offsets, groupMetadata)` then
    /// `commitTransaction()`: the application blocks until EndTxn answers.
    pub fn commit_with_offsets(&mut self, ctx: &mut Ctx<'_>, to_send: OffsetsToSend) {
        if !self.transaction_open_for_sends() {
            return;
        }
        let Some(txn) = &mut self.transactions else { return };
        txn.offsets = Some(OffsetsInTransaction { to_send, step: OffsetsStep::AddOffsets, group_coordinator: None });
        txn.state = TxnClientState::Ending { committed: true };
        self.run_sender(ctx);
    }

    /// `abortTransaction()` of an open transaction (the application lost
    /// its partitions in a rebalance): EndTxn(ABORT) once every record of
    /// the transaction is acknowledged or failed. Returns whether an
    /// abort started.
    pub fn abort_open_transaction(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Some(txn) = &mut self.transactions else { return false };
        if txn.state != TxnClientState::InTransaction {
            return false;
        }
        txn.offsets = None;
        txn.state = TxnClientState::Ending { committed: false };
        self.run_sender(ctx);
        true
    }

    /// Whether the open transaction's offsets still have a step to take.
    pub(super) fn offsets_pending(&self) -> bool {
        self.transactions.as_ref().and_then(|t| t.offsets.as_ref()).is_some_and(|o| o.step != OffsetsStep::Done)
    }

    /// Takes the next step of `sendOffsetsToTransaction`, if one is due.
    pub(super) fn advance_offsets(&mut self, ctx: &mut Ctx<'_>) {
        let Some(txn) = &self.transactions else { return };
        let Some(offsets) = &txn.offsets else { return };
        if ctx.now < txn.backoff_until() || self.coordinator_request_out() {
            return;
        }
        let Some((producer_id, producer_epoch)) = self.producer_id else { return };
        match offsets.step {
            OffsetsStep::Done => {}
            OffsetsStep::AddOffsets => {
                let transactional_id = txn.transactional_id.clone();
                let group = offsets.to_send.group.clone();
                self.send_to_coordinator(ctx, |correlation_id| {
                    Message::Txn(TxnMessage::AddOffsetsToTxnRequest {
                        correlation_id,
                        transactional_id,
                        producer_id,
                        producer_epoch,
                        group,
                    })
                });
            }
            OffsetsStep::CommitOffsets => match offsets.group_coordinator {
                None => {
                    let group = offsets.to_send.group.clone();
                    let Some(broker) = self.pick_broker(ctx) else { return };
                    let correlation_id = self.next_correlation_id();
                    ctx.send(
                        NodeId::Broker(broker),
                        Message::Group(GroupMessage::FindCoordinatorRequest { correlation_id, group }),
                    );
                    self.track_request(ctx, correlation_id, InFlight::FindGroupCoordinator { broker });
                }
                Some(coordinator) => {
                    let node = NodeId::Broker(coordinator);
                    if !self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id) {
                        return;
                    }
                    let transactional_id = txn.transactional_id.clone();
                    let OffsetsToSend { group, generation, member_id, offsets } = offsets.to_send.clone();
                    let correlation_id = self.next_correlation_id();
                    ctx.send(
                        node,
                        Message::Group(GroupMessage::TxnOffsetCommitRequest {
                            correlation_id,
                            transactional_id,
                            group,
                            producer_id,
                            producer_epoch,
                            generation,
                            member_id,
                            offsets,
                        }),
                    );
                    self.track_request(ctx, correlation_id, InFlight::TxnOffsetCommit { broker: coordinator });
                }
            },
        }
    }

    /// AddOffsetsToTxn answered (or failed).
    pub(super) fn on_add_offsets_to_txn(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        if !error.is_ok() {
            self.on_coordinator_error(ctx, error);
            return;
        }
        if let Some(offsets) = self.transactions.as_mut().and_then(|t| t.offsets.as_mut()) {
            offsets.step = OffsetsStep::CommitOffsets;
        }
    }

    /// FindCoordinator(GROUP) answered (or failed).
    pub(super) fn on_find_group_coordinator(
        &mut self,
        ctx: &mut Ctx<'_>,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    ) {
        let backoff = SimDuration::from_millis(self.config.retry_backoff_ms);
        let Some(txn) = &mut self.transactions else { return };
        match coordinator {
            Some(broker) if error.is_ok() => {
                if let Some(offsets) = &mut txn.offsets {
                    offsets.group_coordinator = Some(broker);
                }
            }
            _ => txn.back_off(ctx.now + backoff),
        }
    }

    /// TxnOffsetCommit answered (or failed).
    pub(super) fn on_txn_offset_commit(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        let backoff = SimDuration::from_millis(self.config.retry_backoff_ms);
        let name = self.name.clone();
        let Some(txn) = &mut self.transactions else { return };
        let Some(offsets) = &mut txn.offsets else { return };
        match error {
            ErrorCode::None => offsets.step = OffsetsStep::Done,
            ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId | ErrorCode::FencedInstanceId => {
                offsets.step = OffsetsStep::Done;
                let exception = if error == ErrorCode::FencedInstanceId {
                    "FencedInstanceIdException"
                } else {
                    "CommitFailedException"
                };
                ctx.trace(TraceEvent::Action {
                    text: format!(
                        "{name}: TxnOffsetCommit answered {error}: the group has moved on to another generation and \
                         these partitions may belong to another member; sendOffsetsToTransaction() throws \
                         {exception} and the transaction can only abort"
                    ),
                });
                txn.mark_abortable(format!("{error} ({exception})"));
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable | ErrorCode::NetworkException => {
                offsets.group_coordinator = None;
                txn.back_off(ctx.now + backoff);
            }
            _ => txn.back_off(ctx.now + backoff),
        }
    }
}

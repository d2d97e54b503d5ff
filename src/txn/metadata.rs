//! One `transactional.id`'s state at its coordinator, and the checked
//! transitions between states (`TransactionMetadata.scala`).
//!
//! Every change goes in two steps. `prepare_*` computes the target
//! ([`TxnTransit`]), checks that the current state may move there, and marks
//! the transition pending, so a second request cannot start another one. The
//! coordinator writes the target to `__transaction_state`; once the write is
//! replicated, [`TransactionMetadata::complete_transition`] checks the target
//! against the current state once more (same producer, an epoch that moved
//! by one at most, partitions that only grew) and adopts it.
//!
//! The rules a student can check against a run:
//! - InitProducerId on a new id gives epoch 0; on a known id epoch + 1, which
//!   fences the previous instance (its epoch is now stale).
//! - A producer retrying InitProducerId with the epoch it last got is given
//!   the current epoch again; one with an older epoch is PRODUCER_FENCED.
//! - With `transaction.version=2` every EndTxn bumps the epoch, and the
//!   markers carry the bumped epoch.
//! - At epoch 32766 (`Short.MaxValue - 1`) the epochs are exhausted: the next
//!   bump takes a new producer id, epoch 0.

use std::collections::BTreeSet;

use super::state::TransactionState::{self, *};
use super::version::TransactionVersion;
use crate::ids::TopicPartition;

/// Kafka's `RecordBatch.NO_PRODUCER_ID`.
pub const NO_PRODUCER_ID: i64 = -1;
/// Kafka's `RecordBatch.NO_PRODUCER_EPOCH`.
pub const NO_PRODUCER_EPOCH: i16 = -1;

/// The target of a transition, as it is written to the log
/// (`TxnTransitMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnTransit {
    pub producer_id: i64,
    pub previous_producer_id: i64,
    pub next_producer_id: i64,
    pub producer_epoch: i16,
    pub last_producer_epoch: i16,
    pub txn_timeout_ms: u64,
    pub state: TransactionState,
    pub partitions: BTreeSet<TopicPartition>,
    pub txn_start_timestamp_ms: i64,
    pub txn_last_update_timestamp_ms: i64,
    pub client_transaction_version: TransactionVersion,
}

/// A transition the state machine refuses: a bug in the caller, never a
/// client's mistake (Kafka throws `IllegalStateException`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransitionError {
    /// Another transition is already pending.
    PendingTransition { pending: TransactionState, wanted: TransactionState },
    /// The target state may not follow the current one.
    InvalidTransition { from: TransactionState, to: TransactionState },
    /// Completing a transition that does not match what was prepared, or
    /// whose producer id, epoch or partitions moved unexpectedly.
    UnexpectedMetadata { to: TransactionState },
    /// No epoch is left to bump to (or to fence with).
    EpochsExhausted { producer_epoch: i16 },
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::PendingTransition { pending, wanted } => {
                write!(f, "cannot prepare {wanted} while a transition to {pending} is pending")
            }
            TransitionError::InvalidTransition { from, to } => write!(f, "{to} cannot follow {from}"),
            TransitionError::UnexpectedMetadata { to } => write!(f, "the transition to {to} has unexpected metadata"),
            TransitionError::EpochsExhausted { producer_epoch } => {
                write!(f, "no producer epoch is left after {producer_epoch}")
            }
        }
    }
}

/// InitProducerId's answer to an instance presenting an epoch that is neither
/// the current nor the last one: a newer instance replaced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerFenced;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionMetadata {
    pub transactional_id: String,
    pub producer_id: i64,
    /// The producer id of the last committed transaction, when the id rotated.
    pub previous_producer_id: i64,
    /// The producer id to move to when an EndTxn exhausted the epochs (TV2).
    pub next_producer_id: i64,
    pub producer_epoch: i16,
    /// The epoch before the last bump: lets a retried InitProducerId succeed.
    pub last_producer_epoch: i16,
    pub txn_timeout_ms: u64,
    pub state: TransactionState,
    /// The partitions of the open transaction.
    pub partitions: BTreeSet<TopicPartition>,
    /// When the first partition was added (-1 when none is open).
    pub txn_start_timestamp_ms: i64,
    pub txn_last_update_timestamp_ms: i64,
    pub client_transaction_version: TransactionVersion,
    /// The transition written to the log and not yet completed.
    pub pending_state: Option<TransactionState>,
    /// A fence whose log write failed: the next fence does not bump again
    /// (the bumped epoch was never handed out).
    pub has_failed_epoch_fence: bool,
}

/// `TransactionMetadata.isEpochExhausted`: the coordinator keeps
/// `Short.MaxValue` free so it can always fence the current epoch.
pub fn is_epoch_exhausted(producer_epoch: i16) -> bool {
    producer_epoch >= i16::MAX - 1
}

impl TransactionMetadata {
    /// A new id's metadata, before its first InitProducerId completes.
    pub fn new(transactional_id: &str, producer_id: i64, txn_timeout_ms: u64, now_ms: i64) -> Self {
        TransactionMetadata {
            transactional_id: transactional_id.to_string(),
            producer_id,
            previous_producer_id: NO_PRODUCER_ID,
            next_producer_id: NO_PRODUCER_ID,
            producer_epoch: NO_PRODUCER_EPOCH,
            last_producer_epoch: NO_PRODUCER_EPOCH,
            txn_timeout_ms,
            state: Empty,
            partitions: BTreeSet::new(),
            txn_start_timestamp_ms: -1,
            txn_last_update_timestamp_ms: now_ms,
            client_transaction_version: TransactionVersion::Tv0,
            pending_state: None,
            has_failed_epoch_fence: false,
        }
    }

    pub fn is_producer_epoch_exhausted(&self) -> bool {
        is_epoch_exhausted(self.producer_epoch)
    }

    /// What the metadata is now, as a transit (Kafka's `prepareNoTransit`):
    /// for writing an unchanged state, or rebuilding one from the log.
    pub fn current(&self) -> TxnTransit {
        TxnTransit {
            producer_id: self.producer_id,
            previous_producer_id: self.previous_producer_id,
            next_producer_id: self.next_producer_id,
            producer_epoch: self.producer_epoch,
            last_producer_epoch: self.last_producer_epoch,
            txn_timeout_ms: self.txn_timeout_ms,
            state: self.state,
            partitions: self.partitions.clone(),
            txn_start_timestamp_ms: self.txn_start_timestamp_ms,
            txn_last_update_timestamp_ms: self.txn_last_update_timestamp_ms,
            client_transaction_version: self.client_transaction_version,
        }
    }

    /// A newer instance (or the timeout) fences the current epoch before the
    /// open transaction is aborted (`prepareFenceProducerEpoch`).
    pub fn prepare_fence_producer_epoch(&mut self) -> Result<TxnTransit, TransitionError> {
        if self.producer_epoch == i16::MAX {
            return Err(TransitionError::EpochsExhausted { producer_epoch: self.producer_epoch });
        }
        let bumped = if self.has_failed_epoch_fence { self.producer_epoch } else { self.producer_epoch + 1 };
        let transit = TxnTransit {
            producer_epoch: bumped,
            last_producer_epoch: NO_PRODUCER_EPOCH,
            next_producer_id: NO_PRODUCER_ID,
            state: PrepareEpochFence,
            client_transaction_version: TransactionVersion::Tv0,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// InitProducerId on a known id (`prepareIncrementProducerEpoch`).
    /// `expected_epoch` is what a restarting producer presents (KIP-360);
    /// `None` for a new instance, which always bumps and fences the old one.
    pub fn prepare_increment_producer_epoch(
        &mut self,
        new_txn_timeout_ms: u64,
        expected_epoch: Option<i16>,
        now_ms: i64,
    ) -> Result<Result<TxnTransit, ProducerFenced>, TransitionError> {
        if self.is_producer_epoch_exhausted() {
            return Err(TransitionError::EpochsExhausted { producer_epoch: self.producer_epoch });
        }
        let bumped = self.producer_epoch + 1;
        let (epoch, last_epoch) = match expected_epoch {
            None => (bumped, NO_PRODUCER_EPOCH),
            Some(expected) if self.producer_epoch == NO_PRODUCER_EPOCH || expected == self.producer_epoch => {
                (bumped, self.producer_epoch)
            }
            // A retry of a call that succeeded: the epoch it was given.
            Some(expected) if expected == self.last_producer_epoch => (self.producer_epoch, self.last_producer_epoch),
            Some(_) => return Ok(Err(ProducerFenced)),
        };
        let transit = TxnTransit {
            producer_epoch: epoch,
            last_producer_epoch: last_epoch,
            next_producer_id: NO_PRODUCER_ID,
            txn_timeout_ms: new_txn_timeout_ms,
            state: Empty,
            partitions: BTreeSet::new(),
            txn_start_timestamp_ms: -1,
            txn_last_update_timestamp_ms: now_ms,
            client_transaction_version: TransactionVersion::Tv0,
            ..self.current()
        };
        self.prepare_transition(transit).map(Ok)
    }

    /// A new producer id, epoch 0, when the epochs are exhausted
    /// (`prepareProducerIdRotation`).
    pub fn prepare_producer_id_rotation(
        &mut self,
        new_producer_id: i64,
        new_txn_timeout_ms: u64,
        now_ms: i64,
        record_last_epoch: bool,
    ) -> Result<TxnTransit, TransitionError> {
        if self.state.has_pending_transaction() {
            return Err(TransitionError::InvalidTransition { from: self.state, to: Empty });
        }
        let transit = TxnTransit {
            producer_id: new_producer_id,
            next_producer_id: NO_PRODUCER_ID,
            producer_epoch: 0,
            last_producer_epoch: if record_last_epoch { self.producer_epoch } else { NO_PRODUCER_EPOCH },
            txn_timeout_ms: new_txn_timeout_ms,
            state: Empty,
            partitions: BTreeSet::new(),
            txn_start_timestamp_ms: -1,
            txn_last_update_timestamp_ms: now_ms,
            client_transaction_version: TransactionVersion::Tv0,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// Partitions join the transaction (AddPartitionsToTxn, or a TV2 Produce);
    /// the first one opens it and starts its `transaction.timeout.ms` clock.
    pub fn prepare_add_partitions(
        &mut self,
        added: &BTreeSet<TopicPartition>,
        client_version: TransactionVersion,
        now_ms: i64,
    ) -> Result<TxnTransit, TransitionError> {
        let txn_start_timestamp_ms = match self.state {
            Empty | CompleteAbort | CompleteCommit => now_ms,
            _ => self.txn_start_timestamp_ms,
        };
        let transit = TxnTransit {
            next_producer_id: NO_PRODUCER_ID,
            state: Ongoing,
            partitions: self.partitions.union(added).copied().collect(),
            txn_start_timestamp_ms,
            txn_last_update_timestamp_ms: now_ms,
            client_transaction_version: client_version,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// EndTxn: PrepareCommit or PrepareAbort. With TV2 the epoch is bumped
    /// here and the markers carry the new one; `next_producer_id` is the id to
    /// move to if that bump exhausted the epochs. `no_partition_added` is a
    /// TV2 abort of an Empty or finished transaction: it has no start time of
    /// its own, so it starts now (Kafka's `noPartitionAdded`).
    pub fn prepare_abort_or_commit(
        &mut self,
        new_state: TransactionState,
        client_version: TransactionVersion,
        next_producer_id: i64,
        now_ms: i64,
        no_partition_added: bool,
    ) -> Result<TxnTransit, TransitionError> {
        let (producer_epoch, last_producer_epoch) = if client_version.supports_epoch_bump() {
            (self.producer_epoch.saturating_add(1), self.producer_epoch)
        } else {
            (self.producer_epoch, self.last_producer_epoch)
        };
        let transit = TxnTransit {
            next_producer_id,
            producer_epoch,
            last_producer_epoch,
            state: new_state,
            txn_start_timestamp_ms: if no_partition_added { now_ms } else { self.txn_start_timestamp_ms },
            txn_last_update_timestamp_ms: now_ms,
            client_transaction_version: client_version,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// Every marker is written: CompleteCommit or CompleteAbort.
    pub fn prepare_complete(&mut self, now_ms: i64) -> Result<TxnTransit, TransitionError> {
        let state = if self.state == PrepareCommit { CompleteCommit } else { CompleteAbort };
        self.has_failed_epoch_fence = false;
        let (producer_id, producer_epoch) =
            if self.client_transaction_version.supports_epoch_bump() && self.next_producer_id != NO_PRODUCER_ID {
                (self.next_producer_id, 0)
            } else {
                (self.producer_id, self.producer_epoch)
            };
        let transit = TxnTransit {
            producer_id,
            next_producer_id: NO_PRODUCER_ID,
            producer_epoch,
            last_producer_epoch: self.producer_epoch,
            state,
            partitions: BTreeSet::new(),
            txn_last_update_timestamp_ms: now_ms,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// The id expired (`transactional.id.expiration.ms`).
    pub fn prepare_dead(&mut self) -> Result<TxnTransit, TransitionError> {
        let transit = TxnTransit {
            next_producer_id: NO_PRODUCER_ID,
            state: Dead,
            partitions: BTreeSet::new(),
            client_transaction_version: TransactionVersion::Tv0,
            ..self.current()
        };
        self.prepare_transition(transit)
    }

    /// Checks and marks a transition pending. Every transit names the
    /// current producer id as its previous one, as Kafka's does.
    fn prepare_transition(&mut self, mut transit: TxnTransit) -> Result<TxnTransit, TransitionError> {
        transit.previous_producer_id = self.producer_id;
        if let Some(pending) = self.pending_state {
            return Err(TransitionError::PendingTransition { pending, wanted: transit.state });
        }
        if transit.producer_id < 0 || (transit.state != Dead && transit.producer_epoch < 0) {
            return Err(TransitionError::UnexpectedMetadata { to: transit.state });
        }
        if !transit.state.valid_previous_states().contains(&self.state) {
            return Err(TransitionError::InvalidTransition { from: self.state, to: transit.state });
        }
        self.pending_state = Some(transit.state);
        Ok(transit)
    }

    /// The prepared transition was written and replicated: adopt it, after
    /// checking it still fits (`completeTransitionTo`).
    pub fn complete_transition(&mut self, transit: &TxnTransit) -> Result<(), TransitionError> {
        let unexpected = Err(TransitionError::UnexpectedMetadata { to: transit.state });
        let Some(to) = self.pending_state else {
            return unexpected;
        };
        if to != transit.state {
            return unexpected;
        }
        let bumps = transit.client_transaction_version.supports_epoch_bump();
        match to {
            Empty => {
                if (self.producer_epoch != transit.producer_epoch && !self.valid_producer_epoch_bump(transit))
                    || !transit.partitions.is_empty()
                    || transit.txn_start_timestamp_ms != -1
                {
                    return unexpected;
                }
                self.txn_timeout_ms = transit.txn_timeout_ms;
                self.producer_epoch = transit.producer_epoch;
                self.last_producer_epoch = transit.last_producer_epoch;
                self.producer_id = transit.producer_id;
                self.previous_producer_id = transit.previous_producer_id;
            }
            Ongoing => {
                if !self.valid_producer_epoch(transit)
                    || !self.partitions.is_subset(&transit.partitions)
                    || self.txn_timeout_ms != transit.txn_timeout_ms
                {
                    return unexpected;
                }
                self.txn_start_timestamp_ms = transit.txn_start_timestamp_ms;
                self.partitions.extend(transit.partitions.iter().copied());
            }
            PrepareAbort | PrepareCommit => {
                // A TV2 abort of an Empty or finished transaction starts now.
                let allowed_empty_abort =
                    to == PrepareAbort && bumps && matches!(self.state, Empty | CompleteCommit | CompleteAbort);
                if !self.valid_producer_epoch(transit)
                    || self.partitions != transit.partitions
                    || self.txn_timeout_ms != transit.txn_timeout_ms
                    || (self.txn_start_timestamp_ms != transit.txn_start_timestamp_ms && !allowed_empty_abort)
                {
                    return unexpected;
                }
                if bumps {
                    self.producer_epoch = transit.producer_epoch;
                    self.last_producer_epoch = transit.last_producer_epoch;
                    self.next_producer_id = transit.next_producer_id;
                    self.txn_start_timestamp_ms = transit.txn_start_timestamp_ms;
                }
            }
            CompleteAbort | CompleteCommit => {
                if !self.valid_producer_epoch(transit)
                    || self.txn_timeout_ms != transit.txn_timeout_ms
                    || transit.txn_start_timestamp_ms == -1
                {
                    return unexpected;
                }
                self.txn_start_timestamp_ms = transit.txn_start_timestamp_ms;
                self.partitions.clear();
                if bumps {
                    self.producer_epoch = transit.producer_epoch;
                    self.last_producer_epoch = transit.last_producer_epoch;
                    self.previous_producer_id = transit.previous_producer_id;
                    self.producer_id = transit.producer_id;
                    self.next_producer_id = transit.next_producer_id;
                }
            }
            // A fence is never completed: the abort that follows it is.
            PrepareEpochFence => return unexpected,
            // An expired id is removed, not completed.
            Dead => return unexpected,
        }
        self.client_transaction_version = transit.client_transaction_version;
        self.txn_last_update_timestamp_ms = transit.txn_last_update_timestamp_ms;
        self.pending_state = None;
        self.state = to;
        Ok(())
    }

    /// The transit keeps this producer and epoch (TV2: a Prepare carries the
    /// bumped epoch and the current one as its last epoch; a Complete after an
    /// epoch overflow carries the new producer id, epoch 0).
    fn valid_producer_epoch(&self, transit: &TxnTransit) -> bool {
        let tv2 = transit.client_transaction_version.supports_epoch_bump();
        let overflow_complete =
            tv2 && matches!(transit.state, CompleteCommit | CompleteAbort) && transit.producer_epoch == 0;
        let transit_epoch = if overflow_complete || (tv2 && matches!(transit.state, PrepareCommit | PrepareAbort)) {
            transit.last_producer_epoch
        } else {
            transit.producer_epoch
        };
        let transit_producer_id = if overflow_complete { transit.previous_producer_id } else { transit.producer_id };
        transit_epoch == self.producer_epoch && transit_producer_id == self.producer_id
    }

    fn valid_producer_epoch_bump(&self, transit: &TxnTransit) -> bool {
        transit.producer_epoch == self.producer_epoch.wrapping_add(1)
            || (transit.producer_epoch == 0 && transit.producer_id != self.producer_id)
    }
}

#[cfg(test)]
mod tests;

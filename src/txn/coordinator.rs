//! The transaction coordinator a broker hosts: the `transactional.id`s of
//! the `__transaction_state` partitions it leads, and its answers to
//! InitProducerId (`TransactionCoordinator.handleInitProducerId` and
//! `prepareInitProducerIdTransit`).
//!
//! The rules, as Kafka 4.0 applies them to InitProducerId:
//! - an id never seen gets a new producer id and epoch 0;
//! - an id in Empty, CompleteCommit or CompleteAbort gets its epoch + 1: the
//!   previous instance, still holding the old epoch, is fenced;
//! - an id whose producer id and epoch are presented by the request and do
//!   not match (a zombie re-initialising) is PRODUCER_FENCED;
//! - an id with a transition in flight, or in PrepareCommit / PrepareAbort
//!   (markers being written), gets CONCURRENT_TRANSACTIONS: retry later;
//! - an id in Ongoing is fenced (epoch + 1, PrepareEpochFence, never handed
//!   out), its open transaction aborted, and the caller told
//!   CONCURRENT_TRANSACTIONS: its retry gets the epoch after the abort.
//!
//! Every change is a *transit*: the coordinator writes it to its
//! `__transaction_state` partition and adopts it only once the write is
//! replicated ([`TransactionCoordinator::on_write_done`]); a failed write
//! leaves the state as it was (`appendTransactionToLog`'s error path).

use std::collections::{BTreeMap, BTreeSet};

use super::coordinator_partition::transaction_state_partition;
use super::metadata::{NO_PRODUCER_EPOCH, TransactionMetadata, TxnTransit, is_epoch_exhausted};
use super::state::TransactionState::{self, *};
use crate::cluster::log::PartitionLog;
use crate::ids::TopicId;
use crate::protocol::ErrorCode;

/// What InitProducerId leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitOutcome {
    /// Answer now with this error.
    Refuse(ErrorCode),
    /// Write this transit to `__transaction_state`; answer once it is
    /// replicated. A `PrepareEpochFence` transit is followed by an abort and
    /// answered CONCURRENT_TRANSACTIONS.
    Write(TxnTransit),
}

/// The coordinator's state: the ids of the partitions it leads.
#[derive(Clone, Debug, Default)]
pub struct TransactionCoordinator {
    /// `transaction.state.log.num.partitions`.
    pub num_partitions: u32,
    /// The `__transaction_state` partitions loaded here (this broker leads them).
    pub owned: BTreeSet<u32>,
    /// Every id of the owned partitions.
    pub transactions: BTreeMap<String, TransactionMetadata>,
}

impl TransactionCoordinator {
    pub fn new(num_partitions: u32) -> Self {
        TransactionCoordinator { num_partitions, ..TransactionCoordinator::default() }
    }

    /// The `__transaction_state` partition of `transactional_id`.
    pub fn partition_for(&self, transactional_id: &str) -> u32 {
        transaction_state_partition(transactional_id, self.num_partitions)
    }

    pub fn owns(&self, transactional_id: &str) -> bool {
        self.owned.contains(&self.partition_for(transactional_id))
    }

    /// InitProducerId from a transactional producer. `expected` is the
    /// producer id and epoch a producer that already had one presents (KIP-360);
    /// `new_producer_id` hands out a fresh producer id when one is needed.
    pub fn handle_init_producer_id(
        &mut self,
        transactional_id: &str,
        txn_timeout_ms: u64,
        expected: Option<(i64, i16)>,
        mut new_producer_id: impl FnMut() -> i64,
        now_ms: i64,
    ) -> InitOutcome {
        let metadata = self
            .transactions
            .entry(transactional_id.to_string())
            .or_insert_with(|| TransactionMetadata::new(transactional_id, new_producer_id(), txn_timeout_ms, now_ms));
        prepare_init_producer_id_transit(metadata, txn_timeout_ms, expected, new_producer_id, now_ms)
    }

    /// The write of `transit` for `transactional_id` finished: adopt it, or,
    /// on `error`, drop the pending transition. Returns the error to answer
    /// the client with, mapped as `appendTransactionToLog` maps it.
    pub fn on_write_done(&mut self, transactional_id: &str, transit: &TxnTransit, error: ErrorCode) -> ErrorCode {
        let Some(metadata) = self.transactions.get_mut(transactional_id) else {
            // The partition moved away meanwhile.
            return ErrorCode::NotCoordinator;
        };
        let error = match error {
            ErrorCode::None => ErrorCode::None,
            ErrorCode::NotLeaderOrFollower => ErrorCode::NotCoordinator,
            _ => ErrorCode::CoordinatorNotAvailable,
        };
        if !error.is_ok() {
            if transit.state == PrepareEpochFence {
                metadata.has_failed_epoch_fence = true;
            }
            metadata.pending_state = None;
            return error;
        }
        if transit.state == PrepareEpochFence {
            // The fence is never completed on its own: the abort that
            // follows it takes the fenced epoch.
            metadata.pending_state = None;
            metadata.producer_epoch = transit.producer_epoch;
            metadata.last_producer_epoch = NO_PRODUCER_EPOCH;
            metadata.state = PrepareEpochFence;
            return ErrorCode::None;
        }
        match metadata.complete_transition(transit) {
            Ok(()) => ErrorCode::None,
            // Kafka answers a metadata mismatch with NOT_COORDINATOR as well.
            Err(_) => {
                metadata.pending_state = None;
                ErrorCode::NotCoordinator
            }
        }
    }

    /// This broker became the leader of `partition` of `__transaction_state`:
    /// rebuild its ids from the replicated log.
    pub fn load(&mut self, partition: u32, log: &PartitionLog, topic_id: impl Fn(&str) -> Option<TopicId>) {
        self.owned.insert(partition);
        let loaded = super::log_record::load(log, topic_id);
        for (id, metadata) in loaded {
            if transaction_state_partition(&id, self.num_partitions) == partition {
                self.transactions.insert(id, metadata);
            }
        }
    }

    /// This broker no longer leads `partition`: forget its ids.
    pub fn unload(&mut self, partition: u32) {
        self.owned.remove(&partition);
        let num_partitions = self.num_partitions;
        self.transactions.retain(|id, _| transaction_state_partition(id, num_partitions) != partition);
    }

    /// The state of `transactional_id`, as `kafka-transactions describe` shows it.
    pub fn state_of(&self, transactional_id: &str) -> Option<TransactionState> {
        self.transactions.get(transactional_id).map(|m| m.state)
    }
}

/// `TransactionCoordinator.prepareInitProducerIdTransit`.
fn prepare_init_producer_id_transit(
    metadata: &mut TransactionMetadata,
    txn_timeout_ms: u64,
    expected: Option<(i64, i16)>,
    mut new_producer_id: impl FnMut() -> i64,
    now_ms: i64,
) -> InitOutcome {
    if metadata.pending_state.is_some() {
        return InitOutcome::Refuse(ErrorCode::ConcurrentTransactions);
    }
    if let Some(presented) = expected
        && !is_valid_producer_id(metadata, presented)
    {
        return InitOutcome::Refuse(ErrorCode::ProducerFenced);
    }
    let transit = match metadata.state {
        PrepareAbort | PrepareCommit | Dead | PrepareEpochFence => {
            return InitOutcome::Refuse(ErrorCode::ConcurrentTransactions);
        }
        CompleteAbort | CompleteCommit | Empty => {
            if metadata.is_producer_epoch_exhausted() && expected.is_none_or(|(_, e)| e == metadata.producer_epoch) {
                metadata.prepare_producer_id_rotation(new_producer_id(), txn_timeout_ms, now_ms, expected.is_some())
            } else {
                match metadata.prepare_increment_producer_epoch(txn_timeout_ms, expected.map(|(_, e)| e), now_ms) {
                    Ok(Ok(transit)) => Ok(transit),
                    Ok(Err(_fenced)) => return InitOutcome::Refuse(ErrorCode::ProducerFenced),
                    Err(e) => Err(e),
                }
            }
        }
        // The open transaction is aborted first; the fenced epoch is never
        // handed out.
        Ongoing => metadata.prepare_fence_producer_epoch(),
    };
    match transit {
        Ok(transit) => InitOutcome::Write(transit),
        // Kafka raises IllegalStateException; the client sees an error it retries.
        Err(_) => InitOutcome::Refuse(ErrorCode::ConcurrentTransactions),
    }
}

/// `isValidProducerId`: the presented producer is this id's current one (its
/// epoch is checked when bumped), the metadata was just created, or it is
/// the previous producer id retrying after an epoch rotation.
fn is_valid_producer_id(metadata: &TransactionMetadata, (producer_id, epoch): (i64, i16)) -> bool {
    metadata.producer_epoch == NO_PRODUCER_EPOCH
        || producer_id == metadata.producer_id
        || (producer_id == metadata.previous_producer_id && is_epoch_exhausted(epoch))
}

pub mod add_partitions;
pub mod end_txn;

#[cfg(test)]
mod tests;

//! What the log cleaner knows about transactions as it walks a log in offset
//! order: Kafka's `CleanedTransactionMetadata` (`LogCleaner.scala`).
//!
//! The aborted-transaction index says where each aborted transaction began;
//! from that offset on, every transactional data batch of its producer is
//! part of the aborted transaction until its ABORT marker. Such batches are
//! never visible to `read_committed` readers, so the cleaner may discard
//! them. A marker may go only once no batch of its transaction is left:
//! - an ABORT marker is discardable when this pass met no batch of its
//!   transaction (they went in an earlier pass); while batches remain, the
//!   marker and its index entry stay;
//! - a COMMIT marker is discardable when this pass met no batch of its
//!   transaction (compaction removed them all).
//!
//! A discardable marker is not removed at once: the cleaner stamps its batch
//! with a delete horizon and removes it in a later pass, as for tombstones.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::cluster::record::{ControlRecordType, LogBatch};
use crate::cluster::transaction_index::AbortedTxn;

/// An aborted transaction the walk is inside of (`AbortedTransactionMetadata`).
#[derive(Clone, Copy, Debug)]
struct OngoingAbort {
    txn: AbortedTxn,
    /// Whether this pass met one of its data batches.
    saw_batch: bool,
}

#[derive(Clone, Debug, Default)]
pub struct CleanedTransactions {
    /// Aborted transactions not yet reached, by first offset.
    aborted: VecDeque<AbortedTxn>,
    /// Aborted transactions reached and not yet closed, by producer id.
    ongoing_aborted: BTreeMap<i64, OngoingAbort>,
    /// Producers with a batch of a transaction not aborted seen since
    /// their last marker.
    ongoing_committed: BTreeSet<i64>,
    /// The index entries to keep: aborted transactions with data left.
    pub retained_index: Vec<AbortedTxn>,
}

impl CleanedTransactions {
    /// Starts a walk over a range whose aborted transactions are `aborted`.
    pub fn new(aborted: &[AbortedTxn]) -> Self {
        let mut aborted = aborted.to_vec();
        aborted.sort_by_key(|t| (t.first_offset, t.last_offset));
        CleanedTransactions { aborted: aborted.into(), ..Self::default() }
    }

    fn consume_aborted_up_to(&mut self, offset: i64) {
        while self.aborted.front().is_some_and(|t| t.first_offset <= offset) {
            let Some(txn) = self.aborted.pop_front() else { break };
            self.ongoing_aborted.entry(txn.producer_id).or_insert(OngoingAbort { txn, saw_batch: false });
        }
    }

    /// A data batch was read (`onBatchRead`): whether it belongs to an
    /// aborted transaction, and so may be discarded.
    pub fn on_batch_read(&mut self, batch: &LogBatch) -> bool {
        self.consume_aborted_up_to(batch.last_offset());
        if !batch.batch.is_transactional() {
            return false;
        }
        let producer_id = batch.batch.producer.producer_id;
        match self.ongoing_aborted.get_mut(&producer_id) {
            Some(abort) => {
                abort.saw_batch = true;
                true
            }
            None => {
                self.ongoing_committed.insert(producer_id);
                false
            }
        }
    }

    /// A control batch was read (`onControlBatchRead`): whether its marker
    /// may be discarded, because no batch of its transaction is left.
    pub fn on_control_batch_read(&mut self, batch: &LogBatch) -> bool {
        self.consume_aborted_up_to(batch.last_offset());
        if batch.batch.is_empty() {
            // A marker emptied by an earlier pass.
            return true;
        }
        let producer_id = batch.batch.producer.producer_id;
        match batch.batch.control() {
            Some(ControlRecordType::Abort) => match self.ongoing_aborted.remove(&producer_id) {
                Some(abort) if abort.saw_batch => {
                    self.retained_index.push(abort.txn);
                    false
                }
                _ => true,
            },
            Some(ControlRecordType::Commit) => !self.ongoing_committed.remove(&producer_id),
            None => false,
        }
    }
}

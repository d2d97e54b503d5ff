//! AddPartitionsToTxn at the coordinator
//! (`TransactionCoordinator.handleAddPartitionsToTransaction`). With
//! `transaction.version=2` the producer never sends it: the partition
//! leader does, before appending the producer's first transactional batch
//! (`AddPartitionsToTxnManager`), and the coordinator adds the partition to
//! the transaction, opening it if it was not open.
//!
//! The checks, in Kafka's order: an unknown id or another producer id is
//! INVALID_PRODUCER_ID_MAPPING; another epoch is PRODUCER_FENCED; a transition
//! in flight, PrepareCommit or PrepareAbort is CONCURRENT_TRANSACTIONS; an
//! open transaction that already holds the partitions is answered at once;
//! anything else is written to `__transaction_state` as Ongoing.

use std::collections::BTreeSet;

use super::TransactionCoordinator;
use crate::ids::TopicPartition;
use crate::protocol::ErrorCode;
use crate::txn::metadata::TxnTransit;
use crate::txn::state::TransactionState::*;
use crate::txn::version::TransactionVersion;

/// What AddPartitionsToTxn leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddPartitionsOutcome {
    /// Answer now (NONE when the partitions are already in the transaction).
    Reply(ErrorCode),
    /// Write this transit (state Ongoing); answer once it is replicated.
    Write(TxnTransit),
}

impl TransactionCoordinator {
    pub fn handle_add_partitions(
        &mut self,
        transactional_id: &str,
        (producer_id, producer_epoch): (i64, i16),
        partitions: &BTreeSet<TopicPartition>,
        verify_only: bool,
        now_ms: i64,
    ) -> AddPartitionsOutcome {
        use AddPartitionsOutcome::Reply;
        let Some(metadata) = self.transactions.get_mut(transactional_id) else {
            return Reply(ErrorCode::InvalidProducerIdMapping);
        };
        if metadata.producer_id != producer_id {
            return Reply(ErrorCode::InvalidProducerIdMapping);
        }
        if metadata.producer_epoch != producer_epoch {
            return Reply(ErrorCode::ProducerFenced);
        }
        if metadata.pending_state.is_some() || matches!(metadata.state, PrepareCommit | PrepareAbort) {
            return Reply(ErrorCode::ConcurrentTransactions);
        }
        if metadata.state == Ongoing && partitions.is_subset(&metadata.partitions) {
            return Reply(ErrorCode::None);
        }
        if verify_only {
            // `verifyTransaction`: the partition is not in the transaction.
            return Reply(ErrorCode::InvalidTxnState);
        }
        match metadata.prepare_add_partitions(partitions, TransactionVersion::Tv2, now_ms) {
            Ok(transit) => AddPartitionsOutcome::Write(transit),
            Err(_) => Reply(ErrorCode::InvalidTxnState),
        }
    }
}

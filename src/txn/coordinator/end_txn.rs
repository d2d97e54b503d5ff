//! EndTxn at the coordinator, as Kafka 4.0 handles it with
//! `transaction.version=2` (`TransactionCoordinator.endTransaction`), and
//! the completion once every marker is written.
//!
//! The epoch rules of TV2 (Kafka's table above `endTransaction`): a request
//! with the current epoch ends the open transaction and bumps the epoch;
//! a request with the epoch just before the current one is a *retry* of an
//! EndTxn that already went through: answered NONE if it asked for the same
//! outcome, INVALID_TXN_STATE if not; any other epoch is PRODUCER_FENCED.
//! Ending an Empty or completed transaction with ABORT is allowed (it bumps
//! the epoch, with no partitions to mark); with COMMIT it is
//! INVALID_TXN_STATE.

use super::TransactionCoordinator;
use crate::protocol::ErrorCode;
use crate::txn::metadata::{NO_PRODUCER_ID, TxnTransit};
use crate::txn::state::TransactionState::{self, *};
use crate::txn::version::TransactionVersion;

/// What EndTxn leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndTxnOutcome {
    /// Answer now with this error, producer id and epoch.
    Reply(ErrorCode, i64, i16),
    /// Write PrepareCommit or PrepareAbort; once replicated, answer with the
    /// transit's producer id and bumped epoch and write the markers.
    Write(TxnTransit),
}

impl TransactionCoordinator {
    /// EndTxn from the producer (`from_client`), or the coordinator's own
    /// abort after fencing an epoch (a new instance, a timeout).
    pub fn handle_end_txn(
        &mut self,
        transactional_id: &str,
        (producer_id, producer_epoch): (i64, i16),
        committed: bool,
        mut new_producer_id: impl FnMut() -> i64,
        now_ms: i64,
    ) -> EndTxnOutcome {
        let refuse = |error| EndTxnOutcome::Reply(error, -1, -1);
        let Some(metadata) = self.transactions.get_mut(transactional_id) else {
            return refuse(ErrorCode::InvalidProducerIdMapping);
        };
        let is_epoch_fence = metadata.state == PrepareEpochFence;
        let retry_on_epoch_bump = !is_epoch_fence && metadata.producer_epoch == producer_epoch.wrapping_add(1);
        let valid_epoch = if is_epoch_fence {
            producer_epoch >= metadata.producer_epoch
        } else {
            match metadata.state {
                Ongoing | Empty | Dead | PrepareEpochFence => producer_epoch == metadata.producer_epoch,
                PrepareCommit | PrepareAbort => retry_on_epoch_bump,
                CompleteCommit | CompleteAbort => retry_on_epoch_bump || producer_epoch == metadata.producer_epoch,
            }
        };
        if metadata.producer_id != producer_id {
            return refuse(ErrorCode::InvalidProducerIdMapping);
        }
        if !valid_epoch {
            return refuse(ErrorCode::ProducerFenced);
        }
        if metadata.pending_state.is_some() {
            return refuse(ErrorCode::ConcurrentTransactions);
        }
        let wanted = if committed { PrepareCommit } else { PrepareAbort };
        let done = if committed { CompleteCommit } else { CompleteAbort };
        let next_state: TransactionState = match metadata.state {
            Ongoing | PrepareEpochFence => wanted,
            state if state == done && retry_on_epoch_bump => {
                return EndTxnOutcome::Reply(ErrorCode::None, metadata.producer_id, metadata.producer_epoch);
            }
            Empty | CompleteCommit | CompleteAbort if !committed && !retry_on_epoch_bump => PrepareAbort,
            PrepareCommit | PrepareAbort if metadata.state == wanted => {
                return refuse(ErrorCode::ConcurrentTransactions);
            }
            _ => return refuse(ErrorCode::InvalidTxnState),
        };
        let next_producer_id =
            if !is_epoch_fence && metadata.is_producer_epoch_exhausted() { new_producer_id() } else { NO_PRODUCER_ID };
        if is_epoch_fence {
            // The fenced epoch is the one the abort starts from.
            metadata.producer_epoch = producer_epoch;
            metadata.last_producer_epoch = crate::txn::metadata::NO_PRODUCER_EPOCH;
        }
        let no_partition_added = matches!(metadata.state, Empty | CompleteCommit | CompleteAbort);
        match metadata.prepare_abort_or_commit(
            next_state,
            TransactionVersion::Tv2,
            next_producer_id,
            now_ms,
            no_partition_added,
        ) {
            Ok(transit) => EndTxnOutcome::Write(transit),
            Err(_) => refuse(ErrorCode::InvalidTxnState),
        }
    }

    /// Every marker of the transaction is written: CompleteCommit or
    /// CompleteAbort, to be written to the log. `None` when the id moved on.
    pub fn prepare_complete(&mut self, transactional_id: &str, now_ms: i64) -> Option<TxnTransit> {
        let metadata = self.transactions.get_mut(transactional_id)?;
        if !matches!(metadata.state, PrepareCommit | PrepareAbort) || metadata.pending_state.is_some() {
            return None;
        }
        metadata.prepare_complete(now_ms).ok()
    }

    /// Ongoing transactions whose `transaction.timeout.ms` has passed, with
    /// nothing in flight (`TransactionStateManager.timedOutTransactions`).
    pub fn timed_out_transactions(&self, now_ms: i64) -> Vec<(String, i64, i16)> {
        self.transactions
            .values()
            .filter(|m| {
                m.state == Ongoing
                    && m.pending_state.is_none()
                    && m.txn_start_timestamp_ms + m.txn_timeout_ms as i64 <= now_ms
                    && self.owns(&m.transactional_id)
            })
            .map(|m| (m.transactional_id.clone(), m.producer_id, m.producer_epoch))
            .collect()
    }

    /// The coordinator fences the epoch of a timed-out transaction before
    /// aborting it (`prepareFenceProducerEpoch`).
    pub fn prepare_fence(&mut self, transactional_id: &str) -> Option<TxnTransit> {
        let metadata = self.transactions.get_mut(transactional_id)?;
        metadata.prepare_fence_producer_epoch().ok()
    }
}

//! What a consumer hands the application from a fetched partition, as
//! Kafka's `CompletedFetch.nextFetchedRecord` decides it:
//!
//! - control batches (transaction markers) are never returned, at either
//!   isolation level; they only move the position past their offset;
//! - with `isolation.level=read_committed`, the fetch response lists the
//!   aborted transactions overlapping the data, as (producer id, first
//!   offset). Walking the batches in offset order, the consumer adds a
//!   producer to its *aborted* set once a batch reaches that first offset,
//!   skips that producer's transactional batches while it is in the set, and
//!   removes it at its ABORT marker.
//!
//! A skipped batch is kept as an empty batch spanning the same offsets, so
//! `poll()` moves the position past it exactly as Kafka's `nextFetchOffset`
//! does, without handing the application anything.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::cluster::record::{ControlRecordType, LogBatch};
use crate::cluster::transaction_index::AbortedTransaction;
use crate::protocol::IsolationLevel;

/// The batches of one fetched partition as the application may see them:
/// markers, and with `read_committed` aborted batches, emptied.
pub fn visible_batches(
    batches: Vec<LogBatch>,
    isolation: IsolationLevel,
    aborted_transactions: &[AbortedTransaction],
) -> Vec<LogBatch> {
    let mut pending: Vec<AbortedTransaction> = aborted_transactions.to_vec();
    // Taken from the front in first-offset order, like Kafka's priority queue.
    pending.sort_by_key(|a| std::cmp::Reverse((a.first_offset, a.producer_id)));
    let mut aborted_producers: BTreeSet<i64> = BTreeSet::new();
    batches
        .into_iter()
        .map(|batch| {
            let producer_id = batch.batch.producer.producer_id;
            let mut skip = batch.batch.control().is_some();
            if isolation == IsolationLevel::ReadCommitted && producer_id >= 0 {
                while pending.last().is_some_and(|a| a.first_offset <= batch.last_offset()) {
                    let next = pending.pop().expect("checked");
                    aborted_producers.insert(next.producer_id);
                }
                if batch.batch.control() == Some(ControlRecordType::Abort) {
                    aborted_producers.remove(&producer_id);
                } else if batch.batch.is_transactional() && aborted_producers.contains(&producer_id) {
                    skip = true;
                }
            }
            if skip { emptied(batch) } else { batch }
        })
        .collect()
}

/// The batch with no records left, spanning the same offsets.
fn emptied(batch: LogBatch) -> LogBatch {
    LogBatch { batch: Arc::new(batch.batch.retain(|_| false)), ..batch }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::record::{ProducerStamp, RecordBatch, RecordBatchBuilder};
    use crate::ids::{ClientIdx, RecordId};

    fn data(base_offset: i64, count: u64, producer_id: i64, transactional: bool) -> LogBatch {
        let stamp = ProducerStamp { producer_id, producer_epoch: 0, base_sequence: 0 };
        let mut b = RecordBatchBuilder::new(if producer_id < 0 { ProducerStamp::NONE } else { stamp });
        for n in 0..count {
            b.push(RecordId { producer: ClientIdx(0), number: base_offset as u64 + n }, 0, None, Some(b"v"), &[]);
        }
        let batch = if transactional { b.build().into_transactional() } else { b.build() };
        LogBatch { base_offset, partition_leader_epoch: 0, batch: Arc::new(batch) }
    }

    fn marker(base_offset: i64, producer_id: i64, kind: ControlRecordType) -> LogBatch {
        let stamp = ProducerStamp { producer_id, producer_epoch: 1, base_sequence: -1 };
        LogBatch {
            base_offset,
            partition_leader_epoch: 0,
            batch: Arc::new(RecordBatch::end_txn_marker(stamp, kind, 0, 0)),
        }
    }

    /// The offsets whose records the application gets.
    fn offsets(batches: &[LogBatch]) -> Vec<i64> {
        batches.iter().flat_map(|b| b.records().map(|(o, _)| o)).collect()
    }

    /// kafka-reference §16's example: `0:a(P1,txn) 1:b(plain) 2:c(P1)
    /// 3:ABORT(P1) 4:d(plain)`: read_committed gets b and d, read_uncommitted
    /// a, b, c and d; the marker goes to nobody.
    fn example() -> Vec<LogBatch> {
        vec![
            data(0, 1, 1000, true),
            data(1, 1, -1, false),
            data(2, 1, 1000, true),
            marker(3, 1000, ControlRecordType::Abort),
            data(4, 1, -1, false),
        ]
    }

    #[test]
    fn read_committed_drops_aborted_records_and_markers() {
        let aborted = [AbortedTransaction { producer_id: 1000, first_offset: 0 }];
        let visible = visible_batches(example(), IsolationLevel::ReadCommitted, &aborted);
        assert_eq!(offsets(&visible), [1, 4]);
        assert_eq!(visible.last().map(LogBatch::next_offset), Some(5), "the position still moves past every offset");
        assert_eq!(visible.len(), 5, "skipped batches stay as empty ones");
    }

    #[test]
    fn read_uncommitted_keeps_aborted_records_but_not_markers() {
        let visible = visible_batches(example(), IsolationLevel::ReadUncommitted, &[]);
        assert_eq!(offsets(&visible), [0, 1, 2, 4]);
    }

    // Ported from Kafka's FetcherTest (clients/src/test/java/org/apache/
    // kafka/clients/consumer/internals/FetcherTest.java).

    /// testReadCommittedWithCommittedAndAbortedTransactions: two producers
    /// interleaved, each committing one transaction and aborting another;
    /// only commit1-1, commit1-2 and commit2-1 come through.
    #[test]
    fn read_committed_with_committed_and_aborted_transactions() {
        let (pid1, pid2) = (1, 2);
        let batches = vec![
            data(0, 2, pid1, true), // commit1-1, commit1-2
            data(2, 1, pid2, true), // abort2-1
            marker(3, pid1, ControlRecordType::Commit),
            data(4, 1, pid2, true), // abort2-2
            marker(5, pid2, ControlRecordType::Abort),
            data(6, 1, pid1, true), // abort1-1
            data(7, 1, pid2, true), // commit2-1
            data(8, 1, pid1, true), // abort1-2
            marker(9, pid1, ControlRecordType::Abort),
            marker(10, pid2, ControlRecordType::Commit),
        ];
        let aborted = [
            AbortedTransaction { producer_id: pid2, first_offset: 2 },
            AbortedTransaction { producer_id: pid1, first_offset: 6 },
        ];
        assert_eq!(offsets(&visible_batches(batches, IsolationLevel::ReadCommitted, &aborted)), [0, 1, 7]);
    }

    /// testMultipleAbortMarkers: a duplicate abort marker is ignored; the
    /// committed transaction after it comes through.
    #[test]
    fn multiple_abort_markers() {
        let batches = vec![
            data(0, 2, 1, true),
            marker(2, 1, ControlRecordType::Abort),
            marker(3, 1, ControlRecordType::Abort),
            data(4, 2, 1, true),
            marker(6, 1, ControlRecordType::Commit),
        ];
        let aborted = [AbortedTransaction { producer_id: 1, first_offset: 0 }];
        assert_eq!(offsets(&visible_batches(batches, IsolationLevel::ReadCommitted, &aborted)), [4, 5]);
    }

    /// testReadCommittedAbortMarkerWithNoData: an aborted transaction that
    /// began before the fetched data ends at the first marker.
    #[test]
    fn read_committed_abort_marker_with_no_data() {
        let batches =
            vec![marker(5, 1, ControlRecordType::Abort), data(6, 3, 1, true), marker(9, 1, ControlRecordType::Commit)];
        let aborted = [AbortedTransaction { producer_id: 1, first_offset: 0 }];
        assert_eq!(offsets(&visible_batches(batches, IsolationLevel::ReadCommitted, &aborted)), [6, 7, 8]);
    }

    /// testReturnAbortedTransactionsInUncommittedMode.
    #[test]
    fn aborted_records_are_returned_in_uncommitted_mode() {
        let batches = vec![data(0, 2, 1, true), marker(2, 1, ControlRecordType::Abort)];
        let aborted = [AbortedTransaction { producer_id: 1, first_offset: 0 }];
        assert_eq!(offsets(&visible_batches(batches, IsolationLevel::ReadUncommitted, &aborted)), [0, 1]);
    }

    #[test]
    fn an_abort_listed_later_does_not_hide_earlier_records() {
        // The producer's first transaction committed; the aborted one starts at 3.
        let batches = vec![
            data(0, 2, 5, true),
            marker(2, 5, ControlRecordType::Commit),
            data(3, 2, 5, true),
            marker(5, 5, ControlRecordType::Abort),
        ];
        let aborted = [AbortedTransaction { producer_id: 5, first_offset: 3 }];
        assert_eq!(offsets(&visible_batches(batches, IsolationLevel::ReadCommitted, &aborted)), [0, 1]);
    }
}

//! The cleaner and transactions: cases ported from Kafka's `LogCleanerTest`
//! (core/src/test/scala/unit/kafka/log/LogCleanerTest.scala), each named
//! after the Kafka test it follows, with the same logs and the same expected
//! offsets.
//!
//! Kafka's tests re-clean with a checkpoint at the active segment and rely
//! on their fake offset map keeping its last offset between passes, which
//! re-cleans the whole log; here those passes re-clean from offset 0, which
//! keeps the same records (what survived is the latest for its key).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::cluster::record::{ControlRecordType, ProducerStamp, RecordBatch, RecordBatchBuilder};
use crate::cluster::segment::RollPolicy;
use crate::cluster::transaction_index::AbortedTxn;
use crate::ids::{ClientIdx, RecordId};

/// `delete.retention.ms` (Kafka's default, one day).
const DAY_MS: i64 = 86_400_000;
/// Kafka's `largeTimestamp`: a pass after it plus a day is still a valid time.
const LARGE_MS: i64 = i64::MAX - DAY_MS - 1;

/// A log written as Kafka's test helpers write it: transactional batches
/// whose records have key = value, plain records, and markers at epoch 0.
struct Writer {
    log: PartitionLog,
    sequences: BTreeMap<i64, i32>,
    number: u64,
}

impl Writer {
    fn new() -> Self {
        let log = PartitionLog::new(RollPolicy { segment_bytes: u64::MAX, segment_ms: i64::MAX });
        Writer { log, sequences: BTreeMap::new(), number: 0 }
    }

    fn batch(&mut self, stamp: ProducerStamp, records: &[(u32, u32)]) -> RecordBatch {
        let mut builder = RecordBatchBuilder::new(stamp);
        for (key, value) in records {
            self.number += 1;
            let id = RecordId { producer: ClientIdx(0), number: self.number };
            builder.push(id, 0, Some(key.to_string().as_bytes()), Some(value.to_string().as_bytes()), &[]);
        }
        builder.build()
    }

    /// `appendTransactionalAsLeader(log, producerId, 0)(keys)`.
    fn txn(&mut self, producer_id: i64, keys: &[u32]) {
        let sequence = self.sequences.entry(producer_id).or_insert(0);
        let stamp = ProducerStamp { producer_id, producer_epoch: 0, base_sequence: *sequence };
        *sequence += keys.len() as i32;
        let records: Vec<(u32, u32)> = keys.iter().map(|&k| (k, k)).collect();
        let batch = self.batch(stamp, &records).into_transactional();
        self.append(batch);
    }

    /// `record(key, value)`: no producer id.
    fn plain(&mut self, key: u32, value: u32) {
        let batch = self.batch(ProducerStamp::NONE, &[(key, value)]);
        self.append(batch);
    }

    fn marker(&mut self, producer_id: i64, kind: ControlRecordType) {
        let stamp = ProducerStamp { producer_id, producer_epoch: 0, base_sequence: -1 };
        self.append(RecordBatch::end_txn_marker(stamp, kind, 0, 0));
    }

    fn append(&mut self, batch: RecordBatch) {
        let appended = self.log.append_as_leader(Arc::new(batch), 0);
        assert!(matches!(appended, crate::cluster::log::LeaderAppend::Appended { .. }), "{appended:?}");
    }

    fn roll(&mut self) {
        self.log.roll_empty_segment();
    }

    /// `doClean(LogToClean(tp, log, firstDirty, activeSegment.baseOffset), now)`;
    /// returns the new checkpoint.
    fn clean(&mut self, first_dirty: i64, now_ms: i64) -> i64 {
        let active_base = self.log.segments().back().map_or(0, |s| s.base_offset);
        let plan =
            Cleanable { first_dirty, first_uncleanable: active_base, clean_bytes: 0, dirty_bytes: 1, overdue: false };
        clean(&mut self.log, &TopicConfig::default(), &plan, now_ms).expect("a dirty range").cleaned_up_to
    }

    /// `runTwoPassClean`: once at `now_ms`, once a day and a millisecond later.
    fn clean_twice(&mut self, first_dirty: i64, now_ms: i64) -> i64 {
        self.clean(first_dirty, now_ms);
        self.clean(first_dirty, now_ms + DAY_MS + 1)
    }

    /// `LogTestUtils.keysInLog`: keys of data records.
    fn keys(&self) -> Vec<u32> {
        let data = self.log.batches().filter(|b| b.batch.control().is_none());
        data.flat_map(|b| b.records().map(|(_, r)| key_of(r.key())).collect::<Vec<_>>()).collect()
    }

    /// `offsetsInLog`: offsets of every record, markers included.
    fn offsets(&self) -> Vec<i64> {
        self.log.batches().flat_map(|b| b.records().map(|(o, _)| o).collect::<Vec<_>>()).collect()
    }

    /// `lastOffsetsPerBatchInLog`: empty batches included.
    fn last_offsets(&self) -> Vec<i64> {
        self.log.batches().map(LogBatch::last_offset).collect()
    }

    fn aborted(&self) -> Vec<AbortedTxn> {
        self.log.transaction_index.overlapping(0, 100)
    }
}

fn key_of(key: Option<&[u8]>) -> u32 {
    String::from_utf8_lossy(key.unwrap_or_default()).parse().expect("numeric keys")
}

#[test]
fn test_abort_marker_removal() {
    let mut w = Writer::new();
    w.txn(1, &[1]);
    w.txn(1, &[2, 3]);
    w.marker(1, ControlRecordType::Abort);
    w.txn(1, &[3]);
    w.marker(1, ControlRecordType::Commit);
    w.roll();
    // Aborted records are removed, but the abort marker is still preserved.
    w.clean(0, LARGE_MS);
    assert_eq!(w.keys(), [3]);
    assert_eq!(w.offsets(), [3, 4, 5]);
    // The first pass stamps the marker's delete horizon; the second removes it.
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.keys(), [3]);
    assert_eq!(w.offsets(), [4, 5]);
}

#[test]
fn test_commit_marker_removal() {
    let mut w = Writer::new();
    w.txn(1, &[1]);
    w.txn(1, &[2, 3]);
    w.marker(1, ControlRecordType::Commit);
    w.txn(1, &[2]);
    w.marker(1, ControlRecordType::Commit);
    w.roll();
    // The marker cannot go in this pass: its transaction still has records.
    let dirty = w.clean(0, LARGE_MS);
    assert_eq!(w.keys(), [1, 3, 2]);
    assert_eq!(w.offsets(), [0, 2, 3, 4, 5]);

    w.txn(1, &[1, 3]);
    w.marker(1, ControlRecordType::Commit);
    w.roll();
    // The commit marker at 3 stays: this pass still read its batches.
    w.clean(dirty, LARGE_MS);
    assert_eq!(w.keys(), [2, 1, 3]);
    assert_eq!(w.offsets(), [3, 4, 5, 6, 7, 8]);
    // Cleaning again at the same time does not remove it early...
    w.clean(0, LARGE_MS);
    assert_eq!(w.offsets(), [3, 4, 5, 6, 7, 8]);
    // ...but after its delete horizon it goes.
    w.clean(0, i64::MAX);
    assert_eq!(w.keys(), [2, 1, 3]);
    assert_eq!(w.offsets(), [4, 5, 6, 7, 8]);
}

#[test]
fn test_basic_transaction_aware_cleaning() {
    let mut w = Writer::new();
    w.txn(1, &[1, 2]);
    w.txn(2, &[2, 3]);
    w.txn(1, &[3, 4]);
    w.marker(1, ControlRecordType::Abort);
    w.marker(2, ControlRecordType::Commit);
    w.txn(1, &[2]);
    w.marker(1, ControlRecordType::Commit);
    let aborted = w.aborted();
    w.roll();
    w.clean(0, 0);
    assert_eq!(w.keys(), [3, 2]);
    assert_eq!(w.offsets(), [3, 6, 7, 8, 9]);
    assert_eq!(w.aborted(), aborted, "the transaction index is still correct");
}

#[test]
fn test_deleted_batches_with_no_messages_read() {
    let mut w = Writer::new();
    w.txn(1, &[1]);
    w.marker(1, ControlRecordType::Abort);
    w.txn(1, &[2]);
    w.txn(1, &[2]);
    w.marker(1, ControlRecordType::Commit);
    w.roll();
    w.clean(0, LARGE_MS);
    assert_eq!(w.keys(), [2]);
    assert_eq!(w.offsets(), [1, 3, 4]);
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.keys(), [2]);
    assert_eq!(w.offsets(), [3, 4]);
}

#[test]
fn test_commit_marker_retention_with_empty_batch() {
    let mut w = Writer::new();
    w.txn(1, &[2, 3]); // 0, 1
    w.roll();
    w.txn(2, &[2, 3]); // 2, 3
    w.marker(2, ControlRecordType::Commit); // 4
    w.roll();
    w.plain(2, 2); // 5
    w.plain(3, 3); // 6
    w.marker(1, ControlRecordType::Commit); // 7
    w.roll();
    // The records go; each producer's last batch stays as an empty shell.
    let dirty = w.clean(0, LARGE_MS);
    assert_eq!(w.keys(), [2, 3]);
    assert_eq!(w.offsets(), [4, 5, 6, 7]);
    assert_eq!(w.last_offsets(), [1, 3, 4, 5, 6, 7]);
    // The empty batches stay: they still hold the last sequences.
    assert_eq!(w.clean(0, LARGE_MS), dirty);
    assert_eq!(w.offsets(), [4, 5, 6, 7]);
    assert_eq!(w.last_offsets(), [1, 3, 4, 5, 6, 7]);

    w.txn(2, &[1]); // 8
    w.marker(2, ControlRecordType::Commit); // 9
    w.roll();
    // Producer 2's empty batch can go now; its marker at 4 is not yet stamped.
    let dirty = w.clean(dirty, LARGE_MS);
    assert_eq!(w.keys(), [2, 3, 1]);
    assert_eq!(w.offsets(), [4, 5, 6, 7, 8, 9]);
    assert_eq!(w.last_offsets(), [1, 4, 5, 6, 7, 8, 9]);
    // Stamped in the first pass, removed in the second.
    assert_eq!(dirty, 10);
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.keys(), [2, 3, 1]);
    assert_eq!(w.offsets(), [5, 6, 7, 8, 9]);
    assert_eq!(w.last_offsets(), [1, 5, 6, 7, 8, 9]);
}

#[test]
fn test_clean_empty_control_batch() {
    let mut w = Writer::new();
    w.marker(1, ControlRecordType::Commit); // 0
    w.plain(2, 2); // 1
    w.plain(3, 3); // 2
    w.roll();
    // The marker is stamped, then emptied but kept: it holds producer 1's epoch.
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.keys(), [2, 3]);
    assert_eq!(w.offsets(), [1, 2]);
    assert_eq!(w.last_offsets(), [0, 1, 2]);
    // Cleaning the emptied marker again is harmless.
    w.clean(0, i64::MAX);
    assert_eq!(w.offsets(), [1, 2]);
    assert_eq!(w.last_offsets(), [0, 1, 2]);
}

#[test]
fn test_committed_transaction_spanning_segments() {
    let mut w = Writer::new();
    w.txn(1, &[1]);
    w.roll();
    w.marker(1, ControlRecordType::Commit);
    w.roll();
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.offsets(), [0, 1], "both the record and the marker stay");
    assert_eq!(w.last_offsets(), [0, 1]);
}

#[test]
fn test_aborted_transaction_spanning_segments() {
    let mut w = Writer::new();
    w.txn(1, &[1]);
    w.roll();
    w.marker(1, ControlRecordType::Abort);
    w.roll();
    // The batch stays empty (its producer's last); so the marker stays.
    w.clean(0, LARGE_MS);
    assert_eq!(w.offsets(), [1]);
    assert_eq!(w.last_offsets(), [0, 1]);
    w.clean(0, i64::MAX);
    assert_eq!(w.offsets(), [1]);
    assert_eq!(w.last_offsets(), [0, 1]);
}

#[test]
fn test_abort_marker_retention_with_empty_batch() {
    let mut w = Writer::new();
    w.txn(1, &[2, 3]); // 0, 1
    w.marker(1, ControlRecordType::Abort); // 2
    w.roll();
    let indexed = [AbortedTxn { producer_id: 1, first_offset: 0, last_offset: 2, last_stable_offset: 3 }];
    assert_eq!(w.aborted(), indexed);
    // The records go; the batch stays empty and the marker with it.
    let dirty = w.clean(0, LARGE_MS);
    assert_eq!(w.aborted(), indexed);
    assert!(w.keys().is_empty());
    assert_eq!(w.offsets(), [2]);
    assert_eq!(w.last_offsets(), [1, 2]);
    // Still so: the empty batch holds the last sequence.
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.aborted(), indexed);
    assert_eq!(w.offsets(), [2]);
    assert_eq!(w.last_offsets(), [1, 2]);

    w.txn(1, &[1]); // 3
    w.roll();
    // The empty batch goes; the marker stays this pass, as it read the batch.
    w.clean(dirty, LARGE_MS);
    assert_eq!(w.aborted(), indexed);
    assert_eq!(w.keys(), [1]);
    assert_eq!(w.offsets(), [2, 3]);
    assert_eq!(w.last_offsets(), [2, 3]);
    // Stamped, then removed; the index no longer lists the transaction.
    w.clean_twice(0, LARGE_MS);
    assert_eq!(w.keys(), [1]);
    assert_eq!(w.offsets(), [3]);
    assert_eq!(w.last_offsets(), [3]);
    assert!(w.aborted().is_empty());
}

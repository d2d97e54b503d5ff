//! Idempotent-producer state kept by each partition: for every producer id, its
//! epoch and the metadata of its last five batches (`ProducerStateEntry`,
//! KIP-98). With it a leader recognises a retried batch it already wrote and
//! answers with the original offsets instead of writing it twice, and rejects a
//! batch whose sequence skips ahead (`OUT_OF_ORDER_SEQUENCE_NUMBER`).
//!
//! For transactions it also knows which producers have a transaction open on
//! this partition and where each began (`ProducerStateManager.ongoingTxns`):
//! a producer's first transactional batch opens its transaction; its COMMIT or
//! ABORT marker decides it (`appendEndTxnMarker`). A decided transaction stays
//! *unstable* until its marker is replicated (below the high watermark), as a
//! new leader without the marker would find it open again. The first offset of
//! the oldest unstable transaction is the partition's *first unstable offset*,
//! which holds the last stable offset (LSO) back.
//!
//! Simplification: producer ids never expire (`producer.id.expiration.ms` is
//! not modelled); scenarios are far shorter than its one-day default.

use std::collections::{BTreeMap, VecDeque};

use super::record::{ControlRecordType, LogBatch, ProducerStamp};

/// Kafka keeps the metadata of this many recent batches per producer, which is
/// why idempotence allows at most five requests in flight.
pub const BATCHES_TO_RETAIN: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_sequence: i32,
    pub last_sequence: i32,
    pub base_offset: i64,
    pub last_offset: i64,
}

#[derive(Clone, Debug, Default)]
struct ProducerEntry {
    epoch: i16,
    batches: VecDeque<BatchMetadata>,
    /// Where this producer's open transaction on this partition began.
    current_txn_first_offset: Option<i64>,
}

/// A transaction a marker closed on this partition (`CompletedTxn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompletedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    /// The marker's offset.
    pub last_offset: i64,
    pub aborted: bool,
}

/// What the leader should do with an incoming batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Next in sequence (or not idempotent): append it.
    Append,
    /// Already written: answer with the original offsets, append nothing.
    Duplicate(BatchMetadata),
    /// A gap in the sequence: `OUT_OF_ORDER_SEQUENCE_NUMBER`.
    OutOfOrder { expected: i32 },
    /// An older epoch of a producer that has since been re-initialised.
    Fenced,
}

#[derive(Clone, Debug, Default)]
pub struct ProducerStateTable {
    producers: BTreeMap<i64, ProducerEntry>,
    /// Open transactions by first offset: producer id.
    ongoing_txns: BTreeMap<i64, i64>,
    /// Decided transactions whose marker is not yet below the high
    /// watermark, by first offset.
    unreplicated_txns: BTreeMap<i64, CompletedTxn>,
}

fn next_sequence(last: i32) -> i32 {
    if last == i32::MAX { 0 } else { last + 1 }
}

impl ProducerStateTable {
    pub fn check(&self, stamp: ProducerStamp, record_count: u32) -> SequenceCheck {
        if !stamp.is_idempotent() {
            return SequenceCheck::Append;
        }
        if stamp.base_sequence < 0 {
            // A coordinator's write for the producer (a transactional offset
            // commit) carries no sequence: only its epoch is checked, as
            // Kafka validates sequences for client appends only.
            return self.check_marker(stamp);
        }
        let last_sequence = stamp.base_sequence.wrapping_add(record_count.saturating_sub(1) as i32);
        let Some(entry) = self.producers.get(&stamp.producer_id) else {
            return if stamp.base_sequence == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::OutOfOrder { expected: 0 }
            };
        };
        if stamp.producer_epoch < entry.epoch {
            return SequenceCheck::Fenced;
        }
        if stamp.producer_epoch > entry.epoch {
            // A bumped epoch restarts the sequence at zero.
            return if stamp.base_sequence == 0 {
                SequenceCheck::Append
            } else {
                SequenceCheck::OutOfOrder { expected: 0 }
            };
        }
        if let Some(dup) =
            entry.batches.iter().find(|b| b.first_sequence == stamp.base_sequence && b.last_sequence == last_sequence)
        {
            return SequenceCheck::Duplicate(*dup);
        }
        let expected = entry.batches.back().map_or(0, |b| next_sequence(b.last_sequence));
        if stamp.base_sequence == expected { SequenceCheck::Append } else { SequenceCheck::OutOfOrder { expected } }
    }

    /// Remembers a batch that was appended (by a leader or by a follower
    /// replicating it), so a later leader can still recognise its retries.
    pub fn record(&mut self, stamp: ProducerStamp, record_count: u32, base_offset: i64, last_offset: i64) {
        if !stamp.is_idempotent() {
            return;
        }
        let entry = self.producers.entry(stamp.producer_id).or_default();
        if stamp.producer_epoch > entry.epoch {
            entry.epoch = stamp.producer_epoch;
            entry.batches.clear();
        }
        if stamp.base_sequence < 0 {
            return;
        }
        entry.batches.push_back(BatchMetadata {
            first_sequence: stamp.base_sequence,
            last_sequence: stamp.base_sequence.wrapping_add(record_count.saturating_sub(1) as i32),
            base_offset,
            last_offset,
        });
        while entry.batches.len() > BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
    }

    /// Whether a transaction marker from `stamp` may be written: a marker
    /// of an older epoch than the producer's is from a fenced instance
    /// (`checkProducerEpoch`).
    pub fn check_marker(&self, stamp: ProducerStamp) -> SequenceCheck {
        match self.producers.get(&stamp.producer_id) {
            Some(entry) if stamp.producer_epoch < entry.epoch => SequenceCheck::Fenced,
            _ => SequenceCheck::Append,
        }
    }

    /// Remembers an appended batch of any kind: a data batch as `record`
    /// does, opening its producer's transaction if it is the first
    /// transactional one; a marker closes the transaction and says how.
    pub fn record_batch(&mut self, batch: &LogBatch) -> Option<CompletedTxn> {
        let stamp = batch.batch.producer;
        if let Some(marker) = batch.batch.control() {
            return Some(self.complete_txn(stamp, marker, batch.base_offset));
        }
        self.record(stamp, batch.batch.record_count_span(), batch.base_offset, batch.last_offset());
        if batch.batch.is_transactional() && stamp.is_idempotent() {
            let entry = self.producers.entry(stamp.producer_id).or_default();
            if entry.current_txn_first_offset.is_none() {
                entry.current_txn_first_offset = Some(batch.base_offset);
                self.ongoing_txns.insert(batch.base_offset, stamp.producer_id);
            }
        }
        None
    }

    fn complete_txn(&mut self, stamp: ProducerStamp, marker: ControlRecordType, offset: i64) -> CompletedTxn {
        let entry = self.producers.entry(stamp.producer_id).or_default();
        if stamp.producer_epoch > entry.epoch {
            // A TV2 marker carries the bumped epoch: the next transaction's
            // sequence numbers start again at zero.
            entry.epoch = stamp.producer_epoch;
            entry.batches.clear();
        }
        // A marker for a partition that got no data closes an empty
        // transaction at the marker itself.
        let first_offset = entry.current_txn_first_offset.take().unwrap_or(offset);
        let completed = CompletedTxn {
            producer_id: stamp.producer_id,
            first_offset,
            last_offset: offset,
            aborted: marker == ControlRecordType::Abort,
        };
        if self.ongoing_txns.remove(&first_offset).is_some() {
            self.unreplicated_txns.insert(first_offset, completed);
        }
        completed
    }

    /// Whether `producer_id` has a transaction open on this partition: its
    /// next transactional batch needs no verification.
    pub fn has_ongoing_transaction(&self, producer_id: i64) -> bool {
        self.producers.get(&producer_id).is_some_and(|e| e.current_txn_first_offset.is_some())
    }

    /// The first offset of the oldest open transaction (`firstUndecidedOffset`).
    pub fn first_undecided_offset(&self) -> Option<i64> {
        self.ongoing_txns.keys().next().copied()
    }

    /// The first offset of the oldest transaction that is open or whose
    /// marker is not yet replicated (`firstUnstableOffset`).
    pub fn first_unstable_offset(&self) -> Option<i64> {
        let unreplicated = self.unreplicated_txns.keys().next().copied();
        match (unreplicated, self.first_undecided_offset()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The high watermark moved: decided transactions whose marker is now
    /// below it are stable (`onHighWatermarkUpdated`).
    pub fn on_high_watermark_updated(&mut self, high_watermark: i64) {
        self.unreplicated_txns.retain(|_, txn| txn.last_offset >= high_watermark);
    }

    /// The LSO right after `completed` is decided, as its aborted-transaction
    /// index entry records it (`lastStableOffset(CompletedTxn)`): the first
    /// offset of another open transaction, or the offset after the marker.
    pub fn last_stable_offset_after(&self, completed: &CompletedTxn) -> i64 {
        self.ongoing_txns
            .iter()
            .find(|&(_, &producer)| producer != completed.producer_id)
            .map_or(completed.last_offset + 1, |(&first, _)| first)
    }

    /// The open transactions, oldest first: `(first offset, producer id)`.
    pub fn ongoing_txns(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.ongoing_txns.iter().map(|(&first, &producer)| (first, producer))
    }

    pub fn clear(&mut self) {
        self.producers.clear();
        self.ongoing_txns.clear();
        self.unreplicated_txns.clear();
    }

    /// An active producer's last data offset (if it has batches since its
    /// last epoch bump) and its epoch (`lastRecordsOfActiveProducers`): the
    /// log cleaner keeps the batch holding that offset, or with none, the
    /// producer's marker of that epoch, so idempotence and fencing survive.
    pub fn last_record_of(&self, producer_id: i64) -> Option<(Option<i64>, i16)> {
        let entry = self.producers.get(&producer_id)?;
        Some((entry.batches.back().map(|b| b.last_offset), entry.epoch))
    }

    pub fn len(&self) -> usize {
        self.producers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(seq: i32) -> ProducerStamp {
        ProducerStamp { producer_id: 1000, producer_epoch: 0, base_sequence: seq }
    }

    #[test]
    fn in_order_batches_append_and_retries_are_duplicates() {
        let mut t = ProducerStateTable::default();
        assert_eq!(t.check(stamp(0), 3), SequenceCheck::Append);
        t.record(stamp(0), 3, 10, 12);
        assert_eq!(t.check(stamp(3), 2), SequenceCheck::Append);
        t.record(stamp(3), 2, 13, 14);
        // The retry of the first batch is recognised and answered with offset 10.
        match t.check(stamp(0), 3) {
            SequenceCheck::Duplicate(meta) => assert_eq!(meta.base_offset, 10),
            other => panic!("expected duplicate, got {other:?}"),
        }
    }

    #[test]
    fn a_gap_is_out_of_order() {
        let mut t = ProducerStateTable::default();
        t.record(stamp(0), 1, 0, 0);
        assert_eq!(t.check(stamp(2), 1), SequenceCheck::OutOfOrder { expected: 1 });
        assert_eq!(ProducerStateTable::default().check(stamp(5), 1), SequenceCheck::OutOfOrder { expected: 0 });
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut t = ProducerStateTable::default();
        for i in 0..6 {
            t.record(stamp(i), 1, i64::from(i), i64::from(i));
        }
        // Batch 0 fell out of the window: no longer a known duplicate.
        assert!(!matches!(t.check(stamp(0), 1), SequenceCheck::Duplicate(_)));
        assert!(matches!(t.check(stamp(1), 1), SequenceCheck::Duplicate(_)));
    }

    fn log_batch(base_offset: i64, count: u64, stamp: ProducerStamp, transactional: bool) -> LogBatch {
        use crate::cluster::record::RecordBatchBuilder;
        use crate::ids::{ClientIdx, RecordId};
        let mut b = RecordBatchBuilder::new(stamp);
        for n in 0..count {
            b.push(RecordId { producer: ClientIdx(0), number: n }, 0, Some(b"k"), Some(b"v"), &[]);
        }
        let batch = if transactional { b.build().into_transactional() } else { b.build() };
        LogBatch { base_offset, partition_leader_epoch: 0, batch: std::sync::Arc::new(batch) }
    }

    fn marker(base_offset: i64, producer_id: i64, epoch: i16, kind: ControlRecordType) -> LogBatch {
        let stamp = ProducerStamp { producer_id, producer_epoch: epoch, base_sequence: -1 };
        let batch = crate::cluster::record::RecordBatch::end_txn_marker(stamp, kind, 0, 0);
        LogBatch { base_offset, partition_leader_epoch: 0, batch: std::sync::Arc::new(batch) }
    }

    fn stamp_of(producer_id: i64, producer_epoch: i16, base_sequence: i32) -> ProducerStamp {
        ProducerStamp { producer_id, producer_epoch, base_sequence }
    }

    // The tests below are ported from Kafka's ProducerStateManagerTest
    // (storage/src/test/java/org/apache/kafka/storage/internals/log).

    /// testFirstUnstableOffset: a decided transaction stays unstable until
    /// its marker is below the high watermark.
    #[test]
    fn first_unstable_offset() {
        let mut t = ProducerStateTable::default();
        let (producer, another) = (1, 2);
        assert_eq!(t.first_undecided_offset(), None);
        t.record_batch(&log_batch(99, 1, stamp_of(producer, 5, 0), true));
        assert_eq!((t.first_undecided_offset(), t.first_unstable_offset()), (Some(99), Some(99)));
        t.record_batch(&log_batch(105, 1, stamp_of(another, 5, 0), true));
        assert_eq!((t.first_undecided_offset(), t.first_unstable_offset()), (Some(99), Some(99)));
        t.record_batch(&marker(109, producer, 5, ControlRecordType::Commit));
        assert_eq!((t.first_undecided_offset(), t.first_unstable_offset()), (Some(105), Some(99)));
        t.on_high_watermark_updated(100);
        assert_eq!(t.first_unstable_offset(), Some(99));
        t.on_high_watermark_updated(110);
        assert_eq!(t.first_unstable_offset(), Some(105));
        t.record_batch(&marker(112, another, 5, ControlRecordType::Abort));
        assert_eq!((t.first_undecided_offset(), t.first_unstable_offset()), (None, Some(105)));
        t.on_high_watermark_updated(113);
        assert_eq!(t.first_unstable_offset(), None);
    }

    /// testLastStableOffsetCompletedTxn.
    #[test]
    fn last_stable_offset_after_a_completed_transaction() {
        let mut t = ProducerStateTable::default();
        let (p1, p2, p3) = (1, 2, 3);
        let (start1, start2, start3) = (992_342, 992_367, 992_399);
        for (p, start) in [(p1, start1), (p2, start2), (p3, start3)] {
            t.record_batch(&log_batch(start, 1, stamp_of(p, 0, 0), true));
        }
        let last1 = start3 + 15;
        let done1 = t.record_batch(&marker(last1, p1, 0, ControlRecordType::Commit)).unwrap();
        assert_eq!(t.last_stable_offset_after(&done1), start2);
        t.on_high_watermark_updated(last1 + 1);
        assert_eq!(t.first_unstable_offset(), Some(start2));
        let last3 = last1 + 20;
        let done3 = t.record_batch(&marker(last3, p3, 0, ControlRecordType::Commit)).unwrap();
        assert_eq!(t.last_stable_offset_after(&done3), start2);
        t.on_high_watermark_updated(last3 + 1);
        assert_eq!(t.first_unstable_offset(), Some(start2));
        let last2 = last3 + 78;
        let done2 = t.record_batch(&marker(last2, p2, 0, ControlRecordType::Commit)).unwrap();
        assert_eq!(t.last_stable_offset_after(&done2), last2 + 1);
        t.on_high_watermark_updated(last2 + 1);
        assert_eq!(t.first_unstable_offset(), None);
    }

    /// testControlRecordBumpsProducerEpoch and
    /// testOutOfSequenceAfterControlRecordEpochBump: a marker of a bumped
    /// epoch (every TV2 marker) restarts the producer's sequence at 0.
    #[test]
    fn control_record_bumps_producer_epoch() {
        let mut t = ProducerStateTable::default();
        t.record_batch(&log_batch(0, 1, stamp_of(7, 0, 0), true));
        t.record_batch(&log_batch(1, 1, stamp_of(7, 0, 1), true));
        t.record_batch(&marker(2, 7, 1, ControlRecordType::Abort));
        assert_eq!(t.first_undecided_offset(), None);
        assert_eq!(t.check(stamp_of(7, 1, 2), 1), SequenceCheck::OutOfOrder { expected: 0 });
        assert_eq!(t.check(stamp_of(7, 2, 2), 1), SequenceCheck::OutOfOrder { expected: 0 });
        assert_eq!(t.check(stamp_of(7, 1, 0), 1), SequenceCheck::Append);
    }

    /// testAppendTxnMarkerWithNoProducerState: fencing works even when the
    /// marker is all that is left of a producer.
    #[test]
    fn append_txn_marker_with_no_producer_state() {
        let mut t = ProducerStateTable::default();
        t.record_batch(&marker(27, 7, 2, ControlRecordType::Commit));
        assert_eq!(t.check(stamp_of(7, 0, 0), 1), SequenceCheck::Fenced);
        assert_eq!(t.check(stamp_of(7, 2, 17), 1), SequenceCheck::OutOfOrder { expected: 0 });
        assert_eq!(t.check(stamp_of(7, 2, 0), 1), SequenceCheck::Append);
    }

    /// testOldEpochForControlRecord: a marker of an older epoch is refused.
    #[test]
    fn old_epoch_for_control_record() {
        let mut t = ProducerStateTable::default();
        t.record_batch(&log_batch(99, 1, stamp_of(7, 5, 0), true));
        assert_eq!(t.check_marker(stamp_of(7, 3, -1)), SequenceCheck::Fenced);
        assert_eq!(t.check_marker(stamp_of(7, 5, -1)), SequenceCheck::Append);
        assert_eq!(t.check_marker(stamp_of(8, 0, -1)), SequenceCheck::Append, "an unknown producer is not fenced");
    }

    /// `appendEndTxnMarker` takes the marker's own offset as the first offset
    /// when the producer wrote nothing here: an empty transaction.
    #[test]
    fn a_marker_without_data_closes_an_empty_transaction_at_itself() {
        let mut t = ProducerStateTable::default();
        let done = t.record_batch(&marker(9, 7, 0, ControlRecordType::Abort));
        assert_eq!(done, Some(CompletedTxn { producer_id: 7, first_offset: 9, last_offset: 9, aborted: true }));
        assert_eq!(t.first_unstable_offset(), None);
    }

    #[test]
    fn non_idempotent_batches_always_append() {
        let t = ProducerStateTable::default();
        assert_eq!(t.check(ProducerStamp::NONE, 1), SequenceCheck::Append);
    }
}

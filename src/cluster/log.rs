//! A partition's log on one replica: segments of record batches, the log start
//! offset, the high watermark and the log end offset, the leader-epoch cache,
//! the idempotent-producer state and the aborted-transaction index.
//!
//! All three positions are "next offset" style bounds:
//! `log_start_offset <= high_watermark <= log_end_offset`. Consumers read
//! `[log_start_offset, high_watermark)`; followers read up to the log end.
//! The last stable offset (LSO) is a fourth bound for `read_committed`
//! consumers: the high watermark, or the first offset of the oldest
//! transaction not yet decided and replicated, whichever is lower.
//!
//! Invariants: batches are in strictly increasing offset order; the log end
//! offset only moves back by truncation; the log start offset never moves back.

use std::collections::VecDeque;
use std::sync::Arc;

use super::leader_epoch::LeaderEpochCache;
use super::producer_state::{ProducerStateTable, SequenceCheck};
use super::record::{LogBatch, RecordBatch};
use super::segment::{RollPolicy, Segment};
use super::transaction_index::{AbortedTransaction, AbortedTxn, TransactionIndex};
use crate::ids::RecordId;

#[derive(Clone, Debug)]
pub struct PartitionLog {
    segments: VecDeque<Segment>,
    log_start_offset: i64,
    high_watermark: i64,
    log_end_offset: i64,
    pub epoch_cache: LeaderEpochCache,
    pub producer_state: ProducerStateTable,
    pub transaction_index: TransactionIndex,
    pub roll: RollPolicy,
}

/// The result of a leader append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderAppend {
    Appended { base_offset: i64, last_offset: i64 },
    Duplicate { base_offset: i64, last_offset: i64 },
    OutOfOrderSequence { expected: i32 },
    ProducerFenced,
}

/// A record removed from the end of the log by truncation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TruncatedRecord {
    pub offset: i64,
    pub id: RecordId,
    pub leader_epoch: i32,
}

impl Default for PartitionLog {
    fn default() -> Self {
        PartitionLog::new(RollPolicy::default())
    }
}

impl PartitionLog {
    pub fn new(roll: RollPolicy) -> Self {
        PartitionLog {
            segments: VecDeque::from([Segment::new(0)]),
            log_start_offset: 0,
            high_watermark: 0,
            log_end_offset: 0,
            epoch_cache: LeaderEpochCache::default(),
            producer_state: ProducerStateTable::default(),
            transaction_index: TransactionIndex::default(),
            roll,
        }
    }

    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }
    pub fn high_watermark(&self) -> i64 {
        self.high_watermark
    }
    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }
    /// The last stable offset: what a `read_committed` consumer may read up
    /// to (`UnifiedLog.lastStableOffset`). Equal to the high watermark when
    /// no transaction is open.
    pub fn last_stable_offset(&self) -> i64 {
        self.producer_state.first_unstable_offset().map_or(self.high_watermark, |first| first.min(self.high_watermark))
    }
    /// The aborted transactions a `read_committed` fetch of
    /// `[fetch_offset, upper_bound)` must be told about.
    pub fn aborted_transactions(&self, fetch_offset: i64, upper_bound: i64) -> Vec<AbortedTransaction> {
        self.transaction_index.collect_aborted(fetch_offset, upper_bound)
    }
    pub fn segments(&self) -> &VecDeque<Segment> {
        &self.segments
    }
    pub fn segments_mut(&mut self) -> &mut VecDeque<Segment> {
        &mut self.segments
    }
    /// The leader epoch of the last batch, as a follower reports in its Fetch.
    pub fn last_fetched_epoch(&self) -> Option<i32> {
        self.epoch_cache.latest_epoch()
    }
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }
    pub fn record_count(&self) -> usize {
        self.segments.iter().map(Segment::record_count).sum()
    }

    /// Moves the high watermark, clamped to `[log_start_offset, log_end_offset]`
    /// as `UnifiedLog.updateHighWatermark` does. Returns whether it changed.
    pub fn set_high_watermark(&mut self, offset: i64) -> bool {
        let clamped = offset.clamp(self.log_start_offset, self.log_end_offset);
        let changed = clamped != self.high_watermark;
        self.high_watermark = clamped;
        self.producer_state.on_high_watermark_updated(clamped);
        changed
    }

    /// Appends a producer's batch as the leader in `leader_epoch`, assigning
    /// offsets, unless idempotence says it is a duplicate or out of order.
    pub fn append_as_leader(&mut self, batch: Arc<RecordBatch>, leader_epoch: i32) -> LeaderAppend {
        let span = batch.record_count_span();
        let check = if batch.control().is_some() {
            self.producer_state.check_marker(batch.producer)
        } else {
            self.producer_state.check(batch.producer, span)
        };
        match check {
            SequenceCheck::Append => {}
            SequenceCheck::Duplicate(meta) => {
                return LeaderAppend::Duplicate { base_offset: meta.base_offset, last_offset: meta.last_offset };
            }
            SequenceCheck::OutOfOrder { expected } => return LeaderAppend::OutOfOrderSequence { expected },
            SequenceCheck::Fenced => return LeaderAppend::ProducerFenced,
        }
        let base_offset = self.log_end_offset;
        let stored = LogBatch { base_offset, partition_leader_epoch: leader_epoch, batch };
        let last_offset = stored.last_offset();
        self.append(stored);
        LeaderAppend::Appended { base_offset, last_offset }
    }

    /// Appends batches fetched from the leader, keeping their offsets and epochs.
    pub fn append_as_follower(&mut self, batches: &[LogBatch]) {
        for batch in batches {
            if batch.next_offset() <= self.log_end_offset {
                continue; // already have it (a duplicate fetch response)
            }
            self.append(batch.clone());
        }
    }

    fn append(&mut self, stored: LogBatch) {
        debug_assert!(stored.base_offset >= self.log_end_offset, "offsets must increase");
        if self.segments.back().is_some_and(|active| {
            active.should_roll(stored.batch.size_bytes(), stored.batch.max_timestamp_ms(), &self.roll)
        }) {
            self.segments.push_back(Segment::new(stored.base_offset));
        }
        self.epoch_cache.assign(stored.partition_leader_epoch, stored.base_offset);
        if let Some(done) = self.producer_state.record_batch(&stored)
            && done.aborted
        {
            self.transaction_index.append(AbortedTxn {
                producer_id: done.producer_id,
                first_offset: done.first_offset,
                last_offset: done.last_offset,
                last_stable_offset: self.producer_state.last_stable_offset_after(&done),
            });
        }
        self.log_end_offset = stored.next_offset();
        let active = self.segments.back_mut().expect("a log always has an active segment");
        if active.is_empty() {
            active.base_offset = stored.base_offset;
        }
        active.push(stored);
    }

    /// Position of the first batch whose last offset is at or after `offset`.
    fn locate(&self, offset: i64) -> Option<(usize, usize)> {
        let seg = self.segments.partition_point(|s| s.next_offset() <= offset);
        let segment = self.segments.get(seg)?;
        let batch = segment.batches.partition_point(|b| b.next_offset() <= offset);
        (batch < segment.batches.len()).then_some((seg, batch))
    }

    /// Batches from the one holding `from_offset` up to (not past) `max_offset`,
    /// stopping after `max_bytes` but always returning at least one batch
    /// (KIP-74), as a Fetch does.
    pub fn read(&self, from_offset: i64, max_offset: i64, max_bytes: u64) -> Vec<LogBatch> {
        let mut out = Vec::new();
        let Some((mut seg, mut idx)) = self.locate(from_offset) else {
            return out;
        };
        let mut bytes = 0u64;
        while let Some(segment) = self.segments.get(seg) {
            while let Some(batch) = segment.batches.get(idx) {
                if batch.next_offset() > max_offset || (!out.is_empty() && bytes >= max_bytes) {
                    return out;
                }
                bytes += u64::from(batch.batch.size_bytes());
                out.push(batch.clone());
                idx += 1;
            }
            seg += 1;
            idx = 0;
        }
        out
    }

    /// Batches from the one holding `from_offset` on, lazily: for reading a
    /// window of the log without copying the rest of it.
    pub fn batches_from(&self, from_offset: i64) -> impl Iterator<Item = &LogBatch> + '_ {
        let (seg, idx) = self.locate(from_offset).unwrap_or((self.segments.len(), 0));
        self.segments
            .iter()
            .skip(seg)
            .enumerate()
            .flat_map(move |(i, s)| s.batches.iter().skip(if i == 0 { idx } else { 0 }))
    }

    /// The batch holding `offset`, if any (for inspection and narration).
    pub fn batch_at(&self, offset: i64) -> Option<&LogBatch> {
        let (seg, idx) = self.locate(offset)?;
        let batch = &self.segments[seg].batches[idx];
        (batch.base_offset <= offset).then_some(batch)
    }

    /// Every batch in offset order.
    pub fn batches(&self) -> impl Iterator<Item = &LogBatch> + '_ {
        self.segments.iter().flat_map(|s| s.batches.iter())
    }

    /// Removes everything at or after `offset`. A batch that straddles `offset`
    /// goes entirely, as Kafka truncates whole batches; the returned log end may
    /// therefore be below `offset`. Returns the removed records.
    pub fn truncate_to(&mut self, offset: i64) -> Vec<TruncatedRecord> {
        let mut removed = Vec::new();
        if offset >= self.log_end_offset {
            return removed;
        }
        while let Some(segment) = self.segments.back_mut() {
            while segment.batches.last().is_some_and(|b| b.last_offset() >= offset) {
                let batch = segment.batches.pop().expect("checked non-empty");
                for (record_offset, record) in batch.records() {
                    removed.push(TruncatedRecord {
                        offset: record_offset,
                        id: record.id(),
                        leader_epoch: batch.partition_leader_epoch,
                    });
                }
            }
            segment.recompute();
            if segment.is_empty() && self.segments.len() > 1 {
                self.segments.pop_back();
            } else {
                break;
            }
        }
        removed.sort_by_key(|r| r.offset);
        self.log_end_offset = self.segments.back().map_or(offset, Segment::next_offset).max(self.log_start_offset);
        if let Some(active) = self.segments.back_mut().filter(|s| s.is_empty()) {
            active.base_offset = self.log_end_offset;
        }
        self.high_watermark = self.high_watermark.min(self.log_end_offset);
        self.epoch_cache.truncate_from_end(self.log_end_offset);
        self.transaction_index.truncate_to(self.log_end_offset);
        self.rebuild_producer_state();
        removed
    }

    /// Empties the log and restarts it at `offset`, as a follower does when the
    /// leader's log starts beyond its own log end.
    pub fn truncate_fully_and_start_at(&mut self, offset: i64) {
        self.segments = VecDeque::from([Segment::new(offset)]);
        self.log_start_offset = offset;
        self.high_watermark = offset;
        self.log_end_offset = offset;
        self.epoch_cache = LeaderEpochCache::default();
        self.producer_state.clear();
        self.transaction_index.clear();
    }

    /// Advances the log start offset (never backwards), e.g. after deleting
    /// segments or when a follower learns the leader's log start.
    pub fn advance_log_start_offset(&mut self, offset: i64) -> bool {
        let offset = offset.min(self.high_watermark.max(self.log_start_offset));
        if offset <= self.log_start_offset {
            return false;
        }
        self.log_start_offset = offset;
        // Segments wholly below the new start can go at once.
        while self.segments.len() > 1 && self.segments[0].next_offset() <= offset {
            self.segments.pop_front();
        }
        self.epoch_cache.truncate_from_start(offset);
        self.transaction_index.trim_before(offset);
        true
    }

    /// Closes the active segment and starts an empty one at the log end.
    pub fn roll_empty_segment(&mut self) {
        if self.segments.back().is_some_and(|s| !s.is_empty()) {
            self.segments.push_back(Segment::new(self.log_end_offset));
        }
    }

    /// Drops the `count` oldest segments and moves the log start offset to
    /// `new_log_start_offset` (the base of the first remaining segment).
    pub fn delete_oldest_segments(&mut self, count: usize, new_log_start_offset: i64) {
        let count = count.min(self.segments.len().saturating_sub(1));
        self.segments.drain(..count);
        if new_log_start_offset > self.log_start_offset {
            self.log_start_offset = new_log_start_offset;
            self.high_watermark = self.high_watermark.max(new_log_start_offset);
            self.producer_state.on_high_watermark_updated(self.high_watermark);
            self.epoch_cache.truncate_from_start(new_log_start_offset);
            self.transaction_index.trim_before(new_log_start_offset);
        }
    }

    /// Replays every batch, as Kafka reloads producer state after a
    /// truncation: sequences, epochs and the transactions still open.
    fn rebuild_producer_state(&mut self) {
        let mut table = ProducerStateTable::default();
        for batch in self.segments.iter().flat_map(|s| s.batches.iter()) {
            table.record_batch(batch);
        }
        table.on_high_watermark_updated(self.high_watermark);
        self.producer_state = table;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::record::{ControlRecordType, ProducerStamp, RecordBatchBuilder};
    use crate::ids::ClientIdx;

    fn batch(first: u64, count: u64, stamp: ProducerStamp) -> Arc<RecordBatch> {
        let mut b = RecordBatchBuilder::new(stamp);
        for n in first..first + count {
            let id = RecordId { producer: ClientIdx(0), number: n };
            b.push(id, n as i64, Some(b"k"), Some(b"value"), &[]);
        }
        Arc::new(b.build())
    }

    #[test]
    fn leader_appends_assign_consecutive_offsets() {
        let mut log = PartitionLog::default();
        assert_eq!(
            log.append_as_leader(batch(0, 3, ProducerStamp::NONE), 0),
            LeaderAppend::Appended { base_offset: 0, last_offset: 2 }
        );
        assert_eq!(
            log.append_as_leader(batch(3, 2, ProducerStamp::NONE), 0),
            LeaderAppend::Appended { base_offset: 3, last_offset: 4 }
        );
        assert_eq!(log.log_end_offset(), 5);
        assert_eq!(log.high_watermark(), 0, "the leader moves the HW, not the append");
        assert!(log.set_high_watermark(9));
        assert_eq!(log.high_watermark(), 5, "HW is clamped to the log end");
    }

    #[test]
    fn reads_stop_at_the_bound_and_return_whole_batches() {
        let mut log = PartitionLog::default();
        for i in 0..4 {
            log.append_as_leader(batch(i * 2, 2, ProducerStamp::NONE), 0);
        }
        let read = log.read(3, 6, u64::MAX);
        let bases: Vec<_> = read.iter().map(|b| b.base_offset).collect();
        assert_eq!(bases, [2, 4], "the batch holding offset 3 starts at 2; offset 6 is the bound");
        assert_eq!(log.read(0, 8, 1).len(), 1, "max bytes still returns one batch");
        assert!(log.read(8, 8, u64::MAX).is_empty());
    }

    #[test]
    fn truncation_removes_whole_batches_and_reports_them() {
        let mut log = PartitionLog::default();
        log.append_as_leader(batch(0, 2, ProducerStamp::NONE), 1);
        log.append_as_leader(batch(2, 3, ProducerStamp::NONE), 2);
        log.set_high_watermark(5);
        let removed = log.truncate_to(3);
        assert_eq!(removed.iter().map(|r| r.offset).collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(log.log_end_offset(), 2);
        assert_eq!(log.high_watermark(), 2);
        assert_eq!(log.epoch_cache.entries(), &[(1, 0)]);
    }

    #[test]
    fn idempotent_retry_is_not_written_twice() {
        let mut log = PartitionLog::default();
        let stamp = ProducerStamp { producer_id: 7, producer_epoch: 0, base_sequence: 0 };
        let b = batch(0, 2, stamp);
        log.append_as_leader(b.clone(), 0);
        assert_eq!(log.append_as_leader(b, 0), LeaderAppend::Duplicate { base_offset: 0, last_offset: 1 });
        assert_eq!(log.log_end_offset(), 2);
    }

    #[test]
    fn segments_roll_on_size_and_age() {
        let mut log = PartitionLog::new(RollPolicy { segment_bytes: 200, segment_ms: 1_000 });
        for i in 0..6 {
            log.append_as_leader(batch(i, 1, ProducerStamp::NONE), 0);
        }
        assert!(log.segments().len() > 1, "small segment.bytes forces rolls");
        let bases: Vec<_> = log.segments().iter().map(|s| s.base_offset).collect();
        assert!(bases.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(log.read(0, 6, u64::MAX).len(), 6, "reads cross segment boundaries");
    }

    #[test]
    fn follower_appends_keep_the_leaders_offsets_and_epochs() {
        let mut leader = PartitionLog::default();
        leader.append_as_leader(batch(0, 2, ProducerStamp::NONE), 3);
        leader.append_as_leader(batch(2, 1, ProducerStamp::NONE), 4);
        let mut follower = PartitionLog::default();
        follower.append_as_follower(&leader.read(0, 3, u64::MAX));
        assert_eq!(follower.log_end_offset(), 3);
        assert_eq!(follower.epoch_cache.entries(), &[(3, 0), (4, 2)]);
    }

    fn txn_batch(first: u64, count: u64, producer_id: i64, epoch: i16, seq: i32) -> Arc<RecordBatch> {
        let stamp = ProducerStamp { producer_id, producer_epoch: epoch, base_sequence: seq };
        let b = batch(first, count, stamp);
        Arc::new(RecordBatch::clone(&b).into_transactional())
    }

    fn marker(producer_id: i64, epoch: i16, kind: ControlRecordType) -> Arc<RecordBatch> {
        let stamp = ProducerStamp { producer_id, producer_epoch: epoch, base_sequence: -1 };
        Arc::new(RecordBatch::end_txn_marker(stamp, kind, 0, 0))
    }

    /// The example of kafka-reference §16: `0:a(P1,txn) 1:b(plain) 2:c(P1)
    /// 3:ABORT(P1) 4:d(plain)`. While P1 is open the LSO stays at 0, even
    /// with b replicated; once the abort is replicated the LSO is the high
    /// watermark and a fetch learns that P1 aborted from offset 0.
    #[test]
    fn an_open_transaction_holds_the_last_stable_offset() {
        let mut log = PartitionLog::default();
        let p1 = 1000;
        log.append_as_leader(txn_batch(0, 1, p1, 0, 0), 0);
        log.append_as_leader(batch(1, 1, ProducerStamp::NONE), 0);
        log.append_as_leader(txn_batch(2, 1, p1, 0, 1), 0);
        log.set_high_watermark(3);
        assert_eq!((log.high_watermark(), log.last_stable_offset()), (3, 0), "b is replicated but not stable");
        assert_eq!(
            log.append_as_leader(marker(p1, 1, ControlRecordType::Abort), 0),
            LeaderAppend::Appended { base_offset: 3, last_offset: 3 }
        );
        log.append_as_leader(batch(4, 1, ProducerStamp::NONE), 0);
        log.set_high_watermark(3);
        assert_eq!(log.last_stable_offset(), 0, "the marker is not replicated yet");
        log.set_high_watermark(5);
        assert_eq!(log.last_stable_offset(), 5);
        let aborted = log.aborted_transactions(0, 5);
        assert_eq!(aborted, [AbortedTransaction { producer_id: p1, first_offset: 0 }]);
        assert!(log.aborted_transactions(4, 5).is_empty(), "the abort ends before offset 4");
        assert_eq!(log.transaction_index.entries()[0].last_stable_offset, 4);
    }

    #[test]
    fn a_fenced_marker_is_refused() {
        let mut log = PartitionLog::default();
        log.append_as_leader(txn_batch(0, 1, 7, 3, 0), 0);
        assert_eq!(log.append_as_leader(marker(7, 2, ControlRecordType::Commit), 0), LeaderAppend::ProducerFenced);
        assert_eq!(log.log_end_offset(), 1);
    }

    /// A new leader without the marker finds the transaction open again:
    /// truncating the marker away reopens it and forgets its abort.
    #[test]
    fn truncating_a_marker_reopens_its_transaction() {
        let mut log = PartitionLog::default();
        log.append_as_leader(txn_batch(0, 2, 7, 0, 0), 0);
        log.append_as_leader(marker(7, 1, ControlRecordType::Abort), 0);
        log.set_high_watermark(2);
        assert_eq!(log.transaction_index.entries().len(), 1);
        log.truncate_to(2);
        assert_eq!(log.producer_state.first_undecided_offset(), Some(0));
        assert_eq!(log.last_stable_offset(), 0);
        assert!(log.transaction_index.entries().is_empty());
    }

    #[test]
    fn followers_track_transactions_as_leaders_do() {
        let mut leader = PartitionLog::default();
        leader.append_as_leader(txn_batch(0, 2, 7, 0, 0), 0);
        leader.append_as_leader(marker(7, 1, ControlRecordType::Abort), 0);
        let mut follower = PartitionLog::default();
        follower.append_as_follower(&leader.read(0, 3, u64::MAX));
        follower.set_high_watermark(3);
        assert_eq!(follower.aborted_transactions(0, 3), leader.aborted_transactions(0, 3));
        assert_eq!(follower.last_stable_offset(), 3);
    }
}

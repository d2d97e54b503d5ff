//! The log cleaner: compaction of `cleanup.policy=compact` partitions, as
//! Kafka's `LogCleaner` does it, on every replica independently.
//!
//! A log is split at its *first dirty offset* (the cleaner's checkpoint) into
//! a clean tail and a dirty head. Only `[first dirty, first uncleanable)` may
//! be cleaned, where the first uncleanable offset is the lowest of the high
//! watermark, the active segment's base offset, and the first segment younger
//! than `min.compaction.lag.ms`: the active segment is never compacted.
//!
//! A log is due when its dirty share of bytes exceeds
//! `min.cleanable.dirty.ratio`, or when dirty data has waited longer than
//! `max.compaction.lag.ms`. Cleaning builds a map of each key's latest offset
//! in the dirty range, then rewrites every segment from the start of the log
//! through the last offset it mapped, keeping a record only if it is the
//! latest for its key (records beyond the mapped range are kept). Kept records
//! keep their offsets, so offsets become sparse. Neighbouring segments whose
//! sizes fit in `segment.bytes` are merged.
//!
//! Tombstones (null values) are kept at first: the first cleaning that keeps
//! one stamps its batch with a delete horizon of now + `delete.retention.ms`,
//! and a later cleaning after that horizon removes it (KIP-534). An emptied
//! batch is dropped, except the one holding an idempotent producer's last
//! record, which stays as an empty shell so its sequence state survives.
//!
//! The cleaner stops at the last stable offset, as Kafka's stops at the
//! first unstable offset (`LogCleanerManager.cleanableOffsets`): the records
//! of a transaction still open are not compacted before it commits or aborts.
//! Like every bound, it moves down to the base of the segment holding it.
//!
//! Transactions, as Kafka's cleaner treats them (`CleanedTransactionMetadata`,
//! in `transactions.rs`): the records of aborted transactions are discarded
//! (no `read_committed` reader ever sees them) and take no part in the key
//! map. A COMMIT or ABORT marker stays while any batch of its transaction is
//! left; the first pass that finds none stamps the marker's batch with a
//! delete horizon of now + `delete.retention.ms`, and a pass after that
//! horizon removes it, as for tombstones. The aborted-transaction index keeps
//! only the transactions with data left. An emptied batch still holding an
//! active producer's last sequence, or its latest epoch in a marker, stays as
//! an empty shell, so idempotence and fencing hold after cleaning. Kafka's
//! `legacyDeleteHorizonMs` applies only to the pre-v2 record format, which
//! kafkasim never writes.
//!
//! Simplifications: cleaning takes no time, the offset map has no size limit
//! (`log.cleaner.dedupe.buffer.size`). A `log.cleaner.backoff.ms` of 0
//! checks once a millisecond (Kafka's cleaner thread would check as fast as
//! its CPU allows; in virtual time, at once for ever).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::log::PartitionLog;
use super::record::{LogBatch, RecordBatch};
use super::segment::Segment;
use crate::config::TopicConfig;
use transactions::CleanedTransactions;

/// What the cleaner may clean in a log now, and how dirty it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cleanable {
    pub first_dirty: i64,
    pub first_uncleanable: i64,
    /// Bytes of the segments below the first dirty offset.
    pub clean_bytes: u64,
    /// Bytes of the segments in the cleanable range.
    pub dirty_bytes: u64,
    /// Dirty data has waited longer than `max.compaction.lag.ms`.
    pub overdue: bool,
}

impl Cleanable {
    /// Kafka's `cleanableRatio`: dirty bytes over all bytes considered.
    pub fn dirty_ratio(&self) -> f64 {
        let total = self.clean_bytes + self.dirty_bytes;
        if total == 0 { 0.0 } else { self.dirty_bytes as f64 / total as f64 }
    }

    /// Whether the cleaner takes this log (`grabFilthiestCompactedLog`).
    pub fn is_due(&self, config: &TopicConfig) -> bool {
        (self.overdue && self.dirty_bytes > 0) || self.dirty_ratio() > config.min_cleanable_dirty_ratio
    }
}

/// What one cleaning did.
#[derive(Clone, Debug, PartialEq)]
pub struct Cleaned {
    pub first_dirty: i64,
    /// The new checkpoint: one past the last offset the key map covered.
    pub cleaned_up_to: i64,
    pub dirty_ratio: f64,
    /// Records removed because a later record has the same key.
    pub superseded: usize,
    /// Tombstones removed after their delete horizon.
    pub tombstones_removed: usize,
    /// Tombstones kept and stamped with a delete horizon this time.
    pub tombstones_stamped: usize,
    /// Records of aborted transactions removed.
    pub aborted_removed: usize,
    /// Transaction markers removed after their delete horizon.
    pub markers_removed: usize,
    /// Transaction markers with no data left, stamped with a delete horizon.
    pub markers_stamped: usize,
    pub segments_before: usize,
    pub segments_after: usize,
}

/// The range the cleaner may work on, given its checkpoint.
pub fn cleanable(log: &PartitionLog, config: &TopicConfig, checkpoint: i64, now_ms: i64) -> Cleanable {
    let segments = log.segments();
    let first_dirty = if checkpoint < log.log_start_offset() || checkpoint > log.log_end_offset() {
        log.log_start_offset()
    } else {
        checkpoint
    };
    let active_base = segments.back().map_or(log.log_end_offset(), |s| s.base_offset);
    let non_active = || segments.iter().take(segments.len().saturating_sub(1));
    let dirty_non_active = || non_active().filter(|s| s.next_offset() > first_dirty);
    let mut first_uncleanable = log.last_stable_offset().min(active_base);
    if config.min_compaction_lag_ms > 0
        && let Some(young) =
            dirty_non_active().find(|s| s.largest_timestamp_ms > now_ms.saturating_sub(config.min_compaction_lag_ms))
    {
        first_uncleanable = first_uncleanable.min(young.base_offset);
    }
    // Cleaning works on whole segments: the bound moves down to the base of
    // the segment holding it (`LogCleanerManager.calculateCleanableBytes`).
    let holding = segments.partition_point(|s| s.base_offset <= first_uncleanable).saturating_sub(1);
    let first_uncleanable = segments.get(holding).map_or(first_uncleanable, |s| s.base_offset.min(first_uncleanable));
    let first_uncleanable = first_uncleanable.max(first_dirty);
    let clean_bytes = segments.iter().filter(|s| s.base_offset < first_dirty).map(|s| s.size_bytes).sum();
    let dirty_bytes = segments
        .iter()
        .filter(|s| s.next_offset() > first_dirty && s.base_offset < first_uncleanable)
        .map(|s| s.size_bytes)
        .sum();
    let earliest_dirty = dirty_non_active().filter_map(|s| s.first_timestamp_ms).filter(|&t| t > 0).min();
    let overdue = earliest_dirty.is_some_and(|t| t < now_ms.saturating_sub(config.max_compaction_lag_ms));
    Cleanable { first_dirty, first_uncleanable, clean_bytes, dirty_bytes, overdue }
}

/// Cleans `log` over the range `plan` describes (`Cleaner.doClean`). Returns
/// `None` when the range is empty (nothing to clean; the checkpoint stays).
pub fn clean(log: &mut PartitionLog, config: &TopicConfig, plan: &Cleanable, now_ms: i64) -> Option<Cleaned> {
    let (first_dirty, first_uncleanable) = (plan.first_dirty, plan.first_uncleanable);
    let in_dirty_range = |b: &&LogBatch| b.next_offset() > first_dirty && b.base_offset < first_uncleanable;
    if !log.batches().any(|b| in_dirty_range(&b)) {
        return None;
    }
    // `buildOffsetMap`: the latest offset of every key in the dirty range,
    // leaving out the records of aborted transactions, which go anyway.
    let aborted = log.transaction_index.overlapping(first_dirty, first_uncleanable);
    let mut walk = CleanedTransactions::new(&aborted);
    let mut latest: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
    for batch in log.batches().filter(in_dirty_range) {
        if batch.batch.control().is_some() {
            walk.on_control_batch_read(batch);
            continue;
        }
        if walk.on_batch_read(batch) {
            continue;
        }
        for (offset, record) in batch.records() {
            if offset >= first_dirty
                && let Some(key) = record.key()
            {
                latest.insert(key.to_vec(), offset);
            }
        }
    }
    // Kafka's offset map ends where the dirty range does (its latest offset
    // is moved to the end of the last dirty segment).
    let cleaned_up_to = first_uncleanable;
    let last_mapped = cleaned_up_to - 1;

    // Segments from the start through the last dirty one.
    let segments = log.segments();
    let count = segments.iter().take_while(|s| s.base_offset < cleaned_up_to).count().min(segments.len() - 1);
    let rewritten_up_to = segments.get(count).map_or(log.log_end_offset(), |s| s.base_offset);
    let groups = group_by_size(segments.iter().take(count), config.segment_bytes);
    let mut result = Cleaned {
        first_dirty,
        cleaned_up_to,
        dirty_ratio: plan.dirty_ratio(),
        superseded: 0,
        tombstones_removed: 0,
        tombstones_stamped: 0,
        aborted_removed: 0,
        markers_removed: 0,
        markers_stamped: 0,
        segments_before: count,
        segments_after: 0,
    };
    let cleaning = Cleaning { latest: &latest, last_mapped, end_of_round: cleaned_up_to, config, now_ms };
    let mut walk =
        CleanedTransactions::new(&log.transaction_index.overlapping(log.log_start_offset(), rewritten_up_to));
    let mut cleaned: VecDeque<Segment> = VecDeque::new();
    let mut start = 0;
    for size in groups {
        let mut merged = Segment::new(log.segments()[start].base_offset);
        for segment in log.segments().range(start..start + size) {
            for batch in &segment.batches {
                if let Some(kept) = cleaning.clean_batch(batch, log, &mut walk, &mut result) {
                    merged.push(kept);
                }
            }
        }
        start += size;
        if !merged.is_empty() {
            cleaned.push_back(merged);
        }
    }
    result.segments_after = cleaned.len();
    log.transaction_index.replace_before(rewritten_up_to, walk.retained_index);
    let segments = log.segments_mut();
    segments.drain(..count);
    for segment in cleaned.into_iter().rev() {
        segments.push_front(segment);
    }
    Some(result)
}

/// One cleaning pass's fixed inputs (`Cleaner.cleanInto`'s `RecordFilter`).
struct Cleaning<'a> {
    latest: &'a BTreeMap<Vec<u8>, i64>,
    last_mapped: i64,
    /// The end of the dirty range: the batch ending there is kept, even
    /// emptied, so the log keeps its last offset.
    end_of_round: i64,
    config: &'a TopicConfig,
    now_ms: i64,
}

impl Cleaning<'_> {
    /// Whether `offset` (with `key`) survives compaction (`shouldRetainRecord`).
    fn keep_record(&self, offset: i64, key: Option<&[u8]>, tombstone: bool, keep_tombstones: bool) -> bool {
        if offset > self.last_mapped {
            return true;
        }
        // A compacted log has no records without keys; the cleaner drops any.
        let Some(key) = key else { return false };
        let newest = self.latest.get(key).is_none_or(|&o| offset >= o);
        newest && (!tombstone || keep_tombstones)
    }

    /// Whether the batch must stay even emptied (`BatchRetention.RETAIN_EMPTY`):
    /// it holds an active producer's last sequence, or its latest epoch in a
    /// marker, or it ends the round.
    fn retain_empty(&self, batch: &LogBatch, log: &PartitionLog) -> bool {
        let producer = batch.batch.producer;
        let last_of_producer = producer.is_idempotent()
            && log.producer_state.last_record_of(producer.producer_id).is_some_and(|(last_data_offset, epoch)| {
                match last_data_offset {
                    Some(offset) => batch.last_offset() == offset,
                    None => batch.batch.control().is_some() && producer.producer_epoch == epoch,
                }
            });
        last_of_producer || batch.next_offset() == self.end_of_round
    }

    /// One batch as the cleaner writes it back, or `None` if it goes.
    fn clean_batch(
        &self,
        batch: &LogBatch,
        log: &PartitionLog,
        walk: &mut CleanedTransactions,
        result: &mut Cleaned,
    ) -> Option<LogBatch> {
        let is_marker = batch.batch.control().is_some();
        let can_discard = if is_marker { walk.on_control_batch_read(batch) } else { walk.on_batch_read(batch) };
        // Markers piggy-back on the tombstone rule: discardable ones go only
        // after the delete horizon a previous pass stamped on them.
        let horizon_passed = batch.batch.delete_horizon_ms().is_some_and(|h| h <= self.now_ms);
        let discard_records = can_discard && (!is_marker || horizon_passed);
        let mut rewritten = if discard_records {
            if is_marker {
                result.markers_removed += batch.batch.len();
            } else {
                result.aborted_removed += batch.batch.len();
            }
            Some(batch.batch.retain(|_| false))
        } else if is_marker {
            None
        } else {
            self.compact_records(batch, result)
        };
        let current = rewritten.as_ref().unwrap_or(&batch.batch);
        if current.is_empty() {
            if !self.retain_empty(batch, log) {
                return None;
            }
        } else if current.delete_horizon_ms().is_none() && (current.has_tombstones() || (can_discard && is_marker)) {
            if is_marker {
                result.markers_stamped += current.len();
            } else {
                result.tombstones_stamped += current.records().filter(|r| r.is_tombstone()).count();
            }
            let stamped = rewritten.take().unwrap_or_else(|| (*batch.batch).clone());
            rewritten = Some(stamped.with_delete_horizon(self.now_ms.saturating_add(self.config.delete_retention_ms)));
        }
        Some(match rewritten {
            None => batch.clone(),
            Some(new) => LogBatch { batch: Arc::new(new), ..batch.clone() },
        })
    }

    /// The data batch without its superseded records and expired
    /// tombstones, or `None` if it keeps them all.
    fn compact_records(&self, batch: &LogBatch, result: &mut Cleaned) -> Option<RecordBatch> {
        let keep_tombstones = batch.batch.delete_horizon_ms().is_none_or(|horizon| self.now_ms < horizon);
        let mut dropped = 0;
        let mut dropped_tombstones = 0;
        for (offset, record) in batch.records() {
            if !self.keep_record(offset, record.key(), record.is_tombstone(), keep_tombstones) {
                dropped += 1;
                let superseded_by_newer = record.key().and_then(|k| self.latest.get(k)).is_some_and(|&o| offset < o);
                if record.is_tombstone() && !superseded_by_newer {
                    dropped_tombstones += 1;
                }
            }
        }
        result.superseded += dropped - dropped_tombstones;
        result.tombstones_removed += dropped_tombstones;
        if dropped == 0 {
            return None;
        }
        let mut offsets = batch.records().map(|(o, _)| o);
        Some(batch.batch.retain(|r| {
            let offset = offsets.next().unwrap_or(i64::MAX);
            self.keep_record(offset, r.key(), r.is_tombstone(), keep_tombstones)
        }))
    }
}

/// Kafka's `groupSegmentsBySize`: runs of neighbouring segments whose sizes
/// add up to at most `max_bytes` are written back as one. Returns the size
/// of each group, in order.
fn group_by_size<'a>(segments: impl Iterator<Item = &'a Segment>, max_bytes: u64) -> Vec<usize> {
    let mut groups: Vec<(usize, u64)> = Vec::new();
    for segment in segments {
        match groups.last_mut() {
            Some((count, bytes)) if *bytes + segment.size_bytes <= max_bytes => {
                *count += 1;
                *bytes += segment.size_bytes;
            }
            _ => groups.push((1, segment.size_bytes)),
        }
    }
    groups.into_iter().map(|(count, _)| count).collect()
}

/// Offsets strictly increase across the whole log: what compaction must keep.
pub fn check_offsets_increase(log: &PartitionLog) -> Result<(), String> {
    let mut previous: Option<i64> = None;
    for batch in log.batches() {
        for (offset, _) in batch.records() {
            if previous.is_some_and(|p| offset <= p) {
                return Err(format!("offset {offset} follows offset {}", previous.unwrap_or_default()));
            }
            previous = Some(offset);
        }
    }
    Ok(())
}

mod transactions;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transaction_tests;

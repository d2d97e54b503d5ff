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
//! Transaction markers (control batches) are kept and take no part in the key
//! map.
//!
//! Simplifications: cleaning takes no time, the offset map has no size limit
//! (`log.cleaner.dedupe.buffer.size`). Transaction markers are never removed
//! (Kafka removes one `delete.retention.ms` after its transaction's records
//! are all gone), and the records of aborted transactions are compacted like
//! any others rather than discarded (`read_committed` readers still skip
//! them through the aborted-transaction index). A `log.cleaner.backoff.ms` of 0
//! checks once a millisecond (Kafka's cleaner thread would check as fast as
//! its CPU allows; in virtual time, at once for ever).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::log::PartitionLog;
use super::record::LogBatch;
use super::segment::Segment;
use crate::config::TopicConfig;

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

/// Cleans `log` over the range `plan` describes. Returns `None` when the
/// range holds no keyed record (nothing to clean; the checkpoint stays).
pub fn clean(log: &mut PartitionLog, config: &TopicConfig, plan: &Cleanable, now_ms: i64) -> Option<Cleaned> {
    let (first_dirty, first_uncleanable) = (plan.first_dirty, plan.first_uncleanable);
    // The latest offset of every key in the dirty range.
    let mut latest: BTreeMap<&[u8], i64> = BTreeMap::new();
    let mut last_mapped = None;
    let dirty = log.batches().filter(|b| b.next_offset() > first_dirty && b.base_offset < first_uncleanable);
    for batch in dirty.filter(|b| b.batch.control().is_none()) {
        for (offset, record) in batch.records() {
            if offset >= first_dirty
                && offset < first_uncleanable
                && let Some(key) = record.key()
            {
                latest.insert(key, offset);
                last_mapped = Some(offset);
            }
        }
    }
    let last_mapped = last_mapped?;
    let cleaned_up_to = last_mapped + 1;
    let latest: BTreeMap<Vec<u8>, i64> = latest.into_iter().map(|(k, o)| (k.to_vec(), o)).collect();

    // Segments from the start through the one holding the last mapped offset.
    let segments = log.segments();
    let count = segments.iter().take_while(|s| s.base_offset < cleaned_up_to).count().min(segments.len() - 1);
    let groups = group_by_size(segments.iter().take(count), config.segment_bytes);
    let mut result = Cleaned {
        first_dirty,
        cleaned_up_to,
        dirty_ratio: plan.dirty_ratio(),
        superseded: 0,
        tombstones_removed: 0,
        tombstones_stamped: 0,
        segments_before: count,
        segments_after: 0,
    };
    let mut cleaned: VecDeque<Segment> = VecDeque::new();
    let mut start = 0;
    for size in groups {
        let mut merged = Segment::new(log.segments()[start].base_offset);
        for segment in log.segments().range(start..start + size) {
            for batch in &segment.batches {
                if let Some(kept) = clean_batch(batch, &latest, last_mapped, log, config, now_ms, &mut result) {
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
    let segments = log.segments_mut();
    segments.drain(..count);
    for segment in cleaned.into_iter().rev() {
        segments.push_front(segment);
    }
    Some(result)
}

/// One batch as the cleaner writes it back, or `None` if it goes.
fn clean_batch(
    batch: &LogBatch,
    latest: &BTreeMap<Vec<u8>, i64>,
    last_mapped: i64,
    log: &PartitionLog,
    config: &TopicConfig,
    now_ms: i64,
    result: &mut Cleaned,
) -> Option<LogBatch> {
    if batch.batch.control().is_some() {
        return Some(batch.clone());
    }
    let keep_tombstones = batch.batch.delete_horizon_ms().is_none_or(|horizon| now_ms < horizon);
    let mut dropped = 0;
    let mut dropped_tombstones = 0;
    let keep = |offset: i64, key: Option<&[u8]>, tombstone: bool| -> bool {
        if offset > last_mapped {
            return true;
        }
        // A compacted log has no records without keys; the cleaner drops any.
        let Some(key) = key else { return false };
        let newest = latest.get(key).is_none_or(|&o| offset >= o);
        newest && (!tombstone || keep_tombstones)
    };
    for (offset, record) in batch.records() {
        if !keep(offset, record.key(), record.is_tombstone()) {
            dropped += 1;
            let superseded_by_newer = record.key().and_then(|k| latest.get(k)).is_some_and(|&o| offset < o);
            if record.is_tombstone() && !superseded_by_newer {
                dropped_tombstones += 1;
            }
        }
    }
    result.superseded += dropped - dropped_tombstones;
    result.tombstones_removed += dropped_tombstones;
    let mut rewritten = if dropped == 0 {
        None
    } else {
        let mut offsets = batch.records().map(|(o, _)| o);
        Some(batch.batch.retain(|r| {
            let offset = offsets.next().unwrap_or(i64::MAX);
            keep(offset, r.key(), r.is_tombstone())
        }))
    };
    let current = rewritten.as_ref().unwrap_or(&batch.batch);
    if current.is_empty() {
        // An emptied batch goes, unless it holds an idempotent producer's last
        // sequence (BatchRetention.RETAIN_EMPTY).
        let producer = batch.batch.producer;
        let last_of_producer = producer.is_idempotent()
            && log.producer_state.last_offset_of(producer.producer_id) == Some(batch.last_offset());
        if !last_of_producer {
            return None;
        }
    } else if current.delete_horizon_ms().is_none() && current.has_tombstones() {
        result.tombstones_stamped += current.records().filter(|r| r.is_tombstone()).count();
        let stamped = rewritten.take().unwrap_or_else(|| (*batch.batch).clone());
        rewritten = Some(stamped.with_delete_horizon(now_ms.saturating_add(config.delete_retention_ms)));
    }
    Some(match rewritten {
        None => batch.clone(),
        Some(new) => LogBatch { batch: Arc::new(new), ..batch.clone() },
    })
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

#[cfg(test)]
mod tests;

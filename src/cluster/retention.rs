//! Time and size retention (`cleanup.policy=delete`), as Kafka's
//! `UnifiedLog.deleteOldSegments` does it.
//!
//! Every `log.retention.check.interval.ms` each broker looks at each of its
//! replicas. Deletion works on whole segments, oldest first, and stops at the
//! first segment that must stay:
//! - by size: while the log minus the oldest segment is still at least
//!   `retention.bytes` (per partition), the oldest segment goes;
//! - by time: while the oldest segment's *newest* record is older than
//!   `retention.ms`, it goes.
//!
//! A segment is only deleted once everything in it is below the high
//! watermark. The active segment can go too, when it qualifies and the high
//! watermark has reached the log end: Kafka first rolls a new, empty active
//! segment. The log start offset then jumps to the first remaining segment's
//! base offset.
//!
//! Simplification: segment files are removed at once, not renamed `.deleted`
//! and removed `file.delete.delay.ms` later; no reader could tell the difference.

use super::log::PartitionLog;
use super::segment::Segment;
use crate::config::TopicConfig;

/// Why segments were deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionReason {
    Size,
    Time,
}

impl RetentionReason {
    pub fn config_name(self) -> &'static str {
        match self {
            RetentionReason::Size => "retention.bytes",
            RetentionReason::Time => "retention.ms",
        }
    }
}

/// What one retention pass removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    pub reason: RetentionReason,
    pub segments: usize,
    pub records: usize,
    pub new_log_start_offset: i64,
}

/// Kafka's `deletableSegments`: how many of the oldest segments `predicate`
/// allows deleting, walking from the oldest and stopping at the first that must
/// stay or that is not wholly below the high watermark.
fn deletable(log: &PartitionLog, mut predicate: impl FnMut(&Segment) -> bool) -> usize {
    let segments = log.segments();
    let mut count = 0;
    for (i, segment) in segments.iter().enumerate() {
        let next = segments.get(i + 1);
        let is_last_and_empty = next.is_none() && segment.is_empty();
        let upper_bound = next.map_or(log.log_end_offset(), |n| n.base_offset);
        if is_last_and_empty || log.high_watermark() < upper_bound || !predicate(segment) {
            break;
        }
        count += 1;
    }
    count
}

/// Runs one retention pass on `log` (size first, then time, as Kafka does).
pub fn apply(log: &mut PartitionLog, config: &TopicConfig, now_ms: i64) -> Vec<Deleted> {
    let mut out = Vec::new();
    if !config.cleanup_policy.delete {
        return out;
    }
    if config.retention_bytes >= 0 {
        let mut excess = log.size_bytes() as i64 - config.retention_bytes;
        let n = deletable(log, |segment| {
            let size = segment.size_bytes as i64;
            if excess - size >= 0 {
                excess -= size;
                true
            } else {
                false
            }
        });
        out.extend(delete_oldest(log, n, RetentionReason::Size));
    }
    if config.retention_ms >= 0 {
        let n = deletable(log, |segment| now_ms - segment.largest_timestamp_ms > config.retention_ms);
        out.extend(delete_oldest(log, n, RetentionReason::Time));
    }
    out
}

fn delete_oldest(log: &mut PartitionLog, count: usize, reason: RetentionReason) -> Option<Deleted> {
    if count == 0 {
        return None;
    }
    let records = log.segments().iter().take(count).map(Segment::record_count).sum();
    if count == log.segments().len() {
        // A log always keeps one segment: roll an empty one first.
        log.roll_empty_segment();
    }
    let new_start = log.segments()[count].base_offset;
    log.delete_oldest_segments(count, new_start);
    Some(Deleted { reason, segments: count, records, new_log_start_offset: log.log_start_offset() })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
    use crate::cluster::segment::RollPolicy;
    use crate::ids::{ClientIdx, RecordId};

    /// A log with one record per batch at the given timestamps, rolled every
    /// `per_segment` records by size.
    fn log_with(timestamps: &[i64], segment_bytes: u64) -> PartitionLog {
        log_with_high_watermark(timestamps, segment_bytes, timestamps.len() as i64)
    }

    fn log_with_high_watermark(timestamps: &[i64], segment_bytes: u64, high_watermark: i64) -> PartitionLog {
        let mut log = PartitionLog::new(RollPolicy { segment_bytes, segment_ms: i64::MAX });
        for (n, &ts) in timestamps.iter().enumerate() {
            let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
            let id = RecordId { producer: ClientIdx(0), number: n as u64 };
            b.push(id, ts, Some(b"k"), Some(&[b'v'; 20]), &[]);
            log.append_as_leader(Arc::new(b.build()), 0);
        }
        log.set_high_watermark(high_watermark);
        log
    }

    fn config(retention_ms: i64, retention_bytes: i64) -> TopicConfig {
        TopicConfig { retention_ms, retention_bytes, ..TopicConfig::default() }
    }

    #[test]
    fn time_retention_deletes_whole_old_segments_only() {
        // ~90-byte batches, 200-byte segments: two records per segment.
        let mut log = log_with(&[0, 10, 20, 30, 40, 1000], 200);
        let before = log.segments().len();
        let deleted = apply(&mut log, &config(100, -1), 1050);
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].reason, RetentionReason::Time);
        // Segments [0,1] and [2,3] are old; [4,5] holds a record at 1000 and stays.
        assert_eq!(log.log_start_offset(), 4);
        assert_eq!(log.segments().len(), before - 2);
        assert_eq!(deleted[0].records, 4);
    }

    #[test]
    fn the_active_segment_goes_too_when_everything_is_old() {
        let mut log = log_with(&[0, 10, 20], 200);
        apply(&mut log, &config(100, -1), 5000);
        assert_eq!(log.log_start_offset(), 3);
        assert_eq!(log.log_end_offset(), 3);
        assert_eq!(log.segments().len(), 1, "a fresh empty active segment remains");
        assert!(log.segments()[0].is_empty());
    }

    #[test]
    fn nothing_above_the_high_watermark_is_deleted() {
        let mut log = log_with_high_watermark(&[0, 10, 20, 30], 200, 3);
        apply(&mut log, &config(1, -1), 10_000);
        // Segment [0,1] ends at 2 <= HW 3 and goes; [2,3] ends at 4 > HW and stays.
        assert_eq!(log.log_start_offset(), 2);
        assert_eq!(log.log_end_offset(), 4);
    }

    #[test]
    fn size_retention_keeps_at_least_retention_bytes() {
        let mut log = log_with(&[0, 1, 2, 3, 4, 5], 200);
        let size = log.size_bytes() as i64;
        let segment = log.segments()[0].size_bytes as i64;
        apply(&mut log, &config(-1, size - segment), 10);
        assert_eq!(log.log_start_offset(), 2, "exactly one segment's worth over the limit");
        assert!(log.size_bytes() as i64 >= size - segment);
    }

    #[test]
    fn unlimited_retention_and_compact_only_topics_keep_everything() {
        let mut log = log_with(&[0, 1, 2, 3], 200);
        assert!(apply(&mut log, &config(-1, -1), i64::MAX / 2).is_empty());
        let mut compacted = config(1, -1);
        compacted.cleanup_policy.delete = false;
        assert!(apply(&mut log, &compacted, i64::MAX / 2).is_empty());
    }
}

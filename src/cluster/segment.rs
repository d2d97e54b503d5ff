//! A log segment: a run of consecutive batches stored as one file in Kafka
//! (`00000000000000001234.log`). Retention deletes whole segments; the newest one,
//! the *active* segment, is the only one appended to.

use super::record::LogBatch;

#[derive(Clone, Debug)]
pub struct Segment {
    /// The offset the segment's file is named after.
    pub base_offset: i64,
    pub batches: Vec<LogBatch>,
    pub size_bytes: u64,
    /// Timestamp of the first batch, which `segment.ms` rolling measures from.
    pub first_timestamp_ms: Option<i64>,
    /// The largest record timestamp: what `retention.ms` compares against.
    pub largest_timestamp_ms: i64,
}

impl Segment {
    pub fn new(base_offset: i64) -> Self {
        Segment { base_offset, batches: Vec::new(), size_bytes: 0, first_timestamp_ms: None, largest_timestamp_ms: -1 }
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// The offset after the segment's last batch (its base offset if empty).
    pub fn next_offset(&self) -> i64 {
        self.batches.last().map_or(self.base_offset, LogBatch::next_offset)
    }

    pub fn record_count(&self) -> usize {
        self.batches.iter().map(|b| b.batch.len()).sum()
    }

    pub fn push(&mut self, batch: LogBatch) {
        self.size_bytes += u64::from(batch.batch.size_bytes());
        self.first_timestamp_ms.get_or_insert(batch.batch.first_timestamp_ms());
        self.largest_timestamp_ms = self.largest_timestamp_ms.max(batch.batch.max_timestamp_ms());
        self.batches.push(batch);
    }

    /// Recomputes size and timestamps after batches were removed or rewritten.
    pub fn recompute(&mut self) {
        self.size_bytes = self.batches.iter().map(|b| u64::from(b.batch.size_bytes())).sum();
        self.first_timestamp_ms = self.batches.first().map(|b| b.batch.first_timestamp_ms());
        self.largest_timestamp_ms = self.batches.iter().map(|b| b.batch.max_timestamp_ms()).max().unwrap_or(-1);
    }

    /// Kafka's `LogSegment.shouldRoll`: roll before appending `incoming_bytes` if
    /// the segment would exceed `segment.bytes`, or if its first batch is older
    /// than `segment.ms` compared with the incoming batch's largest timestamp.
    pub fn should_roll(&self, incoming_bytes: u32, incoming_max_timestamp_ms: i64, roll: &RollPolicy) -> bool {
        if self.is_empty() {
            return false;
        }
        let too_big = self.size_bytes > roll.segment_bytes.saturating_sub(u64::from(incoming_bytes));
        let too_old = self
            .first_timestamp_ms
            .is_some_and(|first| incoming_max_timestamp_ms.saturating_sub(first) > roll.segment_ms);
        too_big || too_old
    }
}

/// When the active segment rolls (`segment.bytes`, `segment.ms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RollPolicy {
    pub segment_bytes: u64,
    pub segment_ms: i64,
}

impl Default for RollPolicy {
    fn default() -> Self {
        RollPolicy { segment_bytes: 1_073_741_824, segment_ms: 604_800_000 }
    }
}

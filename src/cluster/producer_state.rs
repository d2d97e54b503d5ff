//! Idempotent-producer state kept by each partition: for every producer id, its
//! epoch and the metadata of its last five batches (`ProducerStateEntry`,
//! KIP-98). With it a leader recognises a retried batch it already wrote and
//! answers with the original offsets instead of writing it twice, and rejects a
//! batch whose sequence skips ahead (`OUT_OF_ORDER_SEQUENCE_NUMBER`).
//!
//! Simplification: producer ids never expire (`producer.id.expiration.ms` is
//! not modelled); scenarios are far shorter than its one-day default.

use std::collections::{BTreeMap, VecDeque};

use super::record::ProducerStamp;

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
}

fn next_sequence(last: i32) -> i32 {
    if last == i32::MAX { 0 } else { last + 1 }
}

impl ProducerStateTable {
    pub fn check(&self, stamp: ProducerStamp, record_count: u32) -> SequenceCheck {
        if !stamp.is_idempotent() {
            return SequenceCheck::Append;
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

    pub fn clear(&mut self) {
        self.producers.clear();
    }

    /// The offset of the last record an idempotent producer wrote here: the
    /// log cleaner keeps the batch holding it, even emptied, so the
    /// producer's sequence state survives.
    pub fn last_offset_of(&self, producer_id: i64) -> Option<i64> {
        self.producers.get(&producer_id)?.batches.back().map(|b| b.last_offset)
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

    #[test]
    fn non_idempotent_batches_always_append() {
        let t = ProducerStateTable::default();
        assert_eq!(t.check(ProducerStamp::NONE, 1), SequenceCheck::Append);
    }
}

//! The record accumulator: per partition, a queue of batches (Kafka's
//! `RecordAccumulator`). Only the last batch of a queue takes records; it
//! keeps taking them until it is full or the sender drains it.
//!
//! - `append` (`tryAppend`): a record goes into the last batch if it fits in
//!   `batch.size`; otherwise that batch is closed and a new one started. The
//!   growth of the batch's estimated size is reported to the sticky
//!   partitioner: a record that opens a batch brings the 61-byte batch header.
//! - `ready`: a partition's first batch may be sent when the queue holds more
//!   than one batch or the batch is full, or it has waited `linger.ms`, or the
//!   producer is closing; a retried batch waits out its backoff first.
//!   Lingering makes a batch *sendable*, it does not close it: while every
//!   `max.in.flight.requests.per.connection` slot is busy the batch keeps
//!   growing towards `batch.size`, so a producer that falls behind sends
//!   bigger requests, not more of them.
//! - `drain`: the sender takes the first batch of a partition and closes it.
//!
//! Simplification: `buffer.memory` is not modelled (Kafka marks every
//! partition ready when appends wait for memory).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::client::partitioner::{BuiltInPartitioner, RandomPartition, TopicPartitions};
use crate::cluster::record::{
    BATCH_HEADER_BYTES, ProducerStamp, RecordBatch, RecordBatchBuilder, record_size_upper_bound,
};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{RecordId, TopicId, TopicPartition};

/// A batch on its way: built (closed) or still open for records.
#[derive(Clone, Debug)]
pub struct ProducerBatch {
    pub tp: TopicPartition,
    /// When the first record was added: linger and delivery timeout count from here.
    pub created_at: SimTime,
    pub batch: Arc<RecordBatch>,
    pub attempts: u32,
    /// Not before this time (retry backoff).
    pub retry_at: SimTime,
    /// Idempotence: the sequence number of the first record, once assigned.
    pub base_sequence: Option<i32>,
}

impl ProducerBatch {
    pub fn ids(&self) -> Vec<RecordId> {
        self.batch.records().map(|r| r.id()).collect()
    }
}

#[derive(Clone, Debug)]
struct OpenBatch {
    builder: RecordBatchBuilder,
    created_at: SimTime,
    /// The size past which the batch is full (`writeLimit`): `batch.size`,
    /// or more for a first record that needs more.
    write_limit: u32,
}

impl OpenBatch {
    /// `MemoryRecordsBuilder.isFull`.
    fn is_full(&self) -> bool {
        !self.builder.is_empty() && self.builder.size_bytes() >= self.write_limit
    }

    /// `MemoryRecordsBuilder.hasRoomFor`.
    fn has_room_for(&self, record_bytes: u32) -> bool {
        if self.is_full() {
            return false;
        }
        self.builder.is_empty() || self.builder.size_bytes() + record_bytes <= self.write_limit
    }
}

/// One partition's deque of batches: `closed` (in send order) then `open`.
#[derive(Clone, Debug, Default)]
struct PartitionQueue {
    /// Batches that take no more records: closed because the next record did
    /// not fit, or sent and put back for a retry.
    closed: VecDeque<ProducerBatch>,
    /// The last batch, still taking records.
    open: Option<OpenBatch>,
    /// Idempotence: the next sequence number to hand out on this partition.
    next_sequence: i32,
    /// Batches of this partition currently in flight.
    in_flight: u32,
}

impl PartitionQueue {
    /// Batches waiting, open or closed (`deque.size()`).
    fn len(&self) -> usize {
        self.closed.len() + usize::from(self.open.is_some())
    }

    /// `allBatchesFull`: the last batch takes no more records, or there is none.
    fn all_batches_full(&self) -> bool {
        self.open.as_ref().is_none_or(OpenBatch::is_full)
    }

    /// `RecordAccumulator.batchReady` for the first batch: whether it may be
    /// sent at `now`.
    fn first_is_sendable(&self, now: SimTime, linger: SimDuration, flush: bool) -> bool {
        if let Some(first) = self.closed.front() {
            // A closed batch is full; a retried one waits out its backoff.
            // A retry that carries sequence numbers waits, too, until the
            // partition has nothing else in flight, so the leader sees the
            // sequences in order (`shouldStopDrainBatchesForPartition`:
            // "this effectively reduces our in flight request count to 1").
            return first.retry_at <= now && (first.base_sequence.is_none() || self.in_flight == 0);
        }
        self.open.as_ref().is_some_and(|open| flush || open.is_full() || now >= open.created_at + linger)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    queues: BTreeMap<TopicPartition, PartitionQueue>,
}

/// A record handed to `send()`, as the accumulator stores it.
#[derive(Clone, Copy, Debug)]
pub struct NewRecord<'a> {
    pub id: RecordId,
    pub timestamp_ms: i64,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub headers: &'a [(&'a [u8], Option<&'a [u8]>)],
}

/// What appending a record did (`RecordAppendResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    pub new_batch_created: bool,
    /// `batchIsFull`: the queue holds more than one batch, or its last is full.
    pub batch_is_full: bool,
    /// The growth of the partition's estimated size: the record, plus the
    /// batch header when it opened a batch.
    pub appended_bytes: u32,
}

impl Accumulator {
    /// Adds a record to `tp`'s last batch, closing it first and starting a
    /// new one if the record does not fit in `batch_size` bytes (`tryAppend`,
    /// `appendNewBatch`).
    pub fn append(
        &mut self,
        tp: TopicPartition,
        record: &NewRecord<'_>,
        batch_size: u32,
        now: SimTime,
    ) -> AppendResult {
        let NewRecord { id, timestamp_ms, key, value, headers } = *record;
        let queue = self.queues.entry(tp).or_default();
        let fits = queue
            .open
            .as_ref()
            .is_some_and(|open| open.has_room_for(open.builder.size_of_next(timestamp_ms, key, value, headers)));
        let before = if fits {
            queue.open.as_ref().map_or(0, |open| open.builder.size_bytes())
        } else {
            if let Some(open) = queue.open.take() {
                queue.closed.push_back(close(tp, open));
            }
            // Room for a full batch (capped, as batch.size may be set very large).
            let room = (batch_size as usize).min(1 << 20);
            let builder = RecordBatchBuilder::with_capacity(ProducerStamp::NONE, room);
            // Kafka's buffer: batch.size, or the most the record could take.
            let upper_bound =
                BATCH_HEADER_BYTES + record_size_upper_bound(key.map(<[u8]>::len), value.map(<[u8]>::len), headers);
            queue.open = Some(OpenBatch { builder, created_at: now, write_limit: batch_size.max(upper_bound) });
            // A new batch counts whole: its header comes with the record.
            0
        };
        let open = queue.open.as_mut().expect("opened above");
        open.builder.push(id, timestamp_ms, key, value, headers);
        let appended_bytes = open.builder.size_bytes() - before;
        let open_is_full = open.is_full();
        let batch_is_full = queue.len() > 1 || open_is_full;
        AppendResult { new_batch_created: !fits, batch_is_full, appended_bytes }
    }

    /// `RecordAccumulator.append` for a record the built-in partitioner
    /// places: a switch deferred while the sticky partition's last batch took
    /// records happens now if that batch was drained or filled since
    /// (`partitionChanged`); after the append, the bytes count towards the
    /// next switch, which waits while the last batch still takes records.
    /// Returns the partition chosen.
    pub fn append_sticky(
        &mut self,
        sticky: (&mut BuiltInPartitioner, &mut impl RandomPartition),
        topic: (TopicId, TopicPartitions<'_>),
        record: &NewRecord<'_>,
        batch_size: u32,
        now: SimTime,
    ) -> (TopicPartition, AppendResult) {
        let (partitioner, random) = sticky;
        let (topic, partitions) = topic;
        let tp = loop {
            let tp = TopicPartition::new(topic, partitioner.peek_current_partition(partitions, random));
            if self.all_batches_full(tp) && partitioner.update_partition_info(0, true, partitions, random) {
                continue;
            }
            // A record that does not fit closes the last batch before a new
            // one is allocated, and the check runs again: the switch it
            // enables sends the record to the next partition.
            if self.close_if_full_for(tp, record) && partitioner.update_partition_info(0, true, partitions, random) {
                continue;
            }
            break tp;
        };
        let result = self.append(tp, record, batch_size, now);
        let enable_switch = self.all_batches_full(tp);
        partitioner.update_partition_info(u64::from(result.appended_bytes), enable_switch, partitions, random);
        (tp, result)
    }

    /// The queue sizes the sender's `ready()` pass hands to the partitioner
    /// (`RecordAccumulator.partitionReady`): `None` until the producer holds a
    /// queue for every partition of `topic`; else, per partition with a
    /// leader by id, the batches queued, leaving out partitions whose leader
    /// `is_unavailable` (`partitioner.availability.timeout.ms`). The result
    /// is (queue sizes, partition ids, how many count).
    pub fn partition_load(
        &self,
        topic: TopicId,
        partitions: u32,
        has_leader: impl Fn(u32) -> bool,
        is_unavailable: impl Fn(u32) -> bool,
    ) -> Option<(Vec<u32>, Vec<u32>, usize)> {
        let queues: Vec<(u32, &PartitionQueue)> = self
            .queues
            .range(TopicPartition::new(topic, 0)..=TopicPartition::new(topic, u32::MAX))
            .map(|(tp, q)| (tp.partition, q))
            .collect();
        if queues.len() < partitions as usize {
            return None;
        }
        let mut queue_sizes = vec![0; queues.len()];
        let mut partition_ids = vec![0; queues.len()];
        // Java's index, moved back over an excluded partition: the next one
        // takes its place (an empty queue then keeps the excluded size, as
        // in Java).
        let mut index: isize = -1;
        for (partition, queue) in queues {
            if !has_leader(partition) {
                continue;
            }
            index += 1;
            partition_ids[index as usize] = partition;
            if queue.len() == 0 {
                continue;
            }
            queue_sizes[index as usize] = queue.len() as u32;
            if is_unavailable(partition) {
                index -= 1;
            }
        }
        Some((queue_sizes, partition_ids, (index + 1) as usize))
    }

    /// Closes `tp`'s last batch if `record` does not fit in it (`tryAppend`
    /// failing: `closeForRecordAppends`). Returns whether it closed one.
    fn close_if_full_for(&mut self, tp: TopicPartition, record: &NewRecord<'_>) -> bool {
        let Some(queue) = self.queues.get_mut(&tp) else {
            return false;
        };
        let NewRecord { timestamp_ms, key, value, headers, .. } = *record;
        let no_room = queue
            .open
            .as_ref()
            .is_some_and(|open| !open.has_room_for(open.builder.size_of_next(timestamp_ms, key, value, headers)));
        if no_room && let Some(open) = queue.open.take() {
            queue.closed.push_back(close(tp, open));
        }
        no_room
    }

    /// `allBatchesFull` for `tp`: no batch of it takes more records.
    pub fn all_batches_full(&self, tp: TopicPartition) -> bool {
        self.queues.get(&tp).is_none_or(PartitionQueue::all_batches_full)
    }

    /// Whether the producer holds a queue for `tp` (Kafka never removes one).
    pub fn has_queue(&self, tp: TopicPartition) -> bool {
        self.queues.contains_key(&tp)
    }

    /// Batches waiting in `tp`'s queue, the open one included (`deque.size()`).
    pub fn queue_size(&self, tp: TopicPartition) -> usize {
        self.queues.get(&tp).map_or(0, PartitionQueue::len)
    }

    /// When the next open batch that is first in its queue has lingered
    /// `linger.ms` and becomes sendable.
    pub fn next_linger_expiry(&self, linger: SimDuration) -> Option<SimTime> {
        self.queues
            .values()
            .filter(|q| q.closed.is_empty())
            .filter_map(|q| q.open.as_ref().map(|o| o.created_at + linger))
            .min()
    }

    /// Partitions whose first batch may be sent at `now` (`ready`), leaving
    /// out partitions with `max_in_flight_per_partition` batches in flight
    /// (Kafka mutes a partition while its batch is in flight when
    /// `max.in.flight.requests.per.connection=1`).
    pub fn sendable(
        &self,
        now: SimTime,
        linger: SimDuration,
        flush: bool,
        max_in_flight_per_partition: Option<u32>,
    ) -> Vec<TopicPartition> {
        self.queues
            .iter()
            .filter(|(_, q)| {
                q.first_is_sendable(now, linger, flush)
                    && max_in_flight_per_partition.is_none_or(|max| q.in_flight < max)
            })
            .map(|(&tp, _)| tp)
            .collect()
    }

    /// Drains the first batch of `tp`, closing it if it was still open, and
    /// stamps idempotence sequence numbers the first time it is sent.
    pub fn take(&mut self, tp: TopicPartition, producer: Option<(i64, i16)>) -> Option<ProducerBatch> {
        let queue = self.queues.get_mut(&tp)?;
        let mut batch = match queue.closed.pop_front() {
            Some(batch) => batch,
            None => close(tp, queue.open.take()?),
        };
        // Stamp a batch the first time it is sent, and again after an epoch
        // bump reset the sequence numbers.
        let stale = batch.batch.producer.producer_epoch != producer.map_or(-1, |p| p.1);
        if let Some((producer_id, producer_epoch)) = producer
            && (batch.base_sequence.is_none() || stale)
        {
            let base_sequence = queue.next_sequence;
            queue.next_sequence = queue.next_sequence.wrapping_add(batch.batch.len() as i32);
            batch.base_sequence = Some(base_sequence);
            let mut stamped = (*batch.batch).clone();
            stamped.producer = ProducerStamp { producer_id, producer_epoch, base_sequence };
            batch.batch = Arc::new(stamped);
        }
        queue.in_flight += 1;
        Some(batch)
    }

    /// After a producer epoch bump (KIP-360), sequence numbers start over at 0
    /// on every partition; waiting batches are numbered again when sent.
    pub fn reset_sequences(&mut self) {
        for queue in self.queues.values_mut() {
            queue.next_sequence = 0;
            for batch in &mut queue.closed {
                batch.base_sequence = None;
            }
        }
    }

    /// A sent batch came back (answered or failed).
    pub fn done_in_flight(&mut self, tp: TopicPartition) {
        if let Some(q) = self.queues.get_mut(&tp) {
            q.in_flight = q.in_flight.saturating_sub(1);
        }
    }

    /// Puts a failed batch back to be retried: in sequence order when it has a
    /// sequence (so idempotent retries keep their order), else at the front.
    pub fn reenqueue(&mut self, batch: ProducerBatch) {
        let queue = self.queues.entry(batch.tp).or_default();
        let position = match batch.base_sequence {
            Some(seq) => queue
                .closed
                .iter()
                .position(|b| b.base_sequence.is_none_or(|other| other > seq))
                .unwrap_or(queue.closed.len()),
            None => 0,
        };
        queue.closed.insert(position, batch);
    }

    /// Removes every batch (open or closed) created before `deadline_created`:
    /// those have outlived `delivery.timeout.ms`.
    pub fn expire(&mut self, created_before_or_at: SimTime) -> Vec<ProducerBatch> {
        let mut expired = Vec::new();
        for (&tp, queue) in self.queues.iter_mut() {
            while queue.closed.front().is_some_and(|b| b.created_at <= created_before_or_at) {
                expired.push(queue.closed.pop_front().expect("checked"));
            }
            if queue.closed.is_empty() && queue.open.as_ref().is_some_and(|o| o.created_at <= created_before_or_at) {
                expired.push(close(tp, queue.open.take().expect("checked")));
            }
        }
        expired
    }

    /// The oldest batch creation time still waiting (for the delivery timeout).
    pub fn oldest_created(&self) -> Option<SimTime> {
        self.queues
            .values()
            .flat_map(|q| q.closed.iter().map(|b| b.created_at).chain(q.open.as_ref().map(|o| o.created_at)))
            .min()
    }

    /// The earliest retry time of a batch held back by backoff.
    pub fn next_retry(&self, now: SimTime) -> Option<SimTime> {
        self.queues.values().filter_map(|q| q.closed.front().map(|b| b.retry_at)).filter(|&t| t > now).min()
    }

    /// Records still waiting in the accumulator (not yet sent, or to be retried).
    pub fn pending_records(&self) -> usize {
        self.queues
            .values()
            .map(|q| {
                q.closed.iter().map(|b| b.batch.len()).sum::<usize>() + q.open.as_ref().map_or(0, |o| o.builder.len())
            })
            .sum()
    }

    /// Batches queued per partition (for the TUI's producer panel).
    pub fn queued_batches(&self) -> impl Iterator<Item = (TopicPartition, usize)> + '_ {
        self.queues.iter().map(|(&tp, q)| (tp, q.len()))
    }

    pub fn is_empty(&self) -> bool {
        self.pending_records() == 0
    }
}

fn close(tp: TopicPartition, open: OpenBatch) -> ProducerBatch {
    ProducerBatch {
        tp,
        created_at: open.created_at,
        batch: Arc::new(open.builder.build()),
        attempts: 0,
        retry_at: SimTime::ZERO,
        base_sequence: None,
    }
}

#[cfg(test)]
mod tests;

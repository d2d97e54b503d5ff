//! The record accumulator: per partition, the batch being filled and the
//! batches waiting to be sent (Kafka's `RecordAccumulator`).
//!
//! A batch is ready to send when it is full (`batch.size`), when it has waited
//! `linger.ms`, or when it is being retried and its backoff has passed.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use crate::cluster::record::{ProducerStamp, RecordBatch, RecordBatchBuilder};
use crate::engine::SimTime;
use crate::ids::{RecordId, TopicPartition};

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
}

#[derive(Clone, Debug, Default)]
struct PartitionQueue {
    open: Option<OpenBatch>,
    /// Closed batches in send order.
    ready: VecDeque<ProducerBatch>,
    /// Idempotence: the next sequence number to hand out on this partition.
    next_sequence: i32,
    /// Batches of this partition currently in flight.
    in_flight: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    queues: BTreeMap<TopicPartition, PartitionQueue>,
}

/// What appending a record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    pub new_batch_started: bool,
    /// The batch reached `batch.size` with this record.
    pub batch_is_full: bool,
    pub appended_bytes: u32,
}

impl Accumulator {
    /// Adds a record to `tp`'s open batch, closing it first if the record would
    /// not fit in `batch_size` bytes.
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &mut self,
        tp: TopicPartition,
        id: RecordId,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&[u8], Option<&[u8]>)],
        batch_size: u32,
        now: SimTime,
    ) -> AppendResult {
        let queue = self.queues.entry(tp).or_default();
        let fits = queue.open.as_ref().is_some_and(|open| {
            open.builder.size_bytes() + open.builder.size_of_next(timestamp_ms, key, value, headers) <= batch_size
                || open.builder.is_empty()
        });
        let mut new_batch_started = false;
        if !fits {
            if let Some(open) = queue.open.take() {
                queue.ready.push_back(close(tp, open));
            }
            // Room for a full batch (capped, as batch.size may be set very large).
            let room = (batch_size as usize).min(1 << 20);
            let builder = RecordBatchBuilder::with_capacity(ProducerStamp::NONE, room);
            queue.open = Some(OpenBatch { builder, created_at: now });
            new_batch_started = true;
        }
        let open = queue.open.as_mut().expect("opened above");
        let before = open.builder.size_bytes();
        open.builder.push(id, timestamp_ms, key, value, headers);
        let batch_is_full = open.builder.size_bytes() >= batch_size;
        AppendResult { new_batch_started, batch_is_full, appended_bytes: open.builder.size_bytes() - before }
    }

    /// Closes open batches that are full or have lingered long enough (or all,
    /// when flushing), moving them to the ready queues.
    pub fn close_ready(&mut self, now: SimTime, linger: crate::engine::SimDuration, batch_size: u32, flush: bool) {
        for (&tp, queue) in self.queues.iter_mut() {
            let due = queue.open.as_ref().is_some_and(|open| {
                flush || open.builder.size_bytes() >= batch_size || now >= open.created_at + linger
            });
            if due && let Some(open) = queue.open.take() {
                queue.ready.push_back(close(tp, open));
            }
        }
    }

    /// When the next open batch's linger expires.
    pub fn next_linger_expiry(&self, linger: crate::engine::SimDuration) -> Option<SimTime> {
        self.queues.values().filter_map(|q| q.open.as_ref().map(|o| o.created_at + linger)).min()
    }

    /// Partitions with a batch ready to go at `now`.
    pub fn sendable(&self, now: SimTime, max_in_flight_per_partition: Option<u32>) -> Vec<TopicPartition> {
        self.queues
            .iter()
            .filter(|(_, q)| {
                q.ready.front().is_some_and(|b| b.retry_at <= now)
                    && max_in_flight_per_partition.is_none_or(|max| q.in_flight < max)
            })
            .map(|(&tp, _)| tp)
            .collect()
    }

    /// Takes the head batch of `tp`, stamping idempotence sequence numbers the
    /// first time it is sent.
    pub fn take(&mut self, tp: TopicPartition, producer: Option<(i64, i16)>) -> Option<ProducerBatch> {
        let queue = self.queues.get_mut(&tp)?;
        let mut batch = queue.ready.pop_front()?;
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
            for batch in &mut queue.ready {
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
                .ready
                .iter()
                .position(|b| b.base_sequence.is_none_or(|other| other > seq))
                .unwrap_or(queue.ready.len()),
            None => 0,
        };
        queue.ready.insert(position, batch);
    }

    /// Removes every batch (open or ready) created before `deadline_created`:
    /// those have outlived `delivery.timeout.ms`.
    pub fn expire(&mut self, created_before_or_at: SimTime) -> Vec<ProducerBatch> {
        let mut expired = Vec::new();
        for (&tp, queue) in self.queues.iter_mut() {
            while queue.ready.front().is_some_and(|b| b.created_at <= created_before_or_at) {
                expired.push(queue.ready.pop_front().expect("checked"));
            }
            if queue.ready.is_empty() && queue.open.as_ref().is_some_and(|o| o.created_at <= created_before_or_at) {
                expired.push(close(tp, queue.open.take().expect("checked")));
            }
        }
        expired
    }

    /// The oldest batch creation time still waiting (for the delivery timeout).
    pub fn oldest_created(&self) -> Option<SimTime> {
        self.queues
            .values()
            .flat_map(|q| q.ready.iter().map(|b| b.created_at).chain(q.open.as_ref().map(|o| o.created_at)))
            .min()
    }

    /// The earliest retry time of a batch held back by backoff.
    pub fn next_retry(&self, now: SimTime) -> Option<SimTime> {
        self.queues.values().filter_map(|q| q.ready.front().map(|b| b.retry_at)).filter(|&t| t > now).min()
    }

    /// Records still waiting in the accumulator (not yet sent, or to be retried).
    pub fn pending_records(&self) -> usize {
        self.queues
            .values()
            .map(|q| {
                q.ready.iter().map(|b| b.batch.len()).sum::<usize>() + q.open.as_ref().map_or(0, |o| o.builder.len())
            })
            .sum()
    }

    /// Batches queued per partition (for the TUI's producer panel).
    pub fn queued_batches(&self) -> impl Iterator<Item = (TopicPartition, usize)> + '_ {
        self.queues.iter().map(|(&tp, q)| (tp, q.ready.len() + usize::from(q.open.is_some())))
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

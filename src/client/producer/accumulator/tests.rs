//! Cases ported from Kafka's `RecordAccumulatorTest`
//! (clients/src/test/java/org/apache/kafka/clients/producer/internals/RecordAccumulatorTest.java),
//! plus what linger does under backpressure.

use super::*;
use crate::client::partitioner::{BuiltInPartitioner, RandomPartition, TopicPartitions};
use crate::cluster::record::record_size;
use crate::ids::ClientIdx;

const KEY: &[u8] = b"key";
const VALUE: &[u8] = b"value";

fn tp(partition: u32) -> TopicPartition {
    TopicPartition::new(TopicId(0), partition)
}

fn record<'a>(n: u64, key: Option<&'a [u8]>, value: &'a [u8]) -> NewRecord<'a> {
    NewRecord {
        id: RecordId { producer: ClientIdx(0), number: n },
        timestamp_ms: 0,
        key,
        value: Some(value),
        headers: &[],
    }
}

/// `expectedNumAppends`: how many key/value records fit in `batch_size`
/// bytes of records.
fn expected_num_appends(batch_size: u32) -> u32 {
    let (mut size, mut offset_delta) = (0, 0);
    loop {
        let record_bytes = record_size(offset_delta, 0, Some(KEY.len()), Some(VALUE.len()), &[]);
        if size + record_bytes > batch_size {
            return offset_delta;
        }
        offset_delta += 1;
        size += record_bytes;
    }
}

/// `SequentialPartitioner`'s random numbers: 0, 1, 2, ...
#[derive(Default)]
struct Sequential(u32);

impl RandomPartition for Sequential {
    fn random_partition(&mut self) -> u32 {
        self.0 += 1;
        self.0 - 1
    }
}

#[test]
fn full() {
    // testFull: records fill a batch; the one that does not fit closes it
    // and opens a second; only then is the partition ready.
    let batch_size = 1025;
    let mut accum = Accumulator::default();
    let limit = batch_size + BATCH_HEADER_BYTES;
    let appends = expected_num_appends(batch_size);
    for i in 0..appends {
        let result = accum.append(tp(1), &record(u64::from(i), Some(KEY), VALUE), limit, SimTime::ZERO);
        assert_eq!(accum.queue_size(tp(1)), 1);
        assert!(!result.batch_is_full);
        assert!(accum.sendable(SimTime::ZERO, SimDuration::from_millis(10), false, None).is_empty());
    }
    let result = accum.append(tp(1), &record(99, Some(KEY), VALUE), limit, SimTime::ZERO);
    assert!(result.new_batch_created && result.batch_is_full);
    assert_eq!(accum.queue_size(tp(1)), 2);
    assert_eq!(accum.sendable(SimTime::ZERO, SimDuration::from_millis(10), false, None), vec![tp(1)]);
    let batch = accum.take(tp(1), None).expect("the full batch");
    assert_eq!(batch.batch.len(), appends as usize);
}

#[test]
fn linger() {
    // testLinger: one record is not ready before linger.ms, ready after.
    let linger = SimDuration::from_millis(10);
    let mut accum = Accumulator::default();
    accum.append(tp(1), &record(0, Some(KEY), VALUE), 1024 + BATCH_HEADER_BYTES, SimTime::ZERO);
    assert!(accum.sendable(SimTime::ZERO, linger, false, None).is_empty());
    assert_eq!(accum.sendable(SimTime::from_millis(10), linger, false, None), vec![tp(1)]);
    assert_eq!(accum.take(tp(1), None).expect("ready").batch.len(), 1);
}

#[test]
fn a_lingered_batch_keeps_taking_records_until_drained() {
    // Linger makes a batch sendable; it closes only when drained or full.
    let linger = SimDuration::from_millis(5);
    let mut accum = Accumulator::default();
    for n in 0..100 {
        let result = accum.append(tp(0), &record(n, None, VALUE), 16_384, SimTime::from_millis(n));
        assert_eq!(result.new_batch_created, n == 0, "record {n}");
    }
    assert_eq!(accum.queue_size(tp(0)), 1, "still one batch after 100 ms");
    assert_eq!(accum.sendable(SimTime::from_millis(100), linger, false, Some(1)), vec![tp(0)]);
    assert_eq!(accum.take(tp(0), None).expect("sendable").batch.len(), 100);
    // In flight with max.in.flight=1: the partition is muted; the next batch grows meanwhile.
    accum.append(tp(0), &record(100, None, VALUE), 16_384, SimTime::from_millis(100));
    assert!(accum.sendable(SimTime::from_millis(200), linger, false, Some(1)).is_empty());
    accum.done_in_flight(tp(0));
    assert_eq!(accum.sendable(SimTime::from_millis(200), linger, false, Some(1)), vec![tp(0)]);
}

#[test]
fn uniform_built_in_partitioner() {
    // testUniformBuiltInPartitioner: batch.size 1024 is also the sticky limit;
    // a large record past it switches only once its batch is complete.
    let batch_size = 1024;
    let mut accum = Accumulator::default();
    let mut partitioner = BuiltInPartitioner::new(batch_size);
    let mut random = Sequential::default();
    let partitions = TopicPartitions { available: &[0, 1, 2], count: 3 };
    let small = record(0, None, VALUE);
    let large_value = vec![0u8; batch_size as usize];
    let large = record(1, None, &large_value);
    let mut append = |r: &NewRecord<'_>, accum: &mut Accumulator| {
        accum.append_sticky((&mut partitioner, &mut random), (TopicId(0), partitions), r, batch_size, SimTime::ZERO).0
    };
    assert_eq!(append(&small, &mut accum), tp(0));
    // Past the sticky limit, but the batch it went into is incomplete: no switch.
    assert_eq!(append(&large, &mut accum), tp(0));
    // The previous batch is complete now: the switch happens before this append.
    assert_eq!(append(&large, &mut accum), tp(1));
    assert_eq!(append(&large, &mut accum), tp(2));
    assert_eq!(append(&large, &mut accum), tp(0));
    assert_eq!(random.0, 4, "one random number per switch");
}

#[test]
fn adaptive_built_in_partitioner() {
    // testAdaptiveBuiltInPartitioner: queues of 1, 7 and 2 batches give
    // frequencies 8 − size; a partition whose leader cannot be drained for
    // longer than partitioner.availability.timeout.ms is left out.
    let batch_size = 128;
    let mut accum = Accumulator::default();
    let large_value = vec![0u8; batch_size as usize];
    let queue_sizes = [1u32, 7, 2];
    for (p, &size) in queue_sizes.iter().enumerate() {
        for n in 0..size {
            accum.append(tp(p as u32), &record(u64::from(n), None, &large_value), batch_size, SimTime::ZERO);
        }
        assert_eq!(accum.queue_size(tp(p as u32)), size as usize);
    }
    let mut partitioner = BuiltInPartitioner::new(batch_size);
    let load = accum.partition_load(TopicId(0), 3, |_| true, |_| false).expect("a queue for every partition");
    partitioner.update_partition_load_stats(Some((&load.0, &load.1, load.2)));
    let mut random = Sequential::default();
    let partitions = TopicPartitions { available: &[0, 1, 2], count: 3 };
    let large = record(9, None, &large_value);
    let append = |accum: &mut Accumulator, partitioner: &mut BuiltInPartitioner, random: &mut Sequential| {
        let sticky = (&mut *partitioner, &mut *random);
        accum.append_sticky(sticky, (TopicId(0), partitions), &large, batch_size, SimTime::ZERO).0.partition
    };
    // Prime the partitioner so it switches on every record.
    append(&mut accum, &mut partitioner, &mut random);
    let cycles = 2;
    let iterations = partitioner.load_stats_range_end().expect("statistics") * cycles;
    let mut frequencies = [0u32; 3];
    for _ in 0..iterations {
        frequencies[append(&mut accum, &mut partitioner, &mut random) as usize] += 1;
    }
    for (i, size) in queue_sizes.iter().enumerate() {
        assert_eq!(frequencies[i], (8 - size) * cycles, "partition {i} was chosen {} times", frequencies[i]);
    }
    // Partition 0's leader has not been drained for too long: never chosen again.
    let load = accum.partition_load(TopicId(0), 3, |_| true, |p| p == 0).expect("statistics");
    partitioner.update_partition_load_stats(Some((&load.0, &load.1, load.2)));
    append(&mut accum, &mut partitioner, &mut random);
    for _ in 0..10 {
        assert_ne!(append(&mut accum, &mut partitioner, &mut random), 0);
    }
}

#[test]
fn built_in_partitioner_fractional_batches() {
    // testBuiltInPartitionerFractionalBatches: with a high linger.ms the
    // switch waits for the batch to be sent, so batches are not cut short.
    let batch_size = 512;
    let value = [0u8; 32];
    let linger = SimDuration::from_millis(10);
    let mut accum = Accumulator::default();
    let mut partitioner = BuiltInPartitioner::new(batch_size);
    let mut random = Sequential::default();
    let partitions = TopicPartitions { available: &[0, 1, 2], count: 3 };
    let mut now = SimTime::ZERO;
    for _ in 0..10 {
        for n in 0..(batch_size * 2 / 3 / value.len() as u32) {
            let r = record(u64::from(n), None, &value);
            accum.append_sticky((&mut partitioner, &mut random), (TopicId(0), partitions), &r, batch_size, now);
        }
        now += linger;
        let ready = accum.sendable(now, linger, false, None);
        assert_eq!(ready.len(), 1, "one partition ready");
        let batch = accum.take(ready[0], None).expect("ready");
        let size = batch.batch.size_bytes();
        assert!(size > batch_size / 2 && size < batch_size, "batch of {size} bytes");
        accum.done_in_flight(ready[0]);
    }
}

#[test]
fn the_batch_header_counts_towards_the_switch() {
    // kafka-reference §14's worked example: 100-byte values, one record per
    // batch, each append counts 61 + 109 bytes: the 97th crosses 16,384 but its
    // batch is still open; the 98th switches.
    let value = [b'x'; 100];
    let mut accum = Accumulator::default();
    let mut partitioner = BuiltInPartitioner::new(16_384);
    let mut random = Sequential::default();
    let partitions = TopicPartitions { available: &[0, 1], count: 2 };
    let mut placed = Vec::new();
    for n in 0..200 {
        let now = SimTime::from_millis(n * 1_000);
        let r = record(n, None, &value);
        let (tp, result) =
            accum.append_sticky((&mut partitioner, &mut random), (TopicId(0), partitions), &r, 16_384, now);
        assert_eq!(result.appended_bytes, 61 + 109);
        placed.push(tp.partition);
        // linger.ms later the sender drains it.
        accum.take(tp, None).expect("lingered");
        accum.done_in_flight(tp);
    }
    assert!(placed[..97].iter().all(|&p| p == 0), "the first 97 stay on partition 0");
    assert!(placed[97..194].iter().all(|&p| p == 1), "the next 97 go to partition 1");
    assert_eq!(placed[194], 0);
}

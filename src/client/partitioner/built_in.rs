//! The uniform sticky partitioner for records without a key (KIP-794, Kafka
//! 3.3+), as Kafka's `BuiltInPartitioner` does it, one per producer and topic.
//!
//! - The producer sticks to one partition until `batch.size` bytes were
//!   appended there (`producedBytes`). What counts is the growth of the
//!   batch's `estimatedSizeInBytes()`: a record that opens a batch brings the
//!   61-byte batch header with it (`RecordAccumulator.append`).
//! - The switch waits while the partition's queue ends in a batch that still
//!   takes records (`enableSwitch = allBatchesFull(deque)`), so it happens at
//!   the next append after that batch was drained or filled
//!   (`RecordAccumulator.partitionChanged`), or at once at twice `batch.size`
//!   (`updatePartitionInfo`).
//! - The next partition is `toPositive(random) % n` over the partitions that
//!   have a leader, possibly the same one again; with no leader anywhere, over
//!   all partitions.
//! - Adaptive partitioning (`partitioner.adaptive.partitioning.enable`, on by
//!   default): the sender's `ready()` pass hands in the number of batches
//!   queued per partition (`updatePartitionLoadStats`); the next partition is
//!   then drawn with weight `max + 1 − queue size` from a cumulative frequency
//!   table, so a partition whose leader falls behind gets fewer new batches.
//!
//! Simplification: Java lists a topic's partitions in the order of its
//! `Cluster` object; kafkasim lists them by partition id.

/// Where a new sticky partition's random number comes from: Kafka's
/// `randomPartition()`, `toPositive(ThreadLocalRandom.nextInt())`. Tests use a
/// counter, as Kafka's `BuiltInPartitionerTest` does.
pub trait RandomPartition {
    fn random_partition(&mut self) -> u32;
}

impl RandomPartition for crate::engine::SimRng {
    fn random_partition(&mut self) -> u32 {
        use rand::RngExt;
        (super::to_positive(self.random::<i32>())) as u32
    }
}

/// The partitions of the topic as the producer's metadata shows them.
#[derive(Clone, Copy, Debug)]
pub struct TopicPartitions<'a> {
    /// Partitions with a leader, by id (`availablePartitionsForTopic`).
    pub available: &'a [u32],
    /// Every partition of the topic.
    pub count: u32,
}

/// `PartitionLoadStats`: a cumulative frequency table over the partitions
/// with a leader that were not excluded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PartitionLoadStats {
    cumulative_frequency_table: Vec<u32>,
    partition_ids: Vec<u32>,
}

/// `StickyPartitionInfo`: the sticky partition and the bytes produced to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StickyPartitionInfo {
    partition: u32,
    produced_bytes: u64,
}

#[derive(Clone, Debug)]
pub struct BuiltInPartitioner {
    sticky_batch_size: u64,
    sticky: Option<StickyPartitionInfo>,
    load_stats: Option<PartitionLoadStats>,
}

impl BuiltInPartitioner {
    /// `stickyBatchSize` is `batch.size`, at least 1 (Kafka's producer passes
    /// `max(1, batch.size)`).
    pub fn new(batch_size: u32) -> Self {
        BuiltInPartitioner { sticky_batch_size: u64::from(batch_size.max(1)), sticky: None, load_stats: None }
    }

    /// `peekCurrentPartitionInfo`: the sticky partition, chosen now if there is none.
    pub fn peek_current_partition(&mut self, topic: TopicPartitions<'_>, random: &mut impl RandomPartition) -> u32 {
        if let Some(info) = self.sticky {
            return info.partition;
        }
        let partition = self.next_partition(topic, random);
        self.sticky = Some(StickyPartitionInfo { partition, produced_bytes: 0 });
        partition
    }

    /// `updatePartitionInfo`: `appended_bytes` went to the sticky partition.
    /// Switches when `batch.size` bytes went there and `enable_switch` (the
    /// partition's queue has no batch still taking records), or at twice
    /// `batch.size` regardless. Returns whether it switched.
    pub fn update_partition_info(
        &mut self,
        appended_bytes: u64,
        enable_switch: bool,
        topic: TopicPartitions<'_>,
        random: &mut impl RandomPartition,
    ) -> bool {
        let Some(info) = &mut self.sticky else {
            return false;
        };
        info.produced_bytes += appended_bytes;
        let produced = info.produced_bytes;
        if (produced >= self.sticky_batch_size && enable_switch) || produced >= self.sticky_batch_size * 2 {
            let partition = self.next_partition(topic, random);
            self.sticky = Some(StickyPartitionInfo { partition, produced_bytes: 0 });
            return true;
        }
        false
    }

    /// The bytes counted so far towards the sticky partition's switch.
    pub fn produced_bytes(&self) -> u64 {
        self.sticky.map_or(0, |info| info.produced_bytes)
    }

    /// `updatePartitionLoadStats`: the sender's `ready()` pass found these
    /// queue sizes (in batches) for `partition_ids`, of which the first
    /// `length` count (partitions with a leader, not excluded by
    /// `partitioner.availability.timeout.ms`). `None`: no statistics
    /// (adaptive partitioning off, or not every partition has a queue yet).
    pub fn update_partition_load_stats(&mut self, queue_sizes: Option<(&[u32], &[u32], usize)>) {
        self.load_stats = None;
        let Some((queue_sizes, partition_ids, length)) = queue_sizes else {
            return;
        };
        // One partition, or none left: nothing to weigh.
        if length < 1 || queue_sizes.len() < 2 {
            return;
        }
        let sizes = &queue_sizes[..length];
        let max_size_plus_1 = sizes.iter().copied().max().unwrap_or(0) + 1;
        let all_equal = sizes.iter().all(|&s| s == sizes[0]);
        if all_equal && length == queue_sizes.len() {
            return;
        }
        let mut running = 0;
        let cumulative_frequency_table = sizes
            .iter()
            .map(|&size| {
                running += max_size_plus_1 - size;
                running
            })
            .collect();
        self.load_stats =
            Some(PartitionLoadStats { cumulative_frequency_table, partition_ids: partition_ids[..length].to_vec() });
    }

    /// `loadStatsRangeEnd`: the sum of all weights, when there are statistics.
    pub fn load_stats_range_end(&self) -> Option<u32> {
        self.load_stats.as_ref().and_then(|s| s.cumulative_frequency_table.last().copied())
    }

    /// `nextPartition`.
    fn next_partition(&self, topic: TopicPartitions<'_>, random: &mut impl RandomPartition) -> u32 {
        let random = random.random_partition();
        match &self.load_stats {
            None if !topic.available.is_empty() => topic.available[random as usize % topic.available.len()],
            None => random % topic.count.max(1),
            Some(stats) => {
                let table = &stats.cumulative_frequency_table;
                let weighted = random % table[table.len() - 1];
                // The first entry strictly greater than `weighted`.
                let index = table.partition_point(|&f| f <= weighted);
                stats.partition_ids[index]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Ported from Kafka's `BuiltInPartitionerTest` (clients/src/test/java/
    //! org/apache/kafka/clients/producer/internals/BuiltInPartitionerTest.java).
    use super::*;

    /// `SequentialPartitioner`: the random numbers are 0, 1, 2, ...
    #[derive(Default)]
    struct Sequential(u32);

    impl RandomPartition for Sequential {
        fn random_partition(&mut self) -> u32 {
            self.0 += 1;
            self.0 - 1
        }
    }

    fn topic(available: &[u32], count: u32) -> TopicPartitions<'_> {
        TopicPartitions { available, count }
    }

    #[test]
    fn sticky_partitioning() {
        // testStickyPartitioning: a sticky batch size of 3 one-byte records.
        let a = topic(&[0, 1, 2], 3);
        let mut random = Sequential::default();
        let mut partitioner = BuiltInPartitioner::new(3);
        let part_a = partitioner.peek_current_partition(a, &mut random);
        partitioner.update_partition_info(1, true, a, &mut random);
        assert_eq!(partitioner.peek_current_partition(a, &mut random), part_a);
        partitioner.update_partition_info(1, true, a, &mut random);
        assert_eq!(partitioner.peek_current_partition(a, &mut random), part_a);
        partitioner.update_partition_info(1, true, a, &mut random);
        assert_ne!(partitioner.peek_current_partition(a, &mut random), part_a, "switched after 3 records");

        // Switching works with one partition too.
        let b = topic(&[0], 1);
        let mut partitioner = BuiltInPartitioner::new(1);
        for _ in 0..10 {
            assert_eq!(partitioner.peek_current_partition(b, &mut random), 0);
            partitioner.update_partition_info(1, true, b, &mut random);
        }
    }

    #[test]
    fn unavailable_partitions() {
        // unavailablePartitionsTest: partition 1 of A, 0 of B and all of C have no leader.
        use rand::SeedableRng;
        let mut random = crate::engine::SimRng::seed_from_u64(7);
        let a = topic(&[0, 2], 3);
        let mut partitioner = BuiltInPartitioner::new(1);
        let part_a = partitioner.peek_current_partition(a, &mut random);
        partitioner.update_partition_info(1, true, a, &mut random);
        assert_ne!(part_a, 1);
        let mut found_another = false;
        for _ in 0..100 {
            let another = partitioner.peek_current_partition(a, &mut random);
            partitioner.update_partition_info(1, true, a, &mut random);
            assert_ne!(another, 1);
            found_another |= another != part_a;
        }
        assert!(found_another, "expected a partition other than {part_a}");

        let b = topic(&[1], 2);
        let mut partitioner = BuiltInPartitioner::new(1);
        for _ in 0..100 {
            assert_eq!(partitioner.peek_current_partition(b, &mut random), 1);
            partitioner.update_partition_info(1, true, b, &mut random);
        }

        // With no partition available, one is still chosen among all.
        let c = topic(&[], 1);
        let mut partitioner = BuiltInPartitioner::new(1);
        assert_eq!(partitioner.peek_current_partition(c, &mut random), 0);
        partitioner.update_partition_info(1, true, c, &mut random);
        assert_eq!(partitioner.peek_current_partition(c, &mut random), 0);
    }

    #[test]
    fn adaptive_partitions() {
        // adaptivePartitionsTest: queue sizes 5 0 3 0 1 give frequencies 6 − size.
        let queue_sizes = [5, 0, 3, 0, 1];
        let ids = [0, 1, 2, 3, 4];
        let all = topic(&ids, 5);
        let mut random = Sequential::default();
        let mut partitioner = BuiltInPartitioner::new(1);
        partitioner.update_partition_load_stats(Some((&queue_sizes, &ids, 5)));
        let cycles = 2;
        let iterations = partitioner.load_stats_range_end().expect("statistics") * cycles;
        let mut frequencies = [0u32; 5];
        for _ in 0..iterations {
            let p = partitioner.peek_current_partition(all, &mut random);
            frequencies[p as usize] += 1;
            partitioner.update_partition_info(1, true, all, &mut random);
        }
        for (i, size) in queue_sizes.iter().enumerate() {
            assert_eq!(frequencies[i], (6 - size) * cycles, "partition {i} was chosen {} times", frequencies[i]);
        }
    }

    #[test]
    fn sticky_batch_size_is_at_least_one() {
        // testStickyBatchSizeMoreThatZero: Kafka's producer passes max(1, batch.size).
        let mut partitioner = BuiltInPartitioner::new(0);
        let mut random = Sequential::default();
        let t = topic(&[0, 1], 2);
        let first = partitioner.peek_current_partition(t, &mut random);
        assert!(partitioner.update_partition_info(1, true, t, &mut random));
        assert_ne!(partitioner.peek_current_partition(t, &mut random), first);
    }

    #[test]
    fn equal_queues_and_single_partitions_give_no_statistics() {
        let mut partitioner = BuiltInPartitioner::new(1);
        partitioner.update_partition_load_stats(Some((&[2, 2, 2], &[0, 1, 2], 3)));
        assert_eq!(partitioner.load_stats_range_end(), None, "all equal: uniform");
        partitioner.update_partition_load_stats(Some((&[4], &[0], 1)));
        assert_eq!(partitioner.load_stats_range_end(), None, "one partition");
        // An excluded partition keeps the table even when the rest are equal.
        partitioner.update_partition_load_stats(Some((&[2, 2, 9], &[0, 2, 1], 2)));
        assert_eq!(partitioner.load_stats_range_end(), Some(2));
        // The reference's example: sizes 0 3 1 → weights 4 1 3 → table 4 5 8.
        partitioner.update_partition_load_stats(Some((&[0, 3, 1], &[0, 1, 2], 3)));
        assert_eq!(partitioner.load_stats_range_end(), Some(8));
    }

    #[test]
    fn a_deferred_switch_waits_for_the_queue_then_forces_at_twice_batch_size() {
        let t = topic(&[0, 1], 2);
        let mut random = Sequential::default(); // 0, 1, 2, ...: partitions 0, 1, 0, ...
        let mut partitioner = BuiltInPartitioner::new(100);
        assert_eq!(partitioner.peek_current_partition(t, &mut random), 0);
        assert!(!partitioner.update_partition_info(150, false, t, &mut random), "batch still open: no switch");
        assert_eq!(partitioner.produced_bytes(), 150);
        // The next append finds the queue drained: the deferred switch happens
        // with nothing appended (RecordAccumulator.partitionChanged).
        assert!(partitioner.update_partition_info(0, true, t, &mut random));
        assert_eq!(partitioner.peek_current_partition(t, &mut random), 1);
        assert!(!partitioner.update_partition_info(199, false, t, &mut random));
        assert!(partitioner.update_partition_info(1, false, t, &mut random), "2 × batch.size forces the switch");
        assert_eq!(partitioner.produced_bytes(), 0);
    }
}

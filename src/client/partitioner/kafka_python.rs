//! kafka-python's `DefaultPartitioner` (kafka/partitioner/default.py, 2.0.2).
//!
//! - A keyed record: `murmur2(key) & 0x7fffffff % len(all_partitions)`, a
//!   pure-Python copy of Java's `Utils.murmur2`, so the same partition as
//!   the Java client.
//! - A null key: `random.choice(available)` for *every* record: the
//!   partitions with a leader, or all partitions when none has one. There is
//!   no stickiness: records spread one by one, and every record of a slow
//!   producer may open its own batch.
//!
//! Simplification: Python's `random` (Mersenne Twister) and kafka-python's
//! order of `available` are not reproduced; kafkasim draws uniformly from the
//! producer's partitioner stream over the partitions by id.

use super::{TopicPartitions, UniformDraw, partition_for_key};

pub fn partition(key: Option<&[u8]>, topic: TopicPartitions<'_>, draw: &mut impl UniformDraw) -> u32 {
    match key {
        Some(key) => partition_for_key(key, topic.count),
        None if topic.available.is_empty() => draw.below(topic.count),
        None => topic.available[draw.below(topic.available.len() as u32) as usize],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::client::partitioner::Scripted;

    /// kafka-python's test/test_partitioner.py `test_murmur2_java_compatibility`:
    /// 1000 partitions, partitions taken from Java's partitioner.
    #[test]
    fn keys_match_kafka_pythons_java_compatibility_test() {
        let all: Vec<u32> = (0..1000).collect();
        let topic = TopicPartitions { available: &all, count: 1000 };
        let cases: [(&[u8], u32); 6] =
            [(b"", 681), (b"a", 524), (b"ab", 434), (b"abc", 107), (b"123456789", 566), (b"\x00 ", 742)];
        for (key, expected) in cases {
            assert_eq!(partition(Some(key), topic, &mut Scripted(vec![])), expected, "{key:?}");
        }
    }

    /// test_default_partitioner: a null key picks among the available
    /// partitions, or among all when none is available.
    #[test]
    fn a_null_key_picks_an_available_partition_each_time() {
        let topic = TopicPartitions { available: &[123], count: 1000 };
        assert_eq!(partition(None, topic, &mut Scripted(vec![0])), 123);
        let topic = TopicPartitions { available: &[], count: 100 };
        assert_eq!(partition(None, topic, &mut Scripted(vec![42])), 42);
        let topic = TopicPartitions { available: &[0, 1, 2], count: 3 };
        let mut draws = Scripted(vec![2, 0, 1]);
        let picks: Vec<u32> = (0..3).map(|_| partition(None, topic, &mut draws)).collect();
        assert_eq!(picks, vec![2, 0, 1], "no stickiness: a new draw per record");
    }
}

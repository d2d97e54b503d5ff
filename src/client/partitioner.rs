//! Kafka's default partitioner (`BuiltInPartitioner`).
//!
//! A record with a key goes to `toPositive(murmur2(key)) % numPartitions`:
//! murmur2 with Kafka's seed `0x9747b28c`, then `& 0x7fffffff` (not `abs`), then
//! modulo the topic's partition count — all partitions, even leaderless ones.
//! Same key, same partition, as long as the partition count does not change.
//!
//! A record without a key goes to the uniform sticky partitioner (KIP-794,
//! Kafka 3.3+), in `built_in`: it sticks to one partition for about a
//! `batch.size` of bytes, then picks one at random among those with a leader,
//! weighted by how many batches wait for each (adaptive partitioning).
//!
//! Other client libraries partition differently (`client:` in a scenario):
//! kafka-python hashes keys as Java does but spreads keyless records one by
//! one at random (`kafka_python`); librdkafka hashes keys with CRC-32 by
//! default and sticks keyless records to a random partition for 10 ms
//! (`librdkafka`).

mod built_in;
pub mod kafka_python;
pub mod librdkafka;

pub use built_in::{BuiltInPartitioner, RandomPartition, TopicPartitions};
pub use librdkafka::LibrdkafkaPartitioner;

use crate::config::ClientKind;
use crate::config::producer::RdkafkaPartitioner;
use crate::engine::SimTime;

/// A uniform random number below `n`, as `rd_jitter(0, n - 1)` or Python's
/// `random.choice` draw one. Tests script it.
pub trait UniformDraw {
    fn below(&mut self, n: u32) -> u32;
}

impl UniformDraw for crate::engine::SimRng {
    fn below(&mut self, n: u32) -> u32 {
        use rand::RngExt;
        self.random_range(0..n.max(1))
    }
}

/// Draws that answer from a script, so a test chooses the "random" picks.
#[cfg(test)]
pub(crate) struct Scripted(pub Vec<u32>);

#[cfg(test)]
impl UniformDraw for Scripted {
    fn below(&mut self, n: u32) -> u32 {
        self.0.remove(0) % n
    }
}

/// The partitioner of a client that is not Java's (Java's keyless records
/// go through the accumulator's sticky append instead).
#[derive(Clone, Debug)]
pub enum ClientPartitioner {
    KafkaPython,
    Librdkafka(LibrdkafkaPartitioner),
}

impl ClientPartitioner {
    /// `None` for the Java client.
    pub fn for_client(client: ClientKind, rdkafka: RdkafkaPartitioner, sticky_linger_ms: u64) -> Option<Self> {
        match client {
            ClientKind::Java => None,
            ClientKind::KafkaPython => Some(ClientPartitioner::KafkaPython),
            ClientKind::Librdkafka => {
                Some(ClientPartitioner::Librdkafka(LibrdkafkaPartitioner::new(rdkafka, sticky_linger_ms)))
            }
        }
    }

    pub fn partition(
        &mut self,
        key: Option<&[u8]>,
        topic: TopicPartitions<'_>,
        now: SimTime,
        draw: &mut impl UniformDraw,
    ) -> u32 {
        match self {
            ClientPartitioner::KafkaPython => kafka_python::partition(key, topic, draw),
            ClientPartitioner::Librdkafka(p) => p.partition(key, topic, now, draw),
        }
    }
}

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with seed `0x9747b28c`, returned
/// as Java's signed int.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h: u32 = SEED ^ (data.len() as u32);
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // The tail falls through from three bytes to one, as in Java's switch.
    let tail = blocks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit. `abs` would differ (and
/// overflow on `i32::MIN`).
pub fn to_positive(hash: i32) -> i32 {
    hash & 0x7fff_ffff
}

/// The partition Kafka's default partitioner picks for `key`.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    (to_positive(murmur2(key)) as u32) % partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafkas_own_test_vectors() {
        // UtilsTest.testMurmur2 in Apache Kafka.
        let cases: [(&str, i32); 6] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            ("abc", 479_470_107),
        ];
        for (input, expected) in cases {
            assert_eq!(murmur2(input.as_bytes()), expected, "murmur2({input:?})");
        }
    }

    #[test]
    fn partitions_match_the_reference_table() {
        // kafka-reference §4.4: computed with Java's Utils.murmur2.
        assert_eq!(partition_for_key(b"key1", 2), 0);
        assert_eq!(partition_for_key(b"key2", 2), 1);
        assert_eq!(partition_for_key(b"key3", 2), 1);
        assert_eq!(partition_for_key(b"user-1", 2), 0);
        assert_eq!(partition_for_key(b"user-2", 2), 0);
        assert_eq!(partition_for_key(b"1", 10), 9);
        assert_eq!(partition_for_key(b"", 6), 3, "an empty key is hashed, not treated as null");
    }

    #[test]
    fn to_positive_is_not_abs() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
    }

    proptest::proptest! {
        #[test]
        fn murmur2_agrees_with_an_independent_implementation(key in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            proptest::prop_assert_eq!(murmur2(&key), murmur2::murmur2(&key, 0x9747_b28c) as i32);
        }
    }
}

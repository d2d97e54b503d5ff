//! librdkafka's partitioners (`src/rdkafka_msg.c`), chosen by its
//! `partitioner` config; confluent-kafka's producers use them.
//!
//! - `consistent_random` (the default): `crc32(key) % partitions`, zlib's
//!   CRC-32 read as unsigned; a null or *empty* key goes to the sticky
//!   partition.
//! - `consistent`: CRC-32 always, so a null key hashes like an empty one
//!   (CRC-32 of nothing is 0: partition 0).
//! - `murmur2_random`: Java's `toPositive(murmur2(key)) % partitions`, the
//!   same partition as the Java client; a null key goes to the sticky
//!   partition. `murmur2`: a null key hashes as empty.
//! - `fnv1a_random` / `fnv1a`: 32-bit FNV-1a, made positive with `abs` as
//!   Sarama does.
//! - `random`: a random partition for every keyed record.
//!
//! Keyless records (`rd_kafka_msg_sticky_partition`) stay on one randomly
//! drawn partition until `sticky.partitioning.linger.ms` (twice `linger.ms`,
//! so 10 ms) has passed since the draw, or until that partition has no
//! leader; a slow producer therefore draws a new partition for nearly every
//! record. With `sticky.partitioning.linger.ms=0`, and always for
//! `consistent`, `murmur2` and `fnv1a`, the partitioner itself handles
//! null keys (`random_partitioner`, set in `rd_kafka_topic_new0`).
//!
//! A random draw is `rd_jitter(0, partitions - 1)`; when that partition has
//! no leader, one more draw is taken and used as it is.
//!
//! Simplification: librdkafka draws with `rand_r`; kafkasim draws from the
//! producer's partitioner stream of the scenario seed.

use super::{TopicPartitions, UniformDraw, murmur2, to_positive};
use crate::config::producer::RdkafkaPartitioner;
use crate::engine::SimTime;

/// zlib's CRC-32 (reflected polynomial 0xEDB88320), as `rd_crc32`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// `rd_fnv1a`: 32-bit FNV-1a as a signed int, then `abs` (which leaves
/// `i32::MIN` as it is), read as unsigned.
pub fn fnv1a(data: &[u8]) -> u32 {
    const PRIME: i32 = 0x0100_0193;
    const OFFSET: u32 = 0x811C_9DC5;
    let mut h = OFFSET as i32;
    for &byte in data {
        h ^= i32::from(byte);
        h = h.wrapping_mul(PRIME);
    }
    h.wrapping_abs() as u32
}

/// The hash a partitioner applies to a key, for `explain partition`.
pub fn hash(partitioner: RdkafkaPartitioner, key: &[u8]) -> Option<u32> {
    match partitioner {
        RdkafkaPartitioner::Random => None,
        RdkafkaPartitioner::Consistent | RdkafkaPartitioner::ConsistentRandom => Some(crc32(key)),
        RdkafkaPartitioner::Murmur2 | RdkafkaPartitioner::Murmur2Random => Some(to_positive(murmur2(key)) as u32),
        RdkafkaPartitioner::Fnv1a | RdkafkaPartitioner::Fnv1aRandom => Some(fnv1a(key)),
    }
}

/// Whether a record with this key goes to the sticky partition
/// (`rd_kafka_msg_partitioner`).
pub fn is_sticky(partitioner: RdkafkaPartitioner, sticky_linger_ms: u64, key: Option<&[u8]>) -> bool {
    let random_partitioner = sticky_linger_ms == 0
        || matches!(
            partitioner,
            RdkafkaPartitioner::Consistent | RdkafkaPartitioner::Murmur2 | RdkafkaPartitioner::Fnv1a
        );
    !random_partitioner
        && match key {
            None => true,
            Some(key) => key.is_empty() && partitioner == RdkafkaPartitioner::ConsistentRandom,
        }
}

/// `rd_kafka_msg_partitioner_random`.
fn random(topic: TopicPartitions<'_>, draw: &mut impl UniformDraw) -> u32 {
    let p = draw.below(topic.count);
    if topic.available.contains(&p) { p } else { draw.below(topic.count) }
}

/// The partition a keyed record (or a null-keyed one when not sticky) goes to.
fn partition_by(
    partitioner: RdkafkaPartitioner,
    key: Option<&[u8]>,
    topic: TopicPartitions<'_>,
    draw: &mut impl UniformDraw,
) -> u32 {
    let bytes = key.unwrap_or_default();
    let with_key = key.is_some();
    match partitioner {
        RdkafkaPartitioner::Random => random(topic, draw),
        RdkafkaPartitioner::ConsistentRandom if bytes.is_empty() => random(topic, draw),
        RdkafkaPartitioner::Murmur2Random | RdkafkaPartitioner::Fnv1aRandom if !with_key => random(topic, draw),
        other => hash(other, bytes).expect("a hashing partitioner") % topic.count,
    }
}

/// One librdkafka producer's partitioning for one topic.
#[derive(Clone, Debug)]
pub struct LibrdkafkaPartitioner {
    partitioner: RdkafkaPartitioner,
    sticky_linger_ms: u64,
    /// The sticky partition and when it was drawn.
    sticky: Option<(u32, SimTime)>,
}

impl LibrdkafkaPartitioner {
    pub fn new(partitioner: RdkafkaPartitioner, sticky_linger_ms: u64) -> Self {
        LibrdkafkaPartitioner { partitioner, sticky_linger_ms, sticky: None }
    }

    pub fn partition(
        &mut self,
        key: Option<&[u8]>,
        topic: TopicPartitions<'_>,
        now: SimTime,
        draw: &mut impl UniformDraw,
    ) -> u32 {
        if !is_sticky(self.partitioner, self.sticky_linger_ms, key) {
            return partition_by(self.partitioner, key, topic, draw);
        }
        // rd_interval: a new draw once more than the interval has passed, or
        // at once when the sticky partition lost its leader (expedited).
        let keep = self.sticky.filter(|&(partition, drawn)| {
            topic.available.contains(&partition)
                && now.saturating_sub(drawn).as_micros() <= self.sticky_linger_ms * 1_000
        });
        match keep {
            Some((partition, _)) => partition,
            None => {
                let partition = random(topic, draw);
                self.sticky = Some((partition, now));
                partition
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    use crate::client::partitioner::Scripted;

    const ALL17: [u32; 17] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    fn topic17() -> TopicPartitions<'static> {
        TopicPartitions { available: &ALL17, count: 17 }
    }

    /// librdkafka's tests/0048-partitioner.c `do_test_partitioners`: the
    /// expected partition of each key for each partitioner, 17 partitions
    /// (random cases are marked None), with sticky.partitioning.linger.ms=0.
    #[test]
    fn partitions_match_librdkafkas_0048_test() {
        let unaligned = "123456";
        let keys: [Option<&[u8]>; 5] = [
            None,
            Some(b""),
            Some(&unaligned.as_bytes()[1..]),
            Some(b"this is another string with more length to it perhaps"),
            Some(b"hejsan"),
        ];
        let n = 17;
        let cases: [(&str, [Option<u32>; 5]); 7] = [
            ("random", [None; 5]),
            ("consistent", [Some(0), Some(0), Some(0xb1b451d7 % n), Some(0xb0150df7 % n), Some(0xd077037e % n)]),
            ("consistent_random", [None, None, Some(0xb1b451d7 % n), Some(0xb0150df7 % n), Some(0xd077037e % n)]),
            (
                "murmur2",
                [
                    Some(0x106e08d9 % n),
                    Some(0x106e08d9 % n),
                    Some(0x058d780f % n),
                    Some(0x4f7703da % n),
                    Some(0x5ec19395 % n),
                ],
            ),
            (
                "murmur2_random",
                [None, Some(0x106e08d9 % n), Some(0x058d780f % n), Some(0x4f7703da % n), Some(0x5ec19395 % n)],
            ),
            (
                "fnv1a",
                [
                    Some(0x7ee3623b % n),
                    Some(0x7ee3623b % n),
                    Some(0x27e6f469 % n),
                    Some(0x155e3e5f % n),
                    Some(0x17b1e27a % n),
                ],
            ),
            (
                "fnv1a_random",
                [None, Some(0x7ee3623b % n), Some(0x27e6f469 % n), Some(0x155e3e5f % n), Some(0x17b1e27a % n)],
            ),
        ];
        for (name, expected) in cases {
            let kind = RdkafkaPartitioner::from_name(name).expect("known partitioner");
            for (key, want) in keys.iter().zip(expected) {
                // Two different random draws: a random case moves, a hashed one does not.
                let mut p = LibrdkafkaPartitioner::new(kind, 0);
                let a = p.partition(*key, topic17(), SimTime::ZERO, &mut Scripted(vec![3, 3]));
                let b = p.partition(*key, topic17(), SimTime::ZERO, &mut Scripted(vec![11, 11]));
                match want {
                    Some(want) => assert_eq!((a, b), (want, want), "{name} {key:?}"),
                    None => assert_eq!((a, b), (3, 11), "{name} {key:?} is random"),
                }
            }
        }
    }

    /// rdcrc32.c and rdfnv1a.c unit tests: known hashes.
    #[test]
    fn hashes_match_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
        assert_eq!(crc32(b"key1"), 744_252_496);
        assert_eq!(crc32(b"key2"), 3_042_260_458);
        assert_eq!(crc32(b"key3"), 3_260_155_260);
        // unittest_fnv1a, values from Go's hash/fnv.
        assert_eq!(fnv1a(b"kafka") as i32, 0xd33c4e1);
        assert_eq!(fnv1a(b"giberish123456789") as i32, 0x77a58295);
        assert_eq!(fnv1a(b"1234") as i32, 0x23bdd03);
        assert_eq!(fnv1a(b"234") as i32, 0x2dea3cd2);
        assert_eq!(fnv1a(b"PreAmbleWillBeRemoved,ThePrePartThatIs") as i32, 0x65cbd69c);
        assert_eq!(fnv1a(b"") as i32, 0x7ee3623b);
    }

    #[test]
    fn keyless_records_stick_for_the_sticky_linger_then_redraw() {
        let mut p = LibrdkafkaPartitioner::new(RdkafkaPartitioner::ConsistentRandom, 10);
        let t0 = SimTime::ZERO + SimDuration::from_secs(1);
        let mut draws = Scripted(vec![4, 9, 2]);
        assert_eq!(p.partition(None, topic17(), t0, &mut draws), 4);
        let at = |ms| t0 + SimDuration::from_millis(ms);
        assert_eq!(p.partition(None, topic17(), at(10), &mut draws), 4, "not more than 10 ms yet");
        assert_eq!(p.partition(Some(b""), topic17(), at(10), &mut draws), 4, "an empty key is sticky too");
        assert_eq!(p.partition(None, topic17(), at(11), &mut draws), 9, "redrawn after 10 ms");
        let without_9: Vec<u32> = ALL17.iter().copied().filter(|&p| p != 9).collect();
        let topic = TopicPartitions { available: &without_9, count: 17 };
        assert_eq!(p.partition(None, topic, at(12), &mut draws), 2, "its leader is gone: redrawn at once");
    }

    #[test]
    fn a_random_draw_without_a_leader_draws_once_more() {
        let topic = TopicPartitions { available: &[0, 2], count: 3 };
        assert_eq!(random(topic, &mut Scripted(vec![1, 1])), 1, "the second draw is used as it is");
        assert_eq!(random(topic, &mut Scripted(vec![1, 2])), 2);
        assert_eq!(random(topic, &mut Scripted(vec![0])), 0);
    }
}

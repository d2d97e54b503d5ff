//! The comparison on the replica histories of kafka-reference §8.6 (KIP-101's
//! second scenario and the KIP-279 case), and its edges: lagging replicas,
//! divergence above the high watermark, compaction.

use std::sync::Arc;

use super::*;

fn up(broker: i32, log: &PartitionLog) -> Replica<'_> {
    Replica { broker: BrokerId(broker), down: false, log }
}
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::ids::ClientIdx;

/// A log holding `records` as (leader epoch, key, value), one batch each.
fn log(records: &[(i32, &str, &str)]) -> PartitionLog {
    let mut log = PartitionLog::default();
    for (n, (epoch, key, value)) in records.iter().enumerate() {
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        b.push(
            RecordId { producer: ClientIdx(0), number: n as u64 },
            0,
            Some(key.as_bytes()),
            Some(value.as_bytes()),
            &[],
        );
        log.append_as_leader(Arc::new(b.build()), *epoch);
    }
    log
}

#[test]
fn identical_replicas_agree() {
    let a = log(&[(0, "m1", "v"), (0, "m2", "v")]);
    let b = log(&[(0, "m1", "v"), (0, "m2", "v")]);
    assert_eq!(
        agree_below(2, &[up(1, &a), up(2, &b)], false),
        Ok("brokers 1, 2 agree below the high watermark 2".to_string())
    );
}

#[test]
fn kip_101_divergence_after_truncating_to_the_high_watermark_is_found() {
    // §8.6 scenario 2: A kept `1:m2@0` (legacy truncation to its HW 2) while
    // B, leader in epoch 1, wrote `1:m3@1`: they disagree at offset 1.
    let a = log(&[(0, "m1", "v"), (0, "m2", "v")]);
    let b = log(&[(0, "m1", "v"), (1, "m3", "v")]);
    assert_eq!(
        agree_below(2, &[up(2, &b), up(1, &a)], false),
        Err("at offset 1 broker 2 has epoch 1 key=m3, broker 1 has epoch 0 key=m2".to_string())
    );
}

#[test]
fn kip_279_fast_failovers_leave_no_divergence_once_truncated() {
    // §8.6 KIP-279 case: A leads `0:x@1, 1:y@1, 2:r@3`; B wrote `1:p@2`.
    // KIP-101 alone left B with `1:p@2`; KIP-279 truncates B to 1 and it copies `1:y, 2:r`.
    let a = log(&[(1, "x", "v"), (1, "y", "v"), (3, "r", "v")]);
    let kip_101 = log(&[(1, "x", "v"), (2, "p", "v"), (3, "r", "v")]);
    let kip_279 = log(&[(1, "x", "v"), (1, "y", "v"), (3, "r", "v")]);
    assert!(agree_below(3, &[up(1, &a), up(2, &kip_101)], false).is_err());
    assert!(agree_below(3, &[up(1, &a), up(2, &kip_279)], false).is_ok());
}

#[test]
fn only_offsets_below_the_high_watermark_count() {
    // The follower has not fetched the leader's offset 2 yet and holds a
    // different record there: not committed, so not a divergence.
    let leader = log(&[(0, "a", "v"), (0, "b", "v"), (1, "c", "v")]);
    let follower = log(&[(0, "a", "v"), (0, "b", "v"), (0, "z", "v")]);
    assert!(agree_below(2, &[up(1, &leader), up(2, &follower)], false).is_ok());
    assert!(agree_below(3, &[up(1, &leader), up(2, &follower)], false).is_err());
}

#[test]
fn a_replica_that_is_down_is_compared_on_its_disk_and_said_to_be_down() {
    let a = log(&[(0, "m1", "v"), (1, "m3", "v")]);
    let b = log(&[(0, "m1", "v"), (0, "m2", "v")]);
    let down = Replica { broker: BrokerId(1), down: true, log: &b };
    assert_eq!(
        agree_below(2, &[up(2, &a), down], false),
        Err("at offset 1 broker 2 has epoch 1 key=m3, broker 1 (down) has epoch 0 key=m2".to_string())
    );
    let same = Replica { broker: BrokerId(1), down: true, log: &a };
    assert_eq!(
        agree_below(2, &[up(3, &a), same], false),
        Ok("brokers 1 (down), 3 agree below the high watermark 2".to_string())
    );
}

#[test]
fn a_lagging_replica_is_compared_on_what_it_has() {
    let leader = log(&[(0, "a", "v"), (0, "b", "v"), (0, "c", "v")]);
    let behind = log(&[(0, "a", "v")]);
    assert!(agree_below(3, &[up(1, &leader), up(3, &behind)], false).is_ok());
}

#[test]
fn equal_keys_with_different_values_show_the_values() {
    let a = log(&[(0, "k", "one")]);
    let b = log(&[(0, "k", "two")]);
    assert_eq!(
        agree_below(1, &[up(1, &a), up(2, &b)], false),
        Err("at offset 0 broker 1 has epoch 0 key=k value=one, broker 2 has epoch 0 key=k value=two".to_string())
    );
}

#[test]
fn a_record_one_replica_lacks_differs_unless_the_topic_is_compacted() {
    let full = log(&[(0, "a", "v"), (0, "b", "v"), (0, "c", "v")]);
    // The same offsets with offset 1 cleaned away: a batch of a, then c.
    let mut cleaned = PartitionLog::default();
    let mut first = RecordBatchBuilder::new(ProducerStamp::NONE);
    first.push(RecordId { producer: ClientIdx(0), number: 0 }, 0, Some(b"a"), Some(b"v"), &[]);
    cleaned.append_as_leader(Arc::new(first.build()), 0);
    let mut follower_batches = Vec::new();
    for batch in full.batches().skip(2) {
        follower_batches.push(batch.clone());
    }
    cleaned.append_as_follower(&follower_batches);
    assert_eq!(cleaned.log_end_offset(), 3, "offset 1 is a gap");
    assert_eq!(
        agree_below(3, &[up(1, &full), up(2, &cleaned)], false),
        Err("at offset 1 broker 1 has epoch 0 key=b, broker 2 has no record".to_string())
    );
    assert!(agree_below(3, &[up(1, &full), up(2, &cleaned)], true).is_ok());
}

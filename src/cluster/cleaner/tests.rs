//! The cleaner on small logs: what stays, what goes, and where.

use std::sync::Arc;

use super::*;
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::cluster::segment::RollPolicy;
use crate::ids::{ClientIdx, RecordId};

/// One record per batch: `(key, value)`, `None` value = tombstone. Segments
/// hold `per_segment` records; the high watermark is at the log end.
fn log_of(records: &[(&str, Option<&str>)], per_segment: usize) -> PartitionLog {
    let mut log = PartitionLog::new(RollPolicy { segment_bytes: u64::MAX, segment_ms: i64::MAX });
    for (n, (key, value)) in records.iter().enumerate() {
        if n > 0 && n % per_segment == 0 {
            log.roll_empty_segment();
        }
        append(&mut log, n as u64, key, *value, n as i64, ProducerStamp::NONE);
    }
    log.set_high_watermark(log.log_end_offset());
    log
}

fn append(log: &mut PartitionLog, number: u64, key: &str, value: Option<&str>, ts: i64, stamp: ProducerStamp) {
    let mut b = RecordBatchBuilder::new(stamp);
    let id = RecordId { producer: ClientIdx(0), number };
    b.push(id, ts, Some(key.as_bytes()), value.map(str::as_bytes), &[]);
    log.append_as_leader(Arc::new(b.build()), 0);
}

fn compacted() -> TopicConfig {
    let mut config = TopicConfig::default();
    config.cleanup_policy.compact = true;
    config.cleanup_policy.delete = false;
    config
}

/// `offset:key=value` of every record, `key=∅` for tombstones.
fn contents(log: &PartitionLog) -> Vec<String> {
    log.batches()
        .flat_map(|b| b.records().collect::<Vec<_>>())
        .map(|(offset, r)| {
            let key = String::from_utf8_lossy(r.key().unwrap_or_default()).into_owned();
            let value = r.value().map_or("∅".to_string(), |v| String::from_utf8_lossy(v).into_owned());
            format!("{offset}:{key}={value}")
        })
        .collect()
}

fn clean_now(log: &mut PartitionLog, config: &TopicConfig, checkpoint: i64, now: i64) -> Option<Cleaned> {
    let plan = cleanable(log, config, checkpoint, now);
    clean(log, config, &plan, now)
}

#[test]
fn keeps_the_latest_record_per_key_at_its_offset_and_never_touches_the_active_segment() {
    // Kafka's docs example: k1=a, k2=a, k1=b, k3=a, k2=∅, k1=c, then more in the active segment.
    let records = [
        ("k1", Some("a")),
        ("k2", Some("a")),
        ("k1", Some("b")),
        ("k3", Some("a")),
        ("k2", None),
        ("k1", Some("c")),
        ("k1", Some("d")),
        ("k1", Some("e")),
    ];
    let mut log = log_of(&records, 6);
    let cleaned = clean_now(&mut log, &compacted(), 0, 100).expect("something to clean");
    assert_eq!(contents(&log), ["3:k3=a", "4:k2=∅", "5:k1=c", "6:k1=d", "7:k1=e"]);
    assert_eq!(cleaned.cleaned_up_to, 6, "up to the active segment");
    assert_eq!((cleaned.superseded, cleaned.tombstones_removed, cleaned.tombstones_stamped), (3, 0, 1));
    assert_eq!(log.log_start_offset(), 0, "compaction does not move the log start");
    assert_eq!(log.log_end_offset(), 8);
    check_offsets_increase(&log).expect("offsets increase");
}

#[test]
fn a_tombstone_goes_only_in_a_cleaning_after_its_delete_horizon() {
    let mut config = compacted();
    config.delete_retention_ms = 1_000;
    let mut log = log_of(&[("k1", Some("a")), ("k2", Some("a")), ("k1", None), ("x", Some("1"))], 3);
    clean_now(&mut log, &config, 0, 100).expect("first pass");
    assert_eq!(contents(&log), ["1:k2=a", "2:k1=∅", "3:x=1"], "kept and stamped at 100 + 1000");
    // More data so there is something dirty to clean again.
    for n in 0..3 {
        log.roll_empty_segment();
        append(&mut log, 10 + n, "y", Some("v"), 200, ProducerStamp::NONE);
    }
    log.set_high_watermark(log.log_end_offset());
    let before_horizon = clean_now(&mut log, &config, 3, 1_099).expect("second pass");
    assert_eq!(before_horizon.tombstones_removed, 0);
    assert!(contents(&log).contains(&"2:k1=∅".to_string()));
    log.roll_empty_segment();
    append(&mut log, 20, "z", Some("v"), 300, ProducerStamp::NONE);
    log.set_high_watermark(log.log_end_offset());
    let after_horizon = clean_now(&mut log, &config, before_horizon.cleaned_up_to, 1_100).expect("third pass");
    assert_eq!(after_horizon.tombstones_removed, 1);
    assert!(!contents(&log).iter().any(|r| r.starts_with("2:")), "{:?}", contents(&log));
}

#[test]
fn nothing_at_or_above_the_first_uncleanable_offset_changes() {
    let records = [("k", Some("1")), ("k", Some("2")), ("k", Some("3")), ("k", Some("4")), ("k", Some("5"))];
    let mut log = log_of(&records, 1);
    log.set_high_watermark(3);
    let plan = cleanable(&log, &compacted(), 0, 0);
    assert_eq!(plan.first_uncleanable, 3, "the high watermark bounds it");
    clean(&mut log, &compacted(), &plan, 0).expect("cleans");
    assert_eq!(contents(&log), ["2:k=3", "3:k=4", "4:k=5"], "only offsets below 3 were compacted");
}

#[test]
fn min_compaction_lag_keeps_young_segments_dirty() {
    let mut config = compacted();
    config.min_compaction_lag_ms = 50;
    // Timestamps are the record numbers: segments [0,1] [2,3] [4].
    let mut log =
        log_of(&[("k", Some("1")), ("k", Some("2")), ("k", Some("3")), ("k", Some("4")), ("k", Some("5"))], 2);
    let plan = cleanable(&log, &config, 0, 52);
    assert_eq!(plan.first_uncleanable, 2, "segment [2,3] holds records younger than 50 ms");
    clean(&mut log, &config, &plan, 52).expect("cleans");
    assert_eq!(contents(&log), ["1:k=2", "2:k=3", "3:k=4", "4:k=5"]);
}

#[test]
fn the_dirty_ratio_decides_when_a_log_is_due() {
    let config = compacted();
    let mut log = log_of(&[("a", Some("1")), ("b", Some("1")), ("a", Some("2")), ("c", Some("1"))], 2);
    let fresh = cleanable(&log, &config, 0, 0);
    assert_eq!(fresh.dirty_ratio(), 1.0, "never cleaned: all dirty");
    assert!(fresh.is_due(&config));
    let cleaned = clean(&mut log, &config, &fresh, 0).expect("cleans");
    let after = cleanable(&log, &config, cleaned.cleaned_up_to, 0);
    assert_eq!(after.dirty_bytes, 0);
    assert!(!after.is_due(&config));
    let mut overdue = config;
    overdue.max_compaction_lag_ms = 1;
    log.roll_empty_segment();
    append(&mut log, 9, "a", Some("3"), 5, ProducerStamp::NONE);
    log.roll_empty_segment();
    log.set_high_watermark(log.log_end_offset());
    let small = cleanable(&log, &overdue, cleaned.cleaned_up_to, 1_000);
    assert!(small.overdue && small.is_due(&overdue), "max.compaction.lag.ms forces it: {small:?}");
}

#[test]
fn small_cleaned_segments_are_merged() {
    let mut config = compacted();
    let mut log =
        log_of(&[("a", Some("1")), ("b", Some("1")), ("c", Some("1")), ("d", Some("1")), ("e", Some("1"))], 1);
    let per_segment = log.segments()[0].size_bytes;
    config.segment_bytes = per_segment * 2;
    let cleaned = clean_now(&mut log, &config, 0, 0).expect("cleans");
    assert_eq!((cleaned.segments_before, cleaned.segments_after), (4, 2), "pairs of segments fit in segment.bytes");
    let bases: Vec<i64> = log.segments().iter().map(|s| s.base_offset).collect();
    assert_eq!(bases, [0, 2, 4], "merged segments keep the first one's base offset");
    assert_eq!(contents(&log).len(), 5, "all keys distinct: nothing removed");
}

#[test]
fn an_idempotent_producers_last_batch_survives_as_an_empty_shell() {
    let mut log = PartitionLog::new(RollPolicy { segment_bytes: u64::MAX, segment_ms: i64::MAX });
    let stamp = |seq| ProducerStamp { producer_id: 7, producer_epoch: 0, base_sequence: seq };
    append(&mut log, 0, "k", Some("1"), 0, stamp(0));
    append(&mut log, 1, "k", Some("2"), 1, stamp(1));
    log.roll_empty_segment();
    append(&mut log, 2, "k", Some("3"), 2, ProducerStamp::NONE);
    log.roll_empty_segment();
    append(&mut log, 3, "x", Some("1"), 3, ProducerStamp::NONE);
    log.set_high_watermark(log.log_end_offset());
    clean_now(&mut log, &compacted(), 0, 10).expect("cleans");
    let bases: Vec<(i64, usize)> = log.batches().map(|b| (b.base_offset, b.batch.len())).collect();
    assert_eq!(bases, [(1, 0), (2, 1), (3, 1)], "offset 0 went; offset 1's batch stays empty for producer 7");
}

/// A transactional record, `key=value`, from producer 1000 at epoch 0.
fn append_transactional(log: &mut PartitionLog, number: u64, key: &str, value: &str, sequence: i32) {
    let stamp = ProducerStamp { producer_id: 1000, producer_epoch: 0, base_sequence: sequence };
    let mut b = RecordBatchBuilder::new(stamp);
    let id = RecordId { producer: ClientIdx(0), number };
    b.push(id, number as i64, Some(key.as_bytes()), Some(value.as_bytes()), &[]);
    log.append_as_leader(Arc::new(b.build().into_transactional()), 0);
}

fn append_marker(log: &mut PartitionLog, kind: crate::cluster::record::ControlRecordType) {
    let stamp = ProducerStamp { producer_id: 1000, producer_epoch: 0, base_sequence: -1 };
    log.append_as_leader(Arc::new(crate::cluster::record::RecordBatch::end_txn_marker(stamp, kind, 0, 0)), 0);
}

/// Kafka's cleaner stops at the first unstable offset
/// (`LogCleanerManager.cleanableOffsets`): `k=a` written inside a transaction
/// still open is not compacted away by the later plain `k=b`, although
/// both are below the high watermark, until the transaction ends.
#[test]
fn an_open_transaction_stops_the_cleaner_at_the_last_stable_offset() {
    let mut log = PartitionLog::new(RollPolicy { segment_bytes: u64::MAX, segment_ms: i64::MAX });
    append(&mut log, 0, "k", Some("old"), 0, ProducerStamp::NONE);
    append_transactional(&mut log, 1, "k", "in-txn", 0);
    append(&mut log, 2, "k", Some("new"), 2, ProducerStamp::NONE);
    log.roll_empty_segment();
    log.set_high_watermark(log.log_end_offset());
    assert_eq!(log.last_stable_offset(), 1, "the open transaction holds the LSO at its first record");
    let plan = cleanable(&log, &compacted(), 0, 10);
    assert_eq!(
        plan.first_uncleanable, 0,
        "cleaning stops at the segment holding the LSO (1), not at the high watermark (3)"
    );

    append_marker(&mut log, crate::cluster::record::ControlRecordType::Commit);
    log.roll_empty_segment();
    log.set_high_watermark(log.log_end_offset());
    clean_now(&mut log, &compacted(), 0, 10).expect("the committed range is cleaned");
    assert_eq!(contents(&log), ["2:k=new", "3:\0\0\0\u{1}=\0\0\0\0\0\0"], "k's older values go; the marker stays");
}

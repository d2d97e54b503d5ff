//! Each count takes exactly the events of its kind, subject and window: a
//! count that took too much or too little would let an expectation pass or
//! fail wrongly.

use std::sync::Arc;

use super::*;
use crate::cluster::record::{LogBatch, ProducerStamp, RecordBatchBuilder};
use crate::group::coordinator::records::commit_key;
use crate::ids::{BrokerId, RecordId};
use crate::scenario::Expected;

const T0: TopicPartition = TopicPartition::new(TopicId(0), 0);
const T1: TopicPartition = TopicPartition::new(TopicId(0), 1);
const OFFSETS: TopicId = TopicId(1);
const P: ClientIdx = ClientIdx(0);
const C: ClientIdx = ClientIdx(0);

fn secs(s: u64) -> SimTime {
    SimTime::from_millis(s * 1000)
}

fn expect(check: Check, since: Option<u64>, at: Option<u64>) -> Expectation {
    Expectation {
        at: at.map(secs),
        since: since.map(secs),
        check,
        expected: Expected::number(0),
        description: String::new(),
    }
}

fn leader_change(tp: TopicPartition, unclean: bool) -> TraceEvent {
    TraceEvent::LeaderChange {
        tp,
        previous: Some(BrokerId(1)),
        leader: Some(BrokerId(2)),
        leader_epoch: 1,
        isr: vec![BrokerId(2)],
        reason: String::new(),
        unclean,
    }
}

#[test]
fn a_window_counts_its_own_events_both_ends_included() {
    let mut tally = Tally::new(
        &[
            expect(Check::Happened(Happening::LeaderChange(T0)), Some(10), Some(20)),
            expect(Check::Happened(Happening::LeaderChange(T0)), None, None),
            expect(Check::Happened(Happening::LeaderChange(T1)), None, None),
        ],
        None,
    );
    for at in [5, 10, 15, 20, 25] {
        tally.observe(secs(at), &leader_change(T0, false));
    }
    assert_eq!(tally.count(0), Some(3), "10 s, 15 s and 20 s");
    assert_eq!(tally.count(1), Some(5), "no window: the whole run");
    assert_eq!(tally.count(2), Some(0), "another partition");
}

#[test]
fn unclean_elections_are_the_leader_changes_marked_unclean() {
    let mut tally = Tally::new(&[expect(Check::Happened(Happening::UncleanElection(T0)), None, None)], None);
    tally.observe(secs(1), &leader_change(T0, false));
    tally.observe(secs(2), &leader_change(T0, true));
    assert_eq!(tally.count(0), Some(1));
}

#[test]
fn rebalances_are_new_generations_of_the_group() {
    let mut tally = Tally::new(&[expect(Check::Happened(Happening::Rebalance("g".into())), None, None)], None);
    for group in ["g", "other", "g"] {
        tally.observe(
            secs(1),
            &TraceEvent::GenerationStarted {
                group: group.into(),
                generation: 1,
                protocol: None,
                leader: None,
                members: vec![],
            },
        );
    }
    assert_eq!(tally.count(0), Some(2));
}

fn offsets_append(records: &[(String, Option<&str>)]) -> TraceEvent {
    let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
    for (key, value) in records {
        b.push(RecordId::INTERNAL, 0, Some(key.as_bytes()), value.map(str::as_bytes), &[]);
    }
    let batch = LogBatch { base_offset: 0, partition_leader_epoch: 0, batch: Arc::new(b.build()) };
    TraceEvent::Append { broker: BrokerId(1), tp: TopicPartition::new(OFFSETS, 7), batch }
}

#[test]
fn expiries_and_deletions_are_tombstones_of_the_groups_keys() {
    let mut tally = Tally::new(
        &[
            expect(Check::Happened(Happening::OffsetsExpired("g".into())), None, None),
            expect(Check::Happened(Happening::GroupDeleted("g".into())), None, None),
            expect(Check::Happened(Happening::OffsetsExpired("g2".into())), None, None),
        ],
        Some(OFFSETS),
    );
    assert!(commit_key("g", "t", 0).starts_with(&commit_key_prefix("g")), "the prefix follows the key format");
    // A commit is no deletion.
    tally.observe(secs(1), &offsets_append(&[(commit_key("g", "t", 0), Some("5"))]));
    assert_eq!((tally.count(0), tally.count(1)), (Some(0), Some(0)));
    // One expiry run deletes two offsets in one append: one expiry.
    tally.observe(secs(2), &offsets_append(&[(commit_key("g", "t", 0), None), (commit_key("g", "t", 1), None)]));
    assert_eq!((tally.count(0), tally.count(1)), (Some(1), Some(0)));
    tally.observe(secs(3), &offsets_append(&[(group_key("g"), None)]));
    assert_eq!((tally.count(0), tally.count(1), tally.count(2)), (Some(1), Some(1), Some(0)));
}

#[test]
fn error_codes_count_per_partition_and_exceptions_per_record() {
    let producer = ClientRef::Producer(P);
    let consumer = ClientRef::Consumer(C);
    let mut tally = Tally::new(
        &[
            expect(Check::Saw(producer, ClientError::Code(ErrorCode::NotEnoughReplicas)), None, None),
            expect(Check::Saw(producer, ClientError::Exception("TimeoutException".into())), None, None),
            expect(Check::Saw(consumer, ClientError::Code(ErrorCode::NotLeaderOrFollower)), None, None),
            expect(Check::Saw(consumer, ClientError::Exception("CommitFailedException".into())), None, None),
            expect(Check::Saw(consumer, ClientError::Code(ErrorCode::NotEnoughReplicas)), None, None),
        ],
        None,
    );
    let failed = |error| TraceEvent::ProduceFailed { producer: P, tp: T0, error, records: 3, retry: true, ids: vec![] };
    tally.observe(secs(1), &failed(ErrorCode::NotEnoughReplicas));
    tally.observe(secs(2), &failed(ErrorCode::NotEnoughReplicas));
    tally.observe(secs(2), &failed(ErrorCode::RequestTimedOut));
    let ids = (0..4).map(|n| RecordId { producer: P, number: n }).collect();
    tally.observe(
        secs(3),
        &TraceEvent::DeliveryFailed {
            producer: P,
            tp: T0,
            error: "TimeoutException: expiring 4 record(s)".into(),
            ids,
        },
    );
    tally.observe(
        secs(4),
        &TraceEvent::ErrorResponse {
            client: NodeId::Consumer(C),
            from: NodeId::Broker(BrokerId(1)),
            api: "Fetch",
            error: ErrorCode::NotLeaderOrFollower,
            partitions: vec![T0, T1],
        },
    );
    tally.observe(
        secs(5),
        &TraceEvent::CommitFailed {
            consumer: C,
            group: "g".into(),
            error: "CommitFailedException (ILLEGAL_GENERATION): the group has rebalanced".into(),
        },
    );
    assert_eq!(tally.count(0), Some(2), "two failed batches");
    assert_eq!(tally.count(1), Some(4), "every record's callback got it");
    assert_eq!(tally.count(2), Some(2), "one response, two partitions");
    assert_eq!(tally.count(3), Some(1));
    assert_eq!(tally.count(4), Some(0), "the producer's errors are not the consumer's");
}

#[test]
fn sends_are_counted_per_partition_with_the_longest_run() {
    let mut tally = Tally::new(
        &[
            expect(Check::SentTo(P, T0), None, None),
            expect(Check::SentTo(P, T1), None, None),
            expect(Check::LongestRun(P), None, None),
            expect(Check::LongestRun(ClientIdx(1)), None, None),
        ],
        None,
    );
    // 0 0 0 1 1 0 0 0 0: runs of 3, 2 and 4.
    for (n, tp) in [T0, T0, T0, T1, T1, T0, T0, T0, T0].into_iter().enumerate() {
        let id = RecordId { producer: P, number: n as u64 };
        tally.observe(secs(1), &TraceEvent::Send { producer: P, tp, id, key: None });
    }
    assert_eq!(tally.count(0), Some(7));
    assert_eq!(tally.count(1), Some(2));
    assert_eq!(tally.count(2), Some(4));
    assert_eq!(tally.count(3), Some(0), "another producer sent nothing");
}

#[test]
fn an_expectation_that_counts_nothing_has_no_count() {
    let tally = Tally::new(&[expect(Check::Leader(T0), None, None)], None);
    assert_eq!(tally.count(0), None);
}

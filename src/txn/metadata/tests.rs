//! Ported from Kafka's `TransactionMetadataTest.scala` (core/src/test/scala/
//! unit/kafka/coordinator/transaction), plus the full life of one TV2
//! transaction.

use super::*;
use crate::ids::TopicId;

const PRODUCER_ID: i64 = 23423;
const NOW_MS: i64 = 1_000;

fn metadata(producer_epoch: i16, last_producer_epoch: i16, state: TransactionState) -> TransactionMetadata {
    TransactionMetadata {
        producer_epoch,
        last_producer_epoch,
        state,
        txn_timeout_ms: 30_000,
        ..TransactionMetadata::new("txnlId", PRODUCER_ID, 30_000, NOW_MS)
    }
}

fn bump(m: &mut TransactionMetadata, expected: Option<i16>, now_ms: i64) -> TxnTransit {
    m.prepare_increment_producer_epoch(30_000, expected, now_ms).expect("valid state").expect("not fenced")
}

fn tp(partition: u32) -> TopicPartition {
    TopicPartition::new(TopicId(0), partition)
}

#[test]
fn initialize_epoch() {
    let mut m = metadata(NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, Empty);
    let transit = bump(&mut m, None, NOW_MS);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch, m.last_producer_epoch), (PRODUCER_ID, 0, NO_PRODUCER_EPOCH));
}

#[test]
fn normal_epoch_bump() {
    let mut m = metadata(735, NO_PRODUCER_EPOCH, Empty);
    let transit = bump(&mut m, None, NOW_MS);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch, m.last_producer_epoch), (PRODUCER_ID, 736, NO_PRODUCER_EPOCH));
}

#[test]
fn bump_epoch_not_allowed_if_epochs_exhausted() {
    let mut m = metadata(i16::MAX - 1, NO_PRODUCER_EPOCH, Empty);
    assert!(m.is_producer_epoch_exhausted());
    assert_eq!(
        m.prepare_increment_producer_epoch(30_000, None, NOW_MS),
        Err(TransitionError::EpochsExhausted { producer_epoch: i16::MAX - 1 })
    );
}

#[test]
fn tolerate_update_time_shift_during_epoch_bump() {
    let mut m = metadata(1, NO_PRODUCER_EPOCH, Empty);
    m.txn_start_timestamp_ms = 1;
    let transit = bump(&mut m, Some(1), NOW_MS - 1);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_epoch, m.last_producer_epoch), (2, 1));
    assert_eq!((m.txn_start_timestamp_ms, m.txn_last_update_timestamp_ms), (1, NOW_MS - 1));
}

#[test]
fn tolerate_time_shift_during_add_partitions() {
    let mut m = metadata(1, NO_PRODUCER_EPOCH, Empty);
    m.txn_start_timestamp_ms = NOW_MS;
    // Let the new time be smaller: an Empty transaction restarts its clock.
    let transit = m.prepare_add_partitions(&BTreeSet::from([tp(0)]), TransactionVersion::Tv0, NOW_MS - 1).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!(m.state, Ongoing);
    assert_eq!(m.partitions, BTreeSet::from([tp(0)]));
    assert_eq!((m.txn_start_timestamp_ms, m.txn_last_update_timestamp_ms), (NOW_MS - 1, NOW_MS - 1));
}

#[test]
fn tolerate_time_shift_during_prepare_commit_and_complete() {
    for version in [TransactionVersion::Tv0, TransactionVersion::Tv2] {
        let mut m = metadata(1, NO_PRODUCER_EPOCH, Ongoing);
        m.txn_start_timestamp_ms = 1;
        let transit = m.prepare_abort_or_commit(PrepareCommit, version, NO_PRODUCER_ID, NOW_MS - 1, false).unwrap();
        m.complete_transition(&transit).unwrap();
        assert_eq!(m.state, PrepareCommit);
        let epoch = if version.supports_epoch_bump() { 2 } else { 1 };
        assert_eq!(m.producer_epoch, epoch);
        let transit = m.prepare_complete(NOW_MS - 2).unwrap();
        m.complete_transition(&transit).unwrap();
        assert_eq!((m.state, m.producer_epoch, m.txn_start_timestamp_ms), (CompleteCommit, epoch, 1));
        assert_eq!(m.txn_last_update_timestamp_ms, NOW_MS - 2);
    }
}

#[test]
fn tolerate_time_shift_during_prepare_abort_and_complete() {
    for version in [TransactionVersion::Tv0, TransactionVersion::Tv2] {
        let mut m = metadata(1, NO_PRODUCER_EPOCH, Ongoing);
        m.txn_start_timestamp_ms = 1;
        let transit = m.prepare_abort_or_commit(PrepareAbort, version, NO_PRODUCER_ID, NOW_MS - 1, false).unwrap();
        m.complete_transition(&transit).unwrap();
        let transit = m.prepare_complete(NOW_MS - 2).unwrap();
        m.complete_transition(&transit).unwrap();
        assert_eq!(m.state, CompleteAbort);
    }
}

#[test]
fn fence_producer_after_epochs_exhausted() {
    let mut m = metadata(i16::MAX - 1, NO_PRODUCER_EPOCH, Ongoing);
    assert!(m.is_producer_epoch_exhausted());
    let fencing = m.prepare_fence_producer_epoch().unwrap();
    assert_eq!((fencing.producer_epoch, fencing.last_producer_epoch), (i16::MAX, NO_PRODUCER_EPOCH));
    assert_eq!(m.pending_state, Some(PrepareEpochFence));
    // The coordinator clears the pending fence to make way for the abort.
    m.pending_state = None;
    let transit =
        m.prepare_abort_or_commit(PrepareAbort, TransactionVersion::Tv0, NO_PRODUCER_ID, NOW_MS, false).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!(transit.producer_id, PRODUCER_ID);
}

#[test]
fn fence_producer_not_allowed_if_it_would_overflow() {
    let mut m = metadata(i16::MAX, NO_PRODUCER_EPOCH, Ongoing);
    assert!(m.is_producer_epoch_exhausted());
    assert!(m.prepare_fence_producer_epoch().is_err());
}

#[test]
fn rotate_producer_id() {
    let mut m = metadata(i16::MAX - 1, NO_PRODUCER_EPOCH, Empty);
    let transit = m.prepare_producer_id_rotation(9893, 30_000, NOW_MS, true).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.previous_producer_id), (9893, PRODUCER_ID));
    assert_eq!((m.producer_epoch, m.last_producer_epoch), (0, i16::MAX - 1));
}

#[test]
fn epoch_bump_on_end_txn() {
    let mut m = metadata(10, NO_PRODUCER_EPOCH, Ongoing);
    m.txn_start_timestamp_ms = NOW_MS;
    let transit =
        m.prepare_abort_or_commit(PrepareCommit, TransactionVersion::Tv2, NO_PRODUCER_ID, NOW_MS - 1, false).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch), (PRODUCER_ID, 11));
    assert_eq!(m.client_transaction_version, TransactionVersion::Tv2);
    let transit = m.prepare_complete(NOW_MS).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch), (PRODUCER_ID, 11));
    assert_eq!(m.client_transaction_version, TransactionVersion::Tv2);
}

#[test]
fn epoch_bump_on_end_txn_overflow() {
    let mut m = metadata(i16::MAX - 1, NO_PRODUCER_EPOCH, Ongoing);
    m.txn_start_timestamp_ms = NOW_MS;
    assert!(m.is_producer_epoch_exhausted());
    let transit = m.prepare_abort_or_commit(PrepareCommit, TransactionVersion::Tv2, 9893, NOW_MS - 1, false).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch), (PRODUCER_ID, i16::MAX));
    let transit = m.prepare_complete(NOW_MS).unwrap();
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_id, m.producer_epoch), (9893, 0), "the markers are written: the new id takes over");
}

#[test]
fn rotate_producer_id_with_a_transaction_pending_is_refused() {
    for state in [Ongoing, PrepareAbort, PrepareCommit] {
        let mut m = metadata(i16::MAX - 1, NO_PRODUCER_EPOCH, state);
        m.previous_producer_id = PRODUCER_ID;
        assert!(m.prepare_producer_id_rotation(9893, 30_000, NOW_MS, false).is_err(), "{state}");
    }
}

#[test]
fn attempted_epoch_bump_with_newly_created_metadata() {
    let mut m = metadata(NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, Empty);
    let transit = bump(&mut m, Some(735), NOW_MS);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_epoch, m.last_producer_epoch), (0, NO_PRODUCER_EPOCH));
}

#[test]
fn epoch_bump_with_current_epoch_provided() {
    let mut m = metadata(735, NO_PRODUCER_EPOCH, Empty);
    let transit = bump(&mut m, Some(735), NOW_MS);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_epoch, m.last_producer_epoch), (736, 735));
}

#[test]
fn attempted_epoch_bump_with_last_epoch() {
    let mut m = metadata(735, 734, Empty);
    let transit = bump(&mut m, Some(734), NOW_MS);
    m.complete_transition(&transit).unwrap();
    assert_eq!((m.producer_epoch, m.last_producer_epoch), (735, 734), "a retry gets the epoch it was given");
}

#[test]
fn attempted_epoch_bump_with_fenced_epoch() {
    let mut m = metadata(735, 734, Empty);
    m.previous_producer_id = PRODUCER_ID;
    assert_eq!(m.prepare_increment_producer_epoch(30_000, Some(733), NOW_MS), Ok(Err(ProducerFenced)));
    assert_eq!(m.pending_state, None, "a fenced request prepares nothing");
}

#[test]
fn a_second_transition_waits_for_the_first() {
    let mut m = metadata(0, NO_PRODUCER_EPOCH, Empty);
    let _ = m.prepare_add_partitions(&BTreeSet::from([tp(0)]), TransactionVersion::Tv2, NOW_MS).unwrap();
    assert_eq!(
        m.prepare_abort_or_commit(PrepareCommit, TransactionVersion::Tv2, NO_PRODUCER_ID, NOW_MS, false),
        Err(TransitionError::PendingTransition { pending: Ongoing, wanted: PrepareCommit })
    );
}

#[test]
fn commit_needs_an_open_transaction() {
    let mut m = metadata(0, NO_PRODUCER_EPOCH, Empty);
    assert_eq!(
        m.prepare_abort_or_commit(PrepareCommit, TransactionVersion::Tv2, NO_PRODUCER_ID, NOW_MS, false),
        Err(TransitionError::InvalidTransition { from: Empty, to: PrepareCommit })
    );
}

/// One id's life under TV2: init (epoch 0), a committed transaction (epoch
/// 1 after it), an aborted one (epoch 2), then a new instance fences it
/// (epoch 3).
#[test]
fn a_tv2_life_bumps_the_epoch_at_every_end() {
    let tv2 = TransactionVersion::Tv2;
    let mut m = TransactionMetadata::new("orders-app", 1000, 60_000, 0);
    let step = |m: &mut TransactionMetadata, t: Result<TxnTransit, TransitionError>| {
        let t = t.unwrap();
        m.complete_transition(&t).unwrap();
    };
    let t = bump(&mut m, None, 0);
    m.complete_transition(&t).unwrap();
    assert_eq!(m.producer_epoch, 0);
    for (end, complete, epoch) in [(PrepareCommit, CompleteCommit, 1), (PrepareAbort, CompleteAbort, 2)] {
        let t = m.prepare_add_partitions(&BTreeSet::from([tp(0), tp(1)]), tv2, 10);
        step(&mut m, t);
        assert_eq!((m.state, m.txn_start_timestamp_ms), (Ongoing, 10));
        let t = m.prepare_abort_or_commit(end, tv2, NO_PRODUCER_ID, 20, false);
        step(&mut m, t);
        assert_eq!(m.partitions.len(), 2, "the markers still have to go to both partitions");
        let t = m.prepare_complete(30);
        step(&mut m, t);
        assert_eq!((m.state, m.producer_epoch, m.partitions.len()), (complete, epoch, 0));
    }
    let t = bump(&mut m, None, 40);
    m.complete_transition(&t).unwrap();
    assert_eq!((m.state, m.producer_epoch, m.last_producer_epoch), (Empty, 3, NO_PRODUCER_EPOCH));
}

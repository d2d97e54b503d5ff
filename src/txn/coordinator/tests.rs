//! Cases of Kafka's `TransactionCoordinatorTest` (InitProducerId), run on
//! the coordinator's state without a broker: each starts from an id's
//! metadata, asks InitProducerId, and checks the answer and what is written.

use std::collections::BTreeSet;

use super::*;
use crate::ids::TopicPartition;
use crate::txn::version::TransactionVersion;

const TIMEOUT_MS: u64 = 60_000;

fn coordinator() -> TransactionCoordinator {
    let mut c = TransactionCoordinator::new(50);
    c.owned = (0..50).collect();
    c
}

/// InitProducerId, and the write completed successfully.
fn init(c: &mut TransactionCoordinator, id: &str, expected: Option<(i64, i16)>) -> Result<(i64, i16), ErrorCode> {
    let mut next = 4000;
    match c.handle_init_producer_id(
        id,
        TIMEOUT_MS,
        expected,
        || {
            next += 1;
            next
        },
        0,
    ) {
        InitOutcome::Refuse(error) => Err(error),
        InitOutcome::Write(transit) => {
            let error = c.on_write_done(id, &transit, ErrorCode::None);
            if error.is_ok() { Ok((transit.producer_id, transit.producer_epoch)) } else { Err(error) }
        }
    }
}

/// shouldInitPidWithEpochZeroForNewTransactionalId
#[test]
fn a_new_transactional_id_gets_a_new_producer_id_and_epoch_zero() {
    let mut c = coordinator();
    assert_eq!(init(&mut c, "app", None), Ok((4001, 0)));
    assert_eq!(c.state_of("app"), Some(Empty));
}

/// shouldGenerateNewProducerIdIfEpochsExhausted's neighbour: a second
/// instance bumps the epoch (shouldIncrementEpochAndUpdateMetadataOnHandleInitPidWhenExistingEmptyTransaction).
#[test]
fn a_second_instance_bumps_the_epoch_and_keeps_the_producer_id() {
    let mut c = coordinator();
    assert_eq!(init(&mut c, "app", None), Ok((4001, 0)));
    assert_eq!(init(&mut c, "app", None), Ok((4001, 1)), "the first instance is fenced");
    assert_eq!(init(&mut c, "app", None), Ok((4001, 2)));
}

/// shouldRespondWithConcurrentTransactionsOnInitPidWhenInPrepareCommitState
/// and ...PrepareAbortState.
#[test]
fn an_id_whose_markers_are_being_written_answers_concurrent_transactions() {
    for state in [PrepareCommit, PrepareAbort] {
        let mut c = coordinator();
        init(&mut c, "app", None).unwrap();
        c.transactions.get_mut("app").unwrap().state = state;
        assert_eq!(init(&mut c, "app", None), Err(ErrorCode::ConcurrentTransactions), "{state}");
    }
}

/// shouldRespondWithConcurrentTransactionOnInitPidWhenInPendingState (a
/// transition is being written).
#[test]
fn an_id_with_a_write_in_flight_answers_concurrent_transactions() {
    let mut c = coordinator();
    init(&mut c, "app", None).unwrap();
    c.transactions.get_mut("app").unwrap().pending_state = Some(Ongoing);
    assert_eq!(init(&mut c, "app", None), Err(ErrorCode::ConcurrentTransactions));
}

/// shouldAbortTransactionOnHandleInitPidWhenExistingTransactionInOngoingState:
/// the open transaction's epoch is fenced first (PrepareEpochFence, epoch + 1).
#[test]
fn an_open_transaction_is_fenced_before_it_is_aborted() {
    let mut c = coordinator();
    init(&mut c, "app", None).unwrap();
    let m = c.transactions.get_mut("app").unwrap();
    let added = BTreeSet::from([TopicPartition::new(crate::ids::TopicId(0), 0)]);
    let t = m.prepare_add_partitions(&added, TransactionVersion::Tv2, 1).unwrap();
    m.complete_transition(&t).unwrap();
    let outcome = c.handle_init_producer_id("app", TIMEOUT_MS, None, || 9, 2);
    let InitOutcome::Write(fence) = outcome else { panic!("expected a fence, got {outcome:?}") };
    assert_eq!((fence.state, fence.producer_epoch), (PrepareEpochFence, 1));
    assert_eq!(c.on_write_done("app", &fence, ErrorCode::None), ErrorCode::None);
    assert_eq!(c.transactions["app"].producer_epoch, 1);
    assert_eq!(c.state_of("app"), Some(PrepareEpochFence));
}

/// shouldFenceProducerWhenProducerIdDoesNotMatch (KIP-360): a producer
/// presenting another producer id is fenced; one presenting its last epoch
/// again (a retry) gets the current epoch back.
#[test]
fn a_producer_presenting_a_foreign_producer_id_is_fenced() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    assert_eq!(init(&mut c, "app", Some((pid + 1, epoch))), Err(ErrorCode::ProducerFenced));
    assert_eq!(init(&mut c, "app", Some((pid, epoch))), Ok((pid, epoch + 1)), "its own id and epoch: bump");
    assert_eq!(init(&mut c, "app", Some((pid, epoch))), Ok((pid, epoch + 1)), "a retry: the same answer");
    assert_eq!(init(&mut c, "app", Some((pid, epoch + 5))), Err(ErrorCode::ProducerFenced));
}

/// shouldGenerateNewProducerIdIfEpochsExhausted
#[test]
fn exhausted_epochs_rotate_to_a_new_producer_id() {
    let mut c = coordinator();
    init(&mut c, "app", None).unwrap();
    c.transactions.get_mut("app").unwrap().producer_epoch = i16::MAX - 1;
    let InitOutcome::Write(t) = c.handle_init_producer_id("app", TIMEOUT_MS, None, || 9000, 1) else { panic!() };
    assert_eq!((t.producer_id, t.producer_epoch), (9000, 0), "a fresh producer id from the block");
    assert_eq!(c.on_write_done("app", &t, ErrorCode::None), ErrorCode::None);
    assert_eq!((c.transactions["app"].producer_id, c.transactions["app"].previous_producer_id), (9000, 4001));
}

/// A write that fails (the partition moved, or too few replicas) leaves the
/// id as it was, and the client is told to look for the coordinator again.
#[test]
fn a_failed_write_changes_nothing() {
    let mut c = coordinator();
    init(&mut c, "app", None).unwrap();
    let InitOutcome::Write(t) = c.handle_init_producer_id("app", TIMEOUT_MS, None, || 9, 1) else { panic!() };
    assert_eq!(c.on_write_done("app", &t, ErrorCode::NotLeaderOrFollower), ErrorCode::NotCoordinator);
    assert_eq!(c.transactions["app"].producer_epoch, 0);
    assert_eq!(c.transactions["app"].pending_state, None);
    let InitOutcome::Write(t) = c.handle_init_producer_id("app", TIMEOUT_MS, None, || 9, 1) else { panic!() };
    assert_eq!(c.on_write_done("app", &t, ErrorCode::RequestTimedOut), ErrorCode::CoordinatorNotAvailable);
}

/// A coordinator serves only the ids of the partitions it leads, and
/// forgets them when leadership moves.
#[test]
fn ids_follow_their_partition() {
    let mut c = TransactionCoordinator::new(50);
    let partition = c.partition_for("my-txn");
    assert_eq!(partition, 45, "the hash explain coordinator shows");
    assert!(!c.owns("my-txn"));
    c.owned.insert(partition);
    init(&mut c, "my-txn", None).unwrap();
    c.unload(partition);
    assert!(!c.owns("my-txn") && c.transactions.is_empty());
}

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

fn tp(p: u32) -> TopicPartition {
    TopicPartition::new(crate::ids::TopicId(0), p)
}

/// AddPartitionsToTxn (a TV2 leader's), and the Ongoing write completed.
fn add(c: &mut TransactionCoordinator, producer: (i64, i16), partitions: &[u32]) -> ErrorCode {
    let partitions: BTreeSet<TopicPartition> = partitions.iter().map(|&p| tp(p)).collect();
    match c.handle_add_partitions("app", producer, &partitions, false, 10) {
        add_partitions::AddPartitionsOutcome::Reply(error) => error,
        add_partitions::AddPartitionsOutcome::Write(transit) => c.on_write_done("app", &transit, ErrorCode::None),
    }
}

/// EndTxn; on a write, the Prepare write completed. Returns the answer.
fn end(c: &mut TransactionCoordinator, producer: (i64, i16), committed: bool) -> Result<(i64, i16), ErrorCode> {
    match c.handle_end_txn("app", producer, committed, || 9000, 20) {
        end_txn::EndTxnOutcome::Reply(ErrorCode::None, id, epoch) => Ok((id, epoch)),
        end_txn::EndTxnOutcome::Reply(error, _, _) => Err(error),
        end_txn::EndTxnOutcome::Write(transit) => {
            let error = c.on_write_done("app", &transit, ErrorCode::None);
            if error.is_ok() { Ok((transit.producer_id, transit.producer_epoch)) } else { Err(error) }
        }
    }
}

/// The markers are written: CompleteCommit / CompleteAbort.
fn complete(c: &mut TransactionCoordinator) {
    let transit = c.prepare_complete("app", 30).expect("a prepared transaction");
    assert_eq!(c.on_write_done("app", &transit, ErrorCode::None), ErrorCode::None);
}

/// shouldAppendPrepareCommitToLogOnEndTxnWhenStatusIsOngoingAndResultIsCommit,
/// with TV2: the PrepareCommit carries epoch + 1, which the client gets back
/// and uses for its next transaction; the markers' completion empties the
/// transaction.
#[test]
fn a_tv2_commit_bumps_the_epoch_and_empties_the_transaction() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    assert_eq!(add(&mut c, (pid, epoch), &[0, 1]), ErrorCode::None);
    assert_eq!(c.state_of("app"), Some(Ongoing));
    assert_eq!(c.transactions["app"].partitions.len(), 2);
    assert_eq!(end(&mut c, (pid, epoch), true), Ok((pid, epoch + 1)));
    assert_eq!(c.state_of("app"), Some(PrepareCommit));
    complete(&mut c);
    assert_eq!(c.state_of("app"), Some(CompleteCommit));
    assert!(c.transactions["app"].partitions.is_empty());
    // The next transaction uses the bumped epoch.
    assert_eq!(add(&mut c, (pid, epoch + 1), &[1]), ErrorCode::None);
    assert_eq!(c.state_of("app"), Some(Ongoing));
}

/// shouldReturnOkOnEndTxnWhenStatusIsCompleteCommitAndResultIsCommit (a
/// TV2 retry carries the epoch before the bump) and
/// shouldReturnInvalidTxnRequestOnEndTxnRequestWhenStatusIsCompleteCommitAndResultIsNotCommit.
#[test]
fn a_retried_end_txn_is_answered_without_a_second_transaction() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    add(&mut c, (pid, epoch), &[0]);
    end(&mut c, (pid, epoch), true).unwrap();
    // While the markers are out: CONCURRENT_TRANSACTIONS? No: a retry with
    // the old epoch in PrepareCommit is a retry on the epoch bump.
    assert_eq!(end(&mut c, (pid, epoch), true), Err(ErrorCode::ConcurrentTransactions));
    complete(&mut c);
    assert_eq!(end(&mut c, (pid, epoch), true), Ok((pid, epoch + 1)), "the retry learns the bumped epoch");
    assert_eq!(end(&mut c, (pid, epoch), false), Err(ErrorCode::InvalidTxnState), "not the outcome it asked for");
}

/// shouldRespondWithProducerFencedOnEndTxnWhenEpochIsNotSameAsTransaction
/// and the AddPartitionsToTxn twin: an older instance's requests.
#[test]
fn an_older_epoch_is_fenced_everywhere() {
    let mut c = coordinator();
    let (pid, old) = init(&mut c, "app", None).unwrap();
    let (_, new) = init(&mut c, "app", None).unwrap();
    assert_eq!(new, old + 1);
    assert_eq!(add(&mut c, (pid, old), &[0]), ErrorCode::ProducerFenced);
    assert_eq!(add(&mut c, (pid, new), &[0]), ErrorCode::None);
    assert_eq!(end(&mut c, (pid, old), true), Err(ErrorCode::ProducerFenced));
    assert_eq!(add(&mut c, (pid + 1, new), &[0]), ErrorCode::InvalidProducerIdMapping);
}

/// shouldRespondWithConcurrentTransactionsOnAddPartitionsWhenStateIsPrepareCommit.
#[test]
fn partitions_wait_while_markers_are_written() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    add(&mut c, (pid, epoch), &[0]);
    end(&mut c, (pid, epoch), false).unwrap();
    assert_eq!(c.state_of("app"), Some(PrepareAbort));
    assert_eq!(add(&mut c, (pid, epoch + 1), &[0]), ErrorCode::ConcurrentTransactions);
    complete(&mut c);
    assert_eq!(c.state_of("app"), Some(CompleteAbort));
}

/// shouldAbortExpiredTransactionsInOngoingStateAndBumpEpoch: past its
/// transaction.timeout.ms an Ongoing transaction is listed, fenced and
/// aborted with an epoch the old producer does not have.
#[test]
fn a_timed_out_transaction_is_fenced_and_aborted() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    add(&mut c, (pid, epoch), &[0, 1]);
    assert!(c.timed_out_transactions(10 + TIMEOUT_MS as i64 - 1).is_empty(), "not yet");
    assert_eq!(c.timed_out_transactions(10 + TIMEOUT_MS as i64), vec![("app".to_string(), pid, epoch)]);
    let fence = c.prepare_fence("app").unwrap();
    assert_eq!(c.on_write_done("app", &fence, ErrorCode::None), ErrorCode::None);
    assert_eq!(c.state_of("app"), Some(PrepareEpochFence));
    let fenced = c.transactions["app"].producer_epoch;
    assert_eq!(fenced, epoch + 1);
    assert_eq!(end(&mut c, (pid, fenced), false), Ok((pid, fenced + 1)), "the abort bumps once more (TV2)");
    assert_eq!(c.state_of("app"), Some(PrepareAbort));
    assert_eq!(c.transactions["app"].partitions.len(), 2, "markers go to both partitions");
    complete(&mut c);
    // The stalled producer's commit is fenced.
    assert_eq!(end(&mut c, (pid, epoch), true), Err(ErrorCode::ProducerFenced));
}

/// Kafka 4.0's TV2 abort of a transaction that added no partition
/// (`TransactionCoordinator.endTransaction` with `noPartitionAdded`, and
/// `PrepareAbort`'s previous states in `TransactionMetadata.scala`: "the
/// client may not know the txn state on the server side, it needs to send
/// endTxn request when uncertain"): EndTxn(abort) on Empty bumps the epoch,
/// has no marker to write, and completes. A commit of nothing stays
/// INVALID_TXN_STATE.
#[test]
fn a_tv2_abort_of_an_empty_transaction_bumps_the_epoch_and_completes() {
    let mut c = coordinator();
    let (pid, epoch) = init(&mut c, "app", None).unwrap();
    assert_eq!(end(&mut c, (pid, epoch), true), Err(ErrorCode::InvalidTxnState), "nothing to commit");
    assert_eq!(c.transactions["app"].pending_state, None, "a refused EndTxn leaves no transition pending");
    assert_eq!(end(&mut c, (pid, epoch), false), Ok((pid, epoch + 1)));
    assert_eq!(c.state_of("app"), Some(PrepareAbort));
    assert!(c.transactions["app"].partitions.is_empty(), "no partition to mark");
    assert_eq!(c.transactions["app"].txn_start_timestamp_ms, 20, "the abort starts when it is asked for");
    complete(&mut c);
    assert_eq!(c.state_of("app"), Some(CompleteAbort));
    // A retry of that abort (the epoch before the bump) is answered from the
    // completed state; another abort with the new epoch bumps again.
    assert_eq!(end(&mut c, (pid, epoch), false), Ok((pid, epoch + 1)));
    assert_eq!(end(&mut c, (pid, epoch + 1), false), Ok((pid, epoch + 2)));
    complete(&mut c);
    // The previous instance's epoch is fenced.
    assert_eq!(add(&mut c, (pid, epoch), &[0]), ErrorCode::ProducerFenced);
    assert_eq!(add(&mut c, (pid, epoch + 2), &[0]), ErrorCode::None);
}

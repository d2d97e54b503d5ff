//! The transaction checks: what the final logs decided about each record a
//! transactional producer sent, judged against what its application was told.
//!
//! - *Atomicity*: every record of a transaction whose `commitTransaction()`
//!   returned is in the final log, followed by its producer's COMMIT marker
//!   on that partition; no record of an aborted (or crashed) transaction is
//!   followed by a COMMIT marker. A transaction is all-or-nothing across
//!   partitions, or the check counts it as a violation.
//! - Records of aborted transactions stay in the log (read_uncommitted
//!   consumers read them) but are not "lost": they were never meant to be
//!   visible to `read_committed` readers.
//!
//! A record's decision is read from the log alone: walking each partition
//! in offset order, a producer's transactional records are pending until
//! its next control batch, which commits or aborts all of them. On a
//! compacted topic the log cleaner removes records (superseded ones, and
//! every record of an aborted transaction) and then markers with no record
//! left; a record it removed is neither evidence for nor against its
//! transaction, so the check judges the records that are still there.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::log::PartitionLog;
use crate::cluster::record::ControlRecordType;
use crate::ids::{ClientIdx, Names, RecordId, TopicPartition};

/// Most violations listed by name.
const LISTED_VIOLATIONS: usize = 20;

/// A transaction the application ended (the `TransactionEnded` trace event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndedTransaction {
    pub producer: ClientIdx,
    /// `commit`, `abort` or `crash`.
    pub outcome: &'static str,
    pub ids: Vec<RecordId>,
}

/// The transaction checks of a run that had transactions.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct TransactionChecks {
    /// Transactions whose `commitTransaction()` returned.
    pub committed: u64,
    /// Transactions aborted by the application, or left open by a crash.
    pub aborted: u64,
    /// Records of those: in the log, never visible to `read_committed`.
    pub aborted_records: u64,
    /// Of those, the ones the log cleaner has removed since.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub aborted_records_cleaned: u64,
    /// Transactions that are not all-or-nothing.
    pub atomicity_violations: u64,
    pub violations: Vec<String>,
}

/// The records the final logs commit and abort.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decisions {
    pub committed: BTreeSet<RecordId>,
    pub aborted: BTreeSet<RecordId>,
    /// Records the log cleaner removed (filled in by the caller, which
    /// knows where each record was written).
    pub cleaned: BTreeSet<RecordId>,
}

/// Walks each log in offset order and decides every transactional record
/// by its producer's next marker on that partition.
pub fn decisions(final_logs: &BTreeMap<TopicPartition, &PartitionLog>) -> Decisions {
    let mut decided = Decisions::default();
    for log in final_logs.values() {
        let mut pending: BTreeMap<i64, Vec<RecordId>> = BTreeMap::new();
        for batch in log.batches() {
            let producer_id = batch.batch.producer.producer_id;
            if let Some(marker) = batch.batch.control() {
                let ids = pending.remove(&producer_id).unwrap_or_default();
                match marker {
                    ControlRecordType::Commit => decided.committed.extend(ids),
                    ControlRecordType::Abort => decided.aborted.extend(ids),
                }
            } else if batch.batch.is_transactional() {
                pending.entry(producer_id).or_default().extend(batch.records().map(|(_, r)| r.id()));
            }
        }
    }
    decided
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The records of transactions their application aborted (or left open
/// by crashing): the coordinator aborts them.
pub fn aborted_ids(transactions: &[EndedTransaction]) -> BTreeSet<RecordId> {
    transactions.iter().filter(|t| t.outcome != "commit").flat_map(|t| t.ids.iter().copied()).collect()
}

/// Judges the ended transactions against the logs' decisions.
pub fn check(transactions: &[EndedTransaction], decided: &Decisions, names: &Names) -> TransactionChecks {
    let mut checks = TransactionChecks::default();
    for (n, txn) in transactions.iter().enumerate() {
        let committed_ids = txn.ids.iter().filter(|id| decided.committed.contains(id)).count();
        let judged = txn.ids.iter().filter(|id| !decided.cleaned.contains(id)).count();
        let label = |txn: &EndedTransaction| {
            let first = txn.ids.first().map_or(0, |id| id.number);
            let last = txn.ids.last().map_or(0, |id| id.number);
            format!("{} transaction of records #{first}..#{last} (number {n} ended)", names.producer(txn.producer))
        };
        let violation = if txn.outcome == "commit" {
            checks.committed += 1;
            (committed_ids < judged).then(|| {
                format!(
                    "{}: committed, yet only {committed_ids} of its {judged} records in the logs are committed",
                    label(txn)
                )
            })
        } else {
            checks.aborted += 1;
            checks.aborted_records += txn.ids.len() as u64;
            checks.aborted_records_cleaned += (txn.ids.len() - judged) as u64;
            (committed_ids > 0).then(|| {
                format!("{}: {}, yet {committed_ids} of its records are committed in the logs", label(txn), txn.outcome)
            })
        };
        if let Some(violation) = violation {
            checks.atomicity_violations += 1;
            if checks.violations.len() < LISTED_VIOLATIONS {
                checks.violations.push(violation);
            }
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cluster::record::{ProducerStamp, RecordBatch, RecordBatchBuilder};
    use crate::ids::TopicId;

    fn id(number: u64) -> RecordId {
        RecordId { producer: ClientIdx(0), number }
    }

    fn data(log: &mut PartitionLog, numbers: &[u64], epoch: i16) {
        let stamp = ProducerStamp { producer_id: 7, producer_epoch: epoch, base_sequence: 0 };
        let mut b = RecordBatchBuilder::new(stamp);
        for &n in numbers {
            b.push(id(n), 0, Some(b"k"), Some(b"v"), &[]);
        }
        log.append_as_leader(Arc::new(b.build().into_transactional()), 0);
    }

    fn marker(log: &mut PartitionLog, kind: ControlRecordType, epoch: i16) {
        let stamp = ProducerStamp { producer_id: 7, producer_epoch: epoch, base_sequence: -1 };
        log.append_as_leader(Arc::new(RecordBatch::end_txn_marker(stamp, kind, 0, 0)), 0);
    }

    fn names() -> Names {
        Names { topics: vec!["orders".into()], producers: vec!["app".into()], ..Names::default() }
    }

    fn committed(ids: &[u64]) -> EndedTransaction {
        EndedTransaction { producer: ClientIdx(0), outcome: "commit", ids: ids.iter().map(|&n| id(n)).collect() }
    }

    /// A transaction over two partitions, committed on both: atomic. The
    /// same transaction whose marker is missing on one partition (the
    /// coordinator never wrote it, or a truncation lost it) is not, and the
    /// check says which transaction and how many records.
    #[test]
    fn a_commit_missing_on_one_partition_breaks_atomicity() {
        let (mut p0, mut p1) = (PartitionLog::default(), PartitionLog::default());
        data(&mut p0, &[0], 0);
        data(&mut p1, &[1], 0);
        marker(&mut p0, ControlRecordType::Commit, 1);
        marker(&mut p1, ControlRecordType::Commit, 1);
        let tp = |p| TopicPartition::new(TopicId(0), p);
        let logs: BTreeMap<TopicPartition, &PartitionLog> = [(tp(0), &p0), (tp(1), &p1)].into();
        let checks = check(&[committed(&[0, 1])], &decisions(&logs), &names());
        assert_eq!((checks.committed, checks.atomicity_violations), (1, 0));

        let (mut p0, mut p1) = (PartitionLog::default(), PartitionLog::default());
        data(&mut p0, &[0], 0);
        data(&mut p1, &[1], 0);
        marker(&mut p0, ControlRecordType::Commit, 1);
        let logs: BTreeMap<TopicPartition, &PartitionLog> = [(tp(0), &p0), (tp(1), &p1)].into();
        let checks = check(&[committed(&[0, 1])], &decisions(&logs), &names());
        assert_eq!(checks.atomicity_violations, 1);
        assert!(checks.violations[0].contains("only 1 of its 2 records"), "{:?}", checks.violations);
    }

    /// An aborted transaction whose records a COMMIT marker decides (a
    /// zombie's commit that got through) is a violation; one under an ABORT
    /// marker counts its records as aborted, not lost.
    #[test]
    fn an_aborted_transaction_must_not_commit_anything() {
        let mut log = PartitionLog::default();
        data(&mut log, &[0, 1], 0);
        marker(&mut log, ControlRecordType::Abort, 1);
        data(&mut log, &[2], 1);
        marker(&mut log, ControlRecordType::Commit, 2);
        let logs: BTreeMap<TopicPartition, &PartitionLog> = [(TopicPartition::new(TopicId(0), 0), &log)].into();
        let decided = decisions(&logs);
        assert_eq!(decided.aborted, [id(0), id(1)].into());
        assert_eq!(decided.committed, [id(2)].into());
        let aborted = |ids: &[u64]| EndedTransaction { outcome: "abort", ..committed(ids) };
        let checks = check(&[aborted(&[0, 1]), aborted(&[2])], &decided, &names());
        assert_eq!((checks.aborted, checks.aborted_records, checks.atomicity_violations), (2, 3, 1));
    }
}

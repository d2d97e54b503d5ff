//! What a transactional producer's application does, transaction after
//! transaction: `beginTransaction()`, a number of `send()` calls, then
//! `commitTransaction()`, `abortTransaction()`, or a crash with the
//! transaction still open. The plan repeats until the producer's `count`
//! records are sent. A transaction may write to several topics: its records
//! go to them in turn, and Kafka commits or aborts them together.

use crate::ids::TopicId;

/// How the application ends a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionEnd {
    Commit,
    Abort,
    /// The process dies with the transaction open.
    Crash,
}

impl TransactionEnd {
    pub fn name(self) -> &'static str {
        match self {
            TransactionEnd::Commit => "commit",
            TransactionEnd::Abort => "abort",
            TransactionEnd::Crash => "crash",
        }
    }
}

/// One transaction of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedTransaction {
    /// Records sent in it (at least 1).
    pub records: u32,
    pub end: TransactionEnd,
    /// The topics its records go to, in turn; empty: the producer's topic.
    pub topics: Vec<TopicId>,
}

/// The transactions of a producer, in order, repeated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionPlan {
    pub transactions: Vec<PlannedTransaction>,
}

impl TransactionPlan {
    /// The default: each tick's `per_tick` records in one committed transaction.
    pub fn per_tick(per_tick: u32) -> Self {
        TransactionPlan {
            transactions: vec![PlannedTransaction {
                records: per_tick.max(1),
                end: TransactionEnd::Commit,
                topics: Vec::new(),
            }],
        }
    }

    /// The `index`-th transaction the application runs (0-based), the plan
    /// repeating.
    pub fn nth(&self, index: u64) -> PlannedTransaction {
        let len = self.transactions.len().max(1) as u64;
        self.transactions.get((index % len) as usize).cloned().unwrap_or(PlannedTransaction {
            records: 1,
            end: TransactionEnd::Commit,
            topics: Vec::new(),
        })
    }

    /// The transaction that record number `record` (0-based, in send order)
    /// belongs to, and whether it is that transaction's last record.
    pub fn transaction_of(&self, record: u64) -> (u64, bool) {
        match self.place(record) {
            Some((index, t, within)) => (index, within + 1 == u64::from(t.records)),
            None => (record, true),
        }
    }

    /// The topic record number `record` goes to: the next of its
    /// transaction's `topics` in turn; `None`: the producer's own topic.
    pub fn topic_of(&self, record: u64) -> Option<TopicId> {
        let (_, t, within) = self.place(record)?;
        (!t.topics.is_empty()).then(|| t.topics[(within % t.topics.len() as u64) as usize])
    }

    /// Every topic the plan writes to besides the producer's own.
    pub fn topics(&self) -> Vec<TopicId> {
        let mut topics: Vec<TopicId> = Vec::new();
        for t in self.transactions.iter().flat_map(|t| &t.topics) {
            if !topics.contains(t) {
                topics.push(*t);
            }
        }
        topics
    }

    /// The transaction of `record` (its number and plan entry) and the
    /// record's position in it.
    fn place(&self, record: u64) -> Option<(u64, &PlannedTransaction, u64)> {
        let per_round: u64 = self.transactions.iter().map(|t| u64::from(t.records)).sum::<u64>().max(1);
        let round = record / per_round;
        let mut within = record % per_round;
        for (i, t) in self.transactions.iter().enumerate() {
            let records = u64::from(t.records);
            if within < records {
                return Some((round * self.transactions.len() as u64 + i as u64, t, within));
            }
            within -= records;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fall_into_transactions_in_order_and_the_plan_repeats() {
        let plan = TransactionPlan {
            transactions: vec![
                PlannedTransaction { records: 3, end: TransactionEnd::Commit, topics: Vec::new() },
                PlannedTransaction { records: 2, end: TransactionEnd::Abort, topics: Vec::new() },
            ],
        };
        let placed: Vec<(u64, bool)> = (0..7).map(|n| plan.transaction_of(n)).collect();
        assert_eq!(placed, [(0, false), (0, false), (0, true), (1, false), (1, true), (2, false), (2, false)]);
        assert_eq!(plan.nth(2).end, TransactionEnd::Commit);
        assert_eq!(plan.nth(3).end, TransactionEnd::Abort);
        assert_eq!(TransactionPlan::per_tick(4).transaction_of(7), (1, true));
        assert_eq!(plan.topic_of(0), None, "no topics: the producer's own");
    }

    /// A transaction spanning topics sends its records to them in turn,
    /// starting again with the first topic in each transaction.
    #[test]
    fn a_transaction_spreads_its_records_over_its_topics() {
        let (orders, payments) = (TopicId(0), TopicId(1));
        let plan = TransactionPlan {
            transactions: vec![
                PlannedTransaction { records: 3, end: TransactionEnd::Commit, topics: vec![orders, payments] },
                PlannedTransaction { records: 1, end: TransactionEnd::Abort, topics: vec![payments] },
            ],
        };
        let topics: Vec<Option<TopicId>> = (0..8).map(|n| plan.topic_of(n)).collect();
        let (o, p) = (Some(orders), Some(payments));
        assert_eq!(topics, [o, p, o, p, o, p, o, p]);
        assert_eq!(plan.topics(), [orders, payments]);
    }
}

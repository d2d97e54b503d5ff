//! What a transactional producer's application does, transaction after
//! transaction: `beginTransaction()`, a number of `send()` calls, then
//! `commitTransaction()`, `abortTransaction()`, or a crash with the
//! transaction still open. The plan repeats until the producer's `count`
//! records are sent.

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedTransaction {
    /// Records sent in it (at least 1).
    pub records: u32,
    pub end: TransactionEnd,
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
            transactions: vec![PlannedTransaction { records: per_tick.max(1), end: TransactionEnd::Commit }],
        }
    }

    /// The `index`-th transaction the application runs (0-based), the plan
    /// repeating.
    pub fn nth(&self, index: u64) -> PlannedTransaction {
        let len = self.transactions.len().max(1) as u64;
        self.transactions
            .get((index % len) as usize)
            .copied()
            .unwrap_or(PlannedTransaction { records: 1, end: TransactionEnd::Commit })
    }

    /// The transaction that record number `record` (0-based, in send order)
    /// belongs to, and whether it is that transaction's last record.
    pub fn transaction_of(&self, record: u64) -> (u64, bool) {
        let per_round: u64 = self.transactions.iter().map(|t| u64::from(t.records)).sum::<u64>().max(1);
        let round = record / per_round;
        let mut within = record % per_round;
        for (i, t) in self.transactions.iter().enumerate() {
            let records = u64::from(t.records);
            if within < records {
                let index = round * self.transactions.len() as u64 + i as u64;
                return (index, within + 1 == records);
            }
            within -= records;
        }
        (round, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_fall_into_transactions_in_order_and_the_plan_repeats() {
        let plan = TransactionPlan {
            transactions: vec![
                PlannedTransaction { records: 3, end: TransactionEnd::Commit },
                PlannedTransaction { records: 2, end: TransactionEnd::Abort },
            ],
        };
        let placed: Vec<(u64, bool)> = (0..7).map(|n| plan.transaction_of(n)).collect();
        assert_eq!(placed, [(0, false), (0, false), (0, true), (1, false), (1, true), (2, false), (2, false)]);
        assert_eq!(plan.nth(2).end, TransactionEnd::Commit);
        assert_eq!(plan.nth(3).end, TransactionEnd::Abort);
        assert_eq!(TransactionPlan::per_tick(4).transaction_of(7), (1, true));
    }
}

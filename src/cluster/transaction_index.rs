//! The aborted-transaction index of a partition's log (Kafka's `.txnindex`,
//! `TransactionIndex` and `AbortedTxn`): one entry per ABORT marker, naming
//! the producer and the offsets its aborted transaction spans. A
//! `read_committed` fetch returns the entries that overlap what it reads, so
//! the consumer can drop that producer's records from the first offset up to
//! its marker (`UnifiedLog.collectAbortedTransactions`).
//!
//! Simplification: one index per log instead of one per segment; entries go
//! when retention moves the log start past their marker, as they would with
//! their segment.

/// One aborted transaction (`AbortedTxn`: 34 bytes on disk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    /// The offset of the ABORT marker.
    pub last_offset: i64,
    /// The LSO right after the abort.
    pub last_stable_offset: i64,
}

/// What a `read_committed` fetch response lists (`FetchResponse.AbortedTransaction`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AbortedTransaction {
    pub producer_id: i64,
    pub first_offset: i64,
}

#[derive(Clone, Debug, Default)]
pub struct TransactionIndex {
    /// In marker order, so by `last_offset`.
    entries: Vec<AbortedTxn>,
}

impl TransactionIndex {
    pub fn append(&mut self, entry: AbortedTxn) {
        debug_assert!(self.entries.last().is_none_or(|e| e.last_offset < entry.last_offset), "markers increase");
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[AbortedTxn] {
        &self.entries
    }

    /// The aborted transactions overlapping `[fetch_offset, upper_bound)`
    /// (`TransactionIndex.collectAbortedTxns`): their marker is at or after
    /// the fetch offset and they began before the bound.
    pub fn collect_aborted(&self, fetch_offset: i64, upper_bound: i64) -> Vec<AbortedTransaction> {
        self.entries
            .iter()
            .filter(|e| e.last_offset >= fetch_offset && e.first_offset < upper_bound)
            .map(|e| AbortedTransaction { producer_id: e.producer_id, first_offset: e.first_offset })
            .collect()
    }

    /// The entries whose transaction overlaps `[from, to)`, for the log
    /// cleaner (`UnifiedLog.collectAbortedTransactions`).
    pub fn overlapping(&self, from: i64, to: i64) -> Vec<AbortedTxn> {
        self.entries.iter().filter(|e| e.last_offset >= from && e.first_offset < to).copied().collect()
    }

    /// The log cleaner rewrote the log below `offset`: of the entries whose
    /// marker lies there, only `retained` (transactions with data left) stay.
    pub fn replace_before(&mut self, offset: i64, retained: Vec<AbortedTxn>) {
        debug_assert!(retained.iter().all(|e| e.last_offset < offset), "retained markers were rewritten");
        self.entries.retain(|e| e.last_offset >= offset);
        self.entries.splice(0..0, retained);
    }

    /// Truncation removed the log from `offset` on: markers there are gone.
    pub fn truncate_to(&mut self, offset: i64) {
        self.entries.retain(|e| e.last_offset < offset);
    }

    /// The log now starts at `log_start_offset`: entries wholly before it go.
    pub fn trim_before(&mut self, log_start_offset: i64) {
        self.entries.retain(|e| e.last_offset >= log_start_offset);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(producer_id: i64, first_offset: i64, last_offset: i64) -> AbortedTxn {
        AbortedTxn { producer_id, first_offset, last_offset, last_stable_offset: last_offset + 1 }
    }

    /// Ported from Kafka's TransactionIndexTest.testCollectAbortedTransactions
    /// (storage/src/test/java/org/apache/kafka/storage/internals/log).
    #[test]
    fn collects_the_aborted_transactions_a_fetch_overlaps() {
        let mut index = TransactionIndex::default();
        for e in [entry(0, 0, 10), entry(1, 5, 15), entry(2, 18, 35), entry(3, 32, 50)] {
            index.append(e);
        }
        let ids = |from, to| index.collect_aborted(from, to).iter().map(|a| a.producer_id).collect::<Vec<_>>();
        assert_eq!(ids(0, 100), [0, 1, 2, 3]);
        assert_eq!(ids(0, 32), [0, 1, 2]);
        assert_eq!(ids(0, 35), [0, 1, 2, 3]);
        assert_eq!(ids(10, 35), [0, 1, 2, 3]);
        assert_eq!(ids(11, 35), [1, 2, 3]);
        assert_eq!(ids(20, 41), [2, 3]);
        assert!(ids(51, 60).is_empty(), "every marker is before the fetch offset");
    }

    #[test]
    fn truncation_and_retention_drop_entries() {
        let mut index = TransactionIndex::default();
        index.append(entry(0, 0, 10));
        index.append(entry(1, 5, 15));
        index.truncate_to(15);
        assert_eq!(index.entries().len(), 1, "the marker at 15 was truncated");
        index.trim_before(11);
        assert!(index.entries().is_empty());
    }
}

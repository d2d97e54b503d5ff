//! The states of a transaction at its coordinator, with the states each may
//! be entered from (`TransactionState` in `TransactionMetadata.scala`):
//!
//! - Empty: no transaction open (after InitProducerId, or a completed one);
//! - Ongoing: partitions were added, records may be on their way;
//! - PrepareCommit / PrepareAbort: EndTxn was logged; markers are being written;
//! - CompleteCommit / CompleteAbort: every marker is written;
//! - PrepareEpochFence: a newer producer instance (or a timeout) fences the
//!   current epoch before aborting;
//! - Dead: the id expired (`transactional.id.expiration.ms`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TransactionState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
    Dead,
    PrepareEpochFence,
}

use TransactionState::*;

impl TransactionState {
    pub const ALL: [TransactionState; 8] =
        [Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence];

    /// The id stored in the transaction log's value.
    pub fn id(self) -> u8 {
        match self {
            Empty => 0,
            Ongoing => 1,
            PrepareCommit => 2,
            PrepareAbort => 3,
            CompleteCommit => 4,
            CompleteAbort => 5,
            Dead => 6,
            PrepareEpochFence => 7,
        }
    }

    pub fn from_id(id: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The name `kafka-transactions describe` prints.
    pub fn name(self) -> &'static str {
        match self {
            Empty => "Empty",
            Ongoing => "Ongoing",
            PrepareCommit => "PrepareCommit",
            PrepareAbort => "PrepareAbort",
            CompleteCommit => "CompleteCommit",
            CompleteAbort => "CompleteAbort",
            Dead => "Dead",
            PrepareEpochFence => "PrepareEpochFence",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The states a transition into this one may start from.
    pub fn valid_previous_states(self) -> &'static [TransactionState] {
        match self {
            Empty => &[Empty, CompleteCommit, CompleteAbort],
            Ongoing => &[Ongoing, Empty, CompleteCommit, CompleteAbort],
            PrepareCommit => &[Ongoing],
            // With transaction.version=2 a producer unsure of the state may
            // abort an empty or finished transaction: it bumps the epoch.
            PrepareAbort => &[Ongoing, PrepareEpochFence, Empty, CompleteCommit, CompleteAbort],
            CompleteCommit => &[PrepareCommit],
            CompleteAbort => &[PrepareAbort],
            Dead => &[Empty, CompleteAbort, CompleteCommit],
            PrepareEpochFence => &[Ongoing],
        }
    }

    /// Whether an idle id in this state may expire.
    pub fn is_expiration_allowed(self) -> bool {
        matches!(self, Empty | CompleteCommit | CompleteAbort)
    }

    /// A transaction is open or being completed: its partitions hold records
    /// that are not yet decided.
    pub fn has_pending_transaction(self) -> bool {
        matches!(self, Ongoing | PrepareAbort | PrepareCommit)
    }
}

impl std::fmt::Display for TransactionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TransactionMetadataTest.testTransactionStateIdAndNameMapping.
    #[test]
    fn ids_and_names_map_both_ways() {
        for state in TransactionState::ALL {
            assert_eq!(TransactionState::from_id(state.id()), Some(state));
            assert_eq!(TransactionState::from_name(state.name()), Some(state));
        }
        assert_eq!(TransactionState::from_id(8), None);
    }

    #[test]
    fn prepare_states_follow_only_an_open_transaction() {
        assert_eq!(PrepareCommit.valid_previous_states(), &[Ongoing]);
        assert!(!PrepareCommit.valid_previous_states().contains(&Empty), "nothing to commit");
        assert!(PrepareAbort.valid_previous_states().contains(&PrepareEpochFence), "a fence aborts");
        assert!(CompleteCommit.valid_previous_states() == [PrepareCommit]);
    }
}

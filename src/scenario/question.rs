//! Questions: what a scenario asks the student to predict at a lesson point
//! (`ask:` in its timeline). A question names only what is asked; its answer
//! is read from the run when the time comes (`crate::quiz`), so a changed
//! scenario or another seed can never leave a stale answer behind.
//!
//! The vocabulary is small and typed: a question either offers choices (the
//! consumers of a group, the replicas of a partition, the partitions of a
//! topic) or wants a number (an offset, a count of records).

use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicId, TopicPartition};

use super::{ClientRef, OutcomeField};

/// What a question asks about.
#[derive(Clone, Debug, PartialEq)]
pub enum QuestionKind {
    /// Which consumer of the group owns no partition?
    Idle {
        group: String,
        consumers: Vec<ClientIdx>,
    },
    /// Which consumer of the group owns the partition?
    Owner {
        group: String,
        partition: TopicPartition,
        consumers: Vec<ClientIdx>,
    },
    /// Which broker leads the partition?
    Leader(TopicPartition),
    /// Which partition does a key go to?
    PartitionOf {
        topic: TopicId,
        key: String,
    },
    HighWatermark(TopicPartition),
    LogEndOffset(TopicPartition),
    /// Which broker is a replica of the partition but not in its ISR?
    OutOfSync(TopicPartition),
    /// Which controller is active?
    ActiveController,
    /// Calls a client made to the Schema Registry.
    RegistryCalls(ClientRef),
    LogStartOffset(TopicPartition),
    Committed {
        group: String,
        partition: TopicPartition,
    },
    /// Records one consumer received.
    Received(ClientIdx),
    /// Records a group's consumers received together.
    GroupRead {
        group: String,
        consumers: Vec<ClientIdx>,
    },
    Outcome(OutcomeField),
}

impl QuestionKind {
    /// Whether the student picks among choices (else they type a number).
    pub fn has_choices(&self) -> bool {
        matches!(
            self,
            QuestionKind::Idle { .. }
                | QuestionKind::Owner { .. }
                | QuestionKind::Leader(_)
                | QuestionKind::PartitionOf { .. }
                | QuestionKind::OutOfSync(_)
                | QuestionKind::ActiveController
        )
    }
}

/// One `ask:`, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    /// When the run pauses to ask.
    pub asked_at: SimTime,
    /// When the answer is read from the run.
    pub answer_at: SimTime,
    /// As the student reads it.
    pub text: String,
    pub kind: QuestionKind,
    /// The choices offered, in the order shown (empty: a number is wanted).
    pub choices: Vec<String>,
}

/// The word for "no consumer is idle" among an `idle` question's choices.
pub const NOBODY: &str = "nobody";
/// The word for "no leader" among a `leader` question's choices.
pub const NO_LEADER: &str = "none (offline)";
/// The word for "every replica is in sync" among an `out_of_sync` question's choices.
pub const ALL_IN_SYNC: &str = "none (all in sync)";
/// The word for "no active controller" among an `active_controller` question's choices.
pub const NO_CONTROLLER: &str = "none (no quorum)";

//! Expectations: what a scenario says must hold at a time or at the end, or
//! must have happened in a window, and how a found value is compared with it.

pub mod client_error;
pub mod happening;

use std::fmt;

pub use client_error::ClientError;
pub use happening::{Happening, HappeningKind};

use super::ClientRef;
use crate::engine::SimTime;
use crate::ids::{BrokerId, ClientIdx, TopicPartition};

/// `==`, `!=`, `>=`, `<=`, `>`, `<` against a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    AtLeast,
    AtMost,
    Above,
    Below,
}

/// What an expectation wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A number, compared.
    Number { comparison: Comparison, value: i64 },
    /// Exactly these members, in any order (an ISR, an assignment).
    Members(Vec<String>),
    /// Nothing: no leader (an offline partition).
    Nothing,
    /// Yes or no: a group exists, a replica is in the ISR.
    Flag(bool),
    /// One of a client's states (`running`, `failed`, ...).
    State(&'static str),
}

/// What the world shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    Number(i64),
    Members(Vec<String>),
    /// No value: no leader, no replica.
    Nothing(&'static str),
    /// Yes or no, with what shows it.
    Flag {
        value: bool,
        detail: String,
    },
    State(&'static str),
}

impl Expected {
    pub fn number(value: i64) -> Self {
        Expected::Number { comparison: Comparison::Equal, value }
    }

    pub fn holds(&self, found: &Observed) -> bool {
        match (self, found) {
            (Expected::Number { comparison, value }, Observed::Number(found)) => match comparison {
                Comparison::Equal => found == value,
                Comparison::NotEqual => found != value,
                Comparison::AtLeast => found >= value,
                Comparison::AtMost => found <= value,
                Comparison::Above => found > value,
                Comparison::Below => found < value,
            },
            (Expected::Members(want), Observed::Members(have)) => {
                let (mut want, mut have) = (want.clone(), have.clone());
                want.sort();
                have.sort();
                want == have
            }
            (Expected::Nothing, Observed::Nothing(_)) => true,
            (Expected::Flag(want), Observed::Flag { value, .. }) => want == value,
            (Expected::State(want), Observed::State(state)) => want == state,
            _ => false,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Number { comparison, value } => {
                let op = match comparison {
                    Comparison::Equal => "",
                    Comparison::NotEqual => "!= ",
                    Comparison::AtLeast => ">= ",
                    Comparison::AtMost => "<= ",
                    Comparison::Above => "> ",
                    Comparison::Below => "< ",
                };
                write!(f, "{op}{value}")
            }
            Expected::Members(members) => write!(f, "[{}]", members.join(", ")),
            Expected::Nothing => f.write_str("none"),
            Expected::Flag(value) => write!(f, "{value}"),
            Expected::State(state) => f.write_str(state),
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Number(n) => write!(f, "{n}"),
            Observed::Members(members) => write!(f, "[{}]", members.join(", ")),
            Observed::Nothing(why) => f.write_str(why),
            Observed::Flag { value, detail } if detail.is_empty() => write!(f, "{value}"),
            Observed::Flag { value, detail } => write!(f, "{value} ({detail})"),
            Observed::State(state) => f.write_str(state),
        }
    }
}

/// The delivery counts an expectation can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutcomeField {
    Produced,
    Acknowledged,
    Failed,
    Delivered,
    Lost,
    Duplicated,
    Redelivered,
    Unprocessed,
    Reordered,
    Unobserved,
    Unacknowledged,
    Expired,
    Compacted,
}

impl OutcomeField {
    pub const ALL: [OutcomeField; 13] = [
        OutcomeField::Produced,
        OutcomeField::Acknowledged,
        OutcomeField::Failed,
        OutcomeField::Delivered,
        OutcomeField::Lost,
        OutcomeField::Duplicated,
        OutcomeField::Redelivered,
        OutcomeField::Unprocessed,
        OutcomeField::Reordered,
        OutcomeField::Unobserved,
        OutcomeField::Unacknowledged,
        OutcomeField::Expired,
        OutcomeField::Compacted,
    ];
    pub fn name(self) -> &'static str {
        match self {
            OutcomeField::Produced => "produced",
            OutcomeField::Acknowledged => "acknowledged",
            OutcomeField::Failed => "failed",
            OutcomeField::Delivered => "delivered",
            OutcomeField::Lost => "lost",
            OutcomeField::Duplicated => "duplicated",
            OutcomeField::Redelivered => "redelivered",
            OutcomeField::Unprocessed => "unprocessed",
            OutcomeField::Reordered => "reordered",
            OutcomeField::Unobserved => "unobserved",
            OutcomeField::Unacknowledged => "unacknowledged",
            OutcomeField::Expired => "expired",
            OutcomeField::Compacted => "compacted",
        }
    }
}

/// What an expectation checks.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    HighWatermark(TopicPartition),
    LogEndOffset(TopicPartition),
    LogStartOffset(TopicPartition),
    /// The last stable offset: `read_committed` consumers read below it.
    LastStableOffset(TopicPartition),
    /// Records in the partition's log (the leader's): fewer than its offsets
    /// once retention or compaction removed some.
    Records(TopicPartition),
    /// Segments of the partition's log.
    Segments(TopicPartition),
    /// Bytes of the partition's log.
    Bytes(TopicPartition),
    /// The partition's leader, as the controller has it.
    Leader(TopicPartition),
    /// The partition's in-sync replicas.
    Isr(TopicPartition),
    Received(ClientIdx),
    /// Offsets a consumer jumped over after OFFSET_OUT_OF_RANGE.
    Skipped(ClientIdx),
    /// Records a consumer received that its group (or it) had received before.
    RedeliveredTo(ClientIdx),
    /// Milliseconds eager rebalances kept a consumer from consuming.
    StoppedByRebalances(ClientIdx),
    /// The partitions a consumer owns.
    Assignment(ClientIdx),
    /// A group's committed offset on a partition.
    Committed(String, TopicPartition),
    /// A group's total lag over the partitions it committed.
    Lag(String),
    /// A group's generation, as its coordinator has it.
    Generation(String),
    Outcome(OutcomeField),
    /// A delivery count of one producer's records only.
    ProducerOutcome(ClientIdx, OutcomeField),
    /// How often something happened (in the expectation's window).
    Happened(Happening),
    /// How often a client saw an error (in the expectation's window).
    Saw(ClientRef, ClientError),
    /// Records a producer's `send()` put on a partition.
    SentTo(ClientIdx, TopicPartition),
    /// The most consecutive records (in send order) a producer put on one partition.
    LongestRun(ClientIdx),
    /// Whether a group's coordinator knows it (or it has committed offsets).
    GroupExists(String),
    /// A producer's or consumer's state.
    ClientState(ClientRef),
    /// One replica's log end offset.
    ReplicaLogEndOffset(TopicPartition, BrokerId),
    /// Whether a replica is in the partition's ISR.
    InIsr(TopicPartition, BrokerId),
    /// Whether every replica holds the same records below the high watermark
    /// (KIP-101 / KIP-279's promise).
    ReplicasIdentical(TopicPartition),
    /// Versions registered under a subject (in `_schemas`).
    SubjectVersions(String),
    /// Registry calls a client's Avro serializer or deserializer made.
    RegistryCalls(ClientRef),
    /// RecordDeserializationExceptions a consumer's poll() threw.
    DeserializationFailures(ClientIdx),
}

impl Check {
    /// A count of things that happen, rather than a state at an instant:
    /// only these can be checked in a window.
    pub fn counts_happenings(&self) -> bool {
        matches!(self, Check::Happened(_) | Check::Saw(..))
    }
}

/// A consumer's states, as the outcome report shows them.
pub const CONSUMER_STATES: [&str; 5] = ["not started", "running", "stopped", "crashed", "failed"];
/// A producer's states: `stop` closes it; it is `closing` until its last
/// records are answered.
pub const PRODUCER_STATES: [&str; 5] = ["not started", "running", "closing", "closed", "crashed"];

#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// `None`: at the end of the run.
    pub at: Option<SimTime>,
    /// The start of the window whose happenings are counted (`within:`);
    /// `None`: from the start of the run.
    pub since: Option<SimTime>,
    pub check: Check,
    pub expected: Expected,
    /// As the scenario wrote it, e.g. `high_watermark of demo_1-0`.
    pub description: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_and_member_sets() {
        let at_least = Expected::Number { comparison: Comparison::AtLeast, value: 10 };
        assert!(at_least.holds(&Observed::Number(10)));
        assert!(!at_least.holds(&Observed::Number(9)));
        let isr = Expected::Members(vec!["1".into(), "2".into()]);
        assert!(isr.holds(&Observed::Members(vec!["2".into(), "1".into()])), "order does not matter");
        assert!(!isr.holds(&Observed::Members(vec!["1".into()])));
        assert!(Expected::Nothing.holds(&Observed::Nothing("offline")));
        assert!(!Expected::number(1).holds(&Observed::Nothing("offline")));
    }

    #[test]
    fn flags_and_states_hold_only_on_their_own_kind() {
        let yes = Observed::Flag { value: true, detail: "Stable".to_string() };
        assert!(Expected::Flag(true).holds(&yes));
        assert!(!Expected::Flag(false).holds(&yes));
        assert!(!Expected::Flag(false).holds(&Observed::Nothing("coordinator offline")), "unknown is neither");
        assert_eq!(yes.to_string(), "true (Stable)");
        assert!(Expected::State("failed").holds(&Observed::State("failed")));
        assert!(!Expected::State("failed").holds(&Observed::State("running")));
        assert!(!Expected::number(0).holds(&Observed::State("running")));
    }
}

//! Expectations: what a scenario says must hold at a time or at the end, and
//! how a found value is compared with it.

use std::fmt;

use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicPartition};

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
}

/// What the world shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    Number(i64),
    Members(Vec<String>),
    /// No value: no leader, no replica.
    Nothing(&'static str),
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
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::Number(n) => write!(f, "{n}"),
            Observed::Members(members) => write!(f, "[{}]", members.join(", ")),
            Observed::Nothing(why) => f.write_str(why),
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
    /// Versions registered under a subject (in `_schemas`).
    SubjectVersions(String),
    /// Registry calls a client's Avro serializer or deserializer made.
    RegistryCalls(super::ClientRef),
    /// RecordDeserializationExceptions a consumer's poll() threw.
    DeserializationFailures(ClientIdx),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    /// `None`: at the end of the run.
    pub at: Option<SimTime>,
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
}

//! Things that happen at an instant and can be counted, at a time or in a
//! window: `happened: { leader_change: { payments-0: 1 } }`. Each kind names
//! what it is about (a partition or a group); adding a kind is adding a
//! variant here, a key in `happened:` and the trace event that counts it.

use crate::ids::TopicPartition;

/// The subject a kind of happening is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Partition,
    Group,
}

/// The kinds, as `happened:` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HappeningKind {
    LeaderChange,
    UncleanElection,
    Rebalance,
    OffsetsExpired,
    GroupDeleted,
}

impl HappeningKind {
    pub const ALL: [HappeningKind; 5] = [
        HappeningKind::LeaderChange,
        HappeningKind::UncleanElection,
        HappeningKind::Rebalance,
        HappeningKind::OffsetsExpired,
        HappeningKind::GroupDeleted,
    ];

    /// The key under `happened:`.
    pub fn name(self) -> &'static str {
        match self {
            HappeningKind::LeaderChange => "leader_change",
            HappeningKind::UncleanElection => "unclean_election",
            HappeningKind::Rebalance => "rebalance",
            HappeningKind::OffsetsExpired => "offsets_expired",
            HappeningKind::GroupDeleted => "group_deleted",
        }
    }

    pub fn subject(self) -> Subject {
        match self {
            HappeningKind::LeaderChange | HappeningKind::UncleanElection => Subject::Partition,
            HappeningKind::Rebalance | HappeningKind::OffsetsExpired | HappeningKind::GroupDeleted => Subject::Group,
        }
    }

    /// How a report names the count, given the subject's name.
    pub fn describe(self, subject: &str) -> String {
        match self {
            HappeningKind::LeaderChange => format!("leader changes of {subject}"),
            HappeningKind::UncleanElection => format!("unclean leader elections of {subject}"),
            HappeningKind::Rebalance => format!("rebalances (new generations) of group {subject}"),
            HappeningKind::OffsetsExpired => format!("expiries of group {subject}'s committed offsets"),
            HappeningKind::GroupDeleted => format!("deletions of group {subject}"),
        }
    }
}

/// One kind of happening about one subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happening {
    /// The controller gave the partition a new leader, or none (offline):
    /// each is a new leader epoch (`LeaderChange` in the trace).
    LeaderChange(TopicPartition),
    /// The controller elected an out-of-sync replica.
    UncleanElection(TopicPartition),
    /// A rebalance's join phase ended: the group has a new generation.
    Rebalance(String),
    /// The coordinator deleted some of the group's committed offsets: it
    /// appended their tombstones to `__consumer_offsets`.
    OffsetsExpired(String),
    /// The coordinator deleted the group: the tombstone of its metadata
    /// record was appended to `__consumer_offsets`.
    GroupDeleted(String),
}

impl Happening {
    pub fn about_partition(kind: HappeningKind, tp: TopicPartition) -> Option<Happening> {
        match kind {
            HappeningKind::LeaderChange => Some(Happening::LeaderChange(tp)),
            HappeningKind::UncleanElection => Some(Happening::UncleanElection(tp)),
            _ => None,
        }
    }

    pub fn about_group(kind: HappeningKind, group: String) -> Option<Happening> {
        match kind {
            HappeningKind::Rebalance => Some(Happening::Rebalance(group)),
            HappeningKind::OffsetsExpired => Some(Happening::OffsetsExpired(group)),
            HappeningKind::GroupDeleted => Some(Happening::GroupDeleted(group)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TopicId;

    #[test]
    fn every_kind_builds_a_happening_about_its_own_subject() {
        let tp = TopicPartition::new(TopicId(0), 0);
        for kind in HappeningKind::ALL {
            let (partition, group) =
                (Happening::about_partition(kind, tp), Happening::about_group(kind, "g".to_string()));
            match kind.subject() {
                Subject::Partition => assert!(partition.is_some() && group.is_none(), "{}", kind.name()),
                Subject::Group => assert!(group.is_some() && partition.is_none(), "{}", kind.name()),
            }
        }
    }
}

//! Invariants of consumer groups, checked with the others after every event:
//!
//! - Within one generation of a group, no partition has two owners. (A member
//!   the group has removed may still believe it owns partitions — a zombie —
//!   but its generation is gone, so it does not count.)
//! - A committed offset never exceeds the log end offset of its partition,
//!   unless an unclean leader election threw records away.

use std::collections::BTreeMap;

use crate::client::consumer::Consumer;
use crate::cluster::broker::Broker;
use crate::ids::{Names, TopicPartition};

/// What one running consumer believes it owns, in which group and generation.
pub struct Ownership<'a> {
    pub consumer: &'a str,
    pub group: &'a str,
    pub generation: i32,
    pub partitions: &'a [TopicPartition],
}

/// The ownership claims of running group members that are in a generation.
/// A static member's old self that a restart has fenced (it does not know
/// yet) is a zombie and does not count, like one removed for a poll timeout.
pub fn ownerships<'a>(
    consumers: &'a [Consumer],
    is_fenced: impl Fn(&str, &str) -> bool + 'a,
) -> impl Iterator<Item = Ownership<'a>> {
    consumers.iter().filter(|c| c.is_running()).filter_map(move |c| {
        let m = c.membership.as_ref()?;
        let current = !m.member_id.is_empty() && m.generation >= 0 && !is_fenced(&m.group, &m.member_id);
        current.then_some(Ownership {
            consumer: &c.name,
            group: &m.group,
            generation: m.generation,
            partitions: &c.assignment,
        })
    })
}

/// No partition is owned twice within the same generation of a group.
pub fn one_owner_per_generation<'a>(
    claims: impl IntoIterator<Item = Ownership<'a>>,
    names: &Names,
) -> Result<(), String> {
    let mut owners: BTreeMap<(&str, i32, TopicPartition), &str> = BTreeMap::new();
    for claim in claims {
        for &tp in claim.partitions {
            if let Some(other) = owners.insert((claim.group, claim.generation, tp), claim.consumer) {
                return Err(format!(
                    "group {} generation {}: {} is owned by both {other} and {}",
                    claim.group,
                    claim.generation,
                    names.partition(tp),
                    claim.consumer
                ));
            }
        }
    }
    Ok(())
}

/// Every offset a coordinator holds as committed is within its partition's
/// log, as `log_end_offset` reports it (`None`: no log to compare with).
pub fn committed_within_log<'a>(
    committed: impl IntoIterator<Item = (&'a str, TopicPartition, i64)>,
    log_end_offset: impl Fn(TopicPartition) -> Option<i64>,
    truncated_by_unclean_election: impl Fn(TopicPartition) -> bool,
    names: &Names,
) -> Result<(), String> {
    for (group, tp, offset) in committed {
        if let Some(end) = log_end_offset(tp)
            && offset > end
            && !truncated_by_unclean_election(tp)
        {
            return Err(format!(
                "group {group} has offset {offset} committed on {}, beyond its log end offset {end}",
                names.partition(tp)
            ));
        }
    }
    Ok(())
}

/// The offsets the live coordinators hold as committed.
pub fn coordinator_offsets(brokers: &[Broker]) -> impl Iterator<Item = (&str, TopicPartition, i64)> + '_ {
    brokers
        .iter()
        .filter(|b| b.alive)
        .flat_map(|b| b.coordinator.offsets.iter().map(|((group, tp), &offset)| (group.as_str(), *tp, offset)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TopicId;

    fn names() -> Names {
        Names { topics: vec!["t".to_string()], ..Names::default() }
    }

    #[test]
    fn two_owners_in_one_generation_are_caught_but_not_across_generations() {
        let p0 = [TopicPartition::new(TopicId(0), 0)];
        let claim = |consumer, generation| Ownership { consumer, group: "g", generation, partitions: &p0 };
        assert!(one_owner_per_generation([claim("a", 1), claim("b", 2)], &names()).is_ok(), "a zombie of generation 1");
        let err = one_owner_per_generation([claim("a", 2), claim("b", 2)], &names()).unwrap_err();
        assert!(err.contains("t-0 is owned by both a and b"), "{err}");
    }

    #[test]
    fn a_commit_beyond_the_log_end_is_caught_unless_an_unclean_election_truncated_it() {
        let tp = TopicPartition::new(TopicId(0), 0);
        let end = |_| Some(10);
        assert!(committed_within_log([("g", tp, 10)], end, |_| false, &names()).is_ok());
        let err = committed_within_log([("g", tp, 11)], end, |_| false, &names()).unwrap_err();
        assert!(err.contains("offset 11 committed on t-0, beyond its log end offset 10"), "{err}");
        assert!(committed_within_log([("g", tp, 11)], end, |_| true, &names()).is_ok());
    }
}

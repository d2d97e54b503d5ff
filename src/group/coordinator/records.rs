//! What the coordinator writes to `__consumer_offsets`, so that the broker
//! that takes over a partition knows its groups:
//!
//! - commits: the key names the group, topic and partition, the value the
//!   offset (`offset:GROUP:TOPIC:PARTITION` → `42`);
//! - group metadata, written when a generation gets its assignment and when
//!   a group becomes empty: generation, assignor, leader and every member
//!   with its assignment (`group:GROUP` → JSON).
//!
//! The partition keeps the latest record per key, as compaction would.
//! Simplification: keys and values are readable text instead of Kafka's
//! binary schemas, and group metadata is written without waiting for it to
//! be replicated.

use serde::{Deserialize, Serialize};

use crate::engine::SimTime;
use crate::group::assignor::Strategy;
use crate::group::classic_group::{ClassicGroup, GroupState, Member};
use crate::ids::{ClientIdx, NodeId, TopicId, TopicPartition};
use crate::protocol::MemberSubscription;

/// The record key of a commit.
pub fn commit_key(group: &str, topic: &str, partition: u32) -> String {
    format!("offset:{group}:{topic}:{partition}")
}

/// Reads a commit record back: `(group, topic, partition, offset)`.
pub fn parse_commit(key: &[u8], value: Option<&[u8]>) -> Option<(String, String, u32, i64)> {
    let (group, topic, partition) = parse_commit_key(key)?;
    let offset = std::str::from_utf8(value?).ok()?.parse().ok()?;
    Some((group, topic, partition, offset))
}

/// Reads a commit key back: `(group, topic, partition)`. With no value the
/// record is a tombstone: that commit was deleted (it expired).
pub fn parse_commit_key(key: &[u8]) -> Option<(String, String, u32)> {
    let key = std::str::from_utf8(key).ok()?.strip_prefix("offset:")?;
    let (rest, partition) = key.rsplit_once(':')?;
    let (group, topic) = rest.rsplit_once(':')?;
    Some((group.to_string(), topic.to_string(), partition.parse().ok()?))
}

/// The group a metadata key names.
pub fn parse_group_key(key: &[u8]) -> Option<&str> {
    std::str::from_utf8(key).ok()?.strip_prefix("group:")
}

/// The record key of a group's metadata.
pub fn group_key(group: &str) -> String {
    format!("group:{group}")
}

/// A group as its metadata record stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRecord {
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub members: Vec<MemberRecord>,
    /// When the group entered its state, in ms (`currentStateTimestamp`).
    #[serde(default)]
    pub current_state_timestamp_ms: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    /// The consumer's index in the scenario (its host).
    pub consumer: u32,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<String>,
    pub topics: Vec<String>,
    /// Partitions as `topic-partition`.
    pub assignment: Vec<String>,
}

impl GroupRecord {
    pub fn of(group: &ClassicGroup, topic_name: impl Fn(TopicId) -> String) -> Self {
        let partition = |tp: &TopicPartition| format!("{}-{}", topic_name(tp.topic), tp.partition);
        GroupRecord {
            generation: group.generation,
            protocol: group.protocol.map(|p| p.name().to_string()),
            leader: group.leader.clone(),
            current_state_timestamp_ms: group.current_state_timestamp.map(SimTime::as_millis),
            members: group
                .join_order
                .iter()
                .filter_map(|id| group.members.get(id))
                .filter_map(|m| {
                    let NodeId::Consumer(consumer) = m.node else { return None };
                    Some(MemberRecord {
                        member_id: m.member_id.clone(),
                        group_instance_id: m.group_instance_id.clone(),
                        client_id: m.client_id.clone(),
                        consumer: consumer.0,
                        session_timeout_ms: m.session_timeout_ms,
                        rebalance_timeout_ms: m.rebalance_timeout_ms,
                        protocols: m.protocols.iter().map(|p| p.name().to_string()).collect(),
                        topics: m.subscription.topics.iter().map(|&t| topic_name(t)).collect(),
                        assignment: m.assignment.iter().map(partition).collect(),
                    })
                })
                .collect(),
        }
    }

    /// The group as a new coordinator loads it: `Stable` with its members
    /// (their sessions start now), or `Empty`.
    pub fn load(&self, name: &str, now: SimTime, topic_id: impl Fn(&str) -> Option<TopicId>) -> ClassicGroup {
        let partition = |text: &String| {
            let (topic, p) = text.rsplit_once('-')?;
            Some(TopicPartition::new(topic_id(topic)?, p.parse().ok()?))
        };
        let mut group = ClassicGroup::new(name.to_string());
        group.generation = self.generation;
        group.protocol = self.protocol.as_deref().and_then(|p| p.parse().ok());
        group.leader = self.leader.clone();
        for m in &self.members {
            let assignment: Vec<TopicPartition> = m.assignment.iter().filter_map(partition).collect();
            group.add_member(Member {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                node: NodeId::Consumer(ClientIdx(m.consumer)),
                session_timeout_ms: m.session_timeout_ms,
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                protocols: m.protocols.iter().filter_map(|p| p.parse::<Strategy>().ok()).collect(),
                subscription: MemberSubscription {
                    topics: m.topics.iter().filter_map(|t| topic_id(t)).collect(),
                    owned_partitions: assignment.clone(),
                    generation: self.generation,
                    // Kafka keeps the subscription's bytes; the simulator's
                    // group records keep topics only, so a Streams member
                    // loaded after a coordinator failover sends it again when
                    // it rejoins.
                    streams: None,
                },
                last_heartbeat: now,
                awaiting_join: None,
                awaiting_sync: None,
                assignment,
            });
        }
        group.state = if group.members.is_empty() { GroupState::Empty } else { GroupState::Stable };
        group.current_state_timestamp =
            self.current_state_timestamp_ms.and_then(|ms| u64::try_from(ms).ok()).map(SimTime::from_millis);
        group
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn parse(key: &[u8], value: Option<&[u8]>) -> Option<(String, GroupRecord)> {
        let group = std::str::from_utf8(key).ok()?.strip_prefix("group:")?;
        let record = serde_json::from_slice(value?).ok()?;
        Some((group.to_string(), record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_records_round_trip_members_and_assignments() {
        let tp = TopicPartition::new(TopicId(0), 1);
        let mut group = ClassicGroup::new("g".to_string());
        group.generation = 4;
        group.protocol = Some(Strategy::CooperativeSticky);
        group.leader = Some("c1-x".to_string());
        group.add_member(Member {
            member_id: "c1-x".to_string(),
            group_instance_id: None,
            client_id: "c1".to_string(),
            node: NodeId::Consumer(ClientIdx(0)),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: vec![Strategy::CooperativeSticky],
            subscription: MemberSubscription {
                topics: vec![TopicId(0)],
                owned_partitions: vec![],
                generation: 3,
                streams: None,
            },
            last_heartbeat: SimTime::ZERO,
            awaiting_join: None,
            awaiting_sync: None,
            assignment: vec![tp],
        });
        let record = GroupRecord::of(&group, |_| "orders".to_string());
        let key = group_key("g");
        let json = record.to_json();
        let (name, parsed) = GroupRecord::parse(key.as_bytes(), Some(json.as_bytes())).expect("parses");
        assert_eq!(name, "g");
        let now = SimTime::from_micros(7);
        let loaded = parsed.load("g", now, |t| (t == "orders").then_some(TopicId(0)));
        assert_eq!(
            (loaded.generation, loaded.protocol, loaded.state),
            (4, Some(Strategy::CooperativeSticky), GroupState::Stable)
        );
        let member = &loaded.members["c1-x"];
        assert_eq!(member.assignment, vec![tp]);
        assert_eq!(member.last_heartbeat, now, "its session starts at the load");
        assert_eq!(member.subscription.owned_partitions, vec![tp]);
    }

    #[test]
    fn commit_records_round_trip_even_with_colons_in_the_group_name() {
        let key = commit_key("team:a", "orders", 3);
        assert_eq!(parse_commit(key.as_bytes(), Some(b"42")), Some(("team:a".into(), "orders".into(), 3, 42)));
        assert_eq!(parse_commit(b"something-else", Some(b"1")), None);
    }
}

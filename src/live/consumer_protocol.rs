//! The consumer protocol's bytes inside JoinGroup and SyncGroup: a member's
//! subscription (`ConsumerProtocolSubscription`) and its assignment
//! (`ConsumerProtocolAssignment`), each a 2-byte version then the message
//! (Kafka's `ConsumerProtocol.serializeSubscription`/`deserializeAssignment`).
//!
//! The group coordinator never reads these bytes in Kafka; in the simulator
//! it keeps them as typed subscriptions, so the gateway turns them into the
//! simulator's `MemberSubscription` and back.
//! Simplification: `user_data` (which older sticky assignors carry) and the
//! rack id are dropped; the range and round-robin assignors the Python
//! clients use by default do not read them.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::TopicName;
use kafka_protocol::messages::consumer_protocol_assignment::{self, ConsumerProtocolAssignment};
use kafka_protocol::messages::consumer_protocol_subscription::{self, ConsumerProtocolSubscription};
use kafka_protocol::protocol::{Decodable, Encodable, StrBytes};

use crate::ids::{Names, TopicPartition};
use crate::protocol::MemberSubscription;

/// The subscription version written for the group leader: v1 added the
/// owned partitions (KIP-429), v2 their generation (KIP-792).
const SUBSCRIPTION_VERSION: i16 = 2;
/// The assignment version written for members (v1+ are all alike).
const ASSIGNMENT_VERSION: i16 = 1;

/// Reads the 2-byte version, then the message of that version (capped at
/// the newest the codec knows: a newer writer only appends fields).
fn versioned(bytes: &[u8], newest: i16) -> Option<(i16, Bytes)> {
    if bytes.len() < 2 {
        return None;
    }
    let mut buf = Bytes::copy_from_slice(bytes);
    let version = buf.get_i16();
    (version >= 0).then_some((version.min(newest), buf))
}

/// A member's subscription; topics the cluster does not have are left out.
pub fn decode_subscription(bytes: &[u8], names: &Names) -> Option<MemberSubscription> {
    let (version, mut buf) = versioned(bytes, 3)?;
    let s = ConsumerProtocolSubscription::decode(&mut buf, version).ok()?;
    let topics = s.topics.iter().filter_map(|t| names.topic_id(t.as_str())).collect();
    let owned_partitions = partitions_of(s.owned_partitions.iter().map(|t| (t.topic.0.as_str(), &t.partitions)), names);
    Some(MemberSubscription { topics, owned_partitions, generation: s.generation_id, streams: None })
}

/// The subscription a leader reads for a member, to run its assignor on.
pub fn encode_subscription(subscription: &MemberSubscription, names: &Names) -> Bytes {
    let mut s = ConsumerProtocolSubscription::default();
    s.topics = subscription.topics.iter().map(|&t| StrBytes::from_string(names.topic(t).to_string())).collect();
    s.owned_partitions = grouped(&subscription.owned_partitions, names)
        .into_iter()
        .map(|(topic, partitions)| {
            let mut t = consumer_protocol_subscription::TopicPartition::default();
            t.topic = topic;
            t.partitions = partitions;
            t
        })
        .collect();
    s.generation_id = subscription.generation;
    with_version(SUBSCRIPTION_VERSION, |out| s.encode(out, SUBSCRIPTION_VERSION))
}

/// The partitions a leader assigned to one member.
pub fn decode_assignment(bytes: &[u8], names: &Names) -> Option<Vec<TopicPartition>> {
    if bytes.is_empty() {
        return Some(Vec::new()); // Kafka's "no assignment"
    }
    let (version, mut buf) = versioned(bytes, 3)?;
    let a = ConsumerProtocolAssignment::decode(&mut buf, version).ok()?;
    Some(partitions_of(a.assigned_partitions.iter().map(|t| (t.topic.0.as_str(), &t.partitions)), names))
}

/// A member's assignment as its client reads it from SyncGroup.
pub fn encode_assignment(assignment: &[TopicPartition], names: &Names) -> Bytes {
    let mut a = ConsumerProtocolAssignment::default();
    a.assigned_partitions = grouped(assignment, names)
        .into_iter()
        .map(|(topic, partitions)| {
            let mut t = consumer_protocol_assignment::TopicPartition::default();
            t.topic = topic;
            t.partitions = partitions;
            t
        })
        .collect();
    with_version(ASSIGNMENT_VERSION, |out| a.encode(out, ASSIGNMENT_VERSION))
}

fn with_version(version: i16, encode: impl FnOnce(&mut BytesMut) -> anyhow::Result<()>) -> Bytes {
    let mut out = BytesMut::new();
    out.put_i16(version);
    // Encoding what the codec itself built cannot fail for a known version.
    if encode(&mut out).is_err() {
        out.truncate(2);
    }
    out.freeze()
}

fn partitions_of<'a>(topics: impl Iterator<Item = (&'a str, &'a Vec<i32>)>, names: &Names) -> Vec<TopicPartition> {
    let mut out = Vec::new();
    for (topic, partitions) in topics {
        let Some(id) = names.topic_id(topic) else { continue };
        out.extend(partitions.iter().filter(|&&p| p >= 0).map(|&p| TopicPartition::new(id, p as u32)));
    }
    out
}

/// Partitions grouped by topic, topics in first-seen order.
fn grouped(partitions: &[TopicPartition], names: &Names) -> Vec<(TopicName, Vec<i32>)> {
    let mut out: Vec<(crate::ids::TopicId, Vec<i32>)> = Vec::new();
    for tp in partitions {
        match out.iter_mut().find(|(t, _)| *t == tp.topic) {
            Some((_, list)) => list.push(tp.partition as i32),
            None => out.push((tp.topic, vec![tp.partition as i32])),
        }
    }
    out.into_iter().map(|(t, list)| (TopicName(StrBytes::from_string(names.topic(t).to_string())), list)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TopicId;

    fn names() -> Names {
        Names { topics: vec!["demo_1".into(), "other".into()], ..Names::default() }
    }

    /// What a leader writes for a member reads back as the same partitions,
    /// and a subscription survives the trip to the leader; topics the
    /// cluster lacks are dropped on the way in.
    #[test]
    fn subscriptions_and_assignments_round_trip() {
        let names = names();
        let assignment = vec![TopicPartition::new(TopicId(0), 1), TopicPartition::new(TopicId(1), 0)];
        let bytes = encode_assignment(&assignment, &names);
        assert_eq!(&bytes[..2], &[0, 1], "the version comes first");
        assert_eq!(decode_assignment(&bytes, &names).unwrap(), assignment);
        assert_eq!(decode_assignment(&[], &names).unwrap(), Vec::new());

        let subscription = MemberSubscription {
            topics: vec![TopicId(0)],
            owned_partitions: vec![TopicPartition::new(TopicId(0), 0)],
            generation: 4,
            streams: None,
        };
        let bytes = encode_subscription(&subscription, &names);
        assert_eq!(decode_subscription(&bytes, &names).unwrap(), subscription);

        let mut wire = ConsumerProtocolSubscription::default();
        wire.topics = vec![StrBytes::from_static_str("demo_1"), StrBytes::from_static_str("missing")];
        let bytes = with_version(0, |out| wire.encode(out, 0));
        let read = decode_subscription(&bytes, &names).unwrap();
        assert_eq!(read.topics, vec![TopicId(0)]);
        assert_eq!(read.generation, -1, "v0 carries no generation");
        assert!(decode_subscription(&[0], &names).is_none(), "cut short");
    }
}

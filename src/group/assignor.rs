//! Kafka's four classic (client-side) partition assignors: `range`, `roundrobin`, `sticky`
//! and `cooperative-sticky`.
//!
//! In the classic group protocol the group leader (a consumer) receives every member's
//! subscription and runs the assignor. [`assign`] is that step: it takes the partition count
//! of each topic and the members' subscriptions and returns each member's partition list,
//! in the order Kafka 4.0's Java client would produce it, plus a short explanation for
//! students.
//!
//! Modelled like the Java client's `AbstractPartitionAssignor.assign(Cluster, ...)`: only
//! topics that some member subscribes to *and* that have at least one partition take part;
//! a topic a member names but that is missing from `partitions_per_topic` is ignored.
//! Members are handed to the assignor in slice order, which plays the role of the order of
//! members in the JoinGroup response (it only matters where Kafka iterates a `HashMap`, see
//! [`java_hash_map`]). A member id listed twice keeps its first position and its last
//! subscription, as a Java `HashMap.put` would.
//!
//! Simplification: rack-aware assignment (Kafka 3.5+, driven by `client.rack`) is not
//! modelled because kafkasim members have no rack; results equal Kafka's without racks.

pub mod cooperative_sticky;
pub mod java_hash_map;
pub mod range;
pub mod round_robin;
pub mod sticky;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

pub type TopicName = String;

/// One partition of one topic. Displays as Kafka does: `topic-3`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: TopicName,
    pub partition: u32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<TopicName>, partition: u32) -> Self {
        Self { topic: topic.into(), partition }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// `partition.assignment.strategy`: which assignor the group uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
    /// Kafka Streams' `StreamsPartitionAssignor`, whose protocol name is
    /// `stream`: only stream threads join with it, and their group leader
    /// runs `crate::streams::assignor` instead of [`assign`]. Not in
    /// [`Strategy::ALL`]: a plain consumer cannot configure it.
    Stream,
}

impl Strategy {
    pub const ALL: [Strategy; 4] =
        [Strategy::Range, Strategy::RoundRobin, Strategy::Sticky, Strategy::CooperativeSticky];

    /// The protocol name Kafka sends in JoinGroup.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Range => "range",
            Strategy::RoundRobin => "roundrobin",
            Strategy::Sticky => "sticky",
            Strategy::CooperativeSticky => "cooperative-sticky",
            Strategy::Stream => "stream",
        }
    }

    /// The rebalance protocol a group using only this assignor follows.
    pub fn protocol(self) -> RebalanceProtocol {
        match self {
            Strategy::CooperativeSticky => RebalanceProtocol::Cooperative,
            // Simplification: Kafka Streams rebalances cooperatively since
            // 2.4; the simulated stream threads rebalance eagerly.
            _ => RebalanceProtocol::Eager,
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown assignor name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownStrategy(pub String);

impl fmt::Display for UnknownStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown assignor `{}` (expected range, roundrobin, sticky or cooperative-sticky)", self.0)
    }
}

impl std::error::Error for UnknownStrategy {}

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    /// Accepts Kafka's protocol names and the Java class names
    /// (`RangeAssignor`, `org.apache.kafka.clients.consumer.CooperativeStickyAssignor`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let short = s.trim().rsplit('.').next().unwrap_or_default();
        let found = Strategy::ALL.into_iter().find(|strategy| {
            let class = match strategy {
                Strategy::Range => "RangeAssignor",
                Strategy::RoundRobin => "RoundRobinAssignor",
                Strategy::Sticky => "StickyAssignor",
                Strategy::CooperativeSticky => "CooperativeStickyAssignor",
                Strategy::Stream => "StreamsPartitionAssignor",
            };
            s.trim() == strategy.name() || short == class
        });
        found.ok_or_else(|| UnknownStrategy(s.to_string()))
    }
}

/// Eager: everyone gives up everything before the rebalance. Cooperative: members keep
/// what they own and only hand over partitions that must move (KIP-429).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RebalanceProtocol {
    Eager,
    Cooperative,
}

/// What one member sends in its JoinGroup request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    pub topics: Vec<TopicName>,
    /// Partitions the member owned in its last generation. The cooperative protocol sends
    /// them as `ownedPartitions`; the eager `sticky` assignor sends the same list in its user
    /// data. Range and round-robin ignore them.
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation those partitions were owned in (`None`: unknown / never joined).
    pub generation: Option<i32>,
}

impl Subscription {
    /// A dynamic member that owns nothing yet.
    pub fn new<T: Into<TopicName>>(member_id: impl Into<String>, topics: impl IntoIterator<Item = T>) -> Self {
        Self {
            member_id: member_id.into(),
            group_instance_id: None,
            topics: topics.into_iter().map(Into::into).collect(),
            owned_partitions: Vec::new(),
            generation: None,
        }
    }

    /// Marks the member static (`group.instance.id`).
    pub fn with_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.group_instance_id = Some(instance_id.into());
        self
    }

    /// Records what the member owned in `generation`.
    pub fn with_owned(mut self, owned: Vec<TopicPartition>, generation: Option<i32>) -> Self {
        self.owned_partitions = owned;
        self.generation = generation;
        self
    }
}

/// The leader's decision for one rebalance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssignmentResult {
    /// Every member, idle ones with an empty list, each list in Kafka's order.
    pub assignment: BTreeMap<String, Vec<TopicPartition>>,
    /// Cooperative-sticky only: partitions withheld this round because they change owner,
    /// mapped to the member that should get them after the follow-up rebalance.
    pub pending_transfers: BTreeMap<TopicPartition, String>,
    /// Student-readable lines saying why.
    pub explanation: Vec<String>,
}

/// Runs one assignor, as the group leader does at the end of a rebalance.
pub fn assign(
    strategy: Strategy,
    partitions_per_topic: &BTreeMap<TopicName, u32>,
    subscriptions: &[Subscription],
) -> AssignmentResult {
    let Some((topics, members)) = prepare(partitions_per_topic, subscriptions) else {
        return AssignmentResult::default();
    };
    match strategy {
        Strategy::Range => range::assign(&topics, &members),
        Strategy::RoundRobin => round_robin::assign(&topics, &members),
        Strategy::Sticky => sticky::assign_eager(&topics, &members),
        Strategy::CooperativeSticky => cooperative_sticky::assign(&topics, &members),
        // Not reached: a Streams leader runs Kafka Streams' own assignor.
        // Were a member without a Streams subscription in the group, range
        // is the classic assignor that keeps its partitions apart.
        Strategy::Stream => range::assign(&topics, &members),
    }
}

/// The topics and members the Java client would hand to an assignor; `None` for an empty
/// group.
pub(crate) fn prepare(
    partitions_per_topic: &BTreeMap<TopicName, u32>,
    subscriptions: &[Subscription],
) -> Option<(BTreeMap<TopicName, u32>, Vec<Subscription>)> {
    let members = dedup_members(subscriptions);
    if members.is_empty() {
        return None;
    }
    let topics = topics_in_play(partitions_per_topic, &members);
    Some((topics, members))
}

/// Later duplicates replace the subscription but keep the first position.
fn dedup_members(subscriptions: &[Subscription]) -> Vec<Subscription> {
    let mut members: Vec<Subscription> = Vec::with_capacity(subscriptions.len());
    for subscription in subscriptions {
        match members.iter_mut().find(|m| m.member_id == subscription.member_id) {
            Some(existing) => *existing = subscription.clone(),
            None => members.push(subscription.clone()),
        }
    }
    members
}

/// Topics the Java client would hand to the assignor: subscribed and with partitions.
fn topics_in_play(
    partitions_per_topic: &BTreeMap<TopicName, u32>,
    members: &[Subscription],
) -> BTreeMap<TopicName, u32> {
    let subscribed: BTreeSet<&TopicName> = members.iter().flat_map(|m| &m.topics).collect();
    partitions_per_topic
        .iter()
        .filter(|(topic, count)| **count > 0 && subscribed.contains(topic))
        .map(|(topic, count)| (topic.clone(), *count))
        .collect()
}

/// Java's `AbstractPartitionAssignor.MemberInfo` order: static members first, sorted by
/// `group.instance.id`, then dynamic members sorted by member id (Java string order).
pub(crate) fn member_order(a: &Subscription, b: &Subscription) -> std::cmp::Ordering {
    use java_hash_map::java_cmp;
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_cmp(x, y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => java_cmp(&a.member_id, &b.member_id),
    }
}

/// Members in the order Java iterates the leader's `Map<String, Subscription>`: a fresh
/// `HashMap` filled in JoinGroup order (our slice order).
pub(crate) fn members_in_map_order(members: &[Subscription]) -> Vec<&Subscription> {
    let by_id: BTreeMap<&str, &Subscription> = members.iter().map(|m| (m.member_id.as_str(), m)).collect();
    let ids: Vec<String> = members.iter().map(|m| m.member_id.clone()).collect();
    java_hash_map::java_hash_order(&ids).iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect()
}

/// Topics sorted as Java sorts strings (UTF-16 order). Legal Kafka topic names are ASCII,
/// where this equals the `BTreeMap` order, but the simulator may allow more.
pub(crate) fn topics_in_java_order(topics: &BTreeMap<TopicName, u32>) -> Vec<(&TopicName, u32)> {
    let mut sorted: Vec<(&TopicName, u32)> = topics.iter().map(|(t, n)| (t, *n)).collect();
    sorted.sort_by(|a, b| java_hash_map::java_cmp(a.0, b.0));
    sorted
}

/// Short display of a partition list: `[t-0, t-1]`.
pub(crate) fn show_partitions(partitions: &[TopicPartition]) -> String {
    let names: Vec<String> = partitions.iter().map(ToString::to_string).collect();
    format!("[{}]", names.join(", "))
}

/// An empty list for every member, so idle members still appear.
pub(crate) fn empty_assignment(members: &[Subscription]) -> BTreeMap<String, Vec<TopicPartition>> {
    members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect()
}

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(test)]
mod tests;

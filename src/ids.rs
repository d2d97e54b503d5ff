//! Identifiers of the simulated world: brokers, topics, partitions, clients, records.
//!
//! They are small ordered newtypes so that every map keyed by them iterates in
//! the same order on every run. Names (topic names, client ids) live in
//! [`Names`], so hot paths copy integers, not strings.

use std::fmt;

use serde::Serialize;

/// A Kafka broker id (`node.id`), numbered from 1 as in most Kafka examples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BrokerId(pub i32);

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A KRaft controller node, numbered from 1 (`controller 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ControllerId(pub u32);

impl fmt::Display for ControllerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Index of a topic in [`Names::topics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct TopicId(pub u32);

/// One partition of one topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: TopicId,
    pub partition: u32,
}

impl TopicPartition {
    pub const fn new(topic: TopicId, partition: u32) -> Self {
        TopicPartition { topic, partition }
    }
}

/// Index of a producer or consumer in the scenario, in declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ClientIdx(pub u32);

/// Every addressable actor, one per process: brokers, KRaft controllers
/// (their own nodes, as in Kafka's isolated mode), producers and consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    Broker(BrokerId),
    Controller(ControllerId),
    Producer(ClientIdx),
    Consumer(ClientIdx),
    /// The Schema Registry (Confluent's `schema-registry` service).
    SchemaRegistry,
    /// A real Kafka client connected over TCP to `kafkasim serve`: one per
    /// connection, numbered in the order they were accepted.
    LiveClient(u32),
    /// The teacher's admin client (`kafka-topics.sh`): sends the timeline's
    /// `create_topic` requests.
    Admin,
}

/// A machine (process) on the simulated network: what crashes, restarts and is
/// cut off as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Host {
    Broker(BrokerId),
    Controller(ControllerId),
    Producer(ClientIdx),
    Consumer(ClientIdx),
    SchemaRegistry,
    /// A real client's connection (live mode).
    LiveClient(u32),
    /// The timeline's admin client.
    Admin,
}

impl NodeId {
    pub fn host(self) -> Host {
        match self {
            NodeId::Broker(b) => Host::Broker(b),
            NodeId::Controller(c) => Host::Controller(c),
            NodeId::Producer(p) => Host::Producer(p),
            NodeId::Consumer(c) => Host::Consumer(c),
            NodeId::SchemaRegistry => Host::SchemaRegistry,
            NodeId::LiveClient(c) => Host::LiveClient(c),
            NodeId::Admin => Host::Admin,
        }
    }
}

/// The simulator's own tag on every record a scenario producer sends: which
/// producer and which of its records. Kafka never reads it; the delivery checker
/// uses it to tell lost, duplicated and reordered records apart (like the unique
/// values Jepsen writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RecordId {
    pub producer: ClientIdx,
    /// 0-based number of the record in its producer's sequence of sends.
    pub number: u64,
}

impl RecordId {
    /// Records the cluster writes itself (offset commits), not a scenario producer.
    pub const INTERNAL: RecordId = RecordId { producer: ClientIdx(u32::MAX), number: 0 };
}

/// How narration names the timeline's admin client.
const ADMIN_CLIENT: &str = "admin client";

/// Display names for the integer ids above.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Names {
    pub topics: Vec<String>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
    /// `__consumer_offsets`, when the scenario has groups.
    pub offsets_topic: Option<TopicId>,
    /// Its partitions that hold the scenario's groups.
    pub group_partitions: Vec<u32>,
    /// `__transaction_state`, when a producer is transactional.
    pub transaction_state_topic: Option<TopicId>,
    /// Its partitions that hold the scenario's transactional ids.
    pub transaction_partitions: Vec<u32>,
    /// The producers with a `transactional.id`.
    pub transactional_producers: Vec<ClientIdx>,
}

impl Names {
    pub fn topic(&self, topic: TopicId) -> &str {
        self.topics.get(topic.0 as usize).map_or("?", String::as_str)
    }
    pub fn producer(&self, producer: ClientIdx) -> &str {
        self.producers.get(producer.0 as usize).map_or("?", String::as_str)
    }
    pub fn consumer(&self, consumer: ClientIdx) -> &str {
        self.consumers.get(consumer.0 as usize).map_or("?", String::as_str)
    }
    pub fn topic_id(&self, name: &str) -> Option<TopicId> {
        self.topics.iter().position(|t| t == name).map(|i| TopicId(i as u32))
    }
    /// `demo_1-0`: Kafka's own way of writing a topic partition.
    pub fn partition(&self, tp: TopicPartition) -> String {
        format!("{}-{}", self.topic(tp.topic), tp.partition)
    }
    pub fn node(&self, node: NodeId) -> String {
        match node {
            NodeId::Broker(b) => format!("broker {b}"),
            NodeId::Controller(c) => format!("controller {c}"),
            NodeId::Producer(p) => self.producer(p).to_string(),
            NodeId::Consumer(c) => self.consumer(c).to_string(),
            NodeId::SchemaRegistry => crate::registry::REGISTRY_HOST.to_string(),
            NodeId::LiveClient(c) => format!("client connection {c}"),
            NodeId::Admin => ADMIN_CLIENT.to_string(),
        }
    }
    pub fn host(&self, host: Host) -> String {
        match host {
            Host::Broker(b) => format!("broker {b}"),
            Host::Controller(c) => format!("controller {c}"),
            Host::Producer(p) => self.producer(p).to_string(),
            Host::Consumer(c) => self.consumer(c).to_string(),
            Host::SchemaRegistry => crate::registry::REGISTRY_HOST.to_string(),
            Host::LiveClient(c) => format!("client connection {c}"),
            Host::Admin => ADMIN_CLIENT.to_string(),
        }
    }
}

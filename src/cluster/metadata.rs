//! Cluster metadata: what the KRaft controller decides and every broker caches.
//!
//! The controller appends [`MetadataRecord`]s to the `__cluster_metadata` log;
//! brokers replay them into a [`MetadataImage`]: which brokers are registered
//! and fenced, which topics exist, and for each partition its replicas, leader,
//! leader epoch and ISR. Clients learn leaders from a broker's image through the
//! Metadata API, so a client can hold stale metadata and be told
//! NOT_LEADER_OR_FOLLOWER, as in Kafka.

use std::collections::BTreeMap;

use crate::config::TopicConfig;
use crate::ids::{BrokerId, ControllerId, TopicId, TopicPartition};

/// Leader, ISR and epochs of one partition (`PartitionRecord` in KRaft).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    /// The assignment; `replicas[0]` is the preferred leader.
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    /// `None` when the partition is offline (leader -1 in Kafka).
    pub leader: Option<BrokerId>,
    /// Bumped on every leader change.
    pub leader_epoch: i32,
    /// Bumped on every change of leader or ISR (AlterPartition checks it).
    pub partition_epoch: i32,
}

impl PartitionState {
    pub fn preferred_leader(&self) -> Option<BrokerId> {
        self.replicas.first().copied()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicImage {
    pub name: String,
    pub config: TopicConfig,
    /// Internal topics (`__consumer_offsets`) are hidden from some tables.
    pub internal: bool,
    pub partitions: Vec<PartitionState>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    pub broker_epoch: i64,
    pub fenced: bool,
}

/// One entry of the `__cluster_metadata` log.
#[derive(Clone, Debug, PartialEq)]
pub enum MetadataRecord {
    RegisterBroker { broker: BrokerId, broker_epoch: i64 },
    FenceBroker { broker: BrokerId },
    UnfenceBroker { broker: BrokerId },
    Topic { topic: TopicId, image: TopicImage },
    PartitionChange { tp: TopicPartition, state: PartitionState },
    ActiveController { controller: ControllerId },
}

/// A broker's (or the controller's) view of the cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetadataImage {
    /// Offset of the next metadata record this image has not seen.
    pub offset: u64,
    pub brokers: BTreeMap<BrokerId, BrokerRegistration>,
    pub topics: BTreeMap<TopicId, TopicImage>,
    pub controller: Option<ControllerId>,
}

impl MetadataImage {
    pub fn apply(&mut self, record: &MetadataRecord) {
        match record {
            MetadataRecord::RegisterBroker { broker, broker_epoch } => {
                self.brokers.insert(*broker, BrokerRegistration { broker_epoch: *broker_epoch, fenced: true });
            }
            MetadataRecord::FenceBroker { broker } => {
                if let Some(b) = self.brokers.get_mut(broker) {
                    b.fenced = true;
                }
            }
            MetadataRecord::UnfenceBroker { broker } => {
                if let Some(b) = self.brokers.get_mut(broker) {
                    b.fenced = false;
                }
            }
            MetadataRecord::Topic { topic, image } => {
                self.topics.insert(*topic, image.clone());
            }
            MetadataRecord::PartitionChange { tp, state } => {
                if let Some(p) =
                    self.topics.get_mut(&tp.topic).and_then(|t| t.partitions.get_mut(tp.partition as usize))
                {
                    *p = state.clone();
                }
            }
            MetadataRecord::ActiveController { controller } => self.controller = Some(*controller),
        }
        self.offset += 1;
    }

    pub fn partition(&self, tp: TopicPartition) -> Option<&PartitionState> {
        self.topics.get(&tp.topic)?.partitions.get(tp.partition as usize)
    }

    pub fn topic_config(&self, topic: TopicId) -> Option<&TopicConfig> {
        self.topics.get(&topic).map(|t| &t.config)
    }

    /// Every partition, in (topic, partition) order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &PartitionState)> + '_ {
        self.topics.iter().flat_map(|(&topic, image)| {
            image.partitions.iter().enumerate().map(move |(p, state)| (TopicPartition::new(topic, p as u32), state))
        })
    }

    pub fn is_unfenced(&self, broker: BrokerId) -> bool {
        self.brokers.get(&broker).is_some_and(|b| !b.fenced)
    }

    pub fn partition_count(&self, topic: TopicId) -> Option<u32> {
        self.topics.get(&topic).map(|t| t.partitions.len() as u32)
    }
}

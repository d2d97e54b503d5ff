//! A client's cached view of cluster metadata: partition counts and leaders,
//! refreshed with Metadata requests. It can be stale — that is how a client ends
//! up asking a broker that is no longer the leader.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::{BrokerId, TopicId, TopicPartition};
use crate::protocol::MetadataResponse;

#[derive(Clone, Debug, Default)]
pub struct MetadataCache {
    pub partition_counts: BTreeMap<TopicId, u32>,
    pub leaders: BTreeMap<TopicPartition, (BrokerId, i32)>,
    pub brokers: Vec<BrokerId>,
    pub updated_at: Option<SimTime>,
    /// Someone asked for a refresh (an error said the metadata is stale).
    pub stale: bool,
}

impl MetadataCache {
    pub fn update(&mut self, response: &MetadataResponse, now: SimTime) {
        for topic in &response.topics {
            if !topic.error.is_ok() {
                continue;
            }
            self.partition_counts.insert(topic.topic, topic.partitions.len() as u32);
            for p in &topic.partitions {
                let tp = TopicPartition::new(topic.topic, p.partition);
                match p.leader {
                    Some(leader) => {
                        self.leaders.insert(tp, (leader, p.leader_epoch));
                    }
                    None => {
                        self.leaders.remove(&tp);
                    }
                }
            }
        }
        self.brokers = response.brokers.clone();
        self.updated_at = Some(now);
        self.stale = false;
    }

    /// When the next refresh may be sent: Kafka waits `retry.backoff.ms`
    /// between metadata requests, so a partition without a leader does not
    /// make a client hammer the brokers.
    pub fn next_refresh_at(&self, backoff: crate::engine::SimDuration) -> SimTime {
        self.updated_at.map_or(SimTime::ZERO, |t| t + backoff)
    }

    pub fn leader(&self, tp: TopicPartition) -> Option<BrokerId> {
        self.leaders.get(&tp).map(|l| l.0)
    }

    pub fn leader_epoch(&self, tp: TopicPartition) -> Option<i32> {
        self.leaders.get(&tp).map(|l| l.1)
    }

    /// Partitions of `topic` that currently have a leader.
    pub fn available_partitions(&self, topic: TopicId) -> Vec<u32> {
        self.leaders
            .range(TopicPartition::new(topic, 0)..=TopicPartition::new(topic, u32::MAX))
            .map(|(tp, _)| tp.partition)
            .collect()
    }

    /// Forgets the leader of `tp` after an error said it moved.
    pub fn invalidate(&mut self, tp: TopicPartition) {
        self.leaders.remove(&tp);
        self.stale = true;
    }
}

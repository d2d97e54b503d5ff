//! Kafka's `PartitionMovements`: the record of partitions moved between members while the
//! general sticky path rebalances, used to undo a move rather than make the opposite one.
//!
//! When something of topic T must go from member B to member A and some partition of T
//! already went A → B in this rebalance, Kafka moves that partition back instead. If
//! several did, it picks the first in Java `HashSet` iteration order, which
//! [`JavaHashOrder`] reproduces.

use std::collections::BTreeMap;

use super::super::java_hash_map::JavaHashOrder;
use super::super::{TopicName, TopicPartition};

/// Where each moved partition started and where it is now.
#[derive(Default)]
pub(super) struct Movements {
    /// partition → (first owner this round, current owner)
    moved: BTreeMap<TopicPartition, (String, String)>,
    /// topic → (from, to) → the partitions moved that way, as a Java `HashSet`.
    by_topic: BTreeMap<TopicName, BTreeMap<(String, String), JavaHashOrder<TopicPartition>>>,
}

impl Movements {
    /// If something of this topic already went `target → holder`, move that back instead,
    /// so no pair of members swaps partitions of one topic.
    pub(super) fn partition_to_move(&self, tp: &TopicPartition, holder: &str, target: &str) -> TopicPartition {
        let Some(pairs) = self.by_topic.get(&tp.topic) else {
            return tp.clone();
        };
        let origin = self.moved.get(tp).map_or(holder, |(from, _)| from.as_str());
        pairs
            .get(&(target.to_string(), origin.to_string()))
            .and_then(JavaHashOrder::first)
            .cloned()
            .unwrap_or_else(|| tp.clone())
    }

    pub(super) fn record(&mut self, tp: &TopicPartition, from: &str, to: &str) {
        match self.moved.get(tp).cloned() {
            Some((origin, _)) => {
                self.forget(tp);
                if origin != to {
                    self.remember(tp, origin, to.to_string());
                }
            }
            None => self.remember(tp, from.to_string(), to.to_string()),
        }
    }

    fn remember(&mut self, tp: &TopicPartition, from: String, to: String) {
        self.moved.insert(tp.clone(), (from.clone(), to.clone()));
        self.by_topic.entry(tp.topic.clone()).or_default().entry((from, to)).or_default().insert(tp.clone());
    }

    fn forget(&mut self, tp: &TopicPartition) {
        let Some(pair) = self.moved.remove(tp) else {
            return;
        };
        let Some(pairs) = self.by_topic.get_mut(&tp.topic) else {
            return;
        };
        if let Some(set) = pairs.get_mut(&pair) {
            set.remove(tp);
            if set.is_empty() {
                pairs.remove(&pair);
            }
        }
        if pairs.is_empty() {
            self.by_topic.remove(&tp.topic);
        }
    }
}

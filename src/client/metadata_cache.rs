//! A client's cached view of cluster metadata: partition counts and leaders,
//! refreshed with Metadata requests. It can be stale — that is how a client ends
//! up asking a broker that is no longer the leader.
//!
//! Refreshes back off as Kafka's `Metadata.timeToAllowUpdate` does (KIP-580,
//! 3.7+): `retry.backoff.ms` after the last refresh, doubling up to
//! `retry.backoff.max.ms` with each failed request and with each answer that
//! brought nothing new (no partition with a newer leader epoch), so a client
//! waiting for a new leader asks less and less often. A changed answer, or
//! `metadata.max.age.ms` passing, starts over.
//!
//! Simplification: the metadata backoff has no jitter.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::{BrokerId, TopicId, TopicPartition};
use crate::protocol::MetadataResponse;

#[derive(Clone, Debug)]
pub struct MetadataCache {
    pub partition_counts: BTreeMap<TopicId, u32>,
    pub leaders: BTreeMap<TopicPartition, (BrokerId, i32)>,
    pub brokers: Vec<BrokerId>,
    pub updated_at: Option<SimTime>,
    /// Someone asked for a refresh (an error said the metadata is stale).
    pub stale: bool,
    /// Failed metadata requests since the last answer (`attempts`).
    failed_attempts: u32,
    /// Answers in a row that changed nothing (`equivalentResponseCount`).
    equivalent_responses: u32,
    /// When the last request was answered or failed (`lastRefreshMs`).
    last_refresh: Option<SimTime>,
    /// `retry.backoff.max.ms`.
    retry_backoff_max_ms: u64,
}

impl Default for MetadataCache {
    fn default() -> Self {
        MetadataCache {
            partition_counts: BTreeMap::new(),
            leaders: BTreeMap::new(),
            brokers: Vec::new(),
            updated_at: None,
            stale: false,
            failed_attempts: 0,
            equivalent_responses: 0,
            last_refresh: None,
            retry_backoff_max_ms: 1_000,
        }
    }
}

impl MetadataCache {
    /// A cache whose refresh backoff grows to `retry.backoff.max.ms`.
    pub fn with_retry_backoff_max(retry_backoff_max_ms: u64) -> Self {
        MetadataCache { retry_backoff_max_ms, ..MetadataCache::default() }
    }

    pub fn update(&mut self, response: &MetadataResponse, now: SimTime) {
        self.failed_attempts = 0;
        self.last_refresh = Some(now);
        // Reset below if any partition has a newer leader epoch.
        self.equivalent_responses += 1;
        for topic in &response.topics {
            if !topic.error.is_ok() {
                continue;
            }
            self.partition_counts.insert(topic.topic, topic.partitions.len() as u32);
            for p in &topic.partitions {
                let tp = TopicPartition::new(topic.topic, p.partition);
                if self.leaders.get(&tp).is_none_or(|&(_, epoch)| p.leader_epoch > epoch) && p.leader.is_some() {
                    self.equivalent_responses = 0;
                }
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

    /// A metadata request failed (`failedUpdate`).
    pub fn failed_update(&mut self, now: SimTime) {
        self.last_refresh = Some(now);
        self.failed_attempts += 1;
        self.equivalent_responses = 0;
    }

    /// `metadata.max.age.ms` passed: the periodic refresh does not back off.
    pub fn expired(&mut self) {
        self.stale = true;
        self.equivalent_responses = 0;
    }

    /// When the next refresh may be sent (`timeToAllowUpdate`), with
    /// `retry.backoff.ms` as `backoff`: a partition without a leader does
    /// not make a client hammer the brokers.
    pub fn next_refresh_at(&self, backoff: crate::engine::SimDuration) -> SimTime {
        let Some(last) = self.last_refresh else {
            return SimTime::ZERO;
        };
        let initial = backoff.as_millis();
        let max = self.retry_backoff_max_ms.max(initial);
        let for_attempts =
            super::backoff::exponential_backoff(initial, max, self.failed_attempts.saturating_sub(1), None);
        let for_equivalent = match self.equivalent_responses {
            0 => crate::engine::SimDuration::ZERO,
            n => super::backoff::exponential_backoff(initial, max, n - 1, None),
        };
        last + for_attempts.max(for_equivalent)
    }

    pub fn leader(&self, tp: TopicPartition) -> Option<BrokerId> {
        self.leaders.get(&tp).map(|l| l.0)
    }

    /// `partitions` grouped by their leader, for one request per broker; a
    /// partition with no known leader marks the metadata stale instead.
    pub fn by_leader(
        &mut self,
        partitions: impl IntoIterator<Item = TopicPartition>,
    ) -> BTreeMap<BrokerId, Vec<TopicPartition>> {
        let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for tp in partitions {
            match self.leader(tp) {
                Some(leader) => by_leader.entry(leader).or_default().push(tp),
                None => self.stale = true,
            }
        }
        by_leader
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;
    use crate::ids::{BrokerId, TopicId};
    use crate::protocol::ErrorCode;
    use crate::protocol::metadata::{PartitionMetadata, TopicMetadata};

    fn answer(leader: i32, epoch: i32) -> MetadataResponse {
        MetadataResponse {
            correlation_id: 1,
            brokers: vec![BrokerId(1), BrokerId(2)],
            controller: None,
            topics: vec![TopicMetadata {
                topic: TopicId(0),
                error: ErrorCode::None,
                partitions: vec![PartitionMetadata {
                    partition: 0,
                    error: ErrorCode::None,
                    leader: Some(BrokerId(leader)),
                    leader_epoch: epoch,
                    replicas: vec![],
                    isr: vec![],
                }],
            }],
            unknown: Vec::new(),
        }
    }

    #[test]
    fn unchanged_answers_and_failures_back_off_exponentially() {
        // After Kafka's MetadataTest (timeToAllowUpdate with KIP-580 backoff): 100 ms
        // doubling to 1 s, reset by an answer with a newer leader epoch.
        let backoff = SimDuration::from_millis(100);
        let mut m = MetadataCache::default();
        let at = SimTime::from_millis;
        assert_eq!(m.next_refresh_at(backoff), SimTime::ZERO);
        m.update(&answer(1, 0), at(0));
        assert_eq!(m.next_refresh_at(backoff), at(100), "a changed answer: retry.backoff.ms");
        m.update(&answer(1, 0), at(10));
        assert_eq!(m.next_refresh_at(backoff), at(110));
        m.update(&answer(1, 0), at(110));
        assert_eq!(m.next_refresh_at(backoff), at(310));
        for t in [310, 710, 1_510, 2_510] {
            m.update(&answer(1, 0), at(t));
        }
        // 100 · 2^log2(10) is 999.99… ms, truncated to 999 as in Java.
        assert_eq!(m.next_refresh_at(backoff), at(3_509), "capped at retry.backoff.max.ms");
        m.update(&answer(2, 1), at(4_000));
        assert_eq!(m.next_refresh_at(backoff), at(4_100), "a new leader epoch starts over");
        m.failed_update(at(4_000));
        assert_eq!(m.next_refresh_at(backoff), at(4_100));
        m.failed_update(at(4_100));
        assert_eq!(m.next_refresh_at(backoff), at(4_300));
    }
}

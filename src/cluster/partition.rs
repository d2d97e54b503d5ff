//! One replica of a partition, as hosted by one broker: its log plus what the
//! broker knows of the partition's leader, epoch and ISR, and — when it is the
//! leader — what it knows of each follower.
//!
//! High-watermark rule (`Partition.maybeIncrementLeaderHW`): the leader's high
//! watermark is the smallest log end offset among the in-sync replicas, and it
//! does not advance while the ISR is smaller than
//! `min(min.insync.replicas, replication factor)` (KAFKA-15583, Kafka 3.7+).
//!
//! Invariant: on the leader, `high_watermark <= log_end_offset` of every ISR member.

use std::collections::BTreeMap;

use super::log::PartitionLog;
use super::metadata::PartitionState;
use super::segment::RollPolicy;
use crate::config::TopicConfig;
use crate::engine::SimTime;
use crate::ids::{BrokerId, TopicPartition};

/// What a leader knows about one follower, from its fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowerState {
    pub log_end_offset: i64,
    pub log_start_offset: i64,
    /// Latest time the follower was known to have everything the leader had
    /// (`lastCaughtUpTimeMs`): it is out of sync once this is older than
    /// `replica.lag.time.max.ms`.
    pub last_caught_up: SimTime,
    /// The leader's log end offset when the previous fetch arrived, and when.
    pub leader_end_at_last_fetch: i64,
    pub last_fetch: SimTime,
}

#[derive(Clone, Debug)]
pub struct Partition {
    pub tp: TopicPartition,
    pub log: PartitionLog,
    pub config: TopicConfig,
    /// Leader, ISR and epochs as this broker last learned them.
    pub state: PartitionState,
    /// Leader only: per follower, what its fetches said.
    pub followers: BTreeMap<BrokerId, FollowerState>,
    /// Leader only: an ISR change sent to the controller and not yet answered.
    /// While it is pending the leader uses the union of both for the high
    /// watermark (the "maximal ISR").
    pub pending_isr: Option<Vec<BrokerId>>,
    /// The log cleaner's checkpoint: where the dirty (not yet compacted) part
    /// of this replica's log starts.
    pub cleaner_checkpoint: i64,
    /// How many times the cleaner has rewritten this replica's log.
    pub compactions: u32,
}

impl Partition {
    pub fn new(tp: TopicPartition, config: TopicConfig, state: PartitionState) -> Self {
        let roll = RollPolicy { segment_bytes: config.segment_bytes, segment_ms: config.segment_ms };
        Partition {
            tp,
            log: PartitionLog::new(roll),
            config,
            state,
            followers: BTreeMap::new(),
            pending_isr: None,
            cleaner_checkpoint: 0,
            compactions: 0,
        }
    }

    pub fn is_leader(&self, me: BrokerId) -> bool {
        self.state.leader == Some(me)
    }

    pub fn replication_factor(&self) -> usize {
        self.state.replicas.len()
    }

    /// `min(min.insync.replicas, replication factor)`: Kafka 3.7+ never asks for
    /// more in-sync replicas than exist.
    pub fn effective_min_isr(&self) -> usize {
        (self.config.min_insync_replicas as usize).min(self.replication_factor().max(1))
    }

    /// The ISR the high watermark must wait for: the current ISR plus any member
    /// being added.
    pub fn maximal_isr(&self) -> Vec<BrokerId> {
        let mut isr = self.state.isr.clone();
        if let Some(pending) = &self.pending_isr {
            for b in pending {
                if !isr.contains(b) {
                    isr.push(*b);
                }
            }
        }
        isr
    }

    /// Log end offset of `broker`'s replica as this leader knows it.
    pub fn replica_log_end_offset(&self, me: BrokerId, broker: BrokerId) -> Option<i64> {
        if broker == me {
            Some(self.log.log_end_offset())
        } else {
            self.followers.get(&broker).map(|f| f.log_end_offset)
        }
    }

    /// Re-evaluates the leader's high watermark; returns the new value if it moved.
    pub fn maybe_increment_high_watermark(&mut self, me: BrokerId) -> Option<i64> {
        if !self.is_leader(me) {
            return None;
        }
        // Caught up: the high watermark never passes the log end, and every
        // transaction below it was released when it got there. Most calls
        // (a follower's fetch of an idle partition) end here.
        if self.log.high_watermark() >= self.log.log_end_offset() {
            return None;
        }
        let isr = self.maximal_isr();
        if self.state.isr.len() < self.effective_min_isr() {
            return None;
        }
        let candidate = isr
            .iter()
            .map(|&b| self.replica_log_end_offset(me, b).unwrap_or(self.log.log_start_offset()))
            .min()
            .unwrap_or(self.log.log_end_offset());
        if candidate > self.log.high_watermark() && self.log.set_high_watermark(candidate) {
            Some(self.log.high_watermark())
        } else {
            None
        }
    }

    /// Records a follower's fetch at `fetch_offset` (Kafka's
    /// `updateFetchStateOrThrow`), including when it last caught up.
    pub fn record_follower_fetch(
        &mut self,
        follower: BrokerId,
        fetch_offset: i64,
        log_start_offset: i64,
        now: SimTime,
    ) {
        let leader_end = self.log.log_end_offset();
        let state = self.followers.entry(follower).or_insert(FollowerState {
            log_end_offset: fetch_offset,
            log_start_offset,
            last_caught_up: SimTime::ZERO,
            leader_end_at_last_fetch: leader_end,
            last_fetch: now,
        });
        if fetch_offset >= leader_end {
            state.last_caught_up = now;
        } else if fetch_offset >= state.leader_end_at_last_fetch {
            state.last_caught_up = state.last_caught_up.max(state.last_fetch);
        }
        state.log_end_offset = fetch_offset;
        state.log_start_offset = log_start_offset;
        state.leader_end_at_last_fetch = leader_end;
        state.last_fetch = now;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
    use crate::ids::{ClientIdx, RecordId, TopicId};

    fn leader_partition(min_isr: u32, isr: &[i32]) -> Partition {
        let config = TopicConfig { min_insync_replicas: min_isr, ..TopicConfig::default() };
        let state = PartitionState {
            replicas: vec![BrokerId(1), BrokerId(2), BrokerId(3)],
            isr: isr.iter().map(|&b| BrokerId(b)).collect(),
            leader: Some(BrokerId(1)),
            leader_epoch: 0,
            partition_epoch: 0,
        };
        let mut p = Partition::new(TopicPartition::new(TopicId(0), 0), config, state);
        for n in 0..10 {
            let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
            b.push(RecordId { producer: ClientIdx(0), number: n }, 0, Some(b"k"), Some(b"v"), &[]);
            p.log.append_as_leader(Arc::new(b.build()), 0);
        }
        p
    }

    #[test]
    fn the_high_watermark_is_the_smallest_log_end_in_the_isr() {
        let mut p = leader_partition(1, &[1, 2, 3]);
        let t = SimTime::from_millis(1);
        p.record_follower_fetch(BrokerId(2), 7, 0, t);
        p.record_follower_fetch(BrokerId(3), 4, 0, t);
        assert_eq!(p.maybe_increment_high_watermark(BrokerId(1)), Some(4));
        p.record_follower_fetch(BrokerId(3), 9, 0, t);
        assert_eq!(p.maybe_increment_high_watermark(BrokerId(1)), Some(7), "now broker 2 is the slowest");
        // A follower outside the ISR does not hold the high watermark back.
        p.state.isr = vec![BrokerId(1), BrokerId(3)];
        assert_eq!(p.maybe_increment_high_watermark(BrokerId(1)), Some(9));
    }

    #[test]
    fn the_high_watermark_never_moves_back_on_a_leader() {
        let mut p = leader_partition(1, &[1, 2]);
        p.record_follower_fetch(BrokerId(2), 8, 0, SimTime::ZERO);
        p.maybe_increment_high_watermark(BrokerId(1));
        p.record_follower_fetch(BrokerId(2), 3, 0, SimTime::ZERO);
        assert_eq!(p.maybe_increment_high_watermark(BrokerId(1)), None);
        assert_eq!(p.log.high_watermark(), 8);
    }

    #[test]
    fn below_min_insync_replicas_the_high_watermark_freezes() {
        // Kafka 3.7+: ISR [1] with min.insync.replicas=2 commits nothing, even acks=1 data.
        let mut frozen = leader_partition(2, &[1]);
        assert_eq!(frozen.maybe_increment_high_watermark(BrokerId(1)), None);
        // min.insync.replicas above the replication factor is capped at it.
        let capped = leader_partition(5, &[1, 2, 3]);
        assert_eq!(capped.effective_min_isr(), 3);
    }

    #[test]
    fn a_pending_isr_addition_holds_the_high_watermark_too() {
        let mut p = leader_partition(1, &[1]);
        p.record_follower_fetch(BrokerId(2), 5, 0, SimTime::ZERO);
        p.pending_isr = Some(vec![BrokerId(1), BrokerId(2)]);
        assert_eq!(p.maybe_increment_high_watermark(BrokerId(1)), Some(5), "the maximal ISR counts broker 2");
    }

    #[test]
    fn caught_up_time_follows_kafkas_rule() {
        let mut p = leader_partition(1, &[1, 2]);
        // Fetch reaching the leader's log end: caught up now.
        p.record_follower_fetch(BrokerId(2), 10, 0, SimTime::from_millis(100));
        assert_eq!(p.followers[&BrokerId(2)].last_caught_up, SimTime::from_millis(100));
        // Behind the current end but at the end seen by the previous fetch:
        // caught up as of that previous fetch.
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        b.push(RecordId { producer: ClientIdx(0), number: 99 }, 0, None, Some(b"v"), &[]);
        p.log.append_as_leader(Arc::new(b.build()), 0);
        p.record_follower_fetch(BrokerId(2), 10, 0, SimTime::from_millis(300));
        assert_eq!(p.followers[&BrokerId(2)].last_caught_up, SimTime::from_millis(100));
        p.record_follower_fetch(BrokerId(2), 10, 0, SimTime::from_millis(500));
        assert_eq!(p.followers[&BrokerId(2)].last_caught_up, SimTime::from_millis(100), "still behind");
    }
}

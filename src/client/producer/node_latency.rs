//! How long each broker had batches ready that the producer could not send
//! (Kafka's `RecordAccumulator.NodeLatencyStats`), for
//! `partitioner.availability.timeout.ms`: the built-in partitioner stops
//! choosing partitions led by a broker that could not be drained for longer
//! than that.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::BrokerId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeLatency {
    /// The last time the broker had sendable batches.
    ready_at: SimTime,
    /// The last time the producer could send to it.
    drained_at: SimTime,
}

#[derive(Clone, Debug, Default)]
pub struct NodeLatencyStats {
    nodes: BTreeMap<BrokerId, NodeLatency>,
}

impl NodeLatencyStats {
    /// `updateNodeLatencyStats`: `broker` had sendable batches at `now`;
    /// `can_drain` tells whether its connection could take a request.
    pub fn update(&mut self, broker: BrokerId, now: SimTime, can_drain: bool) {
        let node = self.nodes.entry(broker).or_insert(NodeLatency { ready_at: now, drained_at: now });
        if can_drain {
            node.drained_at = now;
        }
        node.ready_at = now;
    }

    /// `readyTimeMs − drainTimeMs > partitioner.availability.timeout.ms`.
    pub fn is_unavailable(&self, broker: BrokerId, timeout_ms: u64) -> bool {
        self.nodes
            .get(&broker)
            .is_some_and(|n| n.ready_at.saturating_sub(n.drained_at).as_micros() > timeout_ms.saturating_mul(1000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broker_that_cannot_be_drained_becomes_unavailable_after_the_timeout() {
        // RecordAccumulatorTest.testAdaptiveBuiltInPartitioner: drained 200 ms
        // ago, ready now, timeout 100 ms.
        let mut stats = NodeLatencyStats::default();
        let b = BrokerId(1);
        stats.update(b, SimTime::from_millis(1_000), true);
        assert!(!stats.is_unavailable(b, 100));
        stats.update(b, SimTime::from_millis(1_100), false);
        assert!(!stats.is_unavailable(b, 100), "100 ms is not more than 100 ms");
        stats.update(b, SimTime::from_millis(1_200), false);
        assert!(stats.is_unavailable(b, 100));
        stats.update(b, SimTime::from_millis(1_300), true);
        assert!(!stats.is_unavailable(b, 100), "drained again");
        assert!(!stats.is_unavailable(BrokerId(2), 100), "never seen");
    }
}

//! Reading the world: the authoritative state of each partition and the
//! outcome report.

use std::collections::BTreeMap;

use super::World;
use crate::check::outcome::{self, Delivery};
use crate::client::consumer::Position;
use crate::cluster::log::PartitionLog;
use crate::cluster::metadata::{MetadataImage, PartitionState};
use crate::engine::SimTime;
use crate::ids::{BrokerId, ClientIdx, TopicPartition};
use crate::trace::report::{
    ConsumerRow, ExpectationResult, Outcome, PartitionRow, ProducerRow, SegmentRow, SegmentTable,
};

/// A partition as the cluster sees it: the controller's leader and ISR, and
/// the log that counts (the leader's; the most complete replica's when offline).
pub struct PartitionView<'a> {
    pub tp: TopicPartition,
    pub state: &'a PartitionState,
    /// The broker whose log is shown.
    pub log_broker: Option<BrokerId>,
    pub log: Option<&'a PartitionLog>,
}

impl World {
    /// The active controller's metadata: the cluster's truth.
    pub fn cluster_metadata(&self) -> &MetadataImage {
        &self.controller.image
    }

    pub fn partition_view(&self, tp: TopicPartition) -> Option<PartitionView<'_>> {
        let state = self.cluster_metadata().partition(tp)?;
        let replica_log =
            |b: BrokerId| self.brokers.get((b.0 - 1) as usize).and_then(|broker| broker.partitions.get(&tp));
        let chosen = match state.leader {
            Some(leader) => Some(leader),
            // Offline: show the replica that has the most.
            None => state
                .replicas
                .iter()
                .copied()
                .max_by_key(|&b| (replica_log(b).map_or(-1, |p| p.log.log_end_offset()), std::cmp::Reverse(b))),
        };
        Some(PartitionView { tp, state, log_broker: chosen, log: chosen.and_then(replica_log).map(|p| &p.log) })
    }

    /// Every partition of the scenario's topics, in order.
    pub fn partition_views(&self) -> Vec<PartitionView<'_>> {
        let tps: Vec<TopicPartition> = self.cluster_metadata().partitions().map(|(tp, _)| tp).collect();
        tps.into_iter().filter_map(|tp| self.partition_view(tp)).collect()
    }

    /// The delivery checks as of now, for every producer or just one.
    pub fn delivery_of(&self, producer: Option<ClientIdx>) -> Delivery {
        let mut memo = self.delivery_memo.borrow_mut();
        memo.retain(|(step, _, _)| *step == self.steps);
        if let Some((_, _, delivery)) = memo.iter().find(|(_, p, _)| *p == producer) {
            return delivery.clone();
        }
        let delivery = self.compute_delivery(producer);
        memo.push((self.steps, producer, delivery.clone()));
        delivery
    }

    fn compute_delivery(&self, producer: Option<ClientIdx>) -> Delivery {
        let views = self.partition_views();
        let final_logs: BTreeMap<TopicPartition, &PartitionLog> =
            views.iter().filter_map(|v| v.log.map(|l| (v.tp, l))).collect();
        let read = super::build::read_partitions(&self.scenario);
        let mut delivery = outcome::compute(&self.ledger, &final_logs, &read, &self.names, producer);
        if producer.is_none() && !self.scenario.pipelines.is_empty() {
            let decided = crate::check::atomicity::decisions(&final_logs);
            let offsets_topic = self.scenario.offsets_topic();
            delivery.pipelines = crate::check::exactly_once::check(
                &self.scenario.pipelines,
                &final_logs,
                &decided,
                offsets_topic,
                &self.names,
            );
        }
        delivery
    }

    pub fn delivery(&self) -> Delivery {
        self.delivery_of(None)
    }

    /// The partition table: every partition, except `__consumer_offsets`
    /// and `__transaction_state` partitions that hold nothing (there are 50
    /// of each).
    fn partition_rows(&self) -> Vec<PartitionRow> {
        let internal = [self.offsets_topic(), self.scenario.transaction_state_topic()];
        let transactional = !self.names.transactional_producers.is_empty();
        self.partition_views()
            .iter()
            .filter(|v| !internal.contains(&Some(v.tp.topic)) || v.log.is_some_and(|l| l.log_end_offset() > 0))
            .map(|v| PartitionRow {
                topic: self.names.topic(v.tp.topic).to_string(),
                partition: v.tp.partition,
                leader: v.state.leader.map(|b| b.0),
                leader_epoch: v.state.leader_epoch,
                replicas: v.state.replicas.iter().map(|b| b.0).collect(),
                isr: v.state.isr.iter().map(|b| b.0).collect(),
                log_start_offset: v.log.map_or(0, |l| l.log_start_offset()),
                high_watermark: v.log.map_or(0, |l| l.high_watermark()),
                log_end_offset: v.log.map_or(0, |l| l.log_end_offset()),
                segments: v.log.map_or(0, |l| l.segments().len()),
                last_stable_offset: transactional.then(|| v.log.map_or(0, |l| l.last_stable_offset())),
            })
            .collect()
    }

    /// Segment tables for partitions of topics whose retention or cleanup was
    /// set (not the defaults), once they have more than one segment.
    fn segment_tables(&self) -> Vec<SegmentTable> {
        let defaults = self.scenario.broker_config.topic_defaults;
        let interesting = |tp: TopicPartition| {
            let topic = &self.scenario.topics[tp.topic.0 as usize];
            let c = &topic.config;
            !topic.internal
                && (c.cleanup_policy != defaults.cleanup_policy
                    || c.retention_ms != defaults.retention_ms
                    || c.retention_bytes != defaults.retention_bytes
                    || c.segment_bytes != defaults.segment_bytes
                    || c.segment_ms != defaults.segment_ms)
        };
        self.partition_views()
            .iter()
            .filter(|v| interesting(v.tp))
            .filter_map(|v| {
                let log = v.log?;
                if log.segments().len() < 2 {
                    return None;
                }
                let last = log.segments().len() - 1;
                let segments = log
                    .segments()
                    .iter()
                    .enumerate()
                    .map(|(i, s)| SegmentRow {
                        base_offset: s.base_offset,
                        next_offset: s.next_offset(),
                        records: s.record_count(),
                        bytes: s.size_bytes,
                        newest_record: if s.largest_timestamp_ms < 0 {
                            "-".to_string()
                        } else {
                            SimTime::from_micros(s.largest_timestamp_ms as u64 * 1_000).to_string()
                        },
                        active: i == last,
                    })
                    .collect();
                Some(SegmentTable {
                    partition: self.names.partition(v.tp),
                    broker: v.log_broker.map(|b| b.0),
                    segments,
                })
            })
            .collect()
    }

    fn consumer_rows(&self) -> Vec<ConsumerRow> {
        self.consumers
            .iter()
            .map(|c| ConsumerRow {
                consumer: c.name.clone(),
                group: self.scenario.consumers[c.idx.0 as usize].group.clone(),
                state: super::expectations::consumer_state(c.phase).to_string(),
                received: c.delivered,
                redelivered: self.ledger.redelivered_to(c.idx),
                skipped: c.skipped_offsets,
                stopped_by_rebalances: c.time_stopped_by_rebalances(self.now).as_clock(),
                stopped_by_rebalances_us: c.time_stopped_by_rebalances(self.now).as_micros(),
                positions: c
                    .positions
                    .iter()
                    .filter_map(|(&tp, p)| match p {
                        Position::At(o) => Some((self.names.partition(tp), *o)),
                        _ => None,
                    })
                    .collect(),
            })
            .collect()
    }

    pub fn producer_rows(&self) -> Vec<ProducerRow> {
        self.producers
            .iter()
            .map(|p| {
                let d = self.delivery_of(Some(p.idx));
                ProducerRow {
                    producer: p.name.clone(),
                    produced: d.produced,
                    acknowledged: d.acknowledged,
                    failed: d.failed,
                    lost: d.lost,
                    duplicated: d.duplicated,
                    reordered: d.reordered,
                }
            })
            .collect()
    }

    /// The report the run ends with.
    pub fn outcome(&self) -> Outcome {
        // In time order, those checked at the end last; in file order at the same time.
        let mut indexed: Vec<(usize, &ExpectationResult)> =
            self.results.iter().enumerate().filter_map(|(i, r)| r.as_ref().map(|r| (i, r))).collect();
        indexed
            .sort_by_key(|&(i, _)| (self.scenario.expectations[i].at.is_none(), self.scenario.expectations[i].at, i));
        let expectations: Vec<ExpectationResult> = indexed.into_iter().map(|(_, r)| r.clone()).collect();
        let partitions = self.partition_rows();
        let offsets_partitions = self.offsets_topic().map_or(0, |t| self.scenario.topics[t.0 as usize].partitions);
        let shown_offsets_partitions = partitions.iter().filter(|p| p.topic == crate::scenario::OFFSETS_TOPIC).count();
        Outcome {
            scenario: self.scenario.name.clone(),
            seed: self.scenario.seed,
            virtual_time: self.now.to_string(),
            virtual_time_us: self.now.as_micros(),
            events: self.steps,
            partitions,
            segments: self.segment_tables(),
            empty_offsets_partitions: offsets_partitions as usize - shown_offsets_partitions,
            consumers: self.consumer_rows(),
            groups: self.group_names().iter().filter_map(|g| self.group_report(g)).collect(),
            delivery: self.delivery(),
            producers: self.producer_rows(),
            passed: self.results.iter().all(|r| r.as_ref().is_some_and(|r| r.passed)),
            expectations,
            // The questions' answers are read while the run passes them
            // (`crate::quiz::Script`): the driver fills them in.
            answers: Vec::new(),
            registry: self.registry_report(),
            // Asked for by the driver (`run --stores`).
            stores: Vec::new(),
        }
    }
}

//! Transaction markers, from both ends (`TransactionMarkerChannelManager`,
//! `KafkaApis.handleWriteTxnMarkersRequest`).
//!
//! The coordinator's side: once PrepareCommit or PrepareAbort is replicated
//! in `__transaction_state`, the coordinator sends WriteTxnMarkers to the
//! leader of every partition in the transaction (one request per leader).
//! A partition whose leader answers with an error, or does not answer, is
//! retried after `retry.backoff.ms` with the leader the metadata names then.
//! When every partition has its marker, the coordinator writes
//! CompleteCommit or CompleteAbort.
//!
//! The partition leader's side: each marker is one control batch (one
//! record, one offset) appended with acks=all; the leader answers once the
//! high watermark covers it, so a completed transaction's markers are
//! replicated.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::actor::{Ctx, Timer};
use crate::cluster::record::{ControlRecordType, ProducerStamp, RecordBatch};
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{Acks, ErrorCode, Message, TxnMessage};
use crate::trace::TraceEvent;
use crate::txn::metadata::TxnTransit;
use crate::txn::state::TransactionState;

use super::produce::DelayedProduce;
use super::txn_api::{TxnReply, TxnWrite};
use super::{Broker, BrokerTimer, Outgoing};

/// `retry.backoff.ms` of the coordinator's marker channel.
const MARKER_RETRY_BACKOFF_MS: u64 = 100;

/// The markers of one transaction the coordinator is writing.
#[derive(Clone, Debug)]
pub struct PendingMarkers {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub marker: ControlRecordType,
    /// Partitions still without their marker.
    pub remaining: BTreeSet<TopicPartition>,
    /// Of those, the ones a WriteTxnMarkers request is out for.
    pub in_flight: BTreeSet<TopicPartition>,
}

impl Broker {
    /// PrepareCommit or PrepareAbort of `transactional_id` is replicated:
    /// write the markers.
    pub(super) fn start_markers(&mut self, ctx: &mut Ctx<'_>, transactional_id: &str, transit: &TxnTransit) {
        let marker = if transit.state == TransactionState::PrepareCommit {
            ControlRecordType::Commit
        } else {
            ControlRecordType::Abort
        };
        let pending = PendingMarkers {
            producer_id: transit.producer_id,
            producer_epoch: transit.producer_epoch,
            marker,
            remaining: transit.partitions.clone(),
            in_flight: BTreeSet::new(),
        };
        ctx.trace(TraceEvent::TransactionMarkers {
            broker: self.id,
            transactional_id: transactional_id.to_string(),
            marker: marker.name(),
            partitions: transit.partitions.iter().copied().collect(),
        });
        self.txn_markers.insert(transactional_id.to_string(), pending);
        self.send_txn_markers(ctx);
    }

    /// Sends WriteTxnMarkers for every partition waiting for its marker and
    /// not already asked, grouped by leader; completes transactions whose
    /// markers are all written.
    pub(super) fn send_txn_markers(&mut self, ctx: &mut Ctx<'_>) {
        if !self.alive || self.txn_markers.is_empty() {
            return;
        }
        let done: Vec<String> =
            self.txn_markers.iter().filter(|(_, p)| p.remaining.is_empty()).map(|(id, _)| id.clone()).collect();
        for id in done {
            self.txn_markers.remove(&id);
            self.complete_transaction(ctx, &id);
        }
        let mut requests: Vec<(BrokerId, String, PendingMarkers, Vec<TopicPartition>)> = Vec::new();
        let mut leaderless = false;
        for (id, pending) in &mut self.txn_markers {
            let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
            for &tp in pending.remaining.difference(&pending.in_flight) {
                match self.metadata.partition(tp).and_then(|p| p.leader) {
                    Some(leader) => by_leader.entry(leader).or_default().push(tp),
                    None => leaderless = true,
                }
            }
            for (leader, partitions) in by_leader {
                pending.in_flight.extend(partitions.iter().copied());
                requests.push((leader, id.clone(), pending.clone(), partitions));
            }
        }
        for (leader, transactional_id, pending, partitions) in requests {
            let what = Outgoing::TxnMarkers { leader, transactional_id, partitions: partitions.clone() };
            self.send_request(ctx, NodeId::Broker(leader), what, |correlation_id| {
                Message::Txn(TxnMessage::WriteTxnMarkersRequest {
                    correlation_id,
                    producer_id: pending.producer_id,
                    producer_epoch: pending.producer_epoch,
                    coordinator_epoch: 0,
                    marker: pending.marker,
                    partitions,
                })
            });
        }
        if leaderless {
            self.wake_at(ctx, ctx.now + SimDuration::from_millis(MARKER_RETRY_BACKOFF_MS));
        }
    }

    /// A leader answered WriteTxnMarkers (or failed to: `results` empty and
    /// `failed` set).
    pub(super) fn on_txn_markers_done(
        &mut self,
        ctx: &mut Ctx<'_>,
        transactional_id: &str,
        partitions: &[TopicPartition],
        results: &[(TopicPartition, ErrorCode)],
    ) {
        let Some(pending) = self.txn_markers.get_mut(transactional_id) else { return };
        let mut retry = false;
        for tp in partitions {
            pending.in_flight.remove(tp);
            match results.iter().find(|(p, _)| p == tp) {
                Some((_, error)) if error.is_ok() => {
                    pending.remaining.remove(tp);
                }
                _ => retry = true,
            }
        }
        if retry {
            self.wake_at(ctx, ctx.now + SimDuration::from_millis(MARKER_RETRY_BACKOFF_MS));
        } else {
            self.send_txn_markers(ctx);
        }
    }

    /// Every marker is written: CompleteCommit or CompleteAbort to the log.
    fn complete_transaction(&mut self, ctx: &mut Ctx<'_>, transactional_id: &str) {
        let Some(tp) = self.transaction_state_partition(transactional_id) else { return };
        if let Some(transit) = self.txn_coordinator.prepare_complete(transactional_id, ctx.now.as_millis()) {
            let write = TxnWrite { transactional_id: transactional_id.to_string(), transit, reply: TxnReply::Complete };
            self.append_txn_write(ctx, tp, write);
        }
    }

    /// The coordinator of these ids moved away: it stops writing their markers.
    pub(super) fn drop_markers_of(&mut self, partition: u32) {
        let num_partitions = self.txn_coordinator.num_partitions;
        self.txn_markers.retain(|id, _| {
            crate::txn::coordinator_partition::transaction_state_partition(id, num_partitions) != partition
        });
    }

    /// WriteTxnMarkers at a partition leader: append one control batch per
    /// partition, answer once they are replicated.
    pub(super) fn handle_write_txn_markers(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        correlation_id: u64,
        stamp: (i64, i16),
        marker: ControlRecordType,
        partitions: Vec<TopicPartition>,
    ) {
        let (producer_id, producer_epoch) = stamp;
        let producer = ProducerStamp { producer_id, producer_epoch, base_sequence: -1 };
        let mut results = Vec::with_capacity(partitions.len());
        let mut waiting = Vec::new();
        for tp in partitions {
            let batch = Arc::new(RecordBatch::end_txn_marker(producer, marker, 0, ctx.now.as_millis()));
            let (result, required) = self.append_for_produce(ctx, tp, batch, Acks::All);
            if let (Some(required), true) = (required, result.error.is_ok()) {
                waiting.push((tp, required));
            }
            results.push(result);
        }
        for &(tp, _) in &waiting {
            self.maybe_advance_high_watermark(ctx, tp);
        }
        let mut delayed =
            DelayedProduce::for_markers(self.next_delayed_id(), from, correlation_id, producer_id, results, waiting);
        if self.try_complete_produce(&mut delayed) {
            self.finish_delayed(ctx, delayed);
        } else {
            let timeout = SimDuration::from_millis(super::REQUEST_TIMEOUT_MS);
            ctx.set_timer(timeout, Timer::Broker(BrokerTimer::ProduceExpired(delayed.id())));
            self.delayed_produces.push(delayed);
        }
    }
}

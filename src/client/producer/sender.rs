//! The producer's sender: drains ready batches into ProduceRequests (one batch
//! per partition, per broker, within `max.in.flight.requests.per.connection`),
//! and handles the answers — acknowledgements, retries with exponential backoff,
//! metadata refreshes and the delivery timeout.

use crate::actor::{Ctx, Timer};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{
    Acks, CorrelationId, ErrorCode, InitProducerIdRequest, Message, MetadataRequest, ProduceRequest, ProduceResponse,
};
use crate::trace::TraceEvent;

use super::{InFlight, Producer, ProducerBatch, ProducerPhase, ProducerTimer};

impl Producer {
    /// Looks at everything waiting and sends what can be sent now.
    pub(super) fn run_sender(&mut self, ctx: &mut Ctx<'_>) {
        if !matches!(self.phase, ProducerPhase::Running | ProducerPhase::Closing) {
            return;
        }
        self.expire_batches(ctx);
        // NetworkClient.handleTimedOutConnections: a connection attempt that
        // timed out is a disconnection, which asks for fresh metadata.
        if !self.connections.time_out_connections(ctx.now).is_empty() {
            self.metadata.stale = true;
        }
        if self.metadata.stale || self.metadata.updated_at.is_none() {
            self.ensure_metadata(ctx);
        }
        self.update_partition_load_stats();
        if self.idempotent && self.producer_id.is_none() {
            self.ensure_producer_id(ctx);
        } else {
            self.drain(ctx);
            self.maybe_end_transaction(ctx);
        }
        if self.phase == ProducerPhase::Closing && self.unfinished_records() == 0 {
            self.phase = ProducerPhase::Closed;
            ctx.trace(TraceEvent::Action {
                text: format!("{} closed: every record was acknowledged or failed", self.name),
            });
            return;
        }
        self.schedule_wake(ctx);
    }

    /// The `ready()` pass's statistics for adaptive partitioning: batches
    /// queued per partition, leaving out partitions whose leader could not
    /// be drained for longer than `partitioner.availability.timeout.ms`.
    fn update_partition_load_stats(&mut self) {
        if !self.config.partitioner_adaptive_partitioning_enable {
            self.partitioner.update_partition_load_stats(None);
            return;
        }
        let Some(&partitions) = self.metadata.partition_counts.get(&self.topic) else {
            return;
        };
        let timeout_ms = self.config.partitioner_availability_timeout_ms;
        let leader = |p: u32| self.metadata.leader(TopicPartition::new(self.topic, p));
        let load = self.accumulator.partition_load(
            self.topic,
            partitions,
            |p| leader(p).is_some(),
            |p| timeout_ms > 0 && leader(p).is_some_and(|b| self.node_latency.is_unavailable(b, timeout_ms)),
        );
        self.partitioner
            .update_partition_load_stats(load.as_ref().map(|(s, ids, n)| (s.as_slice(), ids.as_slice(), *n)));
    }

    fn drain(&mut self, ctx: &mut Ctx<'_>) {
        let per_partition = (self.config.max_in_flight_requests_per_connection == 1).then_some(1);
        let linger = SimDuration::from_millis(self.config.linger_ms);
        let flush = self.phase == ProducerPhase::Closing;
        let sendable = self.accumulator.sendable(ctx.now, linger, flush, per_partition);
        let mut by_broker: std::collections::BTreeMap<BrokerId, Vec<TopicPartition>> = Default::default();
        for tp in sendable {
            match self.metadata.leader(tp) {
                Some(leader) => by_broker.entry(leader).or_default().push(tp),
                None => self.metadata.stale = true,
            }
        }
        for (broker, partitions) in by_broker {
            let can_drain =
                self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id)
                    && self.in_flight.values().filter(|f| f.broker() == broker).count()
                        < self.config.max_in_flight_requests_per_connection as usize;
            if self.config.partitioner_availability_timeout_ms > 0 {
                self.node_latency.update(broker, ctx.now, can_drain);
            }
            if can_drain {
                self.send_produce(ctx, broker, &partitions);
            }
        }
        if self.metadata.stale {
            self.ensure_metadata(ctx);
        }
    }

    fn send_produce(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId, partitions: &[TopicPartition]) {
        let mut batches = Vec::new();
        let mut request_bytes = 0u32;
        for &tp in partitions {
            let Some(mut batch) = self.accumulator.take(tp, self.producer_id.filter(|_| self.idempotent)) else {
                continue;
            };
            if self.transactions.is_some() && !batch.batch.is_transactional() {
                batch.batch = std::sync::Arc::new((*batch.batch).clone().into_transactional());
            }
            request_bytes += batch.batch.size_bytes();
            batch.attempts += 1;
            ctx.trace(TraceEvent::BatchSent {
                producer: self.idx,
                broker,
                tp,
                records: batch.batch.len() as u32,
                attempt: batch.attempts,
            });
            batches.push(batch);
            if request_bytes >= self.config.max_request_size {
                break;
            }
        }
        if batches.is_empty() {
            return;
        }
        let correlation_id = self.next_correlation_id();
        let request = ProduceRequest {
            correlation_id,
            transactional_id: self.transactions.as_ref().map(|t| t.transactional_id.clone()),
            acks: self.config.acks,
            timeout_ms: self.config.request_timeout_ms,
            partitions: batches.iter().map(|b| (b.tp, b.batch.clone())).collect(),
        };
        let bytes = Message::ProduceRequest(request.clone()).wire_size_bytes();
        ctx.send(NodeId::Broker(broker), Message::ProduceRequest(request));
        if self.config.acks == Acks::None {
            // acks=0: the send completes once written to the socket, with
            // offset -1; with the socket's buffer full it waits in flight.
            if self.sockets.has_room(broker, bytes, self.config.send_buffer_bytes) {
                self.complete_unanswered(ctx, broker, correlation_id, batches, bytes);
            } else {
                self.track_request(ctx, correlation_id, InFlight::Unwritten { broker, batches, bytes });
            }
            return;
        }
        self.track_request(ctx, correlation_id, InFlight::Produce { broker, batches });
    }

    /// An acks=0 request is written to the socket: its records count as sent.
    fn complete_unanswered(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: BrokerId,
        correlation_id: CorrelationId,
        batches: Vec<ProducerBatch>,
        bytes: u32,
    ) {
        self.sockets.write(broker, correlation_id, bytes);
        for batch in batches {
            self.accumulator.done_in_flight(batch.tp);
            self.acknowledge(ctx, &batch, -1);
        }
    }

    /// The broker's TCP stack acknowledged an acks=0 request: requests
    /// waiting for room in that socket are written, in order.
    pub(super) fn on_tcp_ack(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId, correlation_id: CorrelationId) {
        self.sockets.acknowledge(broker, correlation_id);
        let waiting: Vec<(CorrelationId, u32)> = self
            .in_flight
            .iter()
            .filter_map(|(c, f)| match f {
                InFlight::Unwritten { broker: b, bytes, .. } if *b == broker => Some((c, *bytes)),
                _ => None,
            })
            .collect();
        for (correlation_id, bytes) in waiting {
            if !self.sockets.has_room(broker, bytes, self.config.send_buffer_bytes) {
                break;
            }
            if let Some(InFlight::Unwritten { batches, .. }) = self.in_flight.remove(&correlation_id) {
                self.complete_unanswered(ctx, broker, correlation_id, batches, bytes);
            }
        }
    }

    fn acknowledge(&mut self, ctx: &mut Ctx<'_>, batch: &ProducerBatch, base_offset: i64) {
        self.acknowledged += batch.batch.len() as u64;
        if let Some(base_sequence) = batch.base_sequence {
            let last = base_sequence.wrapping_add(batch.batch.len() as i32 - 1);
            self.last_acked_sequence.insert(batch.tp, last);
        }
        ctx.trace(TraceEvent::Acknowledged {
            producer: self.idx,
            tp: batch.tp,
            base_offset,
            batch: batch.batch.clone(),
        });
    }

    pub(super) fn on_produce_response(&mut self, ctx: &mut Ctx<'_>, response: ProduceResponse) {
        let Some(InFlight::Produce { batches, .. }) = self.in_flight.remove(&response.correlation_id) else {
            return; // answered after it timed out: the producer already moved on
        };
        for batch in batches {
            self.accumulator.done_in_flight(batch.tp);
            let result = response.partitions.iter().find(|p| p.tp == batch.tp);
            match result {
                Some(r) if r.error.is_ok() => self.acknowledge(ctx, &batch, r.base_offset),
                Some(r) => self.retry_or_fail(ctx, batch, r.error),
                None => self.retry_or_fail(ctx, batch, ErrorCode::NetworkException),
            }
        }
    }

    /// Remembers a request just sent, to time out after `request.timeout.ms`.
    pub(super) fn track_request(&mut self, ctx: &mut Ctx<'_>, correlation_id: CorrelationId, flight: InFlight) {
        let timeout = SimDuration::from_millis(self.config.request_timeout_ms);
        self.in_flight
            .track(ctx, correlation_id, timeout, flight, |at| Timer::Producer(ProducerTimer::RequestTimeout(at)));
    }

    /// The timer for the earliest request deadline, set for `at`, fired.
    pub(super) fn on_request_timeout(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        let expired = self.in_flight.time_out(ctx, at, |at| Timer::Producer(ProducerTimer::RequestTimeout(at)));
        if expired.is_empty() {
            return;
        }
        for (_, flight) in expired {
            // Kafka closes a connection whose request timed out, and asks
            // for fresh metadata (processTimeoutDisconnection).
            // Simplification: the other requests on that connection time
            // out at their own deadlines, not with it.
            let broker = flight.broker();
            self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
            self.sockets.close(broker);
            self.metadata.stale = true;
            self.request_failed(ctx, flight, ErrorCode::RequestTimedOut);
        }
        self.run_sender(ctx);
    }

    /// A request failed as a whole (timeout, disconnect).
    pub(super) fn fail_request(&mut self, ctx: &mut Ctx<'_>, correlation_id: CorrelationId, error: ErrorCode) {
        if let Some(flight) = self.in_flight.remove(&correlation_id) {
            self.request_failed(ctx, flight, error);
        }
    }

    fn request_failed(&mut self, ctx: &mut Ctx<'_>, flight: InFlight, error: ErrorCode) {
        match flight {
            InFlight::Produce { batches, .. } | InFlight::Unwritten { batches, .. } => {
                for batch in batches {
                    self.accumulator.done_in_flight(batch.tp);
                    self.retry_or_fail(ctx, batch, error);
                }
            }
            InFlight::Metadata { .. } => {
                self.metadata.stale = true;
                self.metadata.failed_update(ctx.now);
            }
            InFlight::InitProducerId { .. } | InFlight::EndTxn { .. } if self.transactions.is_some() => {
                self.on_coordinator_error(ctx, error)
            }
            InFlight::FindCoordinator { .. } => self.on_find_coordinator(ctx, error, None),
            InFlight::AddOffsetsToTxn { .. } => self.on_add_offsets_to_txn(ctx, error),
            InFlight::FindGroupCoordinator { .. } => self.on_find_group_coordinator(ctx, error, None),
            InFlight::TxnOffsetCommit { .. } => self.on_txn_offset_commit(ctx, error),
            InFlight::InitProducerId { .. } | InFlight::EndTxn { .. } => {}
        }
    }

    /// Kafka's `canRetry`: retriable, attempts left, and within
    /// `delivery.timeout.ms`. An idempotent producer also retries
    /// OUT_OF_ORDER_SEQUENCE_NUMBER, which means an earlier batch failed first.
    fn retry_or_fail(&mut self, ctx: &mut Ctx<'_>, mut batch: ProducerBatch, error: ErrorCode) {
        if error == ErrorCode::OutOfOrderSequenceNumber && self.sequence_is_unresolvable(&batch) {
            self.bump_epoch(ctx, batch.tp);
        }
        let retriable = error.is_retriable() || (self.idempotent && error == ErrorCode::OutOfOrderSequenceNumber);
        let deadline = batch.created_at + SimDuration::from_millis(self.config.delivery_timeout_ms);
        let can_retry = retriable && batch.attempts <= self.config.retries && ctx.now < deadline;
        ctx.trace(TraceEvent::ProduceFailed {
            producer: self.idx,
            tp: batch.tp,
            error,
            records: batch.batch.len() as u32,
            retry: can_retry,
            ids: batch.ids(),
        });
        if error.needs_metadata_refresh() {
            self.metadata.invalidate(batch.tp);
        }
        if can_retry {
            batch.retry_at = ctx.now + self.retry_backoff(batch.attempts);
            self.accumulator.reenqueue(batch);
        } else {
            let reason = if !retriable {
                format!("{error} (not retriable)")
            } else if ctx.now >= deadline {
                format!("{error}; delivery.timeout.ms={} passed", self.config.delivery_timeout_ms)
            } else {
                format!("{error}; retries={} used up", self.config.retries)
            };
            self.fail_batch(ctx, &batch, reason);
        }
    }

    fn fail_batch(&mut self, ctx: &mut Ctx<'_>, batch: &ProducerBatch, error: String) {
        self.failed += batch.batch.len() as u64;
        self.on_transactional_batch_failed(&error);
        ctx.trace(TraceEvent::DeliveryFailed { producer: self.idx, tp: batch.tp, error, ids: batch.ids() });
    }

    /// `retry.backoff.ms` doubling per attempt up to `retry.backoff.max.ms`, with
    /// Kafka's ±20% jitter (KIP-580; `RecordAccumulator.shouldBackoff`).
    fn retry_backoff(&mut self, attempts: u32) -> SimDuration {
        crate::client::backoff::exponential_backoff(
            self.config.retry_backoff_ms,
            self.config.retry_backoff_max_ms,
            attempts.saturating_sub(1),
            Some(&mut self.rng),
        )
    }

    /// OUT_OF_ORDER_SEQUENCE_NUMBER for the batch right after the last
    /// acknowledged one means the leader lost records it had acknowledged (an
    /// unclean election, a truncation): no earlier batch can fill the gap.
    fn sequence_is_unresolvable(&self, batch: &ProducerBatch) -> bool {
        let expected_next = self.last_acked_sequence.get(&batch.tp).map_or(0, |s| s.wrapping_add(1));
        self.idempotent && batch.base_sequence == Some(expected_next)
    }

    /// KIP-360: an idempotent producer bumps its epoch and numbers its records
    /// from 0 again, so the leader accepts them as a fresh sequence.
    fn bump_epoch(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        let Some((producer_id, epoch)) = self.producer_id else {
            return;
        };
        let producer_epoch = epoch.wrapping_add(1);
        self.producer_id = Some((producer_id, producer_epoch));
        self.last_acked_sequence.clear();
        self.accumulator.reset_sequences();
        ctx.trace(TraceEvent::Action {
            text: format!(
                "{} got OUT_OF_ORDER_SEQUENCE_NUMBER on {}: the leader lost records it had acknowledged. \
                 It bumps its producer epoch to {producer_epoch} and numbers its records from 0 again (KIP-360)",
                self.name,
                self.partition_name(tp)
            ),
        });
    }

    /// Fails batches that waited longer than `delivery.timeout.ms` without being sent.
    fn expire_batches(&mut self, ctx: &mut Ctx<'_>) {
        let timeout = SimDuration::from_millis(self.config.delivery_timeout_ms);
        let Some(created_before) = ctx.now.as_micros().checked_sub(timeout.as_micros()) else {
            return;
        };
        for batch in self.accumulator.expire(SimTime::from_micros(created_before)) {
            let reason = format!(
                "TimeoutException: expiring {} record(s) for {}: delivery.timeout.ms={} has passed since batch creation",
                batch.batch.len(),
                self.partition_name(batch.tp),
                self.config.delivery_timeout_ms
            );
            self.fail_batch(ctx, &batch, reason);
        }
    }

    /// A broker to ask for metadata (`leastLoadedNode`) over the brokers the
    /// metadata names (the bootstrap list before the first answer); `None`
    /// while its connection is still being set up.
    pub(super) fn pick_broker(&mut self, ctx: &mut Ctx<'_>) -> Option<BrokerId> {
        let brokers = if self.metadata.brokers.is_empty() { &self.bootstrap } else { &self.metadata.brokers };
        let nodes: Vec<NodeId> = brokers.iter().map(|&b| NodeId::Broker(b)).collect();
        let in_flight = |node: NodeId| self.in_flight.values().filter(|f| NodeId::Broker(f.broker()) == node).count();
        let max_in_flight = self.config.max_in_flight_requests_per_connection as usize;
        let node = self.connections.least_loaded_node(&nodes, ctx.now, in_flight, max_in_flight)?;
        let NodeId::Broker(broker) = node else {
            return None;
        };
        self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id).then_some(broker)
    }

    fn ensure_metadata(&mut self, ctx: &mut Ctx<'_>) {
        if self.in_flight.values().any(|f| matches!(f, InFlight::Metadata { .. }))
            || ctx.now < self.metadata.next_refresh_at(SimDuration::from_millis(self.config.retry_backoff_ms))
        {
            return;
        }
        let Some(broker) = self.pick_broker(ctx) else {
            return;
        };
        let correlation_id = self.next_correlation_id();
        ctx.send(
            NodeId::Broker(broker),
            Message::MetadataRequest(MetadataRequest {
                correlation_id,
                topics: self.all_topics(),
                auto_create: Vec::new(),
            }),
        );
        self.track_request(ctx, correlation_id, InFlight::Metadata { broker });
    }

    fn ensure_producer_id(&mut self, ctx: &mut Ctx<'_>) {
        if self.transactions.is_some() {
            self.init_transactions(ctx);
            return;
        }
        if self.in_flight.values().any(|f| matches!(f, InFlight::InitProducerId { .. })) {
            return;
        }
        let Some(broker) = self.pick_broker(ctx) else {
            return;
        };
        let correlation_id = self.next_correlation_id();
        ctx.send(
            NodeId::Broker(broker),
            Message::InitProducerIdRequest(InitProducerIdRequest {
                correlation_id,
                transactional_id: None,
                transaction_timeout_ms: 0,
                producer_id_and_epoch: None,
            }),
        );
        self.track_request(ctx, correlation_id, InFlight::InitProducerId { broker });
    }

    /// Sets one wake-up for the earliest moment anything waiting can move.
    fn schedule_wake(&mut self, ctx: &mut Ctx<'_>) {
        let linger = SimDuration::from_millis(self.config.linger_ms);
        let delivery = SimDuration::from_millis(self.config.delivery_timeout_ms);
        let candidates = [
            self.accumulator.next_linger_expiry(linger),
            self.accumulator.next_retry(ctx.now),
            self.connections.next_wake(ctx.now),
            self.accumulator.oldest_created().map(|t| t + delivery),
            self.transactions.as_ref().and_then(|t| t.next_retry(ctx.now)),
            self.metadata
                .stale
                .then(|| self.metadata.next_refresh_at(SimDuration::from_millis(self.config.retry_backoff_ms))),
        ];
        let Some(wake) = candidates.into_iter().flatten().filter(|&t| t > ctx.now).min() else {
            return;
        };
        if let Some(delay) = self.wake.request(ctx.now, wake) {
            ctx.set_timer(delay, Timer::Producer(ProducerTimer::Wake(wake)));
        }
    }
}

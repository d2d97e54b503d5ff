//! The registry's own Kafka client for `_schemas` (Confluent's `KafkaStore`
//! and `KafkaStoreReaderThread`): an ordinary producer and consumer of the
//! simulated cluster, speaking Metadata, Produce and Fetch to the brokers
//! like any client.
//!
//! - The writer sends one record at a time with `acks=all` to partition 0
//!   (`KafkaStore.put` waits for each record's acknowledgement) and retries
//!   after errors that say the leader moved.
//! - The reader is assigned partition 0 (no group) and fetches from offset 0
//!   for as long as the registry runs, long-polling for new records; every
//!   record it reads is handed to the registry, its own writes included.
//!
//! Simplification: the writer is not idempotent and sends no batches of
//! several records; a record whose acknowledgement is lost is not sent
//! again (the registry answers the REST call with a timeout instead).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::actor::{Ctx, InFlightRequests, Timer, WakeUp};
use crate::client::connections::Connections;
use crate::client::metadata_cache::MetadataCache;
use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, NodeId, RecordId, TopicPartition};
use crate::protocol::{
    Acks, CorrelationId, ErrorCode, FetchPartition, FetchRequest, FetchResponse, Message, MetadataRequest,
    ProduceRequest, ProduceResponse,
};

use super::RegistryTimer;

/// `request.timeout.ms` of the store's producer and consumer.
const REQUEST_TIMEOUT_MS: u64 = 30_000;
/// `fetch.max.wait.ms`: how long the reader's fetch waits for new records.
const FETCH_MAX_WAIT_MS: u64 = 500;
/// `retry.backoff.ms` between metadata refreshes and produce retries.
const RETRY_BACKOFF_MS: u64 = 100;
const PARTITION_MAX_BYTES: u64 = 1 << 20;

#[derive(Clone, Debug)]
enum StoreFlight {
    Metadata,
    Produce,
    Fetch { offset: i64 },
}

/// A record waiting to be written; `tag` tells the registry which it was.
#[derive(Clone, Debug)]
struct Outgoing {
    tag: u64,
    key: Vec<u8>,
    value: Option<Vec<u8>>,
}

/// What the store tells the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreEvent {
    /// The record written for `tag` is in the log at `offset` (acks=all).
    Written { tag: u64, offset: i64 },
    /// A record read from `_schemas`.
    Read { offset: i64, key: Option<Vec<u8>>, value: Option<Vec<u8>> },
}

#[derive(Clone, Debug)]
pub struct KafkaStore {
    pub tp: TopicPartition,
    bootstrap: Vec<BrokerId>,
    metadata: MetadataCache,
    connections: Connections,
    in_flight: InFlightRequests<StoreFlight>,
    next_correlation_id: CorrelationId,
    outbox: VecDeque<Outgoing>,
    /// The next offset the reader asks for.
    pub position: i64,
    retry_at: SimTime,
    wake: WakeUp,
}

impl KafkaStore {
    pub fn new(tp: TopicPartition, bootstrap: Vec<BrokerId>) -> Self {
        KafkaStore {
            tp,
            bootstrap,
            metadata: MetadataCache::default(),
            connections: Connections::default(),
            in_flight: InFlightRequests::default(),
            next_correlation_id: 0,
            outbox: VecDeque::new(),
            position: 0,
            retry_at: SimTime::ZERO,
            wake: WakeUp::default(),
        }
    }

    /// The process (re)starts: nothing is remembered, reading starts at 0.
    pub fn reset(&mut self) {
        *self = KafkaStore::new(self.tp, std::mem::take(&mut self.bootstrap));
    }

    /// Queues a record to write to `_schemas`.
    pub fn write(&mut self, tag: u64, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.outbox.push_back(Outgoing { tag, key, value });
    }

    /// Drops a queued or in-flight write (its REST call timed out).
    pub fn abandon(&mut self, tag: u64) {
        self.outbox.retain(|o| o.tag != tag);
    }

    /// The record to write next (for tests that play the cluster).
    #[cfg(test)]
    pub(crate) fn front_record(&self) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
        self.outbox.front().map(|o| (o.key.clone(), o.value.clone()))
    }

    fn next_id(&mut self) -> CorrelationId {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    fn track(&mut self, ctx: &mut Ctx<'_>, correlation_id: CorrelationId, timeout_ms: u64, flight: StoreFlight) {
        self.in_flight.track(ctx, correlation_id, SimDuration::from_millis(timeout_ms), flight, |at| {
            Timer::Registry(RegistryTimer::RequestTimeout(at))
        });
    }

    /// Sends what can be sent now: metadata, the next write, the next fetch.
    pub fn run(&mut self, ctx: &mut Ctx<'_>) {
        let leader = self.metadata.leader(self.tp);
        if leader.is_none() || self.metadata.stale {
            self.refresh_metadata(ctx);
        }
        if let Some(leader) = self.metadata.leader(self.tp) {
            let node = NodeId::Broker(leader);
            if self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id) {
                self.send_write(ctx, leader);
                self.send_fetch(ctx, leader);
            }
        }
        let mut wake = self.connections.next_wake(ctx.now);
        if self.retry_at > ctx.now {
            wake = Some(wake.map_or(self.retry_at, |w| w.min(self.retry_at)));
        }
        if let Some(at) = wake
            && let Some(delay) = self.wake.request(ctx.now, at)
        {
            ctx.set_timer(delay, Timer::Registry(RegistryTimer::Wake(at)));
        }
    }

    pub fn on_wake(&mut self, at: SimTime) {
        self.wake.fired(at);
    }

    fn refresh_metadata(&mut self, ctx: &mut Ctx<'_>) {
        if self.in_flight.values().any(|f| matches!(f, StoreFlight::Metadata)) || ctx.now < self.retry_at {
            return;
        }
        let n = self.bootstrap.len();
        let start = self.next_correlation_id as usize % n.max(1);
        let Some(broker) = (0..n)
            .map(|i| self.bootstrap[(start + i) % n])
            .find(|&b| self.connections.ready_or_connect(ctx, NodeId::Broker(b), &mut self.next_correlation_id))
        else {
            return;
        };
        let correlation_id = self.next_id();
        let topics = vec![self.tp.topic];
        ctx.send(
            NodeId::Broker(broker),
            Message::MetadataRequest(MetadataRequest { correlation_id, topics, auto_create: Vec::new() }),
        );
        self.track(ctx, correlation_id, REQUEST_TIMEOUT_MS, StoreFlight::Metadata);
    }

    fn send_write(&mut self, ctx: &mut Ctx<'_>, leader: BrokerId) {
        if ctx.now < self.retry_at || self.in_flight.values().any(|f| matches!(f, StoreFlight::Produce)) {
            return;
        }
        let Some(next) = self.outbox.front() else { return };
        let mut batch = RecordBatchBuilder::new(ProducerStamp::NONE);
        batch.push(RecordId::INTERNAL, ctx.now.as_millis(), Some(&next.key), next.value.as_deref(), &[]);
        let correlation_id = self.next_id();
        let request = ProduceRequest {
            correlation_id,
            transactional_id: None,
            acks: Acks::All,
            timeout_ms: REQUEST_TIMEOUT_MS,
            partitions: vec![(self.tp, Arc::new(batch.build()))],
        };
        ctx.send(NodeId::Broker(leader), Message::ProduceRequest(request));
        self.track(ctx, correlation_id, REQUEST_TIMEOUT_MS, StoreFlight::Produce);
    }

    fn send_fetch(&mut self, ctx: &mut Ctx<'_>, leader: BrokerId) {
        if self.in_flight.values().any(|f| matches!(f, StoreFlight::Fetch { .. })) {
            return;
        }
        let correlation_id = self.next_id();
        let request = FetchRequest {
            correlation_id,
            replica: None,
            max_wait_ms: FETCH_MAX_WAIT_MS,
            min_bytes: 1,
            partition_max_bytes: PARTITION_MAX_BYTES,
            // The registry's store reader reads what the leader has, as a
            // consumer with the default isolation level does.
            isolation_level: crate::protocol::IsolationLevel::default(),
            partitions: vec![FetchPartition {
                tp: self.tp,
                fetch_offset: self.position,
                current_leader_epoch: self.metadata.leader_epoch(self.tp),
                last_fetched_epoch: None,
                log_start_offset: -1,
            }],
        };
        ctx.send(NodeId::Broker(leader), Message::FetchRequest(request));
        let offset = self.position;
        self.track(ctx, correlation_id, REQUEST_TIMEOUT_MS + FETCH_MAX_WAIT_MS, StoreFlight::Fetch { offset });
    }

    /// A message from a broker; returns what the registry should learn.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: BrokerId, message: Message) -> Vec<StoreEvent> {
        let mut events = Vec::new();
        match message {
            Message::ApiVersionsResponse { correlation_id } => {
                self.connections.on_api_versions(NodeId::Broker(from), correlation_id);
            }
            Message::MetadataResponse(response) if self.in_flight.remove(&response.correlation_id).is_some() => {
                self.metadata.update(&response, ctx.now);
                if self.metadata.leader(self.tp).is_none() {
                    self.retry_at = ctx.now + SimDuration::from_millis(RETRY_BACKOFF_MS);
                    self.metadata.stale = true;
                }
            }
            Message::ProduceResponse(response) => self.on_produce_response(ctx, response, &mut events),
            Message::FetchResponse(response) => self.on_fetch_response(response, &mut events),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(NodeId::Broker(from), ctx.now);
                self.metadata.stale = true;
                if let Some(c) = correlation_id {
                    self.in_flight.remove(&c);
                }
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(NodeId::Broker(from), ctx.now);
                self.metadata.stale = true;
                // Every request to that broker is lost with the connection.
                let lost: Vec<CorrelationId> = self.in_flight.iter().map(|(c, _)| c).collect();
                for c in lost {
                    self.in_flight.remove(&c);
                }
            }
            _ => {}
        }
        self.run(ctx);
        events
    }

    fn on_produce_response(&mut self, ctx: &mut Ctx<'_>, response: ProduceResponse, events: &mut Vec<StoreEvent>) {
        if self.in_flight.remove(&response.correlation_id).is_none() {
            return;
        }
        let Some(p) = response.partitions.into_iter().find(|p| p.tp == self.tp) else { return };
        if p.error == ErrorCode::None {
            if let Some(done) = self.outbox.pop_front() {
                events.push(StoreEvent::Written { tag: done.tag, offset: p.base_offset });
            }
        } else {
            // NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS...: find the leader and try again.
            self.metadata.invalidate(self.tp);
            self.retry_at = ctx.now + SimDuration::from_millis(RETRY_BACKOFF_MS);
        }
    }

    fn on_fetch_response(&mut self, response: FetchResponse, events: &mut Vec<StoreEvent>) {
        let Some(StoreFlight::Fetch { offset }) = self.in_flight.remove(&response.correlation_id) else { return };
        for p in response.partitions.into_iter().filter(|p| p.tp == self.tp) {
            if offset != self.position {
                continue;
            }
            match p.error {
                ErrorCode::None => {
                    for batch in &p.batches {
                        for (record_offset, record) in batch.records() {
                            if record_offset >= self.position {
                                events.push(StoreEvent::Read {
                                    offset: record_offset,
                                    key: record.key().map(<[u8]>::to_vec),
                                    value: record.value().map(<[u8]>::to_vec),
                                });
                            }
                        }
                        self.position = self.position.max(batch.next_offset());
                    }
                }
                ErrorCode::OffsetOutOfRange => self.position = p.log_start_offset,
                _ => self.metadata.invalidate(self.tp),
            }
        }
    }

    /// The request deadline timer fired: timed-out requests are forgotten
    /// (and their connection counted as failed).
    pub fn on_request_timeout(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        let expired = self.in_flight.time_out(ctx, at, |at| Timer::Registry(RegistryTimer::RequestTimeout(at)));
        if !expired.is_empty() {
            self.metadata.stale = true;
            if let Some(leader) = self.metadata.leader(self.tp) {
                self.connections.on_disconnect(NodeId::Broker(leader), ctx.now);
            }
        }
    }
}

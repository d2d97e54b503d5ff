//! A Kafka producer: the application's `send()` calls, the partitioner, the
//! record accumulator and the sender that turns ready batches into
//! ProduceRequests, with acks, retries, timeouts and idempotence as Kafka's Java
//! producer does them.
//!
//! Kafka 4.0 defaults apply: `acks=all`, idempotence on (silently off if acks is
//! not all), `linger.ms=5`, `retries` unbounded within `delivery.timeout.ms`.
//!
//! Simplification: `buffer.memory` and `max.block.ms` are not modelled — a
//! producer never blocks the application for lack of buffer space.

mod accumulator;
mod avro;
mod sender;

use std::collections::BTreeMap;

use crate::actor::{Ctx, InFlightRequests, Timer, WakeUp};
use crate::client::connections::Connections;
use crate::client::metadata_cache::MetadataCache;
use crate::client::partitioner::{StickyPartitioner, partition_for_key};
use crate::client::workload::{Outgoing, Workload};
use crate::config::ProducerConfig;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::{BrokerId, ClientIdx, NodeId, RecordId, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, Message};
use crate::trace::TraceEvent;

pub use accumulator::{Accumulator, ProducerBatch};

/// Timers a producer sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProducerTimer {
    /// The application's `tick`-th round of `send()` calls.
    Tick(u64),
    /// Time to look at the accumulator again (linger, backoff, connections).
    Wake(SimTime),
    /// The earliest deadline (`request.timeout.ms`) of the requests in
    /// flight, set for this time.
    RequestTimeout(SimTime),
    /// `metadata.max.age.ms` passed.
    MetadataMaxAge,
    /// The Avro serializer's registry call: retry or time out.
    Serde(crate::client::serde::SerdeTimer),
}

/// What a request in flight was for.
#[derive(Clone, Debug)]
enum InFlight {
    Produce { broker: BrokerId, batches: Vec<ProducerBatch> },
    Metadata { broker: BrokerId },
    InitProducerId { broker: BrokerId },
}

/// A record `send()` was called for before the topic's metadata was known.
#[derive(Clone, Debug)]
struct Unpartitioned {
    id: RecordId,
    timestamp_ms: i64,
    record: Outgoing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProducerPhase {
    NotStarted,
    Running,
    /// `close()` was called: no new sends; unsent records are flushed.
    Closing,
    Closed,
    Crashed,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ProducerConfig,
    pub idempotent: bool,
    pub topic: TopicId,
    /// The topic's name, for messages the application sees.
    pub topic_name: String,
    pub workload: Workload,
    pub phase: ProducerPhase,
    bootstrap: Vec<BrokerId>,
    rng: SimRng,
    pub metadata: MetadataCache,
    connections: Connections,
    pub accumulator: Accumulator,
    sticky: StickyPartitioner,
    unpartitioned: Vec<Unpartitioned>,
    in_flight: InFlightRequests<InFlight>,
    next_correlation_id: CorrelationId,
    pub producer_id: Option<(i64, i16)>,
    /// Idempotence: per partition, the sequence number of the last record acknowledged.
    last_acked_sequence: BTreeMap<TopicPartition, i32>,
    wake: WakeUp,
    /// Records handed to `send()` so far (the next record number).
    pub sent: u64,
    pub acknowledged: u64,
    pub failed: u64,
    /// Confluent's Avro serializer, when the producer writes Avro.
    pub serializer: Option<crate::client::serde::serializer::AvroSerializer>,
}

impl Producer {
    pub fn new(
        idx: ClientIdx,
        name: String,
        config: ProducerConfig,
        topic: (TopicId, String),
        workload: Workload,
        bootstrap: Vec<BrokerId>,
        rng: SimRng,
    ) -> Self {
        let (topic, topic_name) = topic;
        let idempotent = config.effective_idempotence().unwrap_or(false);
        Producer {
            idx,
            name,
            config,
            idempotent,
            topic,
            topic_name,
            workload,
            phase: ProducerPhase::NotStarted,
            bootstrap,
            rng,
            metadata: MetadataCache::default(),
            connections: Connections::default(),
            accumulator: Accumulator::default(),
            sticky: StickyPartitioner::default(),
            unpartitioned: Vec::new(),
            in_flight: InFlightRequests::default(),
            next_correlation_id: 0,
            producer_id: None,
            last_acked_sequence: BTreeMap::new(),
            wake: WakeUp::default(),
            sent: 0,
            acknowledged: 0,
            failed: 0,
            serializer: None,
        }
    }

    fn me(&self) -> NodeId {
        NodeId::Producer(self.idx)
    }

    fn next_correlation_id(&mut self) -> CorrelationId {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    /// The application creates the producer and starts its send loop.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.phase = ProducerPhase::Running;
        if let Some(at) = self.workload.tick_time(0) {
            ctx.set_timer(at.saturating_sub(ctx.now), Timer::Producer(ProducerTimer::Tick(0)));
        }
        self.run_sender(ctx);
    }

    /// `close()`: stop sending new records, flush the rest.
    pub fn close(&mut self, ctx: &mut Ctx<'_>) {
        if self.phase == ProducerPhase::Running {
            self.phase = ProducerPhase::Closing;
            self.run_sender(ctx);
        }
    }

    /// The process dies: everything not yet acknowledged is gone.
    pub fn crash(&mut self) {
        self.phase = ProducerPhase::Crashed;
        self.accumulator = Accumulator::default();
        self.unpartitioned.clear();
        self.in_flight.clear();
        self.connections.clear();
        self.wake.clear();
        if let Some(serializer) = &mut self.serializer {
            serializer.reset();
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: ProducerTimer) {
        if !matches!(self.phase, ProducerPhase::Running | ProducerPhase::Closing) {
            return;
        }
        match timer {
            ProducerTimer::Tick(tick) => self.on_tick(ctx, tick),
            ProducerTimer::Wake(at) => {
                self.wake.fired(at);
                self.run_sender(ctx);
            }
            ProducerTimer::RequestTimeout(at) => self.on_request_timeout(ctx, at),
            ProducerTimer::MetadataMaxAge => {
                self.metadata.stale = true;
                self.run_sender(ctx);
            }
            ProducerTimer::Serde(timer) => self.on_serde_timer(ctx, timer),
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_>, tick: u64) {
        if self.phase != ProducerPhase::Running {
            return;
        }
        let per_tick = u64::from(self.workload.schedule.per_tick);
        let remaining = self.workload.schedule.count.saturating_sub(self.sent);
        let mut wake_sender = false;
        for _ in 0..per_tick.min(remaining) {
            let record = self.workload.generate(self.sent, &self.name, ctx.now, &mut self.rng);
            wake_sender |= self.send_from_application(ctx, record);
        }
        if let Some(at) = self.workload.tick_time(tick + 1) {
            ctx.set_timer(at.saturating_sub(ctx.now), Timer::Producer(ProducerTimer::Tick(tick + 1)));
        }
        if wake_sender {
            self.run_sender(ctx);
        }
    }

    /// The application's `send()`: one record, partitioned and appended.
    /// Returns whether the sender must wake: as in `KafkaProducer.doSend`,
    /// only when the append started a new batch or filled one (a record
    /// added to a lingering batch changes nothing the sender acts on; the
    /// linger timer wakes it), or when the record waits for metadata.
    pub fn send(&mut self, ctx: &mut Ctx<'_>, record: Outgoing) -> bool {
        let id = RecordId { producer: self.idx, number: self.sent };
        self.sent += 1;
        let timestamp_ms = ctx.now.as_millis();
        if self.metadata.partition_counts.contains_key(&self.topic) {
            self.partition_and_append(ctx, id, timestamp_ms, record)
        } else {
            // Kafka's send() blocks for metadata; the record waits here meanwhile.
            self.unpartitioned.push(Unpartitioned { id, timestamp_ms, record });
            self.metadata.stale = true;
            true
        }
    }

    fn choose_partition(&mut self, key: Option<&[u8]>) -> u32 {
        let partitions = self.metadata.partition_counts[&self.topic];
        if let Some(p) = self.workload.partition {
            return p;
        }
        match key {
            Some(key) if !self.config.partitioner_ignore_keys => partition_for_key(key, partitions),
            _ => {
                let available = self.metadata.available_partitions(self.topic);
                self.sticky.partition(&available, partitions, &mut self.rng)
            }
        }
    }

    /// Returns whether the sender must wake (see `send`).
    fn partition_and_append(&mut self, ctx: &mut Ctx<'_>, id: RecordId, timestamp_ms: i64, record: Outgoing) -> bool {
        let partition = self.choose_partition(record.key.as_deref());
        let tp = TopicPartition::new(self.topic, partition);
        let headers: Vec<(&[u8], Option<&[u8]>)> =
            record.headers.iter().map(|(k, v)| (k.as_slice(), v.as_deref())).collect();
        ctx.trace(TraceEvent::Send {
            producer: self.idx,
            tp,
            id,
            key: record.key.as_deref().map(std::sync::Arc::from),
        });
        // The record alone in a batch: what max.request.size is checked against.
        let size = crate::cluster::record::BATCH_HEADER_BYTES
            + crate::cluster::record::record_size(
                0,
                0,
                record.key.as_ref().map(Vec::len),
                record.value.as_ref().map(Vec::len),
                &headers,
            );
        if size > self.config.max_request_size {
            self.failed += 1;
            ctx.trace(TraceEvent::DeliveryFailed {
                producer: self.idx,
                tp,
                error: format!(
                    "RecordTooLargeException: the record is {size} bytes, larger than max.request.size={}",
                    self.config.max_request_size
                ),
                ids: vec![id],
            });
            return false;
        }
        let result = self.accumulator.append(
            tp,
            id,
            timestamp_ms,
            record.key.as_deref(),
            record.value.as_deref(),
            &headers,
            self.config.batch_size,
            ctx.now,
        );
        if record.key.is_none() || self.config.partitioner_ignore_keys {
            self.sticky.on_append(
                u64::from(result.appended_bytes),
                result.new_batch_started,
                u64::from(self.config.batch_size),
            );
        }
        result.new_batch_started || result.batch_is_full
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        if !matches!(self.phase, ProducerPhase::Running | ProducerPhase::Closing) {
            return;
        }
        if from == NodeId::SchemaRegistry {
            self.on_registry_message(ctx, message);
            return;
        }
        let NodeId::Broker(broker) = from else {
            return;
        };
        match message {
            Message::ApiVersionsResponse { correlation_id } => {
                self.connections.on_api_versions(from, correlation_id);
            }
            Message::MetadataResponse(response) => {
                if matches!(self.in_flight.remove(&response.correlation_id), Some(InFlight::Metadata { .. })) {
                    self.metadata.update(&response, ctx.now);
                    ctx.trace(TraceEvent::MetadataUpdated { node: self.me(), summary: self.metadata_summary() });
                    ctx.set_timer(
                        SimDuration::from_millis(self.config.metadata_max_age_ms),
                        Timer::Producer(ProducerTimer::MetadataMaxAge),
                    );
                    self.partition_waiting_records(ctx);
                }
            }
            Message::InitProducerIdResponse(response)
                if self.in_flight.remove(&response.correlation_id).is_some() && response.error.is_ok() =>
            {
                self.producer_id = Some((response.producer_id, response.producer_epoch));
                ctx.trace(TraceEvent::ProducerId {
                    producer: self.idx,
                    producer_id: response.producer_id,
                    producer_epoch: response.producer_epoch,
                });
            }
            Message::ProduceResponse(response) => self.on_produce_response(ctx, response),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                if let Some(correlation_id) = correlation_id {
                    self.fail_request(ctx, correlation_id, crate::protocol::ErrorCode::NetworkException);
                }
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                let to_broker: Vec<CorrelationId> =
                    self.in_flight.iter().filter(|(_, f)| f.broker() == broker).map(|(c, _)| c).collect();
                for correlation_id in to_broker {
                    self.fail_request(ctx, correlation_id, crate::protocol::ErrorCode::NetworkException);
                }
            }
            _ => {}
        }
        self.run_sender(ctx);
    }

    fn partition_waiting_records(&mut self, ctx: &mut Ctx<'_>) {
        if !self.metadata.partition_counts.contains_key(&self.topic) {
            return;
        }
        for waiting in std::mem::take(&mut self.unpartitioned) {
            self.partition_and_append(ctx, waiting.id, waiting.timestamp_ms, waiting.record);
        }
    }

    /// `orders-0`: a partition of this producer's topic, as Kafka writes it.
    pub(super) fn partition_name(&self, tp: TopicPartition) -> String {
        format!("{}-{}", self.topic_name, tp.partition)
    }

    fn metadata_summary(&self) -> String {
        let leaders: Vec<String> = self
            .metadata
            .leaders
            .iter()
            .filter(|(tp, _)| tp.topic == self.topic)
            .map(|(tp, (b, _))| format!("p{}→{}", tp.partition, b))
            .collect();
        format!("leaders {}", leaders.join(" "))
    }

    /// Records not yet acknowledged or failed (waiting, in flight).
    pub fn unfinished_records(&self) -> usize {
        self.accumulator.pending_records()
            + self.unpartitioned.len()
            + self.records_in_serializer()
            + self
                .in_flight
                .values()
                .map(|f| match f {
                    InFlight::Produce { batches, .. } => batches.iter().map(|b| b.batch.len()).sum(),
                    _ => 0,
                })
                .sum::<usize>()
    }

    pub fn in_flight_requests(&self) -> usize {
        self.in_flight.len()
    }
}

impl InFlight {
    fn broker(&self) -> BrokerId {
        match self {
            InFlight::Produce { broker, .. } | InFlight::Metadata { broker } | InFlight::InitProducerId { broker } => {
                *broker
            }
        }
    }
}

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
mod node_latency;
mod sender;
mod socket_buffer;
mod transactional;

pub use transactional::{TransactionManager, TxnClientState};

use std::collections::BTreeMap;

use crate::actor::{Ctx, InFlightRequests, Timer, WakeUp};
use crate::client::connections::Connections;
use crate::client::metadata_cache::MetadataCache;
use crate::client::partitioner::{BuiltInPartitioner, ClientPartitioner, TopicPartitions, partition_for_key};
use crate::client::workload::{Outgoing, Workload};
use crate::config::ProducerConfig;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::{BrokerId, ClientIdx, NodeId, RecordId, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, Message};
use crate::trace::TraceEvent;

pub use accumulator::{Accumulator, NewRecord, ProducerBatch};

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
    Produce {
        broker: BrokerId,
        batches: Vec<ProducerBatch>,
    },
    /// An acks=0 request waiting for room in the socket's send buffer.
    Unwritten {
        broker: BrokerId,
        batches: Vec<ProducerBatch>,
        bytes: u32,
    },
    Metadata {
        broker: BrokerId,
    },
    InitProducerId {
        broker: BrokerId,
    },
    /// FindCoordinator(TRANSACTION) of a transactional producer.
    FindCoordinator {
        broker: BrokerId,
    },
    /// EndTxn (commit or abort) to the transaction coordinator.
    EndTxn {
        broker: BrokerId,
    },
}

/// The random streams of a producer, each drawn from the scenario seed.
#[derive(Clone, Debug)]
pub struct ProducerRngs {
    /// The workload's keys and values, and retry backoff jitter.
    pub workload: SimRng,
    /// The built-in partitioner's choice of sticky partition.
    pub partitioner: SimRng,
    /// Connection backoff jitter and the random start of least-loaded node choice.
    pub network: SimRng,
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
    /// Topics a transaction writes to besides `topic`, with their names.
    pub other_topics: Vec<(TopicId, String)>,
    /// The built-in partitioner of each other topic (Kafka keeps one per topic).
    other_partitioners: BTreeMap<TopicId, BuiltInPartitioner>,
    pub workload: Workload,
    pub phase: ProducerPhase,
    bootstrap: Vec<BrokerId>,
    rng: SimRng,
    pub metadata: MetadataCache,
    connections: Connections,
    pub accumulator: Accumulator,
    /// The built-in partitioner for keyless records, with its own random
    /// stream so the workload's draws stay as they were.
    partitioner: BuiltInPartitioner,
    /// kafka-python's or librdkafka's partitioner, for every record without
    /// a partition (`None`: the Java client's). It draws from the same
    /// partitioner stream: a producer has only one of the two.
    client_partitioner: Option<ClientPartitioner>,
    partitioner_rng: SimRng,
    node_latency: node_latency::NodeLatencyStats,
    sockets: socket_buffer::SocketBuffers,
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
    /// The transaction manager of a producer with a `transactional.id`.
    pub transactions: Option<TransactionManager>,
}

impl Producer {
    pub fn new(
        idx: ClientIdx,
        name: String,
        config: ProducerConfig,
        topic: (TopicId, String),
        workload: Workload,
        bootstrap: Vec<BrokerId>,
        rngs: ProducerRngs,
    ) -> Self {
        let (topic, topic_name) = topic;
        let idempotent = config.effective_idempotence().unwrap_or(false);
        let partitioner = BuiltInPartitioner::new(config.batch_size);
        let client_partitioner = Self::client_partitioner(&config);
        let connections = Connections::new(config.network, rngs.network);
        let metadata = MetadataCache::with_retry_backoff_max(config.retry_backoff_max_ms);
        Producer {
            idx,
            name,
            config,
            idempotent,
            topic,
            topic_name,
            other_topics: Vec::new(),
            other_partitioners: BTreeMap::new(),
            workload,
            phase: ProducerPhase::NotStarted,
            bootstrap,
            rng: rngs.workload,
            metadata,
            connections,
            accumulator: Accumulator::default(),
            partitioner,
            client_partitioner,
            partitioner_rng: rngs.partitioner,
            node_latency: Default::default(),
            sockets: Default::default(),
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
            transactions: None,
        }
    }

    /// Makes the producer transactional: it runs `initTransactions()`
    /// before anything else.
    pub fn with_transactions(mut self, plan: Option<crate::client::transaction_plan::TransactionPlan>) -> Self {
        self.transactions =
            plan.zip(self.config.transactional_id.clone()).map(|(plan, id)| TransactionManager::new(id, plan));
        self
    }

    /// The topics its transactions write to besides its own (with names).
    pub fn with_other_topics(mut self, topics: Vec<(TopicId, String)>) -> Self {
        self.other_topics = topics.into_iter().filter(|(id, _)| *id != self.topic).collect();
        self
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
        self.partitioner = BuiltInPartitioner::new(self.config.batch_size);
        self.client_partitioner = Self::client_partitioner(&self.config);
        self.unpartitioned.clear();
        self.in_flight.clear();
        self.connections.clear();
        self.sockets.clear();
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
                self.metadata.expired();
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
        if let Some(txn) = &self.transactions {
            // The application's work arrives on schedule; it sends it in
            // transactions when it is not blocked in the coordinator.
            let queued = self.sent + txn.backlog;
            let count = per_tick.min(self.workload.schedule.count.saturating_sub(queued));
            if let Some(at) = self.workload.tick_time(tick + 1) {
                ctx.set_timer(at.saturating_sub(ctx.now), Timer::Producer(ProducerTimer::Tick(tick + 1)));
            }
            self.queue_transactional_records(ctx, count);
            return;
        }
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
        let timestamp_ms = record.timestamp_ms.unwrap_or_else(|| ctx.now.as_millis());
        if self.metadata.partition_counts.contains_key(&record.topic.unwrap_or(self.topic)) {
            self.partition_and_append(ctx, id, timestamp_ms, record)
        } else {
            // Kafka's send() blocks for metadata; the record waits here meanwhile.
            self.unpartitioned.push(Unpartitioned { id, timestamp_ms, record });
            self.metadata.stale = true;
            true
        }
    }

    fn client_partitioner(config: &ProducerConfig) -> Option<ClientPartitioner> {
        ClientPartitioner::for_client(
            config.client,
            config.rdkafka_partitioner,
            config.effective_sticky_partitioning_linger_ms(),
        )
    }

    /// `send()` for each record an application hands over at once (a Kafka
    /// Streams thread forwarding what it processed), then wakes the sender
    /// if any of them needs it.
    pub fn send_records(&mut self, ctx: &mut Ctx<'_>, records: Vec<Outgoing>) {
        if self.phase != ProducerPhase::Running {
            return;
        }
        let mut wake_sender = false;
        for record in records {
            wake_sender |= self.send(ctx, record);
        }
        if wake_sender {
            self.run_sender(ctx);
        }
    }

    /// The partition a record goes to before it is appended: `None` for the
    /// Java client's built-in sticky partitioner, which chooses while
    /// appending (`KafkaProducer.partition` returns `UNKNOWN_PARTITION`).
    fn chosen_partition(&mut self, topic: TopicId, key: Option<&[u8]>, now: SimTime) -> Option<u32> {
        let partitions = self.metadata.partition_counts[&topic];
        if let Some(p) = self.workload.partition
            && topic == self.topic
        {
            return Some(p);
        }
        if let Some(partitioner) = &mut self.client_partitioner {
            let available = self.metadata.available_partitions(topic);
            let topic = TopicPartitions { available: &available, count: partitions };
            return Some(partitioner.partition(key, topic, now, &mut self.partitioner_rng));
        }
        match key {
            Some(key) if !self.config.partitioner_ignore_keys => Some(partition_for_key(key, partitions)),
            _ => None,
        }
    }

    /// Returns whether the sender must wake (see `send`).
    fn partition_and_append(&mut self, ctx: &mut Ctx<'_>, id: RecordId, timestamp_ms: i64, record: Outgoing) -> bool {
        let topic = record.topic.unwrap_or(self.topic);
        let chosen = record.partition.or_else(|| self.chosen_partition(topic, record.key.as_deref(), ctx.now));
        let headers: Vec<(&[u8], Option<&[u8]>)> =
            record.headers.iter().map(|(k, v)| (k.as_slice(), v.as_deref())).collect();
        let new_record = NewRecord {
            id,
            timestamp_ms,
            key: record.key.as_deref(),
            value: record.value.as_deref(),
            headers: &headers,
        };
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
            let available = self.metadata.available_partitions(topic);
            let partitions = TopicPartitions { available: &available, count: self.metadata.partition_counts[&topic] };
            let partitioner = if topic == self.topic {
                &mut self.partitioner
            } else {
                self.other_partitioners.entry(topic).or_insert_with(|| BuiltInPartitioner::new(self.config.batch_size))
            };
            let partition =
                chosen.unwrap_or_else(|| partitioner.peek_current_partition(partitions, &mut self.partitioner_rng));
            let tp = TopicPartition::new(topic, partition);
            self.trace_send(ctx, tp, id, record.key.as_deref());
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
        let (tp, result) = match chosen {
            Some(partition) => {
                let tp = TopicPartition::new(topic, partition);
                (tp, self.accumulator.append(tp, &new_record, self.config.batch_size, ctx.now))
            }
            None => {
                let available = self.metadata.available_partitions(topic);
                let partitions =
                    TopicPartitions { available: &available, count: self.metadata.partition_counts[&topic] };
                let partitioner = if topic == self.topic {
                    &mut self.partitioner
                } else {
                    self.other_partitioners
                        .entry(topic)
                        .or_insert_with(|| BuiltInPartitioner::new(self.config.batch_size))
                };
                self.accumulator.append_sticky(
                    (partitioner, &mut self.partitioner_rng),
                    (topic, partitions),
                    &new_record,
                    self.config.batch_size,
                    ctx.now,
                )
            }
        };
        self.trace_send(ctx, tp, id, record.key.as_deref());
        result.new_batch_created || result.batch_is_full
    }

    fn trace_send(&self, ctx: &mut Ctx<'_>, tp: TopicPartition, id: RecordId, key: Option<&[u8]>) {
        ctx.trace(TraceEvent::Send { producer: self.idx, tp, id, key: key.map(std::sync::Arc::from) });
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
            Message::InitProducerIdResponse(response) if self.in_flight.remove(&response.correlation_id).is_some() => {
                if response.error.is_ok() {
                    self.producer_id = Some((response.producer_id, response.producer_epoch));
                    ctx.trace(TraceEvent::ProducerId {
                        producer: self.idx,
                        producer_id: response.producer_id,
                        producer_epoch: response.producer_epoch,
                    });
                    self.on_transactions_initialized();
                    self.pump_transactions(ctx);
                } else {
                    self.on_coordinator_error(ctx, response.error);
                }
            }
            Message::Txn(crate::protocol::TxnMessage::FindCoordinatorResponse {
                correlation_id,
                error,
                coordinator,
            }) if self.in_flight.remove(&correlation_id).is_some() => {
                self.on_find_coordinator(ctx, error, coordinator);
            }
            Message::Txn(crate::protocol::TxnMessage::EndTxnResponse {
                correlation_id,
                error,
                producer_id,
                producer_epoch,
            }) if self.in_flight.remove(&correlation_id).is_some() => {
                self.on_end_txn(ctx, error, (producer_id, producer_epoch));
            }
            Message::ProduceResponse(response) => self.on_produce_response(ctx, response),
            Message::TcpAck { correlation_id } => self.on_tcp_ack(ctx, broker, correlation_id),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                self.forget_coordinator_if(broker);
                self.sockets.close(broker);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                if let Some(correlation_id) = correlation_id {
                    self.fail_request(ctx, correlation_id, crate::protocol::ErrorCode::NetworkException);
                }
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                self.forget_coordinator_if(broker);
                self.sockets.close(broker);
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
        for waiting in std::mem::take(&mut self.unpartitioned) {
            if self.metadata.partition_counts.contains_key(&waiting.record.topic.unwrap_or(self.topic)) {
                self.partition_and_append(ctx, waiting.id, waiting.timestamp_ms, waiting.record);
            } else {
                self.unpartitioned.push(waiting);
            }
        }
    }

    /// `orders-0`: a partition of one of this producer's topics, as Kafka writes it.
    pub(super) fn partition_name(&self, tp: TopicPartition) -> String {
        let topic = self.other_topics.iter().find(|(id, _)| *id == tp.topic).map_or(&self.topic_name, |(_, n)| n);
        format!("{topic}-{}", tp.partition)
    }

    /// Every topic this producer writes to: its own, then its transactions' others.
    pub(super) fn all_topics(&self) -> Vec<TopicId> {
        std::iter::once(self.topic).chain(self.other_topics.iter().map(|(id, _)| *id)).collect()
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
                    InFlight::Produce { batches, .. } | InFlight::Unwritten { batches, .. } => {
                        batches.iter().map(|b| b.batch.len()).sum()
                    }
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
            InFlight::Produce { broker, .. }
            | InFlight::Unwritten { broker, .. }
            | InFlight::Metadata { broker }
            | InFlight::InitProducerId { broker }
            | InFlight::FindCoordinator { broker }
            | InFlight::EndTxn { broker } => *broker,
        }
    }
}

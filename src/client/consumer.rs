//! A Kafka consumer: the application's poll loop, positions per partition, and
//! the fetcher that long-polls partition leaders for records below the high
//! watermark.
//!
//! Where a consumer starts on a partition: an explicit seek, else (in a group)
//! its committed offset, else `auto.offset.reset` — `latest` (the default) starts
//! at the high watermark, so records written before the consumer started are
//! never seen; `earliest` starts at the log start offset.
//!
//! The application takes up to `max.poll.records` records per `poll()` and
//! spends `processing` time on each before polling again.

mod fetcher;

use std::collections::{BTreeMap, VecDeque};

use crate::actor::{Ctx, Timer};
use crate::client::connections::Connections;
use crate::client::metadata_cache::MetadataCache;
use crate::cluster::record::LogBatch;
use crate::config::ConsumerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ClientIdx, NodeId, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, Message};
use crate::trace::TraceEvent;

/// Timers a consumer sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerTimer {
    /// The application finished processing the records of its last poll.
    ProcessingDone,
    /// Time to look again (connection backoff, retry backoff).
    Wake,
    RequestTimeout(CorrelationId),
}

/// Where the consumer stands on one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// No position yet: it must be reset by `auto.offset.reset`.
    Unknown,
    /// A ListOffsets request is finding it.
    Resetting,
    /// The next offset `poll()` will return.
    At(i64),
    /// `auto.offset.reset=none` and nothing to start from: the application got
    /// an exception and this partition is not consumed.
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerPhase {
    NotStarted,
    Running,
    Stopped,
    Crashed,
}

/// What the application is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    /// Inside `poll()`, waiting for records.
    Polling,
    /// Processing the records of the last poll until this time.
    Processing(SimTime),
}

/// A fetched batch waiting in the consumer's buffer. Records below the
/// partition's position have already been returned.
#[derive(Clone, Debug)]
struct Buffered {
    tp: TopicPartition,
    batch: LogBatch,
}

#[derive(Clone, Debug)]
enum InFlight {
    Metadata,
    Fetch { broker: BrokerId, offsets: Vec<(TopicPartition, i64)> },
    ListOffsets { broker: BrokerId, partitions: Vec<TopicPartition> },
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ConsumerConfig,
    pub topics: Vec<TopicId>,
    /// Manual assignment (`assign()`); empty means "every partition of `topics`".
    explicit_assignment: Vec<TopicPartition>,
    seeks: BTreeMap<TopicPartition, i64>,
    pub processing_per_record: SimDuration,
    pub phase: ConsumerPhase,
    pub app: AppState,
    bootstrap: Vec<BrokerId>,
    pub metadata: MetadataCache,
    connections: Connections,
    pub assignment: Vec<TopicPartition>,
    pub positions: BTreeMap<TopicPartition, Position>,
    buffer: VecDeque<Buffered>,
    in_flight: BTreeMap<CorrelationId, InFlight>,
    next_correlation_id: CorrelationId,
    next_wake: Option<SimTime>,
    /// Records handed to the application so far.
    pub delivered: u64,
}

impl Consumer {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        idx: ClientIdx,
        name: String,
        config: ConsumerConfig,
        topics: Vec<TopicId>,
        explicit_assignment: Vec<TopicPartition>,
        seeks: BTreeMap<TopicPartition, i64>,
        processing_per_record: SimDuration,
        bootstrap: Vec<BrokerId>,
    ) -> Self {
        Consumer {
            idx,
            name,
            config,
            topics,
            explicit_assignment,
            seeks,
            processing_per_record,
            phase: ConsumerPhase::NotStarted,
            app: AppState::Polling,
            bootstrap,
            metadata: MetadataCache::default(),
            connections: Connections::default(),
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            buffer: VecDeque::new(),
            in_flight: BTreeMap::new(),
            next_correlation_id: 0,
            next_wake: None,
            delivered: 0,
        }
    }

    fn next_correlation_id(&mut self) -> CorrelationId {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.phase = ConsumerPhase::Running;
        self.app = AppState::Polling;
        self.metadata.stale = true;
        self.run(ctx);
    }

    /// `close()`: the consumer stops cleanly.
    pub fn stop(&mut self) {
        self.phase = ConsumerPhase::Stopped;
        self.reset_volatile_state();
    }

    /// The process dies.
    pub fn crash(&mut self) {
        self.phase = ConsumerPhase::Crashed;
        self.reset_volatile_state();
    }

    fn reset_volatile_state(&mut self) {
        self.buffer.clear();
        self.in_flight.clear();
        self.connections.clear();
        self.positions.clear();
        self.assignment.clear();
        self.metadata = MetadataCache::default();
        self.next_wake = None;
    }

    pub fn is_running(&self) -> bool {
        self.phase == ConsumerPhase::Running
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: ConsumerTimer) {
        if !self.is_running() {
            return;
        }
        match timer {
            ConsumerTimer::ProcessingDone => {
                if let AppState::Processing(until) = self.app
                    && until <= ctx.now
                {
                    self.app = AppState::Polling;
                }
            }
            ConsumerTimer::Wake => self.next_wake = None,
            ConsumerTimer::RequestTimeout(correlation_id) => {
                if let Some(flight) = self.in_flight.remove(&correlation_id) {
                    if let Some(broker) = flight.broker() {
                        self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                        // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                        self.metadata.stale = true;
                    }
                    self.on_request_failed(flight);
                }
            }
        }
        self.run(ctx);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        if !self.is_running() {
            return;
        }
        let NodeId::Broker(broker) = from else {
            return;
        };
        match message {
            Message::ApiVersionsResponse { correlation_id } => {
                self.connections.on_api_versions(from, correlation_id);
            }
            Message::MetadataResponse(response) if self.in_flight.remove(&response.correlation_id).is_some() => {
                self.metadata.update(&response, ctx.now);
                self.update_assignment(ctx);
            }
            Message::FetchResponse(response) => self.on_fetch_response(ctx, response),
            Message::ListOffsetsResponse(response) => self.on_list_offsets_response(ctx, response),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                if let Some(flight) = correlation_id.and_then(|c| self.in_flight.remove(&c)) {
                    self.on_request_failed(flight);
                }
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                let lost: Vec<CorrelationId> =
                    self.in_flight.iter().filter(|(_, f)| f.broker() == Some(broker)).map(|(&c, _)| c).collect();
                for c in lost {
                    if let Some(flight) = self.in_flight.remove(&c) {
                        self.on_request_failed(flight);
                    }
                }
            }
            _ => {}
        }
        self.run(ctx);
    }

    fn on_request_failed(&mut self, flight: InFlight) {
        self.metadata.stale = true;
        if let InFlight::ListOffsets { partitions, .. } = flight {
            for tp in partitions {
                self.positions.insert(tp, Position::Unknown);
            }
        }
    }

    /// Manual assignment: the listed partitions, or every partition of the topics.
    fn update_assignment(&mut self, ctx: &mut Ctx<'_>) {
        let wanted: Vec<TopicPartition> = if self.explicit_assignment.is_empty() {
            self.topics
                .iter()
                .flat_map(|&t| {
                    let n = self.metadata.partition_counts.get(&t).copied().unwrap_or(0);
                    (0..n).map(move |p| TopicPartition::new(t, p))
                })
                .collect()
        } else {
            self.explicit_assignment.clone()
        };
        for &tp in &wanted {
            if !self.positions.contains_key(&tp) {
                let position = match self.seeks.get(&tp) {
                    Some(&offset) => {
                        ctx.trace(TraceEvent::Position { consumer: self.idx, tp, offset, reason: "seek".to_string() });
                        Position::At(offset)
                    }
                    None => Position::Unknown,
                };
                self.positions.insert(tp, position);
            }
        }
        self.assignment = wanted;
    }

    /// The application loop and the fetcher, run after every event.
    fn run(&mut self, ctx: &mut Ctx<'_>) {
        if !self.is_running() {
            return;
        }
        if self.metadata.stale || self.metadata.updated_at.is_none() {
            self.ensure_metadata(ctx);
        }
        self.reset_unknown_positions(ctx);
        self.poll(ctx);
        self.send_fetches(ctx);
        self.schedule_wake(ctx);
    }

    /// `poll()`: hands buffered records to the application, advancing positions.
    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        if self.app != AppState::Polling {
            return;
        }
        let mut budget = self.config.max_poll_records as usize;
        let mut returned = 0u64;
        while budget > 0 {
            let Some(front) = self.buffer.front() else {
                break;
            };
            let tp = front.tp;
            let Some(from_offset) = self.position(tp) else {
                self.buffer.pop_front();
                continue;
            };
            let batch_end = front.batch.next_offset();
            let mut to_offset = from_offset;
            let mut taken = 0usize;
            for (offset, _) in front.batch.records().filter(|(o, _)| *o >= from_offset) {
                if taken == budget {
                    break;
                }
                taken += 1;
                to_offset = offset + 1;
            }
            // Everything left in the batch was taken: skip any offsets compaction removed.
            let exhausted = front.batch.records().all(|(o, _)| o < to_offset);
            if exhausted {
                to_offset = to_offset.max(batch_end);
            }
            let batch = front.batch.clone();
            if exhausted {
                self.buffer.pop_front();
            }
            self.positions.insert(tp, Position::At(to_offset));
            budget -= taken;
            returned += taken as u64;
            if taken > 0 {
                ctx.trace(TraceEvent::Consumed { consumer: self.idx, tp, batch, from_offset, to_offset });
            }
        }
        self.delivered += returned;
        if returned > 0 && !self.processing_per_record.is_zero() {
            let until = ctx.now + self.processing_per_record.times(returned);
            self.app = AppState::Processing(until);
            ctx.set_timer(until.saturating_sub(ctx.now), Timer::Consumer(ConsumerTimer::ProcessingDone));
        }
    }

    /// Sets a partition's position, dropping buffered data fetched for the old one.
    pub(crate) fn set_position(&mut self, tp: TopicPartition, position: Position) {
        self.buffer.retain(|b| b.tp != tp);
        self.positions.insert(tp, position);
    }

    /// Partitions with buffered data are not fetched again until it is consumed.
    fn has_buffered(&self, tp: TopicPartition) -> bool {
        self.buffer.iter().any(|b| b.tp == tp)
    }

    fn schedule_wake(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(wake) = self.connections.next_wake() {
            self.wake_at(ctx, wake);
        }
    }

    /// One pending wake-up at the earliest time anything waits for.
    pub(super) fn wake_at(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        if at <= ctx.now || self.next_wake.is_some_and(|w| w <= at && w > ctx.now) {
            return;
        }
        self.next_wake = Some(at);
        ctx.set_timer(at.saturating_sub(ctx.now), Timer::Consumer(ConsumerTimer::Wake));
    }

    /// Records buffered but not yet returned by `poll()`.
    pub fn buffered_records(&self) -> usize {
        self.buffer
            .iter()
            .map(|b| {
                let position = self.position(b.tp).unwrap_or(i64::MAX);
                b.batch.records().filter(|(o, _)| *o >= position).count()
            })
            .sum()
    }

    pub fn position(&self, tp: TopicPartition) -> Option<i64> {
        match self.positions.get(&tp) {
            Some(Position::At(offset)) => Some(*offset),
            _ => None,
        }
    }
}

impl InFlight {
    fn broker(&self) -> Option<BrokerId> {
        match self {
            InFlight::Metadata => None,
            InFlight::Fetch { broker, .. } | InFlight::ListOffsets { broker, .. } => Some(*broker),
        }
    }
}

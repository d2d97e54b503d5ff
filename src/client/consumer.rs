//! A Kafka consumer: the application's poll loop, positions per partition, the
//! fetcher that long-polls partition leaders for records below the high
//! watermark (below the last stable offset with
//! `isolation.level=read_committed`, which also drops records of aborted
//! transactions), and — in a group — membership and offset commits.
//!
//! Where a consumer starts on a partition: an explicit seek, else (in a group)
//! its committed offset, else `auto.offset.reset` — `latest` (the default) starts
//! at the high watermark, so records written before the consumer started are
//! never seen; `earliest` starts at the log start offset; `none` makes `poll()`
//! throw as long as any assigned partition has no committed offset, so nothing
//! is read at all.
//!
//! The application takes up to `max.poll.records` records per `poll()` and
//! spends `processing` time on each before polling again. Group work — joining,
//! rebalancing, auto-commit — happens inside `poll()`, as in Kafka's Java
//! client; heartbeats come from a background thread, which also notices when
//! the application has not called `poll()` for `max.poll.interval.ms`.
//!
//! `client.id` defaults to the Java client's `consumer-GROUP-1`, the same for
//! every consumer of a group: the coordinator makes each member id unique
//! with a random UUID, and the assignors sort members by member id, so which
//! consumer gets which partition is down to those UUIDs unless a scenario sets
//! `client.id` or `group.instance.id`.

mod avro;
mod commits;
mod fetcher;
mod hand_driven;
mod heartbeat;
mod membership;
mod read_committed;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::actor::{Ctx, InFlightRequests, Timer, WakeUp};
use crate::client::connections::Connections;
use crate::client::metadata_cache::MetadataCache;
use crate::cluster::record::LogBatch;
use crate::config::ConsumerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ClientIdx, NodeId, RecordId, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, Message};
use crate::scenario::{CommitMode, ConsumerDef};
use crate::trace::TraceEvent;

pub use membership::{MemberState, Membership};

/// Timers a consumer sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsumerTimer {
    /// The application finished processing the records of its last poll.
    ProcessingDone,
    /// Time to look again (connection backoff, retry backoff, auto-commit).
    Wake(SimTime),
    /// The earliest deadline of the requests in flight (set for this time).
    RequestTimeout(SimTime),
    /// The heartbeat timer set for this time expires (ignored when a later
    /// reset superseded it).
    Heartbeat(SimTime),
    /// `max.poll.interval.ms` after the last poll: is the application stuck?
    PollTimeout,
    /// The Avro deserializer's registry call: retry or time out.
    Serde(crate::client::serde::SerdeTimer),
}

/// Where the consumer stands on one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// No position yet: it must be reset by `auto.offset.reset`.
    Unknown,
    /// Waiting for the group's committed offset (OffsetFetch).
    FetchingCommitted,
    /// A ListOffsets request is finding it.
    Resetting,
    /// The next offset `poll()` will return.
    At(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerPhase {
    NotStarted,
    Running,
    Stopped,
    Crashed,
    /// `poll()` threw a fatal exception and the application stopped.
    Failed,
}

/// What the application is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppState {
    /// Inside `poll()`, waiting for records.
    Polling,
    /// Processing the records of the last poll until this time.
    Processing(SimTime),
    /// Blocked in `commitSync()`.
    Committing,
    /// Stuck outside `poll()` (paused by the scenario).
    Stuck,
}

/// A fetched batch waiting in the consumer's buffer. Records below the
/// partition's position have already been returned.
#[derive(Clone, Debug)]
struct Buffered {
    tp: TopicPartition,
    batch: LogBatch,
}

/// Records of one batch handed to the application by the last `poll()`.
#[derive(Clone, Debug)]
struct InHand {
    tp: TopicPartition,
    batch: LogBatch,
    from_offset: i64,
    to_offset: i64,
}

/// What a blocking commit lets the application do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AfterCommit {
    /// An auto-commit in the background: nothing waits.
    Nothing,
    /// Eager rebalance: commit, then revoke and join.
    Join,
    /// `commitSync()` after processing: poll again.
    Poll,
    /// `commitSync()` before processing: process until then.
    Process(SimDuration),
}

#[derive(Clone, Debug)]
enum InFlight {
    Metadata,
    Fetch {
        broker: BrokerId,
        offsets: Vec<(TopicPartition, i64)>,
    },
    ListOffsets {
        broker: BrokerId,
        partitions: Vec<TopicPartition>,
    },
    /// `endOffsets()`: the latest offsets, asked without moving positions.
    EndOffsets {
        broker: BrokerId,
        partitions: Vec<TopicPartition>,
    },
    FindCoordinator {
        broker: BrokerId,
    },
    Join {
        broker: BrokerId,
    },
    Sync {
        broker: BrokerId,
    },
    Heartbeat {
        broker: BrokerId,
    },
    Commit {
        broker: BrokerId,
        then: AfterCommit,
    },
    OffsetFetch {
        broker: BrokerId,
    },
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub idx: ClientIdx,
    pub name: String,
    pub config: ConsumerConfig,
    pub topics: Vec<TopicId>,
    /// Every topic name of the scenario (a group leader needs them to assign).
    topic_names: BTreeMap<TopicId, String>,
    /// Manual assignment (`assign()`); empty means "every partition of `topics`".
    explicit_assignment: Vec<TopicPartition>,
    seeks: BTreeMap<TopicPartition, i64>,
    pub processing_per_record: SimDuration,
    pub commit_mode: CommitMode,
    pub phase: ConsumerPhase,
    pub app: AppState,
    /// The scenario holds the application outside `poll()`.
    pub paused: bool,
    bootstrap: Vec<BrokerId>,
    pub metadata: MetadataCache,
    connections: Connections,
    /// Group membership, for a consumer with a `group.id` that subscribes.
    pub membership: Option<Membership>,
    /// The group to commit to (also for manually assigned consumers with a group).
    pub group_id: Option<String>,
    /// The coordinator of a manually assigned consumer's group (for commits).
    standalone_coordinator: Option<BrokerId>,
    /// Coordinator lookups in a row that led nowhere, and the earliest time
    /// for the next (retry.backoff.ms doubling up to retry.backoff.max.ms).
    coordinator_lookups: u32,
    next_coordinator_lookup: SimTime,
    pub assignment: Vec<TopicPartition>,
    pub positions: BTreeMap<TopicPartition, Position>,
    /// The last offsets this consumer committed successfully.
    pub committed: BTreeMap<TopicPartition, i64>,
    buffer: VecDeque<Buffered>,
    in_flight: InFlightRequests<InFlight>,
    next_correlation_id: CorrelationId,
    wake: WakeUp,
    /// When the application last called `poll()`.
    last_poll: SimTime,
    next_auto_commit: SimTime,
    /// Records handed to the application so far.
    pub delivered: u64,
    /// Where fetches hit OFFSET_OUT_OF_RANGE, until the reset lands.
    out_of_range_at: BTreeMap<TopicPartition, i64>,
    /// Offsets jumped over by resets after OFFSET_OUT_OF_RANGE.
    pub skipped_offsets: u64,
    /// The records of the last poll the application is working on, and when
    /// it started on them (`None` while it waits for a commit first).
    in_hand: Vec<InHand>,
    processing_since: Option<SimTime>,
    /// Since an eager rebalance took every partition away, until the new
    /// assignment arrived: the time this consumer could not consume.
    stopped_by_rebalance_since: Option<SimTime>,
    stopped_by_rebalances: SimDuration,
    /// `pause()`d partitions: not fetched, not returned by `poll()`.
    paused_partitions: BTreeSet<TopicPartition>,
    /// `endOffsets()` asked for these and no request has gone out yet.
    end_offsets_wanted: BTreeSet<TopicPartition>,
    /// The answers of `endOffsets()`.
    pub end_offsets: BTreeMap<TopicPartition, i64>,
    /// Confluent's Avro deserializer, when the consumer reads Avro.
    pub deserializer: Option<crate::client::serde::deserializer::AvroDeserializer>,
    /// After a deserialization error, when the application polls again.
    avro_retry_at: Option<SimTime>,
    /// A Kafka Streams thread's consumer: its group leader runs the
    /// Streams assignor instead of `partition.assignment.strategy`'s.
    pub streams: Option<crate::streams::assignor::partition_assignor::StreamsConsumer>,
}

impl Consumer {
    pub fn new(
        idx: ClientIdx,
        def: &ConsumerDef,
        topic_names: BTreeMap<TopicId, String>,
        bootstrap: Vec<BrokerId>,
    ) -> Self {
        let subscribes = def.group.is_some() && def.assign.is_empty();
        let membership = def.group.clone().filter(|_| subscribes).map(|group| {
            let client_id = def.config.client_id_or_default(Some(&group));
            Membership::new(group, client_id, &def.config)
        });
        Consumer {
            idx,
            name: def.name.clone(),
            config: def.config.clone(),
            topics: def.topics.clone(),
            topic_names,
            explicit_assignment: def.assign.clone(),
            seeks: def.seeks.clone(),
            processing_per_record: def.processing,
            commit_mode: def.commit,
            phase: ConsumerPhase::NotStarted,
            app: AppState::Polling,
            paused: false,
            bootstrap,
            metadata: MetadataCache::default(),
            connections: Connections::default(),
            membership,
            group_id: def.group.clone(),
            standalone_coordinator: None,
            coordinator_lookups: 0,
            next_coordinator_lookup: SimTime::ZERO,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            committed: BTreeMap::new(),
            buffer: VecDeque::new(),
            in_flight: InFlightRequests::default(),
            next_correlation_id: 0,
            wake: WakeUp::default(),
            last_poll: SimTime::ZERO,
            next_auto_commit: SimTime::ZERO,
            delivered: 0,
            out_of_range_at: BTreeMap::new(),
            skipped_offsets: 0,
            in_hand: Vec::new(),
            processing_since: None,
            stopped_by_rebalance_since: None,
            stopped_by_rebalances: SimDuration::ZERO,
            paused_partitions: BTreeSet::new(),
            end_offsets_wanted: BTreeSet::new(),
            end_offsets: BTreeMap::new(),
            deserializer: None,
            avro_retry_at: None,
            streams: None,
        }
    }

    fn next_correlation_id(&mut self) -> CorrelationId {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    /// Remembers a request just sent, to time out after `timeout_ms`.
    fn track_request(&mut self, ctx: &mut Ctx<'_>, correlation_id: CorrelationId, timeout_ms: u64, flight: InFlight) {
        let timeout = SimDuration::from_millis(timeout_ms);
        self.in_flight
            .track(ctx, correlation_id, timeout, flight, |at| Timer::Consumer(ConsumerTimer::RequestTimeout(at)));
    }

    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.phase = ConsumerPhase::Running;
        self.app = if self.paused { AppState::Stuck } else { AppState::Polling };
        self.last_poll = ctx.now;
        self.next_auto_commit = ctx.now + SimDuration::from_millis(self.config.auto_commit_interval_ms);
        self.metadata.stale = true;
        // The heartbeat thread starts once the member has joined.
        if let Some(m) = &mut self.membership {
            m.reset();
        }
        self.run(ctx);
    }

    /// `close()`: commit (with auto-commit), leave the group, stop.
    pub fn stop(&mut self, ctx: &mut Ctx<'_>) {
        if self.is_running() {
            if self.commit_mode == CommitMode::Auto {
                self.commit_positions(ctx, AfterCommit::Nothing);
            }
            self.leave_group(ctx, "the consumer is closing");
        }
        self.phase = ConsumerPhase::Stopped;
        self.reset_volatile_state();
    }

    /// The process dies: no commit, no goodbye, and the records the
    /// application had not finished are never processed by it.
    pub fn crash(&mut self, ctx: &mut Ctx<'_>) {
        if self.is_running() {
            self.abandon_unprocessed(ctx);
        }
        self.phase = ConsumerPhase::Crashed;
        self.reset_volatile_state();
    }

    /// Reports the records in hand that processing had not reached.
    fn abandon_unprocessed(&mut self, ctx: &mut Ctx<'_>) {
        let finished = match (self.processing_since, self.processing_per_record.as_micros()) {
            (None, _) => 0,
            (Some(_), 0) => return,
            (Some(since), per_record) => ctx.now.saturating_sub(since).as_micros() / per_record,
        };
        let mut ids = Vec::new();
        let mut seen = 0u64;
        for held in &self.in_hand {
            for (_, record) in held.batch.records().filter(|(o, _)| *o >= held.from_offset && *o < held.to_offset) {
                seen += 1;
                if seen > finished && record.id() != RecordId::INTERNAL {
                    ids.push(record.id());
                }
            }
        }
        // Committed before processing (and the commit went through): the
        // group has moved past them.
        let committed = self.in_hand.iter().all(|h| self.committed.get(&h.tp).is_some_and(|&c| c >= h.to_offset));
        if !ids.is_empty() {
            ctx.trace(TraceEvent::Abandoned { consumer: self.idx, ids, committed });
        }
    }

    /// `poll()` threw an exception the application does not catch: it stops,
    /// without `close()` (no commit, no LeaveGroup), like a crash.
    pub(super) fn fail_application(&mut self, ctx: &mut Ctx<'_>, exception: &str, reason: String) {
        ctx.trace(TraceEvent::ClientFailed { consumer: self.idx, exception: exception.to_string(), reason });
        self.phase = ConsumerPhase::Failed;
        self.reset_volatile_state();
    }

    /// The application stops (or starts again) calling `poll()`.
    pub fn set_paused(&mut self, ctx: &mut Ctx<'_>, paused: bool) {
        self.paused = paused;
        ctx.trace(TraceEvent::Paused { consumer: self.idx, paused });
        if paused && self.app == AppState::Polling {
            self.leave_poll(ctx, AppState::Stuck);
        } else if !paused && self.app == AppState::Stuck {
            self.enter_poll(ctx);
        }
        self.run(ctx);
    }

    pub(super) fn reset_volatile_state(&mut self) {
        self.buffer.clear();
        self.in_flight.clear();
        self.connections.clear();
        self.positions.clear();
        self.assignment.clear();
        self.committed.clear();
        self.metadata = MetadataCache::default();
        self.wake.clear();
        self.standalone_coordinator = None;
        self.coordinator_lookups = 0;
        self.next_coordinator_lookup = SimTime::ZERO;
        self.stopped_by_rebalance_since = None;
        self.in_hand.clear();
        self.processing_since = None;
        self.out_of_range_at.clear();
        self.paused_partitions.clear();
        self.end_offsets_wanted.clear();
        self.end_offsets.clear();
        if let Some(m) = &mut self.membership {
            m.reset();
        }
        if let Some(d) = &mut self.deserializer {
            d.reset();
        }
        self.avro_retry_at = None;
    }

    /// How long eager rebalances kept this consumer from consuming, up to `now`.
    pub fn time_stopped_by_rebalances(&self, now: SimTime) -> SimDuration {
        self.stopped_by_rebalances
            + self.stopped_by_rebalance_since.map_or(SimDuration::ZERO, |s| now.saturating_sub(s))
    }

    pub fn is_running(&self) -> bool {
        self.phase == ConsumerPhase::Running
    }

    /// The application calls `poll()` (again).
    fn enter_poll(&mut self, ctx: &mut Ctx<'_>) {
        self.app = if self.paused { AppState::Stuck } else { AppState::Polling };
        if self.app == AppState::Polling {
            self.last_poll = ctx.now;
        }
    }

    /// The application returns from `poll()` to do something else.
    fn leave_poll(&mut self, ctx: &mut Ctx<'_>, next: AppState) {
        self.last_poll = ctx.now;
        self.app = next;
        if self.membership.is_some() {
            ctx.set_timer(
                SimDuration::from_millis(self.config.max_poll_interval_ms),
                Timer::Consumer(ConsumerTimer::PollTimeout),
            );
        }
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
                    self.after_processing(ctx);
                }
            }
            ConsumerTimer::Wake(at) => self.wake.fired(at),
            ConsumerTimer::RequestTimeout(at) => {
                let expired = self.in_flight.time_out(ctx, at, |at| Timer::Consumer(ConsumerTimer::RequestTimeout(at)));
                if expired.is_empty() {
                    return;
                }
                for (_, flight) in expired {
                    if let Some(broker) = flight.broker() {
                        self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                        // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                        self.metadata.stale = true;
                    }
                    self.on_request_failed(ctx, flight);
                }
            }
            ConsumerTimer::Heartbeat(at) => self.heartbeat(ctx, at),
            ConsumerTimer::PollTimeout => self.check_poll_timeout(ctx),
            ConsumerTimer::Serde(timer) => self.on_serde_timer(ctx, timer),
        }
        self.run(ctx);
    }

    /// Processing of the last poll's records is done.
    pub(super) fn after_processing(&mut self, ctx: &mut Ctx<'_>) {
        self.in_hand.clear();
        self.processing_since = None;
        if self.commit_mode == CommitMode::AfterProcessing && self.commit_positions(ctx, AfterCommit::Poll) {
            self.app = AppState::Committing;
        } else {
            self.enter_poll(ctx);
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        if !self.is_running() {
            return;
        }
        if from == NodeId::SchemaRegistry {
            self.on_registry_message(ctx, message);
            self.run(ctx);
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
                if self.membership.is_none() {
                    self.update_manual_assignment(ctx);
                }
            }
            Message::FetchResponse(response) => self.on_fetch_response(ctx, response),
            Message::ListOffsetsResponse(response) => self.on_list_offsets_response(ctx, response),
            Message::Group(message) => self.on_group_message(ctx, broker, message),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                // Kafka's NetworkClient asks for fresh metadata whenever a connection fails.
                self.metadata.stale = true;
                if let Some(flight) = correlation_id.and_then(|c| self.in_flight.remove(&c)) {
                    self.on_request_failed(ctx, flight);
                }
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(NodeId::Broker(broker), ctx.now);
                self.metadata.stale = true;
                let lost: Vec<CorrelationId> =
                    self.in_flight.iter().filter(|(_, f)| f.broker() == Some(broker)).map(|(c, _)| c).collect();
                for c in lost {
                    if let Some(flight) = self.in_flight.remove(&c) {
                        self.on_request_failed(ctx, flight);
                    }
                }
            }
            _ => {}
        }
        self.run(ctx);
    }

    fn on_request_failed(&mut self, ctx: &mut Ctx<'_>, flight: InFlight) {
        self.metadata.stale = true;
        match flight {
            InFlight::ListOffsets { partitions, .. } => {
                for tp in partitions {
                    self.positions.insert(tp, Position::Unknown);
                }
            }
            InFlight::EndOffsets { partitions, .. } => self.end_offsets_wanted.extend(partitions),
            InFlight::Commit { then, .. } => self.commit_finished(ctx, then),
            // The partitions stay FetchingCommitted: the fetch is retried
            // once a coordinator is found again, never replaced by a reset.
            InFlight::OffsetFetch { .. }
            | InFlight::FindCoordinator { .. }
            | InFlight::Join { .. }
            | InFlight::Sync { .. } => self.coordinator_lost(),
            InFlight::Heartbeat { .. } => {
                self.heartbeat_failed(ctx);
                self.coordinator_lost();
            }
            InFlight::Metadata | InFlight::Fetch { .. } => {}
        }
    }

    /// Manual assignment: the listed partitions, or every partition of the topics.
    fn update_manual_assignment(&mut self, ctx: &mut Ctx<'_>) {
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
        let fresh: Vec<TopicPartition> = wanted.iter().copied().filter(|tp| !self.positions.contains_key(tp)).collect();
        self.assignment = wanted;
        self.start_positions(ctx, &fresh);
    }

    /// Where newly assigned partitions start: a seek, the group's committed
    /// offset, or `auto.offset.reset`.
    fn start_positions(&mut self, ctx: &mut Ctx<'_>, partitions: &[TopicPartition]) {
        for &tp in partitions {
            let position = match self.seeks.get(&tp) {
                Some(&offset) => {
                    ctx.trace(TraceEvent::Position { consumer: self.idx, tp, offset, reason: "seek".to_string() });
                    Position::At(offset)
                }
                None if self.group_id.is_some() => Position::FetchingCommitted,
                None => Position::Unknown,
            };
            self.positions.insert(tp, position);
        }
    }

    /// Gives the consumer its random stream for connection backoff jitter.
    pub fn with_network_rng(mut self, rng: crate::engine::SimRng) -> Self {
        self.connections = Connections::new(self.config.network, rng);
        self.metadata = MetadataCache::with_retry_backoff_max(self.config.retry_backoff_max_ms);
        self
    }

    /// The application loop, the group protocol and the fetcher, after every event.
    fn run(&mut self, ctx: &mut Ctx<'_>) {
        if !self.is_running() {
            return;
        }
        // NetworkClient.handleTimedOutConnections: a connection attempt that
        // timed out is a disconnection, which asks for fresh metadata.
        if !self.connections.time_out_connections(ctx.now).is_empty() {
            self.metadata.stale = true;
        }
        if self.metadata.stale || self.metadata.updated_at.is_none() {
            self.ensure_metadata(ctx);
        }
        if self.group_id.is_some() {
            self.run_group(ctx);
        }
        self.reset_unknown_positions(ctx);
        self.send_end_offsets_requests(ctx);
        if !self.is_running() {
            // poll() threw (auto.offset.reset=none) and the application stopped.
            return;
        }
        self.poll(ctx);
        self.send_fetches(ctx);
        self.schedule_wake(ctx);
    }

    /// `poll()`: hands buffered records to the application, advancing positions.
    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        if self.app != AppState::Polling || self.membership.as_ref().is_some_and(|m| m.blocks_poll()) {
            return;
        }
        let mut budget = self.config.max_poll_records as usize;
        let mut returned = 0u64;
        self.in_hand.clear();
        self.move_paused_to_back();
        while budget > 0 {
            let Some(front) = self.buffer.front() else {
                break;
            };
            let tp = front.tp;
            if self.paused_partitions.contains(&tp) {
                break;
            }
            let Some(from_offset) = self.position(tp) else {
                self.buffer.pop_front();
                continue;
            };
            let batch = front.batch.clone();
            let limit = match self.avro_gate(ctx, tp, &batch, from_offset, budget) {
                avro::Gate::Open(limit) => limit,
                avro::Gate::Stop => break,
                avro::Gate::Moved => continue,
                avro::Gate::Stopped => return,
            };
            let batch_end = batch.next_offset();
            let mut to_offset = from_offset;
            let mut taken = 0usize;
            for (offset, _) in batch.records().filter(|(o, _)| *o >= from_offset && *o < limit) {
                if taken == budget {
                    break;
                }
                taken += 1;
                to_offset = offset + 1;
            }
            // Everything left in the batch was taken: skip any offsets compaction removed.
            let exhausted = batch.records().all(|(o, _)| o < to_offset);
            if exhausted {
                to_offset = to_offset.max(batch_end);
            }
            if exhausted {
                self.buffer.pop_front();
            }
            self.positions.insert(tp, Position::At(to_offset));
            budget -= taken;
            returned += taken as u64;
            if taken > 0 {
                if !self.processing_per_record.is_zero() {
                    self.in_hand.push(InHand { tp, batch: batch.clone(), from_offset, to_offset });
                }
                ctx.trace(TraceEvent::Consumed { consumer: self.idx, tp, batch, from_offset, to_offset });
            }
        }
        if returned == 0 {
            return;
        }
        self.delivered += returned;
        let work = self.processing_per_record.times(returned);
        if self.commit_mode == CommitMode::BeforeProcessing && self.commit_positions(ctx, AfterCommit::Process(work)) {
            self.processing_since = None;
            self.leave_poll(ctx, AppState::Committing);
        } else if !work.is_zero() {
            self.leave_poll(ctx, AppState::Processing(ctx.now + work));
            self.start_processing(ctx, work);
        } else {
            self.after_processing(ctx);
        }
    }

    /// The application works on the records in hand for `work`.
    pub(super) fn start_processing(&mut self, ctx: &mut Ctx<'_>, work: SimDuration) {
        self.processing_since = Some(ctx.now);
        self.app = AppState::Processing(ctx.now + work);
        ctx.set_timer(work, Timer::Consumer(ConsumerTimer::ProcessingDone));
    }

    /// Sets a partition's position, dropping buffered data fetched for the old one.
    pub(crate) fn set_position(&mut self, tp: TopicPartition, position: Position) {
        self.buffer.retain(|b| b.tp != tp);
        self.positions.insert(tp, position);
    }

    /// Stops consuming `partitions`: positions and buffered data go.
    fn drop_partitions(&mut self, partitions: &[TopicPartition]) {
        self.buffer.retain(|b| !partitions.contains(&b.tp));
        for tp in partitions {
            self.positions.remove(tp);
        }
        self.assignment.retain(|tp| !partitions.contains(tp));
    }

    /// Partitions with buffered data are not fetched again until it is consumed.
    fn has_buffered(&self, tp: TopicPartition) -> bool {
        self.buffer.iter().any(|b| b.tp == tp)
    }

    fn schedule_wake(&mut self, ctx: &mut Ctx<'_>) {
        // The application calls poll() again as soon as it has handled the
        // last records: with more already fetched, that is a moment later
        // (a microsecond: a poll() loop's own cost).
        let polling = self.app == AppState::Polling
            && !self.membership.as_ref().is_some_and(|m| m.blocks_poll())
            && !self.avro_waiting(ctx.now);
        if polling && self.buffer.iter().any(|b| !self.paused_partitions.contains(&b.tp)) {
            self.wake_at(ctx, ctx.now + SimDuration::from_micros(1));
        }
        if let Some(wake) = self.connections.next_wake(ctx.now) {
            self.wake_at(ctx, wake);
        }
        if self.commit_mode == CommitMode::Auto && !self.assignment.is_empty() {
            self.wake_at(ctx, self.next_auto_commit);
        }
    }

    /// One pending wake-up at the earliest time anything waits for.
    pub(super) fn wake_at(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        if let Some(delay) = self.wake.request(ctx.now, at) {
            ctx.set_timer(delay, Timer::Consumer(ConsumerTimer::Wake(at)));
        }
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
            InFlight::Fetch { broker, .. }
            | InFlight::ListOffsets { broker, .. }
            | InFlight::EndOffsets { broker, .. }
            | InFlight::FindCoordinator { broker }
            | InFlight::Join { broker }
            | InFlight::Sync { broker }
            | InFlight::Heartbeat { broker }
            | InFlight::Commit { broker, .. }
            | InFlight::OffsetFetch { broker } => Some(*broker),
        }
    }
}

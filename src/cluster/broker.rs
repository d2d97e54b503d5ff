//! A broker: hosts partition replicas, serves Produce, Fetch, ListOffsets and
//! Metadata, parks requests that must wait (acks=all produces waiting for the
//! high watermark, fetches long-polling for data), replicates as a follower,
//! manages the ISR as a leader, and keeps in touch with the KRaft controller.
//!
//! A broker process can crash and restart. What it wrote to its logs (and its
//! copy of the metadata log) survives — it is on disk; everything in memory —
//! parked requests, what it knew of its followers, its connections — is lost.
//! After a restart it registers again, catches up with the metadata, and only
//! then takes up its partitions, as leader or follower.
//!
//! Simplification: producer ids are handed out by each broker from its own
//! block (`broker id × 1000` upwards) instead of blocks allocated by the
//! controller.

mod create_topics_api;
mod fetch;
mod group_api;
mod isr;
mod lifecycle;
mod metadata_api;
mod produce;
mod replication;
mod txn_api;
mod txn_markers;
mod txn_verification;

use std::collections::BTreeMap;

use crate::actor::{Ctx, InFlightRequests, Timer, WakeUp};
use crate::client::connections::Connections;
use crate::config::BrokerConfig;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::group::coordinator::{CoordinatorConfig, GroupCoordinator, GroupTimer};
use crate::ids::{BrokerId, ControllerId, NodeId, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, ErrorCode, InitProducerIdResponse, Message};
use crate::trace::TraceEvent;

use super::cleaner;
use super::metadata::MetadataImage;
use super::partition::Partition;
use super::retention;

pub use fetch::DelayedFetch;
pub use produce::DelayedProduce;

/// The partitions a broker follows, by leader; shared, as the replica
/// fetchers read it on every event.
type Followed = std::sync::Arc<[(BrokerId, Vec<TopicPartition>)]>;

/// Timers a broker sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerTimer {
    /// A parked fetch reached `fetch.max.wait.ms`.
    FetchExpired(u64),
    /// A parked acks=all produce reached its request timeout.
    ProduceExpired(u64),
    /// Time to apply retention (`log.retention.check.interval.ms`).
    RetentionCheck,
    /// The log cleaner wakes up (`log.cleaner.backoff.ms`).
    LogCleaner,
    /// Time to heartbeat to the controller.
    Heartbeat,
    /// Every `replica.lag.time.max.ms / 2`: drop lagging followers from ISRs.
    IsrCheck,
    /// The earliest deadline of this broker's own requests (set for this
    /// time): those past their deadline got no answer in time.
    RequestTimeout(SimTime),
    /// Retry something that backed off (fetching, registering).
    Wake(SimTime),
    /// The group coordinator's timers.
    Group(GroupTimer),
    /// The transaction coordinator looks for timed-out transactions
    /// (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
    TxnAbortCheck,
}

/// `log.initial.task.delay.ms`: the first retention check after start-up.
const INITIAL_TASK_DELAY_MS: u64 = 30_000;
/// `replica.fetch.backoff.ms`: pause after a failed follower fetch.
const REPLICA_FETCH_BACKOFF_MS: u64 = 1_000;
/// How long a broker waits for the controller or a leader to answer.
const REQUEST_TIMEOUT_MS: u64 = 30_000;
/// `controller.quorum.retry.backoff.ms`: after an error from a controller
/// (NOT_CONTROLLER while the quorum elects), registration and metadata
/// fetches wait this long before asking again (Kafka's raft
/// `RequestManager`: "when a request completes with an error it still
/// transitions to the backoff state until retryBackoffMs").
const CONTROLLER_RETRY_BACKOFF_MS: u64 = 20;

/// What a broker's own request in flight was for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outgoing {
    Registration,
    Heartbeat,
    MetadataFetch,
    AlterPartition(TopicPartition),
    /// A follower fetch to this leader.
    ReplicaFetch(BrokerId),
    /// A CreateTopics forwarded to the controller, for this client's request
    /// (`None`: auto-creation asked by a Metadata request).
    CreateTopics {
        client: Option<(NodeId, CorrelationId)>,
        names: Vec<String>,
    },
    /// AddPartitionsToTxn to a transaction coordinator for a parked produce.
    TxnVerify {
        coordinator: BrokerId,
        parked: u64,
    },
    /// WriteTxnMarkers to a partition leader.
    TxnMarkers {
        leader: BrokerId,
        transactional_id: String,
        partitions: Vec<TopicPartition>,
    },
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub config: BrokerConfig,
    pub alive: bool,
    /// The replicas this broker hosts, leader or follower.
    pub partitions: BTreeMap<TopicPartition, Partition>,
    /// This broker's copy of the cluster metadata.
    pub metadata: MetadataImage,
    /// The broker epoch the controller gave at registration.
    pub broker_epoch: i64,
    /// Registered and caught up with the metadata: serving its partitions.
    pub ready: bool,
    /// What the last heartbeat answer said.
    pub fenced: bool,
    controllers: Vec<ControllerId>,
    active_controller: Option<ControllerId>,
    connections: Connections,
    in_flight: InFlightRequests<Outgoing>,
    next_correlation_id: CorrelationId,
    /// Per leader: no follower fetch before this time (after a failure).
    fetch_backoff: BTreeMap<BrokerId, SimTime>,
    /// No registration or metadata fetch before this time (after a controller's error).
    controller_backoff: SimTime,
    /// The pending `Wake` timer, if any.
    wake: WakeUp,
    /// The partitions this broker follows, by leader, while no partition's
    /// leader changed (the replica fetchers look at it on every event; it
    /// changes only when the metadata moves a leader).
    followed: Option<Followed>,
    delayed_fetches: Vec<DelayedFetch>,
    delayed_produces: Vec<DelayedProduce>,
    /// Coordinates the groups whose `__consumer_offsets` partitions this broker leads.
    pub coordinator: GroupCoordinator,
    /// The internal offsets topic, when the scenario uses groups.
    offsets_topic: Option<TopicId>,
    /// The UUIDs of the member ids its group coordinator hands out (a
    /// stream of their own, so nothing else the broker might draw moves them).
    member_ids: SimRng,
    next_delayed_id: u64,
    next_producer_id: i64,
    /// Coordinates the transactional ids whose `__transaction_state`
    /// partitions this broker leads.
    pub txn_coordinator: crate::txn::coordinator::TransactionCoordinator,
    /// The internal transaction state topic, when a producer is transactional.
    pub transaction_state_topic: Option<TopicId>,
    /// Produce requests waiting for their transaction's verification.
    verifying: BTreeMap<u64, txn_verification::ParkedProduce>,
    /// Transactions whose markers the coordinator is writing.
    txn_markers: BTreeMap<String, txn_markers::PendingMarkers>,
    /// Whether the timed-out-transaction check is scheduled.
    txn_abort_check_armed: bool,
}

impl Broker {
    pub fn new(
        id: BrokerId,
        config: BrokerConfig,
        metadata: MetadataImage,
        controllers: Vec<ControllerId>,
        offsets_topic: Option<TopicId>,
        member_ids: SimRng,
    ) -> Self {
        let coordinator = GroupCoordinator::new(CoordinatorConfig {
            initial_rebalance_delay_ms: config.group_initial_rebalance_delay_ms,
            offsets_partitions: config.offsets_topic_num_partitions,
            min_session_timeout_ms: config.group_min_session_timeout_ms,
            max_session_timeout_ms: config.group_max_session_timeout_ms,
            offsets_retention_ms: config.offsets_retention_minutes * 60_000,
            offsets_retention_check_interval_ms: config.offsets_retention_check_interval_ms,
        });
        let active_controller = metadata.controller.or(controllers.first().copied());
        let broker_epoch = metadata.brokers.get(&id).map_or(-1, |r| r.broker_epoch);
        let mut broker = Broker {
            id,
            config,
            alive: true,
            partitions: BTreeMap::new(),
            metadata,
            broker_epoch,
            ready: true,
            fenced: false,
            controllers,
            active_controller,
            connections: Connections::default(),
            in_flight: InFlightRequests::default(),
            next_correlation_id: 0,
            fetch_backoff: BTreeMap::new(),
            controller_backoff: SimTime::ZERO,
            wake: WakeUp::default(),
            followed: None,
            delayed_fetches: Vec::new(),
            delayed_produces: Vec::new(),
            coordinator,
            offsets_topic,
            member_ids,
            next_delayed_id: 0,
            next_producer_id: i64::from(id.0) * 1000,
            txn_coordinator: crate::txn::coordinator::TransactionCoordinator::new(
                config.transaction_state_log_num_partitions,
            ),
            transaction_state_topic: None,
            verifying: BTreeMap::new(),
            txn_markers: BTreeMap::new(),
            txn_abort_check_armed: false,
        };
        broker.create_hosted_partitions();
        broker
    }

    /// Creates a replica for every partition the metadata assigns to this broker.
    pub(super) fn create_hosted_partitions(&mut self) {
        for (tp, state) in self.metadata.partitions() {
            if state.replicas.contains(&self.id) && !self.partitions.contains_key(&tp) {
                let config = *self.metadata.topic_config(tp.topic).expect("topic of a listed partition");
                self.partitions.insert(tp, Partition::new(tp, config, state.clone()));
                self.followed = None;
            }
        }
    }

    fn next_delayed_id(&mut self) -> u64 {
        self.next_delayed_id += 1;
        self.next_delayed_id
    }

    fn next_correlation_id(&mut self) -> CorrelationId {
        self.next_correlation_id += 1;
        self.next_correlation_id
    }

    /// Sends a request of this broker's own and arms its timeout.
    fn send_request(&mut self, ctx: &mut Ctx<'_>, to: NodeId, what: Outgoing, build: impl FnOnce(u64) -> Message) {
        let correlation_id = self.next_correlation_id();
        ctx.send(to, build(correlation_id));
        let timeout = SimDuration::from_millis(REQUEST_TIMEOUT_MS);
        self.in_flight.track(ctx, correlation_id, timeout, what, |at| Timer::Broker(BrokerTimer::RequestTimeout(at)));
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        match message {
            Message::ProduceRequest(request) => self.handle_produce(ctx, from, request),
            Message::FetchRequest(request) => self.handle_fetch(ctx, from, request),
            Message::FetchResponse(response) => self.on_replica_fetch_response(ctx, from, response),
            Message::ListOffsetsRequest(request) => self.handle_list_offsets(ctx, from, request),
            Message::MetadataRequest(request) => self.handle_metadata(ctx, from, request),
            Message::ApiVersionsRequest { correlation_id } => {
                ctx.send(from, Message::ApiVersionsResponse { correlation_id });
            }
            Message::ApiVersionsResponse { correlation_id } => {
                self.connections.on_api_versions(from, correlation_id);
                self.run(ctx);
            }
            Message::InitProducerIdRequest(mut request) if request.transactional_id.is_some() => {
                let transactional_id = request.transactional_id.take().unwrap_or_default();
                self.handle_transactional_init(ctx, from, request, transactional_id);
            }
            Message::InitProducerIdRequest(request) => {
                let producer_id = self.next_producer_id;
                self.next_producer_id += 1;
                ctx.send(
                    from,
                    Message::InitProducerIdResponse(InitProducerIdResponse {
                        correlation_id: request.correlation_id,
                        error: ErrorCode::None,
                        producer_id,
                        producer_epoch: 0,
                    }),
                );
            }
            Message::CreateTopicsRequest(request) => self.handle_create_topics(ctx, from, request),
            Message::Controller(message) => self.on_controller_message(ctx, from, message),
            Message::Group(message) => self.handle_group(ctx, from, message),
            Message::Txn(message) => self.handle_txn(ctx, from, message),
            Message::Disconnected { correlation_id, .. } => {
                self.connections.on_disconnect(from, ctx.now);
                self.forget_controller_if(from);
                if let Some(what) = correlation_id.and_then(|c| self.in_flight.remove(&c)) {
                    self.on_request_failed(ctx, from, what);
                }
                self.run(ctx);
            }
            Message::ConnectionReset => {
                self.connections.on_disconnect(from, ctx.now);
                self.forget_controller_if(from);
                let lost: Vec<CorrelationId> = self
                    .in_flight
                    .iter()
                    .filter(|(_, what)| self.peer_of(what) == Some(from))
                    .map(|(c, _)| c)
                    .collect();
                for c in lost {
                    if let Some(what) = self.in_flight.remove(&c) {
                        self.on_request_failed(ctx, from, what);
                    }
                }
                self.run(ctx);
            }
            _ => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: BrokerTimer) {
        match timer {
            BrokerTimer::FetchExpired(id) => self.expire_fetch(ctx, id),
            BrokerTimer::ProduceExpired(id) => self.expire_produce(ctx, id),
            BrokerTimer::RetentionCheck => {
                self.apply_retention(ctx);
                ctx.set_timer(
                    SimDuration::from_millis(self.config.log_retention_check_interval_ms),
                    Timer::Broker(BrokerTimer::RetentionCheck),
                );
            }
            BrokerTimer::Heartbeat => self.heartbeat(ctx),
            BrokerTimer::IsrCheck => self.shrink_isrs(ctx),
            BrokerTimer::RequestTimeout(at) => {
                let expired = self.in_flight.time_out(ctx, at, |at| Timer::Broker(BrokerTimer::RequestTimeout(at)));
                if !expired.is_empty() {
                    for (_, what) in expired {
                        if let Some(peer) = self.peer_of(&what) {
                            self.connections.on_disconnect(peer, ctx.now);
                            self.on_request_failed(ctx, peer, what);
                        }
                    }
                    self.run(ctx);
                }
            }
            BrokerTimer::LogCleaner => {
                self.run_log_cleaner(ctx);
                ctx.set_timer(self.log_cleaner_backoff(), Timer::Broker(BrokerTimer::LogCleaner));
            }
            BrokerTimer::Group(timer) => {
                if self.alive {
                    self.coordinator.on_timer(ctx, timer);
                    self.write_group_metadata(ctx);
                }
            }
            BrokerTimer::Wake(at) => {
                self.wake.fired(at);
                self.run(ctx);
            }
            BrokerTimer::TxnAbortCheck => self.abort_timed_out_transactions(ctx),
        }
    }

    /// The node a request of ours went to.
    fn peer_of(&self, what: &Outgoing) -> Option<NodeId> {
        match what {
            Outgoing::ReplicaFetch(leader)
            | Outgoing::TxnVerify { coordinator: leader, .. }
            | Outgoing::TxnMarkers { leader, .. } => Some(NodeId::Broker(*leader)),
            _ => self.active_controller.map(NodeId::Controller),
        }
    }

    /// Everything a broker does on its own initiative after an event: register,
    /// fetch metadata, fetch as a follower.
    fn run(&mut self, ctx: &mut Ctx<'_>) {
        if !self.alive {
            return;
        }
        self.maybe_register(ctx);
        self.maybe_fetch_metadata(ctx);
        self.run_replica_fetchers(ctx);
        self.send_txn_markers(ctx);
    }

    /// After a partition's high watermark or log end moved: answer whatever
    /// parked requests can now be answered.
    fn on_partition_progress(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        self.complete_delayed_produces(ctx, tp);
        self.complete_delayed_fetches(ctx, tp);
    }

    /// Advances the high watermark of `tp` if the ISR allows it, tracing the move.
    fn maybe_advance_high_watermark(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        if let Some(high_watermark) = partition.maybe_increment_high_watermark(me) {
            ctx.trace(TraceEvent::HighWatermark { broker: me, tp, high_watermark });
            self.on_partition_progress(ctx, tp);
        }
    }

    /// Every replica, leader or follower, applies retention on its own.
    fn apply_retention(&mut self, ctx: &mut Ctx<'_>) {
        let now_ms = ctx.now.as_millis();
        for (&tp, partition) in self.partitions.iter_mut() {
            for deleted in retention::apply(&mut partition.log, &partition.config, now_ms) {
                ctx.trace(TraceEvent::SegmentsDeleted {
                    broker: self.id,
                    tp,
                    reason: deleted.reason.config_name(),
                    segments: deleted.segments,
                    records: deleted.records,
                    log_start_offset: deleted.new_log_start_offset,
                });
            }
        }
    }

    /// The log cleaner: compacts every replica that is due, the filthiest
    /// first, until none is (Kafka's cleaner thread only sleeps when idle).
    fn run_log_cleaner(&mut self, ctx: &mut Ctx<'_>) {
        let now_ms = ctx.now.as_millis();
        let mut due: Vec<(f64, TopicPartition, cleaner::Cleanable)> = self
            .partitions
            .iter()
            .filter(|(_, p)| p.config.cleanup_policy.compact)
            .map(|(&tp, p)| (tp, cleaner::cleanable(&p.log, &p.config, p.cleaner_checkpoint, now_ms)))
            .filter(|(tp, plan)| plan.is_due(&self.partitions[tp].config))
            .map(|(tp, plan)| (plan.dirty_ratio(), tp, plan))
            .collect();
        due.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, tp, plan) in due {
            let Some(partition) = self.partitions.get_mut(&tp) else { continue };
            let Some(cleaned) = cleaner::clean(&mut partition.log, &partition.config, &plan, now_ms) else {
                continue;
            };
            partition.cleaner_checkpoint = cleaned.cleaned_up_to;
            partition.compactions += 1;
            ctx.trace(TraceEvent::Compacted { broker: self.id, tp, cleaned });
        }
    }

    /// The process dies: memory is lost, disks are kept.
    pub fn crash(&mut self) {
        self.alive = false;
        self.ready = false;
        self.delayed_fetches.clear();
        self.delayed_produces.clear();
        self.in_flight.clear();
        self.connections.clear();
        self.fetch_backoff.clear();
        self.wake.clear();
        self.coordinator = GroupCoordinator::new(self.coordinator.config);
        self.txn_coordinator =
            crate::txn::coordinator::TransactionCoordinator::new(self.txn_coordinator.num_partitions);
        self.verifying.clear();
        self.txn_markers.clear();
        self.txn_abort_check_armed = false;
        for partition in self.partitions.values_mut() {
            partition.followers.clear();
            partition.pending_isr = None;
        }
    }
}

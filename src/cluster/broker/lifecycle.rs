//! A broker's life with the controller: registration after a (re)start,
//! heartbeats, and replaying the `__cluster_metadata` log into its image.

use crate::actor::{Ctx, Timer};
use crate::cluster::metadata::MetadataRecord;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{ControllerId, NodeId, TopicPartition};
use crate::protocol::{ControllerMessage, ErrorCode, Message};
use crate::trace::TraceEvent;

use super::{Broker, BrokerTimer, INITIAL_TASK_DELAY_MS, Outgoing};

impl Broker {
    /// The broker process starts. On the first start the cluster already knows
    /// it (the lesson begins with a running cluster); after a restart it must
    /// register again and catch up before serving.
    pub fn startup(&mut self, ctx: &mut Ctx<'_>, first_start: bool) {
        self.alive = true;
        if !first_start {
            self.ready = false;
            self.broker_epoch = -1;
        }
        ctx.set_timer(SimDuration::from_millis(INITIAL_TASK_DELAY_MS), Timer::Broker(BrokerTimer::RetentionCheck));
        if self.config.log_cleaner_enable {
            ctx.set_timer(self.log_cleaner_backoff(), Timer::Broker(BrokerTimer::LogCleaner));
        }
        ctx.set_timer(
            SimDuration::from_millis(self.config.replica_lag_time_max_ms / 2),
            Timer::Broker(BrokerTimer::IsrCheck),
        );
        if first_start {
            self.schedule_heartbeat(ctx);
            self.become_ready(ctx);
        }
        self.run(ctx);
    }

    fn controller_node(&self) -> Option<NodeId> {
        self.active_controller.map(NodeId::Controller)
    }

    /// The next controller to try after the current guess failed.
    fn rotate_controller(&mut self, hint: Option<ControllerId>) {
        self.active_controller = hint.or_else(|| {
            let n = self.controllers.len();
            let current = self.active_controller.and_then(|c| self.controllers.iter().position(|&x| x == c));
            current.map(|i| self.controllers[(i + 1) % n]).or(self.controllers.first().copied())
        });
    }

    /// The controller we talk to is unreachable: try the next one.
    pub(super) fn forget_controller_if(&mut self, peer: NodeId) {
        if matches!(peer, NodeId::Controller(c) if Some(c) == self.active_controller) {
            self.rotate_controller(None);
        }
    }

    pub(super) fn has_in_flight(&self, what: &Outgoing) -> bool {
        self.in_flight.values().any(|w| w == what)
    }

    /// A controller request may go now (connection up); else starts connecting.
    pub(super) fn controller_ready(&mut self, ctx: &mut Ctx<'_>) -> Option<NodeId> {
        let node = self.controller_node()?;
        self.connections.ready_or_connect(ctx, node, &mut self.next_correlation_id).then_some(node)
    }

    /// `log.cleaner.backoff.ms`, at least a millisecond. Kafka allows 0 (its
    /// cleaner thread then checks again at once, spinning on a CPU); in
    /// virtual time a zero delay would keep the clock from ever moving.
    pub(super) fn log_cleaner_backoff(&self) -> SimDuration {
        SimDuration::from_millis(self.config.log_cleaner_backoff_ms.max(1))
    }

    /// Whether a controller's error asks to wait before the next request;
    /// if so, wakes up when the wait is over.
    fn controller_backing_off(&mut self, ctx: &mut Ctx<'_>) -> bool {
        if ctx.now < self.controller_backoff {
            self.wake_at(ctx, self.controller_backoff);
            return true;
        }
        false
    }

    pub(super) fn maybe_register(&mut self, ctx: &mut Ctx<'_>) {
        if self.broker_epoch >= 0 || self.has_in_flight(&Outgoing::Registration) || self.controller_backing_off(ctx) {
            return;
        }
        let Some(node) = self.controller_ready(ctx) else {
            self.wake_later(ctx);
            return;
        };
        let broker = self.id;
        self.send_request(ctx, node, Outgoing::Registration, |correlation_id| {
            Message::Controller(ControllerMessage::BrokerRegistrationRequest { correlation_id, broker })
        });
    }

    fn schedule_heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_timer(
            SimDuration::from_millis(self.config.broker_heartbeat_interval_ms),
            Timer::Broker(BrokerTimer::Heartbeat),
        );
    }

    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        self.schedule_heartbeat(ctx);
        if self.broker_epoch < 0 || self.has_in_flight(&Outgoing::Heartbeat) {
            return;
        }
        let Some(node) = self.controller_ready(ctx) else {
            return;
        };
        let (broker, broker_epoch, metadata_offset) = (self.id, self.broker_epoch, self.metadata.offset);
        self.send_request(ctx, node, Outgoing::Heartbeat, |correlation_id| {
            Message::Controller(ControllerMessage::BrokerHeartbeatRequest {
                correlation_id,
                broker,
                broker_epoch,
                metadata_offset,
            })
        });
    }

    pub(super) fn maybe_fetch_metadata(&mut self, ctx: &mut Ctx<'_>) {
        if self.broker_epoch < 0 || self.has_in_flight(&Outgoing::MetadataFetch) || self.controller_backing_off(ctx) {
            return;
        }
        let Some(node) = self.controller_ready(ctx) else {
            self.wake_later(ctx);
            return;
        };
        let (broker, from_offset) = (self.id, self.metadata.offset);
        self.send_request(ctx, node, Outgoing::MetadataFetch, |correlation_id| {
            Message::Controller(ControllerMessage::FetchMetadataRequest { correlation_id, broker, from_offset })
        });
    }

    /// Tries again once a connection backoff has passed.
    pub(super) fn wake_later(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(at) = self.connections.next_wake(ctx.now) {
            self.wake_at(ctx, at);
        }
    }

    /// Sets one wake-up at `at` unless an earlier one is already pending, so
    /// wake-ups never multiply.
    pub(super) fn wake_at(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        if let Some(delay) = self.wake.request(ctx.now, at) {
            ctx.set_timer(delay, Timer::Broker(BrokerTimer::Wake(at)));
        }
    }

    pub(super) fn on_request_failed(&mut self, ctx: &mut Ctx<'_>, peer: NodeId, what: Outgoing) {
        match what {
            Outgoing::ReplicaFetch(leader) => {
                self.fetch_backoff.insert(leader, ctx.now + SimDuration::from_millis(super::REPLICA_FETCH_BACKOFF_MS));
                self.wake_at(ctx, ctx.now + SimDuration::from_millis(super::REPLICA_FETCH_BACKOFF_MS));
            }
            Outgoing::AlterPartition(tp) => {
                if let Some(p) = self.partitions.get_mut(&tp) {
                    p.pending_isr = None;
                }
            }
            Outgoing::TxnVerify { parked, .. } => {
                self.on_transaction_verified(ctx, parked, ErrorCode::NetworkException)
            }
            Outgoing::TxnMarkers { transactional_id, partitions, .. } => {
                self.on_txn_markers_done(ctx, &transactional_id, &partitions, &[]);
            }
            Outgoing::CreateTopics { client, names } => {
                self.answer_create_topics(ctx, client, &names, ErrorCode::RequestTimedOut);
                if peer == NodeId::Controller(self.active_controller.unwrap_or(ControllerId(0))) {
                    self.rotate_controller(None);
                }
            }
            _ => {
                // The controller we talked to is gone or cut off: try another.
                if peer == NodeId::Controller(self.active_controller.unwrap_or(ControllerId(0))) {
                    self.rotate_controller(None);
                }
                self.wake_later(ctx);
            }
        }
    }

    pub(super) fn on_controller_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: ControllerMessage) {
        let correlation_id = match &message {
            ControllerMessage::BrokerRegistrationResponse { correlation_id, .. }
            | ControllerMessage::BrokerHeartbeatResponse { correlation_id, .. }
            | ControllerMessage::FetchMetadataResponse { correlation_id, .. }
            | ControllerMessage::AlterPartitionResponse { correlation_id, .. }
            | ControllerMessage::CreateTopicsResponse { correlation_id, .. } => *correlation_id,
            _ => return,
        };
        let Some(what) = self.in_flight.remove(&correlation_id) else {
            return;
        };
        match message {
            ControllerMessage::BrokerRegistrationResponse { error, broker_epoch, active, .. } => {
                if error.is_ok() {
                    self.broker_epoch = broker_epoch;
                    self.schedule_heartbeat(ctx);
                } else {
                    self.on_controller_error(ctx, from, error, active);
                }
            }
            ControllerMessage::BrokerHeartbeatResponse { error, is_fenced, active, .. } => match error {
                ErrorCode::None => self.fenced = is_fenced,
                // The controller no longer knows this registration: register again.
                ErrorCode::StaleBrokerEpoch => self.broker_epoch = -1,
                other => self.on_controller_error(ctx, from, other, active),
            },
            ControllerMessage::FetchMetadataResponse { error, records, end_offset, active, .. } => {
                if error.is_ok() {
                    self.apply_metadata(ctx, &records);
                    if !self.ready && self.metadata.offset >= end_offset && self.broker_epoch >= 0 {
                        self.become_ready(ctx);
                    }
                } else {
                    self.on_controller_error(ctx, from, error, active);
                }
            }
            ControllerMessage::AlterPartitionResponse { tp, error, state, active, .. } => {
                debug_assert_eq!(what, Outgoing::AlterPartition(tp));
                if error == ErrorCode::NotController {
                    self.on_controller_error(ctx, from, error, active);
                }
                self.on_alter_partition_response(ctx, tp, error, state);
            }
            ControllerMessage::CreateTopicsResponse { error, topics, active, .. } => {
                if error == ErrorCode::NotController {
                    self.on_controller_error(ctx, from, error, active);
                }
                if let Outgoing::CreateTopics { client, names } = what {
                    self.on_create_topics_response(ctx, client, &names, error, topics);
                }
            }
            _ => {}
        }
        self.run(ctx);
    }

    fn on_controller_error(&mut self, ctx: &mut Ctx<'_>, from: NodeId, error: ErrorCode, active: Option<ControllerId>) {
        self.controller_backoff = ctx.now + SimDuration::from_millis(super::CONTROLLER_RETRY_BACKOFF_MS);
        if error == ErrorCode::NotController {
            let asked = match from {
                NodeId::Controller(c) => Some(c),
                _ => None,
            };
            // Follow the hint, unless it points back at the node that refused.
            self.rotate_controller(active.filter(|a| Some(*a) != asked));
        }
    }

    /// Replays metadata records into the image and acts on partition changes.
    fn apply_metadata(&mut self, ctx: &mut Ctx<'_>, records: &[MetadataRecord]) {
        let mut changed: Vec<TopicPartition> = Vec::new();
        let mut created: Vec<TopicPartition> = Vec::new();
        for record in records {
            self.metadata.apply(record);
            match record {
                MetadataRecord::PartitionChange { tp, .. } => changed.push(*tp),
                // A topic created while the cluster runs: this broker makes
                // the replicas it is assigned and takes up their roles.
                MetadataRecord::Topic { topic, image } => {
                    self.create_hosted_partitions();
                    let count = image.partitions.len() as u32;
                    created.extend(
                        (0..count)
                            .map(|p| TopicPartition::new(*topic, p))
                            .filter(|tp| self.partitions.contains_key(tp)),
                    );
                }
                MetadataRecord::ActiveController { controller } => self.active_controller = Some(*controller),
                _ => {}
            }
        }
        if self.ready {
            changed.dedup();
            for tp in changed {
                self.reconcile_partition(ctx, tp);
            }
            // A new replica has no role yet to compare with: take it up.
            for tp in created {
                self.reconcile_partition_forced(ctx, tp, true);
            }
        }
    }

    /// Caught up after a (re)start: take up every hosted partition's role.
    fn become_ready(&mut self, ctx: &mut Ctx<'_>) {
        let was_ready = self.ready;
        self.ready = true;
        if !was_ready {
            ctx.trace(TraceEvent::Action {
                text: format!("broker {} has caught up with the cluster metadata and takes up its partitions", self.id),
            });
        }
        let hosted: Vec<TopicPartition> = self.partitions.keys().copied().collect();
        for tp in hosted {
            self.reconcile_partition_forced(ctx, tp, true);
        }
    }
}

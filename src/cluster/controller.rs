//! The KRaft controller: keeps the `__cluster_metadata` log and decides, from
//! broker heartbeats and leaders' ISR requests, who leads each partition.
//!
//! Controllers run as their own nodes (Kafka's isolated mode, `controllers: N`
//! in a scenario). One of them is active; brokers register with it, heartbeat
//! to it every `broker.heartbeat.interval.ms`, and long-poll it for new metadata
//! records. A broker silent for `broker.session.timeout.ms` is fenced: it
//! leaves every ISR and loses its leaderships (see `election`).
//!
//! Preferred leaders come back on KRaft's clock
//! (`QuorumController.maybeScheduleNextBalancePartitionLeaders`): after every
//! change it writes, the controller looks for partitions led by a replica
//! other than their first (or by none), and if there are any and no check is
//! scheduled, it schedules one `leader.imbalance.check.interval.seconds`
//! later. The check elects the preferred replica wherever it is in sync and
//! unfenced; the partitions still away from it get the next check, an
//! interval after that. So a broker fenced at 107 s leads again at about
//! 407 s with the default 300 s, not at the next multiple of 300 s from the
//! controller's start. `leader.imbalance.per.broker.percentage` plays no part:
//! only the ZooKeeper controller read it.
//!
//! Simplification: the controllers' Raft quorum is not modelled. The metadata
//! log they share is treated as always committed; when the active controller's
//! node dies or is cut off from a majority, the lowest-numbered controller that
//! still reaches a majority takes over after `controller.quorum.election.timeout.ms`
//! (1 s) with the same log.

pub mod balance;
pub mod create_topics;
pub mod election;

use std::collections::BTreeMap;

use crate::actor::{Ctx, Timer};
use crate::config::BrokerConfig;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::{BrokerId, ControllerId, NodeId, TopicPartition};
use crate::protocol::{ControllerMessage, CreateTopicsRequest, CreatedTopic, ErrorCode, Message};
use crate::trace::TraceEvent;

use super::metadata::{MetadataImage, MetadataRecord, PartitionState};
use balance::ImbalanceSchedule;
use election::{Change, ChangeReason};

/// Timers the controller sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerTimer {
    /// Look for brokers whose session expired.
    SessionCheck,
    /// The leader-balance check scheduled for this time
    /// (`maybeBalancePartitionLeaders`); ignored when no longer the one in force.
    LeaderImbalanceCheck(SimTime),
    /// A parked metadata fetch reached its wait limit.
    FetchExpired(u64),
}

/// How long a broker's metadata fetch waits at the controller for new records.
const METADATA_FETCH_WAIT_MS: u64 = 500;
/// `controller.quorum.election.timeout.ms`.
pub const ELECTION_TIMEOUT_MS: u64 = 1_000;
#[derive(Clone, Debug)]
struct ParkedFetch {
    id: u64,
    from: NodeId,
    correlation_id: u64,
    from_offset: u64,
}

#[derive(Clone, Debug)]
pub struct Controller {
    /// The controller node currently active, if a quorum exists.
    pub active: Option<ControllerId>,
    /// The `__cluster_metadata` log.
    pub log: Vec<MetadataRecord>,
    /// The log applied: the cluster's truth.
    pub image: MetadataImage,
    config: BrokerConfig,
    last_heartbeat: BTreeMap<BrokerId, SimTime>,
    /// Offset of each broker's latest registration record: it is unfenced once
    /// its metadata has caught up past it.
    registered_at: BTreeMap<BrokerId, u64>,
    parked: Vec<ParkedFetch>,
    next_parked_id: u64,
    next_broker_epoch: i64,
    imbalance_schedule: ImbalanceSchedule,
    /// When the scheduled leader-balance check runs.
    balance_check_at: Option<SimTime>,
    /// Whether some partition is led by a replica other than its preferred
    /// one. Every write event asks (heartbeats and metadata fetches
    /// included), so it is kept up to date as records are applied rather
    /// than found by a scan of every partition each time.
    leaders_imbalanced: bool,
    /// Where new topics' replicas go: the start and shift of Kafka's placer.
    placement: SimRng,
}

impl Controller {
    /// A controller whose log already holds the cluster as the lesson starts.
    pub fn new(records: Vec<MetadataRecord>, config: BrokerConfig, placement: SimRng) -> Self {
        let mut image = MetadataImage::default();
        for record in &records {
            image.apply(record);
        }
        let registered_at = image.brokers.keys().map(|&b| (b, 0)).collect();
        let leaders_imbalanced = balance::leaders_imbalanced(&image);
        Controller {
            active: None,
            log: records,
            image,
            config,
            last_heartbeat: BTreeMap::new(),
            registered_at,
            parked: Vec::new(),
            next_parked_id: 0,
            next_broker_epoch: 2,
            imbalance_schedule: ImbalanceSchedule::Deferred,
            balance_check_at: None,
            leaders_imbalanced,
            placement,
        }
    }

    fn is_active(&self, ctx: &Ctx<'_>) -> bool {
        matches!((ctx.me, self.active), (NodeId::Controller(me), Some(active)) if me == active)
    }

    /// This node becomes the active controller: brokers get a fresh session
    /// and the periodic checks start.
    pub fn become_active(&mut self, ctx: &mut Ctx<'_>, id: ControllerId) {
        self.active = Some(id);
        self.parked.clear();
        for &broker in self.image.brokers.keys() {
            self.last_heartbeat.insert(broker, ctx.now);
        }
        self.append(ctx, MetadataRecord::ActiveController { controller: id });
        ctx.trace(TraceEvent::ControllerActive { controller: id });
        self.schedule_session_check(ctx);
        // A new active controller starts its own schedule (`processBatchEndOffset`
        // of the activation event).
        self.imbalance_schedule = ImbalanceSchedule::Deferred;
        self.balance_check_at = None;
        self.maybe_schedule_balance(ctx);
    }

    /// No quorum: nobody is active (`renounce` cancels the balance check).
    pub fn lose_quorum(&mut self) {
        self.active = None;
        self.parked.clear();
        self.imbalance_schedule = ImbalanceSchedule::Deferred;
        self.balance_check_at = None;
    }

    fn schedule_session_check(&mut self, ctx: &mut Ctx<'_>) {
        let session = SimDuration::from_millis(self.config.broker_session_timeout_ms);
        let next_expiry = self
            .image
            .brokers
            .iter()
            .filter(|(_, r)| !r.fenced)
            .filter_map(|(b, _)| self.last_heartbeat.get(b))
            .map(|&t| t + session)
            .min()
            .unwrap_or(ctx.now + session);
        let delay = next_expiry.saturating_sub(ctx.now) + SimDuration::from_millis(1);
        ctx.set_timer(delay, Timer::Controller(ControllerTimer::SessionCheck));
    }

    /// Appends a record to the metadata log, applies it, and wakes brokers
    /// waiting for metadata.
    fn append(&mut self, ctx: &mut Ctx<'_>, record: MetadataRecord) {
        self.image.apply(&record);
        if matches!(record, MetadataRecord::Topic { .. } | MetadataRecord::PartitionChange { .. }) {
            self.leaders_imbalanced = balance::leaders_imbalanced(&self.image);
        }
        self.log.push(record);
        for parked in std::mem::take(&mut self.parked) {
            self.answer_fetch(ctx, parked.from, parked.correlation_id, parked.from_offset);
        }
    }

    fn answer_fetch(&mut self, ctx: &mut Ctx<'_>, to: NodeId, correlation_id: u64, from_offset: u64) {
        let start = (from_offset as usize).min(self.log.len());
        ctx.send(
            to,
            Message::Controller(ControllerMessage::FetchMetadataResponse {
                correlation_id,
                error: ErrorCode::None,
                records: self.log[start..].to_vec(),
                next_offset: self.log.len() as u64,
                end_offset: self.log.len() as u64,
                active: self.active,
            }),
        );
    }

    fn apply_change(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, change: Change, reason: ChangeReason) {
        let Some(previous) = self.image.partition(tp).cloned() else {
            return;
        };
        let state = change.state;
        if previous.leader != state.leader {
            ctx.trace(TraceEvent::LeaderChange {
                tp,
                previous: previous.leader,
                leader: state.leader,
                leader_epoch: state.leader_epoch,
                isr: state.isr.clone(),
                reason: describe(reason),
                unclean: change.unclean,
            });
        } else if previous.isr != state.isr {
            ctx.trace(TraceEvent::IsrChange {
                tp,
                leader: state.leader,
                previous: previous.isr.clone(),
                isr: state.isr.clone(),
                reason: describe(reason),
            });
        }
        self.append(ctx, MetadataRecord::PartitionChange { tp, state });
    }

    fn is_unfenced_fn(&self) -> impl Fn(BrokerId) -> bool + '_ {
        |b| self.image.is_unfenced(b)
    }

    fn unclean_allowed(&self, tp: TopicPartition) -> bool {
        self.image.topic_config(tp.topic).is_some_and(|c| c.unclean_leader_election_enable)
    }

    fn fence(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId) {
        self.append(ctx, MetadataRecord::FenceBroker { broker });
        ctx.trace(TraceEvent::BrokerFenced {
            broker,
            reason: format!("no heartbeat for broker.session.timeout.ms={}", self.config.broker_session_timeout_ms),
        });
        let partitions: Vec<(TopicPartition, PartitionState)> =
            self.image.partitions().map(|(tp, s)| (tp, s.clone())).collect();
        for (tp, state) in partitions {
            let change = election::on_fenced(&state, broker, &self.is_unfenced_fn(), self.unclean_allowed(tp));
            if let Some(change) = change {
                self.apply_change(ctx, tp, change, ChangeReason::Fenced(broker));
            }
        }
    }

    fn unfence(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId) {
        self.append(ctx, MetadataRecord::UnfenceBroker { broker });
        ctx.trace(TraceEvent::BrokerUnfenced { broker });
        let partitions: Vec<(TopicPartition, PartitionState)> =
            self.image.partitions().map(|(tp, s)| (tp, s.clone())).collect();
        for (tp, state) in partitions {
            let change = election::on_unfenced(&state, broker, &self.is_unfenced_fn(), self.unclean_allowed(tp));
            if let Some(change) = change {
                self.apply_change(ctx, tp, change, ChangeReason::Unfenced(broker));
            }
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: ControllerTimer) {
        if !self.is_active(ctx) {
            return;
        }
        match timer {
            ControllerTimer::SessionCheck => {
                let session = SimDuration::from_millis(self.config.broker_session_timeout_ms);
                let expired: Vec<BrokerId> = self
                    .image
                    .brokers
                    .iter()
                    .filter(|(b, r)| !r.fenced && self.last_heartbeat.get(b).is_none_or(|&t| t + session <= ctx.now))
                    .map(|(&b, _)| b)
                    .collect();
                for broker in expired {
                    self.fence(ctx, broker);
                }
                self.schedule_session_check(ctx);
                self.maybe_schedule_balance(ctx);
            }
            ControllerTimer::LeaderImbalanceCheck(at) => {
                if self.balance_check_at != Some(at) {
                    return;
                }
                self.balance_check_at = None;
                self.balance_partition_leaders(ctx);
                self.maybe_schedule_balance(ctx);
            }
            ControllerTimer::FetchExpired(id) => {
                if let Some(i) = self.parked.iter().position(|p| p.id == id) {
                    let parked = self.parked.swap_remove(i);
                    self.answer_fetch(ctx, parked.from, parked.correlation_id, parked.from_offset);
                }
            }
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        let message = match message {
            Message::Controller(message) => message,
            Message::ApiVersionsRequest { correlation_id } => {
                ctx.send(from, Message::ApiVersionsResponse { correlation_id });
                return;
            }
            _ => return,
        };
        if !self.is_active(ctx) {
            self.refuse(ctx, from, &message);
            return;
        }
        match message {
            ControllerMessage::BrokerRegistrationRequest { correlation_id, broker } => {
                let broker_epoch = self.next_broker_epoch;
                self.next_broker_epoch += 1;
                self.registered_at.insert(broker, self.log.len() as u64);
                self.last_heartbeat.insert(broker, ctx.now);
                self.append(ctx, MetadataRecord::RegisterBroker { broker, broker_epoch });
                ctx.trace(TraceEvent::BrokerRegistered { broker, broker_epoch });
                ctx.send(
                    from,
                    Message::Controller(ControllerMessage::BrokerRegistrationResponse {
                        correlation_id,
                        error: ErrorCode::None,
                        broker_epoch,
                        active: self.active,
                    }),
                );
            }
            ControllerMessage::BrokerHeartbeatRequest { correlation_id, broker, broker_epoch, metadata_offset } => {
                let registration = self.image.brokers.get(&broker).copied();
                let error = match registration {
                    Some(r) if r.broker_epoch == broker_epoch => ErrorCode::None,
                    _ => ErrorCode::StaleBrokerEpoch,
                };
                if error.is_ok() {
                    self.last_heartbeat.insert(broker, ctx.now);
                    let caught_up = metadata_offset > self.registered_at.get(&broker).copied().unwrap_or(0);
                    if registration.is_some_and(|r| r.fenced) && caught_up {
                        self.unfence(ctx, broker);
                    }
                }
                let is_fenced = self.image.brokers.get(&broker).is_none_or(|r| r.fenced);
                ctx.send(
                    from,
                    Message::Controller(ControllerMessage::BrokerHeartbeatResponse {
                        correlation_id,
                        error,
                        is_fenced,
                        active: self.active,
                    }),
                );
            }
            ControllerMessage::FetchMetadataRequest { correlation_id, from_offset, .. } => {
                if (from_offset as usize) < self.log.len() {
                    self.answer_fetch(ctx, from, correlation_id, from_offset);
                } else {
                    self.next_parked_id += 1;
                    let id = self.next_parked_id;
                    self.parked.push(ParkedFetch { id, from, correlation_id, from_offset });
                    ctx.set_timer(
                        SimDuration::from_millis(METADATA_FETCH_WAIT_MS),
                        Timer::Controller(ControllerTimer::FetchExpired(id)),
                    );
                }
            }
            ControllerMessage::AlterPartitionRequest {
                correlation_id,
                broker,
                broker_epoch,
                tp,
                leader_epoch,
                partition_epoch,
                new_isr,
            } => {
                let (error, state) =
                    self.alter_partition(ctx, broker, broker_epoch, tp, leader_epoch, partition_epoch, new_isr);
                ctx.send(
                    from,
                    Message::Controller(ControllerMessage::AlterPartitionResponse {
                        correlation_id,
                        tp,
                        error,
                        state,
                        active: self.active,
                    }),
                );
            }
            ControllerMessage::CreateTopicsRequest { correlation_id, request } => {
                let topics = self.create_topics(ctx, &request);
                ctx.send(
                    from,
                    Message::Controller(ControllerMessage::CreateTopicsResponse {
                        correlation_id,
                        error: ErrorCode::None,
                        topics,
                        active: self.active,
                    }),
                );
            }
            _ => {}
        }
        // Registrations, heartbeats and AlterPartition are write events:
        // each ends by looking at the leader balance.
        self.maybe_schedule_balance(ctx);
    }

    /// Validates and applies a leader's ISR change request.
    #[allow(clippy::too_many_arguments)]
    fn alter_partition(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: BrokerId,
        broker_epoch: i64,
        tp: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<BrokerId>,
    ) -> (ErrorCode, Option<PartitionState>) {
        let Some(current) = self.image.partition(tp).cloned() else {
            return (ErrorCode::UnknownTopicOrPartition, None);
        };
        if self.image.brokers.get(&broker).is_none_or(|r| r.broker_epoch != broker_epoch) {
            return (ErrorCode::StaleBrokerEpoch, Some(current));
        }
        if current.leader != Some(broker) || current.leader_epoch != leader_epoch {
            return (ErrorCode::FencedLeaderEpoch, Some(current));
        }
        if current.partition_epoch != partition_epoch {
            return (ErrorCode::InvalidUpdateVersion, Some(current));
        }
        // KRaft refuses to add a fenced broker to the ISR.
        if new_isr.iter().any(|&b| !current.isr.contains(&b) && !self.image.is_unfenced(b)) {
            return (ErrorCode::IneligibleReplica, Some(current));
        }
        if new_isr.is_empty() || !new_isr.contains(&broker) {
            return (ErrorCode::InvalidUpdateVersion, Some(current));
        }
        let mut state = current;
        state.isr = new_isr;
        state.partition_epoch += 1;
        let change = Change { state: state.clone(), unclean: false };
        self.apply_change(ctx, tp, change, ChangeReason::AlterPartition(broker));
        (ErrorCode::None, Some(state))
    }

    /// Creates the topics a request asks for (see `create_topics`): one
    /// `Topic` record each, which brokers replay to create their replicas.
    fn create_topics(&mut self, ctx: &mut Ctx<'_>, request: &CreateTopicsRequest) -> Vec<CreatedTopic> {
        let (answers, creations) = create_topics::create_topics(
            &self.image,
            &self.config,
            &mut self.placement,
            &request.topics,
            request.validate_only,
        );
        for answer in &answers {
            if let Some(message) = answer.message.as_ref().filter(|_| !answer.error.is_ok()) {
                ctx.trace(TraceEvent::TopicRefused {
                    name: answer.name.clone(),
                    error: answer.error,
                    message: message.clone(),
                });
            }
        }
        for creation in creations {
            let replicas = creation.image.partitions.iter().map(|p| p.replicas.clone()).collect();
            let (topic, name) = (creation.topic, creation.image.name.clone());
            self.append(ctx, MetadataRecord::Topic { topic, image: creation.image });
            ctx.trace(TraceEvent::TopicCreated { topic, name, replicas });
        }
        answers
    }

    /// A controller that is not active answers NOT_CONTROLLER, naming the one
    /// that is.
    fn refuse(&self, ctx: &mut Ctx<'_>, from: NodeId, message: &ControllerMessage) {
        let active = self.active;
        let error = ErrorCode::NotController;
        let reply = match *message {
            ControllerMessage::BrokerRegistrationRequest { correlation_id, .. } => {
                ControllerMessage::BrokerRegistrationResponse { correlation_id, error, broker_epoch: -1, active }
            }
            ControllerMessage::BrokerHeartbeatRequest { correlation_id, .. } => {
                ControllerMessage::BrokerHeartbeatResponse { correlation_id, error, is_fenced: true, active }
            }
            ControllerMessage::FetchMetadataRequest { correlation_id, .. } => {
                ControllerMessage::FetchMetadataResponse {
                    correlation_id,
                    error,
                    records: Vec::new(),
                    next_offset: 0,
                    end_offset: 0,
                    active,
                }
            }
            ControllerMessage::AlterPartitionRequest { correlation_id, tp, .. } => {
                ControllerMessage::AlterPartitionResponse { correlation_id, tp, error, state: None, active }
            }
            ControllerMessage::CreateTopicsRequest { correlation_id, .. } => {
                ControllerMessage::CreateTopicsResponse { correlation_id, error, topics: Vec::new(), active }
            }
            _ => return,
        };
        ctx.send(from, Message::Controller(reply));
    }
}

fn describe(reason: ChangeReason) -> String {
    match reason {
        ChangeReason::Fenced(b) => format!("broker {b} was fenced"),
        ChangeReason::Unfenced(b) => format!("broker {b} is back"),
        ChangeReason::Preferred => "preferred leader election".to_string(),
        ChangeReason::BalanceCheck => {
            "the leader-balance check (leader.imbalance.check.interval.seconds after leadership left the preferred replica): preferred leader election".to_string()
        }
        ChangeReason::AlterPartition(b) => format!("AlterPartition from leader {b}"),
    }
}

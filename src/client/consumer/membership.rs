//! The consumer's side of the classic group protocol (Kafka's
//! `ConsumerCoordinator`): find the coordinator, join, let the leader assign,
//! sync, heartbeat, and leave.
//!
//! Eager rebalancing (every configured assignor supports only EAGER, as range
//! does): before rejoining, a member commits and gives up *all* its
//! partitions — the whole group stops. Cooperative rebalancing (KIP-429): a
//! member keeps consuming while it rejoins, gives up only the partitions that
//! move away, and a follow-up rebalance hands those to their new owner.

use std::collections::BTreeMap;

use crate::actor::{Ctx, Timer};
use crate::config::ConsumerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::group::assignor::{self, RebalanceProtocol, Strategy};
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, JoinGroup, JoinedMember, MemberSubscription, Message};
use crate::scenario::CommitMode;
use crate::trace::TraceEvent;

use super::heartbeat::Heartbeat;
use super::{AfterCommit, AppState, Consumer, ConsumerTimer, InFlight};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberState {
    /// Not in the group (yet, or any more).
    Unjoined,
    /// JoinGroup sent.
    Joining,
    /// SyncGroup sent.
    Syncing,
    /// Has its assignment for the current generation.
    Stable,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            MemberState::Unjoined => "unjoined",
            MemberState::Joining => "joining",
            MemberState::Syncing => "syncing",
            MemberState::Stable => "stable",
        }
    }
}

/// A consumer's membership in its group.
#[derive(Clone, Debug)]
pub struct Membership {
    pub group: String,
    pub client_id: String,
    pub instance_id: Option<String>,
    pub strategies: Vec<Strategy>,
    /// Eager if any configured assignor only supports eager rebalancing.
    pub eager: bool,
    pub coordinator: Option<BrokerId>,
    pub member_id: String,
    pub generation: i32,
    pub state: MemberState,
    pub rejoin_needed: bool,
    pub leader: bool,
    /// It left (poll timeout) while owning partitions: they are lost, not revoked.
    partitions_lost: bool,
    /// The commit before rejoining has been done for this rejoin.
    pub(super) committed_for_join: bool,
    /// Eager: waiting for that commit, the partitions are pending revocation
    /// and `poll()` returns nothing from them.
    revoking: bool,
    /// After a retriable JoinGroup error: no new JoinGroup before this.
    pub(super) next_join_at: SimTime,
    /// The heartbeat thread's timer.
    pub(super) heartbeat: Heartbeat,
}

impl Membership {
    pub fn new(group: String, client_id: String, config: &ConsumerConfig) -> Self {
        let strategies = config.partition_assignment_strategy.clone();
        let eager = strategies.iter().any(|s| s.protocol() == RebalanceProtocol::Eager);
        Membership {
            group,
            client_id,
            instance_id: config.group_instance_id.clone(),
            strategies,
            eager,
            coordinator: None,
            member_id: String::new(),
            generation: -1,
            state: MemberState::Unjoined,
            rejoin_needed: true,
            leader: false,
            partitions_lost: false,
            committed_for_join: false,
            revoking: false,
            next_join_at: SimTime::ZERO,
            heartbeat: Heartbeat::default(),
        }
    }

    /// A fresh start (the process started or restarted).
    pub fn reset(&mut self) {
        self.coordinator = None;
        self.member_id.clear();
        self.generation = -1;
        self.state = MemberState::Unjoined;
        self.rejoin_needed = true;
        self.leader = false;
        self.partitions_lost = false;
        self.committed_for_join = false;
        self.revoking = false;
        self.next_join_at = SimTime::ZERO;
        self.heartbeat.disable();
    }

    /// An eager member in the middle of a rebalance returns no records
    /// (`maybeMarkPartitionsPendingRevocation`).
    pub fn blocks_poll(&self) -> bool {
        self.eager && (self.state != MemberState::Stable || self.revoking)
    }

    /// Forgets the generation after ILLEGAL_GENERATION or a poll timeout: its
    /// partitions count as lost (nothing is committed for them) when it rejoins.
    fn reset_generation(&mut self) {
        self.generation = -1;
        self.state = MemberState::Unjoined;
        self.partitions_lost = true;
    }
}

impl Consumer {
    fn membership_mut(&mut self) -> Option<&mut Membership> {
        self.membership.as_mut()
    }

    fn has_in_flight(&self, pred: impl Fn(&InFlight) -> bool) -> bool {
        self.in_flight.values().any(pred)
    }

    pub(super) fn coordinator(&self) -> Option<BrokerId> {
        self.membership.as_ref().and_then(|m| m.coordinator).or(self.standalone_coordinator)
    }

    /// Group work done inside `poll()`: find the coordinator, auto-commit,
    /// (re)join, and look up committed offsets for new partitions.
    pub(super) fn run_group(&mut self, ctx: &mut Ctx<'_>) {
        self.ensure_coordinator(ctx);
        if self.app == AppState::Polling {
            self.maybe_auto_commit(ctx);
            let wants_join = self.membership.as_ref().is_some_and(|m| {
                m.coordinator.is_some()
                    && (m.state == MemberState::Unjoined || (m.rejoin_needed && m.state == MemberState::Stable))
            });
            let busy = self.has_in_flight(|f| {
                matches!(
                    f,
                    InFlight::Join { .. } | InFlight::Sync { .. } | InFlight::Commit { then: AfterCommit::Join, .. }
                )
            });
            let join_at = self.membership.as_ref().map_or(SimTime::ZERO, |m| m.next_join_at);
            if wants_join && !busy && ctx.now < join_at {
                self.wake_at(ctx, join_at);
            } else if wants_join && !busy {
                self.prepare_and_join(ctx);
            }
        }
        self.send_offset_fetch(ctx);
    }

    fn ensure_coordinator(&mut self, ctx: &mut Ctx<'_>) {
        // Kafka's coordinatorUnknown(): a coordinator we cannot connect to is
        // forgotten, and looked up again (it may have moved).
        if let Some(broker) = self.coordinator()
            && self.connections.has_failed(NodeId::Broker(broker))
        {
            self.coordinator_lost();
        }
        if self.coordinator().is_some() || self.has_in_flight(|f| matches!(f, InFlight::FindCoordinator { .. })) {
            return;
        }
        if ctx.now < self.next_coordinator_lookup {
            let at = self.next_coordinator_lookup;
            self.wake_at(ctx, at);
            return;
        }
        let Some(group) = self.group_id.clone() else { return };
        let n = self.bootstrap.len();
        let start = (self.next_correlation_id as usize) % n.max(1);
        let ready = (0..n).map(|i| self.bootstrap[(start + i) % n]).find(|&broker| {
            self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id)
        });
        let Some(broker) = ready else { return };
        let sent = self.send_to(ctx, broker, InFlight::FindCoordinator { broker }, |correlation_id| {
            GroupMessage::FindCoordinatorRequest { correlation_id, group }
        });
        if sent {
            // Until a coordinator answers to it, each lookup waits longer.
            let backoff = self
                .config
                .retry_backoff_ms
                .saturating_mul(1 << self.coordinator_lookups.min(20))
                .min(self.config.retry_backoff_max_ms.max(self.config.retry_backoff_ms));
            self.coordinator_lookups = self.coordinator_lookups.saturating_add(1);
            self.next_coordinator_lookup = ctx.now + SimDuration::from_millis(backoff);
        }
    }

    /// The coordinator answered a group request: lookups start afresh.
    fn coordinator_answered(&mut self) {
        self.coordinator_lookups = 0;
    }

    /// Sends a group request to `broker` if its connection is up.
    pub(super) fn send_to(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: BrokerId,
        flight: InFlight,
        build: impl FnOnce(u64) -> GroupMessage,
    ) -> bool {
        if !self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id) {
            return false;
        }
        // A JoinGroup may wait the whole rebalance timeout at the coordinator.
        let timeout = match flight {
            InFlight::Join { .. } => self.config.max_poll_interval_ms + 5_000,
            _ => self.config.request_timeout_ms,
        };
        let correlation_id = self.next_correlation_id();
        ctx.send(NodeId::Broker(broker), Message::Group(build(correlation_id)));
        self.track_request(ctx, correlation_id, timeout, flight);
        true
    }

    /// `onJoinPrepare`: with auto-commit, commit and wait for it; then eager
    /// members give up everything, cooperative ones keep what they own.
    fn prepare_and_join(&mut self, ctx: &mut Ctx<'_>) {
        let Some(m) = self.membership.as_ref() else { return };
        let (eager, lost, committed, group) = (m.eager, m.partitions_lost, m.committed_for_join, m.group.clone());
        let owned = self.assignment.clone();
        if lost {
            // The group moved on without this member: its partitions may belong
            // to someone else now, so nothing is committed for them.
            self.drop_partitions(&owned);
        } else if !owned.is_empty() {
            if self.commit_mode == CommitMode::Auto && !committed && self.commit_positions(ctx, AfterCommit::Join) {
                if eager && let Some(m) = self.membership_mut() {
                    m.revoking = true;
                }
                return;
            }
            if eager {
                ctx.trace(TraceEvent::Revoked { consumer: self.idx, group, partitions: owned.clone(), eager: true });
                self.drop_partitions(&owned);
                self.stopped_by_rebalance_since = Some(ctx.now);
            }
        }
        self.send_join(ctx);
    }

    fn send_join(&mut self, ctx: &mut Ctx<'_>) {
        let Some(m) = self.membership.as_ref() else { return };
        let Some(broker) = m.coordinator else { return };
        let owned = if m.eager { Vec::new() } else { self.assignment.clone() };
        let request = (
            m.group.clone(),
            m.member_id.clone(),
            m.instance_id.clone(),
            m.client_id.clone(),
            m.strategies.clone(),
            MemberSubscription {
                topics: self.topics.clone(),
                owned_partitions: owned,
                generation: m.generation,
                streams: self.streams.as_ref().map(|s| Box::new(s.subscription.clone())),
            },
        );
        let (session_timeout_ms, rebalance_timeout_ms) =
            (self.config.session_timeout_ms, self.config.max_poll_interval_ms);
        let sent = self.send_to(ctx, broker, InFlight::Join { broker }, |correlation_id| {
            let (group, member_id, group_instance_id, client_id, protocols, subscription) = request;
            GroupMessage::JoinGroupRequest(JoinGroup {
                correlation_id,
                group,
                member_id,
                group_instance_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                subscription,
            })
        });
        if sent && let Some(m) = self.membership_mut() {
            m.state = MemberState::Joining;
            m.rejoin_needed = false;
            m.partitions_lost = false;
            m.committed_for_join = false;
            m.revoking = false;
        }
    }

    pub(super) fn on_group_message(&mut self, ctx: &mut Ctx<'_>, broker: BrokerId, message: GroupMessage) {
        let Some(correlation_id) = message.response_correlation_id() else { return };
        let Some(flight) = self.in_flight.remove(&correlation_id) else { return };
        if flight.broker().is_some_and(|b| Some(b) == self.coordinator()) && !message.is_coordinator_error() {
            self.coordinator_answered();
        }
        match message {
            GroupMessage::FindCoordinatorResponse { error, coordinator, .. } => {
                let found = coordinator.filter(|_| error.is_ok());
                match self.membership_mut() {
                    Some(m) => m.coordinator = found,
                    None => self.standalone_coordinator = found,
                }
            }
            GroupMessage::JoinGroupResponse {
                error,
                generation,
                protocol,
                leader,
                member_id,
                members,
                skip_assignment,
                ..
            } => {
                let members = (!skip_assignment).then_some(members);
                self.on_join_response(ctx, error, generation, protocol, &leader, member_id, members);
            }
            GroupMessage::SyncGroupResponse { error, assignment, .. } => self.on_sync_response(ctx, error, assignment),
            GroupMessage::HeartbeatResponse { error, .. } => self.on_heartbeat_error(ctx, error),
            GroupMessage::OffsetCommitResponse { error, offsets, .. } => {
                let then = match flight {
                    InFlight::Commit { then, .. } => then,
                    _ => AfterCommit::Nothing,
                };
                self.on_commit_response(ctx, error, offsets, then);
            }
            GroupMessage::OffsetFetchResponse { error, offsets, .. } => {
                self.on_offset_fetch_response(ctx, error, offsets)
            }
            _ => {}
        }
        let _ = broker;
    }

    #[allow(clippy::too_many_arguments)]
    fn on_join_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        error: ErrorCode,
        generation: i32,
        protocol: Option<Strategy>,
        leader: &str,
        member_id: String,
        members: Option<Vec<JoinedMember>>,
    ) {
        let idx = self.idx;
        let backoff = self.config.retry_backoff_ms;
        let heartbeat_interval_ms = self.config.heartbeat_interval_ms;
        let Some(m) = self.membership_mut() else { return };
        match error {
            ErrorCode::None => {
                m.member_id = member_id.clone();
                m.generation = generation;
                m.leader = leader == member_id;
                m.state = MemberState::Syncing;
                // `HeartbeatThread.enable` → `resetTimeouts`: the first
                // heartbeat of this generation is an interval from now.
                let due = m.heartbeat.enable(ctx.now, SimDuration::from_millis(heartbeat_interval_ms));
                ctx.set_timer(due.saturating_sub(ctx.now), Timer::Consumer(ConsumerTimer::Heartbeat(due)));
                ctx.trace(TraceEvent::Joined {
                    consumer: idx,
                    group: m.group.clone(),
                    member_id,
                    generation,
                    leader: m.leader,
                });
                // A static leader back without a rebalance keeps the group's
                // assignment: it sends no new one (`skip_assignment`).
                let assignments = match members {
                    Some(members) if m.leader => self.run_assignor(ctx, protocol, &members),
                    _ => Vec::new(),
                };
                self.send_sync(ctx, assignments);
            }
            ErrorCode::MemberIdRequired => {
                m.member_id = member_id;
                self.send_join(ctx);
            }
            // These are answered by joining again at once.
            ErrorCode::UnknownMemberId => {
                m.member_id.clear();
                m.state = MemberState::Unjoined;
            }
            ErrorCode::IllegalGeneration => m.reset_generation(),
            ErrorCode::RebalanceInProgress => m.state = MemberState::Unjoined,
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_lost(),
            ErrorCode::CoordinatorLoadInProgress => {
                m.state = MemberState::Unjoined;
                m.next_join_at = ctx.now + SimDuration::from_millis(backoff);
            }
            fatal => self.fail(ctx, fatal),
        }
    }

    /// The group leader runs the assignor on every member's subscription.
    fn run_assignor(
        &mut self,
        ctx: &mut Ctx<'_>,
        protocol: Option<Strategy>,
        members: &[JoinedMember],
    ) -> Vec<(String, Vec<TopicPartition>)> {
        if self.streams.is_some() && members.iter().all(|m| m.subscription.streams.is_some()) {
            return self.run_streams_assignor(members);
        }
        let strategy = protocol.unwrap_or(Strategy::Range);
        let partitions_per_topic = self.partitions_per_topic(members);
        let subscriptions: Vec<assignor::Subscription> = members
            .iter()
            .map(|member| assignor::Subscription {
                member_id: member.member_id.clone(),
                group_instance_id: member.group_instance_id.clone(),
                topics: member.subscription.topics.iter().map(|&t| self.topic_name(t)).collect(),
                owned_partitions: member
                    .subscription
                    .owned_partitions
                    .iter()
                    .map(|tp| assignor::TopicPartition::new(self.topic_name(tp.topic), tp.partition))
                    .collect(),
                generation: (member.subscription.generation >= 0).then_some(member.subscription.generation),
            })
            .collect();
        let result = assignor::assign(strategy, &partitions_per_topic, &subscriptions);
        let id_of = |name: &str| self.topic_names.iter().find(|(_, n)| n.as_str() == name).map(|(&id, _)| id);
        let _ = ctx;
        result
            .assignment
            .into_iter()
            .map(|(member, list)| {
                let list = list
                    .into_iter()
                    .filter_map(|tp| id_of(&tp.topic).map(|t| TopicPartition::new(t, tp.partition)))
                    .collect();
                (member, list)
            })
            .collect()
    }

    /// A topic's name, as the assignors take it.
    fn topic_name(&self, topic: crate::ids::TopicId) -> String {
        self.topic_names.get(&topic).cloned().unwrap_or_default()
    }

    /// The partition count of every topic a member subscribes to, by name,
    /// as the leader's metadata knows it.
    fn partitions_per_topic(&self, members: &[JoinedMember]) -> BTreeMap<String, u32> {
        let mut counts = BTreeMap::new();
        for member in members {
            for &t in &member.subscription.topics {
                if let Some(&n) = self.metadata.partition_counts.get(&t) {
                    counts.insert(self.topic_name(t), n);
                }
            }
        }
        counts
    }

    /// The leader of a Kafka Streams application's group runs
    /// `StreamsPartitionAssignor` on the threads' subscriptions.
    fn run_streams_assignor(&mut self, members: &[JoinedMember]) -> Vec<(String, Vec<TopicPartition>)> {
        use crate::streams::assignor::partition_assignor::{self as streams_assignor, StreamsMember};
        let Some(streams) = self.streams.as_ref() else { return Vec::new() };
        let partitions_per_topic = self.partitions_per_topic(members);
        let owned: Vec<Vec<(String, u32)>> = members
            .iter()
            .map(|m| {
                m.subscription.owned_partitions.iter().map(|tp| (self.topic_name(tp.topic), tp.partition)).collect()
            })
            .collect();
        let streams_members: Vec<StreamsMember<'_>> = members
            .iter()
            .zip(&owned)
            .filter_map(|(m, owned)| {
                let subscription = m.subscription.streams.as_deref()?;
                Some(StreamsMember { member_id: &m.member_id, subscription, owned })
            })
            .collect();
        let end_offset = |topic: &str, p: u32| streams.changelog_end_offsets.get(&(topic.to_string(), p)).copied();
        let decided = streams_assignor::assign(&streams.app, &partitions_per_topic, &streams_members, &end_offset);
        let id_of = |name: &str| self.topic_names.iter().find(|(_, n)| n.as_str() == name).map(|(&id, _)| id);
        let assignments = members
            .iter()
            .map(|m| {
                let list = decided
                    .partitions
                    .get(&m.member_id)
                    .into_iter()
                    .flatten()
                    .filter_map(|(topic, p)| id_of(topic).map(|t| TopicPartition::new(t, *p)))
                    .collect();
                (m.member_id.clone(), list)
            })
            .collect();
        if let Some(streams) = self.streams.as_mut() {
            streams.decided = Some(decided);
        }
        assignments
    }

    fn send_sync(&mut self, ctx: &mut Ctx<'_>, assignments: Vec<(String, Vec<TopicPartition>)>) {
        let Some(m) = self.membership.as_ref() else { return };
        let Some(broker) = m.coordinator else { return };
        let (group, generation, member_id) = (m.group.clone(), m.generation, m.member_id.clone());
        let sent = self.send_to(ctx, broker, InFlight::Sync { broker }, |correlation_id| {
            GroupMessage::SyncGroupRequest { correlation_id, group, generation, member_id, assignments }
        });
        if !sent && let Some(m) = self.membership_mut() {
            m.state = MemberState::Unjoined;
        }
    }

    fn on_sync_response(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode, assignment: Vec<TopicPartition>) {
        let idx = self.idx;
        let Some(m) = self.membership.as_mut() else { return };
        match error {
            ErrorCode::None => {}
            ErrorCode::UnknownMemberId => {
                m.member_id.clear();
                m.reset_generation();
                return;
            }
            ErrorCode::IllegalGeneration => return m.reset_generation(),
            ErrorCode::RebalanceInProgress => {
                m.state = MemberState::Unjoined;
                return;
            }
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => {
                self.coordinator_lost();
                return;
            }
            fatal => return self.fail(ctx, fatal),
        }
        m.state = MemberState::Stable;
        let (group, generation, eager) = (m.group.clone(), m.generation, m.eager);
        let revoked: Vec<TopicPartition> =
            self.assignment.iter().copied().filter(|tp| !assignment.contains(tp)).collect();
        let added: Vec<TopicPartition> =
            assignment.iter().copied().filter(|tp| !self.assignment.contains(tp)).collect();
        if !revoked.is_empty() {
            // Cooperative: give up only what moves, then rejoin so it can be
            // handed over. Nothing is committed for it here: what was read
            // since the commit before the JoinGroup is read again by the new
            // owner (unless the application commits in onPartitionsRevoked).
            ctx.trace(TraceEvent::Revoked { consumer: idx, group: group.clone(), partitions: revoked.clone(), eager });
            self.drop_partitions(&revoked);
            if let Some(m) = self.membership_mut() {
                m.rejoin_needed = true;
            }
        }
        self.assignment = assignment.clone();
        // `onJoinComplete` restarts the auto-commit interval.
        self.next_auto_commit = ctx.now + SimDuration::from_millis(self.config.auto_commit_interval_ms);
        if let Some(since) = self.stopped_by_rebalance_since.take() {
            self.stopped_by_rebalances = self.stopped_by_rebalances + ctx.now.saturating_sub(since);
        }
        ctx.trace(TraceEvent::Assigned { consumer: idx, group, generation, assignment, added: added.clone() });
        self.start_positions(ctx, &added);
    }

    /// The heartbeat timer set for `at` expired: the heartbeat thread sends a
    /// Heartbeat if the member is in the group (joined, syncing or stable),
    /// and turns itself off when it is not.
    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<'_>, at: SimTime) {
        let interval = SimDuration::from_millis(self.config.heartbeat_interval_ms);
        let backoff_ms = self.config.retry_backoff_ms;
        let in_flight = self.has_in_flight(|f| matches!(f, InFlight::Heartbeat { .. }));
        let Some(m) = self.membership.as_mut() else { return };
        if !m.heartbeat.is_due(at) {
            return;
        }
        let joined = matches!(m.state, MemberState::Syncing | MemberState::Stable) && !m.member_id.is_empty();
        if !joined {
            m.heartbeat.disable();
            return;
        }
        let Some(broker) = m.coordinator else {
            // The main loop looks the coordinator up; look again after a backoff.
            let due = m.heartbeat.wait(ctx.now, SimDuration::from_millis(backoff_ms));
            ctx.set_timer(due.saturating_sub(ctx.now), Timer::Consumer(ConsumerTimer::Heartbeat(due)));
            return;
        };
        let due = m.heartbeat.sent(ctx.now, interval);
        ctx.set_timer(interval, Timer::Consumer(ConsumerTimer::Heartbeat(due)));
        if in_flight {
            return;
        }
        let (group, generation, member_id) = (m.group.clone(), m.generation, m.member_id.clone());
        self.send_to(ctx, broker, InFlight::Heartbeat { broker }, |correlation_id| GroupMessage::HeartbeatRequest {
            correlation_id,
            group,
            generation,
            member_id,
        });
    }

    /// `failHeartbeat`: the heartbeat got no answer (or an error that is not
    /// part of the protocol): try again after the retry backoff.
    pub(super) fn heartbeat_failed(&mut self, ctx: &mut Ctx<'_>) {
        let (backoff_ms, backoff_max_ms) = (self.config.retry_backoff_ms, self.config.retry_backoff_max_ms);
        let Some(m) = self.membership.as_mut() else { return };
        if !m.heartbeat.is_enabled() {
            return;
        }
        let due = m.heartbeat.failed(ctx.now, backoff_ms, backoff_max_ms);
        ctx.set_timer(due.saturating_sub(ctx.now), Timer::Consumer(ConsumerTimer::Heartbeat(due)));
    }

    fn on_heartbeat_error(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        let Some(m) = self.membership.as_mut() else { return };
        match error {
            ErrorCode::None => m.heartbeat.received(),
            ErrorCode::RebalanceInProgress => {
                m.heartbeat.received();
                m.rejoin_needed = true;
            }
            ErrorCode::IllegalGeneration => m.reset_generation(),
            ErrorCode::UnknownMemberId => {
                m.member_id.clear();
                m.reset_generation();
            }
            ErrorCode::FencedInstanceId => self.fail(ctx, error),
            _ => {
                self.heartbeat_failed(ctx);
                self.coordinator_lost();
            }
        }
    }

    /// The heartbeat thread sees the application has not called `poll()` for
    /// `max.poll.interval.ms`: the member leaves the group (KIP-62).
    pub(super) fn check_poll_timeout(&mut self, ctx: &mut Ctx<'_>) {
        let max = SimDuration::from_millis(self.config.max_poll_interval_ms);
        let stuck = self.app != AppState::Polling && self.last_poll + max <= ctx.now;
        let in_group = self.membership.as_ref().is_some_and(|m| !m.member_id.is_empty());
        if !stuck || !in_group {
            return;
        }
        let reason = format!("poll() was not called for max.poll.interval.ms={}", self.config.max_poll_interval_ms);
        self.leave_group(ctx, &reason);
        if let Some(m) = self.membership_mut() {
            m.member_id.clear();
            m.reset_generation();
        }
    }

    /// Sends LeaveGroup (dynamic members only; static members just go quiet).
    pub(super) fn leave_group(&mut self, ctx: &mut Ctx<'_>, reason: &str) {
        let idx = self.idx;
        let Some(m) = self.membership.as_ref() else { return };
        if m.member_id.is_empty() || m.instance_id.is_some() {
            return;
        }
        let (group, member_id) = (m.group.clone(), m.member_id.clone());
        if let Some(broker) = m.coordinator
            && self.connections.is_ready(NodeId::Broker(broker))
        {
            let correlation_id = self.next_correlation_id();
            let leave = GroupMessage::LeaveGroupRequest {
                correlation_id,
                group: group.clone(),
                member_id,
                reason: reason.to_string(),
            };
            ctx.send(NodeId::Broker(broker), Message::Group(leave));
        }
        ctx.trace(TraceEvent::LeftGroup { consumer: idx, group, reason: reason.to_string() });
    }

    /// A fatal group error: `poll()` throws, and the application, which does
    /// not catch it, stops.
    fn fail(&mut self, ctx: &mut Ctx<'_>, error: ErrorCode) {
        let (exception, why) = match error {
            ErrorCode::InconsistentGroupProtocol => (
                "InconsistentGroupProtocolException",
                "none of its partition.assignment.strategy assignors is supported by every member of the group",
            ),
            ErrorCode::InvalidSessionTimeout => (
                "InvalidSessionTimeoutException",
                "session.timeout.ms is outside the brokers' group.min.session.timeout.ms..group.max.session.timeout.ms",
            ),
            ErrorCode::FencedInstanceId => (
                "FencedInstanceIdException",
                "another consumer joined with the same group.instance.id and took its place",
            ),
            _ => ("KafkaException", "the group coordinator refused it"),
        };
        self.fail_application(ctx, &format!("{exception} ({})", error.name()), why.to_string());
    }

    /// The coordinator moved or is unreachable: find it again.
    pub(super) fn coordinator_lost(&mut self) {
        self.standalone_coordinator = None;
        if let Some(m) = self.membership.as_mut() {
            m.coordinator = None;
            if m.state != MemberState::Stable {
                m.state = MemberState::Unjoined;
            }
        }
    }
}

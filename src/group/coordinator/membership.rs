//! Membership and rebalances on the coordinator: JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, session expiry and the join phase, as Kafka's
//! `GroupMetadataManager` runs them for classic groups.
//!
//! Members parked in JoinGroup or SyncGroup need no heartbeats; a member
//! removed while parked is answered UNKNOWN_MEMBER_ID. Static members
//! (`group.instance.id`, KIP-345) keep their slot across restarts: a returning
//! instance replaces its old member id, which is fenced from then on, and a
//! stable group does not rebalance for it.

use super::member_id::generate_member_id;
use super::{GroupCoordinator, GroupTimer, reply, set_timer};
use crate::actor::Ctx;
use crate::engine::{SimDuration, SimRng};
use crate::group::assignor::java_hash_map::java_hash_order;
use crate::group::classic_group::{ClassicGroup, GroupState, Member, Waiting};
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, JoinGroup, JoinedMember};
use crate::trace::TraceEvent;
use crate::trace::event::MemberAssignment;

/// A JoinGroup answer carrying only an error (and the member id to use).
pub(crate) fn join_error(correlation_id: u64, error: ErrorCode, member_id: &str) -> GroupMessage {
    GroupMessage::JoinGroupResponse {
        correlation_id,
        error,
        generation: -1,
        protocol: None,
        leader: String::new(),
        member_id: member_id.to_string(),
        members: Vec::new(),
        skip_assignment: false,
    }
}

/// Everyone's subscription in the order the leader sees them: Kafka keeps
/// members in a Java `HashMap`, whose iteration order decides ties in some
/// assignors.
fn joined_members(g: &ClassicGroup) -> Vec<JoinedMember> {
    java_hash_order(&g.join_order)
        .iter()
        .filter_map(|id| g.members.get(id))
        .map(|m| JoinedMember {
            member_id: m.member_id.clone(),
            group_instance_id: m.group_instance_id.clone(),
            subscription: m.subscription.clone(),
        })
        .collect()
}

impl GroupCoordinator {
    pub(super) fn handle_join(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: GroupMessage, rng: &mut SimRng) {
        let GroupMessage::JoinGroupRequest(request) = message else {
            return;
        };
        let (correlation_id, session_timeout_ms) = (request.correlation_id, request.session_timeout_ms);
        let group = request.group.clone();
        let waiting = Waiting { node: from, correlation_id };
        let refuse = |ctx: &mut Ctx<'_>, error: ErrorCode, member_id: &str| {
            reply(ctx, from, join_error(correlation_id, error, member_id));
        };
        if session_timeout_ms < self.config.min_session_timeout_ms
            || session_timeout_ms > self.config.max_session_timeout_ms
        {
            return refuse(ctx, ErrorCode::InvalidSessionTimeout, &request.member_id);
        }
        let g = self.groups.entry(group.clone()).or_insert_with(|| ClassicGroup::new(group.clone()));
        if !g.supports(&request.protocols) {
            return refuse(ctx, ErrorCode::InconsistentGroupProtocol, &request.member_id);
        }
        if g.fenced.contains_key(&request.member_id) {
            return refuse(ctx, ErrorCode::FencedInstanceId, &request.member_id);
        }
        if request.member_id.is_empty() {
            if let Some(instance) = request.group_instance_id.clone() {
                let new_id = generate_member_id(&request.client_id, Some(&instance), rng);
                match g.static_member(&instance).map(|m| m.member_id.clone()) {
                    Some(old_id) => self.replace_static_member(ctx, &group, &old_id, new_id, waiting, request),
                    None => self.add_member(ctx, &group, new_id, waiting, request),
                }
                return;
            }
            // KIP-394: hand out an id and ask the member to join again with it.
            let new_id = generate_member_id(&request.client_id, None, rng);
            let expiry = ctx.now + SimDuration::from_millis(session_timeout_ms);
            g.pending_members.insert(new_id.clone(), expiry);
            self.schedule_session_check(ctx, &group);
            return refuse(ctx, ErrorCode::MemberIdRequired, &new_id);
        }
        if g.pending_members.remove(&request.member_id).is_some() {
            let member_id = request.member_id.clone();
            return self.add_member(ctx, &group, member_id, waiting, request);
        }
        if g.members.contains_key(&request.member_id) {
            return self.join_existing(ctx, &group, waiting, request);
        }
        refuse(ctx, ErrorCode::UnknownMemberId, &request.member_id);
    }

    /// A member joins the group for the first time: a rebalance.
    fn add_member(&mut self, ctx: &mut Ctx<'_>, group: &str, member_id: String, waiting: Waiting, request: JoinGroup) {
        let Some(g) = self.groups.get_mut(group) else { return };
        g.add_member(Member {
            member_id: member_id.clone(),
            group_instance_id: request.group_instance_id,
            client_id: request.client_id,
            node: waiting.node,
            session_timeout_ms: request.session_timeout_ms,
            rebalance_timeout_ms: request.rebalance_timeout_ms,
            protocols: request.protocols,
            subscription: request.subscription,
            last_heartbeat: ctx.now,
            awaiting_join: Some(waiting),
            awaiting_sync: None,
            assignment: Vec::new(),
        });
        self.prepare_rebalance(ctx, group, format!("{member_id} joined"));
        self.maybe_complete_join(ctx, group);
    }

    /// A static member came back (a restart): it takes over its old slot
    /// under a new member id, and the old id is fenced.
    fn replace_static_member(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        old_id: &str,
        new_id: String,
        waiting: Waiting,
        request: JoinGroup,
    ) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let Some(mut member) = g.members.remove(old_id) else { return };
        let instance = member.group_instance_id.clone().unwrap_or_default();
        if let Some(w) = member.awaiting_join.take() {
            reply(ctx, w.node, join_error(w.correlation_id, ErrorCode::FencedInstanceId, old_id));
        }
        if let Some(w) = member.awaiting_sync.take() {
            let (correlation_id, error, assignment) = (w.correlation_id, ErrorCode::FencedInstanceId, Vec::new());
            reply(ctx, w.node, GroupMessage::SyncGroupResponse { correlation_id, error, assignment });
        }
        g.fenced.insert(old_id.to_string(), instance.clone());
        for id in g.join_order.iter_mut().filter(|id| id.as_str() == old_id) {
            *id = new_id.clone();
        }
        if g.pending_sync.remove(old_id) {
            g.pending_sync.insert(new_id.clone());
        }
        let was_leader = g.leader.as_deref() == Some(old_id);
        if was_leader {
            g.leader = Some(new_id.clone());
        }
        // Like `ClassicGroup.replaceStaticMember`, the slot keeps the client id
        // and host it was created with.
        member.member_id = new_id.clone();
        member.last_heartbeat = ctx.now;
        member.session_timeout_ms = request.session_timeout_ms;
        member.rebalance_timeout_ms = request.rebalance_timeout_ms;
        member.protocols = request.protocols;
        member.subscription = request.subscription;
        member.awaiting_join = Some(waiting);
        g.members.insert(new_id.clone(), member);
        match g.state {
            GroupState::PreparingRebalance => self.maybe_complete_join(ctx, group),
            GroupState::Stable if g.select_protocol() == g.protocol => {
                // Nothing the assignment depends on changed: no rebalance. The
                // returning member gets the current generation; a returning
                // leader must not reassign (skip_assignment).
                let member = g.members.get_mut(&new_id).expect("inserted above");
                let waiting = member.awaiting_join.take().expect("set above");
                let members = if was_leader { joined_members(g) } else { Vec::new() };
                let answer = GroupMessage::JoinGroupResponse {
                    correlation_id: waiting.correlation_id,
                    error: ErrorCode::None,
                    generation: g.generation,
                    protocol: g.protocol,
                    leader: g.leader.clone().unwrap_or_default(),
                    member_id: new_id.clone(),
                    members,
                    skip_assignment: was_leader,
                };
                reply(ctx, waiting.node, answer);
                self.metadata_changed.insert(group.to_string());
                ctx.trace(TraceEvent::MemberReplaced {
                    group: group.to_string(),
                    instance,
                    old_member_id: old_id.to_string(),
                    new_member_id: new_id,
                });
            }
            _ => {
                // In CompletingRebalance the leader may be assigning to the old
                // id: only a new round gives the new id its partitions.
                let reason = format!("static member {instance} rejoined as {new_id}");
                self.prepare_rebalance(ctx, group, reason);
                self.maybe_complete_join(ctx, group);
            }
        }
    }

    /// A member the group knows sends JoinGroup
    /// (`classicGroupJoinExistingMember`).
    fn join_existing(&mut self, ctx: &mut Ctx<'_>, group: &str, waiting: Waiting, request: JoinGroup) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let state = g.state;
        let member_id = request.member_id.clone();
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        let (generation, protocol, leader) = (g.generation, g.protocol, g.leader.clone().unwrap_or_default());
        let everyone = if is_leader { joined_members(g) } else { Vec::new() };
        let Some(member) = g.members.get_mut(&member_id) else { return };
        let unchanged = member.protocols == request.protocols && member.subscription == request.subscription;
        member.protocols = request.protocols;
        member.subscription = request.subscription;
        member.node = waiting.node;
        member.last_heartbeat = ctx.now;
        member.awaiting_join = Some(waiting);
        let current_generation = |member: &mut Member| {
            // Same metadata: answer with the current generation, no rebalance.
            let waiting = member.awaiting_join.take().expect("set above");
            GroupMessage::JoinGroupResponse {
                correlation_id: waiting.correlation_id,
                error: ErrorCode::None,
                generation,
                protocol,
                leader: leader.clone(),
                member_id: member_id.clone(),
                members: everyone.clone(),
                skip_assignment: false,
            }
        };
        match state {
            GroupState::PreparingRebalance => self.maybe_complete_join(ctx, group),
            GroupState::CompletingRebalance if unchanged => {
                let answer = current_generation(member);
                reply(ctx, member.node, answer);
            }
            // The leader rejoining a stable group always rebalances: that is how
            // it reacts to changes the member metadata does not show.
            GroupState::Stable if unchanged && !is_leader => {
                let answer = current_generation(member);
                reply(ctx, member.node, answer);
            }
            _ => {
                self.prepare_rebalance(ctx, group, format!("{member_id} rejoined with new metadata"));
                self.maybe_complete_join(ctx, group);
            }
        }
    }

    /// Starts a join phase (or keeps the current one going).
    fn prepare_rebalance(&mut self, ctx: &mut Ctx<'_>, group: &str, reason: String) {
        let initial_delay = self.config.initial_rebalance_delay_ms;
        let Some(g) = self.groups.get_mut(group) else { return };
        if g.state == GroupState::PreparingRebalance {
            return;
        }
        if g.state == GroupState::CompletingRebalance {
            // Members waiting for their assignment must join again.
            for member in g.members.values_mut() {
                if let Some(w) = member.awaiting_sync.take() {
                    reply(
                        ctx,
                        w.node,
                        GroupMessage::SyncGroupResponse {
                            correlation_id: w.correlation_id,
                            error: ErrorCode::RebalanceInProgress,
                            assignment: Vec::new(),
                        },
                    );
                }
            }
        }
        g.pending_sync.clear();
        let from_empty = g.state == GroupState::Empty;
        g.transition_to(GroupState::PreparingRebalance, ctx.now);
        g.rebalance_token += 1;
        g.rebalance_reason = reason.clone();
        let token = g.rebalance_token;
        let timeout = SimDuration::from_millis(g.rebalance_timeout_ms());
        ctx.trace(TraceEvent::RebalanceStarted { group: group.to_string(), generation: g.generation, reason });
        if from_empty && initial_delay > 0 {
            // An empty group waits a little for more members (KIP-134).
            let delay = SimDuration::from_millis(initial_delay).min(timeout);
            g.initial_delay_ends = Some(ctx.now + timeout);
            g.members_at_delay_start = g.members.len();
            set_timer(ctx, delay, GroupTimer::InitialDelay { group: group.to_string(), token });
        } else {
            g.initial_delay_ends = None;
            set_timer(ctx, timeout, GroupTimer::JoinDeadline { group: group.to_string(), token });
        }
    }

    pub(super) fn initial_delay_done(&mut self, ctx: &mut Ctx<'_>, group: &str, token: u64) {
        let initial_delay = self.config.initial_rebalance_delay_ms;
        let Some(g) = self.groups.get_mut(group) else { return };
        if g.rebalance_token != token || g.state != GroupState::PreparingRebalance {
            return;
        }
        let latest = g.initial_delay_ends.unwrap_or(ctx.now);
        // Members arrived during the delay: wait once more, within the rebalance timeout.
        let remaining = latest.saturating_sub(ctx.now);
        if g.members.len() > g.members_at_delay_start && !remaining.is_zero() {
            g.members_at_delay_start = g.members.len();
            let again = SimDuration::from_millis(initial_delay).min(remaining);
            set_timer(ctx, again, GroupTimer::InitialDelay { group: group.to_string(), token });
            return;
        }
        g.initial_delay_ends = None;
        set_timer(ctx, remaining, GroupTimer::JoinDeadline { group: group.to_string(), token });
        self.maybe_complete_join(ctx, group);
    }

    fn maybe_complete_join(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let ready = self.groups.get(group).is_some_and(|g| {
            g.state == GroupState::PreparingRebalance && g.initial_delay_ends.is_none() && g.all_joined()
        });
        if ready {
            self.complete_join(ctx, group);
        }
    }

    /// The rebalance timeout passed: dynamic members that did not rejoin are
    /// removed; static members stay until their session expires.
    pub(super) fn join_deadline(&mut self, ctx: &mut Ctx<'_>, group: &str, token: u64) {
        let Some(g) = self.groups.get_mut(group) else { return };
        if g.rebalance_token != token || g.state != GroupState::PreparingRebalance || g.initial_delay_ends.is_some() {
            return;
        }
        g.pending_members.clear();
        let late: Vec<String> = g
            .members
            .values()
            .filter(|m| m.awaiting_join.is_none() && m.group_instance_id.is_none())
            .map(|m| m.member_id.clone())
            .collect();
        for member_id in late {
            self.remove_member(
                ctx,
                group,
                &member_id,
                "did not rejoin within the rebalance timeout (max.poll.interval.ms)",
            );
        }
        self.complete_join(ctx, group);
    }

    /// The join phase ends: a new generation, a leader, and JoinGroup answers.
    fn complete_join(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.groups.get_mut(group) else { return };
        g.generation += 1;
        g.rebalance_token += 1;
        if g.members.is_empty() {
            g.transition_to(GroupState::Empty, ctx.now);
            g.protocol = None;
            g.leader = None;
            self.metadata_changed.insert(group.to_string());
            ctx.trace(TraceEvent::GenerationStarted {
                group: group.to_string(),
                generation: g.generation,
                protocol: None,
                leader: None,
                members: Vec::new(),
            });
            return;
        }
        g.protocol = g.select_protocol();
        // A leader that did not rejoin hands over to the first member that did,
        // in HashMap order (`maybeElectNewJoinedLeader`).
        let leader_joined = g.leader.as_ref().and_then(|l| g.members.get(l)).is_some_and(|m| m.awaiting_join.is_some());
        if !leader_joined {
            let joined: Vec<String> =
                g.join_order.iter().filter(|id| g.members[*id].awaiting_join.is_some()).cloned().collect();
            g.leader = java_hash_order(&joined).into_iter().next().or_else(|| g.join_order.first().cloned());
        }
        g.transition_to(GroupState::CompletingRebalance, ctx.now);
        g.pending_sync = g.members.keys().cloned().collect();
        let leader = g.leader.clone().unwrap_or_default();
        let everyone = joined_members(g);
        let (generation, protocol) = (g.generation, g.protocol);
        for member in g.members.values_mut() {
            member.last_heartbeat = ctx.now;
            let Some(w) = member.awaiting_join.take() else { continue };
            let members = if member.member_id == leader { everyone.clone() } else { Vec::new() };
            reply(
                ctx,
                w.node,
                GroupMessage::JoinGroupResponse {
                    correlation_id: w.correlation_id,
                    error: ErrorCode::None,
                    generation,
                    protocol,
                    leader: leader.clone(),
                    member_id: member.member_id.clone(),
                    members,
                    skip_assignment: false,
                },
            );
        }
        let timeout = SimDuration::from_millis(g.rebalance_timeout_ms());
        ctx.trace(TraceEvent::GenerationStarted {
            group: group.to_string(),
            generation,
            protocol,
            leader: Some(leader),
            members: g.members.keys().cloned().collect(),
        });
        set_timer(ctx, timeout, GroupTimer::SyncDeadline { group: group.to_string(), generation });
        self.schedule_session_check(ctx, group);
    }

    pub(super) fn handle_sync(
        &mut self,
        ctx: &mut Ctx<'_>,
        requester: Waiting,
        group: &str,
        generation: i32,
        member_id: &str,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let answer = |ctx: &mut Ctx<'_>, error: ErrorCode, assignment: Vec<TopicPartition>| {
            let correlation_id = requester.correlation_id;
            reply(ctx, requester.node, GroupMessage::SyncGroupResponse { correlation_id, error, assignment });
        };
        let Some(g) = self.groups.get_mut(group) else {
            return answer(ctx, ErrorCode::UnknownMemberId, Vec::new());
        };
        if g.fenced.contains_key(member_id) {
            return answer(ctx, ErrorCode::FencedInstanceId, Vec::new());
        }
        let Some(member) = g.members.get_mut(member_id) else {
            return answer(ctx, ErrorCode::UnknownMemberId, Vec::new());
        };
        if generation != g.generation {
            return answer(ctx, ErrorCode::IllegalGeneration, Vec::new());
        }
        match g.state {
            GroupState::Empty => answer(ctx, ErrorCode::UnknownMemberId, Vec::new()),
            GroupState::PreparingRebalance => answer(ctx, ErrorCode::RebalanceInProgress, Vec::new()),
            GroupState::Stable => {
                g.pending_sync.remove(member_id);
                let assignment = member.assignment.clone();
                answer(ctx, ErrorCode::None, assignment);
            }
            GroupState::CompletingRebalance => {
                member.awaiting_sync = Some(requester);
                g.pending_sync.remove(member_id);
                if g.leader.as_deref() != Some(member_id) {
                    return;
                }
                if self.assignment_writes.contains_key(group) {
                    // The leader asked again while its assignment is being written.
                    return;
                }
                let mut given: std::collections::BTreeMap<String, Vec<TopicPartition>> =
                    assignments.into_iter().collect();
                for m in g.members.values_mut() {
                    m.assignment = given.remove(&m.member_id).unwrap_or_default();
                }
                // Kafka's storeGroup: the group stays CompletingRebalance and
                // every SyncGroup waits until the assignment is committed in
                // `__consumer_offsets` (see `on_assignment_written`).
                self.metadata_changed.insert(group.to_string());
                self.assignment_writes.insert(group.to_string(), generation);
            }
        }
    }

    /// The write of a generation's assignment is committed, or failed. On
    /// success the group is Stable and every waiting member gets its
    /// assignment; on failure they get the error and the group rebalances.
    /// A group that has moved on since (a new generation, a rebalance) is
    /// left alone, as in Kafka.
    pub fn on_assignment_written(&mut self, ctx: &mut Ctx<'_>, group: &str, generation: i32, error: ErrorCode) {
        let Some(g) = self.groups.get_mut(group) else { return };
        if g.state != GroupState::CompletingRebalance || g.generation != generation {
            return;
        }
        if error.is_ok() {
            g.transition_to(GroupState::Stable, ctx.now);
            let members = g
                .members_in_assignor_order()
                .into_iter()
                .map(|m| MemberAssignment {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    client_id: m.client_id.clone(),
                    node: m.node,
                    assignment: m.assignment.clone(),
                })
                .collect();
            ctx.trace(TraceEvent::GroupAssignment {
                group: group.to_string(),
                generation,
                protocol: g.protocol,
                members,
            });
        }
        for m in g.members.values_mut() {
            if !error.is_ok() {
                m.assignment.clear();
            }
            if let Some(w) = m.awaiting_sync.take() {
                let assignment = if error.is_ok() { m.assignment.clone() } else { Vec::new() };
                reply(
                    ctx,
                    w.node,
                    GroupMessage::SyncGroupResponse { correlation_id: w.correlation_id, error, assignment },
                );
            }
        }
        if !error.is_ok() {
            self.prepare_rebalance(ctx, group, format!("{} when storing the group's assignment", error.name()));
        }
    }

    /// The rebalance timeout after a join phase: members of that generation
    /// that never sent SyncGroup go, and the group rebalances
    /// (`expirePendingSync`).
    pub(super) fn sync_deadline(&mut self, ctx: &mut Ctx<'_>, group: &str, generation: i32) {
        let Some(g) = self.groups.get(group) else { return };
        let in_generation = matches!(g.state, GroupState::CompletingRebalance | GroupState::Stable);
        if g.generation != generation || !in_generation || g.pending_sync.is_empty() {
            return;
        }
        let late: Vec<String> = g.pending_sync.iter().cloned().collect();
        for member_id in &late {
            self.remove_member(ctx, group, member_id, "never sent SyncGroup within the rebalance timeout");
        }
        self.prepare_rebalance(ctx, group, format!("{} never synced", late.join(", ")));
        self.maybe_complete_join(ctx, group);
    }

    /// Heartbeat, checked in Kafka's order: the member, its generation, then
    /// the group's state. Only a valid heartbeat keeps the session alive.
    pub(super) fn handle_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        generation: i32,
        member_id: &str,
    ) -> ErrorCode {
        let Some(g) = self.groups.get_mut(group) else { return ErrorCode::UnknownMemberId };
        if g.fenced.contains_key(member_id) {
            return ErrorCode::FencedInstanceId;
        }
        let (state, current) = (g.state, g.generation);
        let Some(member) = g.members.get_mut(member_id) else { return ErrorCode::UnknownMemberId };
        if generation != current {
            return ErrorCode::IllegalGeneration;
        }
        match state {
            GroupState::Empty => ErrorCode::UnknownMemberId,
            GroupState::PreparingRebalance => {
                member.last_heartbeat = ctx.now;
                ErrorCode::RebalanceInProgress
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                member.last_heartbeat = ctx.now;
                ErrorCode::None
            }
        }
    }

    pub(super) fn handle_leave(&mut self, ctx: &mut Ctx<'_>, group: &str, member_id: &str, reason: &str) -> ErrorCode {
        let Some(g) = self.groups.get(group) else { return ErrorCode::UnknownMemberId };
        if g.fenced.contains_key(member_id) {
            return ErrorCode::FencedInstanceId;
        }
        if !g.members.contains_key(member_id) {
            return ErrorCode::UnknownMemberId;
        }
        self.remove_member(ctx, group, member_id, &format!("it left the group ({reason})"));
        self.after_member_gone(ctx, group, member_id);
        ErrorCode::None
    }

    /// Removes a member; one parked in JoinGroup or SyncGroup is answered
    /// UNKNOWN_MEMBER_ID (`removeMemberAndUpdateClassicGroup`).
    fn remove_member(&mut self, ctx: &mut Ctx<'_>, group: &str, member_id: &str, reason: &str) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let Some(member) = g.remove_member(member_id) else { return };
        if let Some(w) = member.awaiting_join {
            reply(ctx, w.node, join_error(w.correlation_id, ErrorCode::UnknownMemberId, member_id));
        }
        if let Some(w) = member.awaiting_sync {
            let (correlation_id, error, assignment) = (w.correlation_id, ErrorCode::UnknownMemberId, Vec::new());
            reply(ctx, w.node, GroupMessage::SyncGroupResponse { correlation_id, error, assignment });
        }
        ctx.trace(TraceEvent::MemberRemoved {
            group: group.to_string(),
            member_id: member_id.to_string(),
            reason: reason.to_string(),
        });
    }

    fn after_member_gone(&mut self, ctx: &mut Ctx<'_>, group: &str, member_id: &str) {
        let state = self.groups.get(group).map(|g| g.state);
        match state {
            Some(GroupState::PreparingRebalance) => self.maybe_complete_join(ctx, group),
            Some(GroupState::Stable | GroupState::CompletingRebalance) => {
                self.prepare_rebalance(ctx, group, format!("{member_id} left"));
                self.maybe_complete_join(ctx, group);
            }
            _ => {}
        }
    }

    pub(super) fn schedule_session_check(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        if let Some(expiry) = self.groups.get(group).and_then(ClassicGroup::next_session_expiry) {
            let delay = expiry.saturating_sub(ctx.now) + SimDuration::from_millis(1);
            set_timer(ctx, delay, GroupTimer::SessionCheck { group: group.to_string() });
        }
    }

    /// Removes members whose `session.timeout.ms` passed without a heartbeat
    /// (members parked in JoinGroup or SyncGroup are exempt), and member ids
    /// handed out that never came back.
    pub(super) fn check_sessions(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let now = ctx.now;
        let before = g.pending_members.len();
        g.pending_members.retain(|_, expiry| *expiry > now);
        let pending_expired = g.pending_members.len() < before;
        let expired: Vec<(String, u64)> = g
            .members
            .values()
            .filter(|m| m.heartbeat_needed() && m.session_expiry() <= now)
            .map(|m| (m.member_id.clone(), m.session_timeout_ms))
            .collect();
        for (member_id, timeout) in expired {
            self.remove_member(ctx, group, &member_id, &format!("no heartbeat for session.timeout.ms={timeout}"));
            self.after_member_gone(ctx, group, &member_id);
        }
        if pending_expired {
            self.maybe_complete_join(ctx, group);
        }
        self.schedule_session_check(ctx, group);
    }
}

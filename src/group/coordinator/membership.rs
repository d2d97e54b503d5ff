//! Membership and rebalances on the coordinator: JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, session expiry and the join phase.

use rand::RngExt;

use super::{GroupCoordinator, GroupTimer, reply, set_timer};
use crate::actor::Ctx;
use crate::engine::{SimDuration, SimRng};
use crate::group::assignor::java_hash_map::java_hash_order;
use crate::group::classic_group::{ClassicGroup, GroupState, Member, Waiting};
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage, JoinedMember};
use crate::trace::TraceEvent;

/// A random version-4 UUID, as Java's `UUID.randomUUID().toString()` prints it.
pub fn random_uuid(rng: &mut SimRng) -> String {
    let mut bytes: [u8; 16] = rng.random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

impl GroupCoordinator {
    pub(super) fn handle_join(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: GroupMessage, rng: &mut SimRng) {
        let GroupMessage::JoinGroupRequest {
            correlation_id,
            group,
            member_id,
            group_instance_id,
            client_id,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
            subscription,
        } = message
        else {
            return;
        };
        let refuse = |ctx: &mut Ctx<'_>, error: ErrorCode, member_id: String| {
            reply(
                ctx,
                from,
                GroupMessage::JoinGroupResponse {
                    correlation_id,
                    error,
                    generation: -1,
                    protocol: None,
                    leader: String::new(),
                    member_id,
                    members: Vec::new(),
                },
            );
        };
        if session_timeout_ms < self.config.min_session_timeout_ms
            || session_timeout_ms > self.config.max_session_timeout_ms
        {
            refuse(ctx, ErrorCode::InconsistentGroupProtocol, member_id);
            return;
        }
        let g = self.groups.entry(group.clone()).or_insert_with(|| ClassicGroup::new(group.clone()));
        if !g.supports(&protocols) {
            refuse(ctx, ErrorCode::InconsistentGroupProtocol, member_id);
            return;
        }
        let waiting = Waiting { node: from, correlation_id };
        // Static membership (KIP-345): a returning instance takes its old slot.
        if member_id.is_empty()
            && let Some(instance) = &group_instance_id
            && let Some(old_id) =
                g.members.values().find(|m| m.group_instance_id.as_ref() == Some(instance)).map(|m| m.member_id.clone())
        {
            let new_id = format!("{instance}-{}", random_uuid(rng));
            let mut member = g.remove_member(&old_id).expect("found above");
            let was_leader = g.leader.is_none() && g.join_order.is_empty();
            member.member_id = new_id.clone();
            member.node = from;
            member.last_heartbeat = ctx.now;
            g.add_member(member);
            if was_leader || g.leader.is_none() {
                g.leader = Some(new_id.clone());
            }
            self.join_existing(ctx, &group, &new_id, waiting, protocols, subscription);
            return;
        }
        if member_id.is_empty() {
            // KIP-394: hand out an id and ask the member to join again with it.
            let base = group_instance_id.clone().unwrap_or(client_id);
            let new_id = format!("{base}-{}", random_uuid(rng));
            self.pending_member_ids.insert(new_id.clone());
            refuse(ctx, ErrorCode::MemberIdRequired, new_id);
            return;
        }
        if g.members.contains_key(&member_id) {
            self.join_existing(ctx, &group, &member_id, waiting, protocols, subscription);
            return;
        }
        if !self.pending_member_ids.remove(&member_id) {
            refuse(ctx, ErrorCode::UnknownMemberId, member_id);
            return;
        }
        let member = Member {
            member_id: member_id.clone(),
            group_instance_id,
            client_id,
            node: from,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
            subscription,
            last_heartbeat: ctx.now,
            awaiting_join: Some(waiting),
            awaiting_sync: None,
            assignment: Vec::new(),
        };
        let g = self.groups.get_mut(&group).expect("created above");
        g.add_member(member);
        self.prepare_rebalance(ctx, &group, format!("{member_id} joined"));
        self.maybe_complete_join(ctx, &group);
    }

    /// A member the group knows sends JoinGroup.
    fn join_existing(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        member_id: &str,
        waiting: Waiting,
        protocols: Vec<crate::group::assignor::Strategy>,
        subscription: crate::protocol::MemberSubscription,
    ) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let state = g.state;
        let is_leader = g.leader.as_deref() == Some(member_id);
        let Some(member) = g.members.get_mut(member_id) else { return };
        let unchanged = member.protocols == protocols && member.subscription == subscription;
        member.protocols = protocols;
        member.subscription = subscription;
        member.node = waiting.node;
        member.last_heartbeat = ctx.now;
        member.awaiting_join = Some(waiting);
        match state {
            GroupState::PreparingRebalance => self.maybe_complete_join(ctx, group),
            GroupState::Stable | GroupState::CompletingRebalance if unchanged && !is_leader => {
                // Nothing changed: answer with the current generation, no rebalance.
                let g = self.groups.get_mut(group).expect("exists");
                let member = g.members.get_mut(member_id).expect("exists");
                member.awaiting_join = None;
                let (generation, protocol) = (g.generation, g.protocol);
                let leader = g.leader.clone().unwrap_or_default();
                reply(
                    ctx,
                    waiting.node,
                    GroupMessage::JoinGroupResponse {
                        correlation_id: waiting.correlation_id,
                        error: ErrorCode::None,
                        generation,
                        protocol,
                        leader,
                        member_id: member_id.to_string(),
                        members: Vec::new(),
                    },
                );
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
        let from_empty = g.state == GroupState::Empty;
        g.state = GroupState::PreparingRebalance;
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

    pub(super) fn join_deadline(&mut self, ctx: &mut Ctx<'_>, group: &str, token: u64) {
        let Some(g) = self.groups.get_mut(group) else { return };
        if g.rebalance_token != token || g.state != GroupState::PreparingRebalance || g.initial_delay_ends.is_some() {
            return;
        }
        let late: Vec<String> =
            g.members.values().filter(|m| m.awaiting_join.is_none()).map(|m| m.member_id.clone()).collect();
        for member_id in late {
            g.remove_member(&member_id);
            ctx.trace(TraceEvent::MemberRemoved {
                group: group.to_string(),
                member_id,
                reason: "did not rejoin within the rebalance timeout (max.poll.interval.ms)".to_string(),
            });
        }
        self.complete_join(ctx, group);
    }

    /// The join phase ends: a new generation, a leader, and JoinGroup answers.
    fn complete_join(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.groups.get_mut(group) else { return };
        g.generation += 1;
        g.rebalance_token += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
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
        if g.leader.as_ref().is_none_or(|l| !g.members.contains_key(l)) {
            g.leader = g.join_order.first().cloned();
        }
        g.state = GroupState::CompletingRebalance;
        let leader = g.leader.clone().unwrap_or_default();
        // Kafka keeps members in a Java HashMap: the leader sees them in its
        // iteration order, which decides ties in some assignors.
        let order = java_hash_order(&g.join_order);
        let everyone: Vec<JoinedMember> = order
            .iter()
            .filter_map(|id| g.members.get(id))
            .map(|m| JoinedMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                subscription: m.subscription.clone(),
            })
            .collect();
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
                },
            );
        }
        ctx.trace(TraceEvent::GenerationStarted {
            group: group.to_string(),
            generation,
            protocol,
            leader: Some(leader),
            members: g.members.keys().cloned().collect(),
        });
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
        let Some(member) = g.members.get_mut(member_id) else {
            return answer(ctx, ErrorCode::UnknownMemberId, Vec::new());
        };
        if generation != g.generation {
            return answer(ctx, ErrorCode::IllegalGeneration, Vec::new());
        }
        match g.state {
            GroupState::Empty | GroupState::PreparingRebalance => {
                answer(ctx, ErrorCode::RebalanceInProgress, Vec::new())
            }
            GroupState::Stable => {
                let assignment = member.assignment.clone();
                answer(ctx, ErrorCode::None, assignment);
            }
            GroupState::CompletingRebalance => {
                member.awaiting_sync = Some(requester);
                if g.leader.as_deref() != Some(member_id) {
                    return;
                }
                let mut given: std::collections::BTreeMap<String, Vec<TopicPartition>> =
                    assignments.into_iter().collect();
                for m in g.members.values_mut() {
                    m.assignment = given.remove(&m.member_id).unwrap_or_default();
                }
                g.state = GroupState::Stable;
                self.metadata_changed.insert(group.to_string());
                for m in g.members.values_mut() {
                    if let Some(w) = m.awaiting_sync.take() {
                        reply(
                            ctx,
                            w.node,
                            GroupMessage::SyncGroupResponse {
                                correlation_id: w.correlation_id,
                                error: ErrorCode::None,
                                assignment: m.assignment.clone(),
                            },
                        );
                    }
                }
            }
        }
    }

    pub(super) fn handle_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        generation: i32,
        member_id: &str,
    ) -> ErrorCode {
        let Some(g) = self.groups.get_mut(group) else { return ErrorCode::UnknownMemberId };
        let state = g.state;
        let current = g.generation;
        let Some(member) = g.members.get_mut(member_id) else { return ErrorCode::UnknownMemberId };
        member.last_heartbeat = ctx.now;
        match state {
            GroupState::PreparingRebalance => ErrorCode::RebalanceInProgress,
            _ if generation != current => ErrorCode::IllegalGeneration,
            _ => ErrorCode::None,
        }
    }

    pub(super) fn handle_leave(&mut self, ctx: &mut Ctx<'_>, group: &str, member_id: &str, reason: &str) -> ErrorCode {
        let Some(g) = self.groups.get_mut(group) else { return ErrorCode::UnknownMemberId };
        if g.remove_member(member_id).is_none() {
            return ErrorCode::UnknownMemberId;
        }
        ctx.trace(TraceEvent::MemberRemoved {
            group: group.to_string(),
            member_id: member_id.to_string(),
            reason: format!("it left the group ({reason})"),
        });
        self.after_member_gone(ctx, group, member_id);
        ErrorCode::None
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

    /// Removes members whose `session.timeout.ms` passed without a heartbeat.
    pub(super) fn check_sessions(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.groups.get(group) else { return };
        let expired: Vec<(String, u64)> = g
            .members
            .values()
            .filter(|m| m.last_heartbeat + SimDuration::from_millis(m.session_timeout_ms) <= ctx.now)
            .map(|m| (m.member_id.clone(), m.session_timeout_ms))
            .collect();
        for (member_id, timeout) in expired {
            if let Some(g) = self.groups.get_mut(group) {
                g.remove_member(&member_id);
            }
            ctx.trace(TraceEvent::MemberRemoved {
                group: group.to_string(),
                member_id: member_id.clone(),
                reason: format!("no heartbeat for session.timeout.ms={timeout}"),
            });
            self.after_member_gone(ctx, group, &member_id);
        }
        self.schedule_session_check(ctx, group);
    }
}

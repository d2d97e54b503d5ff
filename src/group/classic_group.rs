//! A consumer group as the coordinator keeps it (Kafka's `ClassicGroup`):
//! members, generation, the chosen assignor, and the state machine
//! `Empty → PreparingRebalance → CompletingRebalance → Stable`.
//!
//! A rebalance starts when a member joins, leaves or is removed. The join phase
//! ends when every known member has sent JoinGroup again, or when the
//! rebalance timeout (the largest `max.poll.interval.ms` of the members)
//! passes — members that did not rejoin by then are removed. The generation
//! then goes up by one, the first member to have joined leads, and the leader
//! computes the assignment, which the others receive in SyncGroup.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::{SimDuration, SimTime};
use crate::group::assignor::Strategy;
use crate::group::assignor::java_hash_map::{java_cmp, java_hash_order};
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{CorrelationId, MemberSubscription};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}

impl GroupState {
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
        }
    }
}

/// Where to send a parked response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub node: NodeId,
    pub correlation_id: CorrelationId,
}

#[derive(Clone, Debug)]
pub struct Member {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub node: NodeId,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<Strategy>,
    pub subscription: MemberSubscription,
    pub last_heartbeat: SimTime,
    /// A JoinGroup waiting for the join phase to end.
    pub awaiting_join: Option<Waiting>,
    /// A SyncGroup waiting for the leader's assignment.
    pub awaiting_sync: Option<Waiting>,
    pub assignment: Vec<TopicPartition>,
}

impl Member {
    /// Members parked in JoinGroup or SyncGroup need no heartbeat: they are
    /// waiting on the coordinator (`ClassicGroupMember.hasSatisfiedHeartbeat`).
    pub fn heartbeat_needed(&self) -> bool {
        self.awaiting_join.is_none() && self.awaiting_sync.is_none()
    }

    pub fn session_expiry(&self) -> SimTime {
        self.last_heartbeat + SimDuration::from_millis(self.session_timeout_ms)
    }
}

#[derive(Clone, Debug)]
pub struct ClassicGroup {
    pub name: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<Strategy>,
    pub leader: Option<String>,
    /// Members by id, and the order they first joined in.
    pub members: BTreeMap<String, Member>,
    pub join_order: Vec<String>,
    /// Bumped whenever a join phase starts, so stale timers are ignored.
    pub rebalance_token: u64,
    /// Why the current rebalance started (for the trace).
    pub rebalance_reason: String,
    /// While the initial delay of an empty group runs: when it ends at the latest.
    pub initial_delay_ends: Option<SimTime>,
    /// Members when the current initial delay started (more means wait again).
    pub members_at_delay_start: usize,
    /// Member ids handed out with MEMBER_ID_REQUIRED that have not joined
    /// with them yet, and when they expire (their session timeout).
    pub pending_members: BTreeMap<String, SimTime>,
    /// Members of the current generation that have not sent SyncGroup yet.
    pub pending_sync: BTreeSet<String>,
    /// Member ids a static member has replaced, with its `group.instance.id`:
    /// requests with them are fenced (FENCED_INSTANCE_ID).
    pub fenced: BTreeMap<String, String>,
    /// When the group entered its current state (`currentStateTimestamp`):
    /// an empty group's offsets expire counting from it.
    pub current_state_timestamp: Option<SimTime>,
}

impl ClassicGroup {
    pub fn new(name: String) -> Self {
        ClassicGroup {
            name,
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: BTreeMap::new(),
            join_order: Vec::new(),
            rebalance_token: 0,
            rebalance_reason: String::new(),
            initial_delay_ends: None,
            members_at_delay_start: 0,
            pending_members: BTreeMap::new(),
            pending_sync: BTreeSet::new(),
            fenced: BTreeMap::new(),
            current_state_timestamp: None,
        }
    }

    /// `ClassicGroup.transitionTo`: the new state, and when it began.
    pub fn transition_to(&mut self, state: GroupState, now: SimTime) {
        self.state = state;
        self.current_state_timestamp = Some(now);
    }

    /// Adds a member; the first one a group without a leader gets leads it
    /// (`ClassicGroup.add`).
    pub fn add_member(&mut self, member: Member) {
        if !self.join_order.contains(&member.member_id) {
            self.join_order.push(member.member_id.clone());
        }
        if self.leader.is_none() {
            self.leader = Some(member.member_id.clone());
        }
        self.members.insert(member.member_id.clone(), member);
    }

    /// Removes a member. A leader that goes is replaced at once by the first
    /// member in Java `HashMap` iteration order, as `ClassicGroup.remove` does.
    pub fn remove_member(&mut self, member_id: &str) -> Option<Member> {
        self.join_order.retain(|m| m != member_id);
        self.pending_sync.remove(member_id);
        let removed = self.members.remove(member_id);
        if self.leader.as_deref() == Some(member_id) {
            self.leader = java_hash_order(&self.join_order).into_iter().next();
        }
        removed
    }

    /// Every known member has sent JoinGroup for this rebalance, and no member
    /// that was handed an id is still on its way back with it.
    pub fn all_joined(&self) -> bool {
        self.members.values().all(|m| m.awaiting_join.is_some()) && self.pending_members.is_empty()
    }

    /// The static member with this `group.instance.id`.
    pub fn static_member(&self, instance: &str) -> Option<&Member> {
        self.members.values().find(|m| m.group_instance_id.as_deref() == Some(instance))
    }

    /// The join phase's deadline: the largest rebalance timeout of the members.
    pub fn rebalance_timeout_ms(&self) -> u64 {
        self.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(300_000)
    }

    /// Kafka's protocol vote: each member votes for the first of its assignors
    /// that every member supports; the most votes win (ties: the first
    /// candidate in the leader's order).
    pub fn select_protocol(&self) -> Option<Strategy> {
        let members: Vec<&Member> = self.members.values().collect();
        let first = members.first()?;
        let candidates: Vec<Strategy> =
            first.protocols.iter().copied().filter(|p| members.iter().all(|m| m.protocols.contains(p))).collect();
        let mut votes: BTreeMap<Strategy, usize> = BTreeMap::new();
        for m in &members {
            if let Some(choice) = m.protocols.iter().find(|p| candidates.contains(p)) {
                *votes.entry(*choice).or_default() += 1;
            }
        }
        let best = votes.values().copied().max()?;
        candidates.into_iter().find(|c| votes.get(c) == Some(&best))
    }

    /// Whether every member supports at least one assignor in common.
    pub fn supports(&self, protocols: &[Strategy]) -> bool {
        self.members.is_empty() || self.members.values().all(|m| m.protocols.iter().any(|p| protocols.contains(p)))
    }

    /// The members in the order every classic assignor works through them
    /// (`AbstractPartitionAssignor.MemberInfo.compareTo`): static members
    /// first, by `group.instance.id`, then the others by member id, as Java
    /// compares strings.
    pub fn members_in_assignor_order(&self) -> Vec<&Member> {
        let mut members: Vec<&Member> = self.members.values().collect();
        members.sort_by(|a, b| match (&a.group_instance_id, &b.group_instance_id) {
            (Some(x), Some(y)) => java_cmp(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => java_cmp(&a.member_id, &b.member_id),
        });
        members
    }

    /// The earliest time a member's session, or a pending member id, expires.
    pub fn next_session_expiry(&self) -> Option<SimTime> {
        let sessions = self.members.values().filter(|m| m.heartbeat_needed()).map(Member::session_expiry);
        sessions.chain(self.pending_members.values().copied()).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ClientIdx;

    fn member(id: &str, protocols: &[Strategy]) -> Member {
        Member {
            member_id: id.to_string(),
            group_instance_id: None,
            client_id: id.to_string(),
            node: NodeId::Consumer(ClientIdx(0)),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: protocols.to_vec(),
            subscription: MemberSubscription {
                topics: vec![],
                owned_partitions: vec![],
                generation: -1,
                streams: None,
            },
            last_heartbeat: SimTime::ZERO,
            awaiting_join: None,
            awaiting_sync: None,
            assignment: vec![],
        }
    }

    #[test]
    fn the_default_assignor_list_votes_for_range() {
        let mut g = ClassicGroup::new("g".into());
        g.add_member(member("a", &[Strategy::Range, Strategy::CooperativeSticky]));
        g.add_member(member("b", &[Strategy::Range, Strategy::CooperativeSticky]));
        assert_eq!(g.select_protocol(), Some(Strategy::Range));
    }

    #[test]
    fn the_vote_only_counts_assignors_everyone_supports() {
        let mut g = ClassicGroup::new("g".into());
        g.add_member(member("a", &[Strategy::CooperativeSticky, Strategy::Range]));
        g.add_member(member("b", &[Strategy::Range]));
        assert_eq!(g.select_protocol(), Some(Strategy::Range));
        assert!(!g.supports(&[Strategy::RoundRobin]));
    }

    /// `ClassicGroupTest.testElectNewJoinedLeader` and
    /// `testMaybeElectNewJoinedLeaderChooseExisting`: the first member added
    /// leads; later members do not take over while it is there.
    #[test]
    fn the_first_member_to_join_leads() {
        let mut g = ClassicGroup::new("g".into());
        g.add_member(member("consumer-g-1-ffff", &[Strategy::RoundRobin]));
        g.add_member(member("consumer-g-1-0000", &[Strategy::RoundRobin]));
        assert_eq!(g.leader.as_deref(), Some("consumer-g-1-ffff"));
    }

    #[test]
    fn removing_the_last_leader_leaves_none() {
        let mut g = ClassicGroup::new("g".into());
        g.add_member(member("a", &[Strategy::Range]));
        g.leader = Some("a".into());
        g.remove_member("a");
        assert_eq!(g.leader, None);
        assert!(g.join_order.is_empty());
    }

    #[test]
    fn a_new_leader_comes_first_in_java_hash_map_order() {
        let mut g = ClassicGroup::new("g".into());
        for id in ["leader", "c2-bbb", "c3-aaa", "c1-zzz"] {
            g.add_member(member(id, &[Strategy::Range]));
        }
        g.leader = Some("leader".into());
        g.remove_member("leader");
        // What `new HashMap<>()` with these ids yields first in Java.
        assert_eq!(g.leader.as_deref(), Some("c3-aaa"));
    }

    /// `AbstractPartitionAssignor.MemberInfo.compareTo`, as
    /// `RangeAssignorTest.testStaticMemberRangeAssignmentPersistent` relies on:
    /// static members sort first by instance id, then dynamic ones by member id.
    #[test]
    fn assignors_see_static_members_first_then_member_ids_in_order() {
        let mut g = ClassicGroup::new("g".into());
        for (id, instance) in [("consumer-g-1-b", None), ("z-static", Some("a")), ("consumer-g-1-a", None)] {
            let mut m = member(id, &[Strategy::Range]);
            m.group_instance_id = instance.map(str::to_string);
            g.add_member(m);
        }
        let order: Vec<&str> = g.members_in_assignor_order().iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(order, vec!["z-static", "consumer-g-1-a", "consumer-g-1-b"]);
    }

    #[test]
    fn members_waiting_on_the_coordinator_need_no_heartbeat() {
        let mut g = ClassicGroup::new("g".into());
        let mut waiting = member("a", &[Strategy::Range]);
        waiting.awaiting_join = Some(Waiting { node: NodeId::Consumer(ClientIdx(0)), correlation_id: 1 });
        g.add_member(waiting);
        assert_eq!(g.next_session_expiry(), None);
        g.add_member(member("b", &[Strategy::Range]));
        assert_eq!(g.next_session_expiry(), Some(SimTime::ZERO + SimDuration::from_secs(45)));
        assert!(!g.all_joined());
        g.pending_members.insert("c".into(), SimTime::from_micros(5));
        assert_eq!(g.next_session_expiry(), Some(SimTime::from_micros(5)));
    }
}

//! The sticky assignor's path for groups whose members subscribe to different topics
//! (Kafka's `GeneralAssignmentBuilder`).
//!
//! 1. Keep every valid owned partition whose topic the owner still subscribes to.
//! 2. Give each remaining partition — topics with the fewest eligible members first — to
//!    the eligible member that currently has the fewest partitions (ties: member id).
//! 3. Leave alone topics only one member can take and members that cannot change.
//! 4. Repeatedly move partitions from a member to one with 2+ fewer that could take them,
//!    preferring to return a partition to its owner from an older generation, until no
//!    move improves balance. If that did not lower the imbalance score (sum of pairwise
//!    count differences), the moves are undone — stickiness wins ties.
//!
//! Moves are tracked per topic so that a partition sent A → B can be "undone" when
//! something must later go B → A; which recorded partition is picked follows Java's
//! `HashSet` order.

use std::collections::{BTreeMap, BTreeSet};

use super::super::java_hash_map::java_cmp;
use super::super::{Subscription, TopicName, TopicPartition, topics_in_java_order};
use super::movements::Movements;
use super::{Claims, Flavor, NO_GENERATION, member_data, remove_first};

pub(super) const NOTE: &str = "Members subscribe to different topics: general sticky path \
     (give each free partition to the least-loaded member that can take it, then move \
     partitions until no member has 2+ fewer than another it could take from).";

/// A member's place in Java's `TreeSet` ordered by (partition count, member id).
type Rank = (usize, Vec<u16>, String);

pub(super) fn build(
    topics: &BTreeMap<TopicName, u32>,
    ordered: &[&Subscription],
    claims: &Claims,
    flavor: Flavor,
) -> BTreeMap<String, Vec<TopicPartition>> {
    let mut builder = Builder::new(topics, ordered, claims);
    let previous = previous_owners(ordered, flavor, claims.max_generation);
    let kept = builder.drop_unsubscribed(ordered);
    let unassigned: Vec<TopicPartition> =
        builder.all_partitions.iter().filter(|tp| !kept.contains(*tp)).cloned().collect();
    let members: Vec<String> = builder.current.keys().cloned().collect();
    for member in &members {
        builder.rank(member);
    }
    builder.balance(&previous, unassigned);
    builder.current
}

/// For partitions that older generations owned: the owner from the newest of them.
/// Java keeps the first claim seen when generations tie.
fn previous_owners(
    ordered: &[&Subscription],
    flavor: Flavor,
    max_generation: i32,
) -> BTreeMap<TopicPartition, (String, i32)> {
    let mut previous: BTreeMap<TopicPartition, (String, i32)> = BTreeMap::new();
    for member in ordered {
        let data = member_data(member, flavor);
        let generation = match data.generation {
            Some(g) if g < max_generation => g,
            None if max_generation > NO_GENERATION => NO_GENERATION,
            _ => continue,
        };
        for tp in data.partitions {
            let newer = previous.get(&tp).is_none_or(|(_, seen)| generation > *seen);
            if newer {
                previous.insert(tp, (member.member_id.clone(), generation));
            }
        }
    }
    previous
}

struct Builder<'a> {
    topics: &'a BTreeMap<TopicName, u32>,
    total_partitions: usize,
    topic_members: BTreeMap<TopicName, Vec<String>>,
    member_topics: BTreeMap<String, Vec<TopicName>>,
    current: BTreeMap<String, Vec<TopicPartition>>,
    owner: BTreeMap<TopicPartition, String>,
    /// Partitions sorted by how many members can take their topic, then topic, number.
    all_partitions: Vec<TopicPartition>,
    ranked: BTreeSet<Rank>,
    moves: Movements,
    revocation_required: bool,
}

impl<'a> Builder<'a> {
    fn new(topics: &'a BTreeMap<TopicName, u32>, ordered: &[&Subscription], claims: &Claims) -> Self {
        let mut topic_members: BTreeMap<TopicName, Vec<String>> =
            topics.keys().map(|t| (t.clone(), Vec::new())).collect();
        let mut member_topics = BTreeMap::new();
        for member in ordered {
            let subscribed: Vec<TopicName> =
                member.topics.iter().filter(|t| topics.contains_key(*t)).cloned().collect();
            for topic in &subscribed {
                if let Some(list) = topic_members.get_mut(topic) {
                    list.push(member.member_id.clone());
                }
            }
            member_topics.insert(member.member_id.clone(), subscribed);
        }
        let current: BTreeMap<String, Vec<TopicPartition>> = claims.owned.iter().cloned().collect();
        let owner = current.iter().flat_map(|(m, list)| list.iter().map(move |tp| (tp.clone(), m.clone()))).collect();
        let mut sorted_topics = topics_in_java_order(topics);
        sorted_topics
            .sort_by(|a, b| topic_members[a.0].len().cmp(&topic_members[b.0].len()).then_with(|| java_cmp(a.0, b.0)));
        let all_partitions = sorted_topics
            .into_iter()
            .flat_map(|(topic, count)| (0..count).map(move |p| TopicPartition::new(topic.clone(), p)))
            .collect();
        Self {
            topics,
            total_partitions: topics.values().map(|n| *n as usize).sum(),
            topic_members,
            member_topics,
            current,
            owner,
            all_partitions,
            ranked: BTreeSet::new(),
            moves: Movements::default(),
            revocation_required: false,
        }
    }

    /// Drops owned partitions of topics the owner no longer subscribes to; returns the
    /// partitions that stay where they are.
    fn drop_unsubscribed(&mut self, ordered: &[&Subscription]) -> BTreeSet<TopicPartition> {
        let mut kept = BTreeSet::new();
        for member in ordered {
            let Some(list) = self.current.get_mut(&member.member_id) else {
                continue;
            };
            let before = list.len();
            list.retain(|tp| member.topics.contains(&tp.topic));
            // Java leaves the stale entry in its partition→owner map; it is overwritten
            // as soon as the partition is given out again.
            self.revocation_required |= list.len() != before;
            kept.extend(list.iter().cloned());
        }
        kept
    }

    fn rank_of(&self, member: &str) -> Rank {
        let size = self.current.get(member).map_or(0, Vec::len);
        (size, member.encode_utf16().collect(), member.to_string())
    }

    fn rank(&mut self, member: &str) {
        let rank = self.rank_of(member);
        self.ranked.insert(rank);
    }

    fn unrank(&mut self, member: &str) {
        let rank = self.rank_of(member);
        self.ranked.remove(&rank);
    }

    fn size(&self, member: &str) -> Option<usize> {
        self.current.get(member).map(Vec::len)
    }

    fn subscribes(&self, member: &str, topic: &str) -> bool {
        self.member_topics.get(member).is_some_and(|t| t.iter().any(|x| x == topic))
    }

    /// The least-loaded ranked member that may take `topic`.
    fn least_loaded_for(&self, topic: &str) -> Option<String> {
        self.ranked.iter().map(|(_, _, member)| member).find(|member| self.subscribes(member, topic)).cloned()
    }

    fn balance(&mut self, previous: &BTreeMap<TopicPartition, (String, i32)>, mut unassigned: Vec<TopicPartition>) {
        let initializing = self.ranked.last().and_then(|(_, _, m)| self.size(m)).is_none_or(|size| size == 0);
        for tp in &unassigned {
            if let Some(member) = self.least_loaded_for(&tp.topic) {
                self.unrank(&member);
                self.current.entry(member.clone()).or_default().push(tp.clone());
                self.owner.insert(tp.clone(), member.clone());
                self.rank(&member);
            }
        }
        let movable: BTreeSet<TopicName> = self
            .topic_members
            .iter()
            .filter(|(_, members)| members.len() >= 2)
            .map(|(topic, _)| topic.clone())
            .collect();
        self.all_partitions.retain(|tp| movable.contains(&tp.topic));
        unassigned.retain(|tp| movable.contains(&tp.topic));
        let fixed = self.set_aside_fixed_members();
        let before = (self.current.clone(), self.owner.clone());
        if !self.revocation_required {
            self.reassign_until_balanced(&unassigned, previous);
        }
        let sweep = self.all_partitions.clone();
        let moved = self.reassign_until_balanced(&sweep, previous);
        if !initializing && moved && score(&self.current) >= score(&before.0) {
            (self.current, self.owner) = before;
        }
        for (member, list) in fixed {
            self.current.insert(member.clone(), list);
            self.rank(&member);
        }
    }

    /// Members holding every partition they could get, none of them movable, sit out.
    fn set_aside_fixed_members(&mut self) -> Vec<(String, Vec<TopicPartition>)> {
        let members: Vec<String> = self.member_topics.keys().cloned().collect();
        let mut fixed = Vec::new();
        for member in members {
            if self.can_change(&member) {
                continue;
            }
            self.unrank(&member);
            if let Some(list) = self.current.remove(&member) {
                fixed.push((member, list));
            }
        }
        fixed
    }

    fn can_change(&self, member: &str) -> bool {
        let size = self.size(member).unwrap_or(0);
        if size < self.max_size(member) {
            return true;
        }
        self.current[member].iter().any(|tp| self.topic_members[&tp.topic].len() >= 2)
    }

    /// Partitions `member` could hold at most.
    fn max_size(&self, member: &str) -> usize {
        let subscribed = &self.member_topics[member];
        if subscribed.len() == self.topics.len() {
            return self.total_partitions;
        }
        subscribed.iter().map(|t| self.topics[t] as usize).sum()
    }

    fn reassign_until_balanced(
        &mut self,
        partitions: &[TopicPartition],
        previous: &BTreeMap<TopicPartition, (String, i32)>,
    ) -> bool {
        let mut moved_any = false;
        loop {
            let mut moved = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(holder) = self.owner.get(tp).cloned() else {
                    continue;
                };
                let Some(held) = self.size(&holder) else {
                    continue;
                };
                if let Some((old_owner, _)) = previous.get(tp)
                    && self.size(old_owner).is_some_and(|old| held > old + 1)
                {
                    self.reassign_to(tp, old_owner.clone());
                    moved = true;
                    continue;
                }
                let lighter =
                    self.topic_members[&tp.topic].iter().any(|other| self.size(other).is_some_and(|n| held > n + 1));
                if lighter && let Some(target) = self.least_loaded_for(&tp.topic) {
                    self.reassign_to(tp, target);
                    moved = true;
                }
            }
            moved_any |= moved;
            if !moved {
                return moved_any;
            }
        }
    }

    fn reassign_to(&mut self, tp: &TopicPartition, target: String) {
        let Some(holder) = self.owner.get(tp).cloned() else {
            return;
        };
        let actual = self.moves.partition_to_move(tp, &holder, &target);
        let Some(from) = self.owner.get(&actual).cloned() else {
            return;
        };
        self.unrank(&from);
        self.unrank(&target);
        self.moves.record(&actual, &from, &target);
        if let Some(list) = self.current.get_mut(&from) {
            remove_first(list, &actual);
        }
        self.current.entry(target.clone()).or_default().push(actual.clone());
        self.owner.insert(actual, target.clone());
        self.rank(&target);
        self.rank(&from);
    }

    /// Balanced: counts differ by at most one, or no member could take a partition from
    /// one holding 2+ more.
    fn is_balanced(&self) -> bool {
        let (Some(first), Some(last)) = (self.ranked.first(), self.ranked.last()) else {
            return true;
        };
        if first.0 + 1 >= last.0 {
            return true;
        }
        let holder_of: BTreeMap<&TopicPartition, &String> =
            self.current.iter().flat_map(|(m, list)| list.iter().map(move |tp| (tp, m))).collect();
        for (count, _, member) in &self.ranked {
            if *count == self.max_size(member) {
                continue;
            }
            let mine = &self.current[member];
            for topic in &self.member_topics[member] {
                for p in 0..self.topics[topic] {
                    let tp = TopicPartition::new(topic.clone(), p);
                    if mine.contains(&tp) {
                        continue;
                    }
                    let other = holder_of.get(&tp).and_then(|o| self.size(o));
                    if other.is_some_and(|n| count + 1 < n) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// Sum over member pairs of the difference in partition counts (0 = perfectly even).
fn score(assignment: &BTreeMap<String, Vec<TopicPartition>>) -> usize {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    sizes.iter().enumerate().flat_map(|(i, a)| sizes[i + 1..].iter().map(move |b| a.abs_diff(*b))).sum()
}

//! The sticky assignor's fast path for groups whose members all subscribe to the same
//! topics (Kafka's `ConstrainedAssignmentBuilder`).
//!
//! With `P` partitions and `C` members, every member ends with `minQuota = ⌊P/C⌋` or
//! `maxQuota = ⌈P/C⌉` partitions, and exactly `P mod C` members get `maxQuota`.
//!
//! 1. Owned partitions are kept, members visited in Java `HashMap` order (this decides who
//!    may keep `maxQuota` when several could). A member's owned list is sorted by partition
//!    number, then topic, and cut: fewer than `minQuota` → keep all (member is "under
//!    quota"); `maxQuota` or more while extra slots remain → keep `maxQuota`; otherwise keep
//!    `minQuota` (and, while extra slots remain, the member may still get one more).
//! 2. Every other partition, sorted by topic then number, is dealt round-robin to the
//!    under-quota members (sorted by id) until they reach `minQuota`; then the members
//!    waiting for an extra one get it, first come first served.
//! 3. A partition that ends with a member other than the one that gave it up, or that two
//!    members claimed in the same generation, is "transferring ownership"; the cooperative
//!    assignor withholds those for a round.
//!
//! Simplification: the rack-aware steps Kafka runs when consumers set `client.rack` are not
//! modelled.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::super::java_hash_map::{java_cmp, sort_java_strings};
use super::super::{TopicName, TopicPartition, topics_in_java_order};
use super::{Claims, remove_first};

pub(super) struct Outcome {
    pub assignment: BTreeMap<String, Vec<TopicPartition>>,
    pub transferring: BTreeMap<TopicPartition, String>,
    pub notes: Vec<String>,
}

pub(super) fn build(topics: &BTreeMap<TopicName, u32>, claims: &Claims) -> Outcome {
    let members = claims.owned.len();
    let total: usize = topics.values().map(|n| *n as usize).sum();
    let mut builder = Builder::new(total, members);
    builder.keep_owned(claims);
    let unassigned = builder.unassigned(topics);
    sort_java_strings(&mut builder.under_min);
    builder.exactly_min.make_contiguous().sort_by(|a, b| java_cmp(a, b));
    builder.deal(&unassigned, &claims.multiply_claimed);
    let notes = vec![builder.quota_note(total, members)];
    Outcome { assignment: builder.assignment, transferring: builder.transferring, notes }
}

struct Builder {
    min_quota: usize,
    max_quota: usize,
    /// How many members end with `max_quota` (zero when the quotas are equal).
    expected_over: usize,
    current_over: usize,
    assignment: BTreeMap<String, Vec<TopicPartition>>,
    kept: Vec<TopicPartition>,
    /// Owned partitions a member had to give up, with that member.
    given_up: BTreeMap<TopicPartition, String>,
    under_min: Vec<String>,
    exactly_min: VecDeque<String>,
    transferring: BTreeMap<TopicPartition, String>,
}

impl Builder {
    fn new(total: usize, members: usize) -> Self {
        let members = members.max(1);
        Self {
            min_quota: total / members,
            max_quota: total.div_ceil(members),
            expected_over: total % members,
            current_over: 0,
            assignment: BTreeMap::new(),
            kept: Vec::new(),
            given_up: BTreeMap::new(),
            under_min: Vec::new(),
            exactly_min: VecDeque::new(),
            transferring: BTreeMap::new(),
        }
    }

    fn keep_owned(&mut self, claims: &Claims) {
        for (member, owned) in &claims.owned {
            let mut owned = owned.clone();
            owned.sort_by(|a, b| a.partition.cmp(&b.partition).then_with(|| java_cmp(&a.topic, &b.topic)));
            for tp in &claims.multiply_claimed {
                remove_first(&mut owned, tp);
            }
            let keep = if owned.len() < self.min_quota {
                self.under_min.push(member.clone());
                owned.len()
            } else if owned.len() >= self.max_quota && self.current_over < self.expected_over {
                self.current_over += 1;
                if self.current_over == self.expected_over {
                    self.exactly_min.clear();
                }
                self.max_quota
            } else {
                if self.current_over < self.expected_over {
                    self.exactly_min.push_back(member.clone());
                }
                self.min_quota
            };
            for tp in &owned[keep..] {
                self.given_up.insert(tp.clone(), member.clone());
            }
            self.kept.extend_from_slice(&owned[..keep]);
            owned.truncate(keep);
            self.assignment.insert(member.clone(), owned);
        }
    }

    /// All partitions sorted by topic then number, minus the kept ones.
    fn unassigned(&self, topics: &BTreeMap<TopicName, u32>) -> Vec<TopicPartition> {
        let kept: BTreeSet<&TopicPartition> = self.kept.iter().collect();
        topics_in_java_order(topics)
            .into_iter()
            .flat_map(|(topic, count)| (0..count).map(move |p| TopicPartition::new(topic.clone(), p)))
            .filter(|tp| !kept.contains(tp))
            .collect()
    }

    /// Kafka's round-robin fill: cycle through the under-quota members until each has
    /// `min_quota`, then hand single extras to the waiting members in order.
    fn deal(&mut self, unassigned: &[TopicPartition], multiply_claimed: &BTreeSet<TopicPartition>) {
        // A Java `LinkedList` iterator over `under_min`: `cursor` is the next index to
        // return; `last` is the index returned last (what `remove()` deletes), if any.
        let mut cursor = 0usize;
        for tp in unassigned {
            let (member, last) = if cursor < self.under_min.len() {
                cursor += 1;
                (self.under_min[cursor - 1].clone(), Some(cursor - 1))
            } else if self.under_min.is_empty() {
                let Some(member) = self.exactly_min.pop_front() else {
                    // Java throws here; unreachable while the quotas add up.
                    break;
                };
                (member, None)
            } else {
                cursor = 1;
                (self.under_min[0].clone(), Some(0))
            };
            let count = self.give(tp, &member, multiply_claimed);
            if count == self.min_quota {
                if let Some(index) = last {
                    self.under_min.remove(index);
                    cursor = index;
                }
                self.exactly_min.push_back(member);
            } else if count == self.max_quota {
                self.current_over += 1;
            }
        }
    }

    fn give(&mut self, tp: &TopicPartition, member: &str, multiply_claimed: &BTreeSet<TopicPartition>) -> usize {
        let list = self.assignment.entry(member.to_string()).or_default();
        list.push(tp.clone());
        let from_someone_else = self.given_up.get(tp).is_some_and(|owner| owner != member);
        if from_someone_else || multiply_claimed.contains(tp) {
            self.transferring.insert(tp.clone(), member.to_string());
        }
        list.len()
    }

    fn quota_note(&self, total: usize, members: usize) -> String {
        let extra = match self.expected_over {
            0 => "everyone gets the same number".to_string(),
            1 => format!("1 member may hold {}", self.max_quota),
            n => format!("{n} members may hold {}", self.max_quota),
        };
        format!(
            "All members subscribe to the same topics: quota-based sticky path. \
             {total} partitions / {members} members → minQuota {}, maxQuota {} ({extra}).",
            self.min_quota, self.max_quota
        )
    }
}

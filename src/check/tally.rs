//! Tallies: for each expectation that counts things (`happened`, `saw`,
//! `sent_to`, `longest_run`), a running count fed by the trace events as they
//! pass, as the delivery ledger is. A count only takes events inside its
//! expectation's window (from `within:`'s start, or the run's, up to the
//! check), so evaluating it at the check's time gives exactly the window.
//!
//! What counts as what:
//! - a leader change: the controller's `LeaderChange` (a new leader or none);
//!   an unclean election: one with `unclean` set;
//! - a rebalance: a new generation (`GenerationStarted`);
//! - offsets expired / a group deleted: an append to `__consumer_offsets`
//!   holding tombstones of the group's commit keys / of its metadata key —
//!   what Kafka's coordinator writes when it deletes them;
//! - an error code a client saw: once per partition it was given for (once
//!   per response for APIs without partitions): `ProduceFailed`,
//!   `ErrorResponse`;
//! - an exception its application got: once per record for a send callback
//!   (`DeliveryFailed`), once per throw for a consumer (`CommitFailed`,
//!   `ClientFailed`, a `Position` that could not be set).
//!
//! Invariant: a count only grows, and only inside its window.

use crate::engine::SimTime;
use crate::group::coordinator::records::group_key;
use crate::ids::{ClientIdx, NodeId, TopicId, TopicPartition};
use crate::protocol::ErrorCode;
use crate::scenario::expectation::client_error::{application_exception, named_exception};
use crate::scenario::{Check, ClientError, ClientRef, Expectation, Happening};
use crate::trace::TraceEvent;

/// One thing a trace event shows, for the counts to match against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fact<'a> {
    LeaderChange(TopicPartition),
    UncleanElection(TopicPartition),
    Generation(&'a str),
    OffsetsDeleted(&'a str),
    GroupDeleted(&'a str),
    Code(ClientRef, ErrorCode, u64),
    Exception(ClientRef, &'a str, u64),
    Sent(ClientIdx, TopicPartition),
}

/// The most records in a row on one partition, so far.
#[derive(Clone, Debug, Default)]
struct Run {
    partition: Option<TopicPartition>,
    current: u64,
    longest: u64,
}

#[derive(Clone, Debug)]
struct Counter {
    check: Check,
    since: SimTime,
    /// `None`: up to the end of the run.
    until: Option<SimTime>,
    count: u64,
    run: Run,
}

impl Counter {
    /// How much `fact` adds to this count.
    fn adds(&self, fact: &Fact<'_>) -> u64 {
        match (&self.check, fact) {
            (Check::Happened(Happening::LeaderChange(a)), Fact::LeaderChange(b))
            | (Check::Happened(Happening::UncleanElection(a)), Fact::UncleanElection(b))
                if a == b =>
            {
                1
            }
            (Check::Happened(Happening::Rebalance(a)), Fact::Generation(b))
            | (Check::Happened(Happening::OffsetsExpired(a)), Fact::OffsetsDeleted(b))
            | (Check::Happened(Happening::GroupDeleted(a)), Fact::GroupDeleted(b))
                if a == b =>
            {
                1
            }
            (Check::Saw(a, ClientError::Code(x)), Fact::Code(b, y, n)) if a == b && x == y => *n,
            (Check::Saw(a, ClientError::Exception(x)), Fact::Exception(b, y, n)) if a == b && x == y => *n,
            (Check::SentTo(a, x), Fact::Sent(b, y)) if a == b && x == y => 1,
            _ => 0,
        }
    }
}

/// The counts of a run's expectations, by expectation index.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    counters: Vec<(usize, Counter)>,
    offsets_topic: Option<TopicId>,
    /// Whether any count looks at `send()`s (the most frequent event).
    watch_sends: bool,
    /// Whether any count looks at `__consumer_offsets` tombstones.
    watch_tombstones: bool,
}

fn client(node: NodeId) -> Option<ClientRef> {
    match node {
        NodeId::Producer(p) => Some(ClientRef::Producer(p)),
        NodeId::Consumer(c) => Some(ClientRef::Consumer(c)),
        _ => None,
    }
}

/// The start of the keys of a group's commits (`records::commit_key`).
fn commit_key_prefix(group: &str) -> String {
    format!("offset:{group}:")
}

impl Tally {
    pub fn new(expectations: &[Expectation], offsets_topic: Option<TopicId>) -> Self {
        let counters: Vec<(usize, Counter)> = expectations
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                matches!(e.check, Check::Happened(_) | Check::Saw(..) | Check::SentTo(..) | Check::LongestRun(_))
            })
            .map(|(i, e)| {
                let since = e.since.unwrap_or(SimTime::ZERO);
                (i, Counter { check: e.check.clone(), since, until: e.at, count: 0, run: Run::default() })
            })
            .collect();
        let watch_sends = counters.iter().any(|(_, c)| matches!(c.check, Check::SentTo(..) | Check::LongestRun(_)));
        let watch_tombstones = counters.iter().any(|(_, c)| {
            matches!(c.check, Check::Happened(Happening::OffsetsExpired(_) | Happening::GroupDeleted(_)))
        });
        Tally { counters, offsets_topic, watch_sends, watch_tombstones }
    }

    /// The count of expectation `index` so far, if it is one.
    pub fn count(&self, index: usize) -> Option<u64> {
        self.counter(index).map(|c| match c.check {
            Check::LongestRun(_) => c.run.longest,
            _ => c.count,
        })
    }

    fn counter(&self, index: usize) -> Option<&Counter> {
        self.counters.iter().find(|(i, _)| *i == index).map(|(_, c)| c)
    }

    pub fn observe(&mut self, now: SimTime, event: &TraceEvent) {
        if self.counters.is_empty() {
            return;
        }
        match event {
            TraceEvent::Send { producer, tp, .. } if self.watch_sends => {
                self.add(now, Fact::Sent(*producer, *tp));
                for (_, c) in &mut self.counters {
                    if matches!(c.check, Check::LongestRun(p) if p == *producer) {
                        let run = &mut c.run;
                        run.current = if run.partition == Some(*tp) { run.current + 1 } else { 1 };
                        run.partition = Some(*tp);
                        run.longest = run.longest.max(run.current);
                    }
                }
            }
            TraceEvent::LeaderChange { tp, unclean, .. } => {
                self.add(now, Fact::LeaderChange(*tp));
                if *unclean {
                    self.add(now, Fact::UncleanElection(*tp));
                }
            }
            TraceEvent::GenerationStarted { group, .. } => self.add(now, Fact::Generation(group)),
            TraceEvent::Append { tp, batch, .. } if self.watch_tombstones && Some(tp.topic) == self.offsets_topic => {
                self.tombstones(now, batch.batch.records().filter(|r| r.is_tombstone()).filter_map(|r| r.key()));
            }
            TraceEvent::ProduceFailed { producer, error, .. } => {
                self.add(now, Fact::Code(ClientRef::Producer(*producer), *error, 1));
            }
            TraceEvent::ErrorResponse { client: node, error, partitions, .. } => {
                if let Some(who) = client(*node) {
                    self.add(now, Fact::Code(who, *error, partitions.len().max(1) as u64));
                }
            }
            TraceEvent::DeliveryFailed { producer, error, ids, .. } => {
                if let Some(exception) = application_exception(error) {
                    self.add(now, Fact::Exception(ClientRef::Producer(*producer), exception, ids.len() as u64));
                }
            }
            TraceEvent::ProducerFailed { producer, exception, .. } => {
                if let Some(exception) = application_exception(exception) {
                    self.add(now, Fact::Exception(ClientRef::Producer(*producer), exception, 1));
                }
            }
            TraceEvent::CommitFailed { consumer, error: message, .. }
            | TraceEvent::ClientFailed { consumer, exception: message, .. } => {
                if let Some(exception) = application_exception(message) {
                    self.add(now, Fact::Exception(ClientRef::Consumer(*consumer), exception, 1));
                }
            }
            TraceEvent::Position { consumer, reason, .. } => {
                if let Some(exception) = named_exception(reason) {
                    self.add(now, Fact::Exception(ClientRef::Consumer(*consumer), exception, 1));
                }
            }
            _ => {}
        }
    }

    /// An append of tombstones to `__consumer_offsets`: each group whose
    /// commits (or metadata) it deletes counts once.
    fn tombstones<'k>(&mut self, now: SimTime, keys: impl Iterator<Item = &'k [u8]>) {
        let keys: Vec<&[u8]> = keys.collect();
        if keys.is_empty() {
            return;
        }
        let groups: Vec<(bool, String)> = self
            .counters
            .iter()
            .filter_map(|(_, c)| match &c.check {
                Check::Happened(Happening::OffsetsExpired(g)) => Some((true, g.clone())),
                Check::Happened(Happening::GroupDeleted(g)) => Some((false, g.clone())),
                _ => None,
            })
            .collect();
        for (offsets, group) in groups {
            let deleted = if offsets {
                let prefix = commit_key_prefix(&group);
                keys.iter().any(|k| k.starts_with(prefix.as_bytes()))
            } else {
                keys.iter().any(|k| *k == group_key(&group).as_bytes())
            };
            if deleted {
                self.add(now, if offsets { Fact::OffsetsDeleted(&group) } else { Fact::GroupDeleted(&group) });
            }
        }
    }

    fn add(&mut self, now: SimTime, fact: Fact<'_>) {
        for (_, c) in &mut self.counters {
            if now >= c.since && c.until.is_none_or(|until| now <= until) {
                c.count += c.adds(&fact);
            }
        }
    }
}

#[cfg(test)]
mod tests;

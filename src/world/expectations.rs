//! Evaluating expectations against the world: what each check finds now
//! (from the partition views, the groups, the clients, the replicas' logs and
//! the counts taken from the trace), at its time or at the end, and the
//! trace event and report line that say how it came out.

use super::World;
use crate::check::replicas::{self, Replica};
use crate::client::consumer::ConsumerPhase;
use crate::client::producer::ProducerPhase;
use crate::cluster::log::PartitionLog;
use crate::ids::{BrokerId, TopicPartition};
use crate::scenario::{Check, ClientRef, Observed};
use crate::trace::TraceEvent;
use crate::trace::report::ExpectationResult;

/// A consumer's state, as the outcome report and `client_state` name it
/// (`scenario::CONSUMER_STATES`).
pub fn consumer_state(phase: ConsumerPhase) -> &'static str {
    match phase {
        ConsumerPhase::NotStarted => "not started",
        ConsumerPhase::Running => "running",
        ConsumerPhase::Stopped => "stopped",
        ConsumerPhase::Crashed => "crashed",
        ConsumerPhase::Failed => "failed",
    }
}

/// A producer's state, as `client_state` names it (`scenario::PRODUCER_STATES`).
pub(super) fn producer_state(phase: ProducerPhase) -> &'static str {
    match phase {
        ProducerPhase::NotStarted => "not started",
        ProducerPhase::Running => "running",
        ProducerPhase::Closing => "closing",
        ProducerPhase::Closed => "closed",
        ProducerPhase::Crashed => "crashed",
    }
}

const NO_REPLICA: Observed = Observed::Nothing("nothing (no replica has the partition)");

impl World {
    /// Whether expectation `index` would hold now, and what is found.
    pub fn expectation_now(&self, index: usize) -> Option<(bool, String)> {
        let expectation = self.scenario.expectations.get(index)?;
        let found = self.observe(index);
        Some((expectation.expected.holds(&found), found.to_string()))
    }

    /// One broker's log of a partition, if it holds a replica.
    fn replica_log(&self, tp: TopicPartition, broker: BrokerId) -> Option<&PartitionLog> {
        let b = usize::try_from(broker.0).ok()?.checked_sub(1)?;
        self.brokers.get(b).and_then(|b| b.partitions.get(&tp)).map(|p| &p.log)
    }

    /// The current value expectation `index` looks at.
    fn observe(&self, index: usize) -> Observed {
        let check = &self.scenario.expectations[index].check;
        let log_value = |tp: TopicPartition, read: fn(&PartitionLog) -> i64| {
            self.partition_view(tp).and_then(|v| v.log).map_or(NO_REPLICA, |l| Observed::Number(read(l)))
        };
        match check {
            Check::HighWatermark(tp) => log_value(*tp, PartitionLog::high_watermark),
            Check::LogEndOffset(tp) => log_value(*tp, PartitionLog::log_end_offset),
            Check::LogStartOffset(tp) => log_value(*tp, PartitionLog::log_start_offset),
            Check::LastStableOffset(tp) => log_value(*tp, PartitionLog::last_stable_offset),
            Check::Records(tp) => log_value(*tp, |l| l.record_count() as i64),
            Check::Segments(tp) => log_value(*tp, |l| l.segments().len() as i64),
            Check::Bytes(tp) => log_value(*tp, |l| l.size_bytes() as i64),
            Check::Skipped(c) => {
                Observed::Number(self.consumers.get(c.0 as usize).map_or(0, |c| c.skipped_offsets as i64))
            }
            Check::Leader(tp) => match self.partition_view(*tp).and_then(|v| v.state.leader) {
                Some(b) => Observed::Number(i64::from(b.0)),
                None => Observed::Nothing("none (offline)"),
            },
            Check::Isr(tp) => self
                .partition_view(*tp)
                .map_or(NO_REPLICA, |v| Observed::Members(v.state.isr.iter().map(|b| b.0.to_string()).collect())),
            Check::Received(c) => Observed::Number(self.consumers.get(c.0 as usize).map_or(0, |c| c.delivered as i64)),
            Check::RedeliveredTo(c) => Observed::Number(self.ledger.redelivered_to(*c) as i64),
            Check::StoppedByRebalances(c) => Observed::Number(
                self.consumers
                    .get(c.0 as usize)
                    .map_or(0, |c| c.time_stopped_by_rebalances(self.now).as_millis() as i64),
            ),
            Check::Assignment(c) => Observed::Members(
                self.consumers
                    .get(c.0 as usize)
                    .map(|c| c.assignment.iter().map(|&tp| self.names.partition(tp)).collect())
                    .unwrap_or_default(),
            ),
            Check::Committed(group, tp) => match self.group_view(group).and_then(|g| g.committed.get(tp).copied()) {
                Some(offset) => Observed::Number(offset),
                None => Observed::Nothing("none (nothing committed)"),
            },
            Check::Lag(group) => Observed::Number(self.group_lag(group).unwrap_or(0)),
            Check::Generation(group) => match self.group_view(group).and_then(|g| g.group.map(|g| g.generation)) {
                Some(generation) => Observed::Number(i64::from(generation)),
                None => Observed::Nothing("none (no coordinator knows the group)"),
            },
            Check::Outcome(field) => Observed::Number(self.delivery().field(*field) as i64),
            Check::ProducerOutcome(p, field) => Observed::Number(self.delivery_of(Some(*p)).field(*field) as i64),
            Check::Happened(_) | Check::Saw(..) | Check::SentTo(..) | Check::LongestRun(_) => {
                Observed::Number(self.tally.count(index).unwrap_or(0) as i64)
            }
            Check::GroupExists(group) => self.group_exists(group),
            Check::ClientState(client) => Observed::State(match client {
                ClientRef::Producer(p) => {
                    self.producers.get(p.0 as usize).map_or("not started", |p| producer_state(p.phase))
                }
                ClientRef::Consumer(c) => {
                    self.consumers.get(c.0 as usize).map_or("not started", |c| consumer_state(c.phase))
                }
            }),
            Check::ReplicaLogEndOffset(tp, broker) => match self.replica_log(*tp, *broker) {
                Some(log) => Observed::Number(log.log_end_offset()),
                None => Observed::Nothing("nothing (that broker holds no replica of the partition)"),
            },
            Check::InIsr(tp, broker) => match self.partition_view(*tp) {
                Some(v) if v.state.replicas.contains(broker) => {
                    let isr: Vec<String> = v.state.isr.iter().map(|b| b.to_string()).collect();
                    Observed::Flag { value: v.state.isr.contains(broker), detail: format!("ISR [{}]", isr.join(", ")) }
                }
                Some(_) => Observed::Nothing("nothing (that broker holds no replica of the partition)"),
                None => NO_REPLICA,
            },
            Check::ReplicasIdentical(tp) => self.replicas_identical(*tp),
            Check::SubjectVersions(subject) => Observed::Number(self.subject_versions(subject) as i64),
            Check::RegistryCalls(client) => Observed::Number(self.registry_calls(*client) as i64),
            Check::DeserializationFailures(c) => Observed::Number(
                self.consumers.get(c.0 as usize).and_then(|c| c.deserializer.as_ref()).map_or(0, |d| d.failures as i64),
            ),
        }
    }

    /// A group exists while its coordinator knows it, or it has committed
    /// offsets (`kafka-consumer-groups --describe` finds it); with its
    /// coordinator offline nobody can tell.
    fn group_exists(&self, group: &str) -> Observed {
        let Some(view) = self.group_view(group) else {
            return Observed::Flag { value: false, detail: "no coordinator knows it".to_string() };
        };
        if view.coordinator.is_none() {
            return Observed::Nothing("unknown (its coordinator is offline)");
        }
        match view.group {
            Some(g) => {
                Observed::Flag { value: true, detail: format!("{}, generation {}", g.state.name(), g.generation) }
            }
            None if !view.committed.is_empty() => {
                Observed::Flag { value: true, detail: "no members, offsets committed".to_string() }
            }
            None => Observed::Flag { value: false, detail: "its coordinator does not know it".to_string() },
        }
    }

    /// Every replica's log compared with the leader's (or, offline, the most
    /// complete replica's) below the high watermark.
    fn replicas_identical(&self, tp: TopicPartition) -> Observed {
        let Some(view) = self.partition_view(tp) else { return NO_REPLICA };
        let (Some(first), Some(reference)) = (view.log_broker, view.log) else { return NO_REPLICA };
        let down = |b: BrokerId| !self.brokers.get((b.0 - 1) as usize).is_some_and(|b| b.alive);
        let mut logs = vec![Replica { broker: first, down: down(first), log: reference }];
        for &b in view.state.replicas.iter().filter(|&&b| b != first) {
            if let Some(log) = self.replica_log(tp, b) {
                logs.push(Replica { broker: b, down: down(b), log });
            }
        }
        let compacted = self.scenario.topics[tp.topic.0 as usize].config.cleanup_policy.compact;
        match replicas::agree_below(reference.high_watermark(), &logs, compacted) {
            Ok(detail) => Observed::Flag { value: true, detail },
            Err(detail) => Observed::Flag { value: false, detail },
        }
    }

    pub(super) fn evaluate_expectation(&mut self, index: usize) {
        let expectation = &self.scenario.expectations[index];
        let found = self.observe(index);
        let passed = expectation.expected.holds(&found);
        let found_text = found.to_string();
        let result = ExpectationResult {
            description: expectation.description.clone(),
            at: expectation.at.map_or("end".to_string(), |t| t.to_string()),
            expected: expectation.expected.to_string(),
            found: found_text.clone(),
            passed,
        };
        self.effects.trace.push(TraceEvent::Expectation {
            index,
            passed,
            description: format!("{} = {}", expectation.description, expectation.expected),
            found: found_text,
        });
        self.results[index] = Some(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{CONSUMER_STATES, PRODUCER_STATES};

    #[test]
    fn every_state_a_client_reports_can_be_expected() {
        use ConsumerPhase as C;
        use ProducerPhase as P;
        for phase in [C::NotStarted, C::Running, C::Stopped, C::Crashed, C::Failed] {
            assert!(CONSUMER_STATES.contains(&consumer_state(phase)), "{phase:?}");
        }
        for phase in [P::NotStarted, P::Running, P::Closing, P::Closed, P::Crashed] {
            assert!(PRODUCER_STATES.contains(&producer_state(phase)), "{phase:?}");
        }
    }
}

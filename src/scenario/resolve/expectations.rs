//! Expectations: each `expect:` entry becomes one check per named partition,
//! consumer, group or count, with the expected value parsed and every name
//! resolved (an unknown one gets a "did you mean").

use serde_saphyr::Spanned;

use super::clients::partition_ref;
use super::{Located, Resolver};
use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicPartition};
use crate::scenario::file::{CheckMap, ExpectSpec, Expected as ExpectedSpec, Keyed, ScenarioFile};
use crate::scenario::{Check, Comparison, Expectation, Expected, OutcomeField, Scenario};

const PARTITION_HELP: &str = "name partitions as TOPIC-PARTITION, counting from 0";

fn expected(r: &mut Resolver<'_>, value: &Spanned<ExpectedSpec>) -> Option<Expected> {
    match &value.value {
        ExpectedSpec::Exactly(n) => Some(Expected::number(*n)),
        ExpectedSpec::Compare(text) if text.trim() == "none" => Some(Expected::Nothing),
        ExpectedSpec::Compare(text) => {
            let t = text.trim();
            let (comparison, rest) = [
                (">=", Comparison::AtLeast),
                ("<=", Comparison::AtMost),
                ("!=", Comparison::NotEqual),
                ("==", Comparison::Equal),
                (">", Comparison::Above),
                ("<", Comparison::Below),
            ]
            .into_iter()
            .find_map(|(op, c)| t.strip_prefix(op).map(|rest| (c, rest)))
            .unwrap_or((Comparison::Equal, t));
            match rest.trim().parse::<i64>() {
                Ok(value) => Some(Expected::Number { comparison, value }),
                Err(_) => {
                    r.error(
                        value,
                        format!("`{text}` is not a number or comparison"),
                        Some("write a number like `12` or a comparison like `\">= 10\"`".to_string()),
                    );
                    None
                }
            }
        }
    }
}

/// Whether a check's quantity can be negative: counts, offsets, sizes and
/// generations cannot, so expecting a negative one is a mistake.
fn may_be_negative(check: &Check) -> bool {
    matches!(check, Check::Lag(_))
}

/// Collects the checks of one `expect:` entry.
struct Checks<'r, 'a> {
    r: &'r mut Resolver<'a>,
    scenario: &'r Scenario,
    at: Option<SimTime>,
    found: Vec<Expectation>,
    any: bool,
}

impl Checks<'_, '_> {
    fn push(&mut self, check: Check, expected: Expected, description: String) {
        self.found.push(Expectation { at: self.at, check, expected, description });
    }

    fn number(&mut self, value: &Spanned<ExpectedSpec>, check: Check, description: String) {
        let Some(expected) = expected(self.r, value) else { return };
        if let Expected::Number { value: n, .. } = expected {
            if matches!(check, Check::Leader(_)) {
                if !self.broker_exists(value, n) {
                    return;
                }
            } else if n < 0 && !may_be_negative(&check) {
                self.r.error(
                    value,
                    format!("{description} is never negative, so {n} cannot be expected"),
                    Some("counts, offsets and sizes start at 0".to_string()),
                );
                return;
            }
        }
        self.push(check, expected, description);
    }

    fn broker_exists(&mut self, at: &(impl Located + ?Sized), id: i64) -> bool {
        let brokers = self.scenario.brokers;
        if id < 1 || id > i64::from(brokers) {
            self.r.error(
                at,
                format!("broker {id} does not exist"),
                Some(format!("this scenario has brokers 1 to {brokers}")),
            );
            return false;
        }
        true
    }

    fn partition(&mut self, name: &Spanned<String>) -> Option<TopicPartition> {
        partition_ref(&name.value, &self.scenario.topics)
            .map_err(|e| self.r.error(name, e, Some(PARTITION_HELP.to_string())))
            .ok()
    }

    fn consumer(&mut self, name: &Spanned<String>) -> Option<ClientIdx> {
        let found = self.scenario.consumers.iter().position(|c| c.name == name.value);
        if found.is_none() {
            let known: Vec<&str> = self.scenario.consumers.iter().map(|c| c.name.as_str()).collect();
            self.r.unknown(name, "consumer", &name.value, &known);
        }
        found.map(|i| ClientIdx(i as u32))
    }

    fn group(&mut self, name: &Spanned<String>) -> bool {
        let known: Vec<&str> = self.scenario.groups();
        if !known.contains(&name.value.as_str()) {
            self.r.unknown(name, "consumer group", &name.value, &known);
            return false;
        }
        true
    }

    fn outcome_field(&mut self, name: &Spanned<String>) -> Option<OutcomeField> {
        let found = OutcomeField::ALL.iter().copied().find(|f| f.name() == name.value);
        if found.is_none() {
            let known: Vec<&str> = OutcomeField::ALL.iter().map(|f| f.name()).collect();
            self.r.unknown(name, "outcome count", &name.value, &known);
        }
        found
    }

    /// A map of partition → number.
    fn per_partition(&mut self, label: &str, map: &Option<CheckMap>, make: fn(TopicPartition) -> Check) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(tp) = self.partition(name) {
                self.number(value, make(tp), format!("{label} of {}", name.value));
            }
        }
    }

    /// A map of consumer → number.
    fn per_consumer(&mut self, map: &Option<CheckMap>, make: fn(ClientIdx) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(consumer) = self.consumer(name) {
                self.number(value, make(consumer), describe(&name.value));
            }
        }
    }

    /// A map of group → number.
    fn per_group(&mut self, map: &Option<CheckMap>, make: fn(String) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if self.group(name) {
                self.number(value, make(name.value.clone()), describe(&name.value));
            }
        }
    }

    /// `isr: { demo_1-0: [1, 2] }`: existing brokers, each once.
    fn isr(&mut self, map: &Option<Keyed<Spanned<Vec<Spanned<u32>>>>>) {
        for (name, brokers) in map.iter().flatten() {
            self.any = true;
            let Some(tp) = self.partition(name) else { continue };
            let mut members: Vec<String> = Vec::new();
            for broker in &brokers.value {
                if !self.broker_exists(broker, i64::from(broker.value)) {
                    continue;
                }
                let id = broker.value.to_string();
                if members.contains(&id) {
                    self.r.error(
                        broker,
                        format!("broker {id} is named twice"),
                        Some("list each in-sync replica once".to_string()),
                    );
                    continue;
                }
                members.push(id);
            }
            self.push(Check::Isr(tp), Expected::Members(members), format!("ISR of {}", name.value));
        }
    }

    fn entry(&mut self, spec: &ExpectSpec) {
        self.per_partition("high_watermark", &spec.high_watermark, Check::HighWatermark);
        self.per_partition("log_end_offset", &spec.log_end_offset, Check::LogEndOffset);
        self.per_partition("log_start_offset", &spec.log_start_offset, Check::LogStartOffset);
        self.per_partition("records", &spec.records, Check::Records);
        self.per_partition("segments", &spec.segments, Check::Segments);
        self.per_partition("bytes", &spec.bytes, Check::Bytes);
        self.per_partition("leader", &spec.leader, Check::Leader);
        self.isr(&spec.isr);
        self.per_consumer(&spec.received, Check::Received, |c| format!("records received by {c}"));
        self.per_consumer(&spec.redelivered_to, Check::RedeliveredTo, |c| format!("records redelivered to {c}"));
        self.per_consumer(&spec.skipped, Check::Skipped, |c| format!("offsets {c} skipped after OFFSET_OUT_OF_RANGE"));
        self.per_consumer(&spec.stopped_by_rebalances_ms, Check::StoppedByRebalances, |c| {
            format!("milliseconds eager rebalances stopped {c}")
        });
        for (name, partitions) in spec.assignment.iter().flatten() {
            self.any = true;
            let Some(consumer) = self.consumer(name) else { continue };
            let mut members = Vec::new();
            for p in &partitions.value {
                if let Some(tp) = self.partition(p) {
                    members.push(self.scenario.partition_name(tp));
                }
            }
            self.push(Check::Assignment(consumer), Expected::Members(members), format!("assignment of {}", name.value));
        }
        for (group, offsets) in spec.committed.iter().flatten() {
            self.any = true;
            if !self.group(group) {
                continue;
            }
            for (name, value) in offsets {
                if let Some(tp) = self.partition(name) {
                    let check = Check::Committed(group.value.clone(), tp);
                    self.number(value, check, format!("offset {} committed on {}", group.value, name.value));
                }
            }
        }
        self.per_group(&spec.lag, Check::Lag, |g| format!("lag of group {g}"));
        self.per_group(&spec.generation, Check::Generation, |g| format!("generation of group {g}"));
        for (name, value) in spec.outcome.iter().flatten() {
            self.any = true;
            if let Some(field) = self.outcome_field(name) {
                self.number(value, Check::Outcome(field), format!("{} records", name.value));
            }
        }
        for (producer, checks) in spec.outcome_of.iter().flatten() {
            self.any = true;
            let Some(index) = self.scenario.producers.iter().position(|p| p.name == producer.value) else {
                let known: Vec<&str> = self.scenario.producers.iter().map(|p| p.name.as_str()).collect();
                self.r.unknown(producer, "producer", &producer.value, &known);
                continue;
            };
            for (name, value) in checks {
                if let Some(field) = self.outcome_field(name) {
                    let check = Check::ProducerOutcome(ClientIdx(index as u32), field);
                    self.number(value, check, format!("{} records of {}", name.value, producer.value));
                }
            }
        }
    }
}

pub(crate) fn resolve_expectations(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    for spec in &file.expect {
        let at = spec.at.as_ref().map(|a| SimTime::ZERO + a.value.0);
        let mut checks = Checks { r, scenario, at, found: Vec::new(), any: false };
        checks.entry(spec);
        let (found, any) = (checks.found, checks.any);
        scenario.expectations.extend(found);
        if !any && let Some(a) = &spec.at {
            r.error(
                a,
                "this expectation checks nothing",
                Some("add a check such as `high_watermark: { demo_1-0: 10 }`".to_string()),
            );
        }
    }
}

//! Expectations: each `expect:` entry becomes one check per named partition,
//! consumer, group or count, with the expected value parsed and every name
//! resolved (an unknown one gets a "did you mean").

use serde_saphyr::Spanned;

use super::Resolver;
use super::clients::partition_ref;
use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicPartition};
use crate::scenario::file::{CheckMap, ExpectSpec, Expected as ExpectedSpec, ScenarioFile};
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

/// Collects the checks of one `expect:` entry.
pub(super) struct Checks<'r, 'a> {
    pub r: &'r mut Resolver<'a>,
    pub scenario: &'r Scenario,
    at: Option<SimTime>,
    found: Vec<Expectation>,
    pub any: bool,
}

impl Checks<'_, '_> {
    pub(super) fn push(&mut self, check: Check, expected: Expected, description: String) {
        self.found.push(Expectation { at: self.at, check, expected, description });
    }

    pub(super) fn number(&mut self, value: &Spanned<ExpectedSpec>, check: Check, description: String) {
        if let Some(expected) = expected(self.r, value) {
            self.push(check, expected, description);
        }
    }

    fn partition<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<TopicPartition> {
        partition_ref(name, &self.scenario.topics)
            .map_err(|e| self.r.error(at, e, Some(PARTITION_HELP.to_string())))
            .ok()
    }

    pub(super) fn consumer<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<ClientIdx> {
        let found = self.scenario.consumers.iter().position(|c| c.name == name);
        if found.is_none() {
            let known: Vec<&str> = self.scenario.consumers.iter().map(|c| c.name.as_str()).collect();
            self.r.unknown(at, "consumer", name, &known);
        }
        found.map(|i| ClientIdx(i as u32))
    }

    fn group<T>(&mut self, name: &str, at: &Spanned<T>) -> bool {
        let known: Vec<&str> = self.scenario.groups();
        if !known.contains(&name) {
            self.r.unknown(at, "consumer group", name, &known);
            return false;
        }
        true
    }

    fn outcome_field<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<OutcomeField> {
        let found = OutcomeField::ALL.iter().copied().find(|f| f.name() == name);
        if found.is_none() {
            let known: Vec<&str> = OutcomeField::ALL.iter().map(|f| f.name()).collect();
            self.r.unknown(at, "outcome count", name, &known);
        }
        found
    }

    /// A map of partition → number.
    fn per_partition(&mut self, label: &str, map: &Option<CheckMap>, make: fn(TopicPartition) -> Check) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(tp) = self.partition(name, value) {
                self.number(value, make(tp), format!("{label} of {name}"));
            }
        }
    }

    /// A map of consumer → number.
    fn per_consumer(&mut self, map: &Option<CheckMap>, make: fn(ClientIdx) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(consumer) = self.consumer(name, value) {
                self.number(value, make(consumer), describe(name));
            }
        }
    }

    /// A map of group → number.
    fn per_group(&mut self, map: &Option<CheckMap>, make: fn(String) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if self.group(name, value) {
                self.number(value, make(name.clone()), describe(name));
            }
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
        for (name, brokers) in spec.isr.iter().flatten() {
            self.any = true;
            if let Some(tp) = self.partition(name, brokers) {
                let members = brokers.value.iter().map(u32::to_string).collect();
                self.push(Check::Isr(tp), Expected::Members(members), format!("ISR of {name}"));
            }
        }
        self.per_consumer(&spec.received, Check::Received, |c| format!("records received by {c}"));
        self.per_consumer(&spec.redelivered_to, Check::RedeliveredTo, |c| format!("records redelivered to {c}"));
        self.per_consumer(&spec.skipped, Check::Skipped, |c| format!("offsets {c} skipped after OFFSET_OUT_OF_RANGE"));
        self.per_consumer(&spec.stopped_by_rebalances_ms, Check::StoppedByRebalances, |c| {
            format!("milliseconds eager rebalances stopped {c}")
        });
        for (name, partitions) in spec.assignment.iter().flatten() {
            self.any = true;
            let Some(consumer) = self.consumer(name, partitions) else { continue };
            let mut members = Vec::new();
            for p in &partitions.value {
                if let Some(tp) = self.partition(p, partitions) {
                    members.push(self.scenario.partition_name(tp));
                }
            }
            self.push(Check::Assignment(consumer), Expected::Members(members), format!("assignment of {name}"));
        }
        for (group, offsets) in spec.committed.iter().flatten() {
            self.any = true;
            for (name, value) in offsets {
                if !self.group(group, value) {
                    break;
                }
                if let Some(tp) = self.partition(name, value) {
                    self.number(
                        value,
                        Check::Committed(group.clone(), tp),
                        format!("offset {group} committed on {name}"),
                    );
                }
            }
        }
        self.per_group(&spec.lag, Check::Lag, |g| format!("lag of group {g}"));
        self.per_group(&spec.generation, Check::Generation, |g| format!("generation of group {g}"));
        for (name, value) in spec.outcome.iter().flatten() {
            self.any = true;
            if let Some(field) = self.outcome_field(name, value) {
                self.number(value, Check::Outcome(field), format!("{name} records"));
            }
        }
        for (producer, checks) in spec.outcome_of.iter().flatten() {
            self.any = true;
            let index = self.scenario.producers.iter().position(|p| &p.name == producer);
            for (name, value) in checks {
                let Some(index) = index else {
                    let known: Vec<&str> = self.scenario.producers.iter().map(|p| p.name.as_str()).collect();
                    self.r.unknown(value, "producer", producer, &known);
                    break;
                };
                if let Some(field) = self.outcome_field(name, value) {
                    let check = Check::ProducerOutcome(ClientIdx(index as u32), field);
                    self.number(value, check, format!("{name} records of {producer}"));
                }
            }
        }
        super::avro::expectations(self, spec);
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

//! Expectations: each `expect:` entry becomes one check per named partition,
//! consumer, group or count, with the expected value parsed and every name
//! resolved (an unknown one gets a "did you mean"). Counts of happenings
//! (`happened`, `saw`, spread over partitions) are in `counts`; replica,
//! group and client states in `states`.

mod counts;
mod states;

use serde_saphyr::Spanned;

use super::Resolver;
use super::clients::partition_ref;
use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicId, TopicPartition};
use crate::scenario::file::{ExpectSpec, Expected as ExpectedSpec, Keyed, KeyedChecks, ScenarioFile};
use crate::scenario::{Check, ClientRef, Comparison, Expectation, Expected, OutcomeField, Scenario};

const PARTITION_HELP: &str = "name partitions as TOPIC-PARTITION, counting from 0";

/// A number with an optional comparison in front: `12`, `">= 10"`, `"< 3"`.
fn parse_comparison(text: &str) -> Option<Expected> {
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
    rest.trim().parse::<i64>().ok().map(|value| Expected::Number { comparison, value })
}

fn expected(r: &mut Resolver<'_>, value: &Spanned<ExpectedSpec>) -> Option<Expected> {
    match &value.value {
        ExpectedSpec::Exactly(n) => Some(Expected::number(*n)),
        ExpectedSpec::Compare(text) if text.trim() == "none" => Some(Expected::Nothing),
        ExpectedSpec::Compare(text) => {
            let parsed = parse_comparison(text);
            if parsed.is_none() {
                r.error(
                    value,
                    format!("`{text}` is not a number or comparison"),
                    Some("write a number like `12` or a comparison like `\">= 10\"`".to_string()),
                );
            }
            parsed
        }
    }
}

/// Whether a check's quantity can be negative: counts, offsets, sizes and
/// generations cannot, so expecting a negative one is a mistake.
fn may_be_negative(check: &Check) -> bool {
    matches!(check, Check::Lag(_))
}

/// Collects the checks of one `expect:` entry.
pub(super) struct Checks<'r, 'a> {
    pub r: &'r mut Resolver<'a>,
    pub scenario: &'r Scenario,
    at: Option<SimTime>,
    /// The window's start (`within:`).
    since: Option<SimTime>,
    found: Vec<Expectation>,
    pub any: bool,
}

impl Checks<'_, '_> {
    pub(super) fn push(&mut self, check: Check, expected: Expected, mut description: String) {
        if let (Some(since), Some(until)) = (self.since, self.at)
            && check.counts_happenings()
        {
            description.push_str(&format!(" between {since} and {until}"));
        }
        self.found.push(Expectation { at: self.at, since: self.since, check, expected, description });
    }

    pub(super) fn number(&mut self, value: &Spanned<ExpectedSpec>, check: Check, description: String) {
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

    fn broker_exists<T>(&mut self, at: &Spanned<T>, id: i64) -> bool {
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

    fn partition<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<TopicPartition> {
        partition_ref(name, &self.scenario.topics)
            .map_err(|e| self.r.error(at, e, Some(PARTITION_HELP.to_string())))
            .ok()
    }

    /// A partition, or every partition of a topic named whole.
    fn partitions<T>(&mut self, name: &str, at: &Spanned<T>) -> Vec<TopicPartition> {
        if let Some(i) = self.scenario.topics.iter().position(|t| t.name == name) {
            let topic = TopicId(i as u32);
            return (0..self.scenario.topics[i].partitions).map(|p| TopicPartition::new(topic, p)).collect();
        }
        let topics = self.scenario.topics.iter().map(|t| t.name.as_str());
        if partition_ref(name, &self.scenario.topics).is_err()
            && let Some(topic) = crate::scenario::suggest::did_you_mean(name, topics)
        {
            self.r.error(
                at,
                format!("unknown topic or partition `{name}`"),
                Some(format!("did you mean `{topic}`? A topic stands for each of its partitions")),
            );
            return Vec::new();
        }
        self.partition(name, at).into_iter().collect()
    }

    fn client<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<ClientRef> {
        let found = self.scenario.client(name);
        if found.is_none() {
            let known = self.scenario.client_names();
            self.r.unknown(at, "client", name, &known);
        }
        found
    }

    fn producer<T>(&mut self, name: &str, at: &Spanned<T>) -> Option<ClientIdx> {
        match self.scenario.client(name) {
            Some(ClientRef::Producer(p)) => Some(p),
            Some(ClientRef::Consumer(_)) => {
                self.r.error(
                    at,
                    format!("`{name}` is a consumer, and this counts the records a producer sent"),
                    Some("name one of the scenario's producers".to_string()),
                );
                None
            }
            None => {
                let known: Vec<&str> = self.scenario.producers.iter().map(|p| p.name.as_str()).collect();
                self.r.unknown(at, "producer", name, &known);
                None
            }
        }
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
    fn per_partition(&mut self, label: &str, map: &Option<KeyedChecks>, make: fn(TopicPartition) -> Check) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(tp) = self.partition(&name.value, name) {
                self.number(value, make(tp), format!("{label} of {}", name.value));
            }
        }
    }

    /// A map of consumer → number.
    fn per_consumer(&mut self, map: &Option<KeyedChecks>, make: fn(ClientIdx) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if let Some(consumer) = self.consumer(&name.value, name) {
                self.number(value, make(consumer), describe(&name.value));
            }
        }
    }

    /// A map of group → number.
    fn per_group(&mut self, map: &Option<KeyedChecks>, make: fn(String) -> Check, describe: fn(&str) -> String) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            if self.group(&name.value, name) {
                self.number(value, make(name.value.clone()), describe(&name.value));
            }
        }
    }

    /// `isr: { demo_1-0: [1, 2] }`: existing brokers, each once.
    fn isr(&mut self, map: &Option<Keyed<Spanned<Vec<Spanned<u32>>>>>) {
        for (name, brokers) in map.iter().flatten() {
            self.any = true;
            let Some(tp) = self.partition(&name.value, name) else { continue };
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
        self.per_partition("last_stable_offset", &spec.last_stable_offset, Check::LastStableOffset);
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
            let Some(consumer) = self.consumer(&name.value, name) else { continue };
            let mut members = Vec::new();
            for p in &partitions.value {
                if let Some(tp) = self.partition(&p.value, p) {
                    members.push(self.scenario.partition_name(tp));
                }
            }
            self.push(Check::Assignment(consumer), Expected::Members(members), format!("assignment of {}", name.value));
        }
        for (group, offsets) in spec.committed.iter().flatten() {
            self.any = true;
            if !self.group(&group.value, group) {
                continue;
            }
            for (name, value) in offsets {
                if let Some(tp) = self.partition(&name.value, name) {
                    let check = Check::Committed(group.value.clone(), tp);
                    self.number(value, check, format!("offset {} committed on {}", group.value, name.value));
                }
            }
        }
        self.per_group(&spec.lag, Check::Lag, |g| format!("lag of group {g}"));
        self.per_group(&spec.generation, Check::Generation, |g| format!("generation of group {g}"));
        for (name, value) in spec.outcome.iter().flatten() {
            self.any = true;
            if let Some(field) = self.outcome_field(&name.value, name) {
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
                if let Some(field) = self.outcome_field(&name.value, name) {
                    let check = Check::ProducerOutcome(ClientIdx(index as u32), field);
                    self.number(value, check, format!("{} records of {}", name.value, producer.value));
                }
            }
        }
        super::avro::expectations(self, spec);
        self.happenings(spec);
        self.spread(spec);
        self.states(spec);
    }

    /// `within: [from, to]`: the window is checked at its end. Returns
    /// `(since, at)`, or `None` after reporting what is wrong with it.
    fn window(r: &mut Resolver<'_>, spec: &ExpectSpec) -> Option<(Option<SimTime>, Option<SimTime>)> {
        let at = spec.at.as_ref().map(|a| SimTime::ZERO + a.value.0);
        let Some(within) = &spec.within else { return Some((None, at)) };
        const HELP: &str = "write the window as its start and end, like `within: [100s, 110s]`";
        let [from, to] = within.value.as_slice() else {
            r.error(
                within,
                format!("a window has a start and an end, not {} times", within.value.len()),
                Some(HELP.to_string()),
            );
            return None;
        };
        let (from, to) = (SimTime::ZERO + from.0, SimTime::ZERO + to.0);
        if let Some(a) = &spec.at {
            r.error(
                a,
                "this entry has both `at:` and `within:`",
                Some("a window is checked at its end: remove `at:`, or make it a separate entry".to_string()),
            );
            return None;
        }
        if to < from {
            r.error(
                within,
                format!("this window ends ({to}) before it starts ({from})"),
                Some("put the earlier time first, like `within: [100s, 110s]`".to_string()),
            );
            return None;
        }
        Some((Some(from), Some(to)))
    }

    /// A window only counts happenings: a state is checked at an instant.
    fn states_outside_windows(&mut self, spec: &ExpectSpec) {
        let Some(within) = &spec.within else { return };
        if let Some(state) = self.found.iter().find(|e| !e.check.counts_happenings()) {
            let what = state.description.clone();
            self.r.error(
                within,
                format!("a window counts `happened` and `saw`, and `{what}` is not one of them"),
                Some("check it in an entry of its own, with `at:` or (at the end) without".to_string()),
            );
        }
    }
}

pub(crate) fn resolve_expectations(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    let run_end = file.run.as_ref().map(|run| SimTime::ZERO + run.value.0);
    for spec in &file.expect {
        // A bad window is reported; the entry's names are still checked.
        let window = Checks::window(r, spec);
        let (since, at) = window.unwrap_or((None, None));
        let mut checks = Checks { r, scenario, at, since, found: Vec::new(), any: false };
        checks.entry(spec);
        checks.states_outside_windows(spec);
        let (found, any) = (checks.found, checks.any);
        if window.is_some() {
            scenario.expectations.extend(found);
        }
        if let (Some(within), Some(end), Some(run_end)) = (&spec.within, at, run_end)
            && end > run_end
        {
            r.error(
                within,
                format!("this window ends after the run ends at {run_end}"),
                Some("end it earlier or lengthen `run:`".to_string()),
            );
        }
        let place = spec.at.as_ref().map(|a| r.span(a)).or_else(|| spec.within.as_ref().map(|w| r.span(w)));
        if !any && let Some(place) = place {
            r.problems.push(
                crate::scenario::Problem::at(place, "this expectation checks nothing")
                    .help("add a check such as `high_watermark: { demo_1-0: 10 }`"),
            );
        }
    }
}

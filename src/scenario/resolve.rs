//! From a parsed file to a validated [`Scenario`]: every name resolved, every
//! number range-checked, every config looked up in Kafka's tables. Problems are
//! collected, not stopped at, so a student sees them all at once.

mod avro;
mod client_kinds;
mod clients;
mod config_rules;
mod configs;
mod consumers;
mod expectations;
mod limits;
mod producers;
mod questions;
mod streams;
mod timeline;
mod topics;
mod transactional;

use miette::SourceSpan;
use serde_saphyr::{Location, Spanned};

use super::diagnostic::{Problem, ScenarioError, Source};
use super::file::ScenarioFile;
use super::suggest::did_you_mean;
use super::{DEFAULT_MAX_EVENTS, DEFAULT_MAX_RECORDS, Limits, MAX_BROKERS, MAX_CONTROLLERS, Scenario};
use crate::config::BrokerConfig;
use crate::engine::SimDuration;

/// Something written at a place in the file: any `Spanned` value.
pub(crate) trait Located {
    fn location(&self) -> &Location;
}

impl<T> Located for Spanned<T> {
    fn location(&self) -> &Location {
        &self.referenced
    }
}

/// Collects problems while resolving one file.
pub(crate) struct Resolver<'a> {
    pub source: &'a Source,
    pub problems: Vec<Problem>,
    /// What the scenario asks for that has no effect (not an error).
    pub notes: Vec<String>,
}

impl<'a> Resolver<'a> {
    pub fn span(&self, at: &(impl Located + ?Sized)) -> SourceSpan {
        self.source.span_of(at.location())
    }

    /// Records a problem at `at`; every problem says how to fix it. The same
    /// problem at the same place is recorded once (a setting several
    /// consumers copy with `like:` is checked for each of them).
    pub fn error(&mut self, at: &(impl Located + ?Sized), message: impl Into<String>, help: Option<String>) {
        let help = help.unwrap_or_else(|| "see `kafkasim schema` for the scenario format".to_string());
        let problem = Problem::at(self.span(at), message).help(help);
        if !self.problems.iter().any(|p| p.span == problem.span && p.message == problem.message) {
            self.problems.push(problem);
        }
    }

    /// "unknown X `name`" with a did-you-mean among `known`.
    pub fn unknown(&mut self, at: &(impl Located + ?Sized), what: &str, name: &str, known: &[&str]) {
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None if known.is_empty() => format!("no {what} is defined in this scenario"),
            None => format!("known {what}s: {}", known.join(", ")),
        };
        self.error(at, format!("unknown {what} `{name}`"), Some(help));
    }
}

/// Validates the whole file.
pub fn resolve(file: ScenarioFile, source: Source) -> Result<Scenario, ScenarioError> {
    let mut r = Resolver { source: &source, problems: Vec::new(), notes: Vec::new() };
    let brokers = match &file.brokers {
        Some(b) if b.value == 0 || b.value > MAX_BROKERS => {
            r.error(
                b,
                format!("{} brokers is out of range", b.value),
                Some(format!("use between 1 and {MAX_BROKERS} brokers")),
            );
            1
        }
        Some(b) => b.value,
        None => 1,
    };
    let controllers = match &file.controllers {
        Some(c) if c.value == 0 || c.value > MAX_CONTROLLERS => {
            r.error(
                c,
                format!("{} controllers is out of range", c.value),
                Some(format!("use between 1 and {MAX_CONTROLLERS}; 3 survives one controller failure")),
            );
            1
        }
        Some(c) => c.value,
        None => 1,
    };
    let mut broker_config = BrokerConfig::default();
    if let Some(map) = &file.broker_config {
        configs::apply(&mut r, map, &mut broker_config);
    }
    config_rules::check_broker(&mut r, &file, &broker_config);
    let (latency, jitter) = network(&mut r, &file);
    let mut topics = topics::resolve_topics(&mut r, &file.topics, brokers, &broker_config);
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    let mut client_names = clients::ClientNames::default();
    let producers = producers::resolve_producers(&mut r, &file, &topics, &names, &broker_config, &mut client_names);
    let consumers = consumers::resolve_consumers(&mut r, &file, &topics, &names, &mut client_names);
    config_rules::check_consumers(&mut r, &file, &consumers);
    if consumers.iter().any(|c| c.group.is_some()) {
        topics.push(topics::offsets_topic(brokers, &broker_config));
    }
    if producers.iter().any(|p| p.transactions.is_some()) {
        topics.push(topics::transaction_state_topic(brokers, &broker_config));
    }
    let registry = avro::resolve_registry(&mut r, &file, brokers, &broker_config, &mut topics);
    limits::check_own_limits(&mut r, &file);
    let limits = Limits {
        max_events: file.limits.as_ref().and_then(|l| l.max_events.as_ref()).map_or(DEFAULT_MAX_EVENTS, |m| m.value),
        max_records: file.limits.as_ref().and_then(|l| l.max_records.as_ref()).map_or(DEFAULT_MAX_RECORDS, |m| m.value),
    };
    let mut scenario = Scenario {
        name: file.name.clone(),
        description: file.description.clone(),
        lesson: file.lesson.clone(),
        panes: panes(&mut r, &file),
        seed: file.seed.as_ref().map_or(1, |s| s.value),
        source: source.clone(),
        brokers,
        controllers,
        broker_config,
        latency,
        jitter,
        topics,
        producers,
        consumers,
        streams: Vec::new(),
        timeline: Vec::new(),
        expectations: Vec::new(),
        questions: Vec::new(),
        run_for: crate::engine::SimTime::ZERO,
        limits,
        notes: Vec::new(),
        registry,
    };
    scenario.streams = streams::resolve_streams(&mut r, &file, &scenario);
    if !scenario.streams.is_empty() && scenario.topics.iter().all(|t| t.name != crate::scenario::OFFSETS_TOPIC) {
        scenario.topics.push(topics::offsets_topic(brokers, &scenario.broker_config));
    }
    streams::add_clients(&mut scenario);
    limits::check_records(&mut r, &file, &scenario);
    timeline::resolve_timeline(&mut r, &file, &mut scenario);
    // A changed copy's narration was written for the original run: its
    // first lesson line says so.
    if let Some(original) = super::builtin::changed_copy_of(&scenario.source.text) {
        let say = super::builtin::changed_copy_say(original);
        let note = super::TimedAction { at: crate::engine::SimTime::ZERO, action: super::Action::Say(say) };
        scenario.timeline.insert(0, note);
    }
    expectations::resolve_expectations(&mut r, &file, &mut scenario);
    timeline::resolve_run(&mut r, &file, &mut scenario);
    questions::resolve_questions(&mut r, &file, &mut scenario);
    scenario.notes = std::mem::take(&mut r.notes);
    limits::check_model_size(&mut r, &file, &scenario);
    // The estimate of the events a run needs means something only for a
    // scenario that is otherwise valid (a refused `max_events` or `count`
    // would be reported twice).
    if r.problems.is_empty() {
        limits::check_events(&mut r, &file, &scenario);
    }
    if r.problems.is_empty() { Ok(scenario) } else { Err(ScenarioError::new(source.clone(), r.problems)) }
}

/// The panes a scenario puts first in the terminal UI.
pub const PANES: &[&str] = &["cluster", "logs", "consumers", "producers", "checks"];

fn panes(r: &mut Resolver<'_>, file: &ScenarioFile) -> Vec<String> {
    let Some(list) = &file.panes else { return Vec::new() };
    for name in &list.value {
        if !PANES.contains(&name.as_str()) {
            r.unknown(list, "pane", name, PANES);
        }
    }
    list.value.clone()
}

fn network(r: &mut Resolver<'_>, file: &ScenarioFile) -> (SimDuration, SimDuration) {
    let spec = file.network.as_ref();
    let latency = spec.and_then(|n| n.latency.as_ref()).map_or(SimDuration::from_millis(1), |l| l.value.0);
    let jitter = spec.and_then(|n| n.jitter.as_ref()).map_or(SimDuration::from_micros(100), |j| j.value.0);
    if let Some(j) = spec.and_then(|n| n.jitter.as_ref())
        && jitter > latency
    {
        r.error(
            j,
            format!("jitter {jitter} is larger than the latency {latency}"),
            Some("jitter varies the latency up and down, so it must not exceed it".to_string()),
        );
    }
    if let Some(l) = spec.and_then(|n| n.latency.as_ref())
        && latency > SimDuration::from_secs(60)
    {
        r.error(l, format!("latency {latency} is more than a minute"), Some("use at most `60s`".to_string()));
    }
    (latency, jitter)
}

/// Adds `__consumer_offsets` to a scenario that lacks it, as Kafka creates it
/// when the first group asks for its coordinator: live mode's real clients
/// may form groups the scenario does not name.
pub fn add_offsets_topic(scenario: &mut Scenario) {
    if scenario.offsets_topic().is_none() {
        scenario.topics.push(topics::offsets_topic(scenario.brokers, &scenario.broker_config));
    }
}

//! From a parsed file to a validated [`Scenario`]: every name resolved, every
//! number range-checked, every config looked up in Kafka's tables. Problems are
//! collected, not stopped at, so a student sees them all at once.

mod clients;
mod configs;
mod expectations;
mod timeline;
mod topics;
mod transactional;

use miette::SourceSpan;
use serde_saphyr::Spanned;

use super::diagnostic::{Problem, ScenarioError, Source};
use super::file::ScenarioFile;
use super::suggest::did_you_mean;
use super::{DEFAULT_MAX_EVENTS, DEFAULT_MAX_RECORDS, Limits, MAX_BROKERS, MAX_CONTROLLERS, Scenario};
use crate::config::BrokerConfig;
use crate::engine::SimDuration;

/// Collects problems while resolving one file.
pub(crate) struct Resolver<'a> {
    pub source: &'a Source,
    pub problems: Vec<Problem>,
}

impl<'a> Resolver<'a> {
    pub fn span<T>(&self, spanned: &Spanned<T>) -> SourceSpan {
        self.source.span_of(&spanned.referenced)
    }

    /// Records a problem at `at`; every problem says how to fix it.
    pub fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, help: Option<String>) {
        let help = help.unwrap_or_else(|| "see `kafkasim schema` for the scenario format".to_string());
        self.problems.push(Problem::at(self.span(at), message).help(help));
    }

    /// "unknown X `name`" with a did-you-mean among `known`.
    pub fn unknown<T>(&mut self, at: &Spanned<T>, what: &str, name: &str, known: &[&str]) {
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None if known.is_empty() => format!("no {what} is defined in this scenario"),
            None => format!("known {what}s: {}", known.join(", ")),
        };
        self.error(at, format!("unknown {what} `{name}`"), Some(help));
    }
}

/// Parses YAML into the file model, turning parser errors into located
/// problems with a fix.
pub fn parse(source: &Source) -> Result<ScenarioFile, ScenarioError> {
    if source.text.trim().is_empty() {
        return Err(ScenarioError::new(
            source.clone(),
            vec![
                Problem::whole_file("the scenario file is empty").help(
                    "a scenario needs at least a `name:`; `kafkasim new my-lesson` writes a commented starter file",
                ),
            ],
        ));
    }
    serde_saphyr::from_str::<ScenarioFile>(&source.text).map_err(|err| {
        let message = serde_saphyr::miette::to_miette_report(&err, &source.text, &source.name)
            .to_string()
            // The parser's advice is for programmers embedding it, not for students.
            .replace(", set DuplicateKeyPolicy in Options if acceptable", "");
        let message = readable_type_error(&message).unwrap_or(message);
        let span = err.location().map(|loc| source.span_of(&loc)).unwrap_or_else(|| SourceSpan::new(0.into(), 0));
        let help = parser_help(&message).unwrap_or_else(|| {
            "scenario files are YAML: check the indentation, quotes and brackets around this spot".to_string()
        });
        ScenarioError::new(source.clone(), vec![Problem::at(span, message).help(help)])
    })
}

/// Rust type names mean nothing to a student: `invalid u32` becomes words.
fn readable_type_error(message: &str) -> Option<String> {
    let kind = message.trim().strip_prefix("invalid ")?;
    let words = match kind {
        "u8" | "u16" | "u32" | "u64" | "usize" => "expected a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "expected a whole number",
        "f32" | "f64" => "expected a number",
        "bool" => "expected true or false",
        _ => return None,
    };
    Some(words.to_string())
}

/// A fix for the common parser messages.
fn parser_help(message: &str) -> Option<String> {
    for what in ["field", "variant"] {
        let marker = format!("unknown {what} `");
        if let Some(start) = message.find(&marker) {
            let rest = &message[start + marker.len()..];
            let word = rest.split('`').next().unwrap_or_default();
            let expected: Vec<String> = rest
                .split_once("expected ")
                .map(|(_, list)| {
                    list.trim_start_matches("one of ")
                        .split([',', ' '])
                        .map(|s| s.trim().trim_matches('`').to_string())
                        .filter(|s| !s.is_empty() && s != "or")
                        .collect()
                })
                .unwrap_or_default();
            return Some(match did_you_mean(word, expected.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if expected.is_empty() => format!("remove `{word}`; see `kafkasim schema` for what is allowed"),
                None => format!("allowed here: {}", expected.join(", ")),
            });
        }
    }
    if message.contains("has no unit") || message.contains("is negative") || message.contains("not a duration") {
        return Some("durations are written with a unit: `250ms`, `30s`, `5m`, `2h`, `1d`".to_string());
    }
    if message.contains("is not a loss") || message.contains("loss `") {
        return Some("write loss as a fraction below 1 (`0.02`) or a percentage below 100% (`2%`)".to_string());
    }
    if message.contains("bandwidth") {
        return Some(
            "write bandwidth per second with a unit: `50KB/s`, `1MB/s`, `1MiB/s`, `10Mbit/s` (or bytes per second as a number)"
                .to_string(),
        );
    }
    if message.contains("366 days at most") {
        return Some("a run covers at most a year of simulated time: use a shorter duration".to_string());
    }
    if message.contains("duplicate mapping key") {
        return Some("each key may appear once in a map: remove or rename one of them".to_string());
    }
    if message.contains("missing field") {
        return Some("add the missing field; `kafkasim new NAME` writes an example of every section".to_string());
    }
    if message.contains("invalid type") || message.starts_with("invalid ") || message.starts_with("expected ") {
        return Some("check the value's type: numbers without quotes, durations with a unit like `30s`".to_string());
    }
    None
}

/// Validates the whole file.
pub fn resolve(file: ScenarioFile, source: Source) -> Result<Scenario, ScenarioError> {
    let mut r = Resolver { source: &source, problems: Vec::new() };
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
    let (latency, jitter) = network(&mut r, &file);
    let mut topics = topics::resolve_topics(&mut r, &file.topics, brokers, &broker_config);
    let names: Vec<String> = topics.iter().map(|t| t.name.clone()).collect();
    let producers = clients::resolve_producers(&mut r, &file, &topics, &names, &broker_config);
    let consumers = clients::resolve_consumers(&mut r, &file, &topics, &names);
    if consumers.iter().any(|c| c.group.is_some()) {
        topics.push(topics::offsets_topic(brokers, &broker_config));
    }
    let limits = Limits {
        max_events: file.limits.as_ref().and_then(|l| l.max_events).unwrap_or(DEFAULT_MAX_EVENTS),
        max_records: file.limits.as_ref().and_then(|l| l.max_records).unwrap_or(DEFAULT_MAX_RECORDS),
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
        timeline: Vec::new(),
        expectations: Vec::new(),
        run_for: crate::engine::SimTime::ZERO,
        limits,
    };
    clients::check_limits(&mut r, &file, &scenario);
    timeline::resolve_timeline(&mut r, &file, &mut scenario);
    expectations::resolve_expectations(&mut r, &file, &mut scenario);
    timeline::resolve_run(&mut r, &file, &mut scenario);
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

//! What a scenario's producer sends: when (a rate, bursts, a total), and which
//! keys and values (templates like `key-{n}`, weighted key choices, Datagen).

use rand::RngExt;

use crate::client::datagen::{self, Datagen};
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::TopicId;

/// A text template: literal text with `{n}` (the record number), `{n%K}` (the
/// record number modulo K) and `{producer}` (the producer's id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Number,
    NumberModulo(u64),
    Producer,
}

/// Appends literal text, joining it to a literal just before (an escaped
/// brace splits the text).
fn push_literal(parts: &mut Vec<Part>, text: &str) {
    if let Some(Part::Literal(last)) = parts.last_mut() {
        last.push_str(text);
    } else {
        parts.push(Part::Literal(text.to_string()));
    }
}

impl Template {
    /// Parses a template; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            // `{{` and `}}` are a literal brace, as in Rust's and Python's
            // format strings: JSON values need them.
            let brace = &rest[open..open + 1];
            if rest[open + 1..].starts_with(brace) {
                push_literal(&mut parts, &rest[..open + 1]);
                rest = &rest[open + 2..];
                continue;
            }
            if brace == "}" {
                // A lone `}` was always literal text.
                push_literal(&mut parts, &rest[..open + 1]);
                rest = &rest[open + 1..];
                continue;
            }
            if open > 0 {
                push_literal(&mut parts, &rest[..open]);
            }
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| format!("`{{` without a closing `}}` in `{text}`"))?;
            let placeholder = after[..close].trim();
            parts.push(match placeholder {
                "n" => Part::Number,
                "producer" => Part::Producer,
                p if p.starts_with("n%") => {
                    let modulo: u64 = p[2..]
                        .trim()
                        .parse()
                        .map_err(|_| format!("`{{{p}}}` needs a number after `%`, like `{{n%10}}`"))?;
                    if modulo == 0 {
                        return Err(format!("`{{{p}}}` divides by zero"));
                    }
                    Part::NumberModulo(modulo)
                }
                other => {
                    return Err(format!("unknown placeholder `{{{other}}}`; use {{n}}, {{n%K}} or {{producer}}"));
                }
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            push_literal(&mut parts, rest);
        }
        Ok(Template { parts })
    }

    /// Parses a template whose text is JSON (an Avro value): a `{` is literal
    /// unless it opens one of the placeholders, so `{"id": {n}}` needs no escaping.
    pub fn parse_json(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let placeholder = after.find('}').and_then(|close| {
                let part = match after[..close].trim() {
                    "n" => Part::Number,
                    "producer" => Part::Producer,
                    p => Part::NumberModulo(p.strip_prefix("n%")?.trim().parse().ok().filter(|&k| k > 0)?),
                };
                Some((part, close))
            });
            match placeholder {
                Some((part, close)) => {
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(part);
                    rest = &after[close + 1..];
                }
                None => {
                    literal.push('{');
                    rest = after;
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Template { parts }
    }

    pub fn render(&self, n: u64, producer: &str) -> String {
        let mut out = String::new();
        self.render_into(&mut out, n, producer);
        out
    }

    /// Renders onto the end of `out` (no allocation per part).
    pub fn render_into(&self, out: &mut String, n: u64, producer: &str) {
        use std::fmt::Write;
        for part in &self.parts {
            // Writing to a String cannot fail.
            let _ = match part {
                Part::Literal(s) => out.write_str(s),
                Part::Number => write!(out, "{n}"),
                Part::NumberModulo(k) => write!(out, "{}", n % k),
                Part::Producer => out.write_str(producer),
            };
        }
    }
}

/// Where record keys come from.
#[derive(Clone, Debug, PartialEq)]
pub enum KeySource {
    /// Null keys: the sticky partitioner spreads them.
    Null,
    Template(Template),
    /// A weighted random choice, e.g. one hot key and several cold ones.
    OneOf {
        keys: Vec<Template>,
        weights: Vec<u32>,
    },
    /// The key Confluent's Datagen quickstart uses.
    Datagen,
}

/// Where record values come from.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueSource {
    /// A template, padded or cut to `size_bytes` if given.
    Template {
        template: Template,
        size_bytes: Option<usize>,
    },
    /// Null values: tombstones.
    Null,
    Datagen,
}

/// When a producer's application calls `send()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    pub start: SimTime,
    pub every: SimDuration,
    /// Records sent at each tick (1 = a steady rate; more = bursts).
    pub per_tick: u32,
    /// Total records to send.
    pub count: u64,
    pub stop: Option<SimTime>,
}

impl Schedule {
    /// How many records the schedule sends before `end`, at most.
    pub fn records_by(&self, end: SimTime) -> u64 {
        let end = self.stop.map_or(end, |stop| stop.min(end));
        if end < self.start {
            return 0;
        }
        let span = end.saturating_sub(self.start).as_micros();
        let ticks = match self.every.as_micros() {
            0 => return self.count, // every tick at the start
            every => span / every + 1,
        };
        self.count.min(ticks.saturating_mul(u64::from(self.per_tick)))
    }
}

/// A producer's workload: schedule plus key and value sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    pub schedule: Schedule,
    pub keys: KeySource,
    pub values: ValueSource,
    pub datagen: Option<Datagen>,
    pub headers: Vec<(String, Template)>,
    pub partition: Option<u32>,
}

/// One record the application hands to `send()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// The record's timestamp when the application sets one (Kafka
    /// Streams forwards the input's event time); `None`: the send time.
    pub timestamp_ms: Option<i64>,
    /// The partition when the application names one (Kafka Streams writes a
    /// changelog record to its task's partition); `None`: the partitioner's.
    pub partition: Option<u32>,
    /// The topic when it is not the producer's own (a transaction spanning
    /// topics).
    pub topic: Option<TopicId>,
}

impl Workload {
    /// Generates record number `n`.
    pub fn generate(&self, n: u64, producer: &str, now: SimTime, rng: &mut SimRng) -> Outgoing {
        let generated = self.datagen.map(|kind| datagen::generate(kind, n, now.as_millis(), rng));
        let key = match &self.keys {
            KeySource::Null => None,
            KeySource::Template(t) => Some(t.render(n, producer).into_bytes()),
            KeySource::OneOf { keys, weights } => {
                let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
                let mut pick = rng.random_range(0..total.max(1));
                let index = weights
                    .iter()
                    .position(|&w| {
                        if pick < u64::from(w) {
                            true
                        } else {
                            pick -= u64::from(w);
                            false
                        }
                    })
                    .unwrap_or(0);
                Some(keys[index].render(n, producer).into_bytes())
            }
            KeySource::Datagen => generated.as_ref().and_then(|g| g.key.clone()).map(String::into_bytes),
        };
        let value = match &self.values {
            ValueSource::Null => None,
            ValueSource::Datagen => generated.map(|g| g.value.into_bytes()),
            ValueSource::Template { template, size_bytes } => {
                let mut text = String::with_capacity(size_bytes.unwrap_or(0));
                template.render_into(&mut text, n, producer);
                let mut bytes = text.into_bytes();
                if let Some(size) = *size_bytes {
                    bytes.resize(size, b'.');
                }
                Some(bytes)
            }
        };
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone().into_bytes(), Some(v.render(n, producer).into_bytes())))
            .collect();
        Outgoing { key, value, headers, timestamp_ms: None, partition: None, topic: None }
    }

    /// When the `tick`-th batch of sends happens, if it happens at all.
    pub fn tick_time(&self, tick: u64) -> Option<SimTime> {
        let s = &self.schedule;
        let sent_before = tick.saturating_mul(u64::from(s.per_tick));
        if sent_before >= s.count {
            return None;
        }
        let at = s.start + s.every.times(tick);
        match s.stop {
            Some(stop) if at >= stop => None,
            _ => Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_counts_what_it_sends_before_the_end() {
        let schedule = Schedule {
            start: SimTime::from_millis(1_000),
            every: SimDuration::from_millis(10),
            per_tick: 2,
            count: 1_000,
            stop: None,
        };
        assert_eq!(schedule.records_by(SimTime::from_millis(500)), 0, "not started");
        assert_eq!(schedule.records_by(SimTime::from_millis(1_095)), 20, "ticks at 1000, 1010, … 1090");
        assert_eq!(schedule.records_by(SimTime::from_millis(60_000)), 1_000, "the count caps it");
        let stopped = Schedule { stop: Some(SimTime::from_millis(1_045)), ..schedule };
        assert_eq!(stopped.records_by(SimTime::from_millis(60_000)), 10);
        let at_once = Schedule { every: SimDuration::ZERO, ..schedule };
        assert_eq!(at_once.records_by(SimTime::from_millis(1_000)), 1_000);
    }

    #[test]
    fn templates_render_numbers_moduli_and_names() {
        let t = Template::parse("user-{n%3}/{n}@{producer}").unwrap();
        assert_eq!(t.render(7, "p1"), "user-1/7@p1");
        assert_eq!(Template::parse("plain").unwrap().render(1, "p"), "plain");
    }

    #[test]
    fn json_templates_keep_their_braces() {
        let t = Template::parse_json(r#"{"id": {n}, "k": "x{n%3}", "p": "{producer}", "o": {"a": 1}}"#);
        assert_eq!(t.render(7, "app"), r#"{"id": 7, "k": "x1", "p": "app", "o": {"a": 1}}"#);
        assert_eq!(Template::parse_json("{n%0}").render(1, "p"), "{n%0}", "not a placeholder: literal");
    }

    #[test]
    fn doubled_braces_are_literal_braces_for_json_values() {
        let t = Template::parse(r#"{{"ride": {n}, "km": {n%4}}}"#).unwrap();
        assert_eq!(t.render(6, "p"), r#"{"ride": 6, "km": 2}"#);
        let lone = "a}b";
        assert_eq!(Template::parse(lone).unwrap().render(0, "p"), lone, "a lone closing brace stays text");
    }

    #[test]
    fn bad_templates_explain_themselves() {
        assert!(Template::parse("key-{m}").unwrap_err().contains("unknown placeholder"));
        assert!(Template::parse("key-{n").unwrap_err().contains("closing"));
        assert!(Template::parse("key-{n%0}").unwrap_err().contains("zero"));
        assert!(Template::parse("key-{n%x}").unwrap_err().contains("number"));
    }

    #[test]
    fn schedule_stops_after_count_and_at_stop() {
        let w = Workload {
            schedule: Schedule {
                start: SimTime::from_millis(1000),
                every: SimDuration::from_millis(1000),
                per_tick: 2,
                count: 5,
                stop: None,
            },
            keys: KeySource::Null,
            values: ValueSource::Null,
            datagen: None,
            headers: Vec::new(),
            partition: None,
        };
        assert_eq!(w.tick_time(0), Some(SimTime::from_millis(1000)));
        assert_eq!(w.tick_time(2), Some(SimTime::from_millis(3000)));
        assert_eq!(w.tick_time(3), None, "ticks 0..2 already cover 5 records");
    }
}

//! Where trace events go: nowhere, a vector, narration text, JSON lines or a
//! digest. The world pushes every event to one sink; sinks say which levels
//! they want so the world can skip building events nobody reads.

use std::io::Write;

use super::event::{Level, TracedEvent};
use super::{json, narrate};
use crate::engine::SimTime;
use crate::ids::Names;

pub trait TraceSink {
    /// Whether events of `level` should be built at all.
    fn wants(&self, level: Level) -> bool;
    fn record(&mut self, event: &TracedEvent, names: &Names);
    /// The run ended: write out anything held back.
    fn finish(&mut self) {}
    /// Something a driver of the run says beside the trace (a question and
    /// its answer): lines for narration, an object for JSON lines. It is not
    /// part of the run's trace, so digests never see it.
    fn aside(&mut self, _time: SimTime, _lines: &[String], _json: &serde_json::Value) {}
}

/// Discards everything (benchmarks, property tests).
pub struct NullSink;

impl TraceSink for NullSink {
    fn wants(&self, _: Level) -> bool {
        false
    }
    fn record(&mut self, _: &TracedEvent, _: &Names) {}
}

/// Keeps every event up to `level` (the TUI, tests).
pub struct VecSink {
    pub level: Level,
    pub events: Vec<TracedEvent>,
}

impl VecSink {
    pub fn new(level: Level) -> Self {
        VecSink { level, events: Vec::new() }
    }
}

impl TraceSink for VecSink {
    fn wants(&self, level: Level) -> bool {
        level <= self.level
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        if event.event.level_among(names) <= self.level {
            self.events.push(event.clone());
        }
    }
}

/// Writes narration lines up to `level` as events happen.
/// Identical lines in a row (a producer retrying against the same error) are
/// printed once, then summarised.
pub struct NarrationSink<W: Write> {
    pub level: Level,
    out: W,
    last: Option<String>,
    repeats: u32,
    last_repeat_at: SimTime,
}

impl<W: Write> NarrationSink<W> {
    pub fn new(level: Level, out: W) -> Self {
        NarrationSink { level, out, last: None, repeats: 0, last_repeat_at: SimTime::ZERO }
    }

    fn flush_repeats(&mut self) {
        if self.repeats > 0 {
            let times =
                if self.repeats == 1 { "once more".to_string() } else { format!("{} more times", self.repeats) };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(self.out, "{:<11} (the same {times}, until t={})", "", self.last_repeat_at);
            self.repeats = 0;
        }
    }
}

impl<W: Write> TraceSink for NarrationSink<W> {
    fn wants(&self, level: Level) -> bool {
        level <= self.level
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        if event.event.level_among(names) > self.level {
            return;
        }
        let body = narrate::body_lines(&event.event, names);
        let joined = body.join("\n");
        if self.last.as_deref() == Some(joined.as_str()) {
            self.repeats += 1;
            self.last_repeat_at = event.time;
            return;
        }
        self.flush_repeats();
        for line in narrate::with_time(event.time, body) {
            let _ = writeln!(self.out, "{line}");
        }
        self.last = Some(joined);
    }
    fn finish(&mut self) {
        self.flush_repeats();
    }
    fn aside(&mut self, time: SimTime, lines: &[String], _json: &serde_json::Value) {
        self.flush_repeats();
        for line in narrate::with_time(time, lines.to_vec()) {
            let _ = writeln!(self.out, "{line}");
        }
        self.last = None;
    }
}

/// Writes one JSON object per event.
pub struct JsonlSink<W: Write> {
    out: W,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink { out }
    }
}

impl<W: Write> TraceSink for JsonlSink<W> {
    fn wants(&self, _: Level) -> bool {
        true
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        let _ = writeln!(self.out, "{}", json::event_json(event, names));
    }
    fn aside(&mut self, _time: SimTime, _lines: &[String], json: &serde_json::Value) {
        let _ = writeln!(self.out, "{json}");
    }
}

/// Sends each event to several sinks.
pub struct FanOut<'a>(pub Vec<&'a mut dyn TraceSink>);

impl TraceSink for FanOut<'_> {
    fn wants(&self, level: Level) -> bool {
        self.0.iter().any(|s| s.wants(level))
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        for sink in &mut self.0 {
            sink.record(event, names);
        }
    }
    fn finish(&mut self) {
        for sink in &mut self.0 {
            sink.finish();
        }
    }
    fn aside(&mut self, time: SimTime, lines: &[String], json: &serde_json::Value) {
        for sink in &mut self.0 {
            sink.aside(time, lines, json);
        }
    }
}

//! Where trace events go: nowhere, a vector, narration text, JSON lines or a
//! digest. The world pushes every event to one sink; sinks say which levels
//! they want so the world can skip building events nobody reads.

use std::io::Write;

use super::event::{Level, TracedEvent};
use super::{json, narrate};
use crate::ids::Names;

pub trait TraceSink {
    /// Whether events of `level` should be built at all.
    fn wants(&self, level: Level) -> bool;
    fn record(&mut self, event: &TracedEvent, names: &Names);
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
        VecSink {
            level,
            events: Vec::new(),
        }
    }
}

impl TraceSink for VecSink {
    fn wants(&self, level: Level) -> bool {
        level <= self.level
    }
    fn record(&mut self, event: &TracedEvent, _: &Names) {
        if event.event.level() <= self.level {
            self.events.push(event.clone());
        }
    }
}

/// Writes narration lines up to `level` as events happen.
pub struct NarrationSink<W: Write> {
    pub level: Level,
    out: W,
}

impl<W: Write> NarrationSink<W> {
    pub fn new(level: Level, out: W) -> Self {
        NarrationSink { level, out }
    }
}

impl<W: Write> TraceSink for NarrationSink<W> {
    fn wants(&self, level: Level) -> bool {
        level <= self.level
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        if event.event.level() <= self.level {
            for line in narrate::lines(event, names) {
                // A closed pipe (`| head`) is not an error worth a panic.
                let _ = writeln!(self.out, "{line}");
            }
        }
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
}

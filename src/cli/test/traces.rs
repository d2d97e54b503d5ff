//! Kept traces: when a run matches its pin, its trace (as the JSON lines
//! `kafkasim run --format jsonl` prints) is kept, so that when a later run's
//! digest differs the test can say which event changed first, and show both
//! versions of it. A digest alone only says that something did.
//!
//! Traces are kept in a folder of their own (`.kafkasim/traces/` beside the
//! scenarios, which ignores itself in git), never in the pin: they can be
//! megabytes. Only the first [`KEPT_EVENTS`] events are kept.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::pin::TraceSummary;
use crate::ids::Names;
use crate::trace::digest::DigestSink;
use crate::trace::event::{Level, TracedEvent};
use crate::trace::json;
use crate::trace::sink::TraceSink;

/// Trace events kept per scenario: every course scenario but the longest
/// two in full, at most some 30 MB.
pub const KEPT_EVENTS: usize = 200_000;
/// Characters of an event shown in a report.
const SHOWN_CHARS: usize = 400;

/// Digests the whole trace and keeps the first events as JSON lines.
#[derive(Default)]
pub struct RecordingSink {
    digest: DigestSink,
    pub lines: Vec<String>,
}

impl RecordingSink {
    pub fn summary(&self, engine_events: u64) -> TraceSummary {
        TraceSummary { trace_events: self.digest.events, engine_events, digest: self.digest.hex() }
    }
}

impl TraceSink for RecordingSink {
    fn wants(&self, level: Level) -> bool {
        self.digest.wants(level)
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        self.digest.record(event, names);
        if self.lines.len() < KEPT_EVENTS {
            self.lines.push(json::event_json(event, names).to_string());
        }
    }
}

/// The default folder for kept traces: `.kafkasim/traces` beside the scenario.
pub fn default_dir(scenario: &Path) -> PathBuf {
    scenario.parent().unwrap_or(Path::new(".")).join(".kafkasim").join("traces")
}

/// Where the trace of `scenario` is kept in `dir`.
pub fn kept_path(dir: &Path, scenario: &Path) -> PathBuf {
    let stem = scenario.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    dir.join(format!("{stem}.jsonl"))
}

fn header(digest: &str, total: u64) -> String {
    format!("# kafkasim trace, digest {digest}, {total} trace events (the first {KEPT_EVENTS} kept)")
}

/// The digest the kept trace at `path` is of, if one is kept.
pub fn kept_digest(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut first = String::new();
    BufReader::new(file).read_line(&mut first).ok()?;
    let rest = first.strip_prefix("# kafkasim trace, digest ")?;
    rest.split(',').next().map(str::to_string)
}

/// Keeps a trace whose pin it matches. A folder `.kafkasim` made for it
/// gets a `.gitignore`, so kept traces stay out of version control.
pub fn keep(path: &Path, summary: &TraceSummary, lines: &[String]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    if let Some(hidden) = dir.ancestors().find(|d| d.file_name().is_some_and(|n| n == ".kafkasim")) {
        let ignore = hidden.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(ignore, "# Traces kept by `kafkasim test` to explain changed digests.\n*\n")?;
        }
    }
    let temporary = path.with_extension("jsonl.partial");
    {
        let mut out = BufWriter::new(std::fs::File::create(&temporary)?);
        writeln!(out, "{}", header(&summary.digest, summary.trace_events))?;
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    std::fs::rename(temporary, path)
}

fn shown(line: &str) -> String {
    if line.chars().count() <= SHOWN_CHARS {
        return line.to_string();
    }
    let mut out: String = line.chars().take(SHOWN_CHARS).collect();
    out.push('…');
    out
}

/// Which trace event changed first: the kept trace at `path` (of the pinned
/// digest `pinned`) against the new run's first events. Lines of text to
/// print under the pin's diff.
pub fn first_difference(path: &Path, pinned: &str, new: &[String], new_total: u64) -> Vec<String> {
    let kept = kept_digest(path);
    if kept.as_deref() != Some(pinned) {
        let why = if kept.is_some() { "the kept trace is of another version" } else { "no trace of it is kept" };
        return vec![format!(
            "the trace changed (digest {pinned} before); {why}, so the first changed event cannot be shown: \
             a run that matches the pin keeps its trace in {}",
            path.parent().unwrap_or(Path::new(".")).display()
        )];
    }
    let Ok(file) = std::fs::File::open(path) else { return vec!["the kept trace cannot be read".to_string()] };
    let mut kept_lines = BufReader::new(file).lines().map_while(Result::ok);
    let old_total: u64 = kept_lines
        .next()
        .and_then(|h| h.split(", ").nth(2).and_then(|n| n.split(' ').next()).and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let mut index = 0;
    loop {
        let old = kept_lines.next();
        let now = new.get(index);
        match (old, now) {
            (Some(old), Some(now)) if &old == now => index += 1,
            (Some(old), Some(now)) => {
                return vec![
                    format!("the trace changed at trace event {} (the {index} before it agree):", index + 1),
                    format!("  was: {}", shown(&old)),
                    format!("  now: {}", shown(now)),
                ];
            }
            (Some(old), None) if (index as u64) >= new_total => {
                return vec![
                    format!("the trace now ends after {new_total} trace events; it went on with:"),
                    format!("  was: {}", shown(&old)),
                ];
            }
            (None, Some(now)) if (index as u64) >= old_total => {
                return vec![
                    format!("the trace used to end after {old_total} trace events; it now goes on with:"),
                    format!("  now: {}", shown(now)),
                ];
            }
            _ => {
                return vec![format!(
                    "the first {index} trace events agree; the change comes later (only the first {KEPT_EVENTS} are kept)"
                )];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(digest: &str, total: u64) -> TraceSummary {
        TraceSummary { trace_events: total, engine_events: total, digest: digest.to_string() }
    }

    fn lines(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_first_changed_event_is_shown_in_both_versions() {
        let dir = std::env::temp_dir().join(format!("kafkasim-traces-{}", std::process::id()));
        let path = kept_path(&dir.join(".kafkasim"), Path::new("lesson.yaml"));
        keep(&path, &summary("aaaa", 3), &lines(&["{\"e\":1}", "{\"e\":2}", "{\"e\":3}"])).expect("kept");
        assert!(dir.join(".kafkasim/.gitignore").exists(), "the folder ignores itself");
        assert_eq!(kept_digest(&path).as_deref(), Some("aaaa"));

        let changed = first_difference(&path, "aaaa", &lines(&["{\"e\":1}", "{\"e\":9}", "{\"e\":3}"]), 3);
        assert_eq!(
            changed,
            ["the trace changed at trace event 2 (the 1 before it agree):", "  was: {\"e\":2}", "  now: {\"e\":9}"]
        );

        let longer = first_difference(&path, "aaaa", &lines(&["{\"e\":1}", "{\"e\":2}", "{\"e\":3}", "{\"e\":4}"]), 4);
        assert_eq!(longer[0], "the trace used to end after 3 trace events; it now goes on with:");
        let shorter = first_difference(&path, "aaaa", &lines(&["{\"e\":1}"]), 1);
        assert_eq!(shorter, ["the trace now ends after 1 trace events; it went on with:", "  was: {\"e\":2}"]);

        let other = first_difference(&path, "bbbb", &lines(&["{\"e\":1}"]), 1);
        assert!(other[0].contains("the kept trace is of another version"), "{other:?}");
        let none = first_difference(&dir.join("nothing.jsonl"), "aaaa", &[], 0);
        assert!(none[0].contains("no trace of it is kept"), "{none:?}");
        std::fs::remove_dir_all(dir).expect("cleaned up");
    }
}

//! A pinned outcome: the reviewed outcome report and trace digest of one
//! scenario, kept beside it as `NAME.snap` in insta's file format, so a
//! teacher's folder and the repository's `scenarios/` read the same way and
//! `cargo insta review` can review either.
//!
//! insta's format is a YAML header between two `---` lines (`source`,
//! `expression`, `input_file`), then the text. As insta does, two pins are
//! compared by their text only, without trailing whitespace; the header is
//! information for the reader. A pin waiting for review is `NAME.snap.new`.

use std::path::{Path, PathBuf};

use crate::trace::report::Outcome;

/// What a pin says about the trace: how long it was and its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSummary {
    pub trace_events: u64,
    pub engine_events: u64,
    pub digest: String,
}

/// The text a pin holds: the outcome report, then a line about the trace.
pub fn body(outcome: &Outcome, trace: &TraceSummary) -> String {
    format!("{}\n{}\n", outcome.render(), trace_line(trace))
}

/// `trace: 3087 trace events from 3428 engine events, digest f173f4164e05b7c3`
pub fn trace_line(trace: &TraceSummary) -> String {
    format!(
        "trace: {} trace events from {} engine events, digest {}",
        trace.trace_events, trace.engine_events, trace.digest
    )
}

/// The digest a pin's trace line names, if it has one.
pub fn digest_of(body: &str) -> Option<&str> {
    let line = body.lines().rev().find(|l| l.starts_with("trace: "))?;
    line.rsplit_once("digest ").map(|(_, d)| d.trim())
}

/// `lessons/my-lesson.yaml` → `lessons/my-lesson.snap`.
pub fn pin_path(scenario: &Path) -> PathBuf {
    scenario.with_extension("snap")
}

/// Where a pin waits for review: `lessons/my-lesson.snap.new`.
pub fn pending_path(scenario: &Path) -> PathBuf {
    scenario.with_extension("snap.new")
}

/// The file text: insta's header, then the body.
pub fn file_text(scenario: &Path, body: &str) -> String {
    let file = scenario.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(
        "---\nsource: kafkasim test\nexpression: outcome and trace digest of {file}\ninput_file: {file}\n---\n{}\n",
        body.trim_end()
    )
}

/// The body of a pin file's text, as insta reads it: everything after the
/// header, without trailing whitespace and with `\n` line ends.
pub fn body_of(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let body = match text.strip_prefix("---\n") {
        Some(rest) => match rest.find("\n---\n") {
            Some(end) => &rest[end + "\n---\n".len()..],
            None => rest.strip_suffix("\n---").map_or(rest, |_| ""),
        },
        None => text.as_str(),
    };
    body.trim_end().to_string()
}

/// The pinned body beside `scenario`, if there is one.
pub fn read(scenario: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(pin_path(scenario)) {
        Ok(text) => Ok(Some(body_of(&text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether two bodies are the same pin (insta's comparison).
pub fn same(a: &str, b: &str) -> bool {
    a.replace("\r\n", "\n").trim_end() == b.replace("\r\n", "\n").trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_file_reads_back_as_its_body() {
        let path = Path::new("lessons/my-lesson.yaml");
        let text = file_text(path, "line one\nline two\n\n");
        assert!(text.starts_with("---\nsource: kafkasim test\n"), "{text}");
        assert!(text.contains("\ninput_file: my-lesson.yaml\n---\nline one\n"), "{text}");
        assert_eq!(body_of(&text), "line one\nline two");
        assert!(same(&body_of(&text), "line one\nline two\n"));
        assert_eq!(pin_path(path), Path::new("lessons/my-lesson.snap"));
        assert_eq!(pending_path(path), Path::new("lessons/my-lesson.snap.new"));
    }

    /// The repository's snapshots were written by insta itself: their body
    /// is what insta compares.
    #[test]
    fn an_insta_file_reads_as_insta_reads_it() {
        let text = "---\nsource: tests/suite/scenarios.rs\nassertion_line: 16\nexpression: report\n---\n── outcome ──\r\n\ntrace: 1 trace events from 2 engine events, digest 00ff\n";
        let body = body_of(text);
        assert_eq!(body, "── outcome ──\n\ntrace: 1 trace events from 2 engine events, digest 00ff");
        assert_eq!(digest_of(&body), Some("00ff"));
        assert_eq!(body_of("no header\n"), "no header");
    }
}

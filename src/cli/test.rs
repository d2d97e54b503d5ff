//! `kafkasim test [PATH...]`: pin the outcomes of scenarios and check them,
//! with the binary alone. Every scenario under the paths is run (with
//! Kafka's invariants checked after every event); its outcome report and
//! trace digest are compared with the pin beside it, `NAME.snap`; a
//! difference is shown line by line (and, when the trace changed, its first
//! changed event), and makes the command fail. `--accept` pins the new
//! outcomes; `--review` asks about each one.
//!
//! The repository's own scenarios are pinned the same way: its test suite
//! runs this over `scenarios/`.

pub mod diff;
pub mod pin;
pub mod traces;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{Output, output};
use crate::scenario;
use crate::world::{BuildOptions, World};
use pin::TraceSummary;
use traces::RecordingSink;

/// How a run of `kafkasim test` treats differences.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Write `NAME.snap.new` beside a scenario whose outcome differs from
    /// its pin (or has none), for review.
    pub write_pending: bool,
    /// Where traces are kept; `None`: `.kafkasim/traces` beside each scenario.
    pub trace_dir: Option<PathBuf>,
    /// Colour the diff for a terminal.
    pub color: bool,
}

/// What came of one scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The outcome is the pinned one.
    Matches,
    /// The outcome differs from the pin.
    Changed,
    /// There is no pin yet.
    New,
    /// The new outcome was pinned.
    Accepted,
    /// The run could not be pinned: the file does not load, the run failed,
    /// or an expectation does not hold.
    Failed,
    /// The file is not a scenario that loads.
    Invalid,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Matches => "ok",
            Status::Changed => "CHANGED",
            Status::New => "NEW",
            Status::Accepted => "pinned",
            Status::Failed => "FAILED",
            Status::Invalid => "INVALID",
        }
    }

    /// Whether the scenario passes as it stands.
    pub fn passed(self) -> bool {
        matches!(self, Status::Matches | Status::Accepted)
    }
}

/// A new outcome not pinned yet, and the trace that goes with it.
struct Pending {
    body: String,
    summary: TraceSummary,
    lines: Vec<String>,
}

/// One scenario checked against its pin.
pub struct Checked {
    pub scenario: PathBuf,
    pub status: Status,
    /// What to show under the status: the diff and the trace's first
    /// change, the new outcome, or what went wrong.
    pub details: Vec<String>,
    trace_dir: PathBuf,
    pending: Option<Pending>,
}

impl Checked {
    /// Pins the new outcome: writes `NAME.snap`, removes `NAME.snap.new`
    /// and keeps the trace.
    pub fn accept(&mut self) -> std::io::Result<()> {
        let Some(pending) = self.pending.take() else { return Ok(()) };
        std::fs::write(pin::pin_path(&self.scenario), pin::file_text(&self.scenario, &pending.body))?;
        remove_if_there(&pin::pending_path(&self.scenario))?;
        traces::keep(&traces::kept_path(&self.trace_dir, &self.scenario), &pending.summary, &pending.lines)?;
        self.status = Status::Accepted;
        Ok(())
    }

    /// Whether there is a new outcome to accept.
    pub fn can_accept(&self) -> bool {
        self.pending.is_some()
    }

    fn write_pending(&self) -> std::io::Result<()> {
        match &self.pending {
            Some(p) => std::fs::write(pin::pending_path(&self.scenario), pin::file_text(&self.scenario, &p.body)),
            None => Ok(()),
        }
    }

    /// The status line and the details, indented.
    pub fn render(&self) -> String {
        let mut out = format!("{:<8} {}", self.status.label(), self.scenario.display());
        match self.status {
            Status::Changed => {
                out.push_str(&format!(": the outcome differs from its pin {}", pin::pin_path(&self.scenario).display()))
            }
            Status::New => out.push_str(": no pin yet; its outcome would be pinned as"),
            Status::Accepted => out.push_str(&format!(" → {}", pin::pin_path(&self.scenario).display())),
            _ => {}
        }
        out.push('\n');
        for line in &self.details {
            out.push_str(&format!("    {line}\n"));
        }
        out
    }
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The scenario files under `paths`: files as given, and every `.yaml` or
/// `.yml` file in folders and their subfolders (leaving out hidden folders
/// and `target`), sorted.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let is_yaml = |p: &Path| p.extension().is_some_and(|x| x == "yaml" || x == "yml");
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            return Err(format!("there is no file or folder `{}`", path.display()));
        }
        let mut found = Vec::new();
        let mut folders = vec![path.clone()];
        while let Some(folder) = folders.pop() {
            let entries = std::fs::read_dir(&folder).map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
            for entry in entries.filter_map(Result::ok) {
                let p = entry.path();
                let hidden = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.') || n == "target");
                if p.is_dir() && !hidden {
                    folders.push(p);
                } else if p.is_file() && is_yaml(&p) {
                    found.push(p);
                }
            }
        }
        // `kafkasim test` in a folder names its files as `lessons/a.yaml`, not `./lessons/a.yaml`.
        if path.as_os_str() == "." {
            found = found.into_iter().map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)).collect();
        }
        if found.is_empty() {
            return Err(format!("there are no scenario files (*.yaml) in {}", path.display()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Runs `path` and compares its outcome with its pin.
pub fn check(path: &Path, options: &Options) -> Checked {
    let trace_dir = options.trace_dir.clone().unwrap_or_else(|| traces::default_dir(path));
    let mut checked =
        Checked { scenario: path.to_path_buf(), status: Status::Failed, details: Vec::new(), trace_dir, pending: None };
    let scenario = match scenario::load_file(path) {
        Ok(s) => s,
        Err(e) => {
            checked.status = Status::Invalid;
            checked.details = e.render(options.color).lines().map(str::to_string).collect();
            return checked;
        }
    };
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut sink = RecordingSink::default();
    let script = match crate::quiz::run_answering(&mut world, &mut sink) {
        Ok(script) => script,
        Err(e) => {
            checked.details = vec![format!("the run stopped: {e}")];
            return checked;
        }
    };
    let mut outcome = world.outcome();
    outcome.answers = script.answers;
    let failed: Vec<String> = outcome
        .expectations
        .iter()
        .filter(|e| !e.passed)
        .map(|e| format!("✗ at {}: {} = {} (found {})", e.at, e.description, e.expected, e.found))
        .collect();
    if !failed.is_empty() {
        checked.details = failed;
        checked.details.push(
            "a pin records an outcome whose expectations hold: fix the scenario or its expectations first".to_string(),
        );
        return checked;
    }
    let summary = sink.summary(world.steps);
    let body = pin::body(&outcome, &summary);
    let pinned = match pin::read(path) {
        Ok(p) => p,
        Err(e) => {
            checked.details = vec![format!("cannot read {}: {e}", pin::pin_path(path).display())];
            return checked;
        }
    };
    let kept = traces::kept_path(&checked.trace_dir, path);
    match pinned {
        Some(pinned) if pin::same(&pinned, &body) => {
            checked.status = Status::Matches;
            let _ = remove_if_there(&pin::pending_path(path));
            if traces::kept_digest(&kept).as_deref() != Some(summary.digest.as_str()) {
                // Best effort: a folder that cannot be written only loses the
                // detail of a later change.
                let _ = traces::keep(&kept, &summary, &sink.lines);
            }
        }
        Some(pinned) => {
            checked.status = Status::Changed;
            checked.details = diff::lines(&pinned, &body, options.color);
            if let Some(old) = pin::digest_of(&pinned)
                && old != summary.digest
            {
                checked.details.extend(traces::first_difference(&kept, old, &sink.lines, summary.trace_events));
            }
        }
        None => {
            checked.status = Status::New;
            checked.details = body.lines().map(|l| format!("│ {l}")).collect();
        }
    }
    if checked.status != Status::Matches {
        checked.pending = Some(Pending { body, summary, lines: std::mem::take(&mut sink.lines) });
        if options.write_pending {
            let _ = checked.write_pending();
        }
    }
    checked
}

/// What the student or teacher answered when asked about a new outcome.
enum Answer {
    Accept,
    Skip,
    Quit,
}

fn ask(scenario: &Path, out: &mut Output) -> std::io::Result<Answer> {
    write!(out, "Pin this outcome of {}? [y]es, [n]o, [q]uit: ", scenario.display())?;
    out.flush()?;
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
        return Ok(Answer::Quit);
    }
    Ok(match line.trim().to_lowercase().as_str() {
        "y" | "yes" => Answer::Accept,
        "q" | "quit" => Answer::Quit,
        _ => Answer::Skip,
    })
}

/// The command: returns the exit code (0 every outcome is its pin, 1 some
/// differ or have none, 2 bad input).
pub fn test(paths: &[PathBuf], accept: bool, review: bool, out: &mut Output) -> std::io::Result<u8> {
    if review && !std::io::stdin().is_terminal() {
        output::eprint(
            "error: --review asks at the terminal, and stdin is not one\nhelp: review the differences printed without --review, then pin them with --accept\n",
        );
        return Ok(2);
    }
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let files = match scenario_files(&paths) {
        Ok(files) => files,
        Err(e) => {
            output::eprint(&format!(
                "error: {e}\nhelp: give scenario files or folders of them, like `kafkasim test lessons/`\n"
            ));
            return Ok(2);
        }
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let options = Options { write_pending: !accept, trace_dir: None, color };
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    let mut invalid = false;
    let mut quit = false;
    for file in &files {
        let mut checked = check(file, &options);
        write!(out, "{}", checked.render())?;
        if checked.can_accept() && !quit && (accept || review) {
            let answer = if accept { Answer::Accept } else { ask(file, out)? };
            match answer {
                Answer::Accept => match checked.accept() {
                    Ok(()) => writeln!(out, "{:<8} {} → {}", "pinned", file.display(), pin::pin_path(file).display())?,
                    Err(e) => writeln!(out, "    cannot write the pin: {e}")?,
                },
                Answer::Skip => {}
                Answer::Quit => quit = true,
            }
        }
        invalid |= checked.status == Status::Invalid;
        *counts.entry(checked.status.label()).or_default() += 1;
    }
    let failed: usize = counts.iter().filter(|(label, _)| !["ok", "pinned"].contains(label)).map(|(_, n)| n).sum();
    let summary: Vec<String> = counts.iter().map(|(label, n)| format!("{n} {}", label.to_lowercase())).collect();
    writeln!(out, "\n{} scenario(s): {}", files.len(), summary.join(", "))?;
    if counts.contains_key("CHANGED") || counts.contains_key("NEW") {
        let args: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        writeln!(
            out,
            "Each outcome without a matching pin is written beside its scenario as NAME.snap.new. If the changes \
             above are what you meant, `kafkasim test {} --accept` pins them (`--review` asks one by one).",
            args.join(" ")
        )?;
    }
    Ok(if invalid {
        2
    } else if failed > 0 {
        1
    } else {
        0
    })
}

//! What the fuzz targets check, in one place, so the cargo-fuzz targets in
//! `fuzz/` (nightly, libFuzzer) and `cargo test` (stable, over the saved
//! inputs in `fuzz/regressions/` and the course scenarios) run the very same
//! checks. Each function takes arbitrary bytes and panics only on a bug.
//!
//! - [`load`]: any bytes through the scenario loader give a scenario or an
//!   error that names the problem, says how to fix it, and renders short and
//!   free of terminal control characters.
//! - [`run`]: a small scenario runs to its end with Kafka's invariants
//!   checked after every event; hitting a limit is fine, breaking an
//!   invariant is not.
//! - [`command_line`]: any arguments parse or are refused by clap, and the
//!   commands that only read and print run on them.
//! - [`sandbox_session`]: any sequence of sandbox actions in the terminal UI
//!   saves a scenario that loads and runs.

use crate::cli::{Cli, Command, Output};
use crate::engine::SimTime;
use crate::scenario::{Scenario, builtin, diagnostic::is_unsafe_for_terminals, load_bytes, load_str};
use crate::trace::sink::NullSink;
use crate::tui::app::{App, Msg, Pane};
use crate::tui::theme::Theme;
use crate::world::{BuildOptions, SimError, World};

/// A rendered error is short whatever the file: its lines are cut around
/// the problem, and messages quoting the file are cut too.
const MAX_RENDERED_BYTES_PER_PROBLEM: usize = 8_192;
/// Bounds that keep one input fast.
const MAX_VIRTUAL_TIME_US: u64 = 300 * 1_000_000;
const MAX_EVENTS: u64 = 300_000;
const MAX_RECORDS: u64 = 5_000;

/// Any bytes through the loader.
pub fn load(data: &[u8]) {
    let Err(error) = load_bytes("fuzzed.yaml", data) else { return };
    assert!(!error.problems.is_empty(), "an error with no problem in it");
    for problem in &error.problems {
        assert!(problem.help.is_some(), "`{}` has no help", problem.message);
    }
    let rendered = error.render(false);
    assert!(
        rendered.len() <= MAX_RENDERED_BYTES_PER_PROBLEM * error.problems.len() + 1_000,
        "{} bytes of error for {} problem(s)",
        rendered.len(),
        error.problems.len()
    );
    if let Some(c) = rendered.chars().find(|&c| c != '\n' && is_unsafe_for_terminals(c)) {
        panic!("the error would print U+{:04X} to the terminal:\n{rendered}", c as u32);
    }
}

/// A loaded scenario run to its end, within the fuzzing bounds.
pub fn run(data: &[u8]) {
    let Ok(scenario) = load_bytes("fuzzed.yaml", data) else { return };
    run_bounded(scenario);
}

fn run_bounded(mut scenario: Scenario) {
    if scenario.planned_records() > MAX_RECORDS {
        return;
    }
    scenario.run_for = scenario.run_for.min(SimTime::from_micros(MAX_VIRTUAL_TIME_US));
    scenario.limits.max_events = scenario.limits.max_events.min(MAX_EVENTS);
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    match world.run(&mut NullSink) {
        Ok(()) | Err(SimError::EventLimit { .. } | SimError::NoProgress { .. }) => {}
        Err(e @ SimError::Invariant { .. }) => panic!("{e}"),
    }
}

/// Arguments, separated by NUL bytes (or newlines), through the command
/// line; the commands that only read and print run, their output thrown
/// away. `play` (a terminal), `new` and `draw` (they write files) and `run`
/// (the `run` target covers it) are parsed only.
pub fn command_line(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let args = std::iter::once("kafkasim").chain(text.split(['\0', '\n']).filter(|a| !a.is_empty()));
    let Ok(cli) = <Cli as clap::Parser>::try_parse_from(args) else { return };
    if matches!(
        cli.command,
        None | Some(Command::Play { .. } | Command::New { .. } | Command::Run(_) | Command::Draw(_))
    ) {
        return;
    }
    let mut out = Output::to(std::io::sink());
    let code = crate::cli::execute(cli, &mut out).expect("a sink takes every write");
    assert!(code <= 2, "exit code {code}");
}

/// Built-in scenarios with brokers, producers and groups to act on.
const SANDBOX_SCENARIOS: [&str; 3] = ["third-consumer-idle", "broker-death", "consumer-resumes"];

/// A sandbox session driven by the bytes (the first picks the scenario,
/// each next one a move or an action), saved as the TUI's `w` saves it.
pub fn sandbox_session(data: &[u8]) {
    let Some((&first, moves)) = data.split_first() else { return };
    let name = SANDBOX_SCENARIOS[first as usize % SANDBOX_SCENARIOS.len()];
    let text = builtin::find(name).expect("a built-in scenario");
    let scenario = load_str(&format!("{name} (built-in)"), text).expect("built-in scenarios load");
    let mut app = crate::tui::app_for(scenario, None, Theme { color: false });
    for &byte in moves.iter().take(64) {
        sandbox_move(&mut app, byte);
    }
    if app.timeline.interventions.is_empty() {
        return;
    }
    let text = crate::tui::sandbox::scenario_text(&app).expect("a session saves");
    let saved =
        load_str("saved.yaml", &text).unwrap_or_else(|e| panic!("the saved session does not load:\n{e}\n{text}"));
    assert_eq!(saved.run_for, app.world().scenario.run_for, "the saved run keeps its length");
    run_bounded(saved);
}

/// One byte as a move: the low three bits pick what, the rest how much.
fn sandbox_move(app: &mut App, byte: u8) {
    let amount = u32::from(byte >> 3);
    match byte & 7 {
        0 => (0..amount).for_each(|_| app.update(Msg::Forward)),
        1 => (0..amount).for_each(|_| app.update(Msg::Back)),
        2 => {
            // To a share of the run in 20ths, beyond its end too.
            let run_ms = app.world().scenario.run_for.as_micros() / 1_000;
            let at = format!("{}ms", run_ms * u64::from(amount) / 20);
            app.update(Msg::GoToPrompt);
            at.chars().for_each(|c| app.update(Msg::Input(c)));
            app.update(Msg::Submit);
        }
        3 => {
            app.update(Msg::FocusNext);
            (0..amount % 6).for_each(|_| app.update(Msg::Down));
        }
        4 => {
            while app.focus != Pane::Groups {
                app.update(Msg::FocusNext);
            }
            app.update(Msg::AddConsumer);
        }
        5 => app.update([Msg::Kill, Msg::Restart][amount as usize % 2]),
        6 => app.update([Msg::Cut, Msg::Heal][amount as usize % 2]),
        _ => app.update(Msg::Stop),
    }
    app.update(Msg::Close);
}

//! `kafkasim run SCENARIO`: narrate a run, then print its outcome.

use std::io::{self, IsTerminal, Write};

use super::output::{self, Output, Watch};
use super::{Format, RunArgs, source};
use crate::quiz::Script;
use crate::trace::report::Outcome;
use crate::trace::sink::{JsonlSink, NarrationSink, NullSink, TraceSink};
use crate::trace::{Level, header};
use crate::world::{BuildOptions, SimError, StepResult, World};

pub fn run(args: &RunArgs, out: &mut Output) -> io::Result<u8> {
    let scenario = match source::load_runnable(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    let source_name = scenario.source.name.clone();
    let mut world = World::new(scenario, BuildOptions { seed: args.seed, check_invariants: args.check });
    let mut script = Script::new(&world);
    let started = super::stats::wall_clock();
    let watch = out.watch();
    // A progress bar would break narration printed to the same terminal.
    let show_progress = !std::io::stdout().is_terminal();
    let result = match args.format {
        Format::Text => {
            let result = if args.quiet {
                // Only the outcome: a script or a teacher diffing outcomes wants nothing else.
                simulate(&mut world, &mut script, &mut NullSink, &watch, true)
            } else {
                write!(out, "{}", header::text(&world, &source_name))?;
                let level = match args.verbose {
                    0 => Level::Story,
                    1 => Level::Detail,
                    _ => Level::Debug,
                };
                writeln!(out)?;
                simulate(&mut world, &mut script, &mut NarrationSink::new(level, &mut *out), &watch, show_progress)
            };
            if !args.quiet {
                writeln!(out)?;
            }
            write!(out, "{}", outcome_with_answers(&world, &script, args.stores).render())?;
            result
        }
        Format::Json => {
            let result = simulate(&mut world, &mut script, &mut NullSink, &watch, true);
            let outcome = serde_json::to_string_pretty(&outcome_with_answers(&world, &script, args.stores))
                .map_err(io::Error::other)?;
            writeln!(out, "{outcome}")?;
            result
        }
        Format::Jsonl => {
            writeln!(out, "{}", header::json(&world, &source_name))?;
            let result = simulate(&mut world, &mut script, &mut JsonlSink::new(&mut *out), &watch, show_progress);
            // The last line says whether the trace is whole: a file that
            // ends without it was cut short.
            writeln!(out, "{}", end_line(&world, &result))?;
            result
        }
    };
    if args.stats {
        output::eprint(&super::stats::render(&world, started.elapsed()));
    }
    let code = match result {
        Err(Stop::Sim(e)) => {
            output::eprint(&format!("error: {e}\n"));
            2
        }
        // The output failed: `finish` says how.
        Err(Stop::Output) => return out.flush().map(|()| 2),
        // Whether every expectation held, without building the outcome again.
        Ok(()) if world.results.iter().all(|r| r.as_ref().is_some_and(|r| r.passed)) => 0,
        Ok(()) => {
            if let Some(original) = crate::scenario::builtin::copied_from(&world.scenario.source.text) {
                output::eprint(&changed_copy_hint(original));
            }
            1
        }
    };
    Ok(code)
}

/// What a failed expectation means in a changed copy.
pub fn changed_copy_hint(original: &str) -> String {
    format!(
        "note: this file is a copy of the built-in `{original}`. Its expectations were written for the original, \
         so a change you made may make them fail on purpose. Update each failed `expect:` entry to what you now \
         expect (the outcome above shows what the run found), or delete it; `kafkasim run {original}` runs the original.\n"
    )
}

/// The outcome report, with the answers the run gave to its questions.
/// With `stores`, each Streams state store's contents too.
fn outcome_with_answers(world: &World, script: &Script, stores: bool) -> Outcome {
    let mut outcome = world.outcome();
    outcome.answers = script.answers.clone();
    if stores {
        outcome.stores = world.store_reports();
    }
    outcome
}

/// Why a run stopped before its end.
enum Stop {
    /// The simulation cannot continue (a limit, a broken invariant).
    Sim(SimError),
    /// Its output cannot be written: simulating on would be for nobody.
    Output,
}

/// Runs the world to its end, with a progress bar on stderr for long runs
/// when `progress`; stops as soon as the output cannot be written.
fn simulate(
    world: &mut World,
    script: &mut Script,
    sink: &mut dyn TraceSink,
    watch: &Watch,
    progress: bool,
) -> Result<(), Stop> {
    let mut bar = progress.then(|| super::progress::Progress::new(world.scenario.run_for));
    let result = loop {
        say_due_points(world, script, sink);
        match world.step(sink) {
            Ok(StepResult::Progress) => {
                if watch.failed() {
                    break Err(Stop::Output);
                }
                // Checking the wall clock every event would cost more than the event.
                if let Some(bar) = bar.as_mut()
                    && world.steps.is_multiple_of(16_384)
                {
                    bar.update(world.now);
                }
            }
            Ok(StepResult::Finished) => break Ok(()),
            Err(e) => break Err(Stop::Sim(e)),
        }
    };
    say_due_points(world, script, sink);
    sink.finish();
    if let Some(bar) = bar {
        bar.finish();
    }
    result
}

/// Puts each question due now to the reader, then its answer when the run
/// has reached it.
fn say_due_points(world: &World, script: &mut Script, sink: &mut dyn TraceSink) {
    while let Some((time, point)) = script.due(world) {
        let (lines, json) = script.aside(world, point);
        sink.aside(time, &lines, &json);
    }
}

/// `{"event": "end", "complete": true, ...}`, or `false` with the reason.
fn end_line(world: &World, result: &Result<(), Stop>) -> serde_json::Value {
    let mut line = serde_json::json!({
        "event": "end",
        "t_us": world.now.as_micros(),
        // The engine's events, as the outcome's trace line counts them (a
        // trace line is written only for what the trace level shows).
        "engine_events": world.steps,
        "complete": result.is_ok(),
    });
    if let Err(Stop::Sim(e)) = result {
        line["error"] = serde_json::json!(e.to_string());
    }
    line
}

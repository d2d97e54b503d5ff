//! `kafkasim run SCENARIO`: narrate a run, then print its outcome.

use std::io::{BufWriter, IsTerminal, Write};

use super::{Format, RunArgs, source};
use crate::trace::sink::{JsonlSink, NarrationSink, NullSink, TraceSink};
use crate::trace::{Level, header};
use crate::world::{BuildOptions, SimError, StepResult, World};

pub fn run(args: &RunArgs) -> u8 {
    let scenario = match source::load_runnable(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return 2;
        }
    };
    let source_name = scenario.source.name.clone();
    let mut world = World::new(scenario, BuildOptions { seed: args.seed, check_invariants: args.check });
    let started = super::stats::wall_clock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match args.format {
        Format::Text => {
            let result = if args.quiet {
                // Only the outcome: a script or a teacher diffing outcomes wants nothing else.
                run_with_progress(&mut world, &mut NullSink)
            } else {
                let _ = write!(out, "{}", header::text(&world, &source_name));
                let level = match args.verbose {
                    0 => Level::Story,
                    1 => Level::Detail,
                    _ => Level::Debug,
                };
                let _ = writeln!(out);
                let mut sink = NarrationSink::new(level, &mut out);
                // A bar would break narration printed to the same terminal.
                if std::io::stdout().is_terminal() {
                    world.run(&mut sink)
                } else {
                    run_with_progress(&mut world, &mut sink)
                }
            };
            if !args.quiet {
                let _ = writeln!(out);
            }
            let _ = write!(out, "{}", world.outcome().render());
            result
        }
        Format::Json => {
            let result = run_with_progress(&mut world, &mut NullSink);
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&world.outcome()).expect("outcome serialises"));
            result
        }
        Format::Jsonl => {
            let _ = writeln!(out, "{}", header::json(&world, &source_name));
            let mut sink = JsonlSink::new(&mut out);
            if std::io::stdout().is_terminal() {
                world.run(&mut sink)
            } else {
                run_with_progress(&mut world, &mut sink)
            }
        }
    };
    let _ = out.flush();
    if args.stats {
        eprint!("{}", super::stats::render(&world, started.elapsed()));
    }
    match result {
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
        // Whether every expectation held, without building the outcome again.
        Ok(()) if world.results.iter().all(|r| r.as_ref().is_some_and(|r| r.passed)) => 0,
        Ok(()) => 1,
    }
}

/// `World::run` with a progress bar on stderr for long runs.
fn run_with_progress(world: &mut World, sink: &mut dyn TraceSink) -> Result<(), SimError> {
    let mut progress = super::progress::Progress::new(world.scenario.run_for);
    let result = loop {
        match world.step(sink) {
            Ok(StepResult::Progress) => {
                // Checking the wall clock every event would cost more than the event.
                if world.steps.is_multiple_of(16_384) {
                    progress.update(world.now);
                }
            }
            Ok(StepResult::Finished) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    sink.finish();
    progress.finish();
    result
}

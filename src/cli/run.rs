//! `kafkasim run SCENARIO`: narrate a run, then print its outcome.

use std::io::{BufWriter, Write};

use super::{Format, RunArgs, source};
use crate::trace::sink::{JsonlSink, NarrationSink, NullSink};
use crate::trace::{Level, header};
use crate::world::{BuildOptions, World};

pub fn run(args: &RunArgs) -> u8 {
    let scenario = match source::load(&args.scenario) {
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
            let _ = write!(out, "{}", header::text(&world, &source_name));
            let result = if args.quiet {
                world.run(&mut NullSink)
            } else {
                let level = match args.verbose {
                    0 => Level::Story,
                    1 => Level::Detail,
                    _ => Level::Debug,
                };
                let _ = writeln!(out);
                world.run(&mut NarrationSink::new(level, &mut out))
            };
            let _ = writeln!(out);
            let _ = write!(out, "{}", world.outcome().render());
            result
        }
        Format::Json => {
            let result = world.run(&mut NullSink);
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&world.outcome()).expect("outcome serialises"));
            result
        }
        Format::Jsonl => {
            let _ = writeln!(out, "{}", header::json(&world, &source_name));
            world.run(&mut JsonlSink::new(&mut out))
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

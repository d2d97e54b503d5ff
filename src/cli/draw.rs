//! `kafkasim draw SCENARIO --what PICTURE -o FILE.svg`: a picture of a run.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{Output, output, source};
use crate::draw::{self, Picture, Request};
use crate::engine::SimTime;

#[derive(Debug, Args)]
pub struct DrawArgs {
    /// A scenario file, or the name of a built-in scenario (see `kafkasim list`).
    pub scenario: String,
    /// Which picture: partitions over time, consumer groups over time, one
    /// partition's log at a moment, or who writes and reads what.
    #[arg(long, value_enum)]
    pub what: What,
    /// The moment to draw (log, flow; default: the end of the run), or the
    /// end of the window (timeline, group). A duration from the start: `30s`.
    #[arg(long, conflicts_with_all = ["from", "to"], value_parser = parse_time)]
    pub at: Option<SimTime>,
    /// The window's start (timeline, group; default 0s).
    #[arg(long, value_parser = parse_time)]
    pub from: Option<SimTime>,
    /// The window's end (timeline, group; default: the end of the run).
    #[arg(long, value_parser = parse_time)]
    pub to: Option<SimTime>,
    /// Only this partition, written TOPIC-NUMBER (timeline, log).
    #[arg(long)]
    pub partition: Option<String>,
    /// Use this seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The SVG file to write (`-` writes to standard output).
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    Timeline,
    Group,
    Log,
    Flow,
}

impl From<What> for Picture {
    fn from(what: What) -> Picture {
        match what {
            What::Timeline => Picture::Timeline,
            What::Group => Picture::Group,
            What::Log => Picture::Log,
            What::Flow => Picture::Flow,
        }
    }
}

/// A time on the command line, written as a duration from the start.
fn parse_time(text: &str) -> Result<SimTime, String> {
    crate::scenario::duration::parse(text).map(|d| SimTime::from_micros(d.as_micros()))
}

pub fn draw(args: &DrawArgs, out: &mut Output) -> io::Result<u8> {
    let scenario = match source::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    let request =
        Request { at: args.at, from: args.from, to: args.to, partition: args.partition.clone(), seed: args.seed };
    let svg = match draw::draw_scenario(scenario, args.what.into(), &request) {
        Ok(svg) => svg,
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            return Ok(2);
        }
    };
    if args.output.as_os_str() == "-" {
        write!(out, "{svg}")?;
        return Ok(0);
    }
    match std::fs::write(&args.output, svg) {
        Ok(()) => {
            writeln!(out, "wrote {}", args.output.display())?;
            Ok(0)
        }
        Err(e) => {
            output::eprint(&format!(
                "error: cannot write {}: {e}; check that its folder exists and can be written to\n",
                args.output.display()
            ));
            Ok(2)
        }
    }
}

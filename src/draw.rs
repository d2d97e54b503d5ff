//! Pictures drawn from runs: `kafkasim draw`. Each picture is an SVG file
//! made from what a run produced — the trace and the world as the terminal
//! UI reads it — never drawn by hand and never from the model's insides:
//!
//! - `timeline`: a swim lane per partition over virtual time: its leader and
//!   leader epoch, which replicas are in the ISR, the high watermark and log
//!   end offset as curves, and faults (kills, restarts, network cuts) as marks;
//! - `group`: per consumer group, what each member owns in each generation:
//!   an eager rebalance's stop-the-world gap, cooperative's two rounds, idle
//!   members;
//! - `log`: one partition's log at a moment: segments, offsets, log start,
//!   high watermark, log end, each group's committed offset, and the regions
//!   deleted by retention or compacted away;
//! - `flow`: producers → topic partitions → groups and consumers, with the
//!   records that went along each arrow.
//!
//! Text in the pictures is SVG text (searchable, read by screen readers),
//! every colour comes with a texture and a label, and the same scenario,
//! seed and arguments give byte-identical files.

mod axis;
mod canvas;
mod flow;
mod group;
mod log;
pub mod recording;
mod timeline;

use std::fmt;

use crate::engine::SimTime;
use crate::ids::TopicPartition;
use crate::scenario::Scenario;
pub use recording::{Recording, record};

/// Which picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    Timeline,
    Group,
    Log,
    Flow,
}

impl Picture {
    pub const ALL: [Picture; 4] = [Picture::Timeline, Picture::Group, Picture::Log, Picture::Flow];

    pub fn name(self) -> &'static str {
        match self {
            Picture::Timeline => "timeline",
            Picture::Group => "group",
            Picture::Log => "log",
            Picture::Flow => "flow",
        }
    }

    /// Whether the picture shows a window of time (else one moment).
    fn shows_a_window(self) -> bool {
        matches!(self, Picture::Timeline | Picture::Group)
    }
}

/// What to draw, as the command line asks for it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `--at`: the moment (log, flow) or the window's end (timeline, group).
    pub at: Option<SimTime>,
    pub from: Option<SimTime>,
    pub to: Option<SimTime>,
    /// `--partition TOPIC-N`: only this partition (timeline, log).
    pub partition: Option<String>,
    pub seed: Option<u64>,
}

/// Why a picture cannot be drawn, in words that say what to do instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrawError {
    /// A time beyond the run.
    AfterTheEnd { option: &'static str, at: SimTime, end: SimTime },
    /// `--from` not before `--to`.
    EmptyWindow { from: SimTime, to: SimTime },
    /// `--from`/`--to` for a picture of one moment.
    WindowForAMoment { picture: &'static str },
    /// A partition the scenario does not have.
    UnknownPartition { asked: String, known: Vec<String> },
    /// `--partition` for a picture of every partition.
    PartitionNotUsed { picture: &'static str },
    /// The run itself stopped (an event limit, a clock that stands still).
    Run(String),
}

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrawError::AfterTheEnd { option, at, end } => write!(
                f,
                "{option} t={at} is after the run ends (at t={end}); choose a time from 0s to {}",
                SimDuration(*end)
            ),
            DrawError::EmptyWindow { from, to } => write!(
                f,
                "--from t={from} is not before --to t={to}; give a window that starts before it ends, \
                 such as --from 0s --to {}",
                SimDuration(*to)
            ),
            DrawError::WindowForAMoment { picture } => write!(
                f,
                "the {picture} picture shows one moment: give it with --at TIME (--from and --to are for \
                 timeline and group)"
            ),
            DrawError::UnknownPartition { asked, known } => {
                write!(f, "the scenario has no partition `{asked}`; write TOPIC-NUMBER, one of: {}", known.join(", "))
            }
            DrawError::PartitionNotUsed { picture } => write!(
                f,
                "the {picture} picture shows every partition: leave out --partition (it is for timeline and log)"
            ),
            DrawError::Run(message) => write!(f, "the run stopped before the picture's time: {message}"),
        }
    }
}

/// A time written as a duration from the start, the way `--at` takes it.
struct SimDuration(SimTime);

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.as_micros();
        write!(f, "{}", crate::engine::SimDuration::from_micros(micros))
    }
}

/// The window `(from, to)` a request's picture needs from the run.
pub fn window(scenario: &Scenario, picture: Picture, request: &Request) -> Result<(SimTime, SimTime), DrawError> {
    let end = scenario.run_for;
    let check = |option: &'static str, at: Option<SimTime>| match at {
        Some(at) if at > end => Err(DrawError::AfterTheEnd { option, at, end }),
        _ => Ok(()),
    };
    check("--at", request.at)?;
    check("--from", request.from)?;
    check("--to", request.to)?;
    if !picture.shows_a_window() {
        if request.from.is_some() || request.to.is_some() {
            return Err(DrawError::WindowForAMoment { picture: picture.name() });
        }
        let at = request.at.unwrap_or(end);
        return Ok((at, at));
    }
    let from = request.from.unwrap_or(SimTime::ZERO);
    let to = request.to.or(request.at).unwrap_or(end);
    if from >= to {
        return Err(DrawError::EmptyWindow { from, to });
    }
    Ok((from, to))
}

/// Resolves `--partition` against the recording's partitions.
fn chosen_partition(
    recording: &Recording,
    picture: Picture,
    asked: Option<&str>,
) -> Result<Option<TopicPartition>, DrawError> {
    let Some(asked) = asked else { return Ok(None) };
    if matches!(picture, Picture::Group | Picture::Flow) {
        return Err(DrawError::PartitionNotUsed { picture: picture.name() });
    }
    let names = &recording.names;
    let visible = visible_partitions(recording);
    visible.iter().copied().find(|&tp| names.partition(tp) == asked).map(Some).ok_or_else(|| {
        DrawError::UnknownPartition {
            asked: asked.to_string(),
            known: visible.iter().map(|&tp| names.partition(tp)).collect(),
        }
    })
}

/// The partitions pictures show: those of the scenario's own topics
/// (Kafka's internal topics only when nothing else exists).
fn visible_partitions(recording: &Recording) -> Vec<TopicPartition> {
    let topics = &recording.scenario.topics;
    let own: Vec<TopicPartition> =
        recording.partitions.iter().map(|(tp, _)| *tp).filter(|tp| !topics[tp.topic.0 as usize].internal).collect();
    if own.is_empty() { recording.partitions.iter().map(|(tp, _)| *tp).collect() } else { own }
}

/// Draws `picture` from a recording made for its window.
pub fn draw(recording: &Recording, picture: Picture, request: &Request) -> Result<String, DrawError> {
    let partition = chosen_partition(recording, picture, request.partition.as_deref())?;
    Ok(match picture {
        Picture::Timeline => timeline::draw(recording, partition),
        Picture::Group => group::draw(recording),
        Picture::Log => log::draw(recording, partition),
        Picture::Flow => flow::draw(recording),
    })
}

/// Runs `scenario` and draws `picture`: the whole of `kafkasim draw`.
pub fn draw_scenario(scenario: Scenario, picture: Picture, request: &Request) -> Result<String, DrawError> {
    let (from, to) = window(&scenario, picture, request)?;
    let recording = record(scenario, request.seed, from, to).map_err(DrawError::Run)?;
    draw(&recording, picture, request)
}

/// A time for labels: `12.5s`, `3m 20s`.
fn clock(at: SimTime) -> String {
    SimDuration(at).to_string()
}

//! Time travel for the TUI: the whole run is simulated once, keeping the
//! narrated events and copies of the world (checkpoints) along the way. The
//! first part is simulated before the first screen and the rest in parts
//! between keys, so a run of days opens at once; a move beyond what is
//! simulated simulates up to it first. Going to any step restores the
//! nearest earlier checkpoint and replays forward — the run is
//! deterministic, so the screen after ← is exactly the one seen before →.
//!
//! Sandbox interventions change the future: one is applied after a given
//! step, everything simulated beyond it is dropped and simulated again, and
//! replays from an older checkpoint apply it again at the same step.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::{ClientIdx, Names};
use crate::quiz::{Answer, Script};
use crate::scenario::Action;
use crate::trace::sink::{NullSink, TraceSink};
use crate::trace::{Level, TraceEvent, TracedEvent, narrate};
use crate::world::World;

/// Most checkpoints kept; beyond this every other one is dropped.
const MAX_CHECKPOINTS: usize = 256;
/// Fewer checkpoints for worlds holding many records (each copy holds them).
const MAX_HEAVY_CHECKPOINTS: usize = 24;
const HEAVY_RECORDS: u64 = 200_000;
/// Samples of each group's lag over the run, for the sparklines.
const LAG_SAMPLES: u64 = 160;
/// Steps simulated at a time while the student already looks at the start:
/// a few tens of milliseconds, so keys stay answered.
pub const SIMULATION_CHUNK: u64 = 20_000;

/// How narration written before the student's changes is marked, on screen
/// and in a saved session.
pub const SCRIPTED: &str = "(scripted for the run before your changes)";

/// What kind of line an event makes in the event list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShownKind {
    /// The lesson's voice (`say:`).
    Say,
    /// A timeline action or a process coming or going.
    Action,
    ExpectationPassed,
    ExpectationFailed,
    /// Something went wrong: a failure, a loss, a refusal.
    Problem,
    Story,
    Detail,
}

/// One narrated event of the run.
#[derive(Clone, Debug)]
pub struct Shown {
    pub step: u64,
    pub time: SimTime,
    pub kind: ShownKind,
    pub lines: Vec<String>,
}

impl Shown {
    pub fn is_marker(&self) -> bool {
        matches!(self.kind, ShownKind::Say | ShownKind::ExpectationPassed | ShownKind::ExpectationFailed)
    }
}

/// Something the student did in the sandbox: decided after `step`, it
/// happens at `at`.
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    pub step: u64,
    pub at: SimTime,
    pub what: Intervene,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Intervene {
    Act(Action),
    /// A new consumer like `like`, started at once.
    AddConsumer {
        like: ClientIdx,
    },
}

/// Each group's total lag at a moment.
#[derive(Clone, Debug)]
pub struct LagSample {
    pub time: SimTime,
    pub lag: BTreeMap<String, i64>,
}

/// Collects narrated events at story and detail level.
struct Capture<'a> {
    events: &'a mut Vec<Shown>,
}

fn kind_of(event: &TraceEvent) -> ShownKind {
    match event {
        TraceEvent::Say { .. } => ShownKind::Say,
        TraceEvent::Action { .. } | TraceEvent::HostState { .. } => ShownKind::Action,
        TraceEvent::Expectation { passed: true, .. } => ShownKind::ExpectationPassed,
        TraceEvent::Expectation { passed: false, .. } => ShownKind::ExpectationFailed,
        TraceEvent::DeliveryFailed { .. }
        | TraceEvent::ProduceRejected { .. }
        | TraceEvent::Truncated { .. }
        | TraceEvent::CommitFailed { .. }
        | TraceEvent::ClientFailed { .. }
        | TraceEvent::Abandoned { .. }
        | TraceEvent::MemberRemoved { .. }
        | TraceEvent::BrokerFenced { .. } => ShownKind::Problem,
        TraceEvent::LeaderChange { unclean: true, .. } => ShownKind::Problem,
        _ if event.level() == Level::Story => ShownKind::Story,
        _ => ShownKind::Detail,
    }
}

impl TraceSink for Capture<'_> {
    fn wants(&self, level: Level) -> bool {
        level <= Level::Detail
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        let level = event.event.level_among(names);
        if level > Level::Detail {
            return;
        }
        let mut kind = kind_of(&event.event);
        if level == Level::Detail && kind == ShownKind::Story {
            kind = ShownKind::Detail;
        }
        self.events.push(Shown {
            step: event.step,
            time: event.time,
            kind,
            lines: narrate::body_lines(&event.event, names),
        });
    }
}

pub struct Timeline {
    world: World,
    /// Copies of the world, by increasing step; the first is before any event.
    checkpoints: Vec<World>,
    checkpoint_every: u64,
    /// Every narrated event, protocol detail included.
    all_events: Vec<Shown>,
    /// The story-level events (what `kafkasim run` narrates).
    story_events: Vec<Shown>,
    /// The lesson's `say` lines, so the one in force is found without
    /// scanning the event list on every frame.
    says: Vec<Shown>,
    /// Whether the event list (and stepping) includes protocol detail.
    detail: bool,
    pub total_steps: u64,
    pub end_time: SimTime,
    /// The virtual time the student is at: the time of the current event
    /// after a step, or the time asked for (`g 40s`, playing), which can lie
    /// between two events.
    clock: SimTime,
    pub interventions: Vec<Intervention>,
    /// The run stopped on an error (an invariant broke, a limit was hit): at
    /// which step, and why.
    pub failure: Option<(u64, String)>,
    pub lag_samples: Vec<LagSample>,
    /// The questions' answers, read from the run as it is simulated, with
    /// the step they were read after (a sandbox change before it reads
    /// them again).
    answers: Vec<(u64, Answer)>,
    /// Where the simulation of the run has got to, while it is not done.
    frontier: Option<Box<Frontier>>,
    /// Asked between parts of a move that must simulate first (a jump far
    /// ahead): `true` stops the move where it got to, so a key such as `q`
    /// is answered during a long simulation.
    pub interrupt: Option<Box<dyn FnMut() -> bool>>,
}

/// The run beyond what is simulated so far: the world at that point and
/// what simulating the rest needs.
struct Frontier {
    world: World,
    /// Events at or before this step were kept before this simulation began.
    from: u64,
    max_checkpoints: usize,
    sample_every: u64,
    next_sample: u64,
    /// The answers still to be read on the way.
    script: Script,
}

impl Timeline {
    /// Simulates the whole run of a freshly built world.
    pub fn new(world: World) -> Self {
        let mut timeline = Self::start(world);
        timeline.finish();
        timeline
    }

    /// Simulates the first part of the run of a freshly built world; the
    /// rest follows with [`Timeline::simulate_more`], or at once when a move
    /// needs it.
    pub fn start(world: World) -> Self {
        let mut timeline = Timeline {
            world: world.clone(),
            checkpoints: vec![world.clone()],
            checkpoint_every: 2_000,
            all_events: Vec::new(),
            story_events: Vec::new(),
            says: Vec::new(),
            detail: false,
            total_steps: 0,
            end_time: SimTime::ZERO,
            clock: SimTime::ZERO,
            interventions: Vec::new(),
            failure: None,
            lag_samples: Vec::new(),
            answers: Vec::new(),
            frontier: None,
            interrupt: None,
        };
        timeline.begin(world);
        timeline.simulate_more(SIMULATION_CHUNK);
        timeline
    }

    /// Whether part of the run is still to be simulated.
    pub fn simulating(&self) -> bool {
        self.frontier.is_some()
    }

    /// Simulates the rest of the run.
    pub fn finish(&mut self) {
        while self.simulate_more(SIMULATION_CHUNK) {}
    }

    /// Simulates one more part of the run; returns whether more steps became
    /// available to move to.
    fn extend(&mut self) -> bool {
        if self.interrupt.as_mut().is_some_and(|interrupted| interrupted()) {
            return false;
        }
        let before = self.total_steps;
        self.simulate_more(SIMULATION_CHUNK);
        self.total_steps > before
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The events the list shows and → / ← step through.
    pub fn events(&self) -> &[Shown] {
        if self.detail { &self.all_events } else { &self.story_events }
    }

    pub fn detail(&self) -> bool {
        self.detail
    }

    /// How many events a counter shows: "…" while part of the run is still
    /// to be simulated, since the number known so far grows as simulating
    /// goes on and the same step would otherwise read differently.
    pub fn events_total(&self) -> String {
        if self.simulating() { "…".to_string() } else { self.events().len().to_string() }
    }

    /// Shows (or hides) protocol detail in the event list.
    pub fn set_detail(&mut self, detail: bool) {
        self.detail = detail;
    }

    /// Changes with every intervention: the same step shows a different
    /// world after one.
    pub fn revision(&self) -> usize {
        self.interventions.len()
    }

    pub fn step(&self) -> u64 {
        self.world.steps
    }

    /// The virtual time on screen: every event before it has happened.
    pub fn clock(&self) -> SimTime {
        self.clock.max(self.world.now)
    }

    /// Makes `world` the frontier of the simulation: what lies beyond its
    /// step is simulated from it (what lies before is kept).
    fn begin(&mut self, world: World) {
        let max_checkpoints =
            if world.scenario.planned_records() > HEAVY_RECORDS { MAX_HEAVY_CHECKPOINTS } else { MAX_CHECKPOINTS };
        let sample_every = (world.scenario.run_for.as_micros() / LAG_SAMPLES).max(1);
        let next_sample = self.lag_samples.last().map_or(0, |s| s.time.as_micros() + sample_every);
        self.failure = None;
        self.total_steps = world.steps;
        self.end_time = world.now;
        let script = Script::answering(&world, |i| self.answers.iter().any(|(_, a)| a.index == i));
        self.frontier =
            Some(Box::new(Frontier { from: world.steps, world, max_checkpoints, sample_every, next_sample, script }));
    }

    /// Simulates up to `steps` more steps of the run, recording events,
    /// checkpoints and lag samples; returns whether part is still to come.
    pub fn simulate_more(&mut self, steps: u64) -> bool {
        let Some(mut frontier) = self.frontier.take() else {
            return false;
        };
        let f = &mut *frontier;
        let mut events = Vec::new();
        for _ in 0..steps {
            if f.world.finished {
                break;
            }
            let result = f.world.step(&mut Capture { events: &mut events });
            apply_due(&self.interventions, &mut f.world);
            read_answers(f, &mut self.answers);
            if f.world.steps.is_multiple_of(self.checkpoint_every) {
                self.checkpoints.push(f.world.clone());
                if self.checkpoints.len() > f.max_checkpoints {
                    self.thin_checkpoints();
                }
            }
            if f.world.now.as_micros() >= f.next_sample {
                self.lag_samples.push(sample_lag(&f.world));
                f.next_sample = f.world.now.as_micros() + f.sample_every;
            }
            if let Err(e) = result {
                self.failure = Some((f.world.steps, e.to_string()));
                f.world.finished = true;
                break;
            }
        }
        // At the end every answer left is due (nothing more will happen).
        read_answers(f, &mut self.answers);
        events.retain(|e| e.step > f.from);
        // The scenario's narration was written for its own run: after the
        // student's first change it may no longer be true, and says so.
        if let Some(first) = self.interventions.iter().map(|i| i.step).min() {
            for e in events.iter_mut().filter(|e| e.kind == ShownKind::Say && e.step > first) {
                if let Some(line) = e.lines.first_mut() {
                    *line = line.replacen("» ", &format!("» {SCRIPTED} "), 1);
                }
            }
        }
        self.story_events.extend(events.iter().filter(|e| e.kind != ShownKind::Detail).cloned());
        self.says.extend(events.iter().filter(|e| e.kind == ShownKind::Say).cloned());
        self.all_events.extend(events);
        self.total_steps = f.world.steps;
        self.end_time = f.world.now;
        if f.world.finished {
            return false;
        }
        self.frontier = Some(frontier);
        true
    }

    /// Keeps the first checkpoint and every other one after it.
    fn thin_checkpoints(&mut self) {
        self.checkpoint_every *= 2;
        let every = self.checkpoint_every;
        let mut kept = Vec::with_capacity(self.checkpoints.len() / 2 + 1);
        for (i, c) in std::mem::take(&mut self.checkpoints).into_iter().enumerate() {
            if i == 0 || c.steps.is_multiple_of(every) {
                kept.push(c);
            }
        }
        self.checkpoints = kept;
    }

    /// One step of the current world, with the interventions due after it.
    fn step_once(&mut self) -> bool {
        if self.world.finished || self.world.step(&mut NullSink).is_err() {
            return false;
        }
        apply_due(&self.interventions, &mut self.world);
        true
    }

    /// Goes to exactly `step` (clamped to the run).
    pub fn seek(&mut self, step: u64) {
        while self.total_steps < step && self.extend() {}
        let step = step.min(self.total_steps);
        // The nearest checkpoint at or before the target: needed going back,
        // and a shortcut going far forward.
        let base = self.checkpoints.iter().rev().find(|c| c.steps <= step).unwrap_or(&self.checkpoints[0]);
        if step < self.world.steps || base.steps > self.world.steps {
            self.world = base.clone();
        }
        while self.world.steps < step && self.step_once() {}
        self.clock = self.world.now;
    }

    /// Question `index`'s answer, once the simulation has read it.
    pub fn answer(&self, index: usize) -> Option<&Answer> {
        self.answers.iter().map(|(_, a)| a).find(|a| a.index == index)
    }

    /// To virtual time `time` with every event at or before it handled: the
    /// moment a question is asked (the clock shows `time`).
    pub fn go_through_time(&mut self, time: SimTime) {
        self.go_to_time(time + crate::engine::SimDuration::from_micros(1));
        self.clock = time.max(self.world.now);
    }

    /// The `say` line in force at the current step: the latest at or before it.
    pub fn lesson_voice(&self) -> Option<&Shown> {
        let said = self.says.partition_point(|e| e.step <= self.world.steps);
        said.checked_sub(1).map(|i| &self.says[i])
    }

    /// Index of the latest event at or before the current step.
    pub fn current_event(&self) -> Option<usize> {
        let n = self.events().partition_point(|e| e.step <= self.world.steps);
        n.checked_sub(1)
    }

    /// To the step of the next narrated event. Returns whether it moved.
    pub fn forward(&mut self) -> bool {
        // Events are in step order: a binary search, not a scan.
        let current = self.world.steps;
        let next = loop {
            let next = self.events().get(self.events().partition_point(|e| e.step <= current)).map(|e| e.step);
            if next.is_some() || !self.extend() {
                break next;
            }
        };
        match next {
            Some(step) => {
                self.seek(step);
                true
            }
            None if self.world.steps < self.total_steps => {
                self.seek(self.total_steps);
                true
            }
            None => false,
        }
    }

    /// To the step of the previous narrated event (or the start).
    pub fn back(&mut self) -> bool {
        if self.world.steps == 0 {
            return false;
        }
        let current = self.world.steps;
        let before = self.events().partition_point(|e| e.step < current);
        let previous = before.checked_sub(1).map_or(0, |i| self.events()[i].step);
        self.seek(previous);
        true
    }

    /// To the next (or previous) lesson marker: a `say` or an expectation.
    pub fn jump_marker(&mut self, forward: bool) -> bool {
        let current = self.world.steps;
        let target = if forward {
            loop {
                let after = self.events().partition_point(|e| e.step <= current);
                let next = self.events()[after..].iter().find(|e| e.is_marker()).map(|e| e.step);
                if next.is_some() || !self.extend() {
                    break next;
                }
            }
        } else {
            let before = self.events().partition_point(|e| e.step < current);
            self.events()[..before].iter().rev().find(|e| e.is_marker()).map(|e| e.step)
        };
        target.map(|s| self.seek(s)).is_some()
    }

    /// Runs every event before virtual time `time` and sets the clock to it
    /// (for playing).
    pub fn advance_to_time(&mut self, time: SimTime) {
        self.run_before(time);
        self.clock = time.min(self.last_time());
    }

    /// The end of the run: its last event once simulated, else the
    /// scenario's `run:`.
    fn last_time(&self) -> SimTime {
        if self.simulating() { self.world.scenario.run_for } else { self.end_time }
    }

    /// Steps the current world through every event before `time`.
    fn run_before(&mut self, time: SimTime) {
        while self.world.next_event_time().is_some_and(|t| t < time) {
            if self.world.steps >= self.total_steps && !self.extend() {
                break;
            }
            if !self.step_once() {
                break;
            }
        }
    }

    /// To the state at virtual time `time`: every event before it has
    /// happened, none at or after it; the clock shows `time` (or the end of
    /// the run, when it lies beyond). A sandbox action then happens at
    /// exactly `time`.
    pub fn go_to_time(&mut self, time: SimTime) {
        while self.end_time < time && self.extend() {}
        // Back to the latest checkpoint before `time` when the current world
        // is past it or a checkpoint is nearer.
        let base = self.checkpoints.iter().rev().find(|c| c.now < time || c.steps == 0).unwrap_or(&self.checkpoints[0]);
        if self.world.now >= time && self.world.steps > 0 || base.steps > self.world.steps {
            self.world = base.clone();
        }
        self.run_before(time);
        self.clock = time.min(self.last_time()).max(self.world.now);
    }

    /// When an intervention now would happen: at the clock, when it stands
    /// between events (after `g`, or playing); else just after the current
    /// event ([`World::intervention_time`]).
    pub fn intervention_time(&self) -> SimTime {
        if self.clock > self.world.now { self.clock } else { self.world.intervention_time() }
    }

    /// The student changes the future after the current step, at
    /// [`Timeline::intervention_time`].
    pub fn intervene(&mut self, what: Intervene) {
        let step = self.world.steps;
        let at = self.intervention_time();
        let clock = self.clock;
        let mut world = self.world.clone();
        let intervention = Intervention { step, at, what };
        apply(&mut world, &intervention);
        self.interventions.push(intervention);
        self.checkpoints.retain(|c| c.steps < step || c.steps == 0);
        if step > 0 {
            self.checkpoints.push(world.clone());
        } else {
            self.checkpoints[0] = world.clone();
        }
        self.all_events.retain(|e| e.step <= step);
        self.story_events.retain(|e| e.step <= step);
        self.says.retain(|e| e.step <= step);
        self.answers.retain(|(read_after, _)| *read_after < step);
        let now = world.now;
        self.lag_samples.retain(|s| s.time <= now);
        self.world = world.clone();
        // The new future is simulated like the first: a part now, the rest
        // between keys or when a move needs it.
        self.begin(world);
        self.simulate_more(SIMULATION_CHUNK);
        self.clock = clock;
    }
}

/// Reads the answers due at the frontier, noting the step they follow.
fn read_answers(frontier: &mut Frontier, answers: &mut Vec<(u64, Answer)>) {
    while frontier.script.due(&frontier.world).is_some() {}
    let step = frontier.world.steps;
    answers.extend(frontier.script.answers.drain(..).map(|a| (step, a)));
}

/// Applies the interventions recorded for the world's current step.
fn apply_due(interventions: &[Intervention], world: &mut World) {
    let step = world.steps;
    for i in interventions.iter().filter(|i| i.step == step) {
        apply(world, i);
    }
}

fn apply(world: &mut World, intervention: &Intervention) {
    match &intervention.what {
        Intervene::Act(action) => world.inject(intervention.at, action.clone()),
        Intervene::AddConsumer { like } => {
            if let Some(idx) = world.add_consumer_like(*like) {
                world.inject(intervention.at, Action::Start(crate::scenario::ClientRef::Consumer(idx)));
            }
        }
    }
}

fn sample_lag(world: &World) -> LagSample {
    let lag = world.group_names().into_iter().filter_map(|g| world.group_lag(&g).map(|l| (g, l))).collect();
    LagSample { time: world.now, lag }
}

#[cfg(test)]
mod tests;

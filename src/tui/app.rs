//! The TUI's model and its update function: every key press becomes a
//! [`Msg`], and [`App::update`] is the only place the model changes. The
//! view only reads the model, so any screen can be reached (and tested) from
//! a list of messages.

use std::path::PathBuf;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ClientIdx, Host};
use crate::scenario::{Action, ClientRef, HostName};
use crate::world::World;

use super::derived::Derived;
use super::questions::Asked;
use super::sandbox;
use super::theme::Theme;
use super::timeline::{Intervene, Timeline};

/// Virtual seconds per wall-clock second.
pub const SPEEDS: [f64; 14] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 14_400.0];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pane {
    Cluster,
    Logs,
    Groups,
    Producers,
    Events,
}

impl Pane {
    pub const ALL: [Pane; 5] = [Pane::Cluster, Pane::Logs, Pane::Groups, Pane::Producers, Pane::Events];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Cluster => "Cluster",
            Pane::Logs => "Logs",
            Pane::Groups => "Consumers",
            Pane::Producers => "Producers",
            Pane::Events => "Events",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// Details of the selected item.
    Inspect,
    /// Typing a time to jump to.
    GoTo(String),
    /// The run stopped at question `index`: the answer typed so far, and
    /// what was wrong with the last one submitted.
    Ask {
        index: usize,
        typed: String,
        error: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Quit,
    TogglePlay,
    Forward,
    Back,
    Faster,
    Slower,
    NextMarker,
    PrevMarker,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Inspect,
    Help,
    Close,
    GoToPrompt,
    Input(char),
    Erase,
    Submit,
    /// Wall-clock time passed while playing, in milliseconds.
    Tick(u64),
    /// Sandbox: kill the selected broker (or crash the selected client).
    Kill,
    /// Sandbox: restart the selected broker (or start the selected client).
    Restart,
    /// Sandbox: cut the selected broker off the network.
    Cut,
    /// Sandbox: heal every cut.
    Heal,
    /// Sandbox: a consumer like the selected one joins.
    AddConsumer,
    /// Sandbox: stop the selected client cleanly.
    Stop,
    /// Save the session (with its interventions) as a scenario file.
    Save,
    /// The mouse wheel over the event list.
    Scroll(i32),
    /// A click at a screen cell: on an event, go to it.
    Click {
        column: u16,
        row: u16,
    },
    /// Protocol detail in the event list, or only the story.
    ToggleDetail,
    /// The focused pane fills the screen, or goes back to its place.
    Zoom,
}

pub struct App {
    pub timeline: Timeline,
    /// The scenario's name as given (a file or a built-in name) and its text,
    /// for saving the session.
    pub source_name: String,
    pub source_text: String,
    pub save_dir: PathBuf,
    pub playing: bool,
    pub speed: usize,
    pub focus: Pane,
    /// Selected row per pane.
    pub selected: [usize; 5],
    /// The event list's scroll: `None` follows the current event.
    pub event_scroll: Option<usize>,
    pub overlay: Overlay,
    /// The focused pane fills the screen.
    pub zoom: bool,
    pub status: Option<String>,
    pub quit: bool,
    pub theme: Theme,
    /// Where the event list was last drawn, for mouse clicks.
    pub event_rows: std::cell::RefCell<super::panes::events::EventRows>,
    /// The questions put to the student and the replies.
    pub asked: Asked,
    /// Leftover wall time for playing, in virtual microseconds.
    carry_us: f64,
    derived: Option<Derived>,
}

impl App {
    pub fn new(timeline: Timeline, source_name: String, source_text: String, theme: Theme) -> Self {
        let speed = default_speed(timeline.world().scenario.run_for);
        App {
            timeline,
            source_name,
            source_text,
            save_dir: PathBuf::from("."),
            playing: false,
            speed,
            focus: Pane::Events,
            selected: [0; 5],
            event_scroll: None,
            overlay: Overlay::None,
            zoom: false,
            status: None,
            quit: false,
            theme,
            event_rows: Default::default(),
            asked: Asked::default(),
            carry_us: 0.0,
            derived: None,
        }
    }

    pub fn world(&self) -> &World {
        self.timeline.world()
    }

    /// Computes the values derived from the world at this step (expectations
    /// now, group tables, lost records), once per step.
    pub fn refresh_derived(&mut self) {
        let step = self.timeline.step();
        if self.derived.as_ref().is_none_or(|d| d.step != step || d.revision != self.timeline.revision()) {
            let previous = self.derived.take();
            self.derived = Some(Derived::compute(self.timeline.world(), self.timeline.revision(), previous));
        }
    }

    /// The derived values; [`App::refresh_derived`] must have run since the
    /// last change.
    pub fn derived(&self) -> &Derived {
        self.derived.as_ref().expect("refresh_derived runs before drawing")
    }

    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed]
    }

    fn selected(&self, pane: Pane) -> usize {
        self.selected[pane as usize]
    }

    /// How many rows a pane's selection moves over.
    pub fn rows(&self, pane: Pane) -> usize {
        let world = self.world();
        match pane {
            Pane::Cluster => world.brokers.len(),
            Pane::Logs => super::panes::logs::partitions(world).len(),
            Pane::Groups => world.consumers.len(),
            Pane::Producers => world.producers.len(),
            Pane::Events => self.timeline.events().len(),
        }
    }

    pub fn selected_broker(&self) -> Option<BrokerId> {
        self.world().brokers.get(self.selected(Pane::Cluster)).map(|b| b.id)
    }

    pub fn selected_consumer(&self) -> Option<ClientIdx> {
        (self.selected(Pane::Groups) < self.world().consumers.len())
            .then(|| ClientIdx(self.selected(Pane::Groups) as u32))
    }

    pub fn selected_producer(&self) -> Option<ClientIdx> {
        (self.selected(Pane::Producers) < self.world().producers.len())
            .then(|| ClientIdx(self.selected(Pane::Producers) as u32))
    }

    pub fn update(&mut self, msg: Msg) {
        if let Overlay::GoTo(text) = &self.overlay {
            let mut text = text.clone();
            match msg {
                Msg::Input(c) => text.push(c),
                Msg::Erase => {
                    text.pop();
                }
                Msg::Submit => {
                    self.overlay = Overlay::None;
                    self.go_to(&text);
                    return;
                }
                Msg::Close | Msg::Quit => {
                    self.overlay = Overlay::None;
                    return;
                }
                _ => {}
            }
            self.overlay = Overlay::GoTo(text);
            return;
        }
        if let Overlay::Ask { index, typed, .. } = &self.overlay {
            let (index, mut typed) = (*index, typed.clone());
            match msg {
                Msg::Input(c) => typed.push(c),
                Msg::Erase => {
                    typed.pop();
                }
                Msg::Submit => return self.answer_typed(index, typed),
                Msg::Close => {
                    self.overlay = Overlay::None;
                    self.status = Some("question skipped: watch what happens (→ steps, space plays)".to_string());
                    return;
                }
                // Time stands still while the question is open.
                Msg::Tick(_) => return,
                Msg::Quit => {
                    self.quit = true;
                    return;
                }
                // Any other key skips the question and does what it says.
                _ => {
                    self.overlay = Overlay::None;
                    return self.update(msg);
                }
            }
            self.overlay = Overlay::Ask { index, typed, error: None };
            return;
        }
        if self.overlay != Overlay::None && matches!(msg, Msg::Close | Msg::Help | Msg::Inspect | Msg::Submit) {
            self.overlay = Overlay::None;
            return;
        }
        if !matches!(msg, Msg::Tick(_)) {
            self.status = None;
        }
        match msg {
            Msg::Quit => self.quit = true,
            Msg::TogglePlay => {
                self.playing = !self.playing && !self.at_end();
                self.carry_us = 0.0;
            }
            Msg::Forward => {
                self.playing = false;
                let from = self.timeline.clock();
                self.timeline.forward();
                self.event_scroll = None;
                self.stop_at_question(from);
            }
            Msg::Back => {
                self.playing = false;
                self.timeline.back();
                self.event_scroll = None;
            }
            Msg::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            Msg::Slower => self.speed = self.speed.saturating_sub(1),
            Msg::NextMarker | Msg::PrevMarker => {
                self.playing = false;
                let from = self.timeline.clock();
                self.timeline.jump_marker(msg == Msg::NextMarker);
                self.event_scroll = None;
                if msg == Msg::NextMarker {
                    self.stop_at_question(from);
                }
            }
            Msg::FocusNext | Msg::FocusPrev => {
                let i = Pane::ALL.iter().position(|&p| p == self.focus).unwrap_or(0);
                let n = Pane::ALL.len();
                let next = if msg == Msg::FocusNext { (i + 1) % n } else { (i + n - 1) % n };
                self.focus = Pane::ALL[next];
            }
            Msg::Up => self.move_selection(-1),
            Msg::Down => self.move_selection(1),
            Msg::PageUp => self.move_selection(-10),
            Msg::PageDown => self.move_selection(10),
            Msg::Home => self.move_selection(i64::MIN / 2),
            Msg::End => self.move_selection(i64::MAX / 2),
            Msg::Scroll(delta) => {
                let previous = self.focus;
                self.focus = Pane::Events;
                self.move_selection(i64::from(delta) * 3);
                self.focus = previous;
            }
            Msg::Click { column, row } => {
                let clicked = self.event_rows.borrow().event_at(column, row);
                if let Some(step) = clicked.and_then(|i| self.timeline.events().get(i)).map(|e| e.step) {
                    self.playing = false;
                    self.focus = Pane::Events;
                    self.timeline.seek(step);
                    self.event_scroll = None;
                }
            }
            Msg::ToggleDetail => {
                let detail = !self.timeline.detail();
                self.timeline.set_detail(detail);
                self.event_scroll = None;
            }
            Msg::Zoom => self.zoom = !self.zoom,
            Msg::Inspect => self.overlay = Overlay::Inspect,
            Msg::Help => self.overlay = Overlay::Help,
            Msg::Close => self.event_scroll = None,
            Msg::GoToPrompt => self.overlay = Overlay::GoTo(String::new()),
            Msg::Input(_) | Msg::Erase | Msg::Submit => {}
            Msg::Tick(ms) => self.tick(ms),
            Msg::Kill | Msg::Restart | Msg::Cut | Msg::Heal | Msg::AddConsumer | Msg::Stop => self.sandbox(msg),
            Msg::Save => {
                self.status = Some(match sandbox::save(self) {
                    Ok(path) => format!("saved as {}", path.display()),
                    Err(e) => format!("could not save: {e}"),
                });
            }
        }
    }

    fn move_selection(&mut self, delta: i64) {
        let pane = self.focus;
        let rows = self.rows(pane);
        if rows == 0 {
            return;
        }
        if pane == Pane::Events {
            let current = self.event_scroll.or(self.timeline.current_event()).unwrap_or(0);
            let next = (current as i64).saturating_add(delta).clamp(0, rows as i64 - 1) as usize;
            self.event_scroll = Some(next);
            return;
        }
        let current = self.selected(pane) as i64;
        self.selected[pane as usize] = current.saturating_add(delta).clamp(0, rows as i64 - 1) as usize;
    }

    fn tick(&mut self, wall_ms: u64) {
        if !self.playing {
            return;
        }
        let virtual_us = wall_ms as f64 * 1_000.0 * self.speed() + self.carry_us;
        let whole = virtual_us.floor();
        self.carry_us = virtual_us - whole;
        let clock = self.timeline.clock();
        let target = clock + SimDuration::from_micros(whole as u64);
        if let Some((index, asked_at)) = self.next_question(clock).filter(|&(_, at)| at <= target) {
            self.ask(index, asked_at);
            return;
        }
        self.timeline.advance_to_time(target);
        self.event_scroll = None;
        if self.at_end() {
            self.playing = false;
        }
    }

    /// At the last step of the run (all of it simulated).
    fn at_end(&self) -> bool {
        !self.timeline.simulating() && self.timeline.step() >= self.timeline.total_steps
    }

    fn go_to(&mut self, text: &str) {
        match crate::scenario::duration::parse(text.trim()) {
            Ok(d) => {
                self.playing = false;
                self.timeline.go_to_time(SimTime::ZERO + d);
                self.event_scroll = None;
            }
            Err(e) => self.status = Some(format!("`{text}` is not a time: {e} (write it like 45s, 2m or 1h30m)")),
        }
    }

    fn sandbox(&mut self, msg: Msg) {
        let what = match (self.focus, msg) {
            (_, Msg::Heal) => Some(Intervene::Act(Action::Heal)),
            (Pane::Groups, Msg::AddConsumer) => self.selected_consumer().map(|like| Intervene::AddConsumer { like }),
            (Pane::Groups, _) => self.selected_consumer().and_then(|c| client_action(msg, ClientRef::Consumer(c))),
            (Pane::Producers, _) => self.selected_producer().and_then(|p| client_action(msg, ClientRef::Producer(p))),
            (_, Msg::Kill | Msg::Restart | Msg::Cut) => self.selected_broker().and_then(|b| self.broker_action(msg, b)),
            _ => None,
        };
        match what {
            Some(what) => {
                self.playing = false;
                let at = self.timeline.intervention_time();
                self.status = Some(format!("sandbox at {at}: {}", sandbox::describe(&what, self.world())));
                self.timeline.intervene(what);
                self.event_scroll = None;
            }
            None => self.status = Some(
                "select a broker (Cluster), a consumer (Consumers) or a producer (Producers) with Tab and ↑/↓ first"
                    .to_string(),
            ),
        }
    }

    fn broker_action(&self, msg: Msg, broker: BrokerId) -> Option<Intervene> {
        let target = HostName::Broker(broker);
        Some(Intervene::Act(match msg {
            Msg::Kill => Action::Kill(target),
            Msg::Restart => Action::Restart(target),
            Msg::Cut => {
                let others: Vec<HostName> = self
                    .world()
                    .hosts
                    .keys()
                    .filter(|&&h| h != Host::Broker(broker))
                    .filter_map(|&h| sandbox::host_name(h))
                    .collect();
                Action::Cut(vec![vec![target], others])
            }
            _ => return None,
        }))
    }
}

fn client_action(msg: Msg, client: ClientRef) -> Option<Intervene> {
    Some(Intervene::Act(match msg {
        Msg::Kill => Action::Crash(client),
        Msg::Restart => Action::Start(client),
        Msg::Stop => Action::Stop(client),
        _ => return None,
    }))
}

/// A speed that plays the whole run in about a minute.
fn default_speed(end: SimTime) -> usize {
    let wanted = end.as_micros() as f64 / 1_000_000.0 / 60.0;
    SPEEDS.iter().position(|&s| s >= wanted).unwrap_or(SPEEDS.len() - 1)
}

#[cfg(test)]
mod tests;

//! The terminal UI: step through a scenario forward and back, watch it play,
//! and change its future in a sandbox.
//!
//! It follows the model / update / view shape: [`app::App`] is the model,
//! [`app::App::update`] the only place it changes (from a [`app::Msg`] made
//! by [`keys`]), and [`view::draw`] reads it. The run is simulated once by
//! [`timeline::Timeline`]: its first part before the first screen, the rest
//! while the student looks at it, between keys; drawing never simulates.

pub mod app;
pub mod derived;
pub mod keys;
pub mod layout;
pub mod overlay;
pub mod panes;
pub mod picker;
pub mod questions;
pub mod sandbox;
pub mod theme;
pub mod timeline;
pub mod view;

// The terminal's event loop below (crossterm in, the wall clock pacing
// play) is the `native` feature's; the browser player drives the same model,
// keymap and panes from the page's events.
#[cfg(feature = "native")]
use std::cell::RefCell;
#[cfg(feature = "native")]
use std::collections::VecDeque;
#[cfg(feature = "native")]
use std::io;
#[cfg(feature = "native")]
use std::rc::Rc;
#[cfg(feature = "native")]
use std::time::{Duration, Instant};

#[cfg(feature = "native")]
use ratatui::DefaultTerminal;
#[cfg(feature = "native")]
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEventKind};
#[cfg(feature = "native")]
use ratatui::crossterm::execute;

use crate::scenario::Scenario;
use crate::world::{BuildOptions, World};
use app::App;
#[cfg(feature = "native")]
use picker::{Picker, PickerMsg};
use theme::Theme;
use timeline::Timeline;

/// How often the screen is redrawn while playing.
#[cfg(feature = "native")]
const FRAME: Duration = Duration::from_millis(50);

/// Simulates `scenario` and makes the TUI's model for it. The invariants are
/// always checked: the student should see the moment one breaks.
pub fn app_for(scenario: Scenario, seed: Option<u64>, theme: Theme) -> App {
    let source_name = scenario.source.name.clone();
    let source_text = scenario.source.text.to_string();
    let world = World::new(scenario, BuildOptions { seed, check_invariants: true });
    App::new(Timeline::start(world), source_name, source_text, theme)
}

/// What the terminal shows first.
pub enum Start {
    Scenario(Box<App>),
    /// The picker; `load` turns a built-in name into its model.
    Picker(Loader),
}

/// Turns a built-in scenario's name into the model for it.
pub type Loader = Box<dyn Fn(&str) -> Option<App>>;

/// The wall clock paces playing (virtual seconds per real second); it never
/// reaches the simulation, which runs in virtual time only.
#[cfg(feature = "native")]
#[allow(clippy::disallowed_methods)]
fn wall_clock() -> Instant {
    Instant::now()
}

/// Takes over the terminal until the student quits; restores it on exit, on
/// error and on panic.
#[cfg(feature = "native")]
pub fn run(start: Start) -> io::Result<()> {
    // ratatui::init installs a panic hook that restores the terminal first.
    let mut terminal = ratatui::init();
    let _ = execute!(io::stdout(), EnableMouseCapture);
    let result = match start {
        Start::Scenario(mut app) => play(&mut terminal, &mut app),
        Start::Picker(load) => pick(&mut terminal, load.as_ref()),
    };
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

#[cfg(feature = "native")]
fn pick(terminal: &mut DefaultTerminal, load: &dyn Fn(&str) -> Option<App>) -> io::Result<()> {
    let mut picker = Picker::new(Theme::from_env());
    loop {
        terminal.draw(|f| picker.draw(f))?;
        let Event::Key(key) = event::read()? else { continue };
        if key.kind == KeyEventKind::Release {
            continue;
        }
        let msg = match key.code {
            KeyCode::Up | KeyCode::Char('k') => PickerMsg::Up,
            KeyCode::Down | KeyCode::Char('j') => PickerMsg::Down,
            KeyCode::Enter => PickerMsg::Open,
            KeyCode::Char('q') | KeyCode::Esc => PickerMsg::Quit,
            KeyCode::Char('c') if key.modifiers.contains(event::KeyModifiers::CONTROL) => PickerMsg::Quit,
            _ => continue,
        };
        if msg == PickerMsg::Quit {
            return Ok(());
        }
        if let Some(name) = picker.update(msg).map(str::to_string) {
            terminal.draw(|f| {
                let text = format!("Simulating {name}…");
                f.render_widget(ratatui::widgets::Paragraph::new(text), f.area());
            })?;
            if let Some(mut app) = load(&name) {
                play(terminal, &mut app)?;
                // Back to the list after a scenario, unless the student quit it with Ctrl-C.
            }
        }
    }
}

#[cfg(feature = "native")]
fn play(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    // Keys pressed while a move simulates (a jump far ahead) are kept for
    // afterwards; a quit key stops the move at once.
    let pending: Rc<RefCell<VecDeque<Event>>> = Rc::default();
    let keys = pending.clone();
    app.timeline.interrupt = Some(Box::new(move || {
        while event::poll(Duration::ZERO).unwrap_or(false) {
            let Ok(event) = event::read() else { break };
            keys.borrow_mut().push_back(event);
        }
        keys.borrow().iter().any(is_quit)
    }));
    let result = play_loop(terminal, app, &pending);
    app.timeline.interrupt = None;
    result
}

/// `q` or Ctrl-C.
#[cfg(feature = "native")]
fn is_quit(event: &Event) -> bool {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            key.code == KeyCode::Char('q')
                || (key.code == KeyCode::Char('c') && key.modifiers.contains(event::KeyModifiers::CONTROL))
        }
        _ => false,
    }
}

#[cfg(feature = "native")]
fn play_loop(terminal: &mut DefaultTerminal, app: &mut App, pending: &RefCell<VecDeque<Event>>) -> io::Result<()> {
    let mut last = wall_clock();
    while !app.quit {
        // Keys that came in during the last move, in order.
        let queued = pending.borrow_mut().pop_front();
        if let Some(event) = queued {
            if let Some(msg) = message_for(event, app) {
                app.update(msg);
            }
            continue;
        }
        terminal.draw(|f| view::draw(app, f))?;
        let timeout = if app.timeline.simulating() {
            Duration::ZERO // keys first, then the next part of the run
        } else if app.playing {
            FRAME.saturating_sub(last.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        if event::poll(timeout)? {
            if let Some(msg) = message_for(event::read()?, app) {
                app.update(msg);
            }
        } else if app.timeline.simulating() {
            app.timeline.simulate_more(timeline::SIMULATION_CHUNK);
        }
        if app.playing {
            let elapsed = last.elapsed();
            if elapsed >= FRAME {
                app.update(app::Msg::Tick(elapsed.as_millis() as u64));
                last = wall_clock();
            }
        } else {
            last = wall_clock();
        }
    }
    Ok(())
}

#[cfg(feature = "native")]
fn message_for(event: Event, app: &App) -> Option<app::Msg> {
    match event {
        Event::Key(key) => keys::key(key, &app.overlay),
        Event::Mouse(mouse) => keys::mouse(mouse),
        _ => None,
    }
}

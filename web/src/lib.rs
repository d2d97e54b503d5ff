//! kafkasim in the browser: the player a book chapter embeds.
//!
//! The page holds one [`Player`] per scenario. It is the terminal UI's model
//! ([`App`]) drawn by the terminal UI's own panes ([`view::draw`]) through
//! ratzilla's DOM backend instead of crossterm, and driven by the same keymap
//! ([`keys::press`]). The page's script (`web/player.js`) only forwards key
//! presses, passing time and the text area's YAML.
//!
//! Questions (`ask:`) are answered by a run of their own ([`questions`]) and
//! shown by the page beside the screen, asked and answered at the player's
//! clock.
//!
//! [`digests`] runs every built-in scenario to its end and fingerprints its
//! trace, so a test can compare the WebAssembly build with the native one.

mod questions;

use kafkasim::scenario;
use kafkasim::trace::digest::DigestSink;
use kafkasim::tui::app::{App, Msg};
use kafkasim::tui::keys::{self, Key};
use kafkasim::tui::theme::Theme;
use kafkasim::tui::{self as tui, sandbox, timeline, view};
use kafkasim::world::{BuildOptions, World};
use questions::Questions;
use ratzilla::DomBackend;
use ratzilla::ratatui::backend::Backend;
use ratzilla::ratatui::layout::Rect;
use ratzilla::ratatui::{Terminal, TerminalOptions, Viewport};
use wasm_bindgen::prelude::*;

/// One scenario playing in one element of the page.
#[wasm_bindgen]
pub struct Player {
    terminal: Terminal<DomBackend>,
    app: App,
    /// The scenario's questions, answered when the page first asks for them.
    questions: Option<Questions>,
}

#[wasm_bindgen]
impl Player {
    /// Loads `yaml` (named `name` in error messages) and draws its first
    /// frame into the element with id `element_id`. A scenario that does not
    /// load is refused with the command line's message: `name:line:column`,
    /// what is wrong and how to fix it.
    #[wasm_bindgen(constructor)]
    pub fn new(element_id: &str, name: &str, yaml: &str) -> Result<Player, JsError> {
        console_error_panic_hook::set_once();
        let app = load(name, yaml)?;
        let mut backend = DomBackend::new_by_id(element_id).map_err(|e| JsError::new(&e.to_string()))?;
        // The grid ratzilla lays out fills the element; its `size()` is the
        // window's instead. A viewport fixed to the grid keeps every frame
        // inside the cells that exist (the page's CSS gives the element a
        // fixed size, so the grid does not change when the window does).
        let grid = backend.window_size().map_err(|e| JsError::new(&e.to_string()))?.columns_rows;
        let viewport = Viewport::Fixed(Rect::new(0, 0, grid.width, grid.height));
        let terminal =
            Terminal::with_options(backend, TerminalOptions { viewport }).map_err(|e| JsError::new(&e.to_string()))?;
        let mut player = Player { terminal, app, questions: None };
        player.draw()?;
        Ok(player)
    }

    /// A key the page received (`KeyboardEvent.key`, with Ctrl and Shift),
    /// through the terminal UI's keymap. Returns what the page should do:
    /// `"ignored"` (not a player key: let the browser have it), `"handled"`
    /// (redraw), or `"save"` (`w`: show the session as YAML to copy out,
    /// where the terminal writes it to a file).
    pub fn key(&mut self, key: &str, control: bool, shift: bool) -> String {
        let Some(key) = dom_key(key, shift) else { return "ignored".into() };
        match keys::press(key, control, &self.app.overlay) {
            // A page is closed by its reader, not by a key.
            None | Some(Msg::Quit) => "ignored".into(),
            Some(Msg::Save) => "save".into(),
            Some(msg) => {
                self.app.update(msg);
                "handled".into()
            }
        }
    }

    /// A click on the grid's cell (`column`, `row`), or the wheel (`scroll`
    /// lines, negative for up), as the terminal's mouse does.
    pub fn click(&mut self, column: u16, row: u16) {
        self.app.update(Msg::Click { column, row });
    }

    pub fn scroll(&mut self, lines: i32) {
        self.app.update(Msg::Scroll(lines.signum()));
    }

    /// Real time passed (milliseconds): moves virtual time while playing,
    /// and simulates more of the run while it is not all known yet.
    pub fn tick(&mut self, elapsed_ms: f64) {
        if self.app.timeline.simulating() {
            self.app.timeline.simulate_more(timeline::SIMULATION_CHUNK);
        }
        if self.app.playing {
            self.app.update(Msg::Tick(elapsed_ms.max(0.0) as u64));
        }
    }

    /// Whether the page should keep ticking (playing, or still simulating).
    pub fn busy(&self) -> bool {
        self.app.playing || self.app.timeline.simulating()
    }

    /// Draws the panes into the page.
    pub fn draw(&mut self) -> Result<(), JsError> {
        let app = &mut self.app;
        self.terminal.draw(|frame| view::draw(app, frame)).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(())
    }

    /// The session as scenario YAML: the scenario plus what was changed in
    /// the sandbox, as `w` saves it in the terminal.
    pub fn session_yaml(&self) -> Result<String, JsError> {
        if self.app.timeline.interventions.is_empty() {
            return Ok(self.app.source_text.clone());
        }
        sandbox::scenario_text(&self.app).map_err(|e| JsError::new(&e))
    }

    /// The step shown (events since the start).
    pub fn step(&self) -> u64 {
        self.app.timeline.step()
    }

    /// The virtual time on screen, in microseconds.
    pub fn clock_us(&self) -> f64 {
        self.app.timeline.clock().as_micros() as f64
    }

    /// The scenario's questions with the run's answers, as JSON (an empty
    /// list when it asks none). The first call runs the scenario to its end.
    pub fn questions(&mut self) -> Result<String, JsError> {
        Ok(self.answered()?.to_json().to_string())
    }

    /// Judges the reader's reply to question `index` (a choice's letter,
    /// number or text, or a number) as `kafkasim quiz` does, as JSON.
    pub fn judge(&mut self, index: usize, reply: &str) -> Result<String, JsError> {
        Ok(self.answered()?.judge(index, reply).to_string())
    }

    fn answered(&mut self) -> Result<&Questions, JsError> {
        if self.questions.is_none() {
            let scenario = scenario::load_str(&self.app.source_name, &self.app.source_text)
                .map_err(|e| JsError::new(&e.render(false)))?;
            self.questions = Some(Questions::answered(scenario).map_err(|e| JsError::new(&e))?);
        }
        Ok(self.questions.as_ref().expect("answered above"))
    }

    /// The whole screen as text, `width` × `height` cells, as the terminal
    /// UI's snapshot tests read it.
    pub fn screen_text(&mut self, width: u16, height: u16) -> String {
        view::screen_text(&mut self.app, width, height)
    }
}

/// Loads a scenario into the terminal UI's model, or the loader's message.
fn load(name: &str, yaml: &str) -> Result<App, JsError> {
    let scenario = scenario::load_str(name, yaml).map_err(|e| JsError::new(&e.render(false)))?;
    let mut app = tui::app_for(scenario, None, Theme { color: true });
    // The page asks the scenario's questions under the screen, in boxes a
    // reader clicks (the `questions` module); the terminal's way, a stop
    // at each with the keys typing the reply, would ask them twice.
    app.asked.asking = false;
    Ok(app)
}

/// Whether `yaml` loads: `""`, or the command line's error text.
#[wasm_bindgen]
pub fn check_yaml(name: &str, yaml: &str) -> String {
    match scenario::load_str(name, yaml) {
        Ok(_) => String::new(),
        Err(e) => e.render(false),
    }
}

/// The text of a built-in scenario, or `undefined`.
#[wasm_bindgen]
pub fn builtin_scenario(name: &str) -> Option<String> {
    scenario::builtin::find(name).map(str::to_string)
}

/// Runs `yaml` to its end as `kafkasim run --format json` does and returns
/// that outcome as JSON (the counts the page's test compares).
#[wasm_bindgen]
pub fn outcome_json(name: &str, yaml: &str) -> Result<String, JsError> {
    let scenario = scenario::load_str(name, yaml).map_err(|e| JsError::new(&e.render(false)))?;
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: false });
    world.run(&mut kafkasim::trace::sink::NullSink).map_err(|e| JsError::new(&e.to_string()))?;
    serde_json::to_string_pretty(&world.outcome()).map_err(|e| JsError::new(&e.to_string()))
}

/// `name digest events` for every built-in scenario, one a line: each run to
/// its end with invariant checks, its trace fingerprinted.
#[wasm_bindgen]
pub fn digests() -> String {
    let mut out = String::new();
    for (name, text) in scenario::builtin::BUILTIN {
        let line = match scenario::load_str(&format!("{name} (built-in)"), text) {
            Err(_) => format!("{name} does-not-load 0"),
            Ok(scenario) => {
                let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
                let mut digest = DigestSink::default();
                match world.run(&mut digest) {
                    Ok(()) => format!("{name} {} {}", digest.hex(), digest.events),
                    Err(e) => format!("{name} error:{} {}", e.to_string().replace(' ', "_"), digest.events),
                }
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A browser key (`KeyboardEvent.key`) as the keymap's [`Key`].
fn dom_key(key: &str, shift: bool) -> Option<Key> {
    Some(match key {
        "Enter" => Key::Enter,
        "Escape" => Key::Esc,
        "Backspace" => Key::Backspace,
        "Tab" if shift => Key::BackTab,
        "Tab" => Key::Tab,
        "ArrowUp" => Key::Up,
        "ArrowDown" => Key::Down,
        "ArrowLeft" => Key::Left,
        "ArrowRight" => Key::Right,
        "PageUp" => Key::PageUp,
        "PageDown" => Key::PageDown,
        "Home" => Key::Home,
        "End" => Key::End,
        _ => {
            let mut chars = key.chars();
            let c = chars.next()?;
            if chars.next().is_some() {
                return None; // "Shift", "F1", …
            }
            Key::Char(c)
        }
    })
}

//! `kafkasim play SCENARIO`, and `kafkasim` alone: the terminal UI.

use std::io::IsTerminal;

use super::{output, source};
use crate::tui::{self, Start, theme::Theme};

/// Whether both ends of the terminal are there: keys in, screen out.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

pub fn play(scenario: &str, seed: Option<u64>) -> u8 {
    if !interactive() {
        output::eprint(&format!(
            "error: `kafkasim play` needs a terminal (stdin and stdout are not both one).\n\
             help: use `kafkasim run {scenario}` for the narrated run as text.\n"
        ));
        return 2;
    }
    let scenario = match source::load_runnable(scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return 2;
        }
    };
    let app = tui::app_for(scenario, seed, Theme::from_env());
    finish(tui::run(Start::Scenario(Box::new(app))))
}

/// The picker of built-in scenarios.
pub fn pick() -> u8 {
    let load = |name: &str| source::load(name).ok().map(|s| tui::app_for(s, None, Theme::from_env()));
    finish(tui::run(Start::Picker(Box::new(load))))
}

fn finish(result: std::io::Result<()>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            output::eprint(&format!("error: the terminal failed: {e}\n"));
            2
        }
    }
}

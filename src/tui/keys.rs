//! Keys and mouse to messages: one pure function each, the whole keymap in
//! one place (the help overlay lists the same table).

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::app::{Msg, Overlay};

/// The keymap as the help overlay shows it: keys, what they do.
pub const HELP: &[(&str, &str)] = &[
    ("space", "play / pause (virtual time runs at the speed in the header)"),
    ("→ / ←", "one event forward / back (back is exact: the same screen as before)"),
    ("n / p", "next / previous lesson point (a narration line or an expectation)"),
    ("] / [", "faster / slower"),
    ("g", "go to a time: type 45s, 2m, 1h30m, Enter; all before it has happened, the sandbox acts there"),
    ("Tab / Shift-Tab", "move between panes (a small screen shows the focused one)"),
    ("z", "zoom the focused pane to the whole screen, or back"),
    ("v", "show protocol detail in the event list (and step through it), or only the story"),
    ("↑ ↓ PgUp PgDn Home End", "move in the pane (scroll the event list)"),
    ("mouse", "the wheel scrolls the event list; a click on an event goes to it"),
    ("Enter", "inspect the selected broker, partition, consumer, producer or event"),
    ("k", "sandbox: kill the selected broker, or crash the selected client"),
    ("r", "sandbox: restart the selected broker, or start the selected client"),
    ("s", "sandbox: stop the selected client cleanly (close())"),
    ("x / h", "sandbox: cut the selected broker off the network / heal all cuts"),
    ("a", "sandbox: a consumer like the selected one joins its group"),
    ("a b c … / 42, Enter", "answer the question the run stopped at (Esc skips it; → skips and steps)"),
    ("w", "save this session, with your changes, as a scenario file"),
    ("?", "this help"),
    ("Esc", "close a window; follow the current event again"),
    ("q", "quit"),
];

pub fn key(event: KeyEvent, overlay: &Overlay) -> Option<Msg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    if event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c') {
        return Some(Msg::Quit);
    }
    if let Overlay::GoTo(_) = overlay {
        return match event.code {
            KeyCode::Enter => Some(Msg::Submit),
            KeyCode::Esc => Some(Msg::Close),
            KeyCode::Backspace => Some(Msg::Erase),
            KeyCode::Char(c) => Some(Msg::Input(c)),
            _ => None,
        };
    }
    // A question takes typed text; the arrows still move (skipping it).
    if let Overlay::Ask { .. } = overlay {
        match event.code {
            KeyCode::Enter => return Some(Msg::Submit),
            KeyCode::Esc => return Some(Msg::Close),
            KeyCode::Backspace => return Some(Msg::Erase),
            KeyCode::Char(c) => return Some(Msg::Input(c)),
            _ => {}
        }
    }
    Some(match event.code {
        KeyCode::Char('q') => Msg::Quit,
        KeyCode::Char(' ') => Msg::TogglePlay,
        KeyCode::Right => Msg::Forward,
        KeyCode::Left => Msg::Back,
        KeyCode::Char(']') | KeyCode::Char('+') => Msg::Faster,
        KeyCode::Char('[') | KeyCode::Char('-') => Msg::Slower,
        KeyCode::Char('n') => Msg::NextMarker,
        KeyCode::Char('p') => Msg::PrevMarker,
        KeyCode::Char('g') => Msg::GoToPrompt,
        KeyCode::Tab => Msg::FocusNext,
        KeyCode::BackTab => Msg::FocusPrev,
        KeyCode::Up => Msg::Up,
        KeyCode::Down => Msg::Down,
        KeyCode::PageUp => Msg::PageUp,
        KeyCode::PageDown => Msg::PageDown,
        KeyCode::Home => Msg::Home,
        KeyCode::End => Msg::End,
        KeyCode::Enter => Msg::Inspect,
        KeyCode::Char('?') => Msg::Help,
        KeyCode::Esc => Msg::Close,
        KeyCode::Char('k') => Msg::Kill,
        KeyCode::Char('r') => Msg::Restart,
        KeyCode::Char('s') => Msg::Stop,
        KeyCode::Char('x') => Msg::Cut,
        KeyCode::Char('h') => Msg::Heal,
        KeyCode::Char('a') => Msg::AddConsumer,
        KeyCode::Char('w') => Msg::Save,
        KeyCode::Char('v') => Msg::ToggleDetail,
        KeyCode::Char('z') => Msg::Zoom,
        _ => return None,
    })
}

pub fn mouse(event: MouseEvent) -> Option<Msg> {
    match event.kind {
        MouseEventKind::ScrollUp => Some(Msg::Scroll(-1)),
        MouseEventKind::ScrollDown => Some(Msg::Scroll(1)),
        MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click { column: event.column, row: event.row }),
        _ => None,
    }
}

//! Keys and mouse to messages: one pure function each, the whole keymap in
//! one place (the help overlay lists the same table).
//!
//! The keymap reads a [`Key`], which both front ends make from their own key
//! events: the terminal from crossterm's (here, with the `native` feature),
//! the browser player from the page's. So the page's keys are the terminal's.

#[cfg(feature = "native")]
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

/// A key press as the keymap sees it, whichever front end read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// A terminal key event (press or repeat; releases are ignored) to a message.
#[cfg(feature = "native")]
pub fn key(event: KeyEvent, overlay: &Overlay) -> Option<Msg> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let key = match event.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    };
    press(key, event.modifiers.contains(KeyModifiers::CONTROL), overlay)
}

/// The keymap: a key, with Ctrl held or not, to what it does.
pub fn press(key: Key, control: bool, overlay: &Overlay) -> Option<Msg> {
    if control && key == Key::Char('c') {
        return Some(Msg::Quit);
    }
    if let Overlay::GoTo(_) = overlay {
        return match key {
            Key::Enter => Some(Msg::Submit),
            Key::Esc => Some(Msg::Close),
            Key::Backspace => Some(Msg::Erase),
            Key::Char(c) => Some(Msg::Input(c)),
            _ => None,
        };
    }
    // A question takes typed text; the arrows still move (skipping it).
    if let Overlay::Ask { .. } = overlay {
        match key {
            Key::Enter => return Some(Msg::Submit),
            Key::Esc => return Some(Msg::Close),
            Key::Backspace => return Some(Msg::Erase),
            Key::Char(c) => return Some(Msg::Input(c)),
            _ => {}
        }
    }
    Some(match key {
        Key::Char('q') => Msg::Quit,
        Key::Char(' ') => Msg::TogglePlay,
        Key::Right => Msg::Forward,
        Key::Left => Msg::Back,
        Key::Char(']') | Key::Char('+') => Msg::Faster,
        Key::Char('[') | Key::Char('-') => Msg::Slower,
        Key::Char('n') => Msg::NextMarker,
        Key::Char('p') => Msg::PrevMarker,
        Key::Char('g') => Msg::GoToPrompt,
        Key::Tab => Msg::FocusNext,
        Key::BackTab => Msg::FocusPrev,
        Key::Up => Msg::Up,
        Key::Down => Msg::Down,
        Key::PageUp => Msg::PageUp,
        Key::PageDown => Msg::PageDown,
        Key::Home => Msg::Home,
        Key::End => Msg::End,
        Key::Enter => Msg::Inspect,
        Key::Char('?') => Msg::Help,
        Key::Esc => Msg::Close,
        Key::Char('k') => Msg::Kill,
        Key::Char('r') => Msg::Restart,
        Key::Char('s') => Msg::Stop,
        Key::Char('x') => Msg::Cut,
        Key::Char('h') => Msg::Heal,
        Key::Char('a') => Msg::AddConsumer,
        Key::Char('w') => Msg::Save,
        Key::Char('v') => Msg::ToggleDetail,
        Key::Char('z') => Msg::Zoom,
        _ => return None,
    })
}

#[cfg(feature = "native")]
pub fn mouse(event: MouseEvent) -> Option<Msg> {
    match event.kind {
        MouseEventKind::ScrollUp => Some(Msg::Scroll(-1)),
        MouseEventKind::ScrollDown => Some(Msg::Scroll(1)),
        MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click { column: event.column, row: event.row }),
        _ => None,
    }
}

//! The scenario picker `kafkasim` opens with no arguments: the built-in
//! scenarios with their lesson and one-line description.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::theme::Theme;
use super::view::{fit, window};
use crate::scenario::{builtin, lessons, load_str};

pub struct Entry {
    pub name: String,
    /// The book chapter it belongs to.
    pub lesson: String,
    pub description: String,
}

pub struct Picker {
    pub entries: Vec<Entry>,
    pub selected: usize,
    pub theme: Theme,
}

/// What a key does in the picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerMsg {
    Up,
    Down,
    Open,
    Quit,
}

impl Picker {
    pub fn new(theme: Theme) -> Self {
        let mut entries = builtin::BUILTIN
            .iter()
            .filter_map(|(name, text)| {
                let s = load_str(name, text).ok()?;
                let position = lessons::book_position(name, s.lesson.as_deref());
                let lesson = s.lesson.as_deref().map_or_else(|| "not in the book".to_string(), lessons::chapter_label);
                Some((
                    position,
                    Entry { name: name.to_string(), lesson, description: s.description.unwrap_or_default() },
                ))
            })
            .collect::<Vec<_>>();
        // In the book's order, as `kafkasim list`: the first lesson is selected.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let entries = entries.into_iter().map(|(_, e)| e).collect();
        Picker { entries, selected: 0, theme }
    }

    /// Returns the scenario to open, if the message opens one.
    pub fn update(&mut self, msg: PickerMsg) -> Option<&str> {
        let last = self.entries.len().saturating_sub(1);
        match msg {
            PickerMsg::Up => self.selected = self.selected.saturating_sub(1),
            PickerMsg::Down => self.selected = (self.selected + 1).min(last),
            PickerMsg::Open => return self.entries.get(self.selected).map(|e| e.name.as_str()),
            PickerMsg::Quit => {}
        }
        None
    }

    pub fn draw(&self, frame: &mut Frame) {
        let t = self.theme;
        let [list, about, footer] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(5), Constraint::Length(1)]).areas(frame.area());
        let width = list.width.saturating_sub(2) as usize;
        let height = list.height.saturating_sub(2) as usize;
        let name_width = self.entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
        let lesson_width = self.entries.iter().map(|e| e.lesson.len()).max().unwrap_or(0);
        let lines: Vec<Line> = window(self.entries.len(), self.selected, height)
            .map(|i| {
                let e = &self.entries[i];
                let style = if i == self.selected { t.selected() } else { t.plain() };
                let text = format!("{:<name_width$}  {:<lesson_width$}  {}", e.name, e.lesson, e.description);
                Line::styled(fit(&text, width), style)
            })
            .collect();
        let block = |title: &str| {
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(t.border())
                .title(Line::styled(title.to_string(), t.title()))
        };
        frame.render_widget(
            Paragraph::new(lines).block(block(" kafkasim · pick a lesson (the number is the book's chapter) ")),
            list,
        );
        if let Some(e) = self.entries.get(self.selected) {
            let text = vec![
                Line::from(vec![
                    Span::styled(e.name.clone(), t.bold()),
                    Span::styled(format!("  ({})", e.lesson), t.dim()),
                ]),
                Line::raw(e.description.clone()),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block(" about ")), about);
        }
        frame.render_widget(Paragraph::new(Line::styled(" ↑/↓ choose · Enter open · q quit", t.dim())), footer);
    }
}

//! The event list: the run's narration, with the current event marked and
//! the future dimmed. The latest `say` line — the lesson's voice — stays
//! at the top of the pane, so the student always knows what to look at.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::tui::timeline::{Shown, ShownKind};
use crate::tui::view::fit;
use crate::tui::view::pane_block;

/// How loudly an event speaks. The narration carries its own marks
/// (`»` a lesson line, `!` a problem, `✓`/`✗` an expectation).
fn kind_style(theme: Theme, kind: ShownKind) -> Style {
    match kind {
        ShownKind::Say => theme.say(),
        ShownKind::Action => theme.bold(),
        ShownKind::ExpectationPassed => theme.good(),
        ShownKind::ExpectationFailed => theme.bad(),
        ShownKind::Problem => theme.warn(),
        ShownKind::Story => theme.plain(),
        ShownKind::Detail => theme.dim(),
    }
}

/// The lines of one event: the time and a mark on the first line.
fn event_lines(theme: Theme, event: &Shown, current: bool, future: bool, width: usize) -> Vec<Line<'static>> {
    let mut style = kind_style(theme, event.kind);
    if future {
        style = theme.dim();
    }
    let pointer = if current { "▶" } else { " " };
    let mut out = Vec::new();
    for (i, text) in event.lines.iter().enumerate() {
        let prefix = if i == 0 { format!("{pointer}{:>11} ", event.time.to_string()) } else { " ".repeat(13) };
        let body = fit(text, width.saturating_sub(prefix.chars().count()));
        let prefix_style = if current { theme.selected() } else { theme.dim() };
        out.push(Line::from(vec![Span::styled(prefix, prefix_style), Span::styled(body, style)]));
    }
    out
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let width = area.width.saturating_sub(2) as usize;
    let mut height = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Which event each line shows, for mouse clicks.
    let mut rows: Vec<Option<usize>> = Vec::new();
    if let Some(say) = app.timeline.lesson_voice() {
        // The lesson's point, whole where it fits in three lines.
        let wrapped: Vec<String> = say.lines.iter().flat_map(|l| wrap(l, width)).collect();
        let shown = wrapped.len().min(3);
        for (i, text) in wrapped.iter().take(shown).enumerate() {
            let text =
                if i + 1 == shown && wrapped.len() > shown { fit(&format!("{text} …"), width) } else { text.clone() };
            lines.push(Line::styled(text, t.say()));
        }
        lines.push(Line::styled("─".repeat(width), t.border()));
    }
    if let Some(question) = app.question_shown() {
        let style = match question.held {
            Some(true) => t.good(),
            Some(false) => t.bad(),
            None => t.say(),
        };
        lines.extend(question.lines.iter().flat_map(|l| wrap(l, width)).map(|l| Line::styled(l, style)));
        lines.push(Line::styled("─".repeat(width), t.border()));
    }
    height = height.saturating_sub(lines.len());
    rows.resize(lines.len(), None);
    let events = app.timeline.events();
    let current = app.timeline.current_event();
    let anchor = app.event_scroll.or(current);
    if let Some(anchor) = anchor {
        let is_current = |i: usize| Some(i) == current;
        let future = |i: usize| current.is_none_or(|c| i > c);
        let render = |i: usize| event_lines(t, &events[i], is_current(i), future(i), width);
        // Up to two thirds of the pane for what led here, the rest for what comes.
        let mut before: Vec<(usize, Vec<Line>)> = Vec::new();
        let mut used = 0;
        for i in (0..=anchor).rev() {
            let block = render(i);
            if used + block.len() > (height * 2 / 3).max(1) && !before.is_empty() {
                break;
            }
            used += block.len();
            before.push((i, block));
        }
        for (i, block) in before.into_iter().rev() {
            rows.extend(std::iter::repeat_n(Some(i), block.len()));
            lines.extend(block);
        }
        for i in anchor + 1..events.len() {
            if used >= height {
                break;
            }
            let block = render(i);
            used += block.len();
            rows.extend(std::iter::repeat_n(Some(i), block.len()));
            lines.extend(block);
        }
    } else if let Some(first) = events.first() {
        lines.push(Line::styled("  (before the first event: press → to step, space to play)", t.dim()));
        lines.extend(event_lines(t, first, false, true, width));
    }
    let total = app.timeline.events_total();
    let position = anchor.map_or(0, |a| a + 1);
    let follow = if app.event_scroll.is_some() { " · scrolled (Esc follows again)" } else { "" };
    let detail =
        if app.timeline.detail() { "with protocol detail (v hides)" } else { "the story (v adds protocol detail)" };
    let title = fit(&format!("Events · {position}/{total} · {detail}{follow}"), width);
    frame.render_widget(Paragraph::new(lines).block(pane_block(app, Some(Pane::Events), title)), area);
    // The first line is inside the border.
    let top = area.y + 1;
    *app.event_rows.borrow_mut() = EventRows { top, left: area.x, width: area.width, rows };
}

/// `text` in lines of at most `width` characters, broken between words.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let needed =
            if current.is_empty() { word.chars().count() } else { current.chars().count() + 1 + word.chars().count() };
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines.into_iter().map(|l| fit(&l, width)).collect()
}

/// Where the event list was drawn and which event each of its lines shows,
/// so a mouse click can be turned into an event.
#[derive(Clone, Debug, Default)]
pub struct EventRows {
    pub top: u16,
    pub left: u16,
    pub width: u16,
    pub rows: Vec<Option<usize>>,
}

impl EventRows {
    /// The event shown at screen cell (`column`, `row`), if any.
    pub fn event_at(&self, column: u16, row: u16) -> Option<usize> {
        if column < self.left || column >= self.left + self.width || row < self.top {
            return None;
        }
        self.rows.get(usize::from(row - self.top)).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lessons_voice_wraps_between_words() {
        assert_eq!(super::wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(super::wrap("abcdefghijk", 5), ["abcd…"]);
    }
}

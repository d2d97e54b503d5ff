//! The screen: a header, the panes, and a footer; overlays on top. Drawing
//! only reads the model (and the per-step values derived from it), and only
//! what is visible.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::app::{App, Pane};
use super::layout::{self, Slot};
use super::overlay;
use super::panes;
use super::theme::Theme;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(app: &mut App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "kafkasim needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}.\nMake it bigger, or press q to quit.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    app.refresh_derived();
    let app = &*app;
    let (header, slots, footer) = layout::arrange(app, area);
    panes::header::render(app, frame, header);
    for (slot, rect) in slots {
        match slot {
            Slot::Pane(Pane::Cluster) => panes::cluster::render(app, frame, rect),
            Slot::Pane(Pane::Logs) => panes::logs::render(app, frame, rect),
            Slot::Pane(Pane::Groups) => panes::groups::render(app, frame, rect),
            Slot::Pane(Pane::Producers) => panes::producers::render(app, frame, rect),
            Slot::Pane(Pane::Events) => panes::events::render(app, frame, rect),
            Slot::Checks => panes::checks::render(app, frame, rect),
        }
    }
    panes::footer::render(app, frame, footer);
    overlay::render(app, frame, area);
}

/// A pane's frame: its title, highlighted when it has the focus.
pub fn pane_block<'a>(app: &App, pane: Option<Pane>, title: impl Into<Line<'a>>) -> Block<'a> {
    let focused = pane.is_some_and(|p| p == app.focus);
    let theme = app.theme;
    let (style, border_type) =
        if focused { (theme.focused_border(), BorderType::Thick) } else { (theme.border(), BorderType::Rounded) };
    let title: Line<'a> = title.into();
    Block::default().borders(Borders::ALL).border_type(border_type).border_style(style).title(title.style(if focused {
        theme.focused_border()
    } else {
        theme.title()
    }))
}

/// `text` cut to `width` characters, with `…` when cut: after a whole word
/// when one ends in the last third of the room, so a line does not stop in
/// the middle of `leader` or `ISR`.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: Vec<char> = text.chars().take(width.saturating_sub(1)).collect();
    let next = text.chars().nth(kept.len());
    let at_word_end = next.is_none_or(char::is_whitespace);
    let cut = if at_word_end {
        kept.len()
    } else {
        kept.iter().rposition(|c| c.is_whitespace()).filter(|&space| space >= kept.len() * 2 / 3).unwrap_or(kept.len())
    };
    let mut out: String = kept[..cut].iter().collect::<String>().trim_end().to_string();
    out.push('…');
    out
}

/// Spans cut to `width` characters: the first spans whole, the one that
/// crosses the edge cut with `…`, the rest dropped.
pub fn fit_line(spans: Vec<Span<'static>>, width: usize) -> Line<'static> {
    let mut left = width;
    let mut out = Vec::new();
    for span in spans {
        if left == 0 {
            break;
        }
        let n = span.content.chars().count();
        if n <= left {
            left -= n;
            out.push(span);
        } else {
            out.push(Span::styled(fit(&span.content, left), span.style));
            left = 0;
        }
    }
    Line::from(out)
}

/// A line of spans in one style.
pub fn line<'a>(text: impl Into<String>, style: Style) -> Line<'a> {
    Line::from(Span::styled(text.into(), style))
}

/// Rows `[first, first + height)` of `len`, keeping `selected` in view.
pub fn window(len: usize, selected: usize, height: usize) -> std::ops::Range<usize> {
    if len <= height {
        return 0..len;
    }
    let first = selected.saturating_sub(height / 2).min(len - height);
    first..first + height
}

/// A sparkline of `values` scaled to their maximum, `width` cells wide.
pub fn sparkline(values: &[i64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let values = &values[values.len().saturating_sub(width)..];
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values.iter().map(|&v| BARS[((v.max(0) * 7 + max / 2) / max).clamp(0, 7) as usize]).collect()
}

/// Centred rectangle of at most `width`×`height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

pub fn theme_of(app: &App) -> Theme {
    app.theme
}

/// The screen as text, drawn on an off-screen terminal of `width`×`height`
/// (for tests, and for showing a screen in documentation).
pub fn screen_text(app: &mut App, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).expect("an off-screen terminal");
    terminal.draw(|frame| draw(app, frame)).expect("drawing off screen");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut row = String::new();
        for x in 0..buffer.area.width {
            row.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_fit_window_and_scale() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("demo-0 follower in ISR · LEO 12", 20), "demo-0 follower in…");
        assert_eq!(fit("demo-0 follower", 10), "demo-0…");
        assert_eq!(window(100, 50, 10), 45..55);
        assert_eq!(window(100, 99, 10), 90..100);
        assert_eq!(window(5, 3, 10), 0..5);
        assert_eq!(sparkline(&[0, 7, 14], 3), "▁▅█");
        assert_eq!(sparkline(&[3, 3], 5), "██");
    }
}

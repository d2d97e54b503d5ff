//! The top line: scenario, virtual time, event number, play state and speed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;

/// `2×`, `0.25×`, `1h/s` for large speeds.
pub fn speed_text(speed: f64) -> String {
    if speed >= 3600.0 {
        format!("{}h/s", speed / 3600.0)
    } else if speed >= 60.0 {
        format!("{}m/s", speed / 60.0)
    } else {
        format!("{speed}×")
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let world = app.world();
    let state = if app.playing { "▶ playing" } else { "⏸ paused" };
    let end = if app.timeline.step() >= app.timeline.total_steps { " · end" } else { "" };
    let line = Line::from(vec![
        Span::styled(" kafkasim ", t.title()),
        Span::styled(world.scenario.name.clone(), t.bold()),
        Span::raw("  │ "),
        Span::styled(format!("t={}", world.now), t.bold()),
        Span::styled(format!(" of {}", app.timeline.end_time), t.dim()),
        Span::raw("  │ "),
        Span::raw(format!("event {}/{}{end}", app.timeline.step(), app.timeline.total_steps)),
        Span::raw("  │ "),
        Span::styled(state, if app.playing { t.good() } else { t.plain() }),
        Span::raw(format!(" · speed {}", speed_text(app.speed()))),
        Span::styled("  │ ? help", t.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

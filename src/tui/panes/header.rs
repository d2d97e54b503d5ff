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
    let simulating = app.timeline.simulating();
    let end = if simulating {
        " · simulating…"
    } else if app.timeline.step() >= app.timeline.total_steps {
        " · end"
    } else {
        ""
    };
    // While the rest of the run is being simulated, its length is the scenario's.
    let run_end = if simulating { world.scenario.run_for } else { app.timeline.end_time };
    let line = Line::from(vec![
        Span::styled(" kafkasim ", t.title()),
        Span::styled(world.scenario.name.clone(), t.bold()),
        Span::raw("  │ "),
        Span::styled(format!("t={}", world.now), t.bold()),
        Span::styled(format!(" of {run_end}"), t.dim()),
        Span::raw("  │ "),
        Span::raw(format!("event {}/{}{end}", app.timeline.step(), app.timeline.total_steps)),
        Span::raw("  │ "),
        Span::styled(state, if app.playing { t.good() } else { t.plain() }),
        Span::raw(format!(" · speed {}", speed_text(app.speed()))),
        Span::styled("  │ ? help", t.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

//! The top line: the virtual time, play state and speed, and how to get
//! help always; the event number and the scenario's name as room allows
//! (the name is shortened first).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::view::fit;

/// How much virtual time passes per wall-clock second: `5 s per second`,
/// `5 min per second`, `4 h per second`.
pub fn speed_text(speed: f64) -> String {
    if speed >= 3600.0 {
        format!("{} h per second", speed / 3600.0)
    } else if speed >= 60.0 {
        format!("{} min per second", speed / 60.0)
    } else {
        format!("{speed} s per second")
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
    // The same numbers as the Events pane's title.
    let events = app.timeline.events_total();
    let position = app.timeline.current_event().map_or(0, |i| i + 1);
    let width = area.width as usize;
    let used = |spans: &[Span]| spans.iter().map(|s| s.content.chars().count()).sum::<usize>();
    // The clock, play state, speed and help always; on a narrow screen the
    // run's length and wide separators give way first.
    let essential = |long: bool| {
        let sep = if long { "  │ " } else { " │ " };
        let of = if long { format!(" of {run_end}{end}") } else { end.to_string() };
        vec![
            Span::raw(sep),
            Span::styled(format!("t={}", app.timeline.clock()), t.bold()),
            Span::styled(of, t.dim()),
            Span::raw(sep),
            Span::styled(state, if app.playing { t.good() } else { t.plain() }),
            Span::raw(format!(" · {}", speed_text(app.speed()))),
            Span::styled(format!("{sep}? help"), t.dim()),
        ]
    };
    let essential = if used(&essential(true)) + 12 <= width { essential(true) } else { essential(false) };
    let counter = vec![Span::raw("  │ "), Span::raw(format!("event {position}/{events}"))];
    let mut right = essential.clone();
    // The event number goes in before the clock when there is room for it
    // and a few letters of the name.
    if used(&essential) + used(&counter) + 12 <= width {
        right.splice(3..3, counter);
    }
    let room = width.saturating_sub(used(&right) + 1);
    let name = if room >= world.scenario.name.chars().count() + 10 {
        vec![Span::styled(" kafkasim ", t.title()), Span::styled(world.scenario.name.clone(), t.bold())]
    } else {
        vec![Span::raw(" "), Span::styled(fit(&world.scenario.name, room), t.bold())]
    };
    let mut spans = name;
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_read_as_virtual_time_per_second() {
        assert_eq!(speed_text(5.0), "5 s per second");
        assert_eq!(speed_text(0.25), "0.25 s per second");
        assert_eq!(speed_text(300.0), "5 min per second");
        assert_eq!(speed_text(14_400.0), "4 h per second");
    }
}

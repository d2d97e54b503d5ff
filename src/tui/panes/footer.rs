//! The bottom line: a status message, or the keys that matter most.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::view::line;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let text = match &app.status {
        Some(status) => line(format!(" {status}"), t.warn()),
        None if area.width >= 120 => line(
            " space play · →/← step · n/p lesson points · g go to · Tab panes · z zoom · Enter inspect · k/r/x sandbox · ? help",
            t.dim(),
        ),
        None => line(" space play · →/← step · n/p lesson point · g go to time · Tab/z panes · ? help", t.dim()),
    };
    frame.render_widget(Paragraph::new(text), area);
}

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
        None => line(
            " space play · →/← step · n/p lesson points · Tab panes · Enter inspect · k/r/x sandbox · w save · ? help · q quit",
            t.dim(),
        ),
    };
    frame.render_widget(Paragraph::new(text), area);
}

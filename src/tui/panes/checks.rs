//! Checks: at this step, which of the scenario's expectations hold and
//! which fail, and whether Kafka's invariants still hold — so a student sees
//! the moment a guarantee breaks, not only the verdict at the end.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::derived::Verdict;
use crate::tui::view::{fit, pane_block};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let derived = app.derived();
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match &app.timeline.failure {
        Some((step, why)) if app.timeline.step() >= *step => {
            lines.push(Line::styled(fit(&format!("✗ invariant broken at event {step}"), width), t.bad()));
            lines.push(Line::styled(why.clone(), t.bad()));
        }
        _ => lines.push(Line::styled("✓ Kafka's invariants hold", t.good())),
    }
    for e in &derived.expectations {
        let (mark, style, note) = match &e.verdict {
            Verdict::Held => ("✓", t.good(), String::new()),
            Verdict::Failed => ("✗", t.bad(), format!(" (found {})", e.found)),
            Verdict::Pending { holds_now: true } => ("…", t.dim(), format!(" ({} now; checked at {})", e.found, e.at)),
            Verdict::Pending { holds_now: false } => {
                ("…", t.warn(), format!(" ({} now; checked at {})", e.found, e.at))
            }
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(e.description.clone(), style),
            Span::styled(note, t.dim()),
        ]));
    }
    if derived.expectations.is_empty() {
        lines.push(Line::styled("no expectations in this scenario", t.dim()));
    }
    let held = derived.count(|v| *v == Verdict::Held);
    let failed = derived.count(|v| *v == Verdict::Failed);
    let pending = derived.expectations.len() - held - failed;
    let title = fit(&format!("Checks · ✓{held} ✗{failed} …{pending}"), width);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(pane_block(app, None, title)), area);
}

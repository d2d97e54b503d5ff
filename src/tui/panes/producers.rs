//! Producers: their settings that matter for durability (acks, idempotence),
//! what is buffered and in flight, and what came of the sends so far.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::client::producer::{Producer, ProducerPhase};
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::tui::view::{fit, pane_block, window};

fn state(theme: Theme, producer: &Producer) -> (char, &'static str, ratatui::style::Style) {
    match producer.phase {
        ProducerPhase::NotStarted => ('○', "not started", theme.dim()),
        ProducerPhase::Running => ('●', "running", theme.good()),
        ProducerPhase::Closing => ('◐', "closing: flushing", theme.plain()),
        ProducerPhase::Closed => ('–', "closed", theme.dim()),
        ProducerPhase::Crashed => ('✗', "crashed", theme.bad()),
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let world = app.world();
    let derived = app.derived();
    let width = area.width.saturating_sub(2) as usize;
    let selected = app.selected[Pane::Producers as usize];
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    for (i, producer) in world.producers.iter().enumerate() {
        let (symbol, words, style) = state(t, producer);
        let name_style = if i == selected && app.focus == Pane::Producers { t.selected() } else { t.bold() };
        if i == selected {
            selected_line = lines.len();
        }
        let idempotent = if producer.idempotent { "idempotent" } else { "not idempotent" };
        lines.push(Line::from(vec![
            Span::styled(format!("{symbol} "), style),
            Span::styled(producer.name.clone(), name_style),
            Span::styled(format!(" {words}"), style),
            Span::styled(fit(&format!(" → {}", producer.topic_name), width.saturating_sub(20)), t.dim()),
        ]));
        lines.push(Line::styled(
            fit(&format!("  acks={} · {idempotent}", producer.config.acks.as_config()), width),
            if producer.config.acks == crate::protocol::Acks::All { t.plain() } else { t.warn() },
        ));
        lines.push(Line::styled(
            fit(&format!("  sent {} · acked {}", producer.sent, producer.acknowledged), width),
            t.plain(),
        ));
        if producer.failed > 0 {
            lines.push(Line::styled(fit(&format!("  ✗ {} failed", producer.failed), width), t.bad()));
        }
        let buffered = producer.accumulator.pending_records();
        let in_flight = producer.in_flight_requests();
        lines.push(Line::styled(
            fit(&format!("  buffered {buffered} · in flight {in_flight}"), width),
            if in_flight > 0 { t.plain() } else { t.dim() },
        ));
        if let Some(row) = derived.producers.get(i) {
            let mut problems = Vec::new();
            if row.lost > 0 {
                problems.push(format!("✗ {} acked then lost", row.lost));
            }
            if row.duplicated > 0 {
                problems.push(format!("✗ {} duplicated", row.duplicated));
            }
            if row.reordered > 0 {
                problems.push(format!("✗ {} out of order", row.reordered));
            }
            if !problems.is_empty() {
                lines.push(Line::styled(fit(&format!("  {}", problems.join(" · ")), width), t.bad()));
            }
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no producers in this scenario", t.dim()));
    }
    let height = area.height.saturating_sub(2) as usize;
    let visible: Vec<Line> = lines.drain(window(lines.len(), selected_line, height)).collect();
    frame.render_widget(Paragraph::new(visible).block(pane_block(app, Some(Pane::Producers), "Producers")), area);
}

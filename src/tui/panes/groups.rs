//! Consumers and their groups: each group's state, generation, assignor and
//! lag (a number and its trend), then one line per member with what it owns
//! and the lag on each partition. Idle and rebalancing members stand out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::client::consumer::MemberState;
use crate::client::consumer::{AppState, Consumer, ConsumerPhase, Position};
use crate::trace::report::GroupReport;
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::tui::view::{fit, fit_line, pane_block, sparkline, window};
use crate::world::World;

/// Width of the lag sparkline.
const TREND: usize = 16;

/// A consumer's state: a symbol, words and how loudly to say them.
pub fn consumer_state(theme: Theme, consumer: &Consumer) -> (char, String, Style) {
    match consumer.phase {
        ConsumerPhase::NotStarted => ('○', "not started".into(), theme.dim()),
        ConsumerPhase::Stopped => ('–', "stopped".into(), theme.dim()),
        ConsumerPhase::Crashed => ('✗', "crashed".into(), theme.bad()),
        ConsumerPhase::Failed => ('✗', "failed: poll() threw".into(), theme.bad()),
        ConsumerPhase::Running => {
            if let Some(m) = &consumer.membership
                && m.state != MemberState::Stable
            {
                let what = match m.state {
                    MemberState::Unjoined => "looking for its group",
                    MemberState::Joining => "rebalancing: joining",
                    _ => "rebalancing: syncing",
                };
                return ('◐', what.into(), theme.warn());
            }
            match consumer.app {
                AppState::Polling => ('●', "polling".into(), theme.good()),
                AppState::Processing(_) => ('●', "processing".into(), theme.good()),
                AppState::Committing => ('●', "committing".into(), theme.plain()),
                AppState::Stuck => ('◌', "stuck outside poll()".into(), theme.warn()),
            }
        }
    }
}

/// Two lines: the group's state, then its lag with the trend.
fn group_heading(theme: Theme, report: &GroupReport, trend: &str) -> [Line<'static>; 2] {
    let lag: i64 = report.rows.iter().filter_map(|r| r.lag).sum();
    let state_style = if report.state == "Stable" || report.state == "Empty" { theme.good() } else { theme.warn() };
    let coordinator = report.coordinator.map_or("coordinator offline".to_string(), |b| format!("coordinator {b}"));
    [
        Line::from(vec![
            Span::styled(format!("group {} ", report.group), theme.bold()),
            Span::styled(report.state.clone(), state_style),
            Span::styled(
                format!(" · gen {} · {}", report.generation, report.protocol.as_deref().unwrap_or("-")),
                theme.plain(),
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("  lag {lag:<5} "), if lag > 0 { theme.warn() } else { theme.plain() }),
            Span::styled(trend.to_string(), theme.warn()),
            Span::styled(format!(" · {coordinator}"), theme.dim()),
        ]),
    ]
}

fn member_line(app: &App, world: &World, index: usize, report: Option<&GroupReport>, width: usize) -> Line<'static> {
    let t = app.theme;
    let consumer = &world.consumers[index];
    let (symbol, state, style) = consumer_state(t, consumer);
    let name_style =
        if app.selected[Pane::Groups as usize] == index && app.focus == Pane::Groups { t.selected() } else { t.bold() };
    let mut spans = vec![Span::styled(format!("  {symbol} "), style), Span::styled(consumer.name.clone(), name_style)];
    spans.push(Span::styled(format!(" {state}"), style));
    if consumer.phase == ConsumerPhase::Running {
        if consumer.assignment.is_empty() {
            let idle_style = if consumer.group_id.is_some() { t.warn() } else { t.plain() };
            spans.push(Span::styled(" · idle: no partition", idle_style));
        }
        for &tp in &consumer.assignment {
            let name = world.names.partition(tp);
            let lag = match report {
                // In a group: lag from the committed offset, as kafka-consumer-groups shows it.
                Some(r) => r
                    .rows
                    .iter()
                    .find(|row| {
                        row.partition == Some(tp.partition) && row.topic.as_deref() == Some(world.names.topic(tp.topic))
                    })
                    .and_then(|row| row.lag),
                // Alone: lag from its position, as its own metrics show it.
                None => match consumer.positions.get(&tp) {
                    Some(Position::At(at)) => world.readable_end(tp).map(|end| (end - at).max(0)),
                    _ => None,
                },
            };
            let lag_style = if lag.unwrap_or(0) > 0 { t.warn() } else { t.plain() };
            spans.push(Span::styled(format!(" · {name} lag {}", lag.map_or("-".into(), |l| l.to_string())), lag_style));
        }
        spans.push(Span::styled(format!(" · read {}", consumer.delivered), t.dim()));
    }
    fit_line(spans, width)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let world = app.world();
    let derived = app.derived();
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    let selected = app.selected[Pane::Groups as usize];
    for report in &derived.groups {
        let lags: Vec<i64> = app
            .timeline
            .lag_samples
            .iter()
            .take_while(|s| s.time <= world.now)
            .map(|s| s.lag.get(&report.group).copied().unwrap_or(0))
            .collect();
        lines.extend(group_heading(t, report, &sparkline(&lags, TREND)));
        for (i, c) in world.consumers.iter().enumerate() {
            if c.group_id.as_deref() == Some(report.group.as_str()) {
                if i == selected {
                    selected_line = lines.len();
                }
                lines.push(member_line(app, world, i, Some(report), width));
            }
        }
    }
    let grouped = |c: &Consumer| c.group_id.as_ref().is_some_and(|g| derived.groups.iter().any(|r| &r.group == g));
    if world.consumers.iter().any(|c| !grouped(c)) {
        lines.push(Line::styled("not in a group (yet)", t.dim()));
        for (i, c) in world.consumers.iter().enumerate() {
            if !grouped(c) {
                if i == selected {
                    selected_line = lines.len();
                }
                lines.push(member_line(app, world, i, None, width));
            }
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled("no consumers in this scenario", t.dim()));
    }
    let height = area.height.saturating_sub(2) as usize;
    let visible: Vec<Line> = lines.drain(window(lines.len(), selected_line, height)).collect();
    let title = format!("Consumers · {} group(s)", derived.groups.len());
    frame.render_widget(Paragraph::new(visible).block(pane_block(app, Some(Pane::Groups), fit(&title, width))), area);
}

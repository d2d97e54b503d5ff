//! The cluster: controllers, then each broker with the replicas it hosts.
//! Problems come first and stand out: offline and under-replicated
//! partitions, replicas out of the ISR, leaders that are not the preferred
//! replica. Healthy replicas are one quiet line each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ids::TopicPartition;
use crate::tui::app::{App, Pane};
use crate::tui::view::{fit, line, pane_block, window};
use crate::world::World;

/// Partitions worth a line: the scenario's topics, the offsets partitions
/// that hold its groups, and the transaction state partitions that hold its
/// transactional ids.
pub fn shown_partitions(world: &World) -> Vec<TopicPartition> {
    let offsets = world.offsets_topic();
    let transaction_state = world.scenario.transaction_state_topic();
    let transactional = world.transaction_state_partitions();
    world
        .cluster_metadata()
        .partitions()
        .map(|(tp, _)| tp)
        .filter(|tp| Some(tp.topic) != offsets || world.names.group_partitions.contains(&tp.partition))
        .filter(|tp| Some(tp.topic) != transaction_state || transactional.contains(tp))
        .collect()
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let world = app.world();
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let partitions = shown_partitions(world);
    let image = world.cluster_metadata();
    // Problems first.
    for &tp in &partitions {
        let Some(state) = image.partition(tp) else { continue };
        let name = world.names.partition(tp);
        if state.leader.is_none() {
            lines.push(line(fit(&format!("✗ {name} offline: no leader"), width), t.bad()));
        } else if state.isr.len() < state.replicas.len() {
            let missing: Vec<String> =
                state.replicas.iter().filter(|r| !state.isr.contains(r)).map(|b| b.0.to_string()).collect();
            lines.push(line(
                fit(&format!("⚠ {name} under-replicated: ISR lacks {}", missing.join(",")), width),
                t.warn(),
            ));
        }
    }
    let active = world.controller.active;
    let controllers: Vec<Span> = world
        .controller_nodes
        .iter()
        .map(|&c| {
            let alive = world.hosts.get(&crate::ids::Host::Controller(c)).is_some_and(|h| h.alive);
            let (text, style) = match (alive, active == Some(c)) {
                (false, _) => (format!(" ✗{c}"), t.bad()),
                (true, true) => (format!(" ●{c} active"), t.good()),
                (true, false) => (format!(" ○{c}"), t.plain()),
            };
            Span::styled(text, style)
        })
        .collect();
    let mut header = vec![Span::styled("controllers", t.dim())];
    header.extend(controllers);
    if active.is_none() {
        header.push(Span::styled("  no quorum!", t.bad()));
    }
    lines.push(Line::from(header));
    if let Some(registry) = super::registry::status_line(world, t, width) {
        lines.push(registry);
    }
    let selected = app.selected[Pane::Cluster as usize];
    let name_width = partitions.iter().map(|&tp| world.names.partition(tp).len()).max().unwrap_or(0);
    let mut selected_line = 0;
    for (i, broker) in world.brokers.iter().enumerate() {
        let fenced = image.brokers.get(&broker.id).is_none_or(|r| r.fenced);
        let (mark, status, style) = match (broker.alive, broker.ready, fenced) {
            (false, _, _) => ("✗", "dead", t.bad()),
            (true, false, _) => ("◌", "starting: catching up with the metadata", t.warn()),
            (true, true, true) => ("◐", "fenced by the controller", t.warn()),
            (true, true, false) => ("●", "alive", t.good()),
        };
        if i == selected {
            selected_line = lines.len();
        }
        let name_style = if i == selected && app.focus == Pane::Cluster { t.selected() } else { t.bold() };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} broker {}", broker.id), name_style),
            Span::styled(format!("  {status}"), style),
        ]));
        for &tp in &partitions {
            let Some(state) = image.partition(tp) else { continue };
            if !state.replicas.contains(&broker.id) {
                continue;
            }
            let end = broker.partitions.get(&tp).map_or(-1, |p| p.log.log_end_offset());
            let name = world.names.partition(tp);
            let (role, style) = if state.leader == Some(broker.id) {
                if state.preferred_leader() == Some(broker.id) {
                    (format!("★ leader e{}", state.leader_epoch), t.good())
                } else {
                    (format!("★ leader e{} ≠ preferred", state.leader_epoch), t.warn())
                }
            } else if state.isr.contains(&broker.id) {
                ("follower in ISR".to_string(), t.plain())
            } else {
                ("follower ✗ OUT of ISR".to_string(), t.bad())
            };
            let text = fit(&format!("  {name:<name_width$} {role} · LEO {end}"), width);
            lines.push(line(text, if broker.alive { style } else { t.dim() }));
        }
    }
    let height = area.height.saturating_sub(2) as usize;
    let range = window(lines.len(), selected_line, height);
    let visible: Vec<Line> = lines.drain(range).collect();
    let title = format!("Cluster · {} broker(s)", world.brokers.len());
    frame.render_widget(Paragraph::new(visible).block(pane_block(app, Some(Pane::Cluster), title)), area);
}

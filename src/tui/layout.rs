//! Where the panes go. A large terminal shows every pane at once. A small
//! one (80×24 is the least) cannot, so it shows what the lesson is about:
//! the one or two panes that matter most, above the events, which always
//! stay (they carry the lesson's voice). Which panes matter a scenario can
//! say (`panes:`); otherwise they follow from what it does: broker faults
//! are about the cluster, consumer groups about the consumers, the rest
//! about the logs. The pane with the focus is always on screen, and `z`
//! zooms it to the whole screen.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{App, Pane};
use crate::scenario::{Action, HostName};
use crate::world::World;

/// Something the screen can show in a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Pane(Pane),
    /// The expectations and invariants (it takes no focus).
    Checks,
}

/// A terminal at least this large shows every pane.
pub const FULL_WIDTH: u16 = 110;
pub const FULL_HEIGHT: u16 = 34;
/// Rows the events keep on a small screen.
const EVENT_ROWS: u16 = 9;

fn slot_named(name: &str) -> Option<Slot> {
    Some(match name {
        "cluster" => Slot::Pane(Pane::Cluster),
        "logs" => Slot::Pane(Pane::Logs),
        "consumers" => Slot::Pane(Pane::Groups),
        "producers" => Slot::Pane(Pane::Producers),
        "checks" => Slot::Checks,
        _ => return None,
    })
}

/// The panes in the order they matter for this scenario.
pub fn priorities(world: &World) -> Vec<Slot> {
    let scenario = &world.scenario;
    let mut order: Vec<Slot> = scenario.panes.iter().filter_map(|n| slot_named(n)).collect();
    if order.is_empty() {
        let broker_faults = scenario.timeline.iter().any(|a| match &a.action {
            Action::Kill(_) | Action::Restart(_) | Action::Cut(_) | Action::PreferredElection => true,
            Action::Slow(host, _) => matches!(host, HostName::Broker(_) | HostName::Controller(_)),
            _ => false,
        });
        let groups = scenario.consumers.iter().any(|c| c.group.is_some());
        order = if broker_faults {
            vec![Slot::Pane(Pane::Cluster), Slot::Pane(Pane::Logs)]
        } else if groups {
            vec![Slot::Pane(Pane::Groups), Slot::Pane(Pane::Logs)]
        } else {
            vec![Slot::Pane(Pane::Logs), Slot::Pane(Pane::Producers)]
        };
    }
    let all = [Pane::Logs, Pane::Cluster, Pane::Groups, Pane::Producers].map(Slot::Pane);
    for slot in all.into_iter().chain([Slot::Checks]) {
        if !order.contains(&slot) {
            order.push(slot);
        }
    }
    order
}

/// The header, the slots and where each goes, and the footer, for a
/// screen of `screen`.
pub fn arrange(app: &App, screen: Rect) -> (Rect, Vec<(Slot, Rect)>, Rect) {
    if screen.width >= FULL_WIDTH && screen.height >= FULL_HEIGHT && !app.zoom {
        return full(screen);
    }
    let [header, area, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(screen);
    if app.zoom {
        return (header, vec![(Slot::Pane(app.focus), area)], footer);
    }
    let order = priorities(app.world());
    let focus = Slot::Pane(app.focus);
    let first = order[0];
    // The focused pane takes the second place, so Tab reaches every pane.
    let second = if focus != first && app.focus != Pane::Events { focus } else { order[1] };
    let [top, bottom, events] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Length(EVENT_ROWS.max(area.height / 3)),
    ])
    .areas(area);
    (header, vec![(first, top), (second, bottom), (Slot::Pane(Pane::Events), events)], footer)
}

/// Every pane at once: the cluster and the logs, then consumers, producers
/// and checks, then the events.
fn full(screen: Rect) -> (Rect, Vec<(Slot, Rect)>, Rect) {
    let [header, top, middle, bottom, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Percentage(36),
        Constraint::Percentage(27),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    let [cluster, logs] = Layout::horizontal([Constraint::Percentage(40), Constraint::Fill(1)]).areas(top);
    let [groups, producers, checks] =
        Layout::horizontal([Constraint::Percentage(46), Constraint::Percentage(27), Constraint::Fill(1)]).areas(middle);
    let slots = vec![
        (Slot::Pane(Pane::Cluster), cluster),
        (Slot::Pane(Pane::Logs), logs),
        (Slot::Pane(Pane::Groups), groups),
        (Slot::Pane(Pane::Producers), producers),
        (Slot::Checks, checks),
        (Slot::Pane(Pane::Events), bottom),
    ];
    (header, slots, footer)
}

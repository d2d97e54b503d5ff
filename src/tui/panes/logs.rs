//! The logs: one strip of offsets per partition. Each cell is a record,
//! coloured by its key; the marks under the strip show where the log starts,
//! the high watermark, the log end, each group's committed offset and each
//! consumer's position. Long logs are windowed around their end, where
//! things happen.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::client::consumer::{ConsumerPhase, Position};
use crate::cluster::log::PartitionLog;
use crate::ids::TopicPartition;
use crate::tui::app::{App, Pane};
use crate::tui::theme::Theme;
use crate::tui::view::{fit, fit_line, line, pane_block, window};
use crate::world::World;

/// Lines each partition takes: a heading, the strip, the marks.
const LINES_PER_PARTITION: usize = 3;
/// Width of the offset label before the strip.
const LABEL: usize = 7;

/// The partitions the logs pane shows: those of the scenario's own topics.
pub fn partitions(world: &World) -> Vec<TopicPartition> {
    let internal = [world.offsets_topic(), world.scenario.transaction_state_topic()];
    world.cluster_metadata().partitions().map(|(tp, _)| tp).filter(|tp| !internal.contains(&Some(tp.topic))).collect()
}

/// What one cell of a strip shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Below the log start: deleted by retention (or never there).
    Gone,
    /// An offset the log cleaner compacted away.
    Compacted,
    /// A record; `committed` when below the high watermark.
    Record { key_color: usize, committed: bool, tombstone: bool },
    /// An acknowledged record that is not in the log any more.
    Lost,
}

impl Cell {
    pub fn symbol(self) -> char {
        match self {
            Cell::Gone => ' ',
            Cell::Compacted => '·',
            Cell::Record { tombstone: true, .. } => '×',
            Cell::Record { committed: true, .. } => '■',
            Cell::Record { committed: false, .. } => '□',
            Cell::Lost => '✗',
        }
    }
}

/// The first offset a strip of `width` cells shows: the log's end, unless
/// that hides `focus` (the first lost record), which matters more.
pub fn strip_start(log_start: i64, log_end: i64, width: usize, focus: Option<i64>) -> i64 {
    let width = width as i64;
    let at_end = if log_end - log_start < width { log_start } else { log_end - width + 1 };
    match focus {
        Some(offset) if offset < at_end => (offset - 2).max(log_start),
        _ => at_end,
    }
}

/// The cells of a strip from `first`, `width` long.
pub fn cells(log: &PartitionLog, first: i64, width: usize, lost: &[i64]) -> Vec<Cell> {
    let mut out = vec![Cell::Gone; width];
    let high_watermark = log.high_watermark();
    let end = log.log_end_offset().min(first + width as i64);
    for offset in log.log_start_offset().max(first)..end {
        out[(offset - first) as usize] = Cell::Compacted;
    }
    for batch in log.batches_from(first.max(log.log_start_offset())) {
        if batch.base_offset >= end {
            break;
        }
        for (offset, record) in batch.records() {
            if offset < first || offset >= end {
                continue;
            }
            out[(offset - first) as usize] = Cell::Record {
                key_color: record.key().map_or(0, key_color),
                committed: offset < high_watermark,
                tombstone: record.value().is_none(),
            };
        }
    }
    for &offset in lost {
        if offset >= first && offset < first + width as i64 {
            out[(offset - first) as usize] = Cell::Lost;
        }
    }
    out
}

/// A stable colour index for a key (FNV-1a), so equal keys look alike.
fn key_color(key: &[u8]) -> usize {
    let hash = key.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    (hash % 5) as usize + 1
}

/// A mark under the strip.
struct Mark {
    offset: i64,
    symbol: char,
    label: String,
}

fn marks(
    world: &World,
    committed: &[(String, BTreeMap<TopicPartition, i64>)],
    tp: TopicPartition,
    log: &PartitionLog,
) -> Vec<Mark> {
    let mut marks = vec![
        Mark { offset: log.log_start_offset(), symbol: 'S', label: format!("start {}", log.log_start_offset()) },
        Mark { offset: log.high_watermark(), symbol: 'H', label: format!("HW {}", log.high_watermark()) },
        Mark { offset: log.log_end_offset(), symbol: 'E', label: format!("LEO {}", log.log_end_offset()) },
    ];
    if !world.names.transactional_producers.is_empty() {
        // read_committed consumers read below the last stable offset.
        let lso = log.last_stable_offset();
        marks.push(Mark { offset: lso, symbol: 'L', label: format!("LSO {lso}") });
    }
    for (i, (group, offsets)) in committed.iter().enumerate() {
        if let Some(&offset) = offsets.get(&tp) {
            // One group is the usual case: `C`. Several get a mark each,
            // ①, ②, …, so their offsets can be told apart on the strip.
            let (symbol, label) = if committed.len() == 1 {
                ('C', format!("committed {offset}"))
            } else {
                (group_mark(i), format!("{group}: {offset}"))
            };
            marks.push(Mark { offset, symbol, label });
        }
    }
    for consumer in &world.consumers {
        if consumer.phase != ConsumerPhase::Running {
            continue;
        }
        if let Some(Position::At(offset)) = consumer.positions.get(&tp) {
            marks.push(Mark { offset: *offset, symbol: 'P', label: format!("{} at {offset}", consumer.name) });
        }
    }
    marks
}

/// The mark of the `index`-th group's committed offset when several
/// groups have one: ① to ⑳, then `C`.
pub fn group_mark(index: usize) -> char {
    u32::try_from(index).ok().filter(|&i| i < 20).and_then(|i| char::from_u32(0x2460 + i)).unwrap_or('C')
}

/// The marks line. The first three marks are the log's start, high
/// watermark and end; they win a shared cell, since they are what the strip
/// is about. `⇥` is a high watermark at the log end: everything is
/// replicated.
fn marks_line(marks: &[Mark], first: i64, width: usize) -> String {
    let mut cells = vec![' '; width];
    let mut put = |offset: i64, symbol: char| {
        let at = offset - first;
        if (0..width as i64).contains(&at) {
            cells[at as usize] = symbol;
        }
    };
    for mark in marks.iter().skip(3).chain(&marks[..1]) {
        put(mark.offset, mark.symbol);
    }
    let (high_watermark, log_end) = (marks[1].offset, marks[2].offset);
    if high_watermark == log_end {
        put(log_end, '⇥');
    } else {
        put(high_watermark, 'H');
        put(log_end, 'E');
    }
    cells.into_iter().collect()
}

fn cell_style(theme: Theme, cell: Cell) -> Style {
    match cell {
        Cell::Gone | Cell::Compacted => theme.dim(),
        Cell::Record { key_color, committed, .. } => {
            let style = theme.record(key_color);
            if committed { style } else { style.add_modifier(ratatui::style::Modifier::DIM) }
        }
        Cell::Lost => theme.bad(),
    }
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let lost = &app.derived().lost;
    let t = app.theme;
    let world = app.world();
    let width = area.width.saturating_sub(2) as usize;
    let strip_width = width.saturating_sub(LABEL + 1).max(1);
    let partitions = partitions(world);
    let selected = app.selected[Pane::Logs as usize].min(partitions.len().saturating_sub(1));
    let fits = (area.height.saturating_sub(2) as usize / LINES_PER_PARTITION).max(1);
    let mut lines: Vec<Line> = Vec::new();
    for i in window(partitions.len(), selected, fits) {
        let tp = partitions[i];
        let name = world.names.partition(tp);
        let name_style = if i == selected && app.focus == Pane::Logs { t.selected() } else { t.bold() };
        let Some(view) = world.partition_view(tp) else { continue };
        let Some(log) = view.log else {
            lines.push(Line::from(vec![Span::styled(name, name_style), Span::styled("  no replica has it", t.bad())]));
            lines.push(Line::raw(""));
            lines.push(Line::raw(""));
            continue;
        };
        let lost_here = lost.get(&tp).map_or(&[][..], |v| &v[..]);
        let marks = marks(world, &app.derived().committed, tp, log);
        let mut heading = vec![Span::styled(name, name_style)];
        let offline = view.state.leader.is_none();
        heading.push(Span::styled(
            format!("  start {} · HW {} · LEO {}", log.log_start_offset(), log.high_watermark(), log.log_end_offset()),
            t.plain(),
        ));
        if offline {
            heading.push(Span::styled(" · ✗ offline", t.bad()));
        }
        if !lost_here.is_empty() {
            heading.push(Span::styled(format!(" · ✗ {} acknowledged lost", lost_here.len()), t.bad()));
        }
        for mark in marks.iter().skip(3) {
            heading.push(Span::styled(format!(" · {} {}", mark.symbol, mark.label), t.dim()));
        }
        lines.push(fit_line(heading, width));
        // Lost records past the log end still get cells: the student should see
        // how much was acknowledged and is gone.
        let end = lost_here.last().map_or(log.log_end_offset(), |&o| log.log_end_offset().max(o + 1));
        let first = strip_start(log.log_start_offset(), end, strip_width, lost_here.first().copied());
        let mut strip = vec![Span::styled(format!("{:>w$} ", first, w = LABEL), t.dim())];
        for cell in cells(log, first, strip_width, lost_here) {
            strip.push(Span::styled(cell.symbol().to_string(), cell_style(t, cell)));
        }
        lines.push(Line::from(strip));
        lines.push(line(format!("{:>w$} {}", "", marks_line(&marks, first, strip_width), w = LABEL), t.warn()));
    }
    let groups = if app.derived().committed.len() > 1 { "①② groups' commits" } else { "C committed" };
    let title = format!(
        "Logs · {} partition(s) · ■ below □ above the high watermark ✗ lost · S start H high watermark E end {groups} P position",
        partitions.len()
    );
    let title = fit(&title, width);
    frame.render_widget(Paragraph::new(lines).block(pane_block(app, Some(Pane::Logs), title)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_show_the_end_of_long_logs_or_their_first_lost_record() {
        assert_eq!(strip_start(0, 5, 10, None), 0);
        assert_eq!(strip_start(3, 12, 10, None), 3);
        assert_eq!(strip_start(0, 100, 10, None), 91);
        assert_eq!(strip_start(0, 100, 10, Some(95)), 91);
        assert_eq!(strip_start(0, 100, 10, Some(40)), 38);
        assert_eq!(strip_start(0, 100, 10, Some(1)), 0);
    }

    #[test]
    fn the_log_end_and_high_watermark_win_a_shared_cell() {
        let marks = vec![
            Mark { offset: 0, symbol: 'S', label: String::new() },
            Mark { offset: 4, symbol: 'H', label: String::new() },
            Mark { offset: 6, symbol: 'E', label: String::new() },
            Mark { offset: 4, symbol: 'P', label: String::new() },
            Mark { offset: 2, symbol: 'C', label: String::new() },
        ];
        assert_eq!(marks_line(&marks, 0, 8), "S C H E ");
        let caught_up = vec![
            Mark { offset: 0, symbol: 'S', label: String::new() },
            Mark { offset: 6, symbol: 'H', label: String::new() },
            Mark { offset: 6, symbol: 'E', label: String::new() },
        ];
        assert_eq!(marks_line(&caught_up, 0, 8), "S     ⇥ ");
    }

    #[test]
    fn several_groups_get_a_mark_each() {
        assert_eq!(group_mark(0), '①');
        assert_eq!(group_mark(1), '②');
        assert_eq!(group_mark(25), 'C');
    }
}

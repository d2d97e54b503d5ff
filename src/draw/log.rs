//! The log picture: one partition's log, on its leader, at one moment.
//! Offsets run left to right from 0 to the log end offset. What retention
//! deleted (below the log start offset) is hatched grey, each segment is a
//! box of its own texture (the last one is the active segment, the one
//! being written), offsets the cleaner compacted away are hatched inside
//! their segment, and marks below name the log start, the high watermark,
//! the log end offset and each group's committed offset.

use svg::node::element::Group;

use super::canvas::{self, GONE, fill, label_rows, line, rect, tag, text};
use super::recording::Recording;
use crate::cluster::log::PartitionLog;
use crate::ids::TopicPartition;

const WIDTH: f64 = 980.0;
const LEFT: f64 = 30.0;
const BAR_TOP: f64 = 110.0;
const BAR: f64 = 76.0;
/// Up to this many offsets, each gets a cell with its number (and its key).
const CELLS_MAX: i64 = 48;
/// Compacted gaps drawn at most (the largest first would reorder: the
/// first ones in offset order are drawn, the count says the rest).
const GAPS_MAX: usize = 400;

pub fn draw(recording: &Recording, only: Option<TopicPartition>) -> String {
    let world = &recording.world;
    let visible = super::visible_partitions(recording);
    // Without --partition: the partition holding the most records.
    let tp = only.or_else(|| {
        visible.iter().copied().max_by_key(|&tp| {
            let end = world.partition_view(tp).and_then(|v| v.log).map_or(0, |l| l.log_end_offset());
            (end, std::cmp::Reverse(tp))
        })
    });
    let name = tp.map_or("-".to_string(), |tp| recording.names.partition(tp));
    let at = super::clock(recording.to);
    let view = tp.and_then(|tp| world.partition_view(tp));
    let Some((view, log)) = view.and_then(|v| v.log.map(|l| (v, l))) else {
        let title = format!("{} · {name} at t={at}", recording.scenario.name);
        let document = canvas::document(WIDTH, 80.0, &title, "No replica holds this partition's log.").add(text(
            12.0,
            56.0,
            "no log: no replica holds this partition",
        ));
        return canvas::finish(document);
    };
    let tp = view.tp;
    let leader = view.log_broker.map_or("none".to_string(), |b| format!("broker {}", b.0));
    let title = format!("{} · {name} at t={at}, the log on {leader}", recording.scenario.name);
    let committed: Vec<(String, i64)> = world
        .group_names()
        .iter()
        .filter_map(|g| world.group_view(g).and_then(|v| v.committed.get(&tp).map(|&o| (g.clone(), o))))
        .collect();
    let end = log.log_end_offset().max(1);
    let scale = |offset: i64| LEFT + (WIDTH - 2.0 * LEFT) * offset as f64 / end as f64;
    let mut body = Group::new();
    let (bar, gaps) = segments_bar(log, &scale);
    body = body.add(bar);
    if log.log_end_offset() <= CELLS_MAX {
        body = body.add(cells(log, &scale));
    }
    let (marks, bottom) = marks(log, &committed, &scale);
    body = body.add(marks);
    let description = format!(
        "The log of {name} at t={at} on {leader}: {} segments, log start {}, HW {}, LEO {}{}{}.",
        log.segments().len(),
        log.log_start_offset(),
        log.high_watermark(),
        log.log_end_offset(),
        if gaps > 0 { format!(", {gaps} compacted gaps") } else { String::new() },
        committed.iter().map(|(g, o)| format!(", committed by {g}: {o}")).collect::<String>()
    );
    let document = canvas::document(WIDTH, bottom + 12.0, &title, &description).add(legend(48.0)).add(body);
    canvas::finish(document)
}

fn legend(y: f64) -> Group {
    let mut group = Group::new();
    let mut x = 12.0;
    for (fill, label) in
        [(fill(0), "a segment (one texture each)"), (GONE.to_string(), "deleted by retention, or compacted away")]
    {
        let (entry, width) = canvas::legend(x, y, &fill, label);
        group = group.add(entry);
        x += width;
    }
    group
        .add(rect(x, y - 10.0, 14.0, 12.0, "#ffffff").set("class", "waiting"))
        .add(text(x + 18.0, y, "above the high watermark: not yet on every ISR replica").set("class", "label"))
}

/// The bar of segments with deleted and compacted regions; returns it and
/// the number of compacted gaps.
fn segments_bar(log: &PartitionLog, scale: &dyn Fn(i64) -> f64) -> (Group, usize) {
    let mut group = Group::new();
    let start = log.log_start_offset();
    if start > 0 {
        let (x1, x2) = (scale(0), scale(start));
        group = group.add(rect(x1, BAR_TOP, x2 - x1, BAR, GONE));
        let label = format!("deleted: offsets 0–{}", start - 1);
        if x2 - x1 > canvas::text_width(&label, 11.0) + 8.0 {
            group = group.add(tag(x1 + 3.0, BAR_TOP + BAR / 2.0 + 4.0, &label));
        }
    }
    let segments = log.segments();
    for (i, segment) in segments.iter().enumerate() {
        let base = segment.base_offset.max(start);
        let next = segments.get(i + 1).map_or(log.log_end_offset(), |s| s.base_offset);
        let (x1, x2) = (scale(base), scale(next.max(base)));
        let active = i + 1 == segments.len();
        group = group.add(rect(x1, BAR_TOP, (x2 - x1).max(2.0), BAR, &fill(i)));
        // Named above the bar, so the bar is free for the records' keys.
        let first = format!("segment {}{}", segment.base_offset, if active { " (active)" } else { "" });
        let second = format!("{} records", segment.record_count());
        if x2 - x1 > canvas::text_width(&first, 11.0) + 8.0 {
            group = group
                .add(text(x1 + 3.0, BAR_TOP - 22.0, &first).set("class", "label"))
                .add(text(x1 + 3.0, BAR_TOP - 8.0, &second).set("class", "small"));
        }
    }
    // Offsets with no record between the log start and the log end were
    // compacted away (or removed by a transaction marker's cleaning).
    let mut gaps = 0;
    let mut expected = start;
    let draw_gap = |group: Group, from: i64, to: i64, gaps: &mut usize| {
        *gaps += 1;
        if *gaps > GAPS_MAX {
            return group;
        }
        let (x1, x2) = (scale(from), scale(to));
        group.add(rect(x1, BAR_TOP + BAR - 14.0, (x2 - x1).max(1.0), 14.0, GONE))
    };
    for batch in log.batches() {
        for (offset, _) in batch.records() {
            if offset > expected {
                group = draw_gap(group, expected, offset, &mut gaps);
            }
            expected = offset + 1;
        }
    }
    if gaps > 0 {
        let label = if gaps == 1 {
            "1 gap compacted away (hatched at the bottom)".to_string()
        } else {
            format!("{gaps} gaps compacted away (hatched at the bottom)")
        };
        group = group.add(text(LEFT, BAR_TOP + BAR + 30.0, &label).set("class", "label"));
    }
    // Above the high watermark: not yet replicated to the whole ISR.
    let (hw, leo) = (log.high_watermark(), log.log_end_offset());
    if leo > hw {
        let (x1, x2) = (scale(hw), scale(leo));
        group = group
            .add(rect(x1, BAR_TOP - 4.0, x2 - x1, BAR + 8.0, "none").set("class", "waiting").set("fill-opacity", 0));
    }
    (group, gaps)
}

/// One cell per offset with its number below and its key inside.
fn cells(log: &PartitionLog, scale: &dyn Fn(i64) -> f64) -> Group {
    let mut group = Group::new();
    let width = scale(1) - scale(0);
    for batch in log.batches() {
        for (offset, record) in batch.records() {
            let x = scale(offset);
            group = group.add(line(x, BAR_TOP, x, BAR_TOP + BAR, "outline").set("stroke-opacity", 0.5)).add(
                text(x + width / 2.0, BAR_TOP + BAR + 12.0, &offset.to_string())
                    .set("class", "small")
                    .set("text-anchor", "middle"),
            );
            let key = record.key().map(|k| String::from_utf8_lossy(k).into_owned());
            let shown = match (&key, record.is_tombstone()) {
                (Some(k), true) => format!("{k} ×"),
                (Some(k), false) => k.clone(),
                (None, true) => "×".to_string(),
                (None, false) => String::new(),
            };
            // Keys read upwards inside their cell.
            if !shown.is_empty() && width >= 12.0 {
                let (kx, ky) = (canvas::px(x + width / 2.0 + 3.5), BAR_TOP + BAR - 4.0);
                group = group
                    .add(text(kx, ky, &shown).set("class", "small").set("transform", format!("rotate(-90 {kx} {ky})")));
            }
        }
    }
    group
}

/// The marks under the bar; returns them and where they end.
fn marks(log: &PartitionLog, committed: &[(String, i64)], scale: &dyn Fn(i64) -> f64) -> (Group, f64) {
    let mut labels: Vec<(i64, String)> = vec![
        (log.log_start_offset(), format!("log start {}", log.log_start_offset())),
        (log.high_watermark(), format!("HW {}", log.high_watermark())),
        (log.log_end_offset(), format!("LEO {}", log.log_end_offset())),
    ];
    labels.extend(committed.iter().map(|(g, o)| (*o, format!("committed by {g}: {o}"))));
    labels.sort_by_key(|(o, _)| *o);
    let placed: Vec<(f64, f64)> = labels
        .iter()
        .map(|(o, l)| {
            let width = canvas::text_width(l, 11.0) + 10.0;
            (scale(*o).min(WIDTH - width), width)
        })
        .collect();
    let rows = label_rows(&placed);
    let top = BAR_TOP + BAR + 40.0;
    let mut group = Group::new();
    let mut bottom = top;
    for ((offset, label), row) in labels.iter().zip(rows) {
        let x = scale(*offset);
        let y = top + 16.0 + row as f64 * 16.0;
        // Near the right edge a label ends at its mark instead of starting there.
        let near_the_end = x + canvas::text_width(label, 11.0) + 6.0 > WIDTH;
        let (label_x, anchor) = if near_the_end { (x - 3.0, "end") } else { (x + 3.0, "start") };
        group = group
            .add(line(x, BAR_TOP - 6.0, x, y - 10.0, "outline").set("stroke-width", 1.5))
            .add(text(label_x, y, label).set("class", "label").set("text-anchor", anchor));
        bottom = bottom.max(y + 6.0);
    }
    (group, bottom)
}

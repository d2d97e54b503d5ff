//! The timeline picture: one swim lane per partition over virtual time.
//! In each lane, the top bar says who leads and in which leader epoch (a
//! new colour per leader, "offline" when none); one thin bar per replica
//! shows when it is in the ISR; a chart below draws the high watermark
//! (solid) and the log end offset (dashed) of the leader's log. Faults are
//! red dashed marks across every lane, named at the top.

use svg::Document;
use svg::node::element::{Group, Polyline};

use super::axis::TimeAxis;
use super::canvas::{self, GONE, fill, line, px, rect, tag, text};
use super::recording::{Leadership, Offsets, Recording};
use crate::engine::SimTime;
use crate::ids::TopicPartition;

/// Lanes drawn at most; `--partition` picks one of the others.
const MAX_LANES: usize = 12;
const WIDTH: f64 = 980.0;
const LEFT: f64 = 150.0;
const RIGHT_MARGIN: f64 = 30.0;
const LEADER_ROW: f64 = 20.0;
const ISR_ROW: f64 = 13.0;
const CHART: f64 = 56.0;

pub fn draw(recording: &Recording, only: Option<TopicPartition>) -> String {
    let all = super::visible_partitions(recording);
    let partitions: Vec<TopicPartition> = match only {
        Some(tp) => vec![tp],
        None => all.iter().copied().take(MAX_LANES).collect(),
    };
    let axis = TimeAxis { from: recording.from, to: recording.to, left: LEFT, width: WIDTH - LEFT - RIGHT_MARGIN };
    let faults: Vec<_> = recording.faults.iter().filter(|f| f.at >= recording.from && f.at <= recording.to).collect();
    // Fault names take rows of their own so they never overlap.
    let fault_rows = fault_label_rows(&axis, &faults.iter().map(|f| (f.at, f.what.as_str())).collect::<Vec<_>>());
    let top = 78.0 + 14.0 * fault_rows.iter().map(|(row, _)| row + 1).max().unwrap_or(0) as f64;
    let mut lanes = Group::new();
    let mut y = top + 16.0;
    for &tp in &partitions {
        let (lane, height) = lane(recording, &axis, tp, y);
        lanes = lanes.add(lane);
        y += height + 18.0;
    }
    let mut note = String::new();
    if only.is_none() && all.len() > partitions.len() {
        note = format!(
            "{} more partitions are not drawn: pick one with --partition TOPIC-N",
            all.len() - partitions.len()
        );
        lanes = lanes.add(text(12.0, y, &note).set("class", "small"));
        y += 14.0;
    }
    let title = format!(
        "{} · partitions over time, t={} to t={}",
        recording.scenario.name,
        super::clock(axis.from),
        super::clock(axis.to)
    );
    let description =
        describe(recording, &partitions, &faults.iter().map(|f| f.what.clone()).collect::<Vec<_>>(), &note);
    let mut document: Document = canvas::document(WIDTH, y + 10.0, &title, &description);
    document = document.add(legend(44.0)).add(axis.ticks(top, y - 10.0)).add(lanes);
    for ((row, at), fault) in fault_rows.iter().zip(&faults) {
        let x = axis.x(*at);
        let label_y = 76.0 + 14.0 * *row as f64;
        document = document.add(line(x, label_y + 3.0, x, y - 10.0, "mark")).add(
            text(x + 3.0, label_y, &format!("✗ {} (t={})", fault.what, super::clock(fault.at)))
                .set("class", "mark-text"),
        );
    }
    canvas::finish(document)
}

/// For each fault, the row its name goes in: the first row where it does not
/// run into the name before it.
fn fault_label_rows(axis: &TimeAxis, faults: &[(SimTime, &str)]) -> Vec<(usize, SimTime)> {
    let mut row_ends: Vec<f64> = Vec::new();
    faults
        .iter()
        .map(|&(at, what)| {
            let x = axis.x(at);
            let width = canvas::text_width(what, 11.0) + 80.0;
            let row = row_ends.iter().position(|&end| end < x).unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(0.0);
            }
            row_ends[row] = x + width;
            (row, at)
        })
        .collect()
}

fn legend(y: f64) -> Group {
    let mut group = Group::new();
    let mut x = 12.0;
    for (fill, label) in [
        (fill(0), "leader (one texture per broker)"),
        (GONE.to_string(), "offline: no leader"),
        (fill(0), "replica in the ISR"),
    ] {
        let (entry, width) = canvas::legend(x, y, &fill, label);
        group = group.add(entry);
        x += width;
    }
    group
        .add(line(x, y - 4.0, x + 22.0, y - 4.0, "outline").set("stroke-width", 2))
        .add(text(x + 26.0, y, "high watermark").set("class", "label"))
        .add(line(x + 130.0, y - 4.0, x + 152.0, y - 4.0, "outline").set("stroke-dasharray", "5 3"))
        .add(text(x + 156.0, y, "log end offset").set("class", "label"))
        .add(line(x + 260.0, y - 9.0, x + 260.0, y + 2.0, "mark"))
        .add(text(x + 266.0, y, "fault").set("class", "label"))
}

/// Intervals of the window where `key` of the leadership stays the same.
fn intervals<K: PartialEq + Clone>(
    changes: &[(SimTime, Leadership)],
    from: SimTime,
    to: SimTime,
    key: impl Fn(&Leadership) -> K,
) -> Vec<(SimTime, SimTime, K)> {
    let mut out: Vec<(SimTime, SimTime, K)> = Vec::new();
    for (i, (at, state)) in changes.iter().enumerate() {
        let start = (*at).max(from);
        let end = changes.get(i + 1).map_or(to, |(next, _)| (*next).min(to));
        if start >= end {
            continue;
        }
        let k = key(state);
        match out.last_mut() {
            Some(last) if last.2 == k && last.1 == start => last.1 = end,
            _ => out.push((start, end, k)),
        }
    }
    out
}

/// One partition's lane at `y`; returns it and its height.
fn lane(recording: &Recording, axis: &TimeAxis, tp: TopicPartition, y: f64) -> (Group, f64) {
    let name = recording.names.partition(tp);
    let replicas = recording.partitions.iter().find(|(p, _)| *p == tp).map(|(_, r)| r.clone()).unwrap_or_default();
    let changes = recording.leadership.get(&tp).map(Vec::as_slice).unwrap_or(&[]);
    let mut group = Group::new().add(text(12.0, y + 14.0, &name).set("font-weight", "bold"));
    // The leader bar.
    for (start, end, (leader, epoch)) in intervals(changes, axis.from, axis.to, |l| (l.leader, l.leader_epoch)) {
        let (x1, x2) = (axis.x(start), axis.x(end));
        let (fill_of, label) = match leader {
            Some(b) => (fill((b - 1).max(0) as usize), format!("leader broker {b} · epoch {epoch}")),
            None => (GONE.to_string(), "offline: no leader".to_string()),
        };
        group = group.add(rect(x1, y, x2 - x1, LEADER_ROW, &fill_of));
        if x2 - x1 > canvas::text_width(&label, 11.0) + 8.0 {
            group = group.add(tag(x1 + 2.0, y + 15.0, &label));
        }
    }
    // One ISR bar per replica.
    let mut row_y = y + LEADER_ROW + 4.0;
    for &broker in &replicas {
        group = group
            .add(
                text(LEFT - 8.0, row_y + 10.0, &format!("broker {broker} in ISR"))
                    .set("class", "small")
                    .set("text-anchor", "end"),
            )
            .add(
                line(axis.left, row_y + ISR_ROW / 2.0, axis.right(), row_y + ISR_ROW / 2.0, "axis")
                    .set("stroke-opacity", 0.4),
            );
        for (start, end, in_isr) in intervals(changes, axis.from, axis.to, |l| l.isr.contains(&broker)) {
            let (x1, x2) = (axis.x(start), axis.x(end));
            if in_isr {
                group = group.add(rect(x1, row_y, x2 - x1, ISR_ROW, &fill((broker - 1).max(0) as usize)));
            } else if x2 - x1 > 70.0 {
                group = group.add(text(x1 + 4.0, row_y + 10.0, "out of the ISR").set("class", "small"));
            }
        }
        row_y += ISR_ROW + 3.0;
    }
    let samples = recording.offsets.get(&tp).map(Vec::as_slice).unwrap_or(&[]);
    let (chart, height) = offsets_chart(axis, samples, row_y + 4.0);
    let bottom = row_y + 4.0 + height;
    let first_label_y = y + LEADER_ROW - 5.0;
    group = group.add(text(LEFT - 8.0, first_label_y, "leader").set("class", "small").set("text-anchor", "end"));
    (group.add(chart), bottom - y)
}

/// The high watermark and log end offset over the window, with the values
/// at its end written out.
fn offsets_chart(axis: &TimeAxis, samples: &[(SimTime, Offsets)], y: f64) -> (Group, f64) {
    let mut group = Group::new()
        .add(text(LEFT - 8.0, y + 12.0, "offsets").set("class", "small").set("text-anchor", "end"))
        .add(line(axis.left, y + CHART, axis.right(), y + CHART, "axis"));
    let Some(&(_, last)) = samples.last() else {
        return (
            group.add(text(axis.left + 4.0, y + 30.0, "no log: no replica holds this partition").set("class", "small")),
            CHART + 4.0,
        );
    };
    let low = samples.iter().map(|(_, o)| o.log_start_offset).min().unwrap_or(0);
    let high = samples.iter().map(|(_, o)| o.log_end_offset).max().unwrap_or(0).max(low + 1);
    let y_of = |offset: i64| px(y + CHART - CHART * (offset - low) as f64 / (high - low) as f64);
    let points = |pick: fn(&Offsets) -> i64| {
        samples.iter().map(|(at, o)| format!("{},{}", axis.x(*at), y_of(pick(o)))).collect::<Vec<_>>().join(" ")
    };
    group = group
        .add(text(LEFT - 8.0, y + CHART, &low.to_string()).set("class", "small").set("text-anchor", "end"))
        .add(text(LEFT - 8.0, y + 24.0, &high.to_string()).set("class", "small").set("text-anchor", "end"))
        .add(
            Polyline::new()
                .set("points", points(|o| o.log_end_offset))
                .set("fill", "none")
                .set("stroke", "#444444")
                .set("stroke-width", 1.5)
                .set("stroke-dasharray", "5 3"),
        )
        .add(
            Polyline::new()
                .set("points", points(|o| o.high_watermark))
                .set("fill", "none")
                .set("stroke", "#111111")
                .set("stroke-width", 2),
        );
    let summary = format!(
        "at t={}: log start {} · HW {} · LEO {}",
        super::clock(axis.to),
        last.log_start_offset,
        last.high_watermark,
        last.log_end_offset
    );
    group = group.add(text(axis.right(), y + CHART + 13.0, &summary).set("class", "label").set("text-anchor", "end"));
    (group, CHART + 16.0)
}

/// What a screen reader says about the picture.
fn describe(recording: &Recording, partitions: &[TopicPartition], faults: &[String], note: &str) -> String {
    let mut parts = Vec::new();
    for &tp in partitions {
        let last = recording.leadership.get(&tp).and_then(|c| c.iter().rev().find(|(at, _)| *at <= recording.to));
        let offsets = recording.offsets.get(&tp).and_then(|s| s.last()).map(|(_, o)| *o);
        let leader = match last.map(|(_, l)| l) {
            Some(Leadership { leader: Some(b), leader_epoch, isr }) => {
                format!("leader broker {b} in epoch {leader_epoch}, ISR {isr:?}")
            }
            _ => "no leader".to_string(),
        };
        let offsets =
            offsets.map_or(String::new(), |o| format!(", HW {} and LEO {}", o.high_watermark, o.log_end_offset));
        parts.push(format!("{} ends with {leader}{offsets}", recording.names.partition(tp)));
    }
    let faults = if faults.is_empty() { "No faults.".to_string() } else { format!("Faults: {}.", faults.join("; ")) };
    format!("Swim lanes per partition. {}. {faults} {note}", parts.join("; ")).trim_end().to_string()
}

//! The flow picture: how the scenario's parts relate, from the run.
//! Producers on the left, topic partitions in the middle, consumer groups
//! and their consumers on the right; each arrow carries the number of
//! records that went along it up to the picture's moment (acknowledged to a
//! producer, handed to a consumer's application), and each partition its
//! high watermark then.

use std::collections::BTreeMap;

use svg::node::element::{Group, Path};

use super::canvas::{self, fill, rect, tag, text};
use super::recording::Recording;
use crate::ids::ClientIdx;

const WIDTH: f64 = 980.0;
const BOX: f64 = 24.0;
const GAP: f64 = 10.0;
const PRODUCERS_X: f64 = 20.0;
const PARTITIONS_X: f64 = 400.0;
const CONSUMERS_X: f64 = 760.0;
const COLUMN: f64 = 180.0;
const TOP: f64 = 90.0;

pub fn draw(recording: &Recording) -> String {
    let names = &recording.names;
    let partitions = super::visible_partitions(recording);
    let producers: Vec<ClientIdx> = client_list(names.producers.len(), recording.acknowledged.keys().map(|(p, _)| *p));
    let consumers: Vec<ClientIdx> = client_list(names.consumers.len(), recording.consumed.keys().map(|(c, _)| *c));
    // Consumers by group, in order of first mention; those without a group last.
    let mut groups: Vec<(String, Vec<ClientIdx>)> = Vec::new();
    for &c in &consumers {
        let group = recording
            .scenario
            .consumers
            .get(c.0 as usize)
            .and_then(|d| d.group.clone())
            .map_or("(no group: assigned by hand)".to_string(), |g| format!("group {g}"));
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, members)) => members.push(c),
            None => groups.push((group, vec![c])),
        }
    }
    let mut body = Group::new()
        .add(text(PRODUCERS_X, TOP - 14.0, "producers").set("font-weight", "bold"))
        .add(text(PARTITIONS_X, TOP - 14.0, "topic partitions").set("font-weight", "bold"))
        .add(text(CONSUMERS_X, TOP - 14.0, "consumers").set("font-weight", "bold"));
    let mut producer_y = BTreeMap::new();
    for (i, &p) in producers.iter().enumerate() {
        let y = TOP + i as f64 * (BOX + GAP);
        producer_y.insert(p, y + BOX / 2.0);
        body = body.add(rect(PRODUCERS_X, y, COLUMN, BOX, "#ffffff")).add(text(
            PRODUCERS_X + 6.0,
            y + 16.0,
            names.producer(p),
        ));
    }
    let mut partition_y = BTreeMap::new();
    for (i, &tp) in partitions.iter().enumerate() {
        let y = TOP + i as f64 * (BOX + GAP);
        partition_y.insert(tp, y + BOX / 2.0);
        let hw = recording.world.partition_view(tp).and_then(|v| v.log).map_or(0, |l| l.high_watermark());
        body = body.add(rect(PARTITIONS_X, y, COLUMN, BOX, &fill(tp.topic.0 as usize))).add(tag(
            PARTITIONS_X + 4.0,
            y + 16.0,
            &format!("{} · HW {hw}", names.partition(tp)),
        ));
    }
    let mut consumer_y = BTreeMap::new();
    let mut y = TOP;
    for (group, members) in &groups {
        let reading_lines = recording.consumed.keys().filter(|(c, _)| members.contains(c)).count();
        let height = members.len() as f64 * (BOX + GAP) + 13.0 * reading_lines as f64 + 22.0;
        body = body
            .add(rect(CONSUMERS_X - 8.0, y - 4.0, COLUMN + 16.0, height, "#f4f4f4").set("stroke-dasharray", "4 2"))
            .add(text(CONSUMERS_X - 2.0, y + 10.0, group).set("class", "label"));
        y += 18.0;
        for &c in members {
            // What the consumer read, one line per partition, in its box:
            // arrows converge on it, so their counts would overlap there.
            let reads: Vec<String> = recording
                .consumed
                .iter()
                .filter(|((reader, _), _)| *reader == c)
                .map(|((_, tp), n)| format!("{n} from {}", names.partition(*tp)))
                .collect();
            let height = BOX + 13.0 * reads.len() as f64;
            consumer_y.insert(c, y + BOX / 2.0);
            body = body.add(rect(CONSUMERS_X, y, COLUMN, height, "#ffffff")).add(text(
                CONSUMERS_X + 6.0,
                y + 16.0,
                names.consumer(c),
            ));
            for (i, read) in reads.iter().enumerate() {
                body = body.add(text(CONSUMERS_X + 14.0, y + 30.0 + 13.0 * i as f64, read).set("class", "small"));
            }
            y += height + GAP;
        }
        y += 14.0;
    }
    let mut arrows = Group::new();
    let mut labels = Group::new();
    let mut sentences = Vec::new();
    for (&(p, tp), &count) in &recording.acknowledged {
        let (Some(&y1), Some(&y2)) = (producer_y.get(&p), partition_y.get(&tp)) else { continue };
        let (arrow, label) = edge(PRODUCERS_X + COLUMN, y1, PARTITIONS_X, y2, count, 0.75);
        arrows = arrows.add(arrow);
        labels = labels.add(label);
        sentences.push(format!("{} wrote {count} to {}", names.producer(p), names.partition(tp)));
    }
    for (&(c, tp), &count) in &recording.consumed {
        let (Some(&y1), Some(&y2)) = (partition_y.get(&tp), consumer_y.get(&c)) else { continue };
        let (arrow, _) = edge(PARTITIONS_X + COLUMN, y1, CONSUMERS_X, y2, count, 0.5);
        arrows = arrows.add(arrow);
        sentences.push(format!("{} read {count} from {}", names.consumer(c), names.partition(tp)));
    }
    let rows = producers.len().max(partitions.len()) as f64 * (BOX + GAP);
    let height = (TOP + rows).max(y) + 20.0;
    let title =
        format!("{} · who writes and reads what, up to t={}", recording.scenario.name, super::clock(recording.to));
    let description = format!(
        "Producers, topic partitions and consumers, with the records acknowledged and consumed along each arrow. {}.",
        if sentences.is_empty() { "No record moved yet".to_string() } else { sentences.join("; ") }
    );
    let note = "numbers: records acknowledged to the producer (on its arrows), or handed to the consumer's application (in its box)";
    let document = canvas::document(WIDTH, height, &title, &description)
        .add(text(12.0, 48.0, note).set("class", "label"))
        .add(body)
        .add(arrows)
        .add(labels);
    canvas::finish(document)
}

/// Every client of the scenario, then any the trace adds (stream threads).
fn client_list(declared: usize, seen: impl Iterator<Item = ClientIdx>) -> Vec<ClientIdx> {
    let mut out: Vec<ClientIdx> = (0..declared as u32).map(ClientIdx).collect();
    for c in seen {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// An arrow from (x1, y1) to (x2, y2) and its count, placed at `along`
/// (0 the start, 1 the end) so labels of arrows sharing an end spread out.
fn edge(x1: f64, y1: f64, x2: f64, y2: f64, count: u64, along: f64) -> (Path, Group) {
    let middle = (x1 + x2) / 2.0;
    let d = format!(
        "M{x1},{} C{middle},{} {middle},{} {x2},{}",
        canvas::px(y1),
        canvas::px(y1),
        canvas::px(y2),
        canvas::px(y2)
    );
    let arrow = Path::new()
        .set("d", d)
        .set("fill", "none")
        .set("stroke", "#555555")
        .set("stroke-width", 1.3)
        .set("marker-end", "url(#arrow)");
    // The point at `along` on the cubic Bézier curve drawn above.
    let t = along;
    let u = 1.0 - t;
    let (a, b, c, e) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    let x = a * x1 + (b + c) * middle + e * x2;
    let y = (a + b) * y1 + (c + e) * y2;
    (arrow, tag(x - 14.0, y + 4.0, &count.to_string()))
}

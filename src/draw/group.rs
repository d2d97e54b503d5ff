//! The group picture: per consumer group, one lane per member over virtual
//! time, showing what it owns. A bar's texture is its generation and its
//! label the partitions; a dashed empty box is time a member spends holding
//! nothing while its group rebalances (an eager rebalance's stop-the-world
//! gap: every member revokes everything before it rejoins); a grey hatched
//! bar is an idle member, in the group but given no partition. Under
//! cooperative rebalancing members keep what they own while they rejoin, and
//! the second round hands over what was revoked in the first: the bars
//! change label without a gap. Generations are marked on top of each group.

use svg::node::element::Group;

use super::axis::TimeAxis;
use super::canvas::{self, GONE, fill, line, rect, tag, text};
use super::recording::{MemberChange, Recording};
use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicPartition};

const WIDTH: f64 = 980.0;
const LEFT: f64 = 170.0;
const ROW: f64 = 22.0;

/// What a member is doing over an interval.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Holding {
    /// Not in the group (not started, left, crashed).
    Out,
    /// In the group, holding nothing, waiting for its assignment.
    Waiting,
    /// Given no partition in this generation.
    Idle(i32),
    /// Owning these partitions, assigned in this generation.
    Owning(i32, Vec<TopicPartition>),
}

/// A member's holdings over the window, as intervals.
fn holdings(
    changes: &[(SimTime, ClientIdx, MemberChange)],
    member: ClientIdx,
    from: SimTime,
    to: SimTime,
) -> Vec<(SimTime, SimTime, Holding)> {
    let mut now = Holding::Out;
    let mut since = from;
    let mut out = Vec::new();
    let mut push = |start: SimTime, end: SimTime, holding: &Holding| {
        let (start, end) = (start.max(from), end.min(to));
        if start < end && *holding != Holding::Out {
            out.push((start, end, holding.clone()));
        }
    };
    for (at, _, change) in changes.iter().filter(|(_, c, _)| *c == member) {
        let next = match (change, &now) {
            (MemberChange::Joined { .. }, Holding::Owning(..)) => now.clone(),
            (MemberChange::Joined { .. }, _) => Holding::Waiting,
            (MemberChange::Assigned { generation, assignment }, _) if assignment.is_empty() => {
                Holding::Idle(*generation)
            }
            (MemberChange::Assigned { generation, assignment }, _) => Holding::Owning(*generation, assignment.clone()),
            (MemberChange::Revoked { partitions }, Holding::Owning(generation, owned)) => {
                let kept: Vec<TopicPartition> = owned.iter().copied().filter(|tp| !partitions.contains(tp)).collect();
                if kept.is_empty() { Holding::Waiting } else { Holding::Owning(*generation, kept) }
            }
            (MemberChange::Revoked { .. }, _) => now.clone(),
            (MemberChange::Gone { .. }, _) => Holding::Out,
        };
        if next != now {
            push(since, *at, &now);
            now = next;
            since = *at;
        }
    }
    push(since, to, &now);
    out
}

pub fn draw(recording: &Recording) -> String {
    let axis = TimeAxis { from: recording.from, to: recording.to, left: LEFT, width: WIDTH - LEFT - 30.0 };
    let mut body = Group::new();
    let mut y = 96.0;
    let mut summaries = Vec::new();
    for (group_name, changes) in &recording.members {
        let mut members: Vec<ClientIdx> = Vec::new();
        for (_, c, _) in changes {
            if !members.contains(c) {
                members.push(*c);
            }
        }
        let generations = recording.generations.get(group_name).map(Vec::as_slice).unwrap_or(&[]);
        let assignor = generations.last().map_or("-", |(_, _, a)| a.as_str());
        body = body.add(text(12.0, y, &format!("group {group_name} · assignor {assignor}")).set("font-weight", "bold"));
        y += 8.0;
        let lanes_top = y + 14.0;
        let lanes_bottom = lanes_top + members.len() as f64 * (ROW + 6.0);
        for (at, generation, _) in generations.iter().filter(|(at, _, _)| *at >= axis.from && *at <= axis.to) {
            let x = axis.x(*at);
            body = body
                .add(line(x, y + 2.0, x, lanes_bottom, "axis").set("stroke-dasharray", "2 2"))
                .add(text(x + 2.0, y + 10.0, &format!("gen {generation}")).set("class", "small"));
        }
        y = lanes_top;
        for &member in &members {
            let (lane, summary) = member_lane(recording, &axis, changes, member, y);
            body = body.add(lane);
            summaries.push(format!("{}: {summary}", recording.names.consumer(member)));
            y += ROW + 6.0;
        }
        y += 26.0;
    }
    if recording.members.is_empty() {
        body = body.add(text(
            12.0,
            y + 10.0,
            "No consumer group in this run: its consumers (if any) are assigned partitions by hand, without a group.",
        ));
        y += 30.0;
    }
    let title = format!(
        "{} · consumer groups over time, t={} to t={}",
        recording.scenario.name,
        super::clock(axis.from),
        super::clock(axis.to)
    );
    let description = if summaries.is_empty() {
        "No consumer group in this run.".to_string()
    } else {
        format!(
            "One lane per group member, showing the partitions it owns in each generation. {}.",
            summaries.join("; ")
        )
    };
    let document = canvas::document(WIDTH, y + 10.0, &title, &description)
        .add(legend(44.0))
        .add(axis.ticks(74.0, y - 20.0))
        .add(body);
    canvas::finish(document)
}

fn legend(y: f64) -> Group {
    let mut group = Group::new();
    let mut x = 12.0;
    for (fill, label) in [
        (fill(1), "owns the partitions named (texture: generation)"),
        (GONE.to_string(), "idle: in the group, no partition"),
    ] {
        let (entry, width) = canvas::legend(x, y, &fill, label);
        group = group.add(entry);
        x += width;
    }
    group
        .add(rect(x, y - 10.0, 14.0, 12.0, "#ffffff").set("class", "waiting"))
        .add(text(x + 18.0, y, "holds nothing: waiting for its assignment (rebalance)").set("class", "label"))
}

/// One member's lane; returns it and a sentence about it.
fn member_lane(
    recording: &Recording,
    axis: &TimeAxis,
    changes: &[(SimTime, ClientIdx, MemberChange)],
    member: ClientIdx,
    y: f64,
) -> (Group, String) {
    let names = &recording.names;
    let mut group = Group::new();
    let mut waited = 0u64;
    let mut last = String::from("not in the group at the end");
    let spans = holdings(changes, member, axis.from, axis.to);
    for (start, end, holding) in &spans {
        let (x1, x2) = (axis.x(*start), axis.x(*end));
        let (bar, label) = match holding {
            Holding::Owning(generation, owned) => {
                let owned: Vec<String> = owned.iter().map(|&tp| names.partition(tp)).collect();
                (rect(x1, y, x2 - x1, ROW, &fill(*generation as usize)), owned.join(" "))
            }
            Holding::Idle(_) => (rect(x1, y, x2 - x1, ROW, GONE), "idle".to_string()),
            Holding::Waiting => {
                waited += end.as_micros() - start.as_micros();
                (rect(x1, y, x2 - x1, ROW, "#ffffff").set("class", "waiting"), "waiting".to_string())
            }
            Holding::Out => continue,
        };
        group = group.add(bar);
        if x2 - x1 > canvas::text_width(&label, 11.0) + 8.0 {
            group = group.add(tag(x1 + 2.0, y + 15.0, &label));
        }
        if *end == axis.to {
            last = if label == "waiting" || label == "idle" { label } else { format!("owns {label}") };
        }
    }
    // Whole milliseconds: microseconds would only add noise to the label.
    let stopped = crate::engine::SimDuration::from_micros(waited.div_ceil(1_000) * 1_000);
    group = group
        .add(text(12.0, y + 10.0, names.consumer(member)))
        .add(text(12.0, y + 21.0, &format!("held nothing {stopped}")).set("class", "small"));
    (group, format!("{last}, held nothing for {stopped} while rebalancing"))
}

//! Whether a partition's replicas agree below its high watermark: the promise
//! of KIP-101 and KIP-279. Once replicas have caught up and truncated where
//! they diverged, every offset below the high watermark holds the same
//! record on every replica — the same leader epoch, key, value and producer.
//! Before leader epochs, a replica truncating to its own high watermark could
//! keep a record its new leader never had at the same offset, forever
//! (kafka-reference §8.6).
//!
//! Each replica is compared with the first one given (the leader's log) on
//! the offsets both hold below the high watermark; a replica that lags is
//! compared on what it has. Simplification: on a compacted topic each
//! replica's cleaner removes records on its own schedule, so an offset one
//! replica still holds and another has cleaned is not a difference; records
//! both hold must still match.

use crate::cluster::log::PartitionLog;
use crate::cluster::record::RecordRef;
use crate::ids::{BrokerId, RecordId};
use crate::trace::narrate::show_bytes;

/// One replica's log, and whether its broker is down (its log is what it
/// wrote to disk; it truncates when it comes back).
#[derive(Clone, Copy)]
pub struct Replica<'a> {
    pub broker: BrokerId,
    pub down: bool,
    pub log: &'a PartitionLog,
}

impl Replica<'_> {
    fn name(&self) -> String {
        if self.down { format!("broker {} (down)", self.broker) } else { format!("broker {}", self.broker) }
    }
}

/// What is compared of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stored<'a> {
    leader_epoch: i32,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    id: RecordId,
}

impl Stored<'_> {
    fn describe(&self, show_value: bool) -> String {
        let mut text = format!("epoch {} key={}", self.leader_epoch, show_bytes(self.key));
        if show_value {
            text.push_str(&format!(" value={}", show_bytes(self.value)));
        }
        text
    }
}

fn stored<'a>(leader_epoch: i32, record: RecordRef<'a>) -> Stored<'a> {
    Stored { leader_epoch, key: record.key(), value: record.value(), id: record.id() }
}

/// A replica's records at offsets in `[from, to)`, in offset order.
fn records(log: &PartitionLog, from: i64, to: i64) -> impl Iterator<Item = (i64, Stored<'_>)> + '_ {
    log.batches_from(from)
        .take_while(move |b| b.base_offset < to)
        .flat_map(|b| b.records().map(move |(offset, r)| (offset, stored(b.partition_leader_epoch, r))))
        .skip_while(move |(offset, _)| *offset < from)
        .take_while(move |(offset, _)| *offset < to)
}

/// The first offset where `a` and `b` disagree below `to`, described.
fn first_difference(a: Replica<'_>, b: Replica<'_>, to: i64, compacted: bool) -> Option<String> {
    let from = a.log.log_start_offset().max(b.log.log_start_offset());
    let to = to.min(a.log.log_end_offset()).min(b.log.log_end_offset());
    let mut xs = records(a.log, from, to).peekable();
    let mut ys = records(b.log, from, to).peekable();
    loop {
        let (x, y) = (xs.peek().copied(), ys.peek().copied());
        let (offset, record, holder, other) = match (x, y) {
            (None, None) => return None,
            (Some((ox, rx)), Some((oy, ry))) if ox == oy => {
                if rx != ry {
                    let show_value = rx.leader_epoch == ry.leader_epoch && rx.key == ry.key;
                    return Some(format!(
                        "at offset {ox} {} has {}, {} has {}",
                        a.name(),
                        rx.describe(show_value),
                        b.name(),
                        ry.describe(show_value)
                    ));
                }
                xs.next();
                ys.next();
                continue;
            }
            // One side holds an offset the other lacks.
            (Some((ox, rx)), Some((oy, _))) if ox < oy => (ox, rx, a, b),
            (Some((ox, rx)), None) => (ox, rx, a, b),
            (_, Some((oy, ry))) => (oy, ry, b, a),
        };
        if !compacted {
            return Some(format!(
                "at offset {offset} {} has {}, {} has no record",
                holder.name(),
                record.describe(false),
                other.name()
            ));
        }
        if holder.broker == a.broker {
            xs.next();
        } else {
            ys.next();
        }
    }
}

/// `Ok` with a summary when every replica agrees with the first below
/// `high_watermark`, `Err` with the first difference otherwise.
pub fn agree_below(high_watermark: i64, replicas: &[Replica<'_>], compacted: bool) -> Result<String, String> {
    let Some(&reference) = replicas.first() else {
        return Err("no replica holds the partition".to_string());
    };
    for &replica in &replicas[1..] {
        if let Some(difference) = first_difference(reference, replica, high_watermark, compacted) {
            return Err(difference);
        }
    }
    let mut sorted = replicas.to_vec();
    sorted.sort_by_key(|r| r.broker);
    let brokers: Vec<String> =
        sorted.iter().map(|r| if r.down { format!("{} (down)", r.broker) } else { r.broker.to_string() }).collect();
    Ok(format!("brokers {} agree below the high watermark {high_watermark}", brokers.join(", ")))
}

#[cfg(test)]
mod tests;

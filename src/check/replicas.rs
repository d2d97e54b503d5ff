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

use std::iter::Peekable;

use crate::cluster::log::PartitionLog;
use crate::cluster::record::RecordRef;
use crate::ids::{BrokerId, RecordId};
use crate::trace::narrate::show_bytes;

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

/// The first offset where `a` and `b` disagree, described.
fn first_difference<'a>(
    (broker_a, a): (BrokerId, &mut Peekable<impl Iterator<Item = (i64, Stored<'a>)>>),
    (broker_b, b): (BrokerId, &mut Peekable<impl Iterator<Item = (i64, Stored<'a>)>>),
    compacted: bool,
) -> Option<String> {
    loop {
        let (x, y) = (a.peek().copied(), b.peek().copied());
        match (x, y) {
            (None, None) => return None,
            (Some((oa, ra)), Some((ob, rb))) if oa == ob => {
                if ra != rb {
                    let show_value = ra.leader_epoch == rb.leader_epoch && ra.key == rb.key;
                    return Some(format!(
                        "at offset {oa} broker {broker_a} has {}, broker {broker_b} has {}",
                        ra.describe(show_value),
                        rb.describe(show_value)
                    ));
                }
                a.next();
                b.next();
            }
            _ => {
                // One side holds an offset the other lacks.
                let a_first = match (x, y) {
                    (Some((oa, _)), Some((ob, _))) => oa < ob,
                    (Some(_), None) => true,
                    _ => false,
                };
                let (offset, record, holder, other) = if a_first {
                    let (o, r) = x.expect("a has the lower offset");
                    (o, r, broker_a, broker_b)
                } else {
                    let (o, r) = y.expect("b has the lower offset");
                    (o, r, broker_b, broker_a)
                };
                if !compacted {
                    return Some(format!(
                        "at offset {offset} broker {holder} has {}, broker {other} has no record",
                        record.describe(false)
                    ));
                }
                if a_first {
                    a.next();
                } else {
                    b.next();
                }
            }
        }
    }
}

/// `Ok` with a summary when every replica agrees with the first below
/// `high_watermark`, `Err` with the first difference otherwise.
pub fn agree_below(
    high_watermark: i64,
    replicas: &[(BrokerId, &PartitionLog)],
    compacted: bool,
) -> Result<String, String> {
    let Some(&(first, reference)) = replicas.first() else {
        return Err("no replica holds the partition".to_string());
    };
    for &(broker, log) in &replicas[1..] {
        let from = reference.log_start_offset().max(log.log_start_offset());
        let to = high_watermark.min(reference.log_end_offset()).min(log.log_end_offset());
        let mut a = records(reference, from, to).peekable();
        let mut b = records(log, from, to).peekable();
        if let Some(difference) = first_difference((first, &mut a), (broker, &mut b), compacted) {
            return Err(difference);
        }
    }
    let brokers: Vec<String> = replicas.iter().map(|(b, _)| b.to_string()).collect();
    Ok(format!("brokers {} agree below the high watermark {high_watermark}", brokers.join(", ")))
}

#[cfg(test)]
mod tests;

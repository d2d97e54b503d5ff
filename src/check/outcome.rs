//! The delivery checks every run gets, in the spirit of Jepsen's and
//! Maelstrom's Kafka checkers: from the ledger (what producers were told and
//! what consumers got) and the final logs (what the cluster kept), count the
//! records acknowledged but lost, present or delivered more than once, out of
//! order, or never read.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde::Serialize;

use super::ledger::Ledger;
use crate::client::partitioner::murmur2;
use crate::cluster::log::PartitionLog;
use crate::ids::{ClientIdx, Names, RecordId, TopicPartition};
use crate::scenario::OutcomeField;
use crate::trace::narrate::show_bytes;

/// Most records listed by name in each category of the report.
const LISTED_RECORDS: usize = 20;

/// One record called out in the report.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct RecordNote {
    pub id: String,
    pub topic: String,
    pub partition: u32,
    /// The offset the producer was told, or where the record sits in the log.
    pub offset: Option<i64>,
    pub detail: String,
}

/// Delivery counts, each a number of distinct records.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct Delivery {
    /// `send()` was called.
    pub produced: u64,
    /// The producer was told the write succeeded.
    pub acknowledged: u64,
    /// The producer was told the write failed.
    pub failed: u64,
    /// Neither: still in flight at the end, or its producer crashed.
    pub unacknowledged: u64,
    /// Read by at least one consumer.
    pub delivered: u64,
    /// Acknowledged, yet absent from the final log (and not deleted by retention).
    pub lost: u64,
    /// Present in the final log more than once.
    pub duplicated: u64,
    /// Read more than once by the same consumer group (or consumer).
    pub redelivered: u64,
    /// Read by a group (or consumer) whose consumers all crashed before
    /// processing it, and not delivered to it again: lost to that
    /// application (at-most-once).
    pub unprocessed: u64,
    /// In the log after a record its producer sent later with the same key.
    pub reordered: u64,
    /// Acknowledged and in the log, but read by nobody (only counted on
    /// partitions some consumer reads).
    pub unobserved: u64,
    /// Acknowledged, then deleted by retention (below the log start offset).
    pub expired: u64,
    /// Acknowledged, then removed by compaction: its offset is a gap in the
    /// log now (a later record has its key, or its key was deleted).
    pub compacted: u64,
    pub lost_records: Vec<RecordNote>,
    pub duplicated_records: Vec<RecordNote>,
    pub reordered_records: Vec<RecordNote>,
    /// The transaction checks, when a producer is transactional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transactions: Option<super::atomicity::TransactionChecks>,
    /// The end-to-end check of each consume-transform-produce application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<super::exactly_once::PipelineCheck>,
}

impl Delivery {
    pub fn field(&self, field: OutcomeField) -> u64 {
        match field {
            OutcomeField::Produced => self.produced,
            OutcomeField::Acknowledged => self.acknowledged,
            OutcomeField::Failed => self.failed,
            OutcomeField::Delivered => self.delivered,
            OutcomeField::Lost => self.lost,
            OutcomeField::Duplicated => self.duplicated,
            OutcomeField::Redelivered => self.redelivered,
            OutcomeField::Unprocessed => self.unprocessed,
            OutcomeField::Reordered => self.reordered,
            OutcomeField::Unobserved => self.unobserved,
            OutcomeField::Unacknowledged => self.unacknowledged,
            OutcomeField::Expired => self.expired,
            OutcomeField::Compacted => self.compacted,
        }
    }
}

fn note(id: RecordId, tp: TopicPartition, offset: Option<i64>, detail: String, names: &Names) -> RecordNote {
    RecordNote {
        id: format!("{}#{}", names.producer(id.producer), id.number),
        topic: names.topic(tp.topic).to_string(),
        partition: tp.partition,
        offset,
        detail,
    }
}

fn push_limited(list: &mut Vec<RecordNote>, item: impl FnOnce() -> RecordNote) {
    if list.len() < LISTED_RECORDS {
        list.push(item());
    }
}

/// Whether `offset` lies inside the log but holds no record: the log
/// cleaner removed it (offsets are never reused).
fn is_gap(log: &PartitionLog, offset: i64) -> bool {
    offset >= 0
        && offset < log.log_end_offset()
        && log.batch_at(offset).is_none_or(|b| b.records().all(|(o, _)| o != offset))
}

/// The transactional records the log cleaner removed: acknowledged, never
/// truncated, and their offset is now a gap in the log.
fn removed_by_cleaner(ledger: &Ledger, final_logs: &BTreeMap<TopicPartition, &PartitionLog>) -> BTreeSet<RecordId> {
    let ids = ledger.transactions.iter().flat_map(|t| t.ids.iter().copied());
    ids.filter(|&id| {
        let Some(fate) = ledger.fate(id) else { return false };
        let (Some(offset), Some(tp)) = (fate.acknowledged_offset(), fate.tp()) else { return false };
        fate.truncated().is_none() && final_logs.get(&tp).is_some_and(|log| is_gap(log, offset))
    })
    .collect()
}

/// Computes the delivery checks.
/// - `final_logs`: per partition, the log that counts (the leader's, or the
///   most complete replica's when the partition is offline).
/// - `read_partitions`: partitions some consumer reads, for `unobserved`.
pub fn compute(
    ledger: &Ledger,
    final_logs: &BTreeMap<TopicPartition, &PartitionLog>,
    read_partitions: &BTreeSet<TopicPartition>,
    names: &Names,
    only_producer: Option<ClientIdx>,
) -> Delivery {
    let mut d = Delivery::default();
    let transactional = !ledger.transactions.is_empty() || !names.transactional_producers.is_empty();
    let mut decided = if transactional { super::atomicity::decisions(final_logs) } else { Default::default() };
    if transactional {
        decided.cleaned = removed_by_cleaner(ledger, final_logs);
    }
    let aborted_cleaned: BTreeSet<RecordId> = if decided.cleaned.is_empty() {
        BTreeSet::new()
    } else {
        let aborted = super::atomicity::aborted_ids(&ledger.transactions);
        decided.cleaned.intersection(&aborted).copied().collect()
    };
    if transactional {
        let transactions: Vec<_> =
            ledger.transactions.iter().filter(|t| only_producer.is_none_or(|p| p == t.producer)).cloned().collect();
        d.transactions = Some(super::atomicity::check(&transactions, &decided, names));
    }
    // Occurrences in the final logs, per producer and record number.
    let mut occurrences: Vec<Vec<u8>> = Vec::new();
    // Per (producer, key hash) in the partition at hand: the latest send number
    // seen in offset order. Only looked up, never iterated; hashed, so a
    // million distinct keys stay cheap.
    let mut latest_by_key: IndexMap<(u32, i32), u64> = IndexMap::new();
    for (&tp, log) in final_logs {
        latest_by_key.clear();
        for batch in log.batches() {
            for (offset, record) in batch.records() {
                let id = record.id();
                if id == RecordId::INTERNAL || only_producer.is_some_and(|p| p != id.producer) {
                    continue;
                }
                let per_producer = id.producer.0 as usize;
                if occurrences.len() <= per_producer {
                    occurrences.resize_with(per_producer + 1, Vec::new);
                }
                let counts = &mut occurrences[per_producer];
                if counts.len() <= id.number as usize {
                    counts.resize(id.number as usize + 1, 0);
                }
                counts[id.number as usize] = counts[id.number as usize].saturating_add(1);
                if counts[id.number as usize] == 2 {
                    d.duplicated += 1;
                    let retry = ledger.fate(id).and_then(|f| f.retried_after());
                    push_limited(&mut d.duplicated_records, || {
                        let why = match retry {
                            Some(error) => format!(
                                "; the producer retried after {error}, not knowing the first write had succeeded"
                            ),
                            None => String::new(),
                        };
                        note(
                            id,
                            tp,
                            Some(offset),
                            format!("key={} written again at @{offset}{why}", show_bytes(record.key())),
                            names,
                        )
                    });
                }
                // Keyed by a hash of the key: equal keys always group together.
                let key_hash = record.key().map_or(0, murmur2);
                let latest = latest_by_key.entry((id.producer.0, key_hash)).or_insert(id.number);
                if id.number < *latest {
                    d.reordered += 1;
                    push_limited(&mut d.reordered_records, || {
                        note(
                            id,
                            tp,
                            Some(offset),
                            format!(
                                "key={} sits after record #{} its producer sent later",
                                show_bytes(record.key()),
                                *latest
                            ),
                            names,
                        )
                    });
                } else {
                    *latest = id.number;
                }
            }
        }
    }
    for (id, fate) in ledger.records() {
        if only_producer.is_some_and(|p| p != id.producer) {
            continue;
        }
        d.produced += 1;
        let present =
            occurrences.get(id.producer.0 as usize).and_then(|c| c.get(id.number as usize)).copied().unwrap_or(0) > 0;
        match (fate.acknowledged_offset(), fate.failed()) {
            (Some(_), _) => d.acknowledged += 1,
            (None, true) => d.failed += 1,
            (None, false) => d.unacknowledged += 1,
        }
        if fate.was_delivered() {
            d.delivered += 1;
        }
        if fate.was_redelivered() {
            d.redelivered += 1;
        }
        if fate.was_never_processed() {
            d.unprocessed += 1;
        }
        let (Some(offset), Some(tp)) = (fate.acknowledged_offset(), fate.tp()) else {
            continue;
        };
        if present {
            // An aborted record is kept but meant for nobody: read_committed skips it.
            if !fate.was_delivered() && read_partitions.contains(&tp) && !decided.aborted.contains(&id) {
                d.unobserved += 1;
            }
            continue;
        }
        let log_start = final_logs.get(&tp).map_or(0, |l| l.log_start_offset());
        if offset >= 0 && offset < log_start {
            d.expired += 1;
            continue;
        }
        if fate.truncated().is_none() && final_logs.get(&tp).is_some_and(|log| is_gap(log, offset)) {
            // The cleaner removes an aborted transaction's records whatever
            // their keys: the transaction checks count those.
            if !aborted_cleaned.contains(&id) {
                d.compacted += 1;
            }
            continue;
        }
        d.lost += 1;
        push_limited(&mut d.lost_records, || {
            let mut detail = match final_logs.get(&tp) {
                None => "no replica of the partition is left".to_string(),
                Some(_) if offset < 0 => "sent with acks=0; no replica has it".to_string(),
                Some(log) if offset >= log.log_end_offset() => {
                    format!("acknowledged at @{offset}, but the final log ends at {}", log.log_end_offset())
                }
                Some(_) => format!("acknowledged at @{offset}, but that offset now holds another record"),
            };
            if let Some((broker, epoch)) = fate.truncated() {
                detail.push_str(&format!("; broker {broker} truncated it (written in leader epoch {epoch})"));
            }
            if let Some(&(_, unclean_epoch)) = ledger.unclean_elections.iter().find(|(p, _)| *p == tp) {
                detail.push_str(&format!(
                    "; an unclean election gave leader epoch {unclean_epoch} to an out-of-sync replica"
                ));
            }
            note(id, tp, (offset >= 0).then_some(offset), detail, names)
        });
    }
    d
}

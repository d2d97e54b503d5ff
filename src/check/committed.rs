//! Kafka's central promise: a record below the high watermark (committed)
//! survives every clean leader change. The checker notes each record the
//! moment a leader's high watermark passes it, and at the end of the run
//! verifies every one is still in its partition's final log — unless
//! retention deleted it or an unclean election (which gives up exactly this
//! promise) happened on that partition.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::broker::Broker;
use crate::cluster::log::PartitionLog;
use crate::ids::{BrokerId, Names, RecordId, TopicPartition};
use crate::trace::TraceEvent;

#[derive(Clone, Debug, Default)]
pub struct CommittedRecords {
    /// Per producer, per record number: where it was committed.
    committed: Vec<Vec<Option<(TopicPartition, i64)>>>,
    /// Per replica, up to which offset its log has been scanned.
    scanned_to: BTreeMap<(BrokerId, TopicPartition), i64>,
    unclean: BTreeSet<TopicPartition>,
    /// Partitions the log cleaner compacted: superseded records go legitimately.
    compacted: BTreeSet<TopicPartition>,
}

impl CommittedRecords {
    pub fn observe(&mut self, event: &TraceEvent, brokers: &[Broker]) {
        match event {
            TraceEvent::HighWatermark { broker, tp, high_watermark } => {
                let Some(log) = brokers.get((broker.0 - 1) as usize).and_then(|b| b.partitions.get(tp)).map(|p| &p.log)
                else {
                    return;
                };
                let from = self.scanned_to.get(&(*broker, *tp)).copied().unwrap_or(0).max(log.log_start_offset());
                self.mark(*tp, log, from, *high_watermark);
                self.scanned_to.insert((*broker, *tp), *high_watermark);
            }
            TraceEvent::Truncated { broker, tp, to_offset, .. } => {
                if let Some(scanned) = self.scanned_to.get_mut(&(*broker, *tp)) {
                    *scanned = (*scanned).min(*to_offset);
                }
            }
            TraceEvent::LeaderChange { tp, unclean: true, .. } => {
                self.unclean.insert(*tp);
            }
            TraceEvent::Compacted { tp, .. } => {
                self.compacted.insert(*tp);
            }
            _ => {}
        }
    }

    fn mark(&mut self, tp: TopicPartition, log: &PartitionLog, from: i64, to: i64) {
        for batch in log.read(from, to, u64::MAX) {
            for (offset, record) in batch.records() {
                let id = record.id();
                if offset < from || offset >= to || id == RecordId::INTERNAL {
                    continue;
                }
                let per_producer = id.producer.0 as usize;
                if self.committed.len() <= per_producer {
                    self.committed.resize_with(per_producer + 1, Vec::new);
                }
                let list = &mut self.committed[per_producer];
                if list.len() <= id.number as usize {
                    list.resize(id.number as usize + 1, None);
                }
                list[id.number as usize].get_or_insert((tp, offset));
            }
        }
    }

    /// Every committed record is in its partition's final log, or was deleted
    /// by retention, or its partition had an unclean election.
    pub fn verify(&self, final_logs: &BTreeMap<TopicPartition, &PartitionLog>, names: &Names) -> Result<(), String> {
        let mut present: BTreeSet<RecordId> = BTreeSet::new();
        for log in final_logs.values() {
            for batch in log.batches() {
                present.extend(batch.records().map(|(_, r)| r.id()));
            }
        }
        for (p, list) in self.committed.iter().enumerate() {
            for (n, entry) in list.iter().enumerate() {
                let Some((tp, offset)) = *entry else {
                    continue;
                };
                let id = RecordId { producer: crate::ids::ClientIdx(p as u32), number: n as u64 };
                let expired = final_logs.get(&tp).is_some_and(|l| offset < l.log_start_offset());
                let excused = self.unclean.contains(&tp) || self.compacted.contains(&tp);
                if !present.contains(&id) && !expired && !excused {
                    return Err(format!(
                        "record {}#{n} was committed at {} @{offset} (below the high watermark) and is gone, \
                         without an unclean election",
                        names.producer(id.producer),
                        names.partition(tp)
                    ));
                }
            }
        }
        Ok(())
    }
}

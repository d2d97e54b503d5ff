//! Invariants Kafka keeps, checked after every engine event in debug and test
//! builds (and with `--check`): a violation is a simulator bug, reported with
//! the command that replays it.
//!
//! - On every replica: `log_start_offset <= high_watermark <= log_end_offset`.
//! - On every replica: the log start offset never moves back.
//! - On a leader: the high watermark is not above the log end offset of any
//!   in-sync follower it knows of.
//! - After the log cleaner rewrote a replica's log: its offsets still
//!   strictly increase.
//! - At the end: no committed record was lost without an unclean election
//!   (`committed`), except those compaction removed.

use std::collections::BTreeMap;

use crate::cluster::broker::Broker;
use crate::ids::{BrokerId, Names, TopicPartition};

#[derive(Clone, Debug, Default)]
pub struct InvariantChecker {
    last_log_start: BTreeMap<(BrokerId, TopicPartition), i64>,
    /// Per replica, the compactions already checked.
    compactions_seen: BTreeMap<(BrokerId, TopicPartition), u32>,
    pub committed: super::committed::CommittedRecords,
}

impl InvariantChecker {
    /// Checks every broker; returns a description of the first violation.
    pub fn check(&mut self, brokers: &[Broker], names: &Names) -> Result<(), String> {
        for broker in brokers {
            for (&tp, partition) in &broker.partitions {
                let log = &partition.log;
                let (start, hw, end) = (log.log_start_offset(), log.high_watermark(), log.log_end_offset());
                if end == 0 {
                    // Nothing was ever written (most `__consumer_offsets` partitions).
                    continue;
                }
                let here = || format!("broker {} {}", broker.id, names.partition(tp));
                if !(start <= hw && hw <= end) {
                    return Err(format!(
                        "{}: log start {start} <= high watermark {hw} <= log end {end} does not hold",
                        here()
                    ));
                }
                let previous = self.last_log_start.insert((broker.id, tp), start);
                if previous.is_some_and(|p| p > start) {
                    return Err(format!(
                        "{}: log start offset moved back from {} to {start}",
                        here(),
                        previous.unwrap_or_default()
                    ));
                }
                if partition.compactions > 0
                    && self.compactions_seen.insert((broker.id, tp), partition.compactions)
                        != Some(partition.compactions)
                {
                    crate::cluster::cleaner::check_offsets_increase(log)
                        .map_err(|e| format!("{} after compaction: {e}", here()))?;
                }
                if partition.is_leader(broker.id) {
                    for member in &partition.state.isr {
                        if let Some(f) = partition.followers.get(member)
                            && *member != broker.id
                            && hw > f.log_end_offset
                            && f.log_end_offset >= 0
                        {
                            return Err(format!(
                                "{}: high watermark {hw} is above in-sync follower {member}'s log end {}",
                                here(),
                                f.log_end_offset
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

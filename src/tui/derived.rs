//! What the screen derives from the world at one step, computed once per
//! step rather than once per frame: the state of every expectation, and the
//! consumer-group tables.

use std::collections::BTreeMap;

use crate::ids::TopicPartition;
use crate::trace::report::{GroupReport, ProducerRow};
use crate::world::World;

/// Where an expectation stands at this step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Checked (at its time, or at the end) and held.
    Held,
    /// Checked and failed.
    Failed,
    /// Not checked yet; `holds_now` says how it would come out now.
    Pending { holds_now: bool },
}

#[derive(Clone, Debug)]
pub struct ExpectationNow {
    pub description: String,
    pub expected: String,
    /// `end` or a time.
    pub at: String,
    pub found: String,
    pub verdict: Verdict,
}

pub struct Derived {
    pub step: u64,
    /// The timeline's revision it was computed for (interventions change
    /// what a step shows).
    pub revision: u64,
    pub expectations: Vec<ExpectationNow>,
    pub groups: Vec<GroupReport>,
    pub producers: Vec<ProducerRow>,
    /// Per partition, offsets of acknowledged records that are gone from the
    /// log (truncated away, or overwritten by another record at the offset).
    pub lost: BTreeMap<TopicPartition, Vec<i64>>,
}

impl Derived {
    pub fn compute(world: &World, revision: u64) -> Self {
        let expectations = world
            .scenario
            .expectations
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let at = e.at.map_or("end".to_string(), |t| t.to_string());
                let (verdict, found) = match &world.results[i] {
                    Some(r) => (if r.passed { Verdict::Held } else { Verdict::Failed }, r.found.clone()),
                    None => {
                        let (holds_now, found) = world.expectation_now(i).unwrap_or((false, String::new()));
                        (Verdict::Pending { holds_now }, found)
                    }
                };
                ExpectationNow {
                    description: e.description.clone(),
                    expected: e.expected.to_string(),
                    at,
                    found,
                    verdict,
                }
            })
            .collect();
        let groups = world.group_names().iter().filter_map(|g| world.group_report(g)).collect();
        Derived {
            step: world.steps,
            revision,
            expectations,
            groups,
            producers: world.producer_rows(),
            lost: lost_offsets(world),
        }
    }

    pub fn count(&self, pick: impl Fn(&Verdict) -> bool) -> usize {
        self.expectations.iter().filter(|e| pick(&e.verdict)).count()
    }
}

/// Offsets where an acknowledged record should be and is not. Records below
/// the log start (retention) or compacted away (no record at the offset)
/// were removed on purpose and do not count.
fn lost_offsets(world: &World) -> BTreeMap<TopicPartition, Vec<i64>> {
    let mut lost: BTreeMap<TopicPartition, Vec<i64>> = BTreeMap::new();
    let mut logs = BTreeMap::new();
    for (id, fate) in world.ledger.records() {
        let (Some(tp), Some(offset)) = (fate.tp, fate.acknowledged_offset) else { continue };
        if offset < 0 {
            continue;
        }
        let log = *logs.entry(tp).or_insert_with(|| world.partition_view(tp).and_then(|v| v.log));
        let Some(log) = log else { continue };
        if offset < log.log_start_offset() {
            continue;
        }
        let present = match log.batch_at(offset) {
            None => offset < log.log_end_offset(),
            Some(batch) => batch.records().find(|(o, _)| *o == offset).is_none_or(|(_, r)| r.id() == id),
        };
        if !present {
            lost.entry(tp).or_default().push(offset);
        }
    }
    for offsets in lost.values_mut() {
        offsets.sort_unstable();
    }
    lost
}

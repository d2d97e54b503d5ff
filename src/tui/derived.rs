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
    pub revision: usize,
    pub expectations: Vec<ExpectationNow>,
    pub groups: Vec<GroupReport>,
    pub producers: Vec<ProducerRow>,
    /// Per partition, offsets of acknowledged records that are gone from the
    /// log (truncated away, or overwritten by another record at the offset).
    pub lost: BTreeMap<TopicPartition, Vec<i64>>,
    /// What `lost` depends on: it is only recomputed when this changes.
    lost_key: LostKey,
    /// Each group's committed offsets, groups in the scenario's order.
    pub committed: Vec<(String, BTreeMap<TopicPartition, i64>)>,
}

/// Records go missing only when a partition changes leader (or epoch), and
/// stop counting when retention moves the log start; new acknowledgements
/// are in the log when they are made. So the lost records stay the same
/// while the leaders, epochs, log starts and the acknowledged count do.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LostKey {
    partitions: Vec<(TopicPartition, Option<crate::ids::BrokerId>, i32, i64)>,
    acknowledged: u64,
}

impl LostKey {
    fn of(world: &World) -> Self {
        let partitions = world
            .partition_views()
            .iter()
            .map(|v| (v.tp, v.state.leader, v.state.leader_epoch, v.log.map_or(0, |l| l.log_start_offset())))
            .collect();
        LostKey { partitions, acknowledged: world.producers.iter().map(|p| p.acknowledged).sum() }
    }
}

/// Above this many records the per-producer delivery checks (which look at
/// every record) are left to the outcome at the end, so frames stay fast.
const LIVE_DELIVERY_RECORDS: u64 = 50_000;

impl Derived {
    /// The values at the world's step; `previous` (another step's) lets
    /// unchanged parts be reused.
    pub fn compute(world: &World, revision: usize, previous: Option<Derived>) -> Self {
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
        let lost_key = LostKey::of(world);
        let lost = match previous {
            Some(p) if p.lost_key == lost_key => p.lost,
            _ => lost_offsets(world),
        };
        let sent: u64 = world.producers.iter().map(|p| p.sent).sum();
        let producers = if sent <= LIVE_DELIVERY_RECORDS { world.producer_rows() } else { Vec::new() };
        let committed =
            world.group_names().into_iter().filter_map(|g| world.group_view(&g).map(|v| (g, v.committed))).collect();
        Derived { step: world.steps, revision, expectations, groups, producers, lost, lost_key, committed }
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
        let (Some(tp), Some(offset)) = (fate.tp(), fate.acknowledged_offset()) else { continue };
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

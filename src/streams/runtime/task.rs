//! A stream task: one partition of a sub-topology's source topics, its
//! state stores and its stream time. Kafka's `StreamTask`, with `TaskId`
//! printed `<subtopology>_<partition>`.
//!
//! Stream time is the largest event time the task has processed; it never
//! goes back, so an out-of-order record does not move it.

use std::collections::BTreeMap;
use std::fmt;

use crate::streams::runtime::restore::{ChangelogRestore, Restoring};
use crate::streams::runtime::store::{Store, StoreKey};
use crate::streams::topology::{NodeIdx, StoreIdx, Topology};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId {
    pub subtopology: u32,
    pub partition: u32,
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.subtopology, self.partition)
    }
}

/// A record in the suppression buffer: its value and timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub value: Option<Vec<u8>>,
    pub timestamp_ms: i64,
}

#[derive(Clone, Debug)]
pub struct Task {
    pub id: TaskId,
    pub stores: BTreeMap<StoreIdx, Store>,
    /// The largest event time processed; `None` before the first record.
    pub stream_time_ms: Option<i64>,
    /// Per windowed aggregation and suppression: the stream time it observed.
    pub observed_ms: BTreeMap<NodeIdx, i64>,
    /// Per suppression: what waits for its window to close, by window end.
    pub suppressed: BTreeMap<NodeIdx, BTreeMap<(i64, StoreKey), Suppressed>>,
    /// Kafka's task metric `dropped-records-total`.
    pub dropped_records: u64,
    pub processed: u64,
    /// RESTORING: its stores catch up from their changelogs first;
    /// `None`: RUNNING.
    pub restoring: Option<Restoring>,
    /// Changelog records restored into its stores when it opened.
    pub restored_records: u64,
}

impl Task {
    pub fn new(id: TaskId, topology: &Topology) -> Self {
        let stores = topology
            .subtopologies
            .iter()
            .find(|s| s.id == id.subtopology)
            .map(|s| s.stores.iter().map(|&i| (i, Store::default())).collect())
            .unwrap_or_default();
        Task {
            id,
            stores,
            stream_time_ms: None,
            observed_ms: BTreeMap::new(),
            suppressed: BTreeMap::new(),
            dropped_records: 0,
            processed: 0,
            restoring: None,
            restored_records: 0,
        }
    }

    /// A task that moved here: RESTORING while any store has a changelog
    /// (partition `p` of each, for task `s_p`), else RUNNING at once.
    pub fn opened(id: TaskId, app: &crate::streams::StreamsApp, now_ms: i64) -> Self {
        let mut task = Task::new(id, &app.topology);
        let changelogs: Vec<ChangelogRestore> = app
            .topology
            .changelog_topics(&app.application_id)
            .into_iter()
            .filter(|(store, _)| task.stores.contains_key(store))
            .map(|(store, topic)| ChangelogRestore {
                store,
                topic,
                partition: id.partition,
                end_offset: None,
                position: None,
                restored: 0,
            })
            .collect();
        if !changelogs.is_empty() {
            task.restoring = Some(Restoring { changelogs, since_ms: now_ms, end_offsets_asked: false });
        }
        task
    }

    /// Moves stream time on to `timestamp_ms` if it is later.
    pub fn advance_stream_time(&mut self, timestamp_ms: i64) {
        self.stream_time_ms = Some(self.stream_time_ms.map_or(timestamp_ms, |t| t.max(timestamp_ms)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_print_as_kafka_prints_them() {
        assert_eq!(TaskId { subtopology: 1, partition: 3 }.to_string(), "1_3");
    }

    #[test]
    fn stream_time_never_goes_back() {
        let topology = Topology {
            nodes: vec![],
            stores: vec![],
            subtopologies: vec![],
            global_stores: vec![],
            repartition_topics: vec![],
            copartition_groups: vec![],
        };
        let mut task = Task::new(TaskId { subtopology: 0, partition: 0 }, &topology);
        task.advance_stream_time(5_000);
        task.advance_stream_time(3_000);
        assert_eq!(task.stream_time_ms, Some(5_000), "an out-of-order record leaves it");
        task.advance_stream_time(7_000);
        assert_eq!(task.stream_time_ms, Some(7_000));
    }
}

//! Standby tasks (Kafka's `StandbyTask`): a copy of an active task's state
//! stores, kept up to date on another instance so that the task can move
//! there without restoring its whole changelog.
//!
//! - The group leader's assignor places `num.standby.replicas` standbys of
//!   each stateful task, never on the instance running it actively; each
//!   thread learns its standbys with its assignment.
//! - A standby processes nothing and writes nothing: its input partitions
//!   are not the thread's. Its stores follow their changelogs: the thread's
//!   restore consumer reads each changelog partition with no end offset (no
//!   restore limit), as `StoreChangelogReader` does in standby mode.
//! - While any active task of the thread restores, the standby changelogs
//!   are paused: the reader is in `ACTIVE_RESTORING` and turns to
//!   `STANDBY_UPDATING` only when every active task runs.
//! - The thread's subscription reports each standby's offset sum (the sum
//!   of its changelog positions, `TaskManager.getTaskOffsetSums`), so the
//!   leader sees how far behind the changelogs it is.
//! - When the assignment makes a standby active on its thread, the task
//!   keeps its stores (Kafka recycles the `StandbyTask` into a
//!   `StreamTask`) and restores only the gap: the restore consumer seeks
//!   to the standby's position and reads up to the end offset.
//!
//! Simplification: stores are in memory and go with their process, so a
//! restarted instance has no state to report (Kafka's persistent stores
//! report the offsets of their `.checkpoint` files); a standby moved
//! between two threads of one instance, or an active task turned standby,
//! starts over from the changelog's beginning (Kafka recycles the task
//! with its stores).

use std::collections::BTreeSet;

use crate::streams::StreamsApp;
use crate::streams::runtime::StreamThread;
use crate::streams::runtime::restore::{ChangelogRestore, Restoring};
use crate::streams::runtime::task::{Task, TaskId};
use crate::trace::streams::StreamsHappening;

#[derive(Clone, Debug)]
pub struct StandbyTask {
    /// The stores (and suppression buffers) it keeps; it never processes.
    pub task: Task,
    /// Per changelog partition: the restore consumer's position, and the
    /// records applied (`end_offset` stays `None`: no limit).
    pub changelogs: Vec<ChangelogRestore>,
}

impl StandbyTask {
    /// A new standby with empty stores, reading each store's changelog
    /// partition from the beginning.
    pub fn opened(id: TaskId, app: &StreamsApp) -> Self {
        let mut task = Task::opened(id, app, 0);
        let changelogs = task.restoring.take().map(|r| r.changelogs).unwrap_or_default();
        StandbyTask { task, changelogs }
    }

    /// The sum of its changelog positions: what it reports in its thread's
    /// subscription (a position not known yet counts 0).
    pub fn offset_sum(&self) -> i64 {
        self.changelogs.iter().map(|c| c.position.unwrap_or(0)).sum()
    }

    /// The standby turned active on its thread: same stores, RESTORING from
    /// each changelog's position up to the end offset asked next.
    pub fn into_active(self, now_ms: i64) -> Task {
        let mut task = self.task;
        let changelogs = self
            .changelogs
            .into_iter()
            .map(|c| ChangelogRestore {
                end_offset: None,
                starting_offset: c.position,
                position: None,
                restored: 0,
                ..c
            })
            .collect();
        task.restoring = Some(Restoring { changelogs, since_ms: now_ms, end_offsets_asked: false });
        task
    }
}

impl StreamThread {
    /// Opens the standbys newly assigned and closes those taken away (a
    /// standby made active here has already left, with its stores); tells
    /// which standbys the thread keeps when that changed.
    pub fn sync_standbys(&mut self, wanted: &BTreeSet<TaskId>, happenings: &mut Vec<StreamsHappening>) {
        let current: BTreeSet<TaskId> = self.standbys.keys().copied().collect();
        if *wanted == current {
            return;
        }
        self.standbys.retain(|id, _| wanted.contains(id));
        for &id in wanted.difference(&current) {
            let standby = StandbyTask::opened(id, &self.app);
            if !standby.changelogs.is_empty() {
                self.standbys.insert(id, standby);
            }
        }
        let tasks = self.standbys.keys().map(TaskId::to_string).collect();
        happenings.push(StreamsHappening::StandbyTasksAssigned { tasks });
    }

    /// Every changelog partition the thread's standbys follow, by task.
    pub fn standby_changelogs(&self) -> Vec<(TaskId, ChangelogRestore)> {
        self.standbys.iter().flat_map(|(id, s)| s.changelogs.iter().map(|c| (*id, c.clone()))).collect()
    }

    /// Whether an active task restores: standby changelogs wait meanwhile.
    pub fn active_restoring(&self) -> bool {
        self.tasks.values().any(|t| t.restoring.is_some())
    }

    /// The restore consumer's position on a standby's changelog partition;
    /// tells `onBatchLoaded` when `batch` records were just applied.
    pub fn standby_progress(
        &mut self,
        topic: &str,
        partition: u32,
        position: Option<i64>,
        batch: u64,
        happenings: &mut Vec<StreamsHappening>,
    ) {
        for (id, standby) in &mut self.standbys {
            for c in standby.changelogs.iter_mut().filter(|c| c.topic == topic && c.partition == partition) {
                if position.is_some() {
                    c.position = position;
                }
                if batch > 0 {
                    happenings.push(StreamsHappening::StandbyUpdated {
                        task: id.to_string(),
                        store: self.app.topology.stores[c.store].name.clone(),
                        changelog: c.partition_name(),
                        records: batch,
                        position: c.position.unwrap_or(0),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cases ported from Kafka's `StoreChangelogReaderTest`
    //! (streams/src/test/java/org/apache/kafka/streams/processor/internals/),
    //! on a counting application (`orders` → `groupByKey().count()`).
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::ids::ClientIdx;

    fn thread() -> StreamThread {
        let yaml = "name: t\ntopics:\n  - { name: orders, partitions: 3 }\nstreams:\n  - application.id: app\n    \
                    topology:\n      - stream: orders\n        then:\n          - group_by_key\n          - count\n";
        let app = match crate::scenario::load_str("t.yaml", yaml) {
            Ok(s) => s.streams.into_iter().next().expect("one application"),
            Err(e) => panic!("{}", e.render(false)),
        };
        StreamThread::new(Arc::new(app), "i1", 1, ClientIdx(0), Some(ClientIdx(1)), BTreeMap::new())
    }

    fn changelog(thread: &StreamThread) -> String {
        thread.app.topology.changelog_topics(&thread.app.application_id)[0].1.clone()
    }

    const TASK_1: TaskId = TaskId { subtopology: 0, partition: 1 };

    /// The store's contents: key → value text.
    fn contents(task: &Task) -> Vec<(String, String)> {
        task.stores
            .values()
            .flat_map(|s| s.entries.iter().map(|(k, v)| (k.key.clone(), String::from_utf8_lossy(v).into_owned())))
            .collect()
    }

    /// Puts changelog records (key, count) of partition 1 into the thread.
    fn write(thread: &mut StreamThread, records: &[(Option<&str>, &str)]) {
        let topic = changelog(thread);
        for (key, value) in records {
            thread.restore_record(&topic, 1, key.map(str::as_bytes), Some(value.as_bytes()), 0);
        }
    }

    #[test]
    fn a_standby_applies_every_changelog_record_with_no_limit_and_no_restore_callbacks() {
        // shouldNotUpdateLimitForNonSourceStandbyChangelog: records 5..=11,
        // one without a key (ignored), all applied; no end offset; no
        // onRestoreStart, onBatchRestored or onRestoreEnd.
        let mut t = thread();
        let mut happenings = Vec::new();
        t.sync_standbys(&[TASK_1].into(), &mut happenings);
        assert_eq!(happenings, [StreamsHappening::StandbyTasksAssigned { tasks: vec!["0_1".into()] }]);
        write(&mut t, &[(Some("a"), "1"), (Some("b"), "1"), (Some("a"), "2"), (None, "9"), (Some("c"), "1")]);
        write(&mut t, &[(Some("b"), "2"), (Some("a"), "3")]);
        let standby = &t.standbys[&TASK_1];
        assert_eq!(standby.changelogs[0].restored, 6, "the record without a key is skipped");
        assert_eq!(standby.changelogs[0].end_offset, None, "a standby reads with no end offset");
        assert_eq!(
            contents(&standby.task),
            [("a".into(), "3".into()), ("b".into(), "2".into()), ("c".into(), "1".into())]
        );
        let mut happenings = Vec::new();
        t.standby_progress(&changelog(&t), 1, Some(12), 7, &mut happenings);
        assert!(matches!(
            &happenings[..],
            [StreamsHappening::StandbyUpdated { task, records: 7, position: 12, .. }] if task == "0_1"
        ));
        t.finish_restoring(0, &mut happenings);
        assert_eq!(happenings.len(), 1, "a standby never restores, so it never ends restoring");
        assert!(t.tasks.is_empty(), "a standby is no active task: it processes nothing");
        assert_eq!(t.task_offset_sums(), [(TASK_1, 12)].into(), "the subscription reports the standby's position");
    }

    #[test]
    fn standby_changelogs_wait_while_an_active_task_restores() {
        // shouldOnlyRestoreStandbyChangelogInUpdateStandbyState: in
        // ACTIVE_RESTORING the standby changelogs are paused.
        let mut t = thread();
        let mut happenings = Vec::new();
        t.sync_standbys(&[TASK_1].into(), &mut happenings);
        assert!(!t.active_restoring(), "STANDBY_UPDATING: nothing active restores");
        t.sync_tasks(&[("orders".into(), 0)], 0, &mut happenings);
        assert!(t.active_restoring(), "ACTIVE_RESTORING while 0_0 restores");
        t.restore_progress(&changelog(&t), 0, Some(0), Some(0), 0, &mut happenings);
        t.finish_restoring(10, &mut happenings);
        assert!(!t.active_restoring(), "an empty changelog restores at once: back to STANDBY_UPDATING");
    }

    #[test]
    fn a_standby_made_active_keeps_its_store_and_restores_from_its_position() {
        // shouldRestoreMessagesFromCheckpoint: 10 records, position 5 → 5 restored.
        let mut t = thread();
        let mut happenings = Vec::new();
        t.sync_standbys(&[TASK_1].into(), &mut happenings);
        write(&mut t, &[(Some("a"), "1"), (Some("b"), "1"), (Some("a"), "2"), (Some("c"), "1"), (Some("a"), "3")]);
        t.standby_progress(&changelog(&t), 1, Some(5), 5, &mut happenings);
        let mut happenings = Vec::new();
        t.sync_tasks(&[("orders".into(), 1)], 1_000, &mut happenings);
        t.sync_standbys(&BTreeSet::new(), &mut happenings);
        assert!(t.standbys.is_empty());
        assert!(matches!(
            &happenings[0],
            StreamsHappening::TasksAssigned { restoring, from_standby, .. } if restoring == &["0_1"] && from_standby == &["0_1"]
        ));
        assert_eq!(t.task_offset_sums(), [(TASK_1, 5)].into(), "restoring from 5: its state holds offsets below 5");
        assert_eq!(contents(&t.tasks[&TASK_1]).len(), 3, "the standby's store is kept");
        let topic = changelog(&t);
        let mut happenings = Vec::new();
        t.restore_progress(&topic, 1, Some(10), Some(5), 0, &mut happenings);
        assert!(matches!(
            &happenings[..],
            [StreamsHappening::RestoreStarted { end_offset: 10, starting_offset: Some(5), .. }]
        ));
        write(&mut t, &[(Some("b"), "2"), (Some("d"), "1"), (Some("a"), "4"), (Some("e"), "1"), (Some("b"), "3")]);
        t.restore_progress(&topic, 1, Some(10), Some(10), 5, &mut happenings);
        t.finish_restoring(1_200, &mut happenings);
        assert!(matches!(happenings.last(), Some(StreamsHappening::RestoreEnded { restored: 5, took_ms: 200, .. })));
        assert_eq!(t.restored_records(), 5);
        let task = &t.tasks[&TASK_1];
        assert!(task.restoring.is_none());
        assert_eq!(
            contents(task),
            [
                ("a".into(), "4".into()),
                ("b".into(), "3".into()),
                ("c".into(), "1".into()),
                ("d".into(), "1".into()),
                ("e".into(), "1".into())
            ]
        );
    }

    #[test]
    fn a_standby_at_the_end_offset_restores_nothing() {
        // shouldNotRestoreAnythingWhenCheckpointAtEndOffset.
        let mut t = thread();
        let mut happenings = Vec::new();
        t.sync_standbys(&[TASK_1].into(), &mut happenings);
        write(&mut t, &[(Some("a"), "1"), (Some("a"), "2")]);
        t.standby_progress(&changelog(&t), 1, Some(2), 2, &mut happenings);
        t.sync_tasks(&[("orders".into(), 1)], 0, &mut happenings);
        let topic = changelog(&t);
        let mut happenings = Vec::new();
        t.restore_progress(&topic, 1, Some(2), Some(2), 0, &mut happenings);
        t.finish_restoring(0, &mut happenings);
        assert!(matches!(
            &happenings[..],
            [
                StreamsHappening::RestoreStarted { end_offset: 2, starting_offset: Some(2), .. },
                StreamsHappening::RestoreEnded { restored: 0, .. }
            ]
        ));
        assert_eq!(t.task_offset_sums(), [(TASK_1, crate::streams::assignor::LATEST_OFFSET)].into());
    }

    #[test]
    fn standbys_taken_away_or_lost_with_the_process_are_closed() {
        let mut t = thread();
        let mut happenings = Vec::new();
        let both: BTreeSet<TaskId> = [TaskId { subtopology: 0, partition: 0 }, TASK_1].into();
        t.sync_standbys(&both, &mut happenings);
        assert_eq!(t.standbys.len(), 2);
        t.sync_standbys(&[TASK_1].into(), &mut happenings);
        assert_eq!(t.standbys.keys().copied().collect::<Vec<_>>(), [TASK_1]);
        t.stop();
        assert!(t.standbys.is_empty() && t.task_offset_sums().is_empty(), "in-memory stores die with the process");
    }
}

//! Restoring a task's state stores from their changelogs, as Kafka's
//! `StoreChangelogReader` does, with the `StateRestoreListener` callbacks
//! (`onRestoreStart`, `onBatchRestored`, `onRestoreEnd`) as trace events.
//!
//! - A task that opens with logged stores starts **RESTORING**: for each
//!   store, partition `p` of its changelog (`p` = the task's partition).
//!   The thread's main consumer pauses the task's input partitions: the
//!   task processes nothing until every store has caught up.
//! - The end offset of each changelog partition is asked first
//!   (`endOffsets()`, a ListOffsets for the latest offset). A changelog
//!   that ends at 0 has nothing to restore.
//! - Otherwise the thread's restore consumer (`assign()`, no group) reads
//!   the changelog from its beginning (no checkpoint: see below) up to the
//!   end offset taken at the start, putting each record into the store
//!   (a null value deletes the key).
//! - When every changelog of the task has reached its end offset, the task
//!   turns **RUNNING**; its input partitions resume from the committed
//!   offsets.
//!
//! Simplification: stores are in memory, so there is never a `.checkpoint`
//! file to start from; Kafka's persistent (RocksDB) stores on an instance
//! that keeps its state directory restore only the tail after the
//! checkpointed offset.
//! Simplification: writing a restored record into a store takes no time;
//! what restoring costs here is the restore consumer's fetch round trips,
//! which grow with the changelog's size (`max.poll.records` 1000 a poll).

use crate::streams::runtime::StreamThread;
use crate::streams::runtime::store::StoreKey;
use crate::streams::runtime::task::{Suppressed, TaskId};
use crate::streams::topology::{NodeKind, Op, StoreIdx, StoreKind};
use crate::streams::windows::Window;
use crate::trace::streams::StreamsHappening;

/// One changelog partition a restoring task reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangelogRestore {
    pub store: StoreIdx,
    /// The changelog topic's full name.
    pub topic: String,
    pub partition: u32,
    /// The end offset `endOffsets()` answered; `None` until it has.
    pub end_offset: Option<i64>,
    /// The restore consumer's position: what has been read so far.
    pub position: Option<i64>,
    /// Records put into the store so far.
    pub restored: u64,
}

impl ChangelogRestore {
    /// `topic-partition`, as the trace names a partition.
    pub fn partition_name(&self) -> String {
        format!("{}-{}", self.topic, self.partition)
    }

    /// Whether the store has every record up to the end offset.
    pub fn is_done(&self) -> bool {
        match (self.end_offset, self.position) {
            (Some(end), _) if end <= 0 => true,
            (Some(end), Some(position)) => position >= end,
            _ => false,
        }
    }

    /// Whether the restore consumer should read it: its end is known and
    /// not reached.
    pub fn needs_reading(&self) -> bool {
        self.end_offset.is_some() && !self.is_done()
    }
}

/// A task in the RESTORING state: its changelogs and when it began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restoring {
    pub changelogs: Vec<ChangelogRestore>,
    /// Virtual milliseconds when the task began restoring.
    pub since_ms: i64,
    /// `endOffsets()` has been called for its changelogs.
    pub end_offsets_asked: bool,
}

impl Restoring {
    pub fn is_done(&self) -> bool {
        self.changelogs.iter().all(ChangelogRestore::is_done)
    }

    pub fn restored(&self) -> u64 {
        self.changelogs.iter().map(|c| c.restored).sum()
    }
}

/// A changelog record's key back into a store key: `[key@start/end]` for
/// windowed stores (`StoreKey::text`), the key itself otherwise.
pub fn store_key(text: &str, windowed: bool) -> Option<StoreKey> {
    if !windowed {
        return Some(StoreKey { key: text.to_string(), window: None });
    }
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let (key, bounds) = inner.rsplit_once('@')?;
    let (start, end) = bounds.split_once('/')?;
    let window = Window::new(start.parse().ok()?, end.parse().ok()?);
    Some(StoreKey { key: key.to_string(), window: Some(window) })
}

impl StreamThread {
    /// Every changelog partition of the thread's restoring tasks, by task.
    pub fn restoring_changelogs(&self) -> Vec<(TaskId, ChangelogRestore)> {
        self.tasks
            .iter()
            .filter_map(|(id, t)| t.restoring.as_ref().map(|r| (id, r)))
            .flat_map(|(id, r)| r.changelogs.iter().map(|c| (*id, c.clone())))
            .collect()
    }

    /// Restoring tasks whose end offsets are still to be asked; each is
    /// marked asked.
    pub fn take_end_offsets_to_ask(&mut self) -> Vec<(String, u32)> {
        let mut ask = Vec::new();
        for task in self.tasks.values_mut() {
            let Some(r) = task.restoring.as_mut().filter(|r| !r.end_offsets_asked) else { continue };
            r.end_offsets_asked = true;
            ask.extend(r.changelogs.iter().map(|c| (c.topic.clone(), c.partition)));
        }
        ask
    }

    /// The input partitions (of `assignment`) of tasks still restoring:
    /// the main consumer keeps them paused.
    pub fn paused_inputs(&self, assignment: &[(String, u32)]) -> Vec<(String, u32)> {
        assignment
            .iter()
            .filter(|(topic, p)| {
                self.tasks_for(&[(topic.clone(), *p)])
                    .iter()
                    .any(|id| self.tasks.get(id).is_some_and(|t| t.restoring.is_some()))
            })
            .cloned()
            .collect()
    }

    /// Puts one changelog record into its store (and, for a suppression
    /// buffer, back into the buffer).
    pub fn restore_record(
        &mut self,
        topic: &str,
        partition: u32,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        timestamp_ms: i64,
    ) {
        let app = std::sync::Arc::clone(&self.app);
        let restores = |t: &&mut crate::streams::runtime::Task| {
            t.restoring
                .as_ref()
                .is_some_and(|r| r.changelogs.iter().any(|c| c.topic == topic && c.partition == partition))
        };
        let Some(task) = self.tasks.values_mut().find(restores) else { return };
        let Some(restoring) = task.restoring.as_mut() else { return };
        let Some(changelog) = restoring.changelogs.iter_mut().find(|c| c.topic == topic && c.partition == partition)
        else {
            return;
        };
        let store = changelog.store;
        let kind = app.topology.stores[store].kind;
        let windowed = !matches!(kind, StoreKind::KeyValue);
        let text = key.map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default();
        let Some(store_key) = store_key(&text, windowed) else { return };
        changelog.restored += 1;
        let value = value.map(<[u8]>::to_vec);
        if kind == StoreKind::SuppressBuffer {
            let node = app
                .topology
                .nodes
                .iter()
                .position(|n| matches!(&n.kind, NodeKind::Processor(Op::Suppress { store: s, .. }) if *s == store));
            if let (Some(node), Some(window)) = (node, store_key.window) {
                let buffer = task.suppressed.entry(node).or_default();
                match &value {
                    Some(v) => {
                        buffer.insert(
                            (window.end_ms, store_key.clone()),
                            Suppressed { value: Some(v.clone()), timestamp_ms },
                        );
                    }
                    None => {
                        buffer.remove(&(window.end_ms, store_key.clone()));
                    }
                }
            }
        }
        task.stores.entry(store).or_default().put(store_key, value);
    }

    /// What the restore consumer now knows of a changelog partition: its
    /// end offset and its position. Tells `onRestoreStart` when the end
    /// offset first arrives and `onBatchRestored` when `batch` records
    /// were just put into the store.
    pub fn restore_progress(
        &mut self,
        topic: &str,
        partition: u32,
        end_offset: Option<i64>,
        position: Option<i64>,
        batch: u64,
        happenings: &mut Vec<StreamsHappening>,
    ) {
        let app = std::sync::Arc::clone(&self.app);
        for task in self.tasks.values_mut() {
            let id = task.id;
            let Some(restoring) = task.restoring.as_mut() else { continue };
            for c in restoring.changelogs.iter_mut().filter(|c| c.topic == topic && c.partition == partition) {
                let store = app.topology.stores[c.store].name.clone();
                if c.end_offset.is_none()
                    && let Some(end) = end_offset
                {
                    c.end_offset = Some(end);
                    happenings.push(StreamsHappening::RestoreStarted {
                        task: id.to_string(),
                        store: store.clone(),
                        changelog: c.partition_name(),
                        end_offset: end,
                    });
                }
                if c.end_offset.is_some() && position.is_some() {
                    c.position = position;
                }
                if batch > 0 {
                    happenings.push(StreamsHappening::BatchRestored {
                        task: id.to_string(),
                        store,
                        changelog: c.partition_name(),
                        restored: c.restored,
                        position: c.position.unwrap_or(0),
                        end_offset: c.end_offset.unwrap_or(0),
                    });
                }
            }
        }
    }

    /// Tasks whose every changelog is restored turn RUNNING (`onRestoreEnd`).
    pub fn finish_restoring(&mut self, now_ms: i64, happenings: &mut Vec<StreamsHappening>) {
        for task in self.tasks.values_mut() {
            let Some(restoring) = task.restoring.as_ref().filter(|r| r.is_done()) else { continue };
            happenings.push(StreamsHappening::RestoreEnded {
                task: task.id.to_string(),
                restored: restoring.restored(),
                took_ms: now_ms - restoring.since_ms,
            });
            task.restored_records += restoring.restored();
            task.restoring = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changelog(end: Option<i64>, position: Option<i64>) -> ChangelogRestore {
        ChangelogRestore {
            store: 0,
            topic: "app-counts-changelog".into(),
            partition: 1,
            end_offset: end,
            position,
            restored: 0,
        }
    }

    #[test]
    fn a_changelog_is_restored_once_the_position_reaches_the_end_offset() {
        assert!(!changelog(None, Some(10)).is_done(), "the end offset is not known yet");
        assert!(!changelog(Some(10), None).is_done());
        assert!(!changelog(Some(10), Some(9)).is_done());
        assert!(changelog(Some(10), Some(10)).is_done());
        assert!(changelog(Some(10), Some(12)).is_done(), "compaction can leave the last offsets empty");
        assert!(changelog(Some(0), None).is_done(), "an empty changelog has nothing to restore");
        assert!(!changelog(Some(0), None).needs_reading());
        assert!(changelog(Some(3), Some(1)).needs_reading());
    }

    #[test]
    fn windowed_changelog_keys_read_back_into_store_keys() {
        let key = StoreKey { key: "a@b".into(), window: Some(Window::new(0, 60_000)) };
        assert_eq!(store_key(&key.text(), true), Some(key));
        assert_eq!(store_key("[a@b@0/60000]", false).map(|k| k.key), Some("[a@b@0/60000]".to_string()));
        assert_eq!(store_key("city-1", true), None, "a windowed store's key has its window");
    }
}

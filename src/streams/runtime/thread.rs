//! A stream thread (Kafka's `StreamThread`): its tasks follow its
//! consumer's assignment; each record its consumer polls goes to the task
//! of its partition; every `commit.interval.ms` it commits.
//!
//! The commit, at-least-once (`TaskManager.commit`): flush the record
//! caches (updates go downstream and to the changelogs), wait until the
//! producer has everything acknowledged (`producer.flush()`), then commit
//! the consumer's positions. Outputs are safe before the input offsets
//! move, so a crash replays input — and writes its outputs again — rather
//! than losing any.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::ids::ClientIdx;
use crate::streams::StreamsApp;
use crate::streams::expr::{key_to_val, value_to_val};
use crate::streams::runtime::Output;
use crate::streams::runtime::cache::RecordCache;
use crate::streams::runtime::process::{Env, Rec};
use crate::streams::runtime::task::{Task, TaskId};
use crate::streams::topology::{NodeIdx, NodeKind};
use crate::trace::streams::StreamsHappening;

/// `<instance>-StreamThread-<n>`, as Kafka names a thread (its client id
/// prefix is the instance's).
pub fn thread_name(instance: &str, n: u32) -> String {
    format!("{instance}-StreamThread-{n}")
}

/// The name of a thread's consumer.
pub fn consumer_name(thread: &str) -> String {
    format!("{thread}-consumer")
}

/// The name of a thread's restore consumer (`assign()`, no group), which
/// reads changelogs into the stores of restoring tasks.
pub fn restore_consumer_name(thread: &str) -> String {
    format!("{thread}-restore-consumer")
}

/// The name of a thread's producer for one topic.
pub fn producer_name(thread: &str, topic: &str) -> String {
    format!("{thread}-producer[{topic}]")
}

/// Every topic an application's threads write: sinks (user and
/// repartition topics) and changelogs, each once, in topology order.
pub fn written_topics(app: &StreamsApp) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    for node in &app.topology.nodes {
        if let NodeKind::Sink { topic, repartition } = &node.kind {
            let t = if *repartition { app.internal_topic(topic) } else { topic.clone() };
            if !topics.contains(&t) {
                topics.push(t);
            }
        }
    }
    for (_, t) in app.topology.changelog_topics(&app.application_id) {
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    topics
}

/// Every topic an application's threads read (user and repartition topics), sorted.
pub fn read_topics(app: &StreamsApp) -> BTreeSet<String> {
    app.topology
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Source { topic, repartition: true } => Some(app.internal_topic(topic)),
            NodeKind::Source { topic, repartition: false } => Some(topic.clone()),
            _ => None,
        })
        .collect()
}

#[derive(Clone, Debug)]
pub struct StreamThread {
    pub app: Arc<StreamsApp>,
    pub name: String,
    pub instance: String,
    pub consumer: ClientIdx,
    /// The restore consumer; `None` for an application without stores.
    pub restore_consumer: Option<ClientIdx>,
    /// The producer writing each topic, by topic name.
    pub producers: BTreeMap<String, ClientIdx>,
    pub tasks: BTreeMap<TaskId, Task>,
    pub cache: RecordCache,
    /// When the next commit is due (event-time-free virtual ms); `None`
    /// until the thread runs.
    pub next_commit_ms: Option<i64>,
    /// Offsets to commit once the producers have flushed.
    pub pending_commit: Option<Vec<(crate::ids::TopicPartition, i64)>>,
    /// A processor failed: the thread stopped.
    pub failed: bool,
    /// `dropped-records-total` of tasks this thread has closed.
    pub dropped_records_closed: u64,
}

impl StreamThread {
    pub fn new(
        app: Arc<StreamsApp>,
        instance: &str,
        n: u32,
        consumer: ClientIdx,
        restore_consumer: Option<ClientIdx>,
        producers: BTreeMap<String, ClientIdx>,
    ) -> Self {
        let threads = app.config.num_stream_threads.max(1) as i64;
        let share = (app.config.statestore_cache_max_bytes / threads).max(0) as usize;
        StreamThread {
            name: thread_name(instance, n),
            instance: instance.to_string(),
            app,
            consumer,
            restore_consumer,
            producers,
            tasks: BTreeMap::new(),
            cache: RecordCache::new(share),
            next_commit_ms: None,
            pending_commit: None,
            failed: false,
            dropped_records_closed: 0,
        }
    }

    /// `dropped-records-total` over the thread's tasks, open and closed.
    pub fn dropped_records(&self) -> u64 {
        self.dropped_records_closed + self.tasks.values().map(|t| t.dropped_records).sum::<u64>()
    }

    /// The sub-topology reading `topic`, and its source nodes for it.
    fn sources(&self, topic: &str) -> Option<(u32, Vec<NodeIdx>)> {
        let app = &self.app;
        let nodes: Vec<NodeIdx> = app
            .topology
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| match &n.kind {
                NodeKind::Source { topic: t, repartition: true } => app.internal_topic(t) == topic,
                NodeKind::Source { topic: t, repartition: false } => t == topic,
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        let first = *nodes.first()?;
        Some((app.topology.nodes[first].subtopology, nodes))
    }

    /// The tasks of an assignment (topic name, partition): task `s_p` for
    /// partition `p` of a topic sub-topology `s` reads.
    pub fn tasks_for(&self, assignment: &[(String, u32)]) -> BTreeSet<TaskId> {
        assignment
            .iter()
            .filter_map(|(topic, p)| self.sources(topic).map(|(s, _)| TaskId { subtopology: s, partition: *p }))
            .collect()
    }

    /// Opens the tasks newly assigned and closes those taken away; tells
    /// which it runs when that changed.
    pub fn sync_tasks(&mut self, assignment: &[(String, u32)], now_ms: i64, happenings: &mut Vec<StreamsHappening>) {
        let wanted = self.tasks_for(assignment);
        let current: BTreeSet<TaskId> = self.tasks.keys().copied().collect();
        if wanted == current {
            return;
        }
        for gone in current.difference(&wanted) {
            if let Some(task) = self.tasks.remove(gone) {
                self.dropped_records_closed += task.dropped_records;
            }
            self.cache.drop_task(*gone);
        }
        let mut restoring = Vec::new();
        for &id in wanted.difference(&current) {
            let task = Task::opened(id, &self.app, now_ms);
            if task.restoring.is_some() {
                restoring.push(id.to_string());
            }
            self.tasks.insert(id, task);
        }
        happenings
            .push(StreamsHappening::TasksAssigned { tasks: wanted.iter().map(TaskId::to_string).collect(), restoring });
    }

    /// Kafka's `TaskManager.getTaskOffsetSums`: a running active task is
    /// fully caught up (`LATEST_OFFSET`); a restoring one reports how far
    /// its stores have read their changelogs.
    pub fn task_offset_sums(&self) -> BTreeMap<TaskId, i64> {
        self.tasks
            .iter()
            .filter(|(_, task)| !task.stores.is_empty())
            .map(|(&id, task)| {
                let sum = match &task.restoring {
                    None => crate::streams::assignor::LATEST_OFFSET,
                    Some(r) => r.changelogs.iter().map(|c| c.position.unwrap_or(0)).sum(),
                };
                (id, sum)
            })
            .collect()
    }

    /// The thread's process died or closed: tasks, stores and caches go.
    pub fn stop(&mut self) {
        self.dropped_records_closed += self.tasks.values().map(|t| t.dropped_records).sum::<u64>();
        self.tasks.clear();
        self.cache = RecordCache::new(self.cache.max_bytes);
        self.next_commit_ms = None;
        self.pending_commit = None;
        self.failed = false;
    }

    /// The event time of a record: the scenario's value field for records
    /// of user topics (a `TimestampExtractor`), else its timestamp.
    fn event_time(&self, topic: &str, value: Option<&[u8]>, timestamp_ms: i64) -> Result<i64, String> {
        let Some(field) = &self.app.timestamp_field else { return Ok(timestamp_ms) };
        if self
            .app
            .topology
            .is_repartition_topic(topic.strip_prefix(&format!("{}-", self.app.application_id)).unwrap_or(""))
        {
            return Ok(timestamp_ms);
        }
        let json: Option<serde_json::Value> = value.and_then(|v| serde_json::from_slice(v).ok());
        // A whole number written with an exponent (`17e3`) is a whole number too.
        let whole = |v: &serde_json::Value| {
            v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        };
        match json.as_ref().and_then(|j| j.get(field)).and_then(whole) {
            Some(t) if t >= 0 => Ok(t),
            Some(t) => Err(format!("its event time {t} is negative")),
            None => Err(format!("its value has no whole number `{field}` for the event time")),
        }
    }

    /// Runs one polled record through its task; outputs go to `outputs`.
    #[allow(clippy::too_many_arguments)]
    pub fn process(
        &mut self,
        topic: &str,
        partition: u32,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        timestamp_ms: i64,
        outputs: &mut Vec<Output>,
        happenings: &mut Vec<StreamsHappening>,
    ) {
        if self.failed {
            return;
        }
        let Some((subtopology, sources)) = self.sources(topic) else { return };
        let id = TaskId { subtopology, partition };
        let event_time = self.event_time(topic, value, timestamp_ms);
        let app = Arc::clone(&self.app);
        // A restoring task's partitions are paused: nothing reaches it.
        let Some(task) = self.tasks.get_mut(&id).filter(|t| t.restoring.is_none()) else { return };
        let event_time = match event_time {
            Ok(t) => t,
            Err(reason) => {
                task.dropped_records += 1;
                happenings.push(StreamsHappening::InvalidTimestamp {
                    task: id.to_string(),
                    topic: topic.to_string(),
                    reason,
                });
                return;
            }
        };
        task.advance_stream_time(event_time);
        task.processed += 1;
        let mut env = Env { app: &app, cache: &mut self.cache, outputs, happenings };
        let mut result = Ok(());
        for source in sources {
            let rec = Rec { key: key_to_val(key), value: value_to_val(value), timestamp_ms: event_time, window: None };
            result = task.process_node(&mut env, source, rec);
            if result.is_err() {
                break;
            }
        }
        if let Err(f) = result {
            happenings.push(StreamsHappening::ProcessingFailed {
                task: id.to_string(),
                processor: f.processor,
                error: f.error,
            });
            self.failed = true;
        }
    }

    /// Whether a commit is due at `now_ms` (the first call starts the clock).
    pub fn commit_due(&mut self, now_ms: i64) -> bool {
        let interval = self.app.config.commit_interval_ms();
        match self.next_commit_ms {
            None => {
                self.next_commit_ms = Some(now_ms + interval);
                false
            }
            Some(due) if now_ms >= due => {
                self.next_commit_ms = Some(now_ms + interval);
                true
            }
            Some(_) => false,
        }
    }

    /// The commit's first step: every cached update goes downstream.
    pub fn flush_caches(&mut self, outputs: &mut Vec<Output>, happenings: &mut Vec<StreamsHappening>) {
        let app = Arc::clone(&self.app);
        for flushed in self.cache.flush() {
            let Some(task) = self.tasks.get_mut(&flushed.task) else { continue };
            let id = flushed.task;
            let mut env = Env { app: &app, cache: &mut self.cache, outputs, happenings };
            let result = task.hand_on(&mut env, flushed);
            if let Err(f) = result {
                happenings.push(StreamsHappening::ProcessingFailed {
                    task: id.to_string(),
                    processor: f.processor,
                    error: f.error,
                });
                self.failed = true;
                return;
            }
        }
    }
}

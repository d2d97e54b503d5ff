//! What a Kafka Streams application does that a student watches: tasks
//! given to a stream thread, caches flushed, offsets committed, late
//! records dropped, a window's final result emitted.

/// One thing a stream thread did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsEvent {
    /// `application.id`.
    pub app: String,
    /// The stream thread, `<instance>-StreamThread-<n>`.
    pub thread: String,
    pub what: StreamsHappening,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamsHappening {
    /// The thread's active tasks after a rebalance (`0_0`, `1_2`, ...),
    /// and those of them that restore their stores first.
    TasksAssigned { tasks: Vec<String>, restoring: Vec<String> },
    /// `onRestoreStart`: a restoring task's store reads its changelog
    /// partition from the beginning up to this end offset.
    RestoreStarted { task: String, store: String, changelog: String, end_offset: i64 },
    /// `onBatchRestored`: records of a poll put into the store.
    BatchRestored { task: String, store: String, changelog: String, restored: u64, position: i64, end_offset: i64 },
    /// `onRestoreEnd`: every store of the task caught up; it turns RUNNING.
    RestoreEnded { task: String, restored: u64, took_ms: i64 },
    /// Input a task processes again: an earlier owner processed these
    /// offsets but never committed them (at-least-once).
    Reprocessed { task: String, partition: String, from_offset: i64, to_offset: i64 },
    /// The record cache handed a store's dirty entries downstream (and to
    /// the changelog): at a commit, or when the thread's cache was full.
    CacheFlushed { task: String, store: String, records: usize, eviction: bool },
    /// Input offsets committed after the outputs were acknowledged.
    Committed { offsets: Vec<(String, i64)> },
    /// A record arrived for a window that had closed (`dropped-records`).
    RecordDropped {
        task: String,
        processor: String,
        key: String,
        timestamp_ms: i64,
        window: String,
        stream_time_ms: i64,
    },
    /// A record without a usable event time was skipped (`dropped-records`).
    InvalidTimestamp { task: String, topic: String, reason: String },
    /// `suppress(untilWindowCloses)` emitted a window's final result.
    WindowEmitted { task: String, key: String, window: String, value: String },
    /// A processor's expression failed: the thread stops, as a stream
    /// thread dies on an uncaught exception.
    ProcessingFailed { task: String, processor: String, error: String },
    /// The group leader ran `StreamsPartitionAssignor` (Kafka 4.0's
    /// `HighAvailabilityTaskAssignor`): each thread's active and standby
    /// tasks, and whether a probing rebalance must follow for warm-ups.
    TasksDecided { active: Vec<(String, Vec<String>)>, standby: Vec<(String, Vec<String>)>, probing_rebalance: bool },
}

/// `a: 0_0 0_1; b: 0_2` — tasks per thread, threads without any left out.
fn tasks_per_thread(list: &[(String, Vec<String>)]) -> String {
    let parts: Vec<String> =
        list.iter().filter(|(_, t)| !t.is_empty()).map(|(thread, t)| format!("{thread}: {}", t.join(" "))).collect();
    if parts.is_empty() { "none".to_string() } else { parts.join("; ") }
}

impl StreamsEvent {
    /// The narration line.
    pub fn line(&self) -> String {
        let who = &self.thread;
        match &self.what {
            StreamsHappening::TasksAssigned { tasks, .. } if tasks.is_empty() => {
                format!("{who} has no active task")
            }
            StreamsHappening::TasksAssigned { tasks, restoring } if restoring.is_empty() => {
                format!("{who} runs task{} {}", if tasks.len() == 1 { "" } else { "s" }, tasks.join(", "))
            }
            StreamsHappening::TasksAssigned { tasks, restoring } => format!(
                "{who} runs task{} {}; {} {} from the changelog first (RESTORING: input partitions paused)",
                if tasks.len() == 1 { "" } else { "s" },
                tasks.join(", "),
                restoring.join(", "),
                if restoring.len() == 1 { "restores its state" } else { "restore their state" },
            ),
            StreamsHappening::RestoreStarted { task, store, changelog, end_offset } if *end_offset <= 0 => {
                format!("{who} task {task}: {store}'s changelog {changelog} is empty: nothing to restore")
            }
            StreamsHappening::RestoreStarted { task, store, changelog, end_offset } => format!(
                "{who} task {task}: restoring {store} from {changelog}, from its beginning up to end offset {end_offset}"
            ),
            StreamsHappening::BatchRestored { task, store, changelog, restored, position, end_offset } => format!(
                "{who} task {task}: {restored} record{} of {changelog} restored into {store} ({position}/{end_offset})",
                if *restored == 1 { "" } else { "s" }
            ),
            StreamsHappening::RestoreEnded { task, restored, took_ms } => format!(
                "{who} task {task} restored {restored} record{} in {took_ms} ms: RESTORING -> RUNNING, its input partitions resume from the committed offsets",
                if *restored == 1 { "" } else { "s" }
            ),
            StreamsHappening::Reprocessed { task, partition, from_offset, to_offset } => format!(
                "{who} task {task} processes {partition} offsets {from_offset}..{} again ({} record{}): an earlier owner processed them but crashed before committing (at-least-once)",
                to_offset - 1,
                to_offset - from_offset,
                if to_offset - from_offset == 1 { "" } else { "s" }
            ),
            StreamsHappening::CacheFlushed { task, store, records, eviction } => format!(
                "{who} task {task}: the cache hands {records} update{} of {store} downstream and to its changelog ({})",
                if *records == 1 { "" } else { "s" },
                if *eviction { "the cache is full: least recently used first" } else { "commit" }
            ),
            StreamsHappening::Committed { offsets } => {
                let list: Vec<String> = offsets.iter().map(|(tp, o)| format!("{tp}@{o}")).collect();
                format!(
                    "{who} commits its input offsets {} (outputs acknowledged first: at-least-once)",
                    list.join(" ")
                )
            }
            StreamsHappening::RecordDropped { task, processor, key, timestamp_ms, window, stream_time_ms } => format!(
                "{who} task {task}: {processor} drops key={key} at event time {timestamp_ms} ms: window {window} closed (stream time {stream_time_ms} ms is past its end plus grace): \"Skipping record for expired window\", dropped-records +1"
            ),
            StreamsHappening::InvalidTimestamp { task, topic, reason } => {
                format!("{who} task {task}: a record of {topic} is skipped: {reason} — dropped-records +1")
            }
            StreamsHappening::WindowEmitted { task, key, window, value } => {
                format!(
                    "{who} task {task}: window {window} of key={key} closed: its final result {value} goes downstream"
                )
            }
            StreamsHappening::ProcessingFailed { task, processor, error } => {
                format!("{who} task {task}: {processor} failed: {error}; the stream thread stops")
            }
            StreamsHappening::TasksDecided { active, standby, probing_rebalance } => format!(
                "{who}, the group leader, assigns tasks (HighAvailabilityTaskAssignor): active {}; standby {}{}",
                tasks_per_thread(active),
                tasks_per_thread(standby),
                if *probing_rebalance {
                    "; warm-ups catch up before their tasks move: a probing rebalance follows"
                } else {
                    ""
                }
            ),
        }
    }

    /// The stable kind name in JSON output.
    pub fn kind(&self) -> &'static str {
        match self.what {
            StreamsHappening::TasksAssigned { .. } => "streams_tasks_assigned",
            StreamsHappening::RestoreStarted { .. } => "streams_restore_started",
            StreamsHappening::BatchRestored { .. } => "streams_batch_restored",
            StreamsHappening::RestoreEnded { .. } => "streams_restore_ended",
            StreamsHappening::Reprocessed { .. } => "streams_reprocessed",
            StreamsHappening::CacheFlushed { .. } => "streams_cache_flushed",
            StreamsHappening::Committed { .. } => "streams_committed",
            StreamsHappening::RecordDropped { .. } => "streams_record_dropped",
            StreamsHappening::InvalidTimestamp { .. } => "streams_invalid_timestamp",
            StreamsHappening::WindowEmitted { .. } => "streams_window_emitted",
            StreamsHappening::ProcessingFailed { .. } => "streams_processing_failed",
            StreamsHappening::TasksDecided { .. } => "streams_tasks_decided",
        }
    }
}

/// The event's fields in JSON output.
pub fn json(e: &StreamsEvent) -> serde_json::Value {
    use serde_json::json;
    let fields = match &e.what {
        StreamsHappening::TasksAssigned { tasks, restoring } if restoring.is_empty() => json!({ "tasks": tasks }),
        StreamsHappening::TasksAssigned { tasks, restoring } => json!({ "tasks": tasks, "restoring": restoring }),
        StreamsHappening::RestoreStarted { task, store, changelog, end_offset } => {
            json!({ "task": task, "store": store, "changelog": changelog, "end_offset": end_offset })
        }
        StreamsHappening::BatchRestored { task, store, changelog, restored, position, end_offset } => json!({
            "task": task, "store": store, "changelog": changelog, "restored": restored,
            "position": position, "end_offset": end_offset
        }),
        StreamsHappening::RestoreEnded { task, restored, took_ms } => {
            json!({ "task": task, "restored": restored, "took_ms": took_ms })
        }
        StreamsHappening::Reprocessed { task, partition, from_offset, to_offset } => {
            json!({ "task": task, "partition": partition, "from_offset": from_offset, "to_offset": to_offset })
        }
        StreamsHappening::CacheFlushed { task, store, records, eviction } => {
            json!({ "task": task, "store": store, "records": records, "eviction": eviction })
        }
        StreamsHappening::Committed { offsets } => {
            json!({ "offsets": offsets.iter().map(|(tp, o)| json!({ "partition": tp, "offset": o })).collect::<Vec<_>>() })
        }
        StreamsHappening::RecordDropped { task, processor, key, timestamp_ms, window, stream_time_ms } => json!({
            "task": task, "processor": processor, "key": key, "timestamp_ms": timestamp_ms,
            "window": window, "stream_time_ms": stream_time_ms
        }),
        StreamsHappening::InvalidTimestamp { task, topic, reason } => {
            json!({ "task": task, "topic": topic, "reason": reason })
        }
        StreamsHappening::WindowEmitted { task, key, window, value } => {
            json!({ "task": task, "key": key, "window": window, "value": value })
        }
        StreamsHappening::ProcessingFailed { task, processor, error } => {
            json!({ "task": task, "processor": processor, "error": error })
        }
        StreamsHappening::TasksDecided { active, standby, probing_rebalance } => {
            let per_thread = |list: &Vec<(String, Vec<String>)>| -> serde_json::Map<String, serde_json::Value> {
                list.iter().map(|(thread, tasks)| (thread.clone(), json!(tasks))).collect()
            };
            json!({ "active": per_thread(active), "standby": per_thread(standby), "probing_rebalance": probing_rebalance })
        }
    };
    let mut obj = json!({ "app": e.app, "thread": e.thread });
    if let (Some(o), serde_json::Value::Object(f)) = (obj.as_object_mut(), fields) {
        o.extend(f);
    }
    obj
}

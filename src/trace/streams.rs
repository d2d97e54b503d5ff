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
    /// The thread's active tasks after a rebalance (`0_0`, `1_2`, ...).
    TasksAssigned { tasks: Vec<String> },
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
}

impl StreamsEvent {
    /// The narration line.
    pub fn line(&self) -> String {
        let who = &self.thread;
        match &self.what {
            StreamsHappening::TasksAssigned { tasks } if tasks.is_empty() => {
                format!("{who} has no active task")
            }
            StreamsHappening::TasksAssigned { tasks } => {
                format!("{who} runs task{} {}", if tasks.len() == 1 { "" } else { "s" }, tasks.join(", "))
            }
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
        }
    }

    /// The stable kind name in JSON output.
    pub fn kind(&self) -> &'static str {
        match self.what {
            StreamsHappening::TasksAssigned { .. } => "streams_tasks_assigned",
            StreamsHappening::CacheFlushed { .. } => "streams_cache_flushed",
            StreamsHappening::Committed { .. } => "streams_committed",
            StreamsHappening::RecordDropped { .. } => "streams_record_dropped",
            StreamsHappening::InvalidTimestamp { .. } => "streams_invalid_timestamp",
            StreamsHappening::WindowEmitted { .. } => "streams_window_emitted",
            StreamsHappening::ProcessingFailed { .. } => "streams_processing_failed",
        }
    }
}

/// The event's fields in JSON output.
pub fn json(e: &StreamsEvent) -> serde_json::Value {
    use serde_json::json;
    let fields = match &e.what {
        StreamsHappening::TasksAssigned { tasks } => json!({ "tasks": tasks }),
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
    };
    let mut obj = json!({ "app": e.app, "thread": e.thread });
    if let (Some(o), serde_json::Value::Object(f)) = (obj.as_object_mut(), fields) {
        o.extend(f);
    }
    obj
}

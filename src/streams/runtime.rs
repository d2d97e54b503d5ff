//! The Kafka Streams runtime: stream threads that process what their
//! consumer polled, task by task, through the topology's processors, and
//! hand what comes out (sink records, changelog records) to their
//! producers — the simulated clients, never a shortcut into broker state.
//!
//! - A stream thread is a consumer of the group named by `application.id`
//!   (`enable.auto.commit=false`, `auto.offset.reset=earliest`, as Kafka
//!   Streams configures its consumer) plus a producer. Its **tasks** follow
//!   its assignment: partition `p` of a sub-topology `s`'s source topics is
//!   task `s_p` ([`task`]).
//! - Each task keeps its state stores and its **stream time** (the largest
//!   event time it has processed); a windowed aggregation keeps its own
//!   observed stream time and drops records for windows closed at
//!   `end + grace` (`dropped-records`) ([`process`]).
//! - The thread's **record cache** (`statestore.cache.max.bytes`, split
//!   over the threads) keeps the latest update per key of each store and
//!   hands it downstream and to the changelog only at a commit, or when
//!   the cache is full ([`cache`]).
//! - Every `commit.interval.ms` the thread flushes its caches, waits until
//!   its producer has every output acknowledged (`producer.flush()`), then
//!   commits the input offsets it processed: at-least-once. A crash between
//!   commits replays the input since the last commit ([`thread`]).
//!
//! Under `exactly_once_v2` the same commit would run inside a transaction
//! (`sendOffsetsToTransaction` + `commitTransaction`): the commit step is
//! the one place it changes.
//!
//! Simplification: a thread uses one producer per topic it writes (Kafka
//! uses one per thread); record timestamps, keys and partitions are the same.
//! Simplification: a thread commits at the first event after its commit
//! interval has passed (Kafka checks after each poll, which here happens at
//! least every `fetch.max.wait.ms`).
//! - A task that moves to a thread restores its stores from their
//!   changelogs before it processes anything ([`restore`]).
//!
//! - Each thread's subscription tells the group leader the offset sums of
//!   the task states it holds (`LATEST_OFFSET` for a running task), which
//!   Kafka Streams' assignor ([`crate::streams::assignor`]) uses to keep
//!   tasks where their state is.
//!
//! - Standby tasks keep copies of stores on other instances, following the
//!   changelogs; a standby made active restores only the gap ([`standby`]).
//!
//! Simplification: applications run `at_least_once` only; the loader refuses
//! `processing.guarantee: exactly_once_v2` (the `exactly-once-pipeline`
//! scenario shows Kafka's transactions in a consume-transform-produce loop).
//! Simplification: joins, sliding and session windows and global tables are
//! described (`explain topology`) but not run: an application using them
//! does not start its threads.

mod cache;
mod process;
pub mod restore;
pub mod standby;
mod store;
mod task;
pub mod thread;

pub use cache::RecordCache;
pub use store::{Store, StoreKey};
pub use task::{Task, TaskId};
pub use thread::StreamThread;

/// A record a thread hands its producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The full topic name (internal topics carry the `application.id`).
    pub topic: String,
    /// The task's partition for a changelog record; `None`: by key.
    pub partition: Option<u32>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub timestamp_ms: i64,
}

/// Why an application's threads do not run.
pub fn unsupported(topology: &crate::streams::topology::Topology) -> Option<String> {
    use crate::streams::topology::{NodeKind, Op};
    use crate::streams::windows::Windows;
    if !topology.global_stores.is_empty() {
        return Some("global tables are not run by the simulator yet".into());
    }
    topology.nodes.iter().find_map(|n| match &n.kind {
        NodeKind::Processor(
            Op::JoinWindow { .. }
            | Op::StreamStreamJoin { .. }
            | Op::StreamTableJoin { .. }
            | Op::StreamGlobalTableJoin { .. }
            | Op::TableTableJoin { .. }
            | Op::GlobalTableSource { .. },
        ) => Some(format!("{} is a join, which the simulator describes but does not run yet", n.name)),
        NodeKind::Processor(Op::Aggregate {
            windows: Some(w @ (Windows::Sliding { .. } | Windows::Session { .. })),
            ..
        }) => Some(format!("{} uses {} windows, which the simulator describes but does not run yet", n.name, w.kind())),
        _ => None,
    })
}

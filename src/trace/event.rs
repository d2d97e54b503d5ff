//! The trace events: one per thing a student could want to see happen.

use std::sync::Arc;

use crate::cluster::record::{LogBatch, RecordBatch};
use crate::engine::SimTime;
use crate::ids::{BrokerId, ClientIdx, Host, NodeId, RecordId, TopicPartition};
use crate::protocol::ErrorCode;

/// How prominent an event is in narration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The lesson's story: narration, faults, writes, reads, elections, outcomes.
    Story,
    /// Protocol detail: requests, high-watermark moves, retries.
    Detail,
    /// Every message on the network.
    Debug,
}

/// A trace event with the virtual time and engine step it happened at.
#[derive(Clone, Debug)]
pub struct TracedEvent {
    pub time: SimTime,
    /// Number of the engine event (queue pop) that emitted it.
    pub step: u64,
    pub event: TraceEvent,
}

#[derive(Clone, Debug)]
pub enum TraceEvent {
    /// A line of the lesson's narration (`say:` in the scenario).
    Say { text: String },
    /// A scenario timeline action: a client started or stopped, a fault injected.
    Action { text: String },
    /// The application called `send()`.
    Send {
        producer: ClientIdx,
        tp: TopicPartition,
        id: RecordId,
        key: Option<Arc<[u8]>>,
    },
    /// A producer sent a batch in a ProduceRequest.
    BatchSent {
        producer: ClientIdx,
        broker: BrokerId,
        tp: TopicPartition,
        records: u32,
        attempt: u32,
    },
    /// A leader appended a batch and assigned it offsets.
    Append {
        broker: BrokerId,
        tp: TopicPartition,
        batch: LogBatch,
    },
    /// A leader recognised a retried batch it already had (idempotence).
    DuplicateBatch {
        broker: BrokerId,
        tp: TopicPartition,
        base_offset: i64,
        records: u32,
    },
    /// A leader refused a write.
    ProduceRejected {
        broker: BrokerId,
        tp: TopicPartition,
        error: ErrorCode,
        records: u32,
    },
    /// The high watermark moved on a leader.
    HighWatermark {
        broker: BrokerId,
        tp: TopicPartition,
        high_watermark: i64,
    },
    /// A replica deleted its oldest segments by retention.
    SegmentsDeleted {
        broker: BrokerId,
        tp: TopicPartition,
        reason: &'static str,
        segments: usize,
        records: usize,
        log_start_offset: i64,
    },
    /// The producer learned its batch was written at `base_offset`.
    Acknowledged {
        producer: ClientIdx,
        tp: TopicPartition,
        base_offset: i64,
        batch: Arc<RecordBatch>,
    },
    /// A produce attempt failed; `retry` says whether the producer will try again.
    ProduceFailed {
        producer: ClientIdx,
        tp: TopicPartition,
        error: ErrorCode,
        records: u32,
        retry: bool,
    },
    /// Records the producer gave up on: the application's callback gets an error.
    DeliveryFailed {
        producer: ClientIdx,
        tp: TopicPartition,
        error: String,
        ids: Vec<RecordId>,
    },
    /// A producer learned its producer id (idempotence).
    ProducerId {
        producer: ClientIdx,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// A consumer's position was set (reset policy, seek or committed offset).
    Position {
        consumer: ClientIdx,
        tp: TopicPartition,
        offset: i64,
        reason: String,
    },
    /// Records handed to a consumer application by `poll()`: `batch` records with
    /// offsets in `[from_offset, to_offset)`.
    Consumed {
        consumer: ClientIdx,
        tp: TopicPartition,
        batch: LogBatch,
        from_offset: i64,
        to_offset: i64,
    },
    /// A client refreshed its metadata.
    MetadataUpdated { node: NodeId, summary: String },
    /// A message left one node for another.
    MessageSent {
        from: NodeId,
        to: NodeId,
        api: &'static str,
    },
    /// The network lost a message.
    MessageDropped {
        from: NodeId,
        to: NodeId,
        api: &'static str,
        reason: &'static str,
    },
    /// A host crashed, restarted or was cut off.
    HostState { host: Host, state: String },
    /// An expectation was evaluated.
    Expectation {
        index: usize,
        passed: bool,
        description: String,
        found: String,
    },
}

impl TraceEvent {
    pub fn level(&self) -> Level {
        match self {
            TraceEvent::Say { .. }
            | TraceEvent::Action { .. }
            | TraceEvent::Append { .. }
            | TraceEvent::DuplicateBatch { .. }
            | TraceEvent::ProduceRejected { .. }
            | TraceEvent::SegmentsDeleted { .. }
            | TraceEvent::DeliveryFailed { .. }
            | TraceEvent::Position { .. }
            | TraceEvent::Consumed { .. }
            | TraceEvent::MessageDropped { .. }
            | TraceEvent::HostState { .. }
            | TraceEvent::Expectation { .. } => Level::Story,
            TraceEvent::Send { .. }
            | TraceEvent::BatchSent { .. }
            | TraceEvent::HighWatermark { .. }
            | TraceEvent::Acknowledged { .. }
            | TraceEvent::ProduceFailed { .. }
            | TraceEvent::ProducerId { .. }
            | TraceEvent::MetadataUpdated { .. } => Level::Detail,
            TraceEvent::MessageSent { .. } => Level::Debug,
        }
    }

    /// The stable name of the event kind in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            TraceEvent::Say { .. } => "say",
            TraceEvent::Action { .. } => "action",
            TraceEvent::Send { .. } => "send",
            TraceEvent::BatchSent { .. } => "batch_sent",
            TraceEvent::Append { .. } => "append",
            TraceEvent::DuplicateBatch { .. } => "duplicate_batch",
            TraceEvent::ProduceRejected { .. } => "produce_rejected",
            TraceEvent::HighWatermark { .. } => "high_watermark",
            TraceEvent::SegmentsDeleted { .. } => "segments_deleted",
            TraceEvent::Acknowledged { .. } => "acknowledged",
            TraceEvent::ProduceFailed { .. } => "produce_failed",
            TraceEvent::DeliveryFailed { .. } => "delivery_failed",
            TraceEvent::ProducerId { .. } => "producer_id",
            TraceEvent::Position { .. } => "position",
            TraceEvent::Consumed { .. } => "consumed",
            TraceEvent::MetadataUpdated { .. } => "metadata_updated",
            TraceEvent::MessageSent { .. } => "message_sent",
            TraceEvent::MessageDropped { .. } => "message_dropped",
            TraceEvent::HostState { .. } => "host_state",
            TraceEvent::Expectation { .. } => "expectation",
        }
    }
}

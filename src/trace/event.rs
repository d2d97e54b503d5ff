//! The trace events: one per thing a student could want to see happen.

use std::sync::Arc;

use crate::cluster::cleaner::Cleaned;
use crate::cluster::log::TruncatedRecord;
use crate::cluster::record::{LogBatch, RecordBatch};
use crate::engine::SimTime;
use crate::group::assignor::Strategy;
use crate::ids::{BrokerId, ClientIdx, ControllerId, Host, Names, NodeId, RecordId, TopicPartition};
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

/// One member's share of a generation, as the coordinator holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberAssignment {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// The client id the member joined with (the start of a dynamic member's id).
    pub client_id: String,
    /// Where the member connects from (its consumer).
    pub node: NodeId,
    pub assignment: Vec<TopicPartition>,
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
    Send { producer: ClientIdx, tp: TopicPartition, id: RecordId, key: Option<Arc<[u8]>> },
    /// A producer sent a batch in a ProduceRequest.
    BatchSent { producer: ClientIdx, broker: BrokerId, tp: TopicPartition, records: u32, attempt: u32 },
    /// A leader appended a batch and assigned it offsets.
    Append { broker: BrokerId, tp: TopicPartition, batch: LogBatch },
    /// A leader recognised a retried batch it already had (idempotence).
    DuplicateBatch { broker: BrokerId, tp: TopicPartition, base_offset: i64, records: u32 },
    /// A leader refused a write.
    ProduceRejected { broker: BrokerId, tp: TopicPartition, error: ErrorCode, records: u32 },
    /// The high watermark moved on a leader.
    HighWatermark { broker: BrokerId, tp: TopicPartition, high_watermark: i64 },
    /// A replica deleted its oldest segments by retention.
    SegmentsDeleted {
        broker: BrokerId,
        tp: TopicPartition,
        reason: &'static str,
        segments: usize,
        records: usize,
        log_start_offset: i64,
    },
    /// A replica's log cleaner compacted its log.
    Compacted { broker: BrokerId, tp: TopicPartition, cleaned: Cleaned },
    /// The producer learned its batch was written at `base_offset`.
    Acknowledged { producer: ClientIdx, tp: TopicPartition, base_offset: i64, batch: Arc<RecordBatch> },
    /// A produce attempt failed; `retry` says whether the producer will try again.
    ProduceFailed {
        producer: ClientIdx,
        tp: TopicPartition,
        error: ErrorCode,
        records: u32,
        retry: bool,
        /// The records of the failed batch.
        ids: Vec<RecordId>,
    },
    /// Records the producer gave up on: the application's callback gets an error.
    DeliveryFailed { producer: ClientIdx, tp: TopicPartition, error: String, ids: Vec<RecordId> },
    /// A producer learned its producer id (idempotence).
    ProducerId { producer: ClientIdx, producer_id: i64, producer_epoch: i16 },
    /// A producer hit a fatal error: the application must close it.
    ProducerFailed { producer: ClientIdx, exception: String, reason: String },
    /// A transaction coordinator adopted a new state of a transactional id,
    /// once its record in `__transaction_state` (`tp`) was replicated.
    TransactionState {
        broker: BrokerId,
        transactional_id: String,
        tp: TopicPartition,
        state: crate::txn::state::TransactionState,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// A transaction coordinator sends WriteTxnMarkers: a COMMIT or ABORT
    /// marker for each partition of the transaction.
    TransactionMarkers {
        broker: BrokerId,
        transactional_id: String,
        marker: &'static str,
        partitions: Vec<TopicPartition>,
    },
    /// A transactional producer's application ended a transaction:
    /// `commit` or `abort` (its EndTxn was answered), or `crash` (it died
    /// with the transaction open). `ids` are the records sent in it.
    TransactionEnded { producer: ClientIdx, outcome: &'static str, producer_epoch: i16, ids: Vec<RecordId> },
    /// A consumer's position was set (reset policy, seek or committed offset).
    Position { consumer: ClientIdx, tp: TopicPartition, offset: i64, reason: String },
    /// Records handed to a consumer application by `poll()`: `batch` records with
    /// offsets in `[from_offset, to_offset)`.
    Consumed { consumer: ClientIdx, tp: TopicPartition, batch: LogBatch, from_offset: i64, to_offset: i64 },
    /// A consumer crashed before its application processed these records.
    /// `committed`: their offsets were committed before processing, so the
    /// group will not deliver them again (at-most-once).
    Abandoned { consumer: ClientIdx, ids: Vec<RecordId>, committed: bool },
    /// A client got an error code in a response (produce errors are
    /// `ProduceFailed`, which also says what the producer does next).
    ErrorResponse { client: NodeId, from: NodeId, api: &'static str, error: ErrorCode, partitions: Vec<TopicPartition> },
    /// A client refreshed its metadata.
    MetadataUpdated { node: NodeId, summary: String },
    /// A message left one node for another.
    MessageSent { from: NodeId, to: NodeId, api: &'static str },
    /// The network lost a message.
    MessageDropped { from: NodeId, to: NodeId, api: &'static str, reason: &'static str },
    /// A host crashed, restarted or was cut off.
    HostState { host: Host, state: String },
    /// A controller became the active one.
    ControllerActive { controller: ControllerId },
    /// The active controller created a topic while the cluster runs
    /// (CreateTopics): its partitions' replicas, leader first.
    TopicCreated { topic: crate::ids::TopicId, name: String, replicas: Vec<Vec<BrokerId>> },
    /// The active controller refused to create a topic, with Kafka's error and message.
    TopicRefused { name: String, error: ErrorCode, message: String },
    /// A broker registered with the controller (after a restart).
    BrokerRegistered { broker: BrokerId, broker_epoch: i64 },
    /// The controller fenced a broker: out of every ISR, no leaderships.
    BrokerFenced { broker: BrokerId, reason: String },
    /// A fenced broker caught up with the metadata and was unfenced.
    BrokerUnfenced { broker: BrokerId },
    /// The controller gave a partition a new leader (or none: offline).
    LeaderChange {
        tp: TopicPartition,
        previous: Option<BrokerId>,
        leader: Option<BrokerId>,
        leader_epoch: i32,
        isr: Vec<BrokerId>,
        reason: String,
        unclean: bool,
    },
    /// A partition's in-sync replica set changed, its leader staying.
    IsrChange {
        tp: TopicPartition,
        leader: Option<BrokerId>,
        previous: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        reason: String,
    },
    /// A broker took up its role for a partition after a metadata change.
    RoleChange { broker: BrokerId, tp: TopicPartition, leader: Option<BrokerId>, leader_epoch: i32 },
    /// A follower copied records from its leader.
    Replicated { broker: BrokerId, tp: TopicPartition, from_offset: i64, to_offset: i64, high_watermark: i64 },
    /// A replica removed records from the end of its log, because they diverge
    /// from the current leader's log.
    Truncated { broker: BrokerId, tp: TopicPartition, to_offset: i64, records: Vec<TruncatedRecord>, reason: String },
    /// The coordinator started a rebalance of a group.
    RebalanceStarted { group: String, generation: i32, reason: String },
    /// A rebalance's join phase ended: a new generation with a leader.
    GenerationStarted {
        group: String,
        generation: i32,
        protocol: Option<Strategy>,
        leader: Option<String>,
        members: Vec<String>,
    },
    /// A generation's assignment is in force (written to `__consumer_offsets`):
    /// who got what, members in the order the assignors sort them.
    GroupAssignment { group: String, generation: i32, protocol: Option<Strategy>, members: Vec<MemberAssignment> },
    /// A static member came back under a new member id; the old one is fenced.
    MemberReplaced { group: String, instance: String, old_member_id: String, new_member_id: String },
    /// The coordinator removed a member.
    MemberRemoved { group: String, member_id: String, reason: String },
    /// A consumer joined a group's generation.
    Joined { consumer: ClientIdx, group: String, member_id: String, generation: i32, leader: bool },
    /// A consumer received its assignment.
    Assigned {
        consumer: ClientIdx,
        group: String,
        generation: i32,
        assignment: Vec<TopicPartition>,
        added: Vec<TopicPartition>,
    },
    /// A consumer gave partitions up in a rebalance.
    Revoked { consumer: ClientIdx, group: String, partitions: Vec<TopicPartition>, eager: bool },
    /// Offsets were committed (the commit is in `__consumer_offsets`).
    /// `changed`: some offset differs from this consumer's previous commit.
    OffsetsCommitted { consumer: ClientIdx, group: String, offsets: Vec<(TopicPartition, i64)>, changed: bool },
    /// An offset commit failed.
    CommitFailed { consumer: ClientIdx, group: String, error: String },
    /// A client's application got an exception it does not handle, and stopped.
    ClientFailed { consumer: ClientIdx, exception: String, reason: String },
    /// A consumer left its group.
    LeftGroup { consumer: ClientIdx, group: String, reason: String },
    /// A coordinator deleted a group's committed offsets that outlived
    /// `offsets.retention.minutes`, and the group too when it was left empty
    /// with none (tombstones in `__consumer_offsets`).
    OffsetsExpired {
        group: String,
        partitions: Vec<TopicPartition>,
        group_deleted: bool,
        retention_minutes: u64,
        reason: String,
    },
    /// The application was paused or resumed (it stops or starts calling poll()).
    Paused { consumer: ClientIdx, paused: bool },
    /// An expectation was evaluated.
    Expectation { index: usize, passed: bool, description: String, found: String },
    /// The Schema Registry, and the clients' Avro serializers and deserializers.
    Registry(super::registry::RegistryEvent),
    /// A Kafka Streams thread ran tasks, flushed a cache, committed, dropped a record...
    Streams(crate::trace::streams::StreamsEvent),
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
            | TraceEvent::Compacted { .. }
            | TraceEvent::DeliveryFailed { .. }
            | TraceEvent::Position { .. }
            | TraceEvent::Consumed { .. }
            | TraceEvent::Abandoned { .. }
            | TraceEvent::HostState { .. }
            | TraceEvent::Expectation { .. }
            | TraceEvent::ControllerActive { .. }
            | TraceEvent::TopicCreated { .. }
            | TraceEvent::TopicRefused { .. }
            | TraceEvent::BrokerFenced { .. }
            | TraceEvent::BrokerUnfenced { .. }
            | TraceEvent::LeaderChange { .. }
            | TraceEvent::IsrChange { .. }
            | TraceEvent::Truncated { .. }
            | TraceEvent::RebalanceStarted { .. }
            | TraceEvent::GenerationStarted { .. }
            | TraceEvent::GroupAssignment { .. }
            | TraceEvent::MemberRemoved { .. }
            | TraceEvent::MemberReplaced { .. }
            | TraceEvent::Assigned { .. }
            | TraceEvent::Revoked { .. }
            | TraceEvent::CommitFailed { .. }
            | TraceEvent::LeftGroup { .. }
            | TraceEvent::OffsetsExpired { .. }
            | TraceEvent::ClientFailed { .. }
            | TraceEvent::Paused { .. }
            | TraceEvent::TransactionState { .. }
            | TraceEvent::TransactionMarkers { .. }
            | TraceEvent::TransactionEnded { .. }
            | TraceEvent::ProducerFailed { .. }
            | TraceEvent::Streams(_) => Level::Story,
            // Auto-commit repeats unchanged offsets every interval: only news is told.
            TraceEvent::OffsetsCommitted { changed: true, .. } => Level::Story,
            TraceEvent::OffsetsCommitted { changed: false, .. } => Level::Detail,
            TraceEvent::Joined { .. } => Level::Detail,
            TraceEvent::BrokerRegistered { .. } | TraceEvent::RoleChange { .. } | TraceEvent::Replicated { .. } => {
                Level::Detail
            }
            TraceEvent::Send { .. }
            | TraceEvent::BatchSent { .. }
            | TraceEvent::HighWatermark { .. }
            | TraceEvent::Acknowledged { .. }
            | TraceEvent::ProduceFailed { .. }
            | TraceEvent::ProducerId { .. }
            | TraceEvent::ErrorResponse { .. }
            | TraceEvent::MetadataUpdated { .. }
            | TraceEvent::MessageDropped { .. } => Level::Detail,
            TraceEvent::MessageSent { .. } => Level::Debug,
            TraceEvent::Registry(event) => event.level(),
        }
    }

    /// The replica-level partition an event is about, if any.
    fn replica_partition(&self) -> Option<TopicPartition> {
        match self {
            TraceEvent::Append { tp, .. }
            | TraceEvent::DuplicateBatch { tp, .. }
            | TraceEvent::ProduceRejected { tp, .. }
            | TraceEvent::HighWatermark { tp, .. }
            | TraceEvent::SegmentsDeleted { tp, .. }
            | TraceEvent::Compacted { tp, .. }
            | TraceEvent::LeaderChange { tp, .. }
            | TraceEvent::IsrChange { tp, .. }
            | TraceEvent::RoleChange { tp, .. }
            | TraceEvent::Replicated { tp, .. }
            | TraceEvent::Truncated { tp, .. } => Some(*tp),
            _ => None,
        }
    }

    /// The level, in a scenario: `__consumer_offsets` has 50 partitions, and
    /// only those holding the scenario's groups are worth narrating; their
    /// commit records are narrated from the consumer's side instead.
    pub fn level_among(&self, names: &Names) -> Level {
        let level = self.level();
        match self.replica_partition() {
            Some(tp) if names.transaction_state_topic == Some(tp.topic) => {
                if !names.transaction_partitions.contains(&tp.partition) {
                    Level::Debug
                } else if matches!(self, TraceEvent::Append { .. }) {
                    Level::Detail
                } else {
                    level
                }
            }
            Some(tp) if names.offsets_topic == Some(tp.topic) => {
                if !names.group_partitions.contains(&tp.partition) {
                    Level::Debug
                } else if matches!(self, TraceEvent::Append { .. }) {
                    Level::Detail
                } else {
                    level
                }
            }
            _ => level,
        }
    }

    /// The stable name of the event kind in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            TraceEvent::Say { .. } => "say",
            TraceEvent::Streams(e) => e.kind(),
            TraceEvent::Action { .. } => "action",
            TraceEvent::Send { .. } => "send",
            TraceEvent::BatchSent { .. } => "batch_sent",
            TraceEvent::Append { .. } => "append",
            TraceEvent::DuplicateBatch { .. } => "duplicate_batch",
            TraceEvent::ProduceRejected { .. } => "produce_rejected",
            TraceEvent::HighWatermark { .. } => "high_watermark",
            TraceEvent::SegmentsDeleted { .. } => "segments_deleted",
            TraceEvent::Compacted { .. } => "compacted",
            TraceEvent::Acknowledged { .. } => "acknowledged",
            TraceEvent::ProduceFailed { .. } => "produce_failed",
            TraceEvent::DeliveryFailed { .. } => "delivery_failed",
            TraceEvent::ProducerId { .. } => "producer_id",
            TraceEvent::TransactionState { .. } => "transaction_state",
            TraceEvent::TransactionMarkers { .. } => "transaction_markers",
            TraceEvent::TransactionEnded { .. } => "transaction_ended",
            TraceEvent::ProducerFailed { .. } => "producer_failed",
            TraceEvent::Position { .. } => "position",
            TraceEvent::Consumed { .. } => "consumed",
            TraceEvent::Abandoned { .. } => "abandoned",
            TraceEvent::ErrorResponse { .. } => "error_response",
            TraceEvent::MetadataUpdated { .. } => "metadata_updated",
            TraceEvent::MessageSent { .. } => "message_sent",
            TraceEvent::MessageDropped { .. } => "message_dropped",
            TraceEvent::HostState { .. } => "host_state",
            TraceEvent::Expectation { .. } => "expectation",
            TraceEvent::ControllerActive { .. } => "controller_active",
            TraceEvent::TopicCreated { .. } => "topic_created",
            TraceEvent::TopicRefused { .. } => "topic_refused",
            TraceEvent::BrokerRegistered { .. } => "broker_registered",
            TraceEvent::BrokerFenced { .. } => "broker_fenced",
            TraceEvent::BrokerUnfenced { .. } => "broker_unfenced",
            TraceEvent::LeaderChange { .. } => "leader_change",
            TraceEvent::IsrChange { .. } => "isr_change",
            TraceEvent::RoleChange { .. } => "role_change",
            TraceEvent::Replicated { .. } => "replicated",
            TraceEvent::Truncated { .. } => "truncated",
            TraceEvent::RebalanceStarted { .. } => "rebalance_started",
            TraceEvent::GenerationStarted { .. } => "generation_started",
            TraceEvent::GroupAssignment { .. } => "group_assignment",
            TraceEvent::MemberRemoved { .. } => "member_removed",
            TraceEvent::MemberReplaced { .. } => "member_replaced",
            TraceEvent::Joined { .. } => "joined",
            TraceEvent::Assigned { .. } => "assigned",
            TraceEvent::Revoked { .. } => "revoked",
            TraceEvent::OffsetsCommitted { .. } => "offsets_committed",
            TraceEvent::CommitFailed { .. } => "commit_failed",
            TraceEvent::LeftGroup { .. } => "left_group",
            TraceEvent::OffsetsExpired { .. } => "offsets_expired",
            TraceEvent::ClientFailed { .. } => "client_failed",
            TraceEvent::Paused { .. } => "paused",
            TraceEvent::Registry(event) => event.kind(),
        }
    }
}

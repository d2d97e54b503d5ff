//! Requests and responses, named after Kafka's APIs.
//!
//! Clients and brokers talk only through these messages, carried by the
//! simulated network, so a lesson can say exactly what Kafka says: "the follower
//! sends a Fetch with its log end offset; the leader answers with records and its
//! high watermark". Fields keep Kafka's names where a student would meet them.
//!
//! Simplification: there is no wire encoding, no API versions and no request
//! header beyond a correlation id.

pub mod admin;
pub mod error;
pub mod group;
pub mod metadata;
pub mod registry;
pub mod response_errors;
pub mod txn;

use std::sync::Arc;

use serde::Serialize;

pub use admin::{CreateTopicsRequest, CreateTopicsResponse, CreatedTopic, NewTopic};
pub use error::ErrorCode;
pub use group::*;
pub use metadata::*;
pub use response_errors::ResponseError;
pub use txn::{AddPartitionsToTxnRequest, TxnMessage};

use crate::cluster::record::{LogBatch, RecordBatch};
use crate::cluster::transaction_index::AbortedTransaction;
use crate::ids::{BrokerId, TopicPartition};

/// Matches a response to its request, per client connection.
pub type CorrelationId = u64;

/// The producer's `acks` setting as sent in a ProduceRequest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Acks {
    /// `acks=0`: fire and forget; the broker sends no response.
    None,
    /// `acks=1`: the leader answers once it has appended.
    Leader,
    /// `acks=all` (`-1`): the leader answers once every in-sync replica has it.
    All,
}

impl Acks {
    pub fn as_config(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ProduceRequest {
    pub correlation_id: CorrelationId,
    /// A transactional producer's id: the leader checks with the id's
    /// coordinator that the partition is in the producer's transaction.
    pub transactional_id: Option<String>,
    pub acks: Acks,
    pub timeout_ms: u64,
    pub partitions: Vec<(TopicPartition, Arc<RecordBatch>)>,
}

#[derive(Clone, Debug)]
pub struct ProducePartitionResponse {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub base_offset: i64,
    pub log_start_offset: i64,
}

#[derive(Clone, Debug)]
pub struct ProduceResponse {
    pub correlation_id: CorrelationId,
    pub partitions: Vec<ProducePartitionResponse>,
}

#[derive(Clone, Debug)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub fetch_offset: i64,
    /// The leader epoch the fetcher believes is current (KIP-320); a mismatch is
    /// FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH.
    pub current_leader_epoch: Option<i32>,
    /// Epoch of the fetcher's last batch: lets the leader detect divergence.
    pub last_fetched_epoch: Option<i32>,
    /// A follower's log start offset (followers only).
    pub log_start_offset: i64,
}

/// A consumer's `isolation.level`, sent in Fetch and ListOffsets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum IsolationLevel {
    /// Read up to the high watermark, records of aborted transactions
    /// included (Kafka's default).
    #[default]
    ReadUncommitted,
    /// Read up to the last stable offset, records of aborted transactions
    /// dropped.
    ReadCommitted,
}

impl IsolationLevel {
    pub fn as_config(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "read_uncommitted",
            IsolationLevel::ReadCommitted => "read_committed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub correlation_id: CorrelationId,
    /// Set when a follower replica fetches (`replica_id` in Kafka); `None` for consumers.
    pub replica: Option<BrokerId>,
    /// Followers always read uncommitted data, up to the log end.
    pub isolation_level: IsolationLevel,
    pub max_wait_ms: u64,
    pub min_bytes: u64,
    pub partition_max_bytes: u64,
    pub partitions: Vec<FetchPartition>,
}

#[derive(Clone, Debug)]
pub struct FetchPartitionResponse {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub high_watermark: i64,
    /// The last stable offset: where a `read_committed` fetch stops.
    pub last_stable_offset: i64,
    pub log_start_offset: i64,
    /// For `read_committed` fetches: the aborted transactions overlapping
    /// the returned batches, which the consumer drops.
    pub aborted_transactions: Vec<AbortedTransaction>,
    /// Set when the fetcher's log diverges from the leader's (KIP-320 / KAFKA-10554):
    /// `(epoch, end offset)` it must truncate to.
    pub diverging_epoch: Option<(i32, i64)>,
    /// The leader's log end offset, sent with OFFSET_OUT_OF_RANGE to followers.
    /// Simplification: Kafka's follower asks for it with a ListOffsets request.
    pub log_end_offset: i64,
    pub batches: Vec<LogBatch>,
}

#[derive(Clone, Debug)]
pub struct FetchResponse {
    pub correlation_id: CorrelationId,
    pub partitions: Vec<FetchPartitionResponse>,
}

/// Which offset a ListOffsets asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OffsetSpec {
    /// The log start offset.
    Earliest,
    /// The high watermark (the last stable offset for `read_committed`).
    Latest,
}

#[derive(Clone, Debug)]
pub struct ListOffsetsRequest {
    pub correlation_id: CorrelationId,
    /// `read_committed` asks for the last stable offset as the latest.
    pub isolation_level: IsolationLevel,
    pub partitions: Vec<(TopicPartition, OffsetSpec)>,
}

#[derive(Clone, Debug)]
pub struct ListOffsetsPartitionResponse {
    pub tp: TopicPartition,
    pub error: ErrorCode,
    pub offset: i64,
}

#[derive(Clone, Debug)]
pub struct ListOffsetsResponse {
    pub correlation_id: CorrelationId,
    pub partitions: Vec<ListOffsetsPartitionResponse>,
}

#[derive(Clone, Debug)]
pub struct InitProducerIdRequest {
    pub correlation_id: CorrelationId,
    /// A transactional producer's id: the request goes to its transaction
    /// coordinator. `None` for an idempotent producer (any broker answers).
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: u64,
    /// The producer id and epoch a producer that already had one presents
    /// (KIP-360), `None` on its first call.
    pub producer_id_and_epoch: Option<(i64, i16)>,
}

#[derive(Clone, Debug)]
pub struct InitProducerIdResponse {
    pub correlation_id: CorrelationId,
    pub error: ErrorCode,
    pub producer_id: i64,
    pub producer_epoch: i16,
}

/// Every message that can cross the simulated network.
#[derive(Clone, Debug)]
pub enum Message {
    MetadataRequest(MetadataRequest),
    MetadataResponse(MetadataResponse),
    ProduceRequest(ProduceRequest),
    ProduceResponse(ProduceResponse),
    FetchRequest(FetchRequest),
    FetchResponse(FetchResponse),
    ListOffsetsRequest(ListOffsetsRequest),
    ListOffsetsResponse(ListOffsetsResponse),
    InitProducerIdRequest(InitProducerIdRequest),
    InitProducerIdResponse(InitProducerIdResponse),
    CreateTopicsRequest(CreateTopicsRequest),
    CreateTopicsResponse(CreateTopicsResponse),
    /// The first request on a new connection; clients use the answer to know
    /// the connection is up.
    ApiVersionsRequest {
        correlation_id: CorrelationId,
    },
    ApiVersionsResponse {
        correlation_id: CorrelationId,
    },
    /// Not a Kafka message: the network telling a sender that its request could
    /// not be delivered because the connection was refused or reset (the peer
    /// process is down). A cut network gives no such notice; requests just time out.
    Disconnected {
        correlation_id: Option<CorrelationId>,
        api: &'static str,
    },
    /// Not a Kafka message: every TCP connection to a crashed process is reset.
    ConnectionReset,
    /// Not a Kafka message: the peer's TCP stack received an acks=0 Produce
    /// request, freeing its bytes in the sender's socket buffer. Kafka's
    /// producer never sees this; it sees its socket accept more bytes.
    TcpAck {
        correlation_id: CorrelationId,
    },
    /// KRaft: broker registration, heartbeats and metadata-log replication.
    Controller(ControllerMessage),
    /// Consumer-group coordination and offsets.
    Group(GroupMessage),
    Txn(TxnMessage),
    /// A Schema Registry REST call and its answer.
    Registry(registry::RegistryMessage),
}

impl Message {
    /// The correlation id of a request that expects a response, so the network
    /// can tell its sender the request failed.
    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            Message::MetadataRequest(r) => Some(r.correlation_id),
            Message::ProduceRequest(r) if r.acks != Acks::None => Some(r.correlation_id),
            Message::FetchRequest(r) => Some(r.correlation_id),
            Message::ListOffsetsRequest(r) => Some(r.correlation_id),
            Message::InitProducerIdRequest(r) => Some(r.correlation_id),
            Message::CreateTopicsRequest(r) => Some(r.correlation_id),
            Message::ApiVersionsRequest { correlation_id } => Some(*correlation_id),
            Message::Group(m) => m.request_correlation_id(),
            Message::Txn(m) => m.request_correlation_id(),
            Message::Controller(m) => m.request_correlation_id(),
            Message::Registry(m) => m.request_correlation_id(),
            _ => None,
        }
    }

    /// Whether this is a request (a sender may be told it was not delivered).
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            Message::MetadataRequest(_)
                | Message::ProduceRequest(_)
                | Message::FetchRequest(_)
                | Message::ListOffsetsRequest(_)
                | Message::InitProducerIdRequest(_)
                | Message::CreateTopicsRequest(_)
                | Message::ApiVersionsRequest { .. }
        ) || matches!(self, Message::Group(m) if m.request_correlation_id().is_some())
            || matches!(self, Message::Txn(m) if m.request_correlation_id().is_some())
            || matches!(self, Message::Controller(m) if m.request_correlation_id().is_some())
            || matches!(self, Message::Registry(m) if m.request_correlation_id().is_some())
    }

    /// About how many bytes the message takes on the wire: its record
    /// batches plus a fixed 100 bytes of framing (what bandwidth limits act on).
    pub fn wire_size_bytes(&self) -> u32 {
        const FRAMING_BYTES: u32 = 100;
        let records: u32 = match self {
            Message::ProduceRequest(r) => r.partitions.iter().map(|(_, b)| b.size_bytes()).sum(),
            Message::FetchResponse(r) => {
                r.partitions.iter().flat_map(|p| p.batches.iter()).map(|b| b.batch.size_bytes()).sum()
            }
            _ => 0,
        };
        FRAMING_BYTES.saturating_add(records)
    }

    /// Kafka's API name, for narration ("Fetch", "Produce", ...).
    pub fn api_name(&self) -> &'static str {
        match self {
            Message::MetadataRequest(_) | Message::MetadataResponse(_) => "Metadata",
            Message::ProduceRequest(_) | Message::ProduceResponse(_) => "Produce",
            Message::FetchRequest(_) | Message::FetchResponse(_) => "Fetch",
            Message::ListOffsetsRequest(_) | Message::ListOffsetsResponse(_) => "ListOffsets",
            Message::InitProducerIdRequest(_) | Message::InitProducerIdResponse(_) => "InitProducerId",
            Message::CreateTopicsRequest(_) | Message::CreateTopicsResponse(_) => "CreateTopics",
            Message::ApiVersionsRequest { .. } | Message::ApiVersionsResponse { .. } => "ApiVersions",
            Message::Disconnected { .. } => "Disconnected",
            Message::ConnectionReset => "ConnectionReset",
            Message::TcpAck { .. } => "TcpAck",
            Message::Controller(m) => m.api_name(),
            Message::Group(m) => m.api_name(),
            Message::Txn(m) => m.api_name(),
            Message::Registry(_) => "SchemaRegistry",
        }
    }
}

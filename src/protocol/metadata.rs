//! Cluster metadata on the wire: the Metadata API clients use to find leaders,
//! and the KRaft messages between brokers and the active controller
//! (registration, heartbeats, metadata-log fetches, AlterPartition).

use crate::cluster::metadata::{MetadataRecord, PartitionState};
use crate::ids::{BrokerId, ControllerId, TopicId, TopicPartition};

use super::{CorrelationId, ErrorCode};

#[derive(Clone, Debug)]
pub struct MetadataRequest {
    pub correlation_id: CorrelationId,
    /// The topics the client cares about.
    pub topics: Vec<TopicId>,
    /// Topics the client named that it knows no id for, which it allows the
    /// broker to create (`allow_auto_topic_creation`); only real clients in
    /// live mode send any.
    pub auto_create: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionMetadata {
    pub partition: u32,
    pub error: ErrorCode,
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicMetadata {
    pub topic: TopicId,
    pub error: ErrorCode,
    pub partitions: Vec<PartitionMetadata>,
}

#[derive(Clone, Debug)]
pub struct MetadataResponse {
    pub correlation_id: CorrelationId,
    /// Brokers that are registered and not fenced.
    pub brokers: Vec<BrokerId>,
    pub controller: Option<ControllerId>,
    pub topics: Vec<TopicMetadata>,
    /// The request's `auto_create` names, each with what the broker answers:
    /// LEADER_NOT_AVAILABLE while it is being created,
    /// UNKNOWN_TOPIC_OR_PARTITION when `auto.create.topics.enable` is false,
    /// INVALID_TOPIC_EXCEPTION for an illegal name.
    pub unknown: Vec<(String, ErrorCode)>,
}

impl MetadataResponse {
    pub fn partition(&self, tp: TopicPartition) -> Option<&PartitionMetadata> {
        self.topics.iter().find(|t| t.topic == tp.topic)?.partitions.iter().find(|p| p.partition == tp.partition)
    }
}

/// Messages between brokers and the active KRaft controller.
#[derive(Clone, Debug)]
pub enum ControllerMessage {
    /// A starting broker registers; the answer carries its new broker epoch.
    BrokerRegistrationRequest { correlation_id: CorrelationId, broker: BrokerId },
    BrokerRegistrationResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        broker_epoch: i64,
        /// With NOT_CONTROLLER: the controller to ask instead.
        active: Option<ControllerId>,
    },
    /// Sent every `broker.heartbeat.interval.ms`; a broker that stops sending them
    /// for `broker.session.timeout.ms` is fenced.
    BrokerHeartbeatRequest {
        correlation_id: CorrelationId,
        broker: BrokerId,
        broker_epoch: i64,
        /// How far the broker has replayed the metadata log.
        metadata_offset: u64,
    },
    BrokerHeartbeatResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        is_fenced: bool,
        active: Option<ControllerId>,
    },
    /// A long-poll fetch of the `__cluster_metadata` log from `from_offset`.
    FetchMetadataRequest { correlation_id: CorrelationId, broker: BrokerId, from_offset: u64 },
    FetchMetadataResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        records: Vec<MetadataRecord>,
        /// Offset after the last record sent; the log's end when caught up.
        next_offset: u64,
        end_offset: u64,
        active: Option<ControllerId>,
    },
    /// A partition leader asks to change the ISR (KIP-497).
    AlterPartitionRequest {
        correlation_id: CorrelationId,
        broker: BrokerId,
        broker_epoch: i64,
        tp: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<BrokerId>,
    },
    AlterPartitionResponse {
        correlation_id: CorrelationId,
        tp: TopicPartition,
        error: ErrorCode,
        /// The partition as the controller now has it.
        state: Option<PartitionState>,
        active: Option<ControllerId>,
    },
    /// A broker forwards a client's CreateTopics to the active controller.
    CreateTopicsRequest { correlation_id: CorrelationId, request: super::CreateTopicsRequest },
    CreateTopicsResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        topics: Vec<super::CreatedTopic>,
        active: Option<ControllerId>,
    },
}

impl ControllerMessage {
    pub fn api_name(&self) -> &'static str {
        match self {
            ControllerMessage::BrokerRegistrationRequest { .. }
            | ControllerMessage::BrokerRegistrationResponse { .. } => "BrokerRegistration",
            ControllerMessage::BrokerHeartbeatRequest { .. } | ControllerMessage::BrokerHeartbeatResponse { .. } => {
                "BrokerHeartbeat"
            }
            ControllerMessage::FetchMetadataRequest { .. } | ControllerMessage::FetchMetadataResponse { .. } => {
                "Fetch(__cluster_metadata)"
            }
            ControllerMessage::AlterPartitionRequest { .. } | ControllerMessage::AlterPartitionResponse { .. } => {
                "AlterPartition"
            }
            ControllerMessage::CreateTopicsRequest { .. } | ControllerMessage::CreateTopicsResponse { .. } => {
                "CreateTopics"
            }
        }
    }

    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            ControllerMessage::BrokerRegistrationRequest { correlation_id, .. }
            | ControllerMessage::BrokerHeartbeatRequest { correlation_id, .. }
            | ControllerMessage::FetchMetadataRequest { correlation_id, .. }
            | ControllerMessage::AlterPartitionRequest { correlation_id, .. }
            | ControllerMessage::CreateTopicsRequest { correlation_id, .. } => Some(*correlation_id),
            _ => None,
        }
    }
}

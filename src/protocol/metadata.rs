//! Cluster metadata on the wire: the Metadata API clients use to find leaders,
//! and the KRaft messages between brokers and the active controller
//! (registration, heartbeats, metadata-log fetches, AlterPartition).

use crate::cluster::metadata::MetadataRecord;
use crate::ids::{BrokerId, TopicId, TopicPartition};

use super::{CorrelationId, ErrorCode};

#[derive(Clone, Debug)]
pub struct MetadataRequest {
    pub correlation_id: CorrelationId,
    /// The topics the client cares about.
    pub topics: Vec<TopicId>,
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
    pub controller: Option<BrokerId>,
    pub topics: Vec<TopicMetadata>,
}

impl MetadataResponse {
    pub fn partition(&self, tp: TopicPartition) -> Option<&PartitionMetadata> {
        self.topics
            .iter()
            .find(|t| t.topic == tp.topic)?
            .partitions
            .iter()
            .find(|p| p.partition == tp.partition)
    }
}

/// Messages between brokers and the KRaft controller.
#[derive(Clone, Debug)]
pub enum ControllerMessage {
    /// A starting broker registers; the answer carries its new broker epoch.
    BrokerRegistrationRequest {
        broker: BrokerId,
        incarnation: u32,
    },
    BrokerRegistrationResponse {
        broker_epoch: i64,
    },
    /// Sent every `broker.heartbeat.interval.ms`; a broker that stops sending them
    /// for `broker.session.timeout.ms` is fenced.
    BrokerHeartbeatRequest {
        broker: BrokerId,
        broker_epoch: i64,
        metadata_offset: u64,
    },
    BrokerHeartbeatResponse {
        is_fenced: bool,
        error: ErrorCode,
    },
    /// A long-poll fetch of the `__cluster_metadata` log from `from_offset`.
    FetchMetadataRequest {
        broker: BrokerId,
        from_offset: u64,
    },
    FetchMetadataResponse {
        records: Vec<(u64, MetadataRecord)>,
        end_offset: u64,
    },
    /// A partition leader asks to change the ISR (KIP-497).
    AlterPartitionRequest {
        broker: BrokerId,
        broker_epoch: i64,
        tp: TopicPartition,
        leader_epoch: i32,
        partition_epoch: i32,
        new_isr: Vec<BrokerId>,
    },
    AlterPartitionResponse {
        tp: TopicPartition,
        error: ErrorCode,
        leader_epoch: i32,
        partition_epoch: i32,
        isr: Vec<BrokerId>,
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
        }
    }
}

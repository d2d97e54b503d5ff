//! Consumer-group coordination messages of Kafka's classic group protocol:
//! FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, and the offset
//! APIs OffsetCommit and OffsetFetch.

use crate::group::assignor::Strategy;
use crate::ids::{BrokerId, TopicId, TopicPartition};

use super::{CorrelationId, ErrorCode};

/// What a member sends about itself in JoinGroup (the "subscription" metadata).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSubscription {
    pub topics: Vec<TopicId>,
    /// Partitions the member owns now (cooperative rebalancing, KIP-429).
    pub owned_partitions: Vec<TopicPartition>,
    /// The generation its owned partitions come from.
    pub generation: i32,
    /// A Kafka Streams thread's user data (`SubscriptionInfo`): its
    /// instance and the task states it holds; `None` for other consumers.
    /// Boxed: most members have none, and messages stay small.
    pub streams: Option<Box<crate::streams::assignor::partition_assignor::StreamsSubscription>>,
}

/// A member as the group leader learns it from JoinGroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub subscription: MemberSubscription,
}

/// A JoinGroup request: who joins, how long its sessions last, and what it
/// subscribes to. The coordinator keeps it whole while the join waits.
#[derive(Clone, Debug)]
pub struct JoinGroup {
    pub correlation_id: CorrelationId,
    pub group: String,
    /// Empty on a member's first join (KIP-394: the coordinator answers
    /// MEMBER_ID_REQUIRED with an id to join again with).
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    /// Assignors in preference order, each with the member's subscription.
    pub protocols: Vec<Strategy>,
    pub subscription: MemberSubscription,
}

/// A group as ListGroups lists it (the groups a coordinator holds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedGroup {
    pub group: String,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`.
    pub state: &'static str,
}

/// A group as DescribeGroups describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescribedGroup {
    pub group: String,
    pub error: ErrorCode,
    /// `Dead` for a group the coordinator does not know.
    pub state: &'static str,
    pub protocol: Option<Strategy>,
    pub members: Vec<DescribedMember>,
}

/// One member in a DescribeGroups answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescribedMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    /// Who the member is on the network (Kafka gives its address).
    pub node: crate::ids::NodeId,
    pub subscription: MemberSubscription,
    pub assignment: Vec<TopicPartition>,
}

#[derive(Clone, Debug)]
pub enum GroupMessage {
    FindCoordinatorRequest {
        correlation_id: CorrelationId,
        group: String,
    },
    FindCoordinatorResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    },
    JoinGroupRequest(JoinGroup),
    JoinGroupResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        generation: i32,
        protocol: Option<Strategy>,
        leader: String,
        member_id: String,
        /// Filled for the leader only: everyone's subscriptions, to run the assignor on.
        members: Vec<JoinedMember>,
        /// A static leader that rejoined without a rebalance: it must not run
        /// the assignor, the group keeps its assignment (KIP-814).
        skip_assignment: bool,
    },
    SyncGroupRequest {
        correlation_id: CorrelationId,
        group: String,
        generation: i32,
        member_id: String,
        /// From the leader only: every member's assignment.
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    SyncGroupResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        assignment: Vec<TopicPartition>,
    },
    HeartbeatRequest {
        correlation_id: CorrelationId,
        group: String,
        generation: i32,
        member_id: String,
    },
    HeartbeatResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
    },
    LeaveGroupRequest {
        correlation_id: CorrelationId,
        group: String,
        member_id: String,
        reason: String,
    },
    LeaveGroupResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
    },
    OffsetCommitRequest {
        correlation_id: CorrelationId,
        group: String,
        /// -1 and "" for a consumer outside a group (standalone commits).
        generation: i32,
        member_id: String,
        offsets: Vec<(TopicPartition, i64)>,
    },
    OffsetCommitResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        offsets: Vec<(TopicPartition, i64)>,
    },
    OffsetFetchRequest {
        correlation_id: CorrelationId,
        group: String,
        partitions: Vec<TopicPartition>,
    },
    OffsetFetchResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        /// The committed offset per partition, or -1 if none.
        offsets: Vec<(TopicPartition, i64)>,
    },
    /// The admin clients' `listConsumerGroups`: sent to every broker, each
    /// lists the groups it coordinates.
    ListGroupsRequest {
        correlation_id: CorrelationId,
    },
    ListGroupsResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        groups: Vec<ListedGroup>,
    },
    /// The admin clients' `describeConsumerGroups`, sent to the groups' coordinator.
    DescribeGroupsRequest {
        correlation_id: CorrelationId,
        groups: Vec<String>,
    },
    DescribeGroupsResponse {
        correlation_id: CorrelationId,
        groups: Vec<DescribedGroup>,
    },
}

impl GroupMessage {
    pub fn api_name(&self) -> &'static str {
        match self {
            GroupMessage::FindCoordinatorRequest { .. } | GroupMessage::FindCoordinatorResponse { .. } => {
                "FindCoordinator"
            }
            GroupMessage::JoinGroupRequest(_) | GroupMessage::JoinGroupResponse { .. } => "JoinGroup",
            GroupMessage::SyncGroupRequest { .. } | GroupMessage::SyncGroupResponse { .. } => "SyncGroup",
            GroupMessage::HeartbeatRequest { .. } | GroupMessage::HeartbeatResponse { .. } => "Heartbeat",
            GroupMessage::LeaveGroupRequest { .. } | GroupMessage::LeaveGroupResponse { .. } => "LeaveGroup",
            GroupMessage::OffsetCommitRequest { .. } | GroupMessage::OffsetCommitResponse { .. } => "OffsetCommit",
            GroupMessage::OffsetFetchRequest { .. } | GroupMessage::OffsetFetchResponse { .. } => "OffsetFetch",
            GroupMessage::ListGroupsRequest { .. } | GroupMessage::ListGroupsResponse { .. } => "ListGroups",
            GroupMessage::DescribeGroupsRequest { .. } | GroupMessage::DescribeGroupsResponse { .. } => {
                "DescribeGroups"
            }
        }
    }

    /// A response saying the broker is not (or not yet) the group's coordinator.
    pub fn is_coordinator_error(&self) -> bool {
        let error = match self {
            GroupMessage::FindCoordinatorResponse { error, .. }
            | GroupMessage::JoinGroupResponse { error, .. }
            | GroupMessage::SyncGroupResponse { error, .. }
            | GroupMessage::HeartbeatResponse { error, .. }
            | GroupMessage::LeaveGroupResponse { error, .. }
            | GroupMessage::OffsetCommitResponse { error, .. }
            | GroupMessage::OffsetFetchResponse { error, .. } => *error,
            _ => return false,
        };
        matches!(
            error,
            ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable | ErrorCode::CoordinatorLoadInProgress
        )
    }

    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            GroupMessage::FindCoordinatorRequest { correlation_id, .. }
            | GroupMessage::JoinGroupRequest(JoinGroup { correlation_id, .. })
            | GroupMessage::SyncGroupRequest { correlation_id, .. }
            | GroupMessage::HeartbeatRequest { correlation_id, .. }
            | GroupMessage::LeaveGroupRequest { correlation_id, .. }
            | GroupMessage::OffsetCommitRequest { correlation_id, .. }
            | GroupMessage::OffsetFetchRequest { correlation_id, .. }
            | GroupMessage::ListGroupsRequest { correlation_id }
            | GroupMessage::DescribeGroupsRequest { correlation_id, .. } => Some(*correlation_id),
            _ => None,
        }
    }

    /// The correlation id of a response.
    pub fn response_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            GroupMessage::FindCoordinatorResponse { correlation_id, .. }
            | GroupMessage::JoinGroupResponse { correlation_id, .. }
            | GroupMessage::SyncGroupResponse { correlation_id, .. }
            | GroupMessage::HeartbeatResponse { correlation_id, .. }
            | GroupMessage::LeaveGroupResponse { correlation_id, .. }
            | GroupMessage::OffsetCommitResponse { correlation_id, .. }
            | GroupMessage::OffsetFetchResponse { correlation_id, .. }
            | GroupMessage::ListGroupsResponse { correlation_id, .. }
            | GroupMessage::DescribeGroupsResponse { correlation_id, .. } => Some(*correlation_id),
            _ => None,
        }
    }
}

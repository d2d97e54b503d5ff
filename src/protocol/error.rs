//! Kafka's error codes, the ones the simulator can produce, with their real names.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    None,
    OffsetOutOfRange,
    UnknownTopicOrPartition,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    MessageTooLarge,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    InvalidRecord,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    FencedLeaderEpoch,
    UnknownLeaderEpoch,
    OffsetNotAvailable,
    CoordinatorNotAvailable,
    NotCoordinator,
    CoordinatorLoadInProgress,
    IllegalGeneration,
    UnknownMemberId,
    RebalanceInProgress,
    MemberIdRequired,
    InconsistentGroupProtocol,
    InvalidSessionTimeout,
    FencedInstanceId,
    StaleBrokerEpoch,
    NotController,
    InvalidUpdateVersion,
    IneligibleReplica,
    NetworkException,
    ConcurrentTransactions,
    ProducerFenced,
    InvalidTxnState,
    InvalidProducerIdMapping,
    UnstableOffsetCommit,
    InvalidTopicException,
    TopicAlreadyExists,
    InvalidPartitions,
    InvalidReplicationFactor,
    InvalidConfig,
    InvalidRequest,
}

impl ErrorCode {
    /// Every error the simulator can produce, `NONE` first.
    pub const ALL: [ErrorCode; 41] = [
        ErrorCode::None,
        ErrorCode::OffsetOutOfRange,
        ErrorCode::UnknownTopicOrPartition,
        ErrorCode::LeaderNotAvailable,
        ErrorCode::NotLeaderOrFollower,
        ErrorCode::RequestTimedOut,
        ErrorCode::MessageTooLarge,
        ErrorCode::NotEnoughReplicas,
        ErrorCode::NotEnoughReplicasAfterAppend,
        ErrorCode::InvalidRecord,
        ErrorCode::OutOfOrderSequenceNumber,
        ErrorCode::InvalidProducerEpoch,
        ErrorCode::FencedLeaderEpoch,
        ErrorCode::UnknownLeaderEpoch,
        ErrorCode::OffsetNotAvailable,
        ErrorCode::CoordinatorNotAvailable,
        ErrorCode::NotCoordinator,
        ErrorCode::CoordinatorLoadInProgress,
        ErrorCode::IllegalGeneration,
        ErrorCode::UnknownMemberId,
        ErrorCode::RebalanceInProgress,
        ErrorCode::MemberIdRequired,
        ErrorCode::InconsistentGroupProtocol,
        ErrorCode::InvalidSessionTimeout,
        ErrorCode::FencedInstanceId,
        ErrorCode::StaleBrokerEpoch,
        ErrorCode::NotController,
        ErrorCode::InvalidUpdateVersion,
        ErrorCode::IneligibleReplica,
        ErrorCode::NetworkException,
        ErrorCode::ConcurrentTransactions,
        ErrorCode::ProducerFenced,
        ErrorCode::InvalidTxnState,
        ErrorCode::InvalidProducerIdMapping,
        ErrorCode::UnstableOffsetCommit,
        ErrorCode::InvalidTopicException,
        ErrorCode::TopicAlreadyExists,
        ErrorCode::InvalidPartitions,
        ErrorCode::InvalidReplicationFactor,
        ErrorCode::InvalidConfig,
        ErrorCode::InvalidRequest,
    ];

    /// The error with Kafka's name `name`, e.g. `NOT_ENOUGH_REPLICAS`.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The exception a Java client raises for this error: the class Kafka's
    /// `Errors` enum pairs with the code (`Errors.java`), e.g.
    /// `NOT_ENOUGH_REPLICAS` → `NotEnoughReplicasException`.
    pub fn exception_name(self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::None => return None,
            ErrorCode::OffsetOutOfRange => "OffsetOutOfRangeException",
            ErrorCode::UnknownTopicOrPartition => "UnknownTopicOrPartitionException",
            ErrorCode::LeaderNotAvailable => "LeaderNotAvailableException",
            ErrorCode::NotLeaderOrFollower => "NotLeaderOrFollowerException",
            // Kafka's REQUEST_TIMED_OUT is a plain TimeoutException.
            ErrorCode::RequestTimedOut => "TimeoutException",
            ErrorCode::MessageTooLarge => "RecordTooLargeException",
            ErrorCode::NotEnoughReplicas => "NotEnoughReplicasException",
            ErrorCode::NotEnoughReplicasAfterAppend => "NotEnoughReplicasAfterAppendException",
            ErrorCode::InvalidRecord => "InvalidRecordException",
            ErrorCode::OutOfOrderSequenceNumber => "OutOfOrderSequenceException",
            ErrorCode::InvalidProducerEpoch => "InvalidProducerEpochException",
            ErrorCode::FencedLeaderEpoch => "FencedLeaderEpochException",
            ErrorCode::UnknownLeaderEpoch => "UnknownLeaderEpochException",
            ErrorCode::OffsetNotAvailable => "OffsetNotAvailableException",
            ErrorCode::CoordinatorNotAvailable => "CoordinatorNotAvailableException",
            ErrorCode::NotCoordinator => "NotCoordinatorException",
            ErrorCode::CoordinatorLoadInProgress => "CoordinatorLoadInProgressException",
            ErrorCode::IllegalGeneration => "IllegalGenerationException",
            ErrorCode::UnknownMemberId => "UnknownMemberIdException",
            ErrorCode::RebalanceInProgress => "RebalanceInProgressException",
            ErrorCode::MemberIdRequired => "MemberIdRequiredException",
            ErrorCode::InconsistentGroupProtocol => "InconsistentGroupProtocolException",
            ErrorCode::InvalidSessionTimeout => "InvalidSessionTimeoutException",
            ErrorCode::FencedInstanceId => "FencedInstanceIdException",
            ErrorCode::StaleBrokerEpoch => "StaleBrokerEpochException",
            ErrorCode::NotController => "NotControllerException",
            ErrorCode::InvalidUpdateVersion => "InvalidUpdateVersionException",
            ErrorCode::IneligibleReplica => "IneligibleReplicaException",
            ErrorCode::NetworkException => "NetworkException",
            ErrorCode::ConcurrentTransactions => "ConcurrentTransactionsException",
            ErrorCode::ProducerFenced => "ProducerFencedException",
            ErrorCode::InvalidTxnState => "InvalidTxnStateException",
            ErrorCode::InvalidProducerIdMapping => "InvalidPidMappingException",
            ErrorCode::UnstableOffsetCommit => "UnstableOffsetCommitException",
            ErrorCode::InvalidTopicException => "InvalidTopicException",
            ErrorCode::TopicAlreadyExists => "TopicExistsException",
            ErrorCode::InvalidPartitions => "InvalidPartitionsException",
            ErrorCode::InvalidReplicationFactor => "InvalidReplicationFactorException",
            ErrorCode::InvalidConfig => "InvalidConfigurationException",
            ErrorCode::InvalidRequest => "InvalidRequestException",
        })
    }

    /// The name Kafka's logs and exceptions use, e.g. `NOT_LEADER_OR_FOLLOWER`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::None => "NONE",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::MessageTooLarge => "MESSAGE_TOO_LARGE",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::InvalidRecord => "INVALID_RECORD",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::OffsetNotAvailable => "OFFSET_NOT_AVAILABLE",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::MemberIdRequired => "MEMBER_ID_REQUIRED",
            ErrorCode::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            ErrorCode::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            ErrorCode::FencedInstanceId => "FENCED_INSTANCE_ID",
            ErrorCode::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ErrorCode::NotController => "NOT_CONTROLLER",
            ErrorCode::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ErrorCode::IneligibleReplica => "INELIGIBLE_REPLICA",
            ErrorCode::NetworkException => "NETWORK_EXCEPTION",
            ErrorCode::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            ErrorCode::ProducerFenced => "PRODUCER_FENCED",
            ErrorCode::InvalidTxnState => "INVALID_TXN_STATE",
            ErrorCode::InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            ErrorCode::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
            ErrorCode::InvalidTopicException => "INVALID_TOPIC_EXCEPTION",
            ErrorCode::TopicAlreadyExists => "TOPIC_ALREADY_EXISTS",
            ErrorCode::InvalidPartitions => "INVALID_PARTITIONS",
            ErrorCode::InvalidReplicationFactor => "INVALID_REPLICATION_FACTOR",
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
        }
    }

    pub fn is_ok(self) -> bool {
        self == ErrorCode::None
    }

    /// Whether Kafka's producer retries this error (`RetriableException`).
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::RequestTimedOut
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::NotEnoughReplicasAfterAppend
                | ErrorCode::OffsetNotAvailable
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NotCoordinator
                | ErrorCode::CoordinatorLoadInProgress
                | ErrorCode::NetworkException
                | ErrorCode::ConcurrentTransactions
                | ErrorCode::UnstableOffsetCommit
        )
    }

    /// Errors after which a client must refresh its metadata before retrying.
    pub fn needs_metadata_refresh(self) -> bool {
        matches!(
            self,
            ErrorCode::NotLeaderOrFollower
                | ErrorCode::LeaderNotAvailable
                | ErrorCode::UnknownTopicOrPartition
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::NetworkException
                | ErrorCode::RequestTimedOut
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_listed_once_under_its_own_name() {
        for (i, error) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(ErrorCode::from_name(error.name()), Some(*error));
            assert!(!ErrorCode::ALL[..i].contains(error), "{error} is listed twice");
        }
        assert_eq!(ErrorCode::from_name("RECORD_TOO_LARGE"), None, "Kafka calls it MESSAGE_TOO_LARGE");
    }

    #[test]
    fn exceptions_are_the_classes_kafkas_errors_enum_names() {
        // Errors.java: NOT_ENOUGH_REPLICAS(19, ..., NotEnoughReplicasException::new),
        // REQUEST_TIMED_OUT(7, ..., TimeoutException::new), MESSAGE_TOO_LARGE(10, ..., RecordTooLargeException::new).
        assert_eq!(ErrorCode::NotEnoughReplicas.exception_name(), Some("NotEnoughReplicasException"));
        assert_eq!(ErrorCode::RequestTimedOut.exception_name(), Some("TimeoutException"));
        assert_eq!(ErrorCode::MessageTooLarge.exception_name(), Some("RecordTooLargeException"));
        assert_eq!(ErrorCode::OutOfOrderSequenceNumber.exception_name(), Some("OutOfOrderSequenceException"));
        assert_eq!(ErrorCode::None.exception_name(), None);
        for error in &ErrorCode::ALL[1..] {
            assert!(error.exception_name().is_some_and(|e| e.ends_with("Exception")), "{error}");
        }
    }
}

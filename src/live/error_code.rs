//! The simulator's error codes as numbers on the wire (Kafka's `Errors` enum,
//! `org.apache.kafka.common.protocol.Errors`).

use crate::protocol::ErrorCode;

/// `UNSUPPORTED_VERSION`: an API version the broker does not speak.
pub const UNSUPPORTED_VERSION: i16 = 35;
/// `UNKNOWN_TOPIC_ID`: a Fetch names a topic id the cluster does not know.
pub const UNKNOWN_TOPIC_ID: i16 = 100;
/// `UNSUPPORTED_COMPRESSION_TYPE`: a batch compressed with a codec this
/// build cannot read (lz4, zstd).
pub const UNSUPPORTED_COMPRESSION_TYPE: i16 = 76;
/// `CORRUPT_MESSAGE`: a record batch that does not decode (bad CRC, cut short).
pub const CORRUPT_MESSAGE: i16 = 2;
/// `TRANSACTIONAL_ID_AUTHORIZATION_FAILED` is not what Kafka answers for
/// transactions it cannot host; it answers `COORDINATOR_NOT_AVAILABLE`
/// until a transaction coordinator is up, which is what live mode says.
pub const COORDINATOR_NOT_AVAILABLE: i16 = 15;

/// The number Kafka sends for `error`.
pub fn wire_code(error: ErrorCode) -> i16 {
    match error {
        ErrorCode::None => 0,
        ErrorCode::OffsetOutOfRange => 1,
        ErrorCode::UnknownTopicOrPartition => 3,
        ErrorCode::LeaderNotAvailable => 5,
        ErrorCode::NotLeaderOrFollower => 6,
        ErrorCode::RequestTimedOut => 7,
        ErrorCode::MessageTooLarge => 10,
        ErrorCode::NetworkException => 13,
        ErrorCode::CoordinatorLoadInProgress => 14,
        ErrorCode::CoordinatorNotAvailable => 15,
        ErrorCode::NotCoordinator => 16,
        ErrorCode::NotEnoughReplicas => 19,
        ErrorCode::NotEnoughReplicasAfterAppend => 20,
        ErrorCode::IllegalGeneration => 22,
        ErrorCode::InconsistentGroupProtocol => 23,
        ErrorCode::UnknownMemberId => 25,
        ErrorCode::InvalidSessionTimeout => 26,
        ErrorCode::RebalanceInProgress => 27,
        ErrorCode::NotController => 41,
        ErrorCode::OutOfOrderSequenceNumber => 45,
        ErrorCode::InvalidProducerEpoch => 47,
        ErrorCode::ConcurrentTransactions => 51,
        ErrorCode::FencedLeaderEpoch => 74,
        ErrorCode::UnknownLeaderEpoch => 75,
        ErrorCode::StaleBrokerEpoch => 77,
        ErrorCode::OffsetNotAvailable => 78,
        ErrorCode::MemberIdRequired => 79,
        ErrorCode::FencedInstanceId => 82,
        ErrorCode::InvalidRecord => 87,
        ErrorCode::UnstableOffsetCommit => 88,
        ErrorCode::ProducerFenced => 90,
        ErrorCode::InvalidTxnState => 48,
        ErrorCode::InvalidProducerIdMapping => 49,
        ErrorCode::InvalidUpdateVersion => 95,
        ErrorCode::IneligibleReplica => 107,
        ErrorCode::InvalidTopicException => 17,
        ErrorCode::TopicAlreadyExists => 36,
        ErrorCode::InvalidPartitions => 37,
        ErrorCode::InvalidReplicationFactor => 38,
        ErrorCode::InvalidConfig => 40,
        ErrorCode::InvalidRequest => 42,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::ResponseError;

    /// Every code agrees with the codec's own table of Kafka's errors, name for name.
    #[test]
    fn codes_match_kafkas_table() {
        for error in ErrorCode::ALL.into_iter().skip(1) {
            let theirs = ResponseError::try_from_code(wire_code(error)).expect("a known Kafka error code");
            assert_eq!(format!("{theirs:?}"), format!("{error:?}"), "{}", error.name());
        }
        for (code, name) in [
            (UNSUPPORTED_VERSION, "UnsupportedVersion"),
            (UNKNOWN_TOPIC_ID, "UnknownTopicId"),
            (UNSUPPORTED_COMPRESSION_TYPE, "UnsupportedCompressionType"),
            (CORRUPT_MESSAGE, "CorruptMessage"),
            (COORDINATOR_NOT_AVAILABLE, "CoordinatorNotAvailable"),
        ] {
            assert_eq!(format!("{:?}", ResponseError::try_from_code(code).unwrap()), name);
        }
    }
}

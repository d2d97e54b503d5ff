//! The error codes a response carries: what a client is told went wrong,
//! read the way Kafka's clients read them — per partition where the API
//! answers per partition (Metadata, Produce, Fetch, ListOffsets), once per
//! response otherwise (InitProducerId and the group APIs).

use super::{ErrorCode, GroupMessage, Message};
use crate::ids::TopicPartition;

/// One error code in a response, with the partitions it was given for
/// (none for APIs that answer as a whole, and for a topic-level error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseError {
    pub error: ErrorCode,
    pub partitions: Vec<TopicPartition>,
}

/// Groups `(error, partition)` pairs by error, in order of first appearance.
fn by_error(pairs: impl IntoIterator<Item = (ErrorCode, Option<TopicPartition>)>) -> Vec<ResponseError> {
    let mut out: Vec<ResponseError> = Vec::new();
    for (error, tp) in pairs {
        if error.is_ok() {
            continue;
        }
        let index = match out.iter().position(|e| e.error == error) {
            Some(i) => i,
            None => {
                out.push(ResponseError { error, partitions: Vec::new() });
                out.len() - 1
            }
        };
        out[index].partitions.extend(tp);
    }
    out
}

impl Message {
    /// The error codes of a response (empty for requests and for responses
    /// without errors).
    pub fn response_errors(&self) -> Vec<ResponseError> {
        match self {
            Message::MetadataResponse(r) => by_error(r.topics.iter().flat_map(|t| {
                std::iter::once((t.error, None))
                    .chain(t.partitions.iter().map(move |p| (p.error, Some(TopicPartition::new(t.topic, p.partition)))))
            })),
            Message::ProduceResponse(r) => by_error(r.partitions.iter().map(|p| (p.error, Some(p.tp)))),
            Message::FetchResponse(r) => by_error(r.partitions.iter().map(|p| (p.error, Some(p.tp)))),
            Message::ListOffsetsResponse(r) => by_error(r.partitions.iter().map(|p| (p.error, Some(p.tp)))),
            Message::InitProducerIdResponse(r) => by_error([(r.error, None)]),
            Message::CreateTopicsResponse(r) => by_error(r.topics.iter().map(|t| (t.error, None))),
            Message::Group(
                GroupMessage::FindCoordinatorResponse { error, .. }
                | GroupMessage::JoinGroupResponse { error, .. }
                | GroupMessage::SyncGroupResponse { error, .. }
                | GroupMessage::HeartbeatResponse { error, .. }
                | GroupMessage::LeaveGroupResponse { error, .. }
                | GroupMessage::OffsetCommitResponse { error, .. }
                | GroupMessage::OffsetFetchResponse { error, .. },
            ) => by_error([(*error, None)]),
            Message::Txn(m) => by_error([(m.error().unwrap_or(ErrorCode::None), None)]),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TopicId;
    use crate::protocol::{FetchPartitionResponse, FetchResponse};

    fn fetched(tp: TopicPartition, error: ErrorCode) -> FetchPartitionResponse {
        FetchPartitionResponse {
            last_stable_offset: -1,
            aborted_transactions: Vec::new(),
            tp,
            error,
            high_watermark: 0,
            log_start_offset: 0,
            diverging_epoch: None,
            log_end_offset: 0,
            batches: Vec::new(),
        }
    }

    #[test]
    fn errors_are_grouped_per_code_with_their_partitions() {
        let (a, b, c) = (
            TopicPartition::new(TopicId(0), 0),
            TopicPartition::new(TopicId(0), 1),
            TopicPartition::new(TopicId(1), 0),
        );
        let response = Message::FetchResponse(FetchResponse {
            correlation_id: 1,
            partitions: vec![
                fetched(a, ErrorCode::NotLeaderOrFollower),
                fetched(b, ErrorCode::None),
                fetched(c, ErrorCode::NotLeaderOrFollower),
            ],
        });
        assert_eq!(
            response.response_errors(),
            vec![ResponseError { error: ErrorCode::NotLeaderOrFollower, partitions: vec![a, c] }]
        );
    }

    #[test]
    fn a_group_response_carries_one_error_and_a_request_none() {
        let heartbeat = Message::Group(GroupMessage::HeartbeatResponse {
            correlation_id: 3,
            error: ErrorCode::RebalanceInProgress,
        });
        assert_eq!(
            heartbeat.response_errors(),
            vec![ResponseError { error: ErrorCode::RebalanceInProgress, partitions: vec![] }]
        );
        let ok = Message::Group(GroupMessage::HeartbeatResponse { correlation_id: 4, error: ErrorCode::None });
        assert!(ok.response_errors().is_empty());
        assert!(Message::ApiVersionsRequest { correlation_id: 5 }.response_errors().is_empty());
    }
}

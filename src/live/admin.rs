//! The admin APIs real clients use to make topics: CreateTopics, forwarded
//! by the broker to the controller like any client's (see
//! `cluster::broker::create_topics_api`), and DeleteTopics, which live mode
//! refuses as a Kafka broker with `delete.topic.enable=false` does
//! (TOPIC_DELETION_DISABLED), since the simulator does not model deleting a
//! topic.
//!
//! Simplification: deleting a topic (DeleteTopics) and adding partitions
//! to one (CreatePartitions) are not modelled: live mode answers DeleteTopics
//! with TOPIC_DELETION_DISABLED and does not serve CreatePartitions (a client
//! that sends it is disconnected, as for any API a listener has not enabled).

use kafka_protocol::messages::{
    self as wire, CreateTopicsRequest, DeleteTopicsRequest, TopicName, create_topics_response::CreatableTopicResult,
    delete_topics_response::DeletableTopicResult,
};
use kafka_protocol::protocol::StrBytes;
use uuid::Uuid;

use super::error_code::wire_code;
use super::topics::topic_uuid;
use crate::protocol::{self as sim, CorrelationId, Message, NewTopic};

/// Kafka's `TOPIC_DELETION_DISABLED`.
pub const TOPIC_DELETION_DISABLED: i16 = 73;

/// The simulator's CreateTopics for a client's.
pub fn create_topics(request: CreateTopicsRequest, correlation_id: CorrelationId) -> Message {
    let topics = request
        .topics
        .into_iter()
        .map(|t| NewTopic {
            name: t.name.0.as_str().to_string(),
            num_partitions: t.num_partitions,
            replication_factor: i32::from(t.replication_factor),
            configs: t
                .configs
                .into_iter()
                .map(|c| (c.name.as_str().to_string(), c.value.map_or_else(String::new, |v| v.as_str().to_string())))
                .collect(),
        })
        .collect();
    Message::CreateTopicsRequest(sim::CreateTopicsRequest {
        correlation_id,
        topics,
        validate_only: request.validate_only,
    })
}

/// The client's CreateTopics answer, topic for topic as the controller gave it.
pub fn create_topics_response(answer: &sim::CreateTopicsResponse) -> wire::CreateTopicsResponse {
    let mut response = wire::CreateTopicsResponse::default();
    response.topics = answer
        .topics
        .iter()
        .map(|t| {
            let mut result = CreatableTopicResult::default();
            result.name = TopicName(StrBytes::from_string(t.name.clone()));
            result.error_code = wire_code(t.error);
            result.error_message = t.message.clone().map(StrBytes::from_string);
            if t.error.is_ok() {
                result.topic_id = topic_uuid(&t.name);
            }
            result.num_partitions = t.num_partitions;
            result.replication_factor = i16::try_from(t.replication_factor).unwrap_or(-1);
            result
        })
        .collect();
    response
}

/// Every topic named, with where the request named it (by name or by id).
pub fn delete_topics(request: DeleteTopicsRequest) -> Vec<(Option<String>, Uuid)> {
    let mut named: Vec<(Option<String>, Uuid)> =
        request.topic_names.into_iter().map(|n| (Some(n.0.as_str().to_string()), Uuid::nil())).collect();
    named.extend(request.topics.into_iter().map(|t| (t.name.map(|n| n.0.as_str().to_string()), t.topic_id)));
    named
}

/// TOPIC_DELETION_DISABLED for every topic, with a message that says why.
pub fn delete_topics_response(named: &[(Option<String>, Uuid)]) -> wire::DeleteTopicsResponse {
    let mut response = wire::DeleteTopicsResponse::default();
    response.responses = named
        .iter()
        .map(|(name, id)| {
            let mut result = DeletableTopicResult::default();
            result.name = name.clone().map(|n| TopicName(StrBytes::from_string(n)));
            result.topic_id = *id;
            result.error_code = TOPIC_DELETION_DISABLED;
            result.error_message = Some(StrBytes::from_static_str(
                "Topic deletion is disabled: kafkasim does not model deleting a topic.",
            ));
            result
        })
        .collect();
    response
}

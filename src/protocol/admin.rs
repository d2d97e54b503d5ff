//! Creating topics while the cluster runs: Kafka's CreateTopics API, as an
//! admin client sends it to any broker and as that broker forwards it to the
//! active controller (KRaft's request forwarding, KIP-590).

use crate::ids::TopicId;

use super::{CorrelationId, ErrorCode};

/// One topic a CreateTopics request asks for (`CreatableTopic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTopic {
    pub name: String,
    /// `-1`: the broker's `num.partitions`.
    pub num_partitions: i32,
    /// `-1`: the broker's `default.replication.factor`.
    pub replication_factor: i32,
    /// Topic configs, as the client wrote them (`retention.ms` = `"60000"`).
    pub configs: Vec<(String, String)>,
}

impl NewTopic {
    /// A topic with the broker's defaults, as auto-creation asks for it.
    pub fn with_defaults(name: &str) -> Self {
        NewTopic { name: name.to_string(), num_partitions: -1, replication_factor: -1, configs: Vec::new() }
    }
}

/// What became of one topic (`CreatableTopicResult`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedTopic {
    pub name: String,
    pub error: ErrorCode,
    /// Kafka's error message, for the client's exception.
    pub message: Option<String>,
    /// The new topic, when created.
    pub topic: Option<TopicId>,
    pub num_partitions: i32,
    pub replication_factor: i32,
}

impl CreatedTopic {
    pub fn refused(name: &str, error: ErrorCode, message: impl Into<String>) -> Self {
        CreatedTopic {
            name: name.to_string(),
            error,
            message: Some(message.into()),
            topic: None,
            num_partitions: -1,
            replication_factor: -1,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CreateTopicsRequest {
    pub correlation_id: CorrelationId,
    pub topics: Vec<NewTopic>,
    /// Kafka's `validateOnly`: check, but create nothing.
    pub validate_only: bool,
}

#[derive(Clone, Debug)]
pub struct CreateTopicsResponse {
    pub correlation_id: CorrelationId,
    pub topics: Vec<CreatedTopic>,
}

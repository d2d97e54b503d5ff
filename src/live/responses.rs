//! The simulator's answers encoded as the wire responses a real client reads:
//! the brokers' advertised addresses in Metadata, topic ids beside names,
//! fetched batches as v2 record batches, refused partitions merged back in
//! the order the client asked.

use bytes::BytesMut;
use kafka_protocol::messages::{
    self as wire, BrokerId as WireBrokerId, ResponseHeader, TopicName,
    fetch_response::{FetchableTopicResponse, PartitionData},
    list_offsets_response::{ListOffsetsPartitionResponse, ListOffsetsTopicResponse},
    metadata_response::{MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic},
    produce_response::{PartitionProduceResponse, TopicProduceResponse},
};
use kafka_protocol::protocol::{Encodable, StrBytes};
use uuid::Uuid;

use super::api_versions;
use super::error_code::wire_code;
use super::frame::frame;
use super::requests::{Context, Pending};
use super::topics::{is_internal, topic_uuid};
use crate::ids::{BrokerId, Names};
use crate::protocol::{ErrorCode, Message};

/// Where each broker listens, as Metadata advertises it.
#[derive(Clone, Debug)]
pub struct Advertised {
    pub host: String,
    /// By broker id, in order.
    pub ports: Vec<(BrokerId, u16)>,
}

/// The framed response to `pending`, from the broker's `answer` (`None` when
/// the gateway answers alone). `None` when the answer is not the one awaited.
pub fn encode(pending: &Pending, answer: Option<Message>, names: &Names, advertised: &Advertised) -> Option<Vec<u8>> {
    let mut body = BytesMut::new();
    let version = pending.version;
    let mut header = ResponseHeader::default();
    header.correlation_id = pending.correlation_id;
    let (header_version, version) = match &pending.context {
        // KIP-511: the error goes back in version 0, which every client reads.
        Context::ApiVersionsUnsupported => (0, 0),
        _ => (pending.api.response_header_version(version), version),
    };
    header.encode(&mut body, header_version).ok()?;
    let encoded = match (&pending.context, answer) {
        (Context::ApiVersions, Some(Message::ApiVersionsResponse { .. })) => {
            api_versions::response().encode(&mut body, version)
        }
        (Context::ApiVersionsUnsupported, None) => api_versions::unsupported_version_response().encode(&mut body, 0),
        (Context::Metadata { requested }, Some(Message::MetadataResponse(r))) => {
            metadata(requested.as_deref(), &r, names, advertised).encode(&mut body, version)
        }
        (Context::Produce { refused, .. }, answer) => {
            let answered = match answer {
                Some(Message::ProduceResponse(r)) => r.partitions,
                None => Vec::new(),
                Some(_) => return None,
            };
            produce(refused, &answered, names).encode(&mut body, version)
        }
        (Context::Fetch { refused }, answer) => {
            let answered = match answer {
                Some(Message::FetchResponse(r)) => r.partitions,
                None => Vec::new(),
                Some(_) => return None,
            };
            fetch(refused, &answered, names, version).encode(&mut body, version)
        }
        (Context::ListOffsets { refused }, answer) => {
            let answered = match answer {
                Some(Message::ListOffsetsResponse(r)) => r.partitions,
                None => Vec::new(),
                Some(_) => return None,
            };
            list_offsets(refused, &answered, names).encode(&mut body, version)
        }
        (Context::InitProducerId { refused }, answer) => {
            let mut response = wire::InitProducerIdResponse::default();
            match (refused, answer) {
                (Some(code), None) => response.error_code = *code,
                (None, Some(Message::InitProducerIdResponse(r))) => {
                    response.error_code = wire_code(r.error);
                    response.producer_id = r.producer_id.into();
                    response.producer_epoch = r.producer_epoch;
                }
                _ => return None,
            }
            response.encode(&mut body, version)
        }
        (Context::CreateTopics, Some(Message::CreateTopicsResponse(r))) => {
            super::admin::create_topics_response(&r).encode(&mut body, version)
        }
        (Context::DeleteTopics { named }, None) => {
            super::admin::delete_topics_response(named).encode(&mut body, version)
        }
        (Context::Group(context), answer) => {
            let answer = match answer {
                Some(Message::Group(m)) => Some(m),
                None => None,
                Some(_) => return None,
            };
            super::groups::encode(context, answer, version, names, advertised, &mut body)?;
            Ok(())
        }
        _ => return None,
    };
    encoded.ok()?;
    Some(frame(&body))
}

/// The correlation id of a broker's answer, to match it with the request
/// the connection waits on.
pub fn answer_correlation_id(message: &Message) -> Option<crate::protocol::CorrelationId> {
    match message {
        Message::ApiVersionsResponse { correlation_id } => Some(*correlation_id),
        Message::MetadataResponse(r) => Some(r.correlation_id),
        Message::ProduceResponse(r) => Some(r.correlation_id),
        Message::FetchResponse(r) => Some(r.correlation_id),
        Message::ListOffsetsResponse(r) => Some(r.correlation_id),
        Message::InitProducerIdResponse(r) => Some(r.correlation_id),
        Message::CreateTopicsResponse(r) => Some(r.correlation_id),
        Message::Group(g) => g.response_correlation_id(),
        _ => None,
    }
}

fn str_bytes(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

fn topic_name(s: &str) -> TopicName {
    TopicName(str_bytes(s))
}

fn metadata(
    requested: Option<&[(String, Option<crate::ids::TopicId>)]>,
    answer: &crate::protocol::MetadataResponse,
    names: &Names,
    advertised: &Advertised,
) -> wire::MetadataResponse {
    let mut response = wire::MetadataResponse::default();
    response.cluster_id = Some(str_bytes("kafkasim"));
    response.brokers = advertised
        .ports
        .iter()
        .filter(|(b, _)| answer.brokers.contains(b))
        .map(|(b, port)| {
            let mut broker = MetadataResponseBroker::default();
            broker.node_id = WireBrokerId(b.0);
            broker.host = str_bytes(&advertised.host);
            broker.port = i32::from(*port);
            broker
        })
        .collect();
    // A KRaft broker names a live broker as the controller: clients send
    // admin requests there.
    response.controller_id = WireBrokerId(answer.brokers.first().map_or(-1, |b| b.0));
    let topic = |name: &str, id: Option<crate::ids::TopicId>| {
        let mut topic = MetadataResponseTopic::default();
        topic.name = Some(topic_name(name));
        topic.is_internal = is_internal(name);
        let Some(found) = id.and_then(|id| answer.topics.iter().find(|t| t.topic == id)) else {
            // A topic the broker was asked to create says so (LEADER_NOT_AVAILABLE).
            let said = answer.unknown.iter().find(|(n, _)| n == name).map(|(_, e)| *e);
            topic.error_code = wire_code(said.unwrap_or(ErrorCode::UnknownTopicOrPartition));
            return topic;
        };
        topic.topic_id = topic_uuid(name);
        topic.error_code = wire_code(found.error);
        topic.partitions = found
            .partitions
            .iter()
            .map(|p| {
                let mut partition = MetadataResponsePartition::default();
                partition.partition_index = p.partition as i32;
                partition.error_code = wire_code(p.error);
                partition.leader_id = WireBrokerId(p.leader.map_or(-1, |b| b.0));
                partition.leader_epoch = p.leader_epoch;
                partition.replica_nodes = p.replicas.iter().map(|b| WireBrokerId(b.0)).collect();
                partition.isr_nodes = p.isr.iter().map(|b| WireBrokerId(b.0)).collect();
                partition
            })
            .collect();
        topic
    };
    response.topics = match requested {
        Some(list) => list.iter().map(|(name, id)| topic(name, *id)).collect(),
        None => answer.topics.iter().map(|t| topic(names.topic(t.topic), Some(t.topic))).collect(),
    };
    response
}

/// Topic entries in first-seen order, the way a client listed them.
fn topic_slot<T>(topics: &mut Vec<(String, Vec<T>)>, name: &str) -> usize {
    match topics.iter().position(|(n, _)| n == name) {
        Some(i) => i,
        None => {
            topics.push((name.to_string(), Vec::new()));
            topics.len() - 1
        }
    }
}

fn produce(
    refused: &[(String, i32, i16)],
    answered: &[crate::protocol::ProducePartitionResponse],
    names: &Names,
) -> wire::ProduceResponse {
    let mut topics: Vec<(String, Vec<PartitionProduceResponse>)> = Vec::new();
    for p in answered {
        let i = topic_slot(&mut topics, names.topic(p.tp.topic));
        let mut partition = PartitionProduceResponse::default();
        partition.index = p.tp.partition as i32;
        partition.error_code = wire_code(p.error);
        partition.base_offset = p.base_offset;
        partition.log_start_offset = p.log_start_offset;
        topics[i].1.push(partition);
    }
    for (name, index, code) in refused {
        let i = topic_slot(&mut topics, name);
        let mut partition = PartitionProduceResponse::default();
        partition.index = *index;
        partition.error_code = *code;
        partition.base_offset = -1;
        topics[i].1.push(partition);
    }
    let mut response = wire::ProduceResponse::default();
    response.responses = topics
        .into_iter()
        .map(|(name, partitions)| {
            let mut topic = TopicProduceResponse::default();
            topic.name = topic_name(&name);
            topic.partition_responses = partitions;
            topic
        })
        .collect();
    response
}

fn fetch(
    refused: &[(String, Uuid, i32, i16)],
    answered: &[crate::protocol::FetchPartitionResponse],
    names: &Names,
    version: i16,
) -> wire::FetchResponse {
    let mut topics: Vec<(String, Vec<PartitionData>)> = Vec::new();
    for p in answered {
        let i = topic_slot(&mut topics, names.topic(p.tp.topic));
        let mut partition = PartitionData::default();
        partition.partition_index = p.tp.partition as i32;
        partition.error_code = wire_code(p.error);
        partition.high_watermark = p.high_watermark;
        partition.last_stable_offset = p.last_stable_offset;
        partition.log_start_offset = p.log_start_offset;
        partition.aborted_transactions = Some(
            p.aborted_transactions
                .iter()
                .map(|a| {
                    let mut aborted = wire::fetch_response::AbortedTransaction::default();
                    aborted.producer_id = a.producer_id.into();
                    aborted.first_offset = a.first_offset;
                    aborted
                })
                .collect(),
        );
        partition.records = Some(super::records::encode_fetched(&p.batches));
        topics[i].1.push(partition);
    }
    let mut unknown_ids: Vec<(Uuid, Vec<PartitionData>)> = Vec::new();
    for (name, id, index, code) in refused {
        let mut partition = PartitionData::default();
        partition.partition_index = *index;
        partition.error_code = *code;
        if name.is_empty() && version >= 13 {
            match unknown_ids.iter_mut().find(|(u, _)| u == id) {
                Some((_, list)) => list.push(partition),
                None => unknown_ids.push((*id, vec![partition])),
            }
        } else {
            let i = topic_slot(&mut topics, name);
            topics[i].1.push(partition);
        }
    }
    let mut response = wire::FetchResponse::default();
    // Session id 0: no incremental fetch session was created, so the
    // client sends full fetch requests (as with a full session cache).
    response.session_id = 0;
    response.responses = topics
        .into_iter()
        .map(|(name, partitions)| {
            let mut topic = FetchableTopicResponse::default();
            topic.topic_id = topic_uuid(&name);
            topic.topic = topic_name(&name);
            topic.partitions = partitions;
            topic
        })
        .chain(unknown_ids.into_iter().map(|(id, partitions)| {
            let mut topic = FetchableTopicResponse::default();
            topic.topic_id = id;
            topic.partitions = partitions;
            topic
        }))
        .collect();
    response
}

fn list_offsets(
    refused: &[(String, i32, i16)],
    answered: &[crate::protocol::ListOffsetsPartitionResponse],
    names: &Names,
) -> wire::ListOffsetsResponse {
    let mut topics: Vec<(String, Vec<ListOffsetsPartitionResponse>)> = Vec::new();
    for p in answered {
        let i = topic_slot(&mut topics, names.topic(p.tp.topic));
        let mut partition = ListOffsetsPartitionResponse::default();
        partition.partition_index = p.tp.partition as i32;
        partition.error_code = wire_code(p.error);
        partition.offset = p.offset;
        partition.timestamp = -1;
        topics[i].1.push(partition);
    }
    for (name, index, code) in refused {
        let i = topic_slot(&mut topics, name);
        let mut partition = ListOffsetsPartitionResponse::default();
        partition.partition_index = *index;
        partition.error_code = *code;
        partition.offset = -1;
        partition.timestamp = -1;
        topics[i].1.push(partition);
    }
    let mut response = wire::ListOffsetsResponse::default();
    response.topics = topics
        .into_iter()
        .map(|(name, partitions)| {
            let mut topic = ListOffsetsTopicResponse::default();
            topic.name = topic_name(&name);
            topic.partitions = partitions;
            topic
        })
        .collect();
    response
}

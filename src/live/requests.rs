//! A real client's request, decoded and turned into the simulator's own
//! request (the same message a simulated client sends), or answered at once
//! when Kafka answers without consulting its state (a version it does not
//! speak), or refused by closing the connection as Kafka closes it.

use bytes::Bytes;
use kafka_protocol::messages::{
    ApiKey, CreateTopicsRequest, DeleteTopicsRequest, FetchRequest, InitProducerIdRequest, ListOffsetsRequest,
    MetadataRequest, ProduceRequest, RequestHeader,
};
use kafka_protocol::protocol::{Decodable, decode_request_header_from_buffer};
use uuid::Uuid;

use super::api_versions;
use super::error_code::{COORDINATOR_NOT_AVAILABLE, UNKNOWN_TOPIC_ID, UNSUPPORTED_VERSION};
use super::records::decode_produce;
use super::topics::{by_uuid, is_internal};
use crate::ids::{Names, TopicId, TopicPartition};
use crate::protocol::{self as sim, Acks, CorrelationId, IsolationLevel, Message, OffsetSpec};

/// Kafka's `INVALID_REQUIRED_ACKS`.
const INVALID_REQUIRED_ACKS: i16 = 21;

/// What the gateway does with one frame.
// One `Decoded` lives for a single frame and is matched at once: boxing the
// message would cost an allocation per request to save a few bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Decoded {
    /// Send `message` to the broker; answer the client when it replies
    /// (never, for acks=0 Produce: `pending` is `None`).
    Forward { message: Message, pending: Option<Pending> },
    /// Answer the client at once with this response.
    Answer(Pending),
    /// Close the connection, as Kafka does for a request it cannot parse or
    /// an API it does not serve; the reason is told in the narration.
    Close(String),
}

/// The request a connection waits on: what the response must say beyond
/// what the simulator's answer holds.
#[derive(Debug)]
pub struct Pending {
    pub api: ApiKey,
    pub version: i16,
    pub correlation_id: i32,
    pub sim_correlation_id: CorrelationId,
    pub context: Context,
}

/// Per API, the parts of the request the answer repeats.
#[derive(Debug)]
pub enum Context {
    ApiVersions,
    /// ApiVersions of a version the broker does not know (KIP-511).
    ApiVersionsUnsupported,
    /// The topics asked for, in order, each known or not; `None` for all topics.
    Metadata {
        requested: Option<Vec<(String, Option<TopicId>)>>,
    },
    /// Partitions refused before reaching the broker, with their error, and
    /// the batches sent (numbered for the delivery checks).
    Produce {
        refused: Vec<(String, i32, i16)>,
        sent: super::delivery::Sent,
    },
    Fetch {
        refused: Vec<(String, Uuid, i32, i16)>,
    },
    ListOffsets {
        refused: Vec<(String, i32, i16)>,
    },
    /// A transactional id: answered by the gateway, since live mode hosts no
    /// transaction coordinator for real clients.
    InitProducerId {
        refused: Option<i16>,
    },
    /// The classic group protocol and the offset APIs.
    Group(super::groups::GroupContext),
    CreateTopics,
    /// The topics a DeleteTopics named (by name, or by id), all refused.
    DeleteTopics {
        named: Vec<(Option<String>, Uuid)>,
    },
}

/// Decodes one frame's body. `partitions` holds each topic's partition count.
pub fn decode(body: Vec<u8>, names: &Names, partitions: &[u32], sim_correlation_id: CorrelationId) -> Decoded {
    let mut bytes = Bytes::from(body);
    if bytes.len() < 4 {
        return Decoded::Close("a request shorter than its header".to_string());
    }
    let header = match decode_request_header_from_buffer(&mut bytes) {
        Ok(h) => h,
        Err(e) => return Decoded::Close(format!("a request header that does not parse ({e})")),
    };
    let Ok(api) = ApiKey::try_from(header.request_api_key) else {
        return Decoded::Close(format!("unknown API key {}", header.request_api_key));
    };
    let version = header.request_api_version;
    let pending =
        |context| Pending { api, version, correlation_id: header.correlation_id, sim_correlation_id, context };
    if !api_versions::is_supported(api, version) {
        if api == ApiKey::ApiVersions {
            return Decoded::Answer(pending(Context::ApiVersionsUnsupported));
        }
        return Decoded::Close(match api_versions::supported(api) {
            Some((min, max)) => format!("{api:?} v{version}, outside the versions served ({min} to {max})"),
            None => format!("{api:?}, an API live mode does not model"),
        });
    }
    let mut incoming = Incoming { api, header: &header, bytes, names, partitions, correlation_id: sim_correlation_id };
    match decode_body(&mut incoming) {
        Ok((context, message)) => match message {
            Some(message) => {
                let answered = !matches!(&message, Message::ProduceRequest(r) if r.acks == Acks::None);
                Decoded::Forward { message, pending: answered.then(|| pending(context)) }
            }
            None => Decoded::Answer(pending(context)),
        },
        Err(reason) => Decoded::Close(reason),
    }
}

type Translated = (Context, Option<Message>);

/// One request after its header: what decoding its body needs, for the
/// gateway's own APIs and the group ones alike.
pub struct Incoming<'a> {
    pub api: ApiKey,
    pub header: &'a RequestHeader,
    pub bytes: Bytes,
    pub names: &'a Names,
    /// Each topic's partition count.
    pub partitions: &'a [u32],
    pub correlation_id: CorrelationId,
}

impl Incoming<'_> {
    /// The body as request type `T`, or why it does not parse (the
    /// connection is then closed, as Kafka closes it).
    pub fn body<T: Decodable>(&mut self) -> Result<T, String> {
        let (api, version) = (self.api, self.header.request_api_version);
        T::decode(&mut self.bytes, version).map_err(|e| format!("a malformed {api:?} v{version} request ({e})"))
    }
}

fn decode_body(incoming: &mut Incoming<'_>) -> Result<Translated, String> {
    let Incoming { api, names, correlation_id, .. } = *incoming;
    match api {
        ApiKey::ApiVersions => Ok((Context::ApiVersions, Some(Message::ApiVersionsRequest { correlation_id }))),
        ApiKey::Metadata => {
            let request = incoming.body::<MetadataRequest>()?;
            let version = incoming.header.request_api_version;
            Ok(metadata(request, version, names, correlation_id))
        }
        ApiKey::Produce => {
            let request = incoming.body::<ProduceRequest>()?;
            Ok(produce(request, names, correlation_id))
        }
        ApiKey::Fetch => {
            let request = incoming.body::<FetchRequest>()?;
            Ok(fetch(request, names, correlation_id))
        }
        ApiKey::ListOffsets => {
            let request = incoming.body::<ListOffsetsRequest>()?;
            Ok(list_offsets(request, names, correlation_id))
        }
        ApiKey::InitProducerId => {
            let request = incoming.body::<InitProducerIdRequest>()?;
            if request.transactional_id.is_some() {
                return Ok((Context::InitProducerId { refused: Some(COORDINATOR_NOT_AVAILABLE) }, None));
            }
            // A client that already holds an id presents it (KIP-360, v3+);
            // the first call carries -1.
            let presented = (request.producer_id.0 >= 0).then_some((request.producer_id.0, request.producer_epoch));
            let message = Message::InitProducerIdRequest(sim::InitProducerIdRequest {
                correlation_id,
                transactional_id: None,
                transaction_timeout_ms: u64::try_from(request.transaction_timeout_ms).unwrap_or(0),
                producer_id_and_epoch: presented,
            });
            Ok((Context::InitProducerId { refused: None }, Some(message)))
        }
        ApiKey::FindCoordinator
        | ApiKey::JoinGroup
        | ApiKey::SyncGroup
        | ApiKey::Heartbeat
        | ApiKey::LeaveGroup
        | ApiKey::OffsetCommit
        | ApiKey::OffsetFetch
        | ApiKey::ListGroups
        | ApiKey::DescribeGroups => {
            let (context, message) = super::groups::decode(incoming)?;
            Ok((Context::Group(context), message))
        }
        ApiKey::CreateTopics => {
            let request = incoming.body::<CreateTopicsRequest>()?;
            Ok((Context::CreateTopics, Some(super::admin::create_topics(request, correlation_id))))
        }
        ApiKey::DeleteTopics => {
            let request = incoming.body::<DeleteTopicsRequest>()?;
            Ok((Context::DeleteTopics { named: super::admin::delete_topics(request) }, None))
        }
        other => Err(format!("{other:?}, an API live mode does not model")),
    }
}

/// Metadata v4 added `allow_auto_topic_creation`; before it, asking for a
/// topic by name always allowed the broker to create it.
const METADATA_ALLOW_AUTO_CREATE_SINCE: i16 = 4;

fn metadata(request: MetadataRequest, version: i16, names: &Names, correlation_id: CorrelationId) -> Translated {
    let allow_auto_create = version < METADATA_ALLOW_AUTO_CREATE_SINCE || request.allow_auto_topic_creation;
    let requested: Option<Vec<(String, Option<TopicId>)>> = request.topics.map(|topics| {
        topics
            .into_iter()
            .map(|t| match t.name {
                Some(name) => {
                    let name = name.0.as_str().to_string();
                    let id = names.topic_id(&name);
                    (name, id)
                }
                None => match by_uuid(names, t.topic_id) {
                    Some(id) => (names.topic(id).to_string(), Some(id)),
                    None => (String::new(), None),
                },
            })
            .collect()
    });
    let topics = match &requested {
        Some(list) => list.iter().filter_map(|(_, id)| *id).collect(),
        None => (0..names.topics.len() as u32).map(TopicId).collect(),
    };
    // Unknown names (not ids: a client that names a topic by id knows it exists).
    let mut auto_create: Vec<String> = Vec::new();
    if allow_auto_create {
        for (name, id) in requested.iter().flatten() {
            if id.is_none() && !name.is_empty() && !auto_create.contains(name) {
                auto_create.push(name.clone());
            }
        }
    }
    let message = Message::MetadataRequest(sim::MetadataRequest { correlation_id, topics, auto_create });
    (Context::Metadata { requested }, Some(message))
}

fn produce(request: ProduceRequest, names: &Names, correlation_id: CorrelationId) -> Translated {
    let acks = match request.acks {
        0 => Some(Acks::None),
        1 => Some(Acks::Leader),
        -1 => Some(Acks::All),
        _ => None,
    };
    let mut refused = Vec::new();
    let mut partitions = Vec::new();
    for topic in request.topic_data {
        let name = topic.name.0.as_str().to_string();
        let id = names.topic_id(&name).filter(|_| !is_internal(&name));
        for data in topic.partition_data {
            let error = match (acks, id) {
                (None, _) => Err(INVALID_REQUIRED_ACKS),
                (_, None) => Err(wire(sim::ErrorCode::UnknownTopicOrPartition)),
                (Some(_), Some(id)) => match data.records.map(decode_produce) {
                    None => Err(wire(sim::ErrorCode::InvalidRecord)),
                    Some(Ok(batch)) => {
                        partitions.push((TopicPartition::new(id, data.index as u32), std::sync::Arc::new(batch)));
                        Ok(())
                    }
                    Some(Err(code)) => Err(code),
                },
            };
            if let Err(code) = error {
                refused.push((name.clone(), data.index, code));
            }
        }
    }
    let context = Context::Produce { refused, sent: Vec::new() };
    match acks {
        Some(acks) if !partitions.is_empty() => {
            let timeout_ms = request.timeout_ms.max(0) as u64;
            let message = Message::ProduceRequest(sim::ProduceRequest {
                correlation_id,
                transactional_id: None,
                acks,
                timeout_ms,
                partitions,
            });
            (context, Some(message))
        }
        _ => (context, None),
    }
}

fn fetch(request: FetchRequest, names: &Names, correlation_id: CorrelationId) -> Translated {
    let mut refused = Vec::new();
    let mut partitions = Vec::new();
    let mut partition_max_bytes = 0u64;
    for topic in request.topics {
        let by_id = topic.topic_id != Uuid::nil();
        let id = if by_id { by_uuid(names, topic.topic_id) } else { names.topic_id(topic.topic.0.as_str()) };
        let name = topic.topic.0.as_str().to_string();
        for p in topic.partitions {
            let Some(id) = id else {
                let code = if by_id { UNKNOWN_TOPIC_ID } else { wire(sim::ErrorCode::UnknownTopicOrPartition) };
                refused.push((name.clone(), topic.topic_id, p.partition, code));
                continue;
            };
            partition_max_bytes = partition_max_bytes.max(p.partition_max_bytes.max(0) as u64);
            partitions.push(sim::FetchPartition {
                tp: TopicPartition::new(id, p.partition as u32),
                fetch_offset: p.fetch_offset,
                current_leader_epoch: (p.current_leader_epoch >= 0).then_some(p.current_leader_epoch),
                last_fetched_epoch: (p.last_fetched_epoch >= 0).then_some(p.last_fetched_epoch),
                log_start_offset: -1,
            });
        }
    }
    let context = Context::Fetch { refused };
    if partitions.is_empty() {
        return (context, None);
    }
    let message = Message::FetchRequest(sim::FetchRequest {
        correlation_id,
        replica: None,
        isolation_level: isolation(request.isolation_level),
        max_wait_ms: request.max_wait_ms.max(0) as u64,
        min_bytes: request.min_bytes.max(0) as u64,
        partition_max_bytes,
        partitions,
    });
    (context, Some(message))
}

fn list_offsets(request: ListOffsetsRequest, names: &Names, correlation_id: CorrelationId) -> Translated {
    let mut refused = Vec::new();
    let mut partitions = Vec::new();
    for topic in request.topics {
        let name = topic.name.0.as_str().to_string();
        let id = names.topic_id(&name);
        for p in topic.partitions {
            // Simplification: offsets for a timestamp (and -3, the max
            // timestamp) are not modelled; only earliest and latest are.
            let spec = match p.timestamp {
                -2 => Some(OffsetSpec::Earliest),
                -1 => Some(OffsetSpec::Latest),
                _ => None,
            };
            match (id, spec) {
                (Some(id), Some(spec)) => partitions.push((TopicPartition::new(id, p.partition_index as u32), spec)),
                (None, _) => {
                    refused.push((name.clone(), p.partition_index, wire(sim::ErrorCode::UnknownTopicOrPartition)))
                }
                (_, None) => refused.push((name.clone(), p.partition_index, UNSUPPORTED_VERSION)),
            }
        }
    }
    let context = Context::ListOffsets { refused };
    if partitions.is_empty() {
        return (context, None);
    }
    let message = Message::ListOffsetsRequest(sim::ListOffsetsRequest {
        correlation_id,
        isolation_level: isolation(request.isolation_level),
        partitions,
    });
    (context, Some(message))
}

fn isolation(level: i8) -> IsolationLevel {
    if level == 1 { IsolationLevel::ReadCommitted } else { IsolationLevel::ReadUncommitted }
}

fn wire(error: sim::ErrorCode) -> i16 {
    super::error_code::wire_code(error)
}

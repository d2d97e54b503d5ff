//! The classic group protocol on the wire: FindCoordinator, JoinGroup,
//! SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch from a
//! real consumer, and the admin clients' ListGroups and DescribeGroups, become the very `GroupMessage`s a simulated consumer sends,
//! so the brokers' one group coordinator (`src/group/`) serves both; its
//! answers are encoded back in the version the client asked.
//!
//! Simplifications: a FindCoordinator for a transaction is answered
//! `COORDINATOR_NOT_AVAILABLE` (live mode hosts no transaction coordinator
//! for real clients); a batched request (several coordinator keys, several
//! leaving members, several groups in one OffsetFetch) is served for its
//! first entry, the others get the first's answer; commit metadata strings
//! and leader epochs are not kept; JoinGroup below v4 gets the
//! `MEMBER_ID_REQUIRED` round trip of v4 (KIP-394) too.

use kafka_protocol::messages::{
    self as wire, ApiKey, DescribeGroupsRequest, FindCoordinatorRequest, GroupId, HeartbeatRequest, JoinGroupRequest,
    LeaveGroupRequest, ListGroupsRequest, OffsetCommitRequest, OffsetFetchRequest, RequestHeader, SyncGroupRequest,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::consumer_protocol::{decode_assignment, decode_subscription, encode_assignment, encode_subscription};
use super::error_code::{COORDINATOR_NOT_AVAILABLE, wire_code};
use super::requests::Incoming;
use super::responses::Advertised;
use crate::group::assignor::Strategy;
use crate::ids::{Names, TopicId, TopicPartition};
use crate::protocol::{CorrelationId, ErrorCode, GroupMessage, JoinGroup, MemberSubscription, Message};

/// Kafka's `INCONSISTENT_GROUP_PROTOCOL`, for a join the simulator cannot
/// read (a protocol type other than `consumer`, no assignor it knows).
const INCONSISTENT_GROUP_PROTOCOL: i16 = 23;
/// Kafka's `INVALID_REQUEST`.
const INVALID_REQUEST: i16 = 42;

/// What a group answer must repeat of the request.
#[derive(Debug)]
pub enum GroupContext {
    FindCoordinator {
        keys: Vec<String>,
        refused: Option<i16>,
    },
    JoinGroup {
        refused: Option<(i16, String)>,
    },
    SyncGroup {
        protocol_type: Option<StrBytes>,
        protocol_name: Option<StrBytes>,
        refused: Option<i16>,
    },
    Heartbeat,
    LeaveGroup {
        members: Vec<(StrBytes, Option<StrBytes>)>,
    },
    /// Partitions in the order asked, with the error of those refused here.
    OffsetCommit {
        asked: Vec<(String, i32, Option<i16>)>,
    },
    /// The group and its partitions; `all` when the client asked for every
    /// committed offset (then only committed partitions are answered).
    OffsetFetch {
        group: String,
        asked: Vec<(String, i32)>,
        all: bool,
    },
    /// The states (v4+) and group types (v5+) asked for; empty: all.
    ListGroups {
        states: Vec<String>,
        types: Vec<String>,
    },
    DescribeGroups,
}

/// Topics asked for, each with its partition numbers.
type AskedTopics = Vec<(String, Vec<i32>)>;

/// One partition of an OffsetFetch answer: (partition, committed offset, error).
type FetchedOffset = (i32, i64, i16);

/// A decoded group request: the context, and the message for the broker
/// (`None` when the gateway answers alone).
pub type Translated = (GroupContext, Option<Message>);

/// Decodes a group API's body into the simulator's request.
pub fn decode(incoming: &mut Incoming<'_>) -> Result<Translated, String> {
    let Incoming { api, header, names, partitions, correlation_id, .. } = *incoming;
    let version = header.request_api_version;
    let group = |m: GroupMessage| Some(Message::Group(m));
    Ok(match api {
        ApiKey::FindCoordinator => {
            let r = incoming.body::<FindCoordinatorRequest>()?;
            let keys: Vec<String> = if version >= 4 {
                r.coordinator_keys.iter().map(|k| k.as_str().to_string()).collect()
            } else {
                vec![r.key.as_str().to_string()]
            };
            let Some(first) = keys.first().cloned() else {
                return Ok((GroupContext::FindCoordinator { keys, refused: Some(INVALID_REQUEST) }, None));
            };
            if r.key_type != 0 {
                return Ok((GroupContext::FindCoordinator { keys, refused: Some(COORDINATOR_NOT_AVAILABLE) }, None));
            }
            let message = GroupMessage::FindCoordinatorRequest { correlation_id, group: first };
            (GroupContext::FindCoordinator { keys, refused: None }, group(message))
        }
        ApiKey::JoinGroup => {
            let r = incoming.body::<JoinGroupRequest>()?;
            join(r, header, version, names, correlation_id)
        }
        ApiKey::SyncGroup => {
            let r = incoming.body::<SyncGroupRequest>()?;
            let mut assignments = Vec::new();
            for a in &r.assignments {
                match decode_assignment(&a.assignment, names) {
                    Some(partitions) => assignments.push((a.member_id.as_str().to_string(), partitions)),
                    None => {
                        let context = GroupContext::SyncGroup {
                            protocol_type: r.protocol_type,
                            protocol_name: r.protocol_name,
                            refused: Some(INCONSISTENT_GROUP_PROTOCOL),
                        };
                        return Ok((context, None));
                    }
                }
            }
            let message = GroupMessage::SyncGroupRequest {
                correlation_id,
                group: r.group_id.0.as_str().to_string(),
                generation: r.generation_id,
                member_id: r.member_id.as_str().to_string(),
                assignments,
            };
            let context = GroupContext::SyncGroup {
                protocol_type: r.protocol_type,
                protocol_name: r.protocol_name,
                refused: None,
            };
            (context, group(message))
        }
        ApiKey::Heartbeat => {
            let r = incoming.body::<HeartbeatRequest>()?;
            let message = GroupMessage::HeartbeatRequest {
                correlation_id,
                group: r.group_id.0.as_str().to_string(),
                generation: r.generation_id,
                member_id: r.member_id.as_str().to_string(),
            };
            (GroupContext::Heartbeat, group(message))
        }
        ApiKey::LeaveGroup => {
            let r = incoming.body::<LeaveGroupRequest>()?;
            let members: Vec<(StrBytes, Option<StrBytes>, Option<StrBytes>)> = if version >= 3 {
                r.members.into_iter().map(|m| (m.member_id, m.group_instance_id, m.reason)).collect()
            } else {
                vec![(r.member_id, None, None)]
            };
            let Some((member_id, _, reason)) = members.first().cloned() else {
                return Err(format!("a LeaveGroup v{version} naming no member"));
            };
            let message = GroupMessage::LeaveGroupRequest {
                correlation_id,
                group: r.group_id.0.as_str().to_string(),
                member_id: member_id.as_str().to_string(),
                reason: reason.map_or_else(|| "the consumer left the group".to_string(), |r| r.as_str().to_string()),
            };
            let members = members.into_iter().map(|(m, i, _)| (m, i)).collect();
            (GroupContext::LeaveGroup { members }, group(message))
        }
        ApiKey::OffsetCommit => {
            let r = incoming.body::<OffsetCommitRequest>()?;
            let mut asked = Vec::new();
            let mut offsets = Vec::new();
            for topic in &r.topics {
                let name = topic.name.0.as_str().to_string();
                let id = names.topic_id(&name).filter(|_| !super::topics::is_internal(&name));
                for p in &topic.partitions {
                    let known = id.filter(|&t| p.partition_index >= 0 && in_range(partitions, t, p.partition_index));
                    match known {
                        Some(t) => {
                            offsets.push((TopicPartition::new(t, p.partition_index as u32), p.committed_offset));
                            asked.push((name.clone(), p.partition_index, None));
                        }
                        None => asked.push((
                            name.clone(),
                            p.partition_index,
                            Some(wire_code(ErrorCode::UnknownTopicOrPartition)),
                        )),
                    }
                }
            }
            let context = GroupContext::OffsetCommit { asked };
            if offsets.is_empty() {
                return Ok((context, None));
            }
            let message = GroupMessage::OffsetCommitRequest {
                correlation_id,
                group: r.group_id.0.as_str().to_string(),
                generation: r.generation_id_or_member_epoch,
                member_id: r.member_id.as_str().to_string(),
                offsets,
            };
            (context, group(message))
        }
        ApiKey::OffsetFetch => {
            let r = incoming.body::<OffsetFetchRequest>()?;
            let (group_id, topics): (GroupId, Option<AskedTopics>) = if version >= 8 {
                let Some(first) = r.groups.into_iter().next() else {
                    return Err(format!("an OffsetFetch v{version} naming no group"));
                };
                let topics = first
                    .topics
                    .map(|ts| ts.into_iter().map(|t| (t.name.0.as_str().to_string(), t.partition_indexes)).collect());
                (first.group_id, topics)
            } else {
                let topics = r
                    .topics
                    .map(|ts| ts.into_iter().map(|t| (t.name.0.as_str().to_string(), t.partition_indexes)).collect());
                (r.group_id, topics)
            };
            let all = topics.is_none();
            let asked: Vec<(String, i32)> = match topics {
                Some(list) => {
                    list.into_iter().flat_map(|(n, ps)| ps.into_iter().map(move |p| (n.clone(), p))).collect()
                }
                None => names
                    .topics
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| !super::topics::is_internal(n))
                    .flat_map(|(i, n)| (0..partitions.get(i).copied().unwrap_or(0)).map(move |p| (n.clone(), p as i32)))
                    .collect(),
            };
            let known: Vec<TopicPartition> = asked
                .iter()
                .filter_map(|(n, p)| {
                    let t = names.topic_id(n)?;
                    (*p >= 0 && in_range(partitions, t, *p)).then(|| TopicPartition::new(t, *p as u32))
                })
                .collect();
            let group_name = group_id.0.as_str().to_string();
            let message =
                GroupMessage::OffsetFetchRequest { correlation_id, group: group_name.clone(), partitions: known };
            (GroupContext::OffsetFetch { group: group_name, asked, all }, group(message))
        }
        ApiKey::ListGroups => {
            let r = incoming.body::<ListGroupsRequest>()?;
            let lower = |list: Vec<StrBytes>| list.iter().map(|s| s.as_str().to_lowercase()).collect();
            let context = GroupContext::ListGroups { states: lower(r.states_filter), types: lower(r.types_filter) };
            (context, group(GroupMessage::ListGroupsRequest { correlation_id }))
        }
        ApiKey::DescribeGroups => {
            let r = incoming.body::<DescribeGroupsRequest>()?;
            let groups = r.groups.iter().map(|g| g.0.as_str().to_string()).collect();
            (GroupContext::DescribeGroups, group(GroupMessage::DescribeGroupsRequest { correlation_id, groups }))
        }
        other => return Err(format!("{other:?} is not a group API")),
    })
}

fn in_range(partitions: &[u32], topic: TopicId, partition: i32) -> bool {
    partitions.get(topic.0 as usize).is_some_and(|&n| (partition as u32) < n)
}

fn join(
    r: JoinGroupRequest,
    header: &RequestHeader,
    version: i16,
    names: &Names,
    correlation_id: CorrelationId,
) -> Translated {
    let member_id = r.member_id.as_str().to_string();
    let refuse = |code: i16| (GroupContext::JoinGroup { refused: Some((code, member_id.clone())) }, None);
    if r.protocol_type.as_str() != "consumer" {
        return refuse(INCONSISTENT_GROUP_PROTOCOL);
    }
    // The assignors the simulator knows, in the client's order of preference;
    // the subscription is the same in each (only user data differs).
    let mut protocols: Vec<Strategy> = Vec::new();
    let mut subscription: Option<MemberSubscription> = None;
    for p in &r.protocols {
        let Ok(strategy) = p.name.as_str().parse::<Strategy>() else { continue };
        if protocols.contains(&strategy) {
            continue;
        }
        let Some(s) = decode_subscription(&p.metadata, names) else { return refuse(INCONSISTENT_GROUP_PROTOCOL) };
        subscription.get_or_insert(s);
        protocols.push(strategy);
    }
    let Some(subscription) = subscription else { return refuse(INCONSISTENT_GROUP_PROTOCOL) };
    // Before v1 the session timeout was also the rebalance timeout.
    let rebalance_timeout_ms = if version >= 1 { r.rebalance_timeout_ms } else { r.session_timeout_ms };
    let join = JoinGroup {
        correlation_id,
        group: r.group_id.0.as_str().to_string(),
        member_id,
        group_instance_id: r.group_instance_id.map(|i| i.as_str().to_string()),
        client_id: header.client_id.as_ref().map_or_else(String::new, |c| c.as_str().to_string()),
        session_timeout_ms: r.session_timeout_ms.max(0) as u64,
        rebalance_timeout_ms: rebalance_timeout_ms.max(0) as u64,
        protocols,
        subscription,
    };
    (GroupContext::JoinGroup { refused: None }, Some(Message::Group(GroupMessage::JoinGroupRequest(join))))
}

/// Encodes the answer to a group request. `None` when `answer` is not
/// the awaited one.
pub fn encode(
    context: &GroupContext,
    answer: Option<GroupMessage>,
    version: i16,
    names: &Names,
    advertised: &Advertised,
    body: &mut bytes::BytesMut,
) -> Option<()> {
    use kafka_protocol::protocol::Encodable;
    let result = match (context, answer) {
        (GroupContext::FindCoordinator { keys, refused }, answer) => {
            let (error, coordinator) = match (refused, answer) {
                (Some(code), None) => (*code, None),
                (None, Some(GroupMessage::FindCoordinatorResponse { error, coordinator, .. })) => {
                    (wire_code(error), coordinator)
                }
                _ => return None,
            };
            let port = coordinator.and_then(|b| advertised.ports.iter().find(|(id, _)| *id == b).map(|&(_, p)| p));
            let (node_id, host, port) = match (coordinator, port) {
                (Some(b), Some(port)) if error == 0 => (b.0, advertised.host.clone(), i32::from(port)),
                _ => (-1, String::new(), -1),
            };
            let error = if error == 0 && node_id < 0 { COORDINATOR_NOT_AVAILABLE } else { error };
            let mut response = wire::FindCoordinatorResponse::default();
            if version >= 4 {
                response.coordinators = keys
                    .iter()
                    .map(|k| {
                        let mut c = wire::find_coordinator_response::Coordinator::default();
                        c.key = StrBytes::from_string(k.clone());
                        c.node_id = node_id.into();
                        c.host = StrBytes::from_string(host.clone());
                        c.port = port;
                        c.error_code = error;
                        c
                    })
                    .collect();
            } else {
                response.error_code = error;
                response.node_id = node_id.into();
                response.host = StrBytes::from_string(host);
                response.port = port;
            }
            response.encode(body, version)
        }
        (GroupContext::JoinGroup { refused }, answer) => {
            let mut response = wire::JoinGroupResponse::default();
            match (refused, answer) {
                (Some((code, member_id)), None) => {
                    response.error_code = *code;
                    response.member_id = StrBytes::from_string(member_id.clone());
                }
                (
                    None,
                    Some(GroupMessage::JoinGroupResponse {
                        error,
                        generation,
                        protocol,
                        leader,
                        member_id,
                        members,
                        skip_assignment,
                        ..
                    }),
                ) => {
                    response.error_code = wire_code(error);
                    response.generation_id = generation;
                    response.protocol_type = Some(StrBytes::from_static_str("consumer"));
                    response.protocol_name = protocol.map(|p| StrBytes::from_static_str(p.name()));
                    response.leader = StrBytes::from_string(leader);
                    response.member_id = StrBytes::from_string(member_id);
                    response.skip_assignment = skip_assignment && version >= 9;
                    response.members = members
                        .iter()
                        .map(|m| {
                            let mut member = wire::join_group_response::JoinGroupResponseMember::default();
                            member.member_id = StrBytes::from_string(m.member_id.clone());
                            member.group_instance_id = m.group_instance_id.clone().map(StrBytes::from_string);
                            member.metadata = encode_subscription(&m.subscription, names);
                            member
                        })
                        .collect();
                }
                _ => return None,
            }
            response.encode(body, version)
        }
        (GroupContext::SyncGroup { protocol_type, protocol_name, refused }, answer) => {
            let mut response = wire::SyncGroupResponse::default();
            match (refused, answer) {
                (Some(code), None) => response.error_code = *code,
                (None, Some(GroupMessage::SyncGroupResponse { error, assignment, .. })) => {
                    response.error_code = wire_code(error);
                    if error.is_ok() {
                        response.assignment = encode_assignment(&assignment, names);
                        response.protocol_type = protocol_type.clone();
                        response.protocol_name = protocol_name.clone();
                    }
                }
                _ => return None,
            }
            response.encode(body, version)
        }
        (GroupContext::Heartbeat, Some(GroupMessage::HeartbeatResponse { error, .. })) => {
            let mut response = wire::HeartbeatResponse::default();
            response.error_code = wire_code(error);
            response.encode(body, version)
        }
        (GroupContext::LeaveGroup { members }, Some(GroupMessage::LeaveGroupResponse { error, .. })) => {
            let mut response = wire::LeaveGroupResponse::default();
            let code = wire_code(error);
            // From v3 a member's own error (UNKNOWN_MEMBER_ID) is told per
            // member; the group's (coordinator moved) at the top.
            let group_level = matches!(
                error,
                ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable | ErrorCode::CoordinatorLoadInProgress
            );
            if version >= 3 && !group_level {
                response.members = members
                    .iter()
                    .map(|(m, i)| {
                        let mut member = wire::leave_group_response::MemberResponse::default();
                        member.member_id = m.clone();
                        member.group_instance_id = i.clone();
                        member.error_code = code;
                        member
                    })
                    .collect();
            } else {
                response.error_code = code;
            }
            response.encode(body, version)
        }
        (GroupContext::OffsetCommit { asked }, answer) => {
            let error = match answer {
                Some(GroupMessage::OffsetCommitResponse { error, .. }) => wire_code(error),
                None if asked.iter().all(|(_, _, e)| e.is_some()) => 0,
                _ => return None,
            };
            let mut topics: Vec<(String, Vec<wire::offset_commit_response::OffsetCommitResponsePartition>)> =
                Vec::new();
            for (name, index, refused) in asked {
                let mut p = wire::offset_commit_response::OffsetCommitResponsePartition::default();
                p.partition_index = *index;
                p.error_code = refused.unwrap_or(error);
                match topics.iter_mut().find(|(n, _)| n == name) {
                    Some((_, list)) => list.push(p),
                    None => topics.push((name.clone(), vec![p])),
                }
            }
            let mut response = wire::OffsetCommitResponse::default();
            response.topics = topics
                .into_iter()
                .map(|(name, partitions)| {
                    let mut t = wire::offset_commit_response::OffsetCommitResponseTopic::default();
                    t.name = TopicName(StrBytes::from_string(name));
                    t.partitions = partitions;
                    t
                })
                .collect();
            response.encode(body, version)
        }
        (
            GroupContext::OffsetFetch { group, asked, all },
            Some(GroupMessage::OffsetFetchResponse { error, offsets, .. }),
        ) => offset_fetch(group, asked, *all, wire_code(error), &offsets, names, version).encode(body, version),
        (GroupContext::ListGroups { states, types }, Some(GroupMessage::ListGroupsResponse { error, groups, .. })) => {
            let mut response = wire::ListGroupsResponse::default();
            response.error_code = wire_code(error);
            // Every group here is a classic consumer group (KIP-848's type "classic").
            let all_types = types.is_empty() || types.iter().any(|t| t == "classic");
            response.groups = groups
                .into_iter()
                .filter(|g| all_types && (states.is_empty() || states.contains(&g.state.to_lowercase())))
                .map(|g| {
                    let mut listed = wire::list_groups_response::ListedGroup::default();
                    listed.group_id = GroupId(StrBytes::from_string(g.group));
                    listed.protocol_type = StrBytes::from_static_str("consumer");
                    listed.group_state = StrBytes::from_static_str(g.state);
                    listed.group_type = StrBytes::from_static_str("classic");
                    listed
                })
                .collect();
            response.encode(body, version)
        }
        (GroupContext::DescribeGroups, Some(GroupMessage::DescribeGroupsResponse { groups, .. })) => {
            let mut response = wire::DescribeGroupsResponse::default();
            response.groups = groups.iter().map(|g| described(g, names, advertised)).collect();
            response.encode(body, version)
        }
        _ => return None,
    };
    result.ok()
}

/// One group of a DescribeGroups answer, members' bytes as their clients wrote them.
fn described(
    g: &crate::protocol::DescribedGroup,
    names: &Names,
    advertised: &Advertised,
) -> wire::describe_groups_response::DescribedGroup {
    let mut out = wire::describe_groups_response::DescribedGroup::default();
    out.error_code = wire_code(g.error);
    out.group_id = GroupId(StrBytes::from_string(g.group.clone()));
    out.group_state = StrBytes::from_static_str(g.state);
    let known = g.error.is_ok() && g.state != "Dead";
    out.protocol_type = StrBytes::from_static_str(if known { "consumer" } else { "" });
    out.protocol_data = StrBytes::from_static_str(g.protocol.map_or("", |p| p.name()));
    // Kafka sends member details only in a stable group (and ids in any).
    let stable = g.state == "Stable";
    out.members = g
        .members
        .iter()
        .map(|m| {
            let mut member = wire::describe_groups_response::DescribedGroupMember::default();
            member.member_id = StrBytes::from_string(m.member_id.clone());
            member.group_instance_id = m.group_instance_id.clone().map(StrBytes::from_string);
            member.client_id = StrBytes::from_string(m.client_id.clone());
            member.client_host = StrBytes::from_string(match m.node {
                crate::ids::NodeId::LiveClient(_) => format!("/{}", advertised.host),
                node => names.node(node),
            });
            if stable {
                member.member_metadata = encode_subscription(&m.subscription, names);
                member.member_assignment = encode_assignment(&m.assignment, names);
            }
            member
        })
        .collect();
    out
}

fn offset_fetch(
    group: &str,
    asked: &[(String, i32)],
    all: bool,
    error: i16,
    offsets: &[(TopicPartition, i64)],
    names: &Names,
    version: i16,
) -> wire::OffsetFetchResponse {
    let committed = |name: &str, p: i32| -> Option<i64> {
        let topic = names.topic_id(name)?;
        offsets.iter().find(|(tp, _)| tp.topic == topic && tp.partition as i64 == p as i64).map(|&(_, o)| o)
    };
    // (topic, [(partition, offset, error)]) in the order asked.
    let mut topics: Vec<(String, Vec<FetchedOffset>)> = Vec::new();
    for (name, p) in asked {
        let (offset, code) = match committed(name, *p) {
            Some(o) => (o, 0),
            None if names.topic_id(name).is_some() => (-1, 0),
            None => (-1, wire_code(ErrorCode::UnknownTopicOrPartition)),
        };
        // Asked for everything, Kafka answers only what was committed.
        if all && offset < 0 {
            continue;
        }
        match topics.iter_mut().find(|(n, _)| n == name) {
            Some((_, list)) => list.push((*p, offset, code)),
            None => topics.push((name.clone(), vec![(*p, offset, code)])),
        }
    }
    let mut response = wire::OffsetFetchResponse::default();
    if version >= 8 {
        let mut g = wire::offset_fetch_response::OffsetFetchResponseGroup::default();
        g.group_id = GroupId(StrBytes::from_string(group.to_string()));
        g.error_code = error;
        g.topics = topics
            .into_iter()
            .map(|(name, ps)| {
                let mut t = wire::offset_fetch_response::OffsetFetchResponseTopics::default();
                t.name = TopicName(StrBytes::from_string(name));
                t.partitions = ps
                    .into_iter()
                    .map(|(index, offset, code)| {
                        let mut p = wire::offset_fetch_response::OffsetFetchResponsePartitions::default();
                        p.partition_index = index;
                        p.committed_offset = offset;
                        p.error_code = code;
                        p
                    })
                    .collect();
                t
            })
            .collect();
        response.groups = vec![g];
    } else {
        response.error_code = error;
        response.topics = topics
            .into_iter()
            .map(|(name, ps)| {
                let mut t = wire::offset_fetch_response::OffsetFetchResponseTopic::default();
                t.name = TopicName(StrBytes::from_string(name));
                t.partitions = ps
                    .into_iter()
                    .map(|(index, offset, code)| {
                        let mut p = wire::offset_fetch_response::OffsetFetchResponsePartition::default();
                        p.partition_index = index;
                        p.committed_offset = offset;
                        p.error_code = if version < 2 && error != 0 { error } else { code };
                        p
                    })
                    .collect();
                t
            })
            .collect();
    }
    response
}

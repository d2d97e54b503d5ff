//! Narration: trace events as lines a student reads, in virtual time.
//!
//! ```text
//! t=1.001s  producer → demo_1-0 @0 key=key-0 (leader broker 1, epoch 0)
//! t=1.503s  c1 ← demo_1-0 @0 key=key-0 value=value-0
//! t=21.000s » c3 gets nothing: 2 partitions can feed at most 2 consumers.
//! ```

use super::event::{MemberAssignment, TraceEvent, TracedEvent};
use crate::cluster::record::LogBatch;
use crate::engine::SimTime;
use crate::group::assignor::Strategy;
use crate::ids::{BrokerId, Names};

/// Per batch, at most this many record lines; the rest are summarised.
const RECORD_LINES_PER_BATCH: usize = 20;
const SHOWN_BYTES: usize = 48;

/// A key or value for display: text if it is UTF-8, else hex; `null` if
/// absent. Bytes in Confluent's wire format (magic byte 0, then the schema
/// ID) show their schema ID before the Avro body.
pub fn show_bytes(bytes: Option<&[u8]>) -> String {
    if let Some(Ok((id, body))) = bytes.map(crate::avro::wire::unframe) {
        let hex: String = body.iter().take(SHOWN_BYTES / 2).map(|x| format!("{x:02x}")).collect();
        return format!("[schema ID {id}] 0x{hex}{}", if body.len() > SHOWN_BYTES / 2 { "…" } else { "" });
    }
    match bytes {
        None => "null".to_string(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(text) if text.chars().count() > SHOWN_BYTES => {
                format!("{}…", text.chars().take(SHOWN_BYTES).collect::<String>())
            }
            Ok(text) => text.to_string(),
            Err(_) => {
                let hex: String = b.iter().take(SHOWN_BYTES / 2).map(|x| format!("{x:02x}")).collect();
                format!("0x{hex}{}", if b.len() > SHOWN_BYTES / 2 { "…" } else { "" })
            }
        },
    }
}

fn record_lines(
    batch: &LogBatch,
    from: i64,
    to: i64,
    mut line: impl FnMut(i64, String, String) -> String,
) -> Vec<String> {
    let records: Vec<_> = batch.records().filter(|(o, _)| *o >= from && *o < to).collect();
    let mut out: Vec<String> = records
        .iter()
        .take(RECORD_LINES_PER_BATCH)
        .map(|(offset, r)| line(*offset, show_bytes(r.key()), show_bytes(r.value())))
        .collect();
    if records.len() > RECORD_LINES_PER_BATCH {
        out.push(format!("… and {} more records", records.len() - RECORD_LINES_PER_BATCH));
    }
    out
}

/// The lines for one event, each starting with its time.
pub fn lines(traced: &TracedEvent, names: &Names) -> Vec<String> {
    with_time(traced.time, body_lines(&traced.event, names))
}

/// Prefixes lines with `t=…`, aligned.
pub fn with_time(time: SimTime, body: Vec<String>) -> Vec<String> {
    let t = format!("t={time}");
    body.into_iter().map(|text| format!("{t:<11} {text}")).collect()
}

/// The lines for one event, without the time (some events, like a batch
/// append, give several).
pub fn body_lines(event: &TraceEvent, names: &Names) -> Vec<String> {
    if let Some(body) = replication_lines(event, names).or_else(|| group_lines(event, names)) {
        return body;
    }
    match event {
        TraceEvent::Say { text } => vec![format!("» {text}")],
        TraceEvent::Streams(e) => vec![e.line()],
        TraceEvent::Action { text } => vec![format!("! {text}")],
        TraceEvent::Send { producer, tp, id, key } => vec![format!(
            "{} send() #{} key={} → {}",
            names.producer(*producer),
            id.number,
            show_bytes(key.as_deref()),
            names.partition(*tp)
        )],
        TraceEvent::BatchSent { producer, broker, tp, records, attempt } => vec![format!(
            "{} → broker {broker}: Produce {} ({records} record{}{})",
            names.producer(*producer),
            names.partition(*tp),
            if *records == 1 { "" } else { "s" },
            if *attempt > 1 { format!(", attempt {attempt}") } else { String::new() }
        )],
        TraceEvent::Append { broker, tp, batch } if batch.batch.control().is_some() => {
            let marker = batch.batch.control().map_or("", |m| m.name());
            vec![format!(
                "broker {broker} writes {} {marker} marker (a control record) to {} @{} for producer id {}, epoch {}",
                if marker == "ABORT" { "an" } else { "a" },
                names.partition(*tp),
                batch.base_offset,
                batch.batch.producer.producer_id,
                batch.batch.producer.producer_epoch
            )]
        }
        TraceEvent::Append { broker, tp, batch } => {
            let writer = if names.topic(tp.topic) == crate::registry::SCHEMAS_TOPIC {
                crate::registry::REGISTRY_HOST.to_string()
            } else if batch.batch.records().next().is_some_and(|r| r.id().producer.0 == u32::MAX) {
                "kafka".to_string()
            } else {
                batch.batch.records().next().map_or("?".to_string(), |r| names.producer(r.id().producer).to_string())
            };
            let partition = names.partition(*tp);
            record_lines(batch, i64::MIN, i64::MAX, |offset, key, _| {
                format!(
                    "{writer} → {partition} @{offset} key={key} (leader broker {broker}, epoch {})",
                    batch.partition_leader_epoch
                )
            })
        }
        TraceEvent::DuplicateBatch { broker, tp, base_offset, records } => vec![format!(
            "broker {broker}: {} already holds these {records} record(s) at @{base_offset}: an idempotent retry, not written again",
            names.partition(*tp)
        )],
        TraceEvent::ProduceRejected { broker, tp, error, records } => {
            vec![format!("broker {broker} refuses {records} record(s) for {}: {error}", names.partition(*tp))]
        }
        TraceEvent::HighWatermark { broker, tp, high_watermark } => {
            vec![format!("broker {broker}: {} high watermark → {high_watermark}", names.partition(*tp))]
        }
        TraceEvent::SegmentsDeleted { broker, tp, reason, segments, records, log_start_offset } => vec![format!(
            "broker {broker}: {} deletes its {segments} oldest segment(s), {records} record(s), by {reason}; log start offset → {log_start_offset}",
            names.partition(*tp)
        )],
        TraceEvent::Compacted { broker, tp, cleaned } => {
            let mut line = format!(
                "broker {broker}: the log cleaner compacts {} (dirty ratio {:.2}) up to offset {}: {} superseded record(s) removed",
                names.partition(*tp),
                cleaned.dirty_ratio,
                cleaned.cleaned_up_to,
                cleaned.superseded
            );
            if cleaned.tombstones_removed > 0 {
                line.push_str(&format!(
                    ", {} tombstone(s) past delete.retention.ms removed",
                    cleaned.tombstones_removed
                ));
            }
            if cleaned.tombstones_stamped > 0 {
                line.push_str(&format!(", {} tombstone(s) kept for delete.retention.ms", cleaned.tombstones_stamped));
            }
            if cleaned.aborted_removed > 0 {
                line.push_str(&format!(", {} record(s) of aborted transactions removed", cleaned.aborted_removed));
            }
            if cleaned.markers_stamped > 0 {
                line.push_str(&format!(
                    ", {} transaction marker(s) with no data left kept for delete.retention.ms",
                    cleaned.markers_stamped
                ));
            }
            if cleaned.markers_removed > 0 {
                line.push_str(&format!(
                    ", {} transaction marker(s) past delete.retention.ms removed",
                    cleaned.markers_removed
                ));
            }
            if cleaned.segments_before != cleaned.segments_after {
                line.push_str(&format!("; {} segment(s) → {}", cleaned.segments_before, cleaned.segments_after));
            }
            vec![line]
        }
        TraceEvent::Acknowledged { producer, tp, base_offset, batch } => {
            let n = batch.len() as i64;
            let at = if *base_offset < 0 {
                "offset unknown (acks=0)".to_string()
            } else if n == 1 {
                format!("@{base_offset}")
            } else {
                format!("@{base_offset}..{}", base_offset + i64::from(batch.last_offset_delta()))
            };
            vec![format!("{} ✓ {} {at} acknowledged", names.producer(*producer), names.partition(*tp))]
        }
        TraceEvent::ProduceFailed { producer, tp, error, records, retry, .. } => vec![format!(
            "{}: {records} record(s) for {} got {error}{}",
            names.producer(*producer),
            names.partition(*tp),
            if *retry { ", will retry" } else { "" }
        )],
        TraceEvent::DeliveryFailed { producer, tp, error, ids } => vec![format!(
            "{} ✗ {} record(s) for {} failed: {error}",
            names.producer(*producer),
            ids.len(),
            names.partition(*tp)
        )],
        TraceEvent::ProducerId { producer, producer_id, producer_epoch } => vec![format!(
            "{} is {} producer id {producer_id}, epoch {producer_epoch}",
            names.producer(*producer),
            if names.transactional_producers.contains(producer) { "transactional" } else { "idempotent" }
        )],
        TraceEvent::ProducerFailed { producer, exception, reason } => {
            vec![format!("{} ✗ {exception}: {reason}", names.producer(*producer))]
        }
        TraceEvent::TransactionState { broker, transactional_id, tp, state, producer_id, producer_epoch } => {
            vec![format!(
                "broker {broker}, transaction coordinator of `{transactional_id}`, recorded {state} in {} \
                 (producer id {producer_id}, epoch {producer_epoch})",
                names.partition(*tp)
            )]
        }
        TraceEvent::TransactionMarkers { broker, transactional_id, marker, partitions } => {
            let list: Vec<String> = partitions.iter().map(|tp| names.partition(*tp)).collect();
            vec![if list.is_empty() {
                format!("broker {broker}, transaction coordinator of `{transactional_id}`: no partition to mark")
            } else {
                format!(
                    "broker {broker}, transaction coordinator of `{transactional_id}`, sends WriteTxnMarkers: {} marker to {}",
                    marker.to_lowercase(),
                    list.join(" and ")
                )
            }]
        }
        TraceEvent::TransactionEnded { producer, outcome, producer_epoch, ids } => {
            let p = names.producer(*producer);
            let n = ids.len();
            vec![match *outcome {
                "commit" => format!(
                    "{p} commitTransaction() returned: its {n} record(s) are committed; its next transaction uses epoch {producer_epoch}"
                ),
                "abort" => format!(
                    "{p} abortTransaction() returned: its {n} record(s) are aborted; its next transaction uses epoch {producer_epoch}"
                ),
                _ => format!(
                    "{p} dies with its transaction open ({n} record(s) sent): the coordinator will abort it after transaction.timeout.ms"
                ),
            }]
        }
        TraceEvent::Position { consumer, tp, offset, reason } => vec![if *offset >= 0 {
            format!("{} position on {} = {offset} ({reason})", names.consumer(*consumer), names.partition(*tp))
        } else {
            format!("{} on {}: {reason}", names.consumer(*consumer), names.partition(*tp))
        }],
        TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } => {
            let c = names.consumer(*consumer);
            let partition = names.partition(*tp);
            record_lines(batch, *from_offset, *to_offset, |offset, key, value| {
                format!("{c} ← {partition} @{offset} key={key} value={value}")
            })
        }
        TraceEvent::Abandoned { consumer, ids, committed } => {
            let c = names.consumer(*consumer);
            let n = ids.len();
            vec![if *committed {
                format!(
                    "✗ {c} dies with {n} record(s) unprocessed, their offsets already committed: the group will not deliver them again (at-most-once)"
                )
            } else {
                format!(
                    "{c} dies with {n} record(s) unprocessed; their offsets were not committed, so the group will deliver them again (at-least-once)"
                )
            }]
        }
        TraceEvent::ErrorResponse { client, from, api, error, partitions } => {
            let on = if partitions.is_empty() {
                String::new()
            } else {
                format!(" for {}", partitions.iter().map(|tp| names.partition(*tp)).collect::<Vec<_>>().join(", "))
            };
            vec![format!("{} ← {}: {api} answered {error}{on}", names.node(*client), names.node(*from))]
        }
        TraceEvent::MetadataUpdated { node, summary } => vec![format!("{} metadata: {summary}", names.node(*node))],
        TraceEvent::MessageSent { from, to, api } => {
            vec![format!("{} → {}: {api}", names.node(*from), names.node(*to))]
        }
        TraceEvent::MessageDropped { from, to, api, reason } => {
            vec![format!("✗ {api} from {} to {} lost: {reason}", names.node(*from), names.node(*to))]
        }
        TraceEvent::HostState { host, state } => vec![format!("! {} {state}", names.host(*host))],
        TraceEvent::Expectation { passed, description, found, .. } => {
            vec![format!("{} expect {description}: found {found}", if *passed { "✓" } else { "✗ FAILED" })]
        }
        TraceEvent::Registry(event) => event.lines(names),
        // Replication events were rendered above.
        _ => Vec::new(),
    }
}

fn partitions(list: &[crate::ids::TopicPartition], names: &Names) -> String {
    format!("[{}]", list.iter().map(|tp| names.partition(*tp)).collect::<Vec<_>>().join(", "))
}

/// A member id short enough to read: the client id (or `group.instance.id`)
/// and the first 8 digits of the coordinator's UUID, which is what sorts
/// members that share a client id.
pub fn short_member_id(member_id: &str) -> String {
    const UUID_LEN: usize = 36;
    match member_id.len().checked_sub(UUID_LEN + 1) {
        Some(cut) if member_id.is_char_boundary(cut) && member_id[cut..].starts_with('-') => {
            format!("{}-{}…", &member_id[..cut], &member_id[cut + 1..cut + 9])
        }
        _ => member_id.to_string(),
    }
}

/// Why a generation's assignment came out as it did: every classic assignor
/// works through the members in `MemberInfo` order.
fn assignment_reason(protocol: Option<Strategy>, members: &[MemberAssignment]) -> String {
    let order = if members.iter().any(|m| m.group_instance_id.is_some()) {
        "static members by group.instance.id first, then member id"
    } else {
        "member id"
    };
    match protocol {
        Some(Strategy::Range) => format!("range splits each topic in order of {order}"),
        Some(Strategy::RoundRobin) => format!("roundrobin deals the partitions out in order of {order}"),
        Some(Strategy::Sticky) => format!("sticky keeps owners and balances the rest, in order of {order}"),
        Some(Strategy::CooperativeSticky) => format!(
            "cooperative-sticky keeps owners and balances the rest, in order of {order}; a partition that changes owner waits for a second round"
        ),
        Some(Strategy::Stream) => "Kafka Streams' assignor places tasks: the leader's decision tells how".to_string(),
        None => format!("members in order of {order}"),
    }
}

/// Lines for consumer-group events.
fn group_lines(event: &TraceEvent, names: &Names) -> Option<Vec<String>> {
    Some(match event {
        TraceEvent::GroupAssignment { group, generation, protocol, members } => {
            let mut out = vec![format!(
                "coordinator: group {group} generation {generation} is assigned ({}):",
                assignment_reason(*protocol, members)
            )];
            for m in members {
                let id = m.group_instance_id.clone().unwrap_or_else(|| short_member_id(&m.member_id));
                let share = if m.assignment.is_empty() {
                    "nothing (idle)".to_string()
                } else {
                    partitions(&m.assignment, names)
                };
                out.push(format!("  {} {id} → {share}", names.node(m.node)));
            }
            out
        }
        TraceEvent::RebalanceStarted { group, generation, reason } => {
            vec![format!("coordinator: group {group} rebalances (generation {generation} ends) because {reason}")]
        }
        TraceEvent::GenerationStarted { group, generation, protocol, leader, members } => vec![if members.is_empty() {
            format!("coordinator: group {group} generation {generation}: no members left, the group is Empty")
        } else {
            format!(
                "coordinator: group {group} generation {generation} with {} member(s), assignor {}, leader {}",
                members.len(),
                protocol.map_or("none", |p| p.name()),
                leader.as_deref().map_or("-".to_string(), short_member_id)
            )
        }],
        TraceEvent::MemberReplaced { group, instance, old_member_id, new_member_id } => vec![format!(
            "coordinator: static member {instance} of group {group} is back as {new_member_id}; {old_member_id} is fenced, and the group does not rebalance"
        )],
        TraceEvent::MemberRemoved { group, member_id, reason } => {
            vec![format!("coordinator: {member_id} is removed from group {group}: {reason}")]
        }
        TraceEvent::Joined { consumer, group, member_id, generation, leader } => vec![format!(
            "{} joined group {group} as {member_id} in generation {generation}{}",
            names.consumer(*consumer),
            if *leader { " (group leader: it runs the assignor)" } else { "" }
        )],
        TraceEvent::Assigned { consumer, group, generation, assignment, added } => vec![format!(
            "{} is assigned {} in group {group} generation {generation}{}",
            names.consumer(*consumer),
            if assignment.is_empty() { "nothing — it is idle".to_string() } else { partitions(assignment, names) },
            if !added.is_empty() && added.len() != assignment.len() {
                format!(" (new: {})", partitions(added, names))
            } else {
                String::new()
            }
        )],
        TraceEvent::Revoked { consumer, group, partitions: revoked, eager } => vec![format!(
            "{} gives up {} in group {group}{}",
            names.consumer(*consumer),
            partitions(revoked, names),
            if *eager {
                " — eager rebalance: it stops consuming everything until the new assignment"
            } else {
                " — cooperative: it keeps consuming the rest"
            }
        )],
        TraceEvent::OffsetsCommitted { consumer, group, offsets, .. } => vec![format!(
            "{} committed {} for group {group}",
            names.consumer(*consumer),
            offsets.iter().map(|(tp, o)| format!("{}={o}", names.partition(*tp))).collect::<Vec<_>>().join(" ")
        )],
        TraceEvent::CommitFailed { consumer, group, error } => {
            vec![format!("{} ✗ commit for group {group} failed: {error}", names.consumer(*consumer))]
        }
        TraceEvent::ClientFailed { consumer, exception, reason } => {
            vec![format!("✗ {}: poll() throws {exception}: {reason}; the application stops", names.consumer(*consumer))]
        }
        TraceEvent::OffsetsExpired { group, partitions, group_deleted, retention_minutes, reason } => {
            let mut lines = Vec::new();
            if !partitions.is_empty() {
                lines.push(format!(
                    "coordinator: the committed offsets of group {group} on {} expired ({reason}, offsets.retention.minutes = {retention_minutes}): tombstones in __consumer_offsets; a consumer of the group that comes back starts from auto.offset.reset",
                    partitions.iter().map(|tp| names.partition(*tp)).collect::<Vec<_>>().join(" ")
                ));
            }
            if *group_deleted {
                lines.push(format!(
                    "coordinator: group {group} is deleted: it has no members and no committed offsets left"
                ));
            }
            lines
        }
        TraceEvent::LeftGroup { consumer, group, reason } => {
            vec![format!("{} leaves group {group}: {reason}", names.consumer(*consumer))]
        }
        TraceEvent::Paused { consumer, paused } => vec![if *paused {
            format!("! {} stops calling poll() (stuck in processing)", names.consumer(*consumer))
        } else {
            format!("! {} calls poll() again", names.consumer(*consumer))
        }],
        _ => return None,
    })
}

fn brokers(list: &[BrokerId]) -> String {
    format!("[{}]", list.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(","))
}

fn leader_name(leader: Option<BrokerId>) -> String {
    leader.map_or("nobody (offline)".to_string(), |b| format!("broker {b}"))
}

/// Lines for the replication and controller events.
fn replication_lines(event: &TraceEvent, names: &Names) -> Option<Vec<String>> {
    Some(match event {
        TraceEvent::TopicCreated { name, replicas, .. } => {
            let mut lines = vec![format!(
                "controller creates topic {name}: {} partition(s), replication factor {}",
                replicas.len(),
                replicas.first().map_or(0, Vec::len)
            )];
            lines.extend(replicas.iter().enumerate().map(|(p, r)| {
                format!("  {name}-{p}: replicas {}, leader {}", brokers(r), leader_name(r.first().copied()))
            }));
            lines
        }
        TraceEvent::TopicRefused { name, error, message } => {
            vec![format!("controller refuses to create topic {name:?}: {} ({message})", error.name())]
        }
        TraceEvent::ControllerActive { controller } => {
            vec![format!("controller {controller} is the active controller")]
        }
        TraceEvent::BrokerRegistered { broker, broker_epoch } => {
            vec![format!("broker {broker} registers with the controller (broker epoch {broker_epoch})")]
        }
        TraceEvent::BrokerFenced { broker, reason } => vec![format!("controller fences broker {broker}: {reason}")],
        TraceEvent::BrokerUnfenced { broker } => {
            vec![format!("controller unfences broker {broker}: it has caught up with the metadata")]
        }
        TraceEvent::LeaderChange { tp, previous, leader, leader_epoch, isr, reason, unclean } => vec![format!(
            "controller: {} leader {} → {} (epoch {leader_epoch}, ISR {}) because {reason}{}",
            names.partition(*tp),
            leader_name(*previous),
            leader_name(*leader),
            brokers(isr),
            if *unclean { " — UNCLEAN election: the new leader was not in sync" } else { "" }
        )],
        TraceEvent::IsrChange { tp, previous, isr, reason, .. } => vec![format!(
            "controller: {} ISR {} → {} because {reason}",
            names.partition(*tp),
            brokers(previous),
            brokers(isr)
        )],
        TraceEvent::RoleChange { broker, tp, leader, leader_epoch } => vec![if *leader == Some(*broker) {
            format!("broker {broker} leads {} (epoch {leader_epoch})", names.partition(*tp))
        } else {
            format!(
                "broker {broker} follows {} for {} (epoch {leader_epoch})",
                leader_name(*leader),
                names.partition(*tp)
            )
        }],
        TraceEvent::Replicated { broker, tp, from_offset, to_offset, high_watermark } => vec![format!(
            "broker {broker} replicates {} @{from_offset}..{} (its high watermark {high_watermark})",
            names.partition(*tp),
            to_offset - 1
        )],
        TraceEvent::Truncated { broker, tp, to_offset, records, reason } => {
            let mut out = vec![format!(
                "broker {broker} truncates {} to offset {to_offset}, removing {} record(s): {reason}",
                names.partition(*tp),
                records.len()
            )];
            for r in records.iter().take(RECORD_LINES_PER_BATCH) {
                let who = if r.id.producer.0 == u32::MAX {
                    "kafka".to_string()
                } else {
                    format!("{}#{}", names.producer(r.id.producer), r.id.number)
                };
                out.push(format!(
                    "  ✗ @{} ({who}, written in epoch {}) is gone from broker {broker}",
                    r.offset, r.leader_epoch
                ));
            }
            if records.len() > RECORD_LINES_PER_BATCH {
                out.push(format!("  … and {} more", records.len() - RECORD_LINES_PER_BATCH));
            }
            out
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ids_are_shortened_to_their_client_id_and_the_start_of_the_uuid() {
        assert_eq!(short_member_id("consumer-g-1-0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"), "consumer-g-1-0b1c2d3e…");
        assert_eq!(short_member_id("c1"), "c1", "not a generated id: shown whole");
    }
}

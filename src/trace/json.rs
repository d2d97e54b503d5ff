//! Trace events as JSON objects with stable field names (`--format jsonl`).

use serde_json::{Value, json};

use super::event::{TraceEvent, TracedEvent};
use super::narrate::show_bytes;
use crate::cluster::record::LogBatch;
use crate::ids::{BrokerId, Names, NodeId, RecordId, TopicPartition};

fn partition(tp: TopicPartition, names: &Names) -> (Value, Value) {
    (json!(names.topic(tp.topic)), json!(tp.partition))
}

fn record_id(id: RecordId, names: &Names) -> Value {
    if id == RecordId::INTERNAL { json!(null) } else { json!(format!("{}#{}", names.producer(id.producer), id.number)) }
}

fn records(batch: &LogBatch, from: i64, to: i64, names: &Names) -> Value {
    Value::Array(
        batch
            .records()
            .filter(|(o, _)| *o >= from && *o < to)
            .map(|(offset, r)| {
                json!({
                    "offset": offset,
                    "key": r.key().map(|k| show_bytes(Some(k))),
                    "value": r.value().map(|v| show_bytes(Some(v))),
                    "timestamp_ms": r.timestamp_ms(),
                    "id": record_id(r.id(), names),
                })
            })
            .collect(),
    )
}

fn tps(list: &[TopicPartition], names: &Names) -> Vec<String> {
    list.iter().map(|tp| names.partition(*tp)).collect()
}

fn ids(list: &[BrokerId]) -> Vec<i32> {
    list.iter().map(|b| b.0).collect()
}

fn node(n: NodeId, names: &Names) -> Value {
    json!(names.node(n))
}

/// One event as a JSON object.
pub fn event_json(traced: &TracedEvent, names: &Names) -> Value {
    let mut obj = json!({
        "t_us": traced.time.as_micros(),
        "t": traced.time.to_string(),
        "step": traced.step,
        "event": traced.event.kind(),
    });
    let fields = match &traced.event {
        TraceEvent::Say { text } | TraceEvent::Action { text } => json!({ "text": text }),
        TraceEvent::Streams(e) => crate::trace::streams::json(e),
        TraceEvent::Send { producer, tp, id, key } => {
            let (topic, p) = partition(*tp, names);
            json!({ "producer": names.producer(*producer), "topic": topic, "partition": p,
                    "id": record_id(*id, names), "key": key.as_deref().map(|k| show_bytes(Some(k))) })
        }
        TraceEvent::BatchSent { producer, broker, tp, records, attempt } => {
            let (topic, p) = partition(*tp, names);
            json!({ "producer": names.producer(*producer), "broker": broker.0, "topic": topic, "partition": p,
                    "records": records, "attempt": attempt })
        }
        TraceEvent::Append { broker, tp, batch } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "base_offset": batch.base_offset,
                    "leader_epoch": batch.partition_leader_epoch,
                    "records": records(batch, i64::MIN, i64::MAX, names) })
        }
        TraceEvent::DuplicateBatch { broker, tp, base_offset, records } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "base_offset": base_offset, "records": records })
        }
        TraceEvent::ProduceRejected { broker, tp, error, records } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "error": error.name(), "records": records })
        }
        TraceEvent::HighWatermark { broker, tp, high_watermark } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "high_watermark": high_watermark })
        }
        TraceEvent::SegmentsDeleted { broker, tp, reason, segments, records, log_start_offset } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "reason": reason, "segments": segments,
                    "records": records, "log_start_offset": log_start_offset })
        }
        TraceEvent::Compacted { broker, tp, cleaned } => {
            let (topic, p) = partition(*tp, names);
            let mut event = json!({ "broker": broker.0, "topic": topic, "partition": p,
                    "first_dirty_offset": cleaned.first_dirty, "cleaned_up_to": cleaned.cleaned_up_to,
                    "dirty_ratio": cleaned.dirty_ratio, "superseded": cleaned.superseded,
                    "tombstones_removed": cleaned.tombstones_removed, "tombstones_stamped": cleaned.tombstones_stamped,
                    "segments_before": cleaned.segments_before, "segments_after": cleaned.segments_after });
            // Only when transactions were cleaned, so other traces keep their digests.
            for (name, count) in [
                ("aborted_removed", cleaned.aborted_removed),
                ("markers_removed", cleaned.markers_removed),
                ("markers_stamped", cleaned.markers_stamped),
            ] {
                if count > 0 {
                    event[name] = json!(count);
                }
            }
            event
        }
        TraceEvent::Acknowledged { producer, tp, base_offset, batch } => {
            let (topic, p) = partition(*tp, names);
            let ids: Vec<Value> = batch.records().map(|r| record_id(r.id(), names)).collect();
            json!({ "producer": names.producer(*producer), "topic": topic, "partition": p,
                    "base_offset": base_offset, "ids": ids })
        }
        TraceEvent::ProduceFailed { producer, tp, error, records, retry, .. } => {
            let (topic, p) = partition(*tp, names);
            json!({ "producer": names.producer(*producer), "topic": topic, "partition": p,
                    "error": error.name(), "records": records, "retry": retry })
        }
        TraceEvent::DeliveryFailed { producer, tp, error, ids } => {
            let (topic, p) = partition(*tp, names);
            let ids: Vec<Value> = ids.iter().map(|id| record_id(*id, names)).collect();
            json!({ "producer": names.producer(*producer), "topic": topic, "partition": p, "error": error, "ids": ids })
        }
        TraceEvent::ProducerId { producer, producer_id, producer_epoch } => {
            json!({ "producer": names.producer(*producer), "producer_id": producer_id, "producer_epoch": producer_epoch })
        }
        TraceEvent::ProducerFailed { producer, exception, reason } => {
            json!({ "producer": names.producer(*producer), "exception": exception, "reason": reason })
        }
        TraceEvent::TransactionState { broker, transactional_id, tp, state, producer_id, producer_epoch } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "transactional_id": transactional_id, "topic": topic, "partition": p,
                    "state": state.name(), "producer_id": producer_id, "producer_epoch": producer_epoch })
        }
        TraceEvent::TransactionMarkers { broker, transactional_id, marker, partitions } => {
            let partitions: Vec<String> = partitions.iter().map(|tp| names.partition(*tp)).collect();
            json!({ "broker": broker.0, "transactional_id": transactional_id, "marker": marker, "partitions": partitions })
        }
        TraceEvent::TransactionEnded { producer, outcome, producer_epoch, ids } => {
            let ids: Vec<Value> = ids.iter().map(|id| record_id(*id, names)).collect();
            json!({ "producer": names.producer(*producer), "outcome": outcome, "producer_epoch": producer_epoch, "ids": ids })
        }
        TraceEvent::Position { consumer, tp, offset, reason } => {
            let (topic, p) = partition(*tp, names);
            json!({ "consumer": names.consumer(*consumer), "topic": topic, "partition": p, "offset": offset, "reason": reason })
        }
        TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } => {
            let (topic, p) = partition(*tp, names);
            json!({ "consumer": names.consumer(*consumer), "topic": topic, "partition": p,
                    "records": records(batch, *from_offset, *to_offset, names) })
        }
        TraceEvent::Abandoned { consumer, ids, committed } => {
            let ids: Vec<Value> = ids.iter().map(|&id| record_id(id, names)).collect();
            json!({ "consumer": names.consumer(*consumer), "ids": ids, "committed": committed })
        }
        TraceEvent::ErrorResponse { client, from, api, error, partitions } => {
            json!({ "client": node(*client, names), "from": node(*from, names), "api": api, "error": error.name(),
                    "partitions": tps(partitions, names) })
        }
        TraceEvent::MetadataUpdated { node: n, summary } => json!({ "node": node(*n, names), "summary": summary }),
        TraceEvent::MessageSent { from, to, api } => {
            json!({ "from": node(*from, names), "to": node(*to, names), "api": api })
        }
        TraceEvent::MessageDropped { from, to, api, reason } => {
            json!({ "from": node(*from, names), "to": node(*to, names), "api": api, "reason": reason })
        }
        TraceEvent::HostState { host, state } => json!({ "host": names.host(*host), "state": state }),
        TraceEvent::Expectation { index, passed, description, found } => {
            json!({ "index": index, "passed": passed, "description": description, "found": found })
        }
        TraceEvent::Registry(event) => event.fields(names),
        TraceEvent::ControllerActive { controller } => json!({ "controller": controller.0 }),
        TraceEvent::TopicCreated { name, replicas, .. } => {
            json!({ "topic": name, "replicas": replicas.iter().map(|r| ids(r)).collect::<Vec<_>>() })
        }
        TraceEvent::TopicRefused { name, error, message } => {
            json!({ "topic": name, "error": error.name(), "message": message })
        }
        TraceEvent::BrokerRegistered { broker, broker_epoch } => {
            json!({ "broker": broker.0, "broker_epoch": broker_epoch })
        }
        TraceEvent::BrokerFenced { broker, reason } => json!({ "broker": broker.0, "reason": reason }),
        TraceEvent::BrokerUnfenced { broker } => json!({ "broker": broker.0 }),
        TraceEvent::LeaderChange { tp, previous, leader, leader_epoch, isr, reason, unclean } => {
            let (topic, p) = partition(*tp, names);
            json!({ "topic": topic, "partition": p, "previous": previous.map(|b| b.0), "leader": leader.map(|b| b.0),
                    "leader_epoch": leader_epoch, "isr": ids(isr), "reason": reason, "unclean": unclean })
        }
        TraceEvent::IsrChange { tp, leader, previous, isr, reason } => {
            let (topic, p) = partition(*tp, names);
            json!({ "topic": topic, "partition": p, "leader": leader.map(|b| b.0), "previous": ids(previous),
                    "isr": ids(isr), "reason": reason })
        }
        TraceEvent::RoleChange { broker, tp, leader, leader_epoch } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "leader": leader.map(|b| b.0),
                    "leader_epoch": leader_epoch })
        }
        TraceEvent::Replicated { broker, tp, from_offset, to_offset, high_watermark } => {
            let (topic, p) = partition(*tp, names);
            json!({ "broker": broker.0, "topic": topic, "partition": p, "from_offset": from_offset,
                    "to_offset": to_offset, "high_watermark": high_watermark })
        }
        TraceEvent::RebalanceStarted { group, generation, reason } => {
            json!({ "group": group, "generation": generation, "reason": reason })
        }
        TraceEvent::GenerationStarted { group, generation, protocol, leader, members } => {
            json!({ "group": group, "generation": generation, "protocol": protocol.map(|p| p.name()),
                    "leader": leader, "members": members })
        }
        TraceEvent::GroupAssignment { group, generation, protocol, members } => {
            let members: Vec<Value> = members
                .iter()
                .map(|m| {
                    json!({ "member_id": m.member_id, "group_instance_id": m.group_instance_id,
                            "client_id": m.client_id, "host": node(m.node, names),
                            "assignment": tps(&m.assignment, names) })
                })
                .collect();
            json!({ "group": group, "generation": generation, "protocol": protocol.map(|p| p.name()),
                    "members": members })
        }
        TraceEvent::MemberReplaced { group, instance, old_member_id, new_member_id } => {
            json!({ "group": group, "instance": instance, "old_member_id": old_member_id, "new_member_id": new_member_id })
        }
        TraceEvent::MemberRemoved { group, member_id, reason } => {
            json!({ "group": group, "member_id": member_id, "reason": reason })
        }
        TraceEvent::Joined { consumer, group, member_id, generation, leader } => {
            json!({ "consumer": names.consumer(*consumer), "group": group, "member_id": member_id,
                    "generation": generation, "leader": leader })
        }
        TraceEvent::Assigned { consumer, group, generation, assignment, added } => {
            json!({ "consumer": names.consumer(*consumer), "group": group, "generation": generation,
                    "assignment": tps(assignment, names), "added": tps(added, names) })
        }
        TraceEvent::Revoked { consumer, group, partitions, eager } => {
            json!({ "consumer": names.consumer(*consumer), "group": group, "partitions": tps(partitions, names),
                    "eager": eager })
        }
        TraceEvent::OffsetsCommitted { consumer, group, offsets, changed } => {
            let offsets: serde_json::Map<String, Value> =
                offsets.iter().map(|(tp, o)| (names.partition(*tp), json!(o))).collect();
            json!({ "consumer": names.consumer(*consumer), "group": group, "offsets": offsets, "changed": changed })
        }
        TraceEvent::CommitFailed { consumer, group, error } => {
            json!({ "consumer": names.consumer(*consumer), "group": group, "error": error })
        }
        TraceEvent::ClientFailed { consumer, exception, reason } => {
            json!({ "consumer": names.consumer(*consumer), "exception": exception, "reason": reason })
        }
        TraceEvent::LeftGroup { consumer, group, reason } => {
            json!({ "consumer": names.consumer(*consumer), "group": group, "reason": reason })
        }
        TraceEvent::OffsetsExpired { group, partitions, group_deleted, retention_minutes, reason } => {
            json!({ "group": group, "partitions": tps(partitions, names), "group_deleted": group_deleted,
                    "retention_minutes": retention_minutes, "reason": reason })
        }
        TraceEvent::Paused { consumer, paused } => json!({ "consumer": names.consumer(*consumer), "paused": paused }),
        TraceEvent::Truncated { broker, tp, to_offset, records, reason } => {
            let (topic, p) = partition(*tp, names);
            let removed: Vec<Value> = records
                .iter()
                .map(|r| json!({ "offset": r.offset, "id": record_id(r.id, names), "leader_epoch": r.leader_epoch }))
                .collect();
            json!({ "broker": broker.0, "topic": topic, "partition": p, "to_offset": to_offset,
                    "records": removed, "reason": reason })
        }
    };
    if let (Value::Object(o), Value::Object(f)) = (&mut obj, fields) {
        o.extend(f);
    }
    obj
}

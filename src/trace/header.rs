//! The header every trace starts with: the scenario, its seed, and every
//! parameter derived from the seed (random streams, replica placement), so a
//! run can be reproduced and two runs compared.

use serde_json::json;

use crate::ids::BrokerId;
use crate::world::{PartitionView, World};

pub fn text(world: &World, source: &str) -> String {
    let mut out = format!(
        "kafkasim · \"{}\" ({source}) · seed {} · {} broker(s) · runs {}\n",
        world.scenario.name, world.scenario.seed, world.scenario.brokers, world.scenario.run_for
    );
    let streams: Vec<String> = world.rng_streams.iter().map(|(name, id)| format!("{name}={id:016x}")).collect();
    out.push_str(&format!("  random streams from the seed (the first number of each): {}\n", streams.join(" ")));
    let placement: Vec<String> = user_partitions(world)
        .map(|v| format!("{}=[{}]", world.names.partition(v.tp), list(&v.state.replicas)))
        .collect();
    out.push_str(&format!("  replica placement: {}\n", placement.join(" ")));
    let coordinators: Vec<String> = coordinator_partitions(world)
        .map(|(group, v)| format!("{group}→{}=[{}]", world.names.partition(v.tp), list(&v.state.replicas)))
        .collect();
    if !coordinators.is_empty() {
        out.push_str(&format!("  group coordinators: {}\n", coordinators.join(" ")));
    }
    let txn_coordinators: Vec<String> = transaction_coordinator_partitions(world)
        .map(|(id, v)| format!("{id}→{}=[{}]", world.names.partition(v.tp), list(&v.state.replicas)))
        .collect();
    if !txn_coordinators.is_empty() {
        out.push_str(&format!("  transaction coordinators: {}\n", txn_coordinators.join(" ")));
    }
    for note in &world.scenario.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

fn list(brokers: &[BrokerId]) -> String {
    brokers.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",")
}

/// Partitions of the scenario's own topics (not `__consumer_offsets` nor
/// `__transaction_state`).
fn user_partitions(world: &World) -> impl Iterator<Item = PartitionView<'_>> {
    let internal = [world.offsets_topic(), world.names.transaction_state_topic];
    world.partition_views().into_iter().filter(move |v| !internal.contains(&Some(v.tp.topic)))
}

/// Per transactional id, the `__transaction_state` partition whose leader
/// coordinates it.
fn transaction_coordinator_partitions(world: &World) -> impl Iterator<Item = (String, PartitionView<'_>)> {
    let topic = world.names.transaction_state_topic;
    let mut ids: Vec<&str> =
        world.scenario.producers.iter().filter_map(|p| p.config.transactional_id.as_deref()).collect();
    ids.dedup();
    ids.into_iter().filter_map(move |id| {
        let topic = topic?;
        let partitions = world.scenario.topics[topic.0 as usize].partitions;
        let partition = crate::txn::coordinator_partition::transaction_state_partition(id, partitions);
        let view = world.partition_view(crate::ids::TopicPartition::new(topic, partition))?;
        Some((id.to_string(), view))
    })
}

/// Per group, the `__consumer_offsets` partition whose leader coordinates it.
fn coordinator_partitions(world: &World) -> impl Iterator<Item = (String, PartitionView<'_>)> {
    world.group_names().into_iter().filter_map(|g| {
        let view = world.partition_view(world.offsets_partition_of(&g)?)?;
        Some((g, view))
    })
}

pub fn json(world: &World, source: &str) -> serde_json::Value {
    let streams: serde_json::Map<String, serde_json::Value> =
        world.rng_streams.iter().map(|(name, id)| (name.clone(), json!(format!("{id:016x}")))).collect();
    let replicas = |v: &PartitionView<'_>| json!(v.state.replicas.iter().map(|b| b.0).collect::<Vec<i32>>());
    let placement: serde_json::Map<String, serde_json::Value> =
        user_partitions(world).map(|v| (world.names.partition(v.tp), replicas(&v))).collect();
    let coordinators: serde_json::Map<String, serde_json::Value> = coordinator_partitions(world)
        .map(|(group, v)| (group, json!({ "partition": world.names.partition(v.tp), "replicas": replicas(&v) })))
        .collect();
    json!({
        "event": "header",
        "scenario": world.scenario.name,
        "source": source,
        "seed": world.scenario.seed,
        "brokers": world.scenario.brokers,
        "run_us": world.scenario.run_for.as_micros(),
        "streams": streams,
        "replicas": placement,
        "coordinators": coordinators,
        "notes": world.scenario.notes,
    })
}

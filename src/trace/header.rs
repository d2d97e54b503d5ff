//! The header every trace starts with: the scenario, its seed, and every
//! parameter derived from the seed (random streams, replica placement), so a
//! run can be reproduced and two runs compared.

use serde_json::json;

use crate::world::World;

pub fn text(world: &World, source: &str) -> String {
    let mut out = format!(
        "kafkasim · \"{}\" ({source}) · seed {} · {} broker(s) · runs {}\n",
        world.scenario.name, world.scenario.seed, world.scenario.brokers, world.scenario.run_for
    );
    let streams: Vec<String> = world.rng_streams.iter().map(|(name, id)| format!("{name}={id:016x}")).collect();
    out.push_str(&format!("  random streams from the seed: {}\n", streams.join(" ")));
    let placement: Vec<String> = world
        .partition_views()
        .iter()
        .map(|v| {
            let replicas: Vec<String> = v.state.replicas.iter().map(|b| b.0.to_string()).collect();
            format!("{}=[{}]", world.names.partition(v.tp), replicas.join(","))
        })
        .collect();
    out.push_str(&format!("  replica placement: {}\n", placement.join(" ")));
    out
}

pub fn json(world: &World, source: &str) -> serde_json::Value {
    let streams: serde_json::Map<String, serde_json::Value> =
        world.rng_streams.iter().map(|(name, id)| (name.clone(), json!(format!("{id:016x}")))).collect();
    let placement: serde_json::Map<String, serde_json::Value> = world
        .partition_views()
        .iter()
        .map(|v| {
            let replicas: Vec<i32> = v.state.replicas.iter().map(|b| b.0).collect();
            (world.names.partition(v.tp), json!(replicas))
        })
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
    })
}

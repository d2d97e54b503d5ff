//! The JSON Schemas the project publishes must be what the binary prints
//! today: `schema/scenario.schema.json` (for editors, `kafkasim schema`)
//! and `schema/outcome.schema.json` (for programs reading `run --format
//! json`, `kafkasim schema --outcome`).

use super::support;

#[test]
fn the_committed_schema_is_current() {
    let generated = kafkasim::cli::schema_json() + "\n";
    let path = support::repo_root().join("schema/scenario.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/scenario.schema.json is stale; refresh it with `cargo run -- schema > schema/scenario.schema.json`"
    );
}

#[test]
fn the_committed_outcome_schema_is_current() {
    let generated = kafkasim::cli::outcome_schema_json() + "\n";
    let path = support::repo_root().join("schema/outcome.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/outcome.schema.json is stale; refresh it with `cargo run -- schema --outcome > schema/outcome.schema.json`"
    );
}

#[test]
fn the_schema_is_draft_07_and_closed() {
    let schema: serde_json::Value = serde_json::from_str(&kafkasim::cli::schema_json()).expect("valid JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false, "unknown top-level keys must be flagged by editors");
    let topic_config = &schema["definitions"]["TopicConfig"]["properties"];
    assert!(topic_config.get("retention.ms").is_some(), "config names complete in editors");
}

#[test]
fn editors_complete_every_client_state_the_loader_accepts() {
    let schema: serde_json::Value = serde_json::from_str(&kafkasim::cli::schema_json()).expect("valid JSON");
    let mut offered: Vec<String> = schema["definitions"]["ClientStateName"]["enum"]
        .as_array()
        .expect("client states are an enum")
        .iter()
        .map(|s| s.as_str().expect("a name").to_string())
        .collect();
    offered.sort();
    let mut accepted: Vec<String> = kafkasim::scenario::CONSUMER_STATES
        .iter()
        .chain(&kafkasim::scenario::PRODUCER_STATES)
        .map(|s| s.to_string())
        .collect();
    accepted.sort();
    accepted.dedup();
    assert_eq!(offered, accepted);
}

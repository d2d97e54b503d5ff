//! The registry's REST answers, driven by hand: requests in, the writes it
//! asks its store for, the records read back, the answers out.

use super::*;
use crate::actor::Effects;
use crate::ids::{BrokerId, ClientIdx, TopicId};

const V1: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"note","type":"string","default":""}]}"#;
const V3: &str =
    r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"currency","type":"string"}]}"#;

const CLIENT: NodeId = NodeId::Producer(ClientIdx(0));

/// A registry that has finished starting (its NOOP read back).
fn serving() -> SchemaRegistry {
    let mut registry =
        SchemaRegistry::new(RegistryConfig::default(), TopicPartition::new(TopicId(0), 0), vec![BrokerId(1)]);
    registry.phase = RegistryPhase::Serving;
    registry
}

fn request(registry: &mut SchemaRegistry, effects: &mut Effects, correlation_id: u64, request: RegistryRequest) {
    let mut ctx = Ctx::new(SimTime::ZERO, NodeId::SchemaRegistry, effects);
    registry.on_request(&mut ctx, CLIENT, correlation_id, request);
}

fn register(subject: &str, schema: &str) -> RegistryRequest {
    RegistryRequest::RegisterSchema { subject: subject.into(), schema: schema.into() }
}

/// The answers sent to the client so far.
fn answers(effects: &Effects) -> Vec<(u64, Result<RegistryAnswer, RestError>)> {
    effects
        .sends
        .iter()
        .filter_map(|(_, to, m)| match (to, m.as_ref()) {
            (&CLIENT, Message::Registry(RegistryMessage::Response { correlation_id, result })) => {
                Some((*correlation_id, result.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The store acknowledges the pending write at `offset` and reads it back.
fn write_lands(registry: &mut SchemaRegistry, effects: &mut Effects, offset: i64) {
    let tag = registry.write.as_ref().expect("a write in progress").tag;
    let (key, value) = registry.store.front_record().expect("the record to write");
    registry.store.abandon(tag);
    let mut ctx = Ctx::new(SimTime::ZERO, NodeId::SchemaRegistry, effects);
    registry.on_store_event(&mut ctx, StoreEvent::Written { tag, offset });
    registry.on_store_event(&mut ctx, StoreEvent::Read { offset, key: Some(key), value });
}

#[test]
fn registering_writes_to_the_topic_and_answers_once_read_back() {
    let mut registry = serving();
    let mut effects = Effects::default();
    request(&mut registry, &mut effects, 1, register("orders-value", V1));
    assert!(answers(&effects).is_empty(), "no answer before the record is read back");
    write_lands(&mut registry, &mut effects, 0);
    assert_eq!(answers(&effects), [(1, Ok(RegistryAnswer::Registered { id: 1 }))]);
    assert_eq!(registry.state.latest("orders-value").map(|v| v.version), Some(1));
}

#[test]
fn the_same_schema_again_is_the_same_id_without_a_write() {
    let mut registry = serving();
    let mut effects = Effects::default();
    request(&mut registry, &mut effects, 1, register("orders-value", V1));
    write_lands(&mut registry, &mut effects, 0);
    request(&mut registry, &mut effects, 2, register("orders-value", V1));
    assert!(registry.write.is_none(), "idempotent: nothing written");
    // Under another subject it is a new version with the same ID.
    request(&mut registry, &mut effects, 3, register("payments-value", V1));
    write_lands(&mut registry, &mut effects, 1);
    assert_eq!(
        answers(&effects),
        [
            (1, Ok(RegistryAnswer::Registered { id: 1 })),
            (2, Ok(RegistryAnswer::Registered { id: 1 })),
            (3, Ok(RegistryAnswer::Registered { id: 1 })),
        ]
    );
}

#[test]
fn an_incompatible_schema_is_refused_with_409_and_an_invalid_one_with_42201() {
    let mut registry = serving();
    let mut effects = Effects::default();
    request(&mut registry, &mut effects, 1, register("orders-value", V1));
    write_lands(&mut registry, &mut effects, 0);
    request(&mut registry, &mut effects, 2, register("orders-value", V2));
    write_lands(&mut registry, &mut effects, 1);
    request(&mut registry, &mut effects, 3, register("orders-value", V3));
    request(&mut registry, &mut effects, 4, register("orders-value", "{\"type\": \"strng\"}"));
    let answers = answers(&effects);
    assert_eq!(answers[1], (2, Ok(RegistryAnswer::Registered { id: 2 })));
    let Err(conflict) = &answers[2].1 else { panic!("v3 refused") };
    assert_eq!((conflict.error_code, conflict.http_status()), (409, 409));
    assert!(
        conflict
            .message
            .starts_with("Schema being registered is incompatible with an earlier schema for subject \"orders-value\"")
    );
    assert!(conflict.message.contains("'currency'"), "{}", conflict.message);
    let Err(invalid) = &answers[3].1 else { panic!("refused") };
    assert_eq!((invalid.error_code, invalid.http_status()), (42201, 422));
    assert_eq!(registry.refused.get("orders-value"), Some(&2));
}

#[test]
fn lookups_answer_from_memory_with_the_rest_apis_codes() {
    let mut registry = serving();
    let mut effects = Effects::default();
    request(&mut registry, &mut effects, 1, register("orders-value", V1));
    write_lands(&mut registry, &mut effects, 0);
    let look_up =
        |subject: &str, schema: &str| RegistryRequest::LookUpSchema { subject: subject.into(), schema: schema.into() };
    request(&mut registry, &mut effects, 2, look_up("orders-value", V1));
    request(&mut registry, &mut effects, 3, look_up("nobody-value", V1));
    request(&mut registry, &mut effects, 4, look_up("orders-value", V2));
    request(&mut registry, &mut effects, 5, RegistryRequest::GetSchemaById { id: 1 });
    request(&mut registry, &mut effects, 6, RegistryRequest::GetSchemaById { id: 9 });
    request(&mut registry, &mut effects, 7, RegistryRequest::GetLatestVersion { subject: "orders-value".into() });
    let codes: Vec<Option<u32>> =
        answers(&effects).iter().map(|(_, r)| r.as_ref().err().map(|e| e.error_code)).collect();
    assert_eq!(codes, [None, None, Some(40401), Some(40403), None, Some(40403), None]);
}

#[test]
fn a_starting_registry_refuses_connections_and_a_write_that_times_out_answers_50002() {
    let mut registry = serving();
    registry.phase = RegistryPhase::Starting;
    let mut effects = Effects::default();
    request(&mut registry, &mut effects, 1, register("orders-value", V1));
    assert!(matches!(effects.sends[0].2.as_ref(), Message::Disconnected { correlation_id: Some(1), .. }));
    registry.phase = RegistryPhase::Serving;
    request(&mut registry, &mut effects, 2, register("orders-value", V1));
    let tag = registry.write.as_ref().map(|w| w.tag).expect("writing");
    let mut ctx = Ctx::new(SimTime::from_millis(500), NodeId::SchemaRegistry, &mut effects);
    registry.on_timer(&mut ctx, RegistryTimer::WriteTimeout(tag));
    let last = answers(&effects).pop().expect("an answer");
    assert_eq!(last.1.map_err(|e| e.error_code), Err(50002));
}

//! The Schema Registry in the world: starting it with the cluster, the
//! clients' serializers, `evolve:`, and what expectations and screens read —
//! the registry's memory as `_schemas` holds it.

use super::World;
use crate::actor::Ctx;
use crate::avro::AvroSchema;
use crate::client::serde::deserializer::AvroDeserializer;
use crate::client::serde::registry_client::RegistryClient;
use crate::client::serde::serializer::AvroSerializer;
use crate::client::workload::{Template, ValueSource};
use crate::engine::RngStreams;
use crate::ids::{BrokerId, ClientIdx, NodeId, TopicPartition};
use crate::registry::state::RegistryState;
use crate::registry::{RegistryPhase, SchemaRegistry};
use crate::scenario::{ClientRef, Scenario};
use crate::trace::TraceEvent;
use crate::trace::registry::{RegistryReport, SubjectRow};

/// The registry and the clients' Avro serdes, as the scenario has them.
pub(super) fn build(
    scenario: &Scenario,
    bootstrap: &[BrokerId],
    streams: &mut RngStreams,
    world_producers: &mut [crate::client::producer::Producer],
    world_consumers: &mut [crate::client::consumer::Consumer],
) -> Option<SchemaRegistry> {
    for (i, (def, producer)) in scenario.producers.iter().zip(world_producers.iter_mut()).enumerate() {
        if let Some(avro) = &def.avro {
            let idx = ClientIdx(i as u32);
            let client = RegistryClient::new(NodeId::Producer(idx), streams.stream(&format!("serde/{}", def.name)));
            let topic = scenario.topics[def.topic.0 as usize].name.clone();
            producer.serializer = Some(AvroSerializer::new(avro.clone(), topic, idx, client));
        }
    }
    for (i, (def, consumer)) in scenario.consumers.iter().zip(world_consumers.iter_mut()).enumerate() {
        if let Some(avro) = &def.avro {
            let idx = ClientIdx(i as u32);
            let client = RegistryClient::new(NodeId::Consumer(idx), streams.stream(&format!("serde/{}", def.name)));
            consumer.deserializer = Some(AvroDeserializer::new(avro.clone(), client));
        }
    }
    let def = scenario.registry.as_ref()?;
    let tp = TopicPartition::new(def.schemas_topic, 0);
    Some(SchemaRegistry::new(def.config.clone(), tp, bootstrap.to_vec()))
}

impl World {
    /// The registry starts with the cluster.
    pub(super) fn start_registry(&mut self) {
        if let Some(registry) = self.registry.as_mut() {
            let mut ctx = Ctx::new(self.now, NodeId::SchemaRegistry, &mut self.effects);
            registry.start(&mut ctx);
        }
    }

    /// What `_schemas` holds, as a registry reading it now would see it
    /// (up to the high watermark of the partition's leader).
    pub fn schemas_in_topic(&self) -> RegistryState {
        let mut state = RegistryState::default();
        let Some(tp) = self.registry.as_ref().map(SchemaRegistry::schemas_partition) else { return state };
        let Some(log) = self.partition_view(tp).and_then(|v| v.log) else { return state };
        for batch in log.read(log.log_start_offset(), log.high_watermark(), u64::MAX) {
            for (_, record) in batch.records() {
                state.apply(SchemaRegistry::describe_record(record.key(), record.value()));
            }
        }
        state
    }

    /// Versions registered under `subject`, as `_schemas` holds them.
    pub fn subject_versions(&self, subject: &str) -> usize {
        self.schemas_in_topic().versions(subject).len()
    }

    /// Calls a client's serializer or deserializer made to the registry.
    pub fn registry_calls(&self, client: ClientRef) -> u64 {
        match client {
            ClientRef::Producer(p) => {
                self.producers.get(p.0 as usize).and_then(|p| p.serializer.as_ref()).map_or(0, |s| s.client.calls)
            }
            ClientRef::Consumer(c) => {
                self.consumers.get(c.0 as usize).and_then(|c| c.deserializer.as_ref()).map_or(0, |d| d.client.calls)
            }
        }
    }

    /// The registry for the outcome report.
    pub fn registry_report(&self) -> Option<RegistryReport> {
        let registry = self.registry.as_ref()?;
        let stored = self.schemas_in_topic();
        let global = registry.config.compatibility_level;
        let subjects = stored
            .subjects()
            .map(|(subject, _)| subject.to_string())
            .chain(registry.refused.keys().cloned())
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .map(|subject| SubjectRow {
                compatibility: stored.level(&subject, global).name().to_string(),
                versions: stored.versions(&subject).iter().map(|v| (v.version, v.id)).collect(),
                refused: registry.refused.get(&subject).copied().unwrap_or(0),
                subject,
            })
            .collect();
        let state = match registry.phase {
            RegistryPhase::Serving => "serving",
            RegistryPhase::Starting => "starting (reading _schemas)",
            RegistryPhase::Down => "down",
        };
        Some(RegistryReport { state: state.to_string(), records: stored.records_read, subjects })
    }

    pub fn registry_alive(&self) -> bool {
        self.registry.as_ref().is_some_and(|r| r.phase != RegistryPhase::Down)
    }

    /// `evolve:` a client's application now uses other schemas.
    pub(super) fn evolve(
        &mut self,
        client: ClientRef,
        value_schema: Option<AvroSchema>,
        key_schema: Option<AvroSchema>,
        value: Option<Template>,
    ) {
        let schema_name = |s: &Option<AvroSchema>| s.as_ref().map(AvroSchema::summary);
        let what = [
            schema_name(&value_schema).map(|n| format!("value schema {n}")),
            schema_name(&key_schema).map(|n| format!("key schema {n}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ");
        let label = match client {
            ClientRef::Producer(p) => {
                let producer = &mut self.producers[p.0 as usize];
                if let Some(s) = producer.serializer.as_mut() {
                    s.evolve(value_schema.clone(), key_schema.clone());
                }
                if let Some(template) = value {
                    producer.workload.values = ValueSource::Template { template, size_bytes: None };
                }
                self.names.producer(p).to_string()
            }
            ClientRef::Consumer(c) => {
                if let Some(d) = self.consumers[c.0 as usize].deserializer.as_mut() {
                    d.evolve(value_schema.clone(), key_schema.clone());
                }
                self.names.consumer(c).to_string()
            }
        };
        self.effects.trace.push(TraceEvent::Action { text: format!("{label} is redeployed with {what}") });
    }
}

//! Confluent's Schema Registry: a service beside the brokers that keeps
//! every schema a producer registers, under subjects with versions and
//! registry-wide IDs, and refuses a new version that breaks the subject's
//! compatibility level.
//!
//! Its memory is a Kafka topic. On starting, it writes a NOOP record to
//! `_schemas` and reads the topic from offset 0 until it has read that record
//! back (`KafkaStore.waitUntilKafkaReaderReachesLastOffset`); only then does
//! it answer requests. Registering a new version writes a record (`acks=all`)
//! and answers once its own reader has read it back (`KafkaStore.put`). A
//! killed registry forgets everything and rebuilds it from the topic when it
//! restarts; IDs survive, because they are in the topic.
//!
//! The REST calls (`protocol::registry`) are answered as
//! `KafkaSchemaRegistry` does: register (idempotent; 409 when incompatible
//! under the subject's level, 42201 for an invalid schema), look up a
//! schema's version (40401, 40403), the latest version, a schema by ID
//! (40403). A registration waits for the one before it (the registry writes
//! one at a time); a write not read back within `kafkastore.timeout.ms`
//! answers 50002.
//!
//! Simplification: one registry instance (the course runs one), so there is
//! no leader election among instances; soft deletes, modes, contexts and
//! schema references are not modelled. The per-subject levels of the
//! scenario are written as `PUT /config/{subject}` calls by the operator when
//! the registry first starts. A starting registry keeps retrying Kafka
//! instead of giving up after `kafkastore.init.timeout.ms`.

pub mod compatibility;
pub mod kafka_store;
pub mod records;
pub mod state;

use std::collections::VecDeque;

use crate::actor::{Ctx, Timer};
use crate::avro::AvroSchema;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::registry::{RegistryAnswer, RegistryMessage, RegistryRequest, RestError, SubjectVersion};
use crate::protocol::{CorrelationId, Message};
use crate::trace::TraceEvent;
use crate::trace::registry::RegistryEvent;

use compatibility::{CompatibilityLevel, check};
use kafka_store::{KafkaStore, StoreEvent};
use records::{SchemaValue, StoreRecord};
use state::RegistryState;

/// The registry's own name on the network (the course's compose service).
pub const REGISTRY_HOST: &str = "schema-registry";
/// `kafkastore.topic`.
pub const SCHEMAS_TOPIC: &str = "_schemas";

/// Timers the registry sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryTimer {
    /// Time to look at its Kafka connections again.
    Wake(SimTime),
    /// The earliest deadline of its Kafka requests.
    RequestTimeout(SimTime),
    /// `kafkastore.timeout.ms` after a registration's write was sent.
    WriteTimeout(u64),
}

/// The registry's settings (`schema-registry.properties`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryConfig {
    /// `schema.compatibility.level`: for subjects without their own.
    pub compatibility_level: CompatibilityLevel,
    /// Levels an operator set per subject (`PUT /config/{subject}`).
    pub subject_levels: Vec<(String, CompatibilityLevel)>,
    /// `kafkastore.timeout.ms`: how long a write may take to be read back.
    pub kafkastore_timeout_ms: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            compatibility_level: CompatibilityLevel::Backward,
            subject_levels: Vec::new(),
            kafkastore_timeout_ms: 500,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryPhase {
    /// The process is not running.
    Down,
    /// Reading `_schemas` (and writing the operator's configs): not answering yet.
    Starting,
    Serving,
}

/// A write to `_schemas` the registry waits to read back.
#[derive(Clone, Debug)]
enum Write {
    Noop,
    Level { subject: String, level: CompatibilityLevel },
    Register { client: NodeId, correlation_id: CorrelationId, subject: String, version: u32, id: u32, new_id: bool },
}

#[derive(Clone, Debug)]
struct PendingWrite {
    tag: u64,
    write: Write,
    /// Where it landed, once acknowledged.
    offset: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct SchemaRegistry {
    pub config: RegistryConfig,
    pub phase: RegistryPhase,
    pub state: RegistryState,
    store: KafkaStore,
    /// The write in progress (registrations wait in `requests`).
    write: Option<PendingWrite>,
    /// Registrations waiting for the write before them.
    requests: VecDeque<(NodeId, CorrelationId, String, AvroSchema)>,
    next_tag: u64,
    /// The offset of its startup NOOP, once known.
    startup_offset: Option<i64>,
    /// The offset after the last record of `_schemas` applied to `state`.
    applied_up_to: i64,
    /// Per subject, registrations refused this run (409, 42201): kept across
    /// restarts, for the outcome report.
    pub refused: std::collections::BTreeMap<String, u64>,
}

impl SchemaRegistry {
    pub fn new(config: RegistryConfig, schemas: TopicPartition, bootstrap: Vec<crate::ids::BrokerId>) -> Self {
        SchemaRegistry {
            config,
            phase: RegistryPhase::Down,
            state: RegistryState::default(),
            store: KafkaStore::new(schemas, bootstrap),
            write: None,
            requests: VecDeque::new(),
            next_tag: 0,
            startup_offset: None,
            applied_up_to: 0,
            refused: std::collections::BTreeMap::new(),
        }
    }

    /// The process starts: an empty memory, rebuilt from `_schemas`.
    pub fn start(&mut self, ctx: &mut Ctx<'_>) {
        self.phase = RegistryPhase::Starting;
        self.state = RegistryState::default();
        self.store.reset();
        self.requests.clear();
        self.write = None;
        self.startup_offset = None;
        self.applied_up_to = 0;
        self.begin_write(ctx, Write::Noop, records::noop_key(), None);
        self.store.run(ctx);
    }

    /// The process dies: its memory is gone.
    pub fn crash(&mut self) {
        self.phase = RegistryPhase::Down;
        self.state = RegistryState::default();
        self.store.reset();
        self.requests.clear();
        self.write = None;
    }

    pub fn schemas_partition(&self) -> TopicPartition {
        self.store.tp
    }

    fn begin_write(&mut self, ctx: &mut Ctx<'_>, write: Write, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.next_tag += 1;
        let tag = self.next_tag;
        if matches!(write, Write::Register { .. }) {
            let timeout = SimDuration::from_millis(self.config.kafkastore_timeout_ms);
            ctx.set_timer(timeout, Timer::Registry(RegistryTimer::WriteTimeout(tag)));
        }
        self.store.write(tag, key, value);
        self.write = Some(PendingWrite { tag, write, offset: None });
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: RegistryTimer) {
        if self.phase == RegistryPhase::Down {
            return;
        }
        match timer {
            RegistryTimer::Wake(at) => self.store.on_wake(at),
            RegistryTimer::RequestTimeout(at) => self.store.on_request_timeout(ctx, at),
            RegistryTimer::WriteTimeout(tag) => self.on_write_timeout(ctx, tag),
        }
        self.store.run(ctx);
    }

    fn on_write_timeout(&mut self, ctx: &mut Ctx<'_>, tag: u64) {
        let Some(pending) = self.write.take_if(|w| w.tag == tag) else { return };
        self.store.abandon(tag);
        if let Write::Register { client, correlation_id, subject, .. } = pending.write {
            let error = RestError::new(RestError::OPERATION_TIMEOUT, "Register operation timed out");
            self.refuse(ctx, client, correlation_id, &format!("POST /subjects/{subject}/versions"), error);
        }
        self.next_registration(ctx);
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        if self.phase == RegistryPhase::Down {
            return;
        }
        match (from, message) {
            (NodeId::Broker(broker), message) => {
                let events = self.store.on_message(ctx, broker, message);
                for event in events {
                    self.on_store_event(ctx, event);
                }
            }
            (client, Message::Registry(RegistryMessage::Request { correlation_id, request })) => {
                self.on_request(ctx, client, correlation_id, request);
            }
            _ => {}
        }
        self.store.run(ctx);
    }

    fn on_store_event(&mut self, ctx: &mut Ctx<'_>, event: StoreEvent) {
        match event {
            StoreEvent::Written { tag, offset } => {
                if let Some(pending) = self.write.as_mut().filter(|w| w.tag == tag) {
                    pending.offset = Some(offset);
                    if matches!(pending.write, Write::Noop) {
                        self.startup_offset = Some(offset);
                    }
                }
            }
            StoreEvent::Read { offset, key, value } => {
                self.state.apply(records::parse(key.as_deref(), value.as_deref()));
                self.applied_up_to = offset + 1;
            }
        }
        self.finish_write(ctx);
    }

    /// The write in progress is done once the reader has read it back.
    fn finish_write(&mut self, ctx: &mut Ctx<'_>) {
        let read_up_to = self.applied_up_to;
        let Some(pending) = self.write.take_if(|w| w.offset.is_some_and(|o| o < read_up_to)) else { return };
        let offset = pending.offset.unwrap_or_default();
        match pending.write {
            Write::Noop => {}
            Write::Level { subject, level } => {
                ctx.trace(TraceEvent::Registry(RegistryEvent::LevelSet { subject, level: level.name(), offset }));
            }
            Write::Register { client, correlation_id, subject, version, id, new_id } => {
                ctx.trace(TraceEvent::Registry(RegistryEvent::Registered { subject, version, id, new_id, offset }));
                let result = Ok(RegistryAnswer::Registered { id });
                ctx.send(client, Message::Registry(RegistryMessage::Response { correlation_id, result }));
            }
        }
        if self.phase == RegistryPhase::Starting {
            self.continue_startup(ctx);
        } else {
            self.next_registration(ctx);
        }
    }

    /// After the NOOP is read back: the operator's levels, then serving.
    fn continue_startup(&mut self, ctx: &mut Ctx<'_>) {
        let missing = self.config.subject_levels.iter().find(|(s, _)| !self.state.has_level(s));
        if let Some((subject, level)) = missing.cloned() {
            let key = records::config_key(&subject);
            self.begin_write(ctx, Write::Level { subject, level }, key, Some(records::config_value(level)));
            return;
        }
        self.phase = RegistryPhase::Serving;
        ctx.trace(TraceEvent::Registry(RegistryEvent::Ready {
            records: self.state.records_read,
            subjects: self.state.subjects().count(),
            schemas: self.state.schema_count(),
            up_to_offset: self.startup_offset.unwrap_or_default(),
        }));
    }

    fn refuse(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: NodeId,
        correlation_id: CorrelationId,
        endpoint: &str,
        error: RestError,
    ) {
        ctx.trace(TraceEvent::Registry(RegistryEvent::Refused {
            client,
            endpoint: endpoint.to_string(),
            error_code: error.error_code,
            message: error.message.clone(),
        }));
        ctx.send(client, Message::Registry(RegistryMessage::Response { correlation_id, result: Err(error) }));
    }

    fn answer(&mut self, ctx: &mut Ctx<'_>, client: NodeId, correlation_id: CorrelationId, answer: RegistryAnswer) {
        ctx.send(client, Message::Registry(RegistryMessage::Response { correlation_id, result: Ok(answer) }));
    }

    fn on_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: NodeId,
        correlation_id: CorrelationId,
        request: RegistryRequest,
    ) {
        if self.phase != RegistryPhase::Serving {
            // The REST port opens only once the store has caught up.
            ctx.send(client, Message::Disconnected { correlation_id: Some(correlation_id), api: "SchemaRegistry" });
            return;
        }
        let endpoint = request.endpoint();
        match request {
            RegistryRequest::RegisterSchema { subject, schema } => match AvroSchema::parse(&schema) {
                Ok(schema) => {
                    self.requests.push_back((client, correlation_id, subject, schema));
                    if self.write.is_none() {
                        self.next_registration(ctx);
                    }
                }
                Err(e) => {
                    let error = RestError::new(RestError::INVALID_SCHEMA, format!("Invalid schema: {}", e.message));
                    *self.refused.entry(subject).or_default() += 1;
                    self.refuse(ctx, client, correlation_id, &endpoint, error);
                }
            },
            RegistryRequest::LookUpSchema { subject, schema } => {
                let result = match AvroSchema::parse(&schema) {
                    Err(e) => Err(RestError::new(RestError::INVALID_SCHEMA, format!("Invalid schema: {}", e.message))),
                    Ok(_) if self.state.versions(&subject).is_empty() => Err(subject_not_found(&subject)),
                    Ok(parsed) => match self.state.version_of(&subject, &parsed) {
                        Some(v) => Ok(RegistryAnswer::Version(SubjectVersion {
                            subject: subject.clone(),
                            version: v.version,
                            id: v.id,
                            schema: v.schema.canonical().into(),
                        })),
                        None => Err(RestError::new(RestError::SCHEMA_NOT_FOUND, "Schema not found")),
                    },
                };
                self.reply(ctx, client, correlation_id, &endpoint, result);
            }
            RegistryRequest::GetLatestVersion { subject } => {
                let result = match self.state.latest(&subject) {
                    Some(v) => Ok(RegistryAnswer::Version(SubjectVersion {
                        subject: subject.clone(),
                        version: v.version,
                        id: v.id,
                        schema: v.schema.canonical().into(),
                    })),
                    None => Err(subject_not_found(&subject)),
                };
                self.reply(ctx, client, correlation_id, &endpoint, result);
            }
            RegistryRequest::GetSchemaById { id } => {
                let result = match self.state.schema(id) {
                    Some(s) => Ok(RegistryAnswer::Schema { schema: s.canonical().into() }),
                    None => Err(RestError::new(RestError::SCHEMA_NOT_FOUND, format!("Schema {id} not found"))),
                };
                self.reply(ctx, client, correlation_id, &endpoint, result);
            }
        }
    }

    fn reply(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: NodeId,
        correlation_id: CorrelationId,
        endpoint: &str,
        result: Result<RegistryAnswer, RestError>,
    ) {
        match result {
            Ok(answer) => self.answer(ctx, client, correlation_id, answer),
            Err(error) => self.refuse(ctx, client, correlation_id, endpoint, error),
        }
    }

    /// Takes the next waiting registration: answered at once (already
    /// registered, incompatible) or written to `_schemas`.
    fn next_registration(&mut self, ctx: &mut Ctx<'_>) {
        while self.write.is_none() {
            let Some((client, correlation_id, subject, schema)) = self.requests.pop_front() else { return };
            let endpoint = format!("POST /subjects/{subject}/versions");
            if let Some(v) = self.state.version_of(&subject, &schema) {
                let id = v.id;
                self.answer(ctx, client, correlation_id, RegistryAnswer::Registered { id });
                continue;
            }
            let level = self.state.level(&subject, self.config.compatibility_level);
            let versions: Vec<(u32, &AvroSchema)> =
                self.state.versions(&subject).iter().map(|v| (v.version, &v.schema)).collect();
            let verdict = check(level, &schema, &versions);
            if !verdict.compatible {
                let message = format!(
                    "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]",
                    verdict.messages.join(", ")
                );
                let error = RestError::new(RestError::INCOMPATIBLE_SCHEMA, message);
                *self.refused.entry(subject.clone()).or_default() += 1;
                self.refuse(ctx, client, correlation_id, &endpoint, error);
                continue;
            }
            let existing = self.state.id_of(&schema);
            let id = existing.unwrap_or_else(|| self.state.next_id());
            let version = self.state.latest(&subject).map_or(1, |v| v.version + 1);
            let value = SchemaValue {
                subject: subject.clone(),
                version,
                id,
                schema: schema.canonical().to_string(),
                deleted: false,
            };
            let key = records::schema_key(&subject, version);
            let write = Write::Register { client, correlation_id, subject, version, id, new_id: existing.is_none() };
            self.begin_write(ctx, write, key, Some(records::schema_value(&value)));
        }
    }

    /// A record of `_schemas` as the registry reads it (for the TUI's inspector).
    pub fn describe_record(key: Option<&[u8]>, value: Option<&[u8]>) -> StoreRecord {
        records::parse(key, value)
    }
}

fn subject_not_found(subject: &str) -> RestError {
    RestError::new(RestError::SUBJECT_NOT_FOUND, format!("Subject '{subject}' not found."))
}

#[cfg(test)]
mod tests;

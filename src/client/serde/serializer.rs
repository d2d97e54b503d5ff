//! `KafkaAvroSerializer`, as `AbstractKafkaAvroSerializer.serializeImpl`
//! does it: a null object is null (a tombstone, no registry call); otherwise
//! the schema's ID comes from the first that applies —
//! `auto.register.schemas` (register, default), `use.latest.version` (the
//! subject's latest schema, which with `latest.compatibility.strict` must be
//! able to read the record's schema), else a lookup that does not register —
//! and the bytes are the magic byte, the ID and the Avro body. Anything that
//! goes wrong is the application's `SerializationException`: `send()` throws
//! and the record is not sent.
//!
//! Records the application hands to `send()` while the serializer waits for
//! the registry queue behind it, in order.

use std::collections::VecDeque;

use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};

use super::AvroSerdeDef;
use super::registry_client::{CallResult, RegistryClient, describe};
use crate::actor::Ctx;
use crate::avro::{AvroSchema, wire};
use crate::client::workload::Outgoing;
use crate::ids::{ClientIdx, RecordId};
use crate::protocol::Message;
use crate::protocol::registry::{RegistryAnswer, RegistryRequest};
use crate::trace::TraceEvent;
use crate::trace::registry::RegistryEvent;

/// What the serializer did with the record at the front of its queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Serialized {
    /// Key and value are framed: hand the record to the producer.
    Ready(Outgoing),
    /// `send()` threw `SerializationException`: the record is not sent.
    Failed(String),
}

/// The answer a blocked record waits for.
#[derive(Clone, Debug)]
enum Awaiting {
    Id { subject: String, schema: AvroSchema, register: bool },
    Latest { subject: String },
}

#[derive(Clone, Debug)]
pub struct AvroSerializer {
    pub def: AvroSerdeDef,
    topic: String,
    producer: ClientIdx,
    pub client: RegistryClient,
    queue: VecDeque<Outgoing>,
    /// The front record's key, once serialized (its value may still wait).
    key_done: Option<Option<Vec<u8>>>,
    awaiting: Option<Awaiting>,
    /// The front record's serializer call failed with this.
    failure: Option<String>,
    /// A registry call was made for the front record.
    called: bool,
}

/// One part (key or value) of the front record.
enum Part {
    Done(Option<Vec<u8>>),
    Failed(String),
    Blocked,
}

impl AvroSerializer {
    pub fn new(def: AvroSerdeDef, topic: String, producer: ClientIdx, client: RegistryClient) -> Self {
        AvroSerializer {
            def,
            topic,
            producer,
            client,
            queue: VecDeque::new(),
            key_done: None,
            awaiting: None,
            failure: None,
            called: false,
        }
    }

    /// A new process: caches and waiting records are gone.
    pub fn reset(&mut self) {
        self.client.reset();
        self.queue.clear();
        self.key_done = None;
        self.awaiting = None;
        self.failure = None;
        self.called = false;
    }

    /// The application calls `send()` with this record.
    pub fn push(&mut self, record: Outgoing) {
        self.queue.push_back(record);
    }

    pub fn waiting_records(&self) -> usize {
        self.queue.len()
    }

    /// `send()` is blocked in the serializer, waiting for the registry.
    pub fn is_blocked(&self) -> bool {
        self.client.is_calling()
    }

    /// Serializes the front record if it can; `None` while it waits for the
    /// registry (or nothing waits). `number` is the record's number.
    pub fn next(&mut self, ctx: &mut Ctx<'_>, number: u64) -> Option<Serialized> {
        if self.client.is_calling() || self.queue.is_empty() {
            return None;
        }
        let id = RecordId { producer: self.producer, number };
        if self.def.key.is_some() && self.key_done.is_none() {
            let key = self.queue.front()?.key.clone();
            match self.part(ctx, id, true, key.as_deref()) {
                Part::Done(bytes) => self.key_done = Some(bytes),
                Part::Failed(error) => return Some(self.pop_failed(error)),
                Part::Blocked => return None,
            }
        }
        let value = self.queue.front()?.value.clone();
        let value = match self.def.value.is_some() {
            true => match self.part(ctx, id, false, value.as_deref()) {
                Part::Done(bytes) => bytes,
                Part::Failed(error) => return Some(self.pop_failed(error)),
                Part::Blocked => return None,
            },
            false => value,
        };
        let mut record = self.queue.pop_front()?;
        if let Some(key) = self.key_done.take() {
            record.key = key;
        }
        record.value = value;
        self.called = false;
        Some(Serialized::Ready(record))
    }

    fn pop_failed(&mut self, error: String) -> Serialized {
        self.queue.pop_front();
        self.key_done = None;
        self.called = false;
        Serialized::Failed(error)
    }

    fn part(&mut self, ctx: &mut Ctx<'_>, id: RecordId, is_key: bool, text: Option<&[u8]>) -> Part {
        if let Some(failure) = self.failure.take() {
            return Part::Failed(failure);
        }
        // A null object is serialized to null: a tombstone, no schema involved.
        let Some(text) = text else { return Part::Done(None) };
        let side = if is_key { &self.def.key } else { &self.def.value };
        let Some(Some(schema)) = side.clone() else { return Part::Done(Some(text.to_vec())) };
        let json: serde_json::Value = match serde_json::from_slice(text) {
            Ok(json) => json,
            Err(e) => return Part::Failed(format!("Error serializing Avro message: the value is not JSON ({e})")),
        };
        let mut datum = match schema.datum_from_json(&json) {
            Ok(datum) => datum,
            Err(e) => return Part::Failed(format!("Error serializing Avro message: {e}")),
        };
        let config = self.def.config;
        let strategy = if is_key { config.key_subject_name_strategy } else { config.value_subject_name_strategy };
        let subject = strategy.subject(&self.topic, is_key, &schema.type_name());
        let (schema_id, writer) = if !config.auto_register_schemas && config.use_latest_version {
            let Some((latest_id, latest)) = self.client.cached_latest(&subject).cloned() else {
                self.called = true;
                self.awaiting = Some(Awaiting::Latest { subject: subject.clone() });
                self.client.call(ctx, RegistryRequest::GetLatestVersion { subject });
                return Part::Blocked;
            };
            if config.latest_compatibility_strict
                && !matches!(SchemaCompatibility::can_read(schema.schema(), latest.schema()), Ok(Compatibility::Full))
            {
                return Part::Failed(format!(
                    "Incompatible schema {} with refs [] of type AVRO for schema {}. Set latest.compatibility.strict=false to disable this check",
                    latest.canonical(),
                    schema.canonical()
                ));
            }
            match datum.clone().resolve(latest.schema()) {
                Ok(resolved) => datum = resolved,
                Err(e) => return Part::Failed(format!("Error serializing Avro message: {e}")),
            }
            (latest_id, latest)
        } else {
            match self.client.cached_id(&subject, &schema) {
                Some(cached) => (cached, schema.clone()),
                None => {
                    let register = config.auto_register_schemas;
                    self.called = true;
                    self.awaiting = Some(Awaiting::Id { subject: subject.clone(), schema: schema.clone(), register });
                    let text = schema.canonical().into();
                    let request = if register {
                        RegistryRequest::RegisterSchema { subject, schema: text }
                    } else {
                        RegistryRequest::LookUpSchema { subject, schema: text }
                    };
                    self.client.call(ctx, request);
                    return Part::Blocked;
                }
            }
        };
        let body = match wire::body(&writer, &datum) {
            Ok(body) => body,
            Err(e) => return Part::Failed(format!("Error serializing Avro message: {e}")),
        };
        ctx.trace(TraceEvent::Registry(RegistryEvent::Serialized {
            producer: self.producer,
            id,
            subject,
            schema_id,
            from_cache: !self.called,
        }));
        Part::Done(Some(wire::frame(schema_id, &body)))
    }

    /// A message from the registry; returns whether a blocked call finished.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, message: Message) -> bool {
        match self.client.on_message(ctx, message) {
            Some((_, result)) => {
                self.on_result(result);
                true
            }
            None => false,
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: super::SerdeTimer) -> bool {
        match self.client.on_timer(ctx, timer) {
            Some((_, result)) => {
                self.on_result(result);
                true
            }
            None => false,
        }
    }

    fn on_result(&mut self, result: CallResult) {
        let Some(awaiting) = self.awaiting.take() else { return };
        match (awaiting, result) {
            (Awaiting::Id { subject, schema, .. }, CallResult::Answer(RegistryAnswer::Registered { id })) => {
                self.client.learn_id(&subject, &schema, id);
            }
            (Awaiting::Id { subject, schema, .. }, CallResult::Answer(RegistryAnswer::Version(v))) => {
                self.client.learn_id(&subject, &schema, v.id);
            }
            (Awaiting::Latest { subject }, CallResult::Answer(RegistryAnswer::Version(v))) => {
                match AvroSchema::parse(&v.schema) {
                    Ok(latest) => self.client.learn_latest(&subject, v.id, latest),
                    Err(e) => {
                        self.failure = Some(format!("Error retrieving latest version of Avro schema: {}", e.message))
                    }
                }
            }
            (Awaiting::Id { register: true, .. }, CallResult::Refused(e)) => {
                self.failure = Some(format!("Error registering Avro schema: {}", describe(&CallResult::Refused(e))));
            }
            (Awaiting::Id { .. }, CallResult::Refused(e)) => {
                self.failure = Some(format!("Error retrieving Avro schema: {}", describe(&CallResult::Refused(e))));
            }
            (Awaiting::Latest { .. }, CallResult::Refused(e)) => {
                self.failure = Some(format!(
                    "Error retrieving latest version of Avro schema: {}",
                    describe(&CallResult::Refused(e))
                ));
            }
            (_, CallResult::Unreachable(reason)) => {
                self.failure = Some(format!("Error serializing Avro message ({reason})"));
            }
            (_, CallResult::Answer(_)) => {
                self.failure = Some("Error serializing Avro message: an unexpected answer from the registry".into());
            }
        }
    }

    /// The producer switches to another schema (the application was changed).
    pub fn evolve(&mut self, value: Option<AvroSchema>, key: Option<AvroSchema>) {
        if let Some(value) = value {
            self.def.value = Some(Some(value));
        }
        if let Some(key) = key {
            self.def.key = Some(Some(key));
        }
    }
}

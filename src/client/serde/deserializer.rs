//! `KafkaAvroDeserializer`, as `AbstractKafkaAvroDeserializer` does it: a
//! null value is null; otherwise the first byte must be the magic byte
//! ("Unknown magic byte!"), the next four the writer's schema ID, fetched
//! from the registry once and cached ("Error retrieving Avro value schema for
//! id N"); the body is decoded with the writer's schema — into the
//! application's own schema with `specific.avro.reader`, or the subject's
//! latest with `use.latest.version` — by Avro's resolution rules ("Error
//! deserializing Avro message for id N"). A failure is thrown from `poll()`
//! as a `RecordDeserializationException` at the record's offset.

use super::registry_client::{CallResult, RegistryClient, describe};
use super::{AvroSerdeDef, SerdeTimer};
use crate::actor::Ctx;
use crate::avro::{AvroSchema, wire};
use crate::ids::TopicPartition;
use crate::protocol::Message;
use crate::protocol::registry::{RegistryAnswer, RegistryRequest};

/// What became of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deserialized {
    /// Decoded: the schema ID and the value as Avro JSON (`None` for a null
    /// or a non-Avro value).
    Ok(Option<(u32, String)>),
    /// Waiting for the registry.
    Blocked,
    /// The deserializer threw.
    Failed(String),
}

/// The record being read: its topic and where it is.
#[derive(Clone, Copy)]
struct At<'a> {
    topic: &'a str,
    tp: TopicPartition,
    offset: i64,
}

#[derive(Clone, Debug)]
enum Awaiting {
    SchemaById { id: u32, is_key: bool },
    Latest { subject: String },
}

#[derive(Clone, Debug)]
pub struct AvroDeserializer {
    pub def: AvroSerdeDef,
    pub client: RegistryClient,
    awaiting: Option<Awaiting>,
    /// A failed call for this record: thrown when `poll()` reaches it.
    failure: Option<(TopicPartition, i64, String)>,
    /// The record the pending call is for.
    blocked_on: Option<(TopicPartition, i64)>,
    /// `RecordDeserializationException`s thrown so far.
    pub failures: u64,
    /// Schema IDs it has decoded records with (this process).
    decoded_ids: std::collections::BTreeSet<u32>,
}

impl AvroDeserializer {
    pub fn new(def: AvroSerdeDef, client: RegistryClient) -> Self {
        AvroDeserializer {
            def,
            client,
            awaiting: None,
            failure: None,
            blocked_on: None,
            failures: 0,
            decoded_ids: std::collections::BTreeSet::new(),
        }
    }

    pub fn reset(&mut self) {
        self.client.reset();
        self.awaiting = None;
        self.failure = None;
        self.blocked_on = None;
        self.decoded_ids.clear();
    }

    /// Whether this is the first record decoded with schema `id`.
    pub fn first_use(&mut self, id: u32) -> bool {
        self.decoded_ids.insert(id)
    }

    pub fn is_blocked(&self) -> bool {
        self.client.is_calling()
    }

    /// Deserializes one record's key and value.
    pub fn record(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: &str,
        tp: TopicPartition,
        offset: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> Deserialized {
        if let Some((ftp, foffset, error)) = self.failure.take()
            && (ftp, foffset) == (tp, offset)
        {
            return Deserialized::Failed(error);
        }
        if self.client.is_calling() {
            return Deserialized::Blocked;
        }
        let at = At { topic, tp, offset };
        if self.def.key.is_some() {
            match self.part(ctx, &at, true, key) {
                Deserialized::Ok(_) => {}
                other => return other,
            }
        }
        if self.def.value.is_some() {
            return self.part(ctx, &at, false, value);
        }
        Deserialized::Ok(None)
    }

    fn part(&mut self, ctx: &mut Ctx<'_>, at: &At<'_>, is_key: bool, bytes: Option<&[u8]>) -> Deserialized {
        let At { topic, tp, offset } = *at;
        let Some(bytes) = bytes else { return Deserialized::Ok(None) };
        let (id, body) = match wire::unframe(bytes) {
            Ok(framed) => framed,
            Err(e) => return Deserialized::Failed(e.to_string()),
        };
        let Some(writer) = self.client.cached_schema(id).cloned() else {
            self.awaiting = Some(Awaiting::SchemaById { id, is_key });
            self.blocked_on = Some((tp, offset));
            self.client.call(ctx, RegistryRequest::GetSchemaById { id });
            return Deserialized::Blocked;
        };
        let side = if is_key { &self.def.key } else { &self.def.value };
        let config = self.def.config;
        let reader: Option<AvroSchema> = if config.use_latest_version {
            let strategy = if is_key { config.key_subject_name_strategy } else { config.value_subject_name_strategy };
            let record_name = side.clone().flatten().map_or_else(|| writer.type_name(), |s| s.type_name());
            let subject = strategy.subject(topic, is_key, &record_name);
            match self.client.cached_latest(&subject) {
                Some((_, latest)) => Some(latest.clone()),
                None => {
                    self.awaiting = Some(Awaiting::Latest { subject: subject.clone() });
                    self.blocked_on = Some((tp, offset));
                    self.client.call(ctx, RegistryRequest::GetLatestVersion { subject });
                    return Deserialized::Blocked;
                }
            }
        } else if config.specific_avro_reader {
            side.clone().flatten()
        } else {
            None
        };
        match wire::read_body(&writer, body, reader.as_ref()) {
            Ok(value) => {
                let shown = reader.as_ref().unwrap_or(&writer).datum_to_json(&value);
                Deserialized::Ok(Some((id, shown.to_string())))
            }
            Err(e) => Deserialized::Failed(format!("Error deserializing Avro message for id {id}: {e}")),
        }
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, message: Message) -> bool {
        match self.client.on_message(ctx, message) {
            Some((_, result)) => {
                self.on_result(result);
                true
            }
            None => false,
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: SerdeTimer) -> bool {
        match self.client.on_timer(ctx, timer) {
            Some((_, result)) => {
                self.on_result(result);
                true
            }
            None => false,
        }
    }

    fn on_result(&mut self, result: CallResult) {
        let (Some(awaiting), Some((tp, offset))) = (self.awaiting.take(), self.blocked_on.take()) else { return };
        let error = match (&awaiting, result) {
            (Awaiting::SchemaById { id, .. }, CallResult::Answer(RegistryAnswer::Schema { schema })) => {
                match AvroSchema::parse(&schema) {
                    Ok(parsed) => {
                        self.client.learn_schema(*id, parsed);
                        return;
                    }
                    Err(e) => e.message,
                }
            }
            (Awaiting::Latest { subject }, CallResult::Answer(RegistryAnswer::Version(v))) => {
                match AvroSchema::parse(&v.schema) {
                    Ok(parsed) => {
                        self.client.learn_latest(subject, v.id, parsed);
                        return;
                    }
                    Err(e) => e.message,
                }
            }
            (_, other) => describe(&other),
        };
        let message = match awaiting {
            Awaiting::SchemaById { id, is_key } => {
                format!("Error retrieving Avro {} schema for id {id}: {error}", if is_key { "key" } else { "value" })
            }
            Awaiting::Latest { subject } => format!("Error retrieving latest version of {subject}: {error}"),
        };
        self.failure = Some((tp, offset, message));
    }

    /// The consumer switches to another reader schema (the application was changed).
    pub fn evolve(&mut self, value: Option<AvroSchema>, key: Option<AvroSchema>) {
        if let Some(value) = value {
            self.def.value = Some(Some(value));
        }
        if let Some(key) = key {
            self.def.key = Some(Some(key));
        }
    }
}

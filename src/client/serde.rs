//! Confluent's Avro serializer and deserializer (`KafkaAvroSerializer`,
//! `KafkaAvroDeserializer`): the value format a producer or consumer is
//! configured with when it writes or reads Avro instead of plain text.
//!
//! The serializer turns the application's value (Avro's JSON encoding, from
//! the scenario's template) into Confluent's wire format: it finds the
//! schema's ID — from its cache, or by registering (`auto.register.schemas`),
//! looking it up, or taking the subject's latest version
//! (`use.latest.version`) — then writes the magic byte, the ID and the Avro
//! body. The deserializer reads the ID, fetches the writer's schema by ID
//! once, and decodes — into the application's own schema when
//! `specific.avro.reader` is set, resolving by Avro's rules.
//!
//! Both run on the application's thread: a call to the registry blocks the
//! `send()` or `poll()` it happens in until it is answered.

pub mod deserializer;
pub mod registry_client;
pub mod serializer;

use crate::avro::AvroSchema;
use crate::config::serde::SerdeConfig;

pub use registry_client::SerdeTimer;

/// What a consumer's application does when `poll()` throws a
/// `RecordDeserializationException`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeserializationErrorPolicy {
    /// It does not catch it: the application stops (the default of a
    /// poll loop without a try/catch).
    #[default]
    Fail,
    /// It catches it and seeks past the record (`seek(offset + 1)`): the
    /// record is skipped.
    Skip,
    /// It catches it, waits a second and polls again: the same record is
    /// tried again.
    Retry,
}

/// A client's Avro key and value formats, as the scenario sets them.
#[derive(Clone, Debug, PartialEq)]
pub struct AvroSerdeDef {
    /// The key's schema (a producer's objects; a specific consumer's class), or
    /// `Some(None)` for a generic Avro key; `None`: the key is not Avro.
    pub key: Option<Option<AvroSchema>>,
    pub value: Option<Option<AvroSchema>>,
    pub config: SerdeConfig,
    pub on_error: DeserializationErrorPolicy,
}

impl AvroSerdeDef {
    pub fn uses_avro(&self) -> bool {
        self.key.is_some() || self.value.is_some()
    }
}

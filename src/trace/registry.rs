//! Trace events of the Schema Registry and of the clients' Avro serializers
//! and deserializers, with their narration and JSON form.

use serde_json::{Value, json};

use super::event::Level;
use crate::ids::{ClientIdx, Names, NodeId, RecordId, TopicPartition};

#[derive(Clone, Debug, PartialEq)]
pub enum RegistryEvent {
    /// The registry read `_schemas` up to the record it wrote on starting
    /// (its NOOP at `up_to_offset`) and answers requests now.
    Ready { records: u64, subjects: usize, schemas: usize, up_to_offset: i64 },
    /// A per-subject compatibility level was written (`PUT /config/{subject}`).
    LevelSet { subject: String, level: &'static str, offset: i64 },
    /// A new version was registered (and read back from `_schemas`).
    Registered { subject: String, version: u32, id: u32, new_id: bool, offset: i64 },
    /// A REST call was refused with an error.
    Refused { client: NodeId, endpoint: String, error_code: u32, message: String },
    /// A client called the registry (its cache did not have the answer).
    Call { client: NodeId, endpoint: String, attempt: u32 },
    /// A client's registry call failed to connect or timed out; it retries
    /// after `retry_in_ms` unless `retry_in_ms` is `None`.
    CallFailed { client: NodeId, endpoint: String, reason: String, retry_in_ms: Option<u64> },
    /// A producer's serializer framed a record: schema ID, subject and version.
    Serialized { producer: ClientIdx, id: RecordId, subject: String, schema_id: u32, from_cache: bool },
    /// A producer's serializer threw: the record is not sent.
    SerializationFailed { producer: ClientIdx, id: RecordId, error: String },
    /// A consumer's deserializer read a record (the decoded value, as Avro
    /// JSON); `first`: the first record it read with this schema ID.
    Deserialized { consumer: ClientIdx, tp: TopicPartition, offset: i64, schema_id: u32, value: String, first: bool },
    /// A consumer's deserializer threw on a record (RecordDeserializationException).
    DeserializationFailed { consumer: ClientIdx, tp: TopicPartition, offset: i64, error: String, then: String },
}

impl RegistryEvent {
    pub fn level(&self) -> Level {
        match self {
            RegistryEvent::Call { attempt, .. } if *attempt > 1 => Level::Detail,
            // The client's exception tells the story (once per record).
            RegistryEvent::Refused { .. } => Level::Detail,
            RegistryEvent::CallFailed { retry_in_ms: Some(_), .. } => Level::Detail,
            RegistryEvent::Serialized { from_cache: true, .. } => Level::Detail,
            RegistryEvent::Deserialized { first: false, .. } => Level::Detail,
            _ => Level::Story,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RegistryEvent::Ready { .. } => "registry_ready",
            RegistryEvent::LevelSet { .. } => "registry_level_set",
            RegistryEvent::Registered { .. } => "schema_registered",
            RegistryEvent::Refused { .. } => "registry_refused",
            RegistryEvent::Call { .. } => "registry_call",
            RegistryEvent::CallFailed { .. } => "registry_call_failed",
            RegistryEvent::Serialized { .. } => "serialized",
            RegistryEvent::SerializationFailed { .. } => "serialization_failed",
            RegistryEvent::Deserialized { .. } => "deserialized",
            RegistryEvent::DeserializationFailed { .. } => "deserialization_failed",
        }
    }

    pub fn lines(&self, names: &Names) -> Vec<String> {
        vec![match self {
            RegistryEvent::Ready { records, subjects, schemas, up_to_offset } => format!(
                "schema-registry has read _schemas-0 up to its startup record @{up_to_offset} ({records} record(s)): \
                 {schemas} schema(s) under {subjects} subject(s); it answers requests now"
            ),
            RegistryEvent::LevelSet { subject, level, offset } => {
                format!("schema-registry: PUT /config/{subject} {{compatibility: {level}}} → _schemas-0 @{offset}")
            }
            RegistryEvent::Registered { subject, version, id, new_id, offset } => format!(
                "schema-registry: {subject} version {version} is schema ID {id}{} (written to _schemas-0 @{offset}, read back)",
                if *new_id { "" } else { ", an ID it already had" }
            ),
            RegistryEvent::Refused { client, endpoint, error_code, message } => format!(
                "schema-registry refuses {}'s {endpoint}: error {error_code}: {}",
                names.node(*client),
                short(message)
            ),
            RegistryEvent::Call { client, endpoint, attempt } => format!(
                "{} → schema-registry: {endpoint}{}",
                names.node(*client),
                if *attempt > 1 { format!(" (attempt {attempt})") } else { String::new() }
            ),
            RegistryEvent::CallFailed { client, endpoint, reason, retry_in_ms } => format!(
                "{}: {endpoint} failed: {reason}{}",
                names.node(*client),
                match retry_in_ms {
                    Some(ms) => format!("; retrying in {ms} ms"),
                    None => "; no retries left".to_string(),
                }
            ),
            RegistryEvent::Serialized { producer, id, subject, schema_id, from_cache } => format!(
                "{} serializes record #{}: Avro, schema ID {schema_id} ({subject}){}",
                names.producer(*producer),
                id.number,
                if *from_cache { ", from its cache" } else { "" }
            ),
            RegistryEvent::SerializationFailed { producer, id, error } => format!(
                "{} send() #{} throws SerializationException: {}; the record is not sent",
                names.producer(*producer),
                id.number,
                short(error)
            ),
            RegistryEvent::Deserialized { consumer, tp, offset, schema_id, value, .. } => format!(
                "{} reads {} @{offset}: schema ID {schema_id} → {}",
                names.consumer(*consumer),
                names.partition(*tp),
                short(value)
            ),
            RegistryEvent::DeserializationFailed { consumer, tp, offset, error, then } => format!(
                "{} poll() throws RecordDeserializationException at {} @{offset}: {error}; {then}",
                names.consumer(*consumer),
                names.partition(*tp)
            ),
        }]
    }

    pub fn fields(&self, names: &Names) -> Value {
        match self {
            RegistryEvent::Ready { records, subjects, schemas, up_to_offset } => {
                json!({ "records": records, "subjects": subjects, "schemas": schemas, "up_to_offset": up_to_offset })
            }
            RegistryEvent::LevelSet { subject, level, offset } => {
                json!({ "subject": subject, "compatibility": level, "offset": offset })
            }
            RegistryEvent::Registered { subject, version, id, new_id, offset } => {
                json!({ "subject": subject, "version": version, "schema_id": id, "new_id": new_id, "offset": offset })
            }
            RegistryEvent::Refused { client, endpoint, error_code, message } => json!({
                "client": names.node(*client), "endpoint": endpoint, "error_code": error_code, "message": message,
            }),
            RegistryEvent::Call { client, endpoint, attempt } => {
                json!({ "client": names.node(*client), "endpoint": endpoint, "attempt": attempt })
            }
            RegistryEvent::CallFailed { client, endpoint, reason, retry_in_ms } => json!({
                "client": names.node(*client), "endpoint": endpoint, "reason": reason, "retry_in_ms": retry_in_ms,
            }),
            RegistryEvent::Serialized { producer, id, subject, schema_id, from_cache } => json!({
                "producer": names.producer(*producer), "id": format!("{}#{}", names.producer(id.producer), id.number),
                "subject": subject, "schema_id": schema_id, "from_cache": from_cache,
            }),
            RegistryEvent::SerializationFailed { producer, id, error } => json!({
                "producer": names.producer(*producer), "id": format!("{}#{}", names.producer(id.producer), id.number),
                "error": error,
            }),
            RegistryEvent::Deserialized { consumer, tp, offset, schema_id, value, .. } => json!({
                "consumer": names.consumer(*consumer), "topic": names.topic(tp.topic), "partition": tp.partition,
                "offset": offset, "schema_id": schema_id, "value": value,
            }),
            RegistryEvent::DeserializationFailed { consumer, tp, offset, error, then } => json!({
                "consumer": names.consumer(*consumer), "topic": names.topic(tp.topic), "partition": tp.partition,
                "offset": offset, "error": error, "then": then,
            }),
        }
    }
}

/// The start of a long message (a 409's details run on).
fn short(text: &str) -> String {
    const MAX: usize = 160;
    if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text.to_string()
    }
}

/// The registry in the outcome report: its subjects as `_schemas` holds them.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct RegistryReport {
    /// `serving`, `starting` or `down`.
    pub state: String,
    /// Records in `_schemas` (up to its high watermark).
    pub records: u64,
    pub subjects: Vec<SubjectRow>,
}

#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct SubjectRow {
    pub subject: String,
    pub compatibility: String,
    /// `(version, schema ID)`, oldest first.
    pub versions: Vec<(u32, u32)>,
    /// Registrations the registry refused (409 incompatible, 42201 invalid).
    pub refused: u64,
}

impl RegistryReport {
    pub fn render(&self) -> String {
        let mut out = format!("schema registry: {} · _schemas-0 holds {} record(s)\n", self.state, self.records);
        if self.subjects.is_empty() {
            out.push_str("  no subjects\n");
            return out;
        }
        let mut table = super::table::Table::new(&["SUBJECT", "COMPATIBILITY", "VERSIONS (SCHEMA ID)", "REFUSED"]);
        for s in &self.subjects {
            let versions = s.versions.iter().map(|(v, id)| format!("v{v} ({id})")).collect::<Vec<_>>().join(", ");
            table.row(vec![s.subject.clone(), s.compatibility.clone(), versions, s.refused.to_string()]);
        }
        out.push_str(&table.render());
        out
    }
}

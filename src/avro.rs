//! Avro: schemas, the binary encoding and how a reader resolves a writer's
//! data — the format Confluent's serializers put into Kafka records.
//!
//! Everything Avro decides comes from the apache-avro crate: parsing a schema
//! (`Schema::parse`), encoding and decoding a datum (`GenericDatumWriter`,
//! `GenericDatumReader` with a reader schema), and whether a reader can read a
//! writer (`SchemaCompatibility`). This room adds what a student needs around
//! it: schema errors that point at file:line:column (`parse`), Avro's JSON
//! encoding as input and output (`json`), the bytes explained step by step
//! (`encoding`), the incompatibilities named in Avro's own words
//! (`resolution`) and Confluent's wire format (`wire`).
//!
//! Simplification: schema references (a schema naming types registered under
//! other subjects) and the `big-decimal` logical type are not supported.

pub mod encoding;
pub mod json;
pub mod located;
pub mod parse;
pub mod resolution;
pub mod wire;

use std::fmt;
use std::sync::Arc;

use apache_avro::Schema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;

pub use parse::SchemaError;

/// A parsed Avro schema and the text a registry stores for it.
#[derive(Clone)]
pub struct AvroSchema {
    schema: Arc<Schema>,
    /// The schema as compact JSON, as apache-avro writes it: what the
    /// registry compares to tell one schema from another.
    canonical: Arc<str>,
}

impl AvroSchema {
    /// Parses schema text (an `.avsc` file's content).
    pub fn parse(text: &str) -> Result<AvroSchema, SchemaError> {
        parse::parse_schema(text)
    }

    pub(crate) fn from_parsed(schema: Schema) -> AvroSchema {
        // Serializing a parsed schema cannot fail: it came from JSON.
        let canonical = serde_json::to_string(&schema).unwrap_or_default();
        AvroSchema { schema: Arc::new(schema), canonical: canonical.into() }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The schema as the registry stores it (compact JSON).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The full name of a named top-level type (`io.confluent.Order`), or the
    /// type itself (`string`).
    pub fn type_name(&self) -> String {
        match self.schema.name() {
            Some(name) => name.fullname(None),
            None => encoding::type_label(&self.schema).to_string(),
        }
    }

    /// `shop.Order {orderid, item, units}`: the name and, for a record, its fields.
    pub fn summary(&self) -> String {
        match self.schema.as_ref() {
            Schema::Record(record) => {
                let fields: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
                format!("{} {{{}}}", self.type_name(), fields.join(", "))
            }
            _ => self.type_name(),
        }
    }

    /// Converts a value in Avro's JSON encoding to a datum of this schema.
    pub fn datum_from_json(&self, json: &serde_json::Value) -> Result<Value, json::DatumError> {
        json::from_json(&self.schema, json)
    }

    /// The Avro binary encoding of a datum of this schema.
    pub fn encode(&self, datum: &Value) -> Result<Vec<u8>, String> {
        encoding::encode(&self.schema, datum)
    }

    /// Decodes `body` written with this schema; with a reader schema, the
    /// data is resolved into it by Avro's rules.
    pub fn decode(&self, body: &[u8], reader: Option<&AvroSchema>) -> Result<Value, String> {
        let reader_schema = reader.map(|r| r.schema());
        let datum_reader = GenericDatumReader::builder(&self.schema)
            .maybe_reader_schema(reader_schema)
            .build()
            .map_err(|e| e.to_string())?;
        let mut rest = body;
        let value = datum_reader.read_value(&mut rest).map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            return Err(format!("{} bytes left over after the value", rest.len()));
        }
        Ok(value)
    }

    /// A decoded datum in Avro's JSON encoding, for display.
    pub fn datum_to_json(&self, datum: &Value) -> serde_json::Value {
        json::to_json(&self.schema, datum)
    }
}

impl PartialEq for AvroSchema {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for AvroSchema {}

impl fmt::Debug for AvroSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

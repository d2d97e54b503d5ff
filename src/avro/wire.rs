//! Confluent's wire format: what `KafkaAvroSerializer` puts in a record's
//! key or value, and what `KafkaAvroDeserializer` expects there.
//!
//! - byte 0: the magic byte `0x00`;
//! - bytes 1–4: the schema ID, a 32-bit big-endian integer the registry gave;
//! - then the Avro binary encoding of the datum.
//!
//! Two exceptions, as `AbstractKafkaAvroSerializer.serializeImpl` writes
//! them: a null object is serialized to null — a tombstone, with no header
//! and no registry call — and a value whose schema is `bytes` is written
//! raw after the header, without Avro's length prefix (the deserializer
//! reads the rest of the record as the bytes).

use std::fmt;

use apache_avro::Schema;
use apache_avro::types::Value;

use super::AvroSchema;

/// The first byte of every Confluent-framed value.
pub const MAGIC_BYTE: u8 = 0x00;
/// Magic byte plus the 4-byte schema ID.
pub const HEADER_BYTES: usize = 5;

/// The Avro body Confluent writes after the header (a top-level `bytes`
/// value raw, anything else in Avro's binary encoding).
pub fn body(schema: &AvroSchema, datum: &Value) -> Result<Vec<u8>, String> {
    match (schema.schema(), datum) {
        (Schema::Bytes, Value::Bytes(bytes)) => Ok(bytes.clone()),
        _ => schema.encode(datum),
    }
}

/// Header and body: the bytes of the record's value (or key).
pub fn frame(schema_id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Bytes a Confluent deserializer cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// Fewer than 5 bytes, or a first byte other than 0: not Confluent's format
    /// (Java: `SerializationException: Unknown magic byte!`).
    UnknownMagicByte,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::UnknownMagicByte => f.write_str("Unknown magic byte!"),
        }
    }
}

/// Splits a framed value into its schema ID and body.
pub fn unframe(bytes: &[u8]) -> Result<(u32, &[u8]), WireError> {
    match bytes {
        [MAGIC_BYTE, a, b, c, d, body @ ..] => Ok((u32::from_be_bytes([*a, *b, *c, *d]), body)),
        _ => Err(WireError::UnknownMagicByte),
    }
}

/// Reads a body written with `writer`, resolved into `reader` if given.
pub fn read_body(writer: &AvroSchema, body: &[u8], reader: Option<&AvroSchema>) -> Result<Value, String> {
    match writer.schema() {
        Schema::Bytes => {
            let raw = Value::Bytes(body.to_vec());
            match reader {
                // The reader may want a string: Avro promotes bytes to string.
                Some(r) => raw.resolve(r.schema()).map_err(|e| e.to_string()),
                None => Ok(raw),
            }
        }
        _ => writer.decode(body, reader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_a_zero_and_the_id_big_endian() {
        let framed = frame(0x0102_0304, &[0xaa]);
        assert_eq!(framed, [0x00, 0x01, 0x02, 0x03, 0x04, 0xaa]);
        assert_eq!(unframe(&framed), Ok((0x0102_0304, &[0xaa][..])));
        assert_eq!(unframe(&[0x01, 0, 0, 0, 1]), Err(WireError::UnknownMagicByte));
        assert_eq!(unframe(&[0x00, 0, 0]), Err(WireError::UnknownMagicByte), "too short for a header");
        assert_eq!(WireError::UnknownMagicByte.to_string(), "Unknown magic byte!");
    }

    #[test]
    fn a_top_level_bytes_value_is_written_raw() {
        let bytes = AvroSchema::parse(r#""bytes""#).unwrap();
        let datum = Value::Bytes(vec![1, 2, 3]);
        assert_eq!(body(&bytes, &datum).unwrap(), [1, 2, 3], "no length prefix");
        assert_eq!(read_body(&bytes, &[1, 2, 3], None).unwrap(), datum);
        let string = AvroSchema::parse(r#""string""#).unwrap();
        assert_eq!(read_body(&bytes, b"hi", Some(&string)).unwrap(), Value::String("hi".into()));
        let wrapped = AvroSchema::parse(r#"{"type": "array", "items": "bytes"}"#).unwrap();
        let nested = Value::Array(vec![Value::Bytes(vec![7])]);
        assert_eq!(body(&wrapped, &nested).unwrap(), [0x02, 0x02, 0x07, 0x00], "nested bytes keep their length");
    }
}

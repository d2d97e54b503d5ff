//! Avro's binary encoding, step by step: which bytes each part of a value
//! becomes, and why.
//!
//! The rules (Avro specification, "Binary Encoding"): no field names or tags,
//! fields in the writer schema's order; `int` and `long` as zig-zag varints
//! (`(n << 1) ^ (n >> 63)`, then 7 bits a byte, lowest first, the high bit
//! saying another byte follows); `string` and `bytes` as a length (a long)
//! then the bytes; a union as the branch index (a long) then the value; an
//! enum as the symbol's index; arrays and maps in blocks (a count, the items,
//! and a block of 0 to end); `fixed` as its bytes; `float` and `double` as
//! IEEE 754, little-endian; `null` as nothing.
//!
//! Every byte shown is written by apache-avro: the walk encodes each part on
//! its own with apache-avro's writer, and the tests check that the parts
//! add up to apache-avro's encoding of the whole.
//!
//! Simplification: apache-avro keeps a map's entries in a hash map, so its
//! own order would differ from run to run; a value holding a map with more
//! than one entry is written with the entries in key order (the order of map
//! entries means nothing in Avro, and apache-avro reads the result back).

use apache_avro::Schema;
use apache_avro::schema::{InnerDecimalSchema, UuidSchema};
use apache_avro::types::Value;
use apache_avro::writer::datum::GenericDatumWriter;

use super::json::{Names, inner_namespace};

/// The Avro type a schema is, as the specification names it (a logical type
/// by its underlying type).
pub fn type_label(schema: &Schema) -> &'static str {
    match schema {
        Schema::Null => "null",
        Schema::Boolean => "boolean",
        Schema::Int | Schema::Date | Schema::TimeMillis => "int",
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => "long",
        Schema::Float => "float",
        Schema::Double => "double",
        Schema::Bytes | Schema::BigDecimal => "bytes",
        Schema::String => "string",
        Schema::Array(_) => "array",
        Schema::Map(_) => "map",
        Schema::Union(_) => "union",
        Schema::Record(_) => "record",
        Schema::Enum(_) => "enum",
        Schema::Fixed(_) | Schema::Duration(_) => "fixed",
        Schema::Decimal(d) => match d.inner {
            InnerDecimalSchema::Bytes => "bytes",
            InnerDecimalSchema::Fixed(_) => "fixed",
        },
        Schema::Uuid(UuidSchema::String) => "string",
        Schema::Uuid(UuidSchema::Bytes) => "bytes",
        Schema::Uuid(UuidSchema::Fixed(_)) => "fixed",
        Schema::Ref { .. } => "named type",
    }
}

/// One run of bytes of the encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Where in the value: `orderid`, `address.city`, `items[0]`; empty for
    /// the whole value.
    pub path: String,
    /// What these bytes are: `int 42`, `length 6`, `union branch 1 (string)`.
    pub what: String,
    pub bytes: Vec<u8>,
    /// How the bytes come about.
    pub note: String,
}

/// apache-avro's encoding of one value on its own.
fn avro_bytes(schema: &Schema, value: Value) -> Result<Vec<u8>, String> {
    let writer = GenericDatumWriter::builder(schema).build().map_err(|e| e.to_string())?;
    writer.write_value_to_vec(value).map_err(|e| e.to_string())
}

/// `(n << 1) ^ (n >> 63)`.
fn zig_zag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

fn varint_note(n: i64, bytes: &[u8]) -> String {
    let z = zig_zag(n);
    if bytes.len() == 1 {
        format!("zig-zag: {n} → {z} = 0x{z:02x}, one varint byte")
    } else {
        format!(
            "zig-zag: {n} → {z}; varint: 7 bits a byte, lowest first, high bit set on all but the last → {}",
            hex(bytes)
        )
    }
}

/// Whether `value` holds a map with more than one entry (whose order
/// apache-avro would not keep from run to run).
fn has_unordered_map(value: &Value) -> bool {
    match value {
        Value::Map(m) => m.len() > 1 || m.values().any(has_unordered_map),
        Value::Array(items) => items.iter().any(has_unordered_map),
        Value::Record(fields) => fields.iter().any(|(_, v)| has_unordered_map(v)),
        Value::Union(_, v) => has_unordered_map(v),
        _ => false,
    }
}

/// The Avro binary encoding of a datum, by apache-avro (which also checks
/// that the datum conforms to the schema).
pub fn encode(schema: &Schema, datum: &Value) -> Result<Vec<u8>, String> {
    if has_unordered_map(datum) {
        if !datum.validate(schema) {
            return Err("the value does not conform to the schema".to_string());
        }
        return Ok(explain(schema, datum)?.into_iter().flat_map(|s| s.bytes).collect());
    }
    let writer = GenericDatumWriter::builder(schema).build().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    writer.write_value_ref(&mut out, datum).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The encoding of `datum` as a list of steps, in the order the bytes are
/// written.
pub fn explain(schema: &Schema, datum: &Value) -> Result<Vec<Step>, String> {
    let names = Names::of(schema);
    let mut walk = Walk { names: &names, steps: Vec::new() };
    walk.value(schema, None, datum, &mut String::new())?;
    Ok(walk.steps)
}

struct Walk<'n, 's> {
    names: &'n Names<'s>,
    steps: Vec<Step>,
}

impl Walk<'_, '_> {
    fn push(&mut self, path: &str, what: String, bytes: Vec<u8>, note: String) {
        self.steps.push(Step { path: path.to_string(), what, bytes, note });
    }

    fn long(&mut self, path: &str, what: String, n: i64, why: &str) -> Result<(), String> {
        let bytes = avro_bytes(&Schema::Long, Value::Long(n))?;
        let note = format!("{why}; {}", varint_note(n, &bytes));
        self.push(path, what, bytes, note);
        Ok(())
    }

    /// A length-prefixed run: the length step, then the content step.
    fn prefixed(&mut self, path: &str, what: String, encoded: Vec<u8>, content_note: String) {
        let prefix_len = encoded.len() - content_len(&encoded);
        let (prefix, content) = encoded.split_at(prefix_len);
        let n = (content.len()) as i64;
        self.push(
            path,
            format!("length {n}"),
            prefix.to_vec(),
            format!("a long before the bytes; {}", varint_note(n, prefix)),
        );
        self.push(path, what, content.to_vec(), content_note);
    }

    fn value(&mut self, schema: &Schema, ns: Option<&str>, value: &Value, path: &mut String) -> Result<(), String> {
        let schema = self.names.resolve(schema, ns).ok_or("the schema names a type it does not define")?;
        let ns = inner_namespace(schema, ns);
        match value {
            Value::Null => self.push(path, "null".into(), Vec::new(), "null is written as nothing at all".into()),
            Value::Boolean(b) => {
                let bytes = avro_bytes(&Schema::Boolean, value.clone())?;
                self.push(path, format!("boolean {b}"), bytes, "one byte: 1 for true, 0 for false".into());
            }
            Value::Int(n) | Value::Date(n) | Value::TimeMillis(n) => {
                let bytes = avro_bytes(&Schema::Int, Value::Int(*n))?;
                let note = varint_note(i64::from(*n), &bytes);
                self.push(path, format!("{} {n}", describe(schema)), bytes, note);
            }
            Value::Long(n)
            | Value::TimeMicros(n)
            | Value::TimestampMillis(n)
            | Value::TimestampMicros(n)
            | Value::TimestampNanos(n)
            | Value::LocalTimestampMillis(n)
            | Value::LocalTimestampMicros(n)
            | Value::LocalTimestampNanos(n) => {
                let bytes = avro_bytes(&Schema::Long, Value::Long(*n))?;
                let note = varint_note(*n, &bytes);
                self.push(path, format!("{} {n}", describe(schema)), bytes, note);
            }
            Value::Float(f) => {
                let bytes = avro_bytes(&Schema::Float, value.clone())?;
                self.push(path, format!("float {f}"), bytes, "4 bytes, IEEE 754, little-endian".into());
            }
            Value::Double(f) => {
                let bytes = avro_bytes(&Schema::Double, value.clone())?;
                self.push(path, format!("double {f}"), bytes, "8 bytes, IEEE 754, little-endian".into());
            }
            Value::String(s) => {
                let encoded = avro_bytes(&Schema::String, value.clone())?;
                let chars = s.chars().count();
                let note = format!("{} bytes of UTF-8 for {chars} characters", s.len());
                self.prefixed(path, format!("string {s:?}"), encoded, note);
            }
            Value::Bytes(b) => {
                let encoded = avro_bytes(&Schema::Bytes, value.clone())?;
                self.prefixed(path, format!("bytes ({})", b.len()), encoded, "the bytes as they are".into());
            }
            Value::Fixed(size, b) => {
                let bytes = avro_bytes(schema, value.clone()).unwrap_or_else(|_| b.clone());
                self.push(path, format!("fixed ({size} bytes)"), bytes, "a fixed size: no length is written".into());
            }
            Value::Enum(i, symbol) => {
                let bytes = avro_bytes(&Schema::Int, Value::Int(*i as i32))?;
                let note = format!("the symbol's position in the enum; {}", varint_note(i64::from(*i), &bytes));
                self.push(path, format!("enum {symbol} (#{i})"), bytes, note);
            }
            Value::Union(index, inner) => {
                let Schema::Union(union) = schema else { return Err(format!("{path}: a union value for a non-union")) };
                let branch = union.variants().get(*index as usize).ok_or("union branch out of range")?;
                let name = super::json::branch_name(branch, ns);
                let what = format!("union branch {index} ({name})");
                self.long(path, what, i64::from(*index), "which branch of the union follows")?;
                self.value(branch, ns, inner, path)?;
            }
            Value::Array(items) => {
                let Schema::Array(array) = schema else { return Err(format!("{path}: an array for a non-array")) };
                if !items.is_empty() {
                    let n = items.len() as i64;
                    self.long(path, format!("block of {n} items"), n, "an array is written in blocks")?;
                    for (i, item) in items.iter().enumerate() {
                        let len = path.len();
                        path.push_str(&format!("[{i}]"));
                        self.value(&array.items, ns, item, path)?;
                        path.truncate(len);
                    }
                }
                self.long(path, "end of array".into(), 0, "a block of 0 items ends it")?;
            }
            Value::Map(map) => {
                let Schema::Map(map_schema) = schema else { return Err(format!("{path}: a map for a non-map")) };
                if !map.is_empty() {
                    let n = map.len() as i64;
                    self.long(path, format!("block of {n} entries"), n, "a map is written in blocks")?;
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for key in keys {
                        let len = path.len();
                        path.push_str(&format!("[{key:?}]"));
                        let encoded = avro_bytes(&Schema::String, Value::String(key.clone()))?;
                        self.prefixed(path, format!("key {key:?}"), encoded, "the entry's key, a string".into());
                        self.value(&map_schema.types, ns, &map[key], path)?;
                        path.truncate(len);
                    }
                }
                self.long(path, "end of map".into(), 0, "a block of 0 entries ends it")?;
            }
            Value::Record(fields) => {
                let Schema::Record(record) = schema else { return Err(format!("{path}: a record for a non-record")) };
                for field in &record.fields {
                    let value = fields.iter().find(|(n, _)| n == &field.name).map(|(_, v)| v);
                    let value = value.ok_or_else(|| format!("field `{}` has no value", field.name))?;
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&field.name);
                    self.value(&field.schema, ns, value, path)?;
                    path.truncate(len);
                }
            }
            Value::Decimal(_) | Value::Uuid(_) | Value::Duration(_) | Value::BigDecimal(_) => {
                let encoded = avro_bytes(schema, value.clone())?;
                let what = format!("{} value", describe(schema));
                match type_label(schema) {
                    "bytes" | "string" => self.prefixed(path, what, encoded, "the logical value's bytes".into()),
                    _ => self.push(path, what, encoded, "a fixed size: no length is written".into()),
                }
            }
        }
        Ok(())
    }
}

/// How many bytes follow the length prefix of an encoded string or bytes.
fn content_len(encoded: &[u8]) -> usize {
    // The prefix is a varint: its bytes have the high bit set but the last.
    let prefix = encoded.iter().position(|b| b & 0x80 == 0).map_or(encoded.len(), |i| i + 1);
    encoded.len() - prefix
}

/// `int`, `long (timestamp-millis)`, `record Order`.
pub fn describe(schema: &Schema) -> String {
    let logical = match schema {
        Schema::Date => Some("date"),
        Schema::TimeMillis => Some("time-millis"),
        Schema::TimeMicros => Some("time-micros"),
        Schema::TimestampMillis => Some("timestamp-millis"),
        Schema::TimestampMicros => Some("timestamp-micros"),
        Schema::TimestampNanos => Some("timestamp-nanos"),
        Schema::LocalTimestampMillis => Some("local-timestamp-millis"),
        Schema::LocalTimestampMicros => Some("local-timestamp-micros"),
        Schema::LocalTimestampNanos => Some("local-timestamp-nanos"),
        Schema::Decimal(_) => Some("decimal"),
        Schema::Uuid(_) => Some("uuid"),
        Schema::Duration(_) => Some("duration"),
        _ => None,
    };
    if let Schema::Union(union) = schema {
        let branches: Vec<String> = union.variants().iter().map(describe).collect();
        return format!("[{}]", branches.join(", "));
    }
    match (logical, schema.name()) {
        (Some(l), _) => format!("{} ({l})", type_label(schema)),
        (None, Some(name)) => format!("{} {}", type_label(schema), name.name()),
        (None, None) => type_label(schema).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::AvroSchema;

    fn datum(schema: &AvroSchema, json: &str) -> Value {
        schema.datum_from_json(&serde_json::from_str(json).expect("JSON")).expect("conforms")
    }

    fn steps_bytes(schema: &AvroSchema, value: &Value) -> Vec<u8> {
        explain(schema.schema(), value).expect("explains").into_iter().flat_map(|s| s.bytes).collect()
    }

    /// The published examples of the Avro specification ("Binary Encoding":
    /// the zig-zag table for int and long, the string "foo", the union
    /// `["null","string"]` holding "a", the array of longs [3, 27]), plus the
    /// extremes of an int and one value of each other primitive.
    #[test]
    fn the_specifications_examples_encode_as_published() {
        let cases: &[(&str, &str, &[u8])] = &[
            (r#""long""#, "0", &[0x00]),
            (r#""long""#, "-1", &[0x01]),
            (r#""long""#, "1", &[0x02]),
            (r#""long""#, "-2", &[0x03]),
            (r#""long""#, "2", &[0x04]),
            (r#""long""#, "-64", &[0x7f]),
            (r#""long""#, "64", &[0x80, 0x01]),
            (r#""int""#, "2147483647", &[0xfe, 0xff, 0xff, 0xff, 0x0f]),
            (r#""int""#, "-2147483648", &[0xff, 0xff, 0xff, 0xff, 0x0f]),
            (r#""string""#, r#""foo""#, &[0x06, 0x66, 0x6f, 0x6f]),
            (r#"["null", "string"]"#, "null", &[0x00]),
            (r#"["null", "string"]"#, r#"{"string": "a"}"#, &[0x02, 0x02, 0x61]),
            (r#"{"type": "array", "items": "long"}"#, "[3, 27]", &[0x04, 0x06, 0x36, 0x00]),
            (r#""boolean""#, "true", &[0x01]),
            (r#""float""#, "1.0", &[0x00, 0x00, 0x80, 0x3f]),
            (r#""double""#, "1.0", &[0, 0, 0, 0, 0, 0, 0xf0, 0x3f]),
            (r#"{"type": "fixed", "name": "F", "size": 2}"#, r#""\u0001\u00ff""#, &[0x01, 0xff]),
        ];
        for (schema_text, json, expected) in cases {
            let schema = AvroSchema::parse(schema_text).expect("schema");
            let value = datum(&schema, json);
            assert_eq!(schema.encode(&value).expect("encodes"), *expected, "{schema_text} {json}");
            assert_eq!(steps_bytes(&schema, &value), *expected, "the steps add up: {schema_text} {json}");
            let decoded = schema.decode(expected, None).expect("decodes");
            assert_eq!(schema.datum_to_json(&decoded), serde_json::from_str::<serde_json::Value>(json).unwrap());
        }
    }

    #[test]
    fn a_record_is_its_fields_in_order_with_notes() {
        let schema = AvroSchema::parse(
            r#"{"type": "record", "name": "Order", "fields": [
                {"name": "orderid", "type": "int"}, {"name": "itemid", "type": "string"},
                {"name": "email", "type": ["null", "string"], "default": null}]}"#,
        )
        .unwrap();
        let value = datum(&schema, r#"{"orderid": 300, "itemid": "Item_1", "email": null}"#);
        let steps = explain(schema.schema(), &value).unwrap();
        let summary: Vec<(&str, &str, String)> =
            steps.iter().map(|s| (s.path.as_str(), s.what.as_str(), hex(&s.bytes))).collect();
        assert_eq!(
            summary,
            [
                ("orderid", "int 300", "d8 04".to_string()),
                ("itemid", "length 6", "0c".to_string()),
                ("itemid", "string \"Item_1\"", "49 74 65 6d 5f 31".to_string()),
                ("email", "union branch 0 (null)", "00".to_string()),
                ("email", "null", String::new()),
            ]
        );
        assert!(steps[0].note.contains("zig-zag: 300 → 600"), "{}", steps[0].note);
        assert_eq!(steps_bytes(&schema, &value), schema.encode(&value).unwrap());
    }

    #[test]
    fn maps_are_written_in_key_order_and_read_back_by_apache_avro() {
        let schema = AvroSchema::parse(r#"{"type": "map", "values": "int"}"#).unwrap();
        let value = datum(&schema, r#"{"b": 2, "a": 1, "c": 3}"#);
        let bytes = schema.encode(&value).unwrap();
        assert_eq!(bytes, [0x06, 0x02, b'a', 0x02, 0x02, b'b', 0x04, 0x02, b'c', 0x06, 0x00]);
        assert_eq!(schema.encode(&value).unwrap(), bytes, "the same every time");
        assert_eq!(schema.decode(&bytes, None).unwrap(), value);
    }

    const EVERYTHING: &str = r#"{"type": "record", "name": "All", "fields": [
        {"name": "i", "type": "int"}, {"name": "l", "type": "long"}, {"name": "s", "type": "string"},
        {"name": "d", "type": "double"}, {"name": "u", "type": ["null", "string"]},
        {"name": "a", "type": {"type": "array", "items": "long"}},
        {"name": "m", "type": {"type": "map", "values": "int"}},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y", "Z"]}},
        {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}, {"name": "b", "type": "bytes"}]}"#;

    proptest::proptest! {
        /// Any value of every kind: the steps add up to apache-avro's own
        /// encoding, and apache-avro decodes it back to the same value.
        #[test]
        fn the_steps_are_apache_avros_bytes_and_read_back(
            i: i32, l: i64, s in "\\PC{0,12}", d in -1e9f64..1e9, u in proptest::option::of("[a-z]{0,5}"),
            a in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..4),
            m in proptest::option::of(("[a-z]{1,3}", proptest::prelude::any::<i32>())),
            e in 0usize..3, f in proptest::array::uniform2(proptest::prelude::any::<u8>()), b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6),
        ) {
            let schema = AvroSchema::parse(EVERYTHING).unwrap();
            let bytes_text = |bytes: &[u8]| bytes.iter().map(|&x| char::from(x)).collect::<String>();
            let symbol = ["X", "Y", "Z"][e];
            let json = serde_json::json!({
                "i": i, "l": l, "s": s, "d": d,
                "u": u.map_or(serde_json::Value::Null, |v| serde_json::json!({"string": v})),
                "a": a, "m": m.into_iter().map(|(k, v)| (k, serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
                "e": symbol, "f": bytes_text(&f), "b": bytes_text(&b),
            });
            let value = schema.datum_from_json(&json).unwrap();
            let mut whole = Vec::new();
            GenericDatumWriter::builder(schema.schema()).build().unwrap().write_value_ref(&mut whole, &value).unwrap();
            proptest::prop_assert_eq!(steps_bytes(&schema, &value), whole.clone());
            proptest::prop_assert_eq!(schema.encode(&value).unwrap(), whole.clone());
            let decoded = schema.decode(&whole, None).unwrap();
            proptest::prop_assert_eq!(schema.datum_to_json(&decoded), json);
        }
    }

    #[test]
    fn zig_zag_maps_small_magnitudes_to_small_numbers() {
        assert_eq!([0, -1, 1, -2, 2].map(zig_zag), [0, 1, 2, 3, 4]);
        assert_eq!(zig_zag(i64::MIN), u64::MAX);
    }
}

//! Avro's JSON encoding: how `kafka-avro-console-producer` reads a value and
//! `kafka-avro-console-consumer` prints one, guided by the schema.
//!
//! The rules (Avro specification, "JSON Encoding"):
//! - a record is an object with every field of the schema, no others;
//! - a union value is `null`, or an object with one member named after the
//!   branch — `{"string": "a@b.c"}`, `{"io.confluent.Address": {...}}`;
//! - `bytes` and `fixed` are strings whose characters U+0000–U+00FF are the
//!   bytes;
//! - an enum is its symbol; a map is an object; an array is an array;
//! - a logical type is written as its underlying type (a `timestamp-millis`
//!   is a number of milliseconds, a `uuid` a string).
//!
//! The datum built here is what apache-avro encodes; a value that does not
//! conform to the schema is refused with the path of the part that does not.

use std::borrow::Cow;
use std::fmt;

use apache_avro::schema::{Name, ResolvedSchema, UnionSchema, UuidSchema};
use apache_avro::types::Value;
use apache_avro::{Decimal, Duration, Schema, Uuid};
use serde_json::Value as Json;

use super::encoding::type_label;

/// A JSON value that does not conform to the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatumError {
    /// Where in the value: `address.zipcode`, `items[2]`, or empty for the whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for DatumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { f.write_str(&self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

/// Named types of a schema, to follow references by name.
pub(crate) struct Names<'s> {
    resolved: Option<ResolvedSchema<'s>>,
}

impl<'s> Names<'s> {
    pub(crate) fn of(schema: &'s Schema) -> Self {
        Names { resolved: ResolvedSchema::try_from(schema).ok() }
    }

    /// `schema` itself, or the named type a reference points to.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Schema, namespace: Option<&str>) -> Option<&'a Schema> {
        match schema {
            Schema::Ref { name } => {
                let full: Cow<'_, Name> = name.fully_qualified_name(namespace);
                self.resolved.as_ref()?.get_names().get(full.as_ref()).copied()
            }
            other => Some(other),
        }
    }
}

/// The namespace named types inside `schema` are relative to.
pub(crate) fn inner_namespace<'a>(schema: &'a Schema, outer: Option<&'a str>) -> Option<&'a str> {
    schema.name().and_then(|n| n.namespace()).or(outer)
}

/// The name a union branch goes by in Avro's JSON encoding.
pub fn branch_name(schema: &Schema, namespace: Option<&str>) -> String {
    match schema {
        Schema::Ref { name } => name.fully_qualified_name(namespace).fullname(None),
        Schema::Decimal(d) => match &d.inner {
            apache_avro::schema::InnerDecimalSchema::Fixed(f) => f.name.fullname(namespace),
            apache_avro::schema::InnerDecimalSchema::Bytes => "bytes".to_string(),
        },
        Schema::Uuid(UuidSchema::Fixed(f)) | Schema::Duration(f) => f.name.fullname(namespace),
        other => match other.name() {
            Some(name) => name.fullname(namespace),
            None => type_label(other).to_string(),
        },
    }
}

/// Converts `json`, in Avro's JSON encoding, to a datum of `schema`.
pub fn from_json(schema: &Schema, json: &Json) -> Result<Value, DatumError> {
    let names = Names::of(schema);
    let mut path = String::new();
    Reader { names: &names }.read(schema, None, json, &mut path)
}

struct Reader<'n, 's> {
    names: &'n Names<'s>,
}

fn found(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 40 { format!("{}…", text.chars().take(40).collect::<String>()) } else { text }
}

impl Reader<'_, '_> {
    fn fail(&self, path: &str, message: impl Into<String>) -> DatumError {
        DatumError { path: path.to_string(), message: message.into() }
    }

    fn expected(&self, path: &str, what: &str, json: &Json) -> DatumError {
        self.fail(path, format!("expected {what}, found {}", found(json)))
    }

    fn read(&self, schema: &Schema, ns: Option<&str>, json: &Json, path: &mut String) -> Result<Value, DatumError> {
        let Some(schema) = self.names.resolve(schema, ns) else {
            return Err(self.fail(path, "the schema names a type it does not define"));
        };
        let ns = inner_namespace(schema, ns);
        let int = |j: &Json| j.as_i64().and_then(|n| i32::try_from(n).ok());
        match schema {
            Schema::Null => json.is_null().then_some(Value::Null).ok_or_else(|| self.expected(path, "null", json)),
            Schema::Boolean => json.as_bool().map(Value::Boolean).ok_or_else(|| self.expected(path, "a boolean", json)),
            Schema::Int => int(json).map(Value::Int).ok_or_else(|| self.expected(path, "an int (32 bits)", json)),
            Schema::Date => int(json).map(Value::Date).ok_or_else(|| self.expected(path, "a date (days, int)", json)),
            Schema::TimeMillis => int(json).map(Value::TimeMillis).ok_or_else(|| self.expected(path, "an int", json)),
            Schema::Long
            | Schema::TimeMicros
            | Schema::TimestampMillis
            | Schema::TimestampMicros
            | Schema::TimestampNanos
            | Schema::LocalTimestampMillis
            | Schema::LocalTimestampMicros
            | Schema::LocalTimestampNanos => {
                let n = json.as_i64().ok_or_else(|| self.expected(path, "a long (64 bits)", json))?;
                Ok(long_value(schema, n))
            }
            Schema::Float => json
                .as_f64()
                .map(|f| Value::Float(f as f32))
                .ok_or_else(|| self.expected(path, "a number (float)", json)),
            Schema::Double => json.as_f64().map(Value::Double).ok_or_else(|| self.expected(path, "a number", json)),
            Schema::String => {
                json.as_str().map(|s| Value::String(s.to_string())).ok_or_else(|| self.expected(path, "a string", json))
            }
            Schema::Bytes => Ok(Value::Bytes(self.byte_string(json, path)?)),
            Schema::Fixed(fixed) => {
                let bytes = self.byte_string(json, path)?;
                if bytes.len() != fixed.size {
                    return Err(self
                        .fail(path, format!("fixed `{}` has {} bytes, not {}", fixed.name, fixed.size, bytes.len())));
                }
                Ok(Value::Fixed(fixed.size, bytes))
            }
            Schema::Decimal(_) => Ok(Value::Decimal(Decimal::from(self.byte_string(json, path)?))),
            Schema::Uuid(UuidSchema::String) => {
                let text = json.as_str().ok_or_else(|| self.expected(path, "a UUID string", json))?;
                Uuid::parse_str(text).map(Value::Uuid).map_err(|_| self.expected(path, "a UUID", json))
            }
            Schema::Uuid(_) => {
                let bytes = self.byte_string(json, path)?;
                Uuid::from_slice(&bytes).map(Value::Uuid).map_err(|_| self.expected(path, "16 bytes of a UUID", json))
            }
            Schema::Duration(_) => {
                let bytes = self.byte_string(json, path)?;
                let array: [u8; 12] =
                    bytes.try_into().map_err(|_| self.expected(path, "12 bytes of a duration", json))?;
                Ok(Value::Duration(Duration::from(array)))
            }
            Schema::Enum(e) => {
                let symbol = json.as_str().ok_or_else(|| self.expected(path, "an enum symbol (a string)", json))?;
                match e.symbols.iter().position(|s| s == symbol) {
                    Some(i) => Ok(Value::Enum(i as u32, symbol.to_string())),
                    None => Err(self.fail(
                        path,
                        format!("`{symbol}` is not a symbol of enum `{}` ({})", e.name, e.symbols.join(", ")),
                    )),
                }
            }
            Schema::Array(array) => {
                let items = json.as_array().ok_or_else(|| self.expected(path, "an array", json))?;
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    out.push(self.read(&array.items, ns, item, path)?);
                    path.truncate(len);
                }
                Ok(Value::Array(out))
            }
            Schema::Map(map) => {
                let object = json.as_object().ok_or_else(|| self.expected(path, "an object (a map)", json))?;
                let mut out = Vec::with_capacity(object.len());
                for (key, item) in object {
                    let len = path.len();
                    path.push_str(&format!("[{key:?}]"));
                    out.push((key.clone(), self.read(&map.types, ns, item, path)?));
                    path.truncate(len);
                }
                Ok(Value::Map(out.into_iter().collect()))
            }
            Schema::Record(record) => {
                let object = json.as_object().ok_or_else(|| self.expected(path, "an object (a record)", json))?;
                if let Some(extra) = object.keys().find(|k| !record.fields.iter().any(|f| &f.name == *k)) {
                    let fields: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
                    return Err(self.fail(
                        path,
                        format!("record `{}` has no field `{extra}` (its fields: {})", record.name, fields.join(", ")),
                    ));
                }
                let mut out = Vec::with_capacity(record.fields.len());
                for field in &record.fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&field.name);
                    let Some(item) = object.get(&field.name) else {
                        return Err(self.fail(path, "missing: Avro's JSON encoding writes every field of the record"));
                    };
                    out.push((field.name.clone(), self.read(&field.schema, ns, item, path)?));
                    path.truncate(len);
                }
                Ok(Value::Record(out))
            }
            Schema::Union(union) => self.read_union(union, ns, json, path),
            Schema::BigDecimal | Schema::Ref { .. } => {
                Err(self.fail(path, format!("values of type `{}` are not supported", type_label(schema))))
            }
        }
    }

    fn read_union(
        &self,
        union: &UnionSchema,
        ns: Option<&str>,
        json: &Json,
        path: &mut String,
    ) -> Result<Value, DatumError> {
        let branches: Vec<String> = union.variants().iter().map(|b| branch_name(b, ns)).collect();
        if json.is_null() {
            return match union.variants().iter().position(|b| matches!(b, Schema::Null)) {
                Some(i) => Ok(Value::Union(i as u32, Box::new(Value::Null))),
                None => Err(self.fail(path, format!("null is not one of the union's types ({})", branches.join(", ")))),
            };
        }
        let wrapped = json.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next());
        let Some((name, inner)) = wrapped.filter(|(name, _)| branches.contains(name)) else {
            let example = branches.iter().find(|b| *b != "null").map_or("string", String::as_str);
            return Err(self.fail(
                path,
                format!(
                    "a union value is written with its branch, like {{\"{example}\": ...}}; found {} (branches: {})",
                    found(json),
                    branches.join(", ")
                ),
            ));
        };
        let index = branches.iter().position(|b| b == name).unwrap_or(0);
        let value = self.read(&union.variants()[index], ns, inner, path)?;
        Ok(Value::Union(index as u32, Box::new(value)))
    }

    /// A string whose characters U+0000–U+00FF are bytes.
    fn byte_string(&self, json: &Json, path: &str) -> Result<Vec<u8>, DatumError> {
        let text = json.as_str().ok_or_else(|| self.expected(path, "a string of bytes (\\u0000 to \\u00ff)", json))?;
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| self.fail(path, "bytes are written as characters \\u0000 to \\u00ff, one per byte"))
    }
}

fn long_value(schema: &Schema, n: i64) -> Value {
    match schema {
        Schema::TimeMicros => Value::TimeMicros(n),
        Schema::TimestampMillis => Value::TimestampMillis(n),
        Schema::TimestampMicros => Value::TimestampMicros(n),
        Schema::TimestampNanos => Value::TimestampNanos(n),
        Schema::LocalTimestampMillis => Value::LocalTimestampMillis(n),
        Schema::LocalTimestampMicros => Value::LocalTimestampMicros(n),
        Schema::LocalTimestampNanos => Value::LocalTimestampNanos(n),
        _ => Value::Long(n),
    }
}

/// A datum of `schema` in Avro's JSON encoding (for display; never fails:
/// what cannot be shown is shown as `null`).
pub fn to_json(schema: &Schema, value: &Value) -> Json {
    let names = Names::of(schema);
    write(&names, schema, None, value)
}

fn byte_text(bytes: &[u8]) -> Json {
    Json::String(bytes.iter().map(|&b| char::from(b)).collect())
}

fn number(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(|| Json::String(f.to_string()), Json::Number)
}

fn write(names: &Names<'_>, schema: &Schema, ns: Option<&str>, value: &Value) -> Json {
    let schema = names.resolve(schema, ns).unwrap_or(schema);
    let ns = inner_namespace(schema, ns);
    match value {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Int(n) | Value::Date(n) | Value::TimeMillis(n) => Json::from(*n),
        Value::Long(n)
        | Value::TimeMicros(n)
        | Value::TimestampMillis(n)
        | Value::TimestampMicros(n)
        | Value::TimestampNanos(n)
        | Value::LocalTimestampMillis(n)
        | Value::LocalTimestampMicros(n)
        | Value::LocalTimestampNanos(n) => Json::from(*n),
        Value::Float(f) => number(f64::from(*f)),
        Value::Double(f) => number(*f),
        Value::Bytes(b) | Value::Fixed(_, b) => byte_text(b),
        Value::String(s) => Json::String(s.clone()),
        Value::Enum(_, symbol) => Json::String(symbol.clone()),
        Value::Uuid(u) => match schema {
            Schema::Uuid(UuidSchema::String) | Schema::String => Json::String(u.to_string()),
            _ => byte_text(u.as_bytes()),
        },
        Value::Decimal(d) => Vec::<u8>::try_from(d).map_or(Json::Null, |b| byte_text(&b)),
        Value::Duration(d) => byte_text(&<[u8; 12]>::from(*d)),
        Value::BigDecimal(b) => Json::String(b.to_string()),
        Value::Union(index, inner) => match (schema, inner.as_ref()) {
            (_, Value::Null) => Json::Null,
            (Schema::Union(union), inner) => match union.variants().get(*index as usize) {
                Some(branch) => {
                    let mut object = serde_json::Map::new();
                    object.insert(branch_name(branch, ns), write(names, branch, ns, inner));
                    Json::Object(object)
                }
                None => Json::Null,
            },
            (_, inner) => write(names, schema, ns, inner),
        },
        Value::Array(items) => {
            let item_schema = match schema {
                Schema::Array(a) => a.items.as_ref(),
                _ => schema,
            };
            Json::Array(items.iter().map(|v| write(names, item_schema, ns, v)).collect())
        }
        Value::Map(map) => {
            let value_schema = match schema {
                Schema::Map(m) => m.types.as_ref(),
                _ => schema,
            };
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let object = keys.into_iter().map(|k| (k.clone(), write(names, value_schema, ns, &map[k]))).collect();
            Json::Object(object)
        }
        Value::Record(fields) => {
            let object = fields
                .iter()
                .map(|(name, v)| {
                    let field_schema = match schema {
                        Schema::Record(r) => r.fields.iter().find(|f| &f.name == name).map(|f| &f.schema),
                        _ => None,
                    };
                    (name.clone(), field_schema.map_or(Json::Null, |s| write(names, s, ns, v)))
                })
                .collect();
            Json::Object(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::AvroSchema;

    fn schema(text: &str) -> AvroSchema {
        AvroSchema::parse(text).expect("valid schema")
    }

    fn read(schema: &AvroSchema, json: &str) -> Result<Value, DatumError> {
        schema.datum_from_json(&serde_json::from_str(json).expect("JSON"))
    }

    const ORDER: &str = r#"{"type": "record", "name": "Order", "namespace": "shop", "fields": [
        {"name": "id", "type": "long"},
        {"name": "email", "type": ["null", "string"], "default": null},
        {"name": "tags", "type": {"type": "map", "values": "int"}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "raw", "type": "bytes"},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
    ]}"#;

    #[test]
    fn a_record_in_avro_json_becomes_a_datum_and_back() {
        let s = schema(ORDER);
        let json = r#"{"id": 7, "email": {"string": "a@b.c"}, "tags": {"x": 1}, "status": "PAID",
                       "raw": "\u0000\u00ff", "at": 1700000000000}"#;
        let datum = read(&s, json).expect("conforms");
        let Value::Record(fields) = &datum else { panic!("a record") };
        assert_eq!(fields[1].1, Value::Union(1, Box::new(Value::String("a@b.c".into()))));
        assert_eq!(fields[3].1, Value::Enum(1, "PAID".into()));
        assert_eq!(fields[4].1, Value::Bytes(vec![0, 255]));
        assert_eq!(fields[5].1, Value::TimestampMillis(1_700_000_000_000));
        let back = s.datum_to_json(&datum);
        assert_eq!(back, serde_json::from_str::<Json>(json).unwrap(), "the JSON encoding round-trips");
    }

    #[test]
    fn values_that_do_not_conform_say_where_and_why() {
        let s = schema(ORDER);
        let base = r#""tags": {}, "status": "NEW", "raw": "", "at": 0"#;
        let bare = read(&s, &format!(r#"{{"id": 1, "email": "a@b.c", {base}}}"#)).unwrap_err();
        assert_eq!(bare.path, "email");
        assert!(bare.message.contains(r#"{"string": ...}"#), "{bare}");
        let missing = read(&s, &format!(r#"{{"email": null, {base}}}"#)).unwrap_err();
        assert_eq!((missing.path.as_str(), missing.message.contains("missing")), ("id", true));
        let extra = read(&s, &format!(r#"{{"id": 1, "email": null, "emial": 1, {base}}}"#)).unwrap_err();
        assert!(extra.message.contains("no field `emial`"), "{extra}");
        let symbol = read(&s, r#"{"id": 1, "email": null, "tags": {}, "status": "LOST", "raw": "", "at": 0}"#);
        assert!(symbol.unwrap_err().message.contains("not a symbol"));
        let map_value =
            read(&s, r#"{"id": 1, "email": null, "tags": {"k": "v"}, "status": "NEW", "raw": "", "at": 0}"#);
        assert_eq!(map_value.unwrap_err().path, "tags[\"k\"]");
        let int = read(&schema(r#""int""#), "3000000000").unwrap_err();
        assert!(int.message.contains("32 bits"), "{int}");
        let bytes = read(&schema(r#""bytes""#), r#""ā""#).unwrap_err();
        assert!(bytes.message.contains("\\u00ff"), "{bytes}");
    }

    #[test]
    fn named_union_branches_go_by_their_full_name() {
        let s = schema(
            r#"{"type": "record", "name": "R", "namespace": "ns", "fields": [{"name": "a", "type":
                ["null", {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}]}]}"#,
        );
        let datum = read(&s, r#"{"a": {"ns.Inner": {"x": 1}}}"#).expect("full name");
        assert_eq!(s.datum_to_json(&datum).to_string(), r#"{"a":{"ns.Inner":{"x":1}}}"#);
        assert!(read(&s, r#"{"a": {"Inner": {"x": 1}}}"#).unwrap_err().message.contains("ns.Inner"));
    }
}

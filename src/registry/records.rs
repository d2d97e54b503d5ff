//! The records the registry keeps in `_schemas`: JSON keys and values as
//! Confluent's `SchemaRegistryKeyType`, `SchemaKey`, `SchemaValue`,
//! `ConfigKey` and `ConfigValue` write them.
//!
//! - `{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}` →
//!   `{"subject":"orders-value","version":1,"id":1,"schema":"...","deleted":false}`
//! - `{"keytype":"CONFIG","subject":"orders-value","magic":0}` →
//!   `{"compatibilityLevel":"FULL"}`
//! - `{"keytype":"NOOP","magic":0}` → null: written by a starting registry to
//!   learn the topic's last offset, then read back.
//!
//! The topic is compacted: the latest value per key is the state.

use serde_json::json;

use super::compatibility::CompatibilityLevel;

/// One record of `_schemas`, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreRecord {
    Schema(SchemaValue),
    Config {
        subject: String,
        level: CompatibilityLevel,
    },
    Noop,
    /// A key this registry does not use (or a value it cannot read).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaValue {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    pub schema: String,
    pub deleted: bool,
}

pub fn schema_key(subject: &str, version: u32) -> Vec<u8> {
    json!({"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1}).to_string().into_bytes()
}

pub fn schema_value(value: &SchemaValue) -> Vec<u8> {
    json!({
        "subject": value.subject,
        "version": value.version,
        "id": value.id,
        "schema": value.schema,
        "deleted": value.deleted,
    })
    .to_string()
    .into_bytes()
}

pub fn config_key(subject: &str) -> Vec<u8> {
    json!({"keytype": "CONFIG", "subject": subject, "magic": 0}).to_string().into_bytes()
}

pub fn config_value(level: CompatibilityLevel) -> Vec<u8> {
    json!({"compatibilityLevel": level.name()}).to_string().into_bytes()
}

pub fn noop_key() -> Vec<u8> {
    json!({"keytype": "NOOP", "magic": 0}).to_string().into_bytes()
}

/// Reads a record of `_schemas`.
pub fn parse(key: Option<&[u8]>, value: Option<&[u8]>) -> StoreRecord {
    let Some(key) = key.and_then(|k| serde_json::from_slice::<serde_json::Value>(k).ok()) else {
        return StoreRecord::Other;
    };
    let value = value.and_then(|v| serde_json::from_slice::<serde_json::Value>(v).ok());
    match key["keytype"].as_str() {
        Some("NOOP") => StoreRecord::Noop,
        Some("SCHEMA") => {
            let Some(v) = value else { return StoreRecord::Other };
            let number = |field: &str| v[field].as_u64().and_then(|n| u32::try_from(n).ok());
            match (v["subject"].as_str(), number("version"), number("id"), v["schema"].as_str()) {
                (Some(subject), Some(version), Some(id), Some(schema)) => StoreRecord::Schema(SchemaValue {
                    subject: subject.to_string(),
                    version,
                    id,
                    schema: schema.to_string(),
                    deleted: v["deleted"].as_bool().unwrap_or(false),
                }),
                _ => StoreRecord::Other,
            }
        }
        Some("CONFIG") => {
            let subject = key["subject"].as_str().unwrap_or_default().to_string();
            match value.as_ref().and_then(|v| v["compatibilityLevel"].as_str()).and_then(|l| l.parse().ok()) {
                Some(level) => StoreRecord::Config { subject, level },
                None => StoreRecord::Other,
            }
        }
        _ => StoreRecord::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_read_as_confluent_writes_them() {
        assert_eq!(
            String::from_utf8(schema_key("orders-value", 1)).unwrap(),
            r#"{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}"#
        );
        let value = SchemaValue {
            subject: "orders-value".into(),
            version: 1,
            id: 3,
            schema: "\"string\"".into(),
            deleted: false,
        };
        assert_eq!(
            String::from_utf8(schema_value(&value)).unwrap(),
            r#"{"subject":"orders-value","version":1,"id":3,"schema":"\"string\"","deleted":false}"#
        );
        assert_eq!(
            parse(Some(&schema_key("orders-value", 1)), Some(&schema_value(&value))),
            StoreRecord::Schema(value)
        );
        assert_eq!(
            parse(Some(&config_key("s")), Some(&config_value(CompatibilityLevel::Full))),
            StoreRecord::Config { subject: "s".into(), level: CompatibilityLevel::Full }
        );
        assert_eq!(parse(Some(&noop_key()), None), StoreRecord::Noop);
        assert_eq!(parse(Some(b"not json"), None), StoreRecord::Other);
        assert_eq!(parse(Some(&schema_key("s", 1)), None), StoreRecord::Other, "a tombstone");
    }
}

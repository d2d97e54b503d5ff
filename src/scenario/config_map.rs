//! A `config:` map in a scenario: Kafka config names to values, each with its
//! location in the file so a bad name or value can be pointed at.

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

use crate::config::{ConfigValue, Kind, Scope};

/// Which config table a map belongs to, at the type level, so each `config:`
/// gets its own JSON Schema (and editors complete the right names).
pub trait ScopeMarker {
    const SCOPE: Scope;
}

macro_rules! scope_marker {
    ($marker:ident, $alias:ident, $scope:expr) => {
        #[derive(Debug, Clone, Copy)]
        pub struct $marker;
        impl ScopeMarker for $marker {
            const SCOPE: Scope = $scope;
        }
        pub type $alias = ConfigMap<$marker>;
    };
}

scope_marker!(TopicScope, TopicConfigMap, Scope::Topic);
scope_marker!(BrokerScope, BrokerConfigMap, Scope::Broker);
scope_marker!(ProducerScope, ProducerConfigMap, Scope::Producer);
scope_marker!(ConsumerScope, ConsumerConfigMap, Scope::Consumer);
scope_marker!(StreamsScope, StreamsConfigMap, Scope::Streams);

/// Config entries in file order, with locations.
#[derive(Debug)]
pub struct ConfigMap<S> {
    pub entries: Vec<(Spanned<String>, Spanned<ConfigValue>)>,
    scope: PhantomData<S>,
}

impl<'de, S> Deserialize<'de> for ConfigMap<S> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<S>(PhantomData<S>);
        impl<'de, S> Visitor<'de> for MapVisitor<S> {
            type Value = ConfigMap<S>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of Kafka config names to values, like `acks: all`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConfigMap<S>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = map.next_value::<Spanned<ConfigValue>>()?;
                    entries.push((key, value));
                }
                Ok(ConfigMap { entries, scope: PhantomData })
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

fn kind_schema(kind: Kind) -> serde_json::Value {
    match kind {
        Kind::Int { min, max } => serde_json::json!({ "type": "integer", "minimum": min, "maximum": max }),
        Kind::Millis { .. } => serde_json::json!({ "type": ["integer", "string"] }),
        Kind::Bool => serde_json::json!({ "type": "boolean" }),
        Kind::Ratio => serde_json::json!({ "type": "number", "minimum": 0, "maximum": 1 }),
        Kind::Enum(options) => {
            let mut values: Vec<serde_json::Value> = options.iter().map(|o| serde_json::json!(o)).collect();
            values.extend(options.iter().filter_map(|o| o.parse::<i64>().ok()).map(|n| serde_json::json!(n)));
            serde_json::json!({ "enum": values })
        }
        Kind::List(options) => serde_json::json!({
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "enum": options } }
            ]
        }),
        Kind::Text => serde_json::json!({ "type": "string" }),
    }
}

impl<S: ScopeMarker> JsonSchema for ConfigMap<S> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}Config", capitalise(S::SCOPE.label())).into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut properties = serde_json::Map::new();
        for def in S::SCOPE.all_defs().filter(|d| d.modelled) {
            let mut schema = kind_schema(def.kind);
            schema["description"] = serde_json::json!(format!("{} Default: {}.", def.doc, def.default));
            properties.insert(def.name.to_string(), schema);
        }
        schemars::json_schema!({
            "type": "object",
            "description": format!("Kafka {} configs, by Kafka's names.", S::SCOPE.label()),
            "properties": properties,
            "additionalProperties": false
        })
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

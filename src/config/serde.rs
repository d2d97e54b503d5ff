//! Confluent's Avro serializer and deserializer configs
//! (`AbstractKafkaSchemaSerDeConfig`, `KafkaAvroDeserializerConfig`), set in
//! a producer's or consumer's `config:` as a Java application sets them in
//! the same properties as the client's.

use super::{ConfigDef, ConfigValue, Kind};

/// How the serializer names the subject a schema is registered under.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubjectNameStrategy {
    /// `<topic>-key` / `<topic>-value` (the default).
    #[default]
    TopicNameStrategy,
    /// The record's full name, whatever the topic.
    RecordNameStrategy,
    /// `<topic>-<record full name>`.
    TopicRecordNameStrategy,
}

impl SubjectNameStrategy {
    /// The subject for a schema written to `topic`.
    pub fn subject(self, topic: &str, is_key: bool, record_name: &str) -> String {
        match self {
            SubjectNameStrategy::TopicNameStrategy => {
                format!("{topic}-{}", if is_key { "key" } else { "value" })
            }
            SubjectNameStrategy::RecordNameStrategy => record_name.to_string(),
            SubjectNameStrategy::TopicRecordNameStrategy => format!("{topic}-{record_name}"),
        }
    }

    fn parse(text: &str) -> SubjectNameStrategy {
        match text.rsplit('.').next().unwrap_or(text) {
            "RecordNameStrategy" => SubjectNameStrategy::RecordNameStrategy,
            "TopicRecordNameStrategy" => SubjectNameStrategy::TopicRecordNameStrategy,
            _ => SubjectNameStrategy::TopicNameStrategy,
        }
    }
}

const STRATEGIES: &[&str] = &[
    "TopicNameStrategy",
    "RecordNameStrategy",
    "TopicRecordNameStrategy",
    "io.confluent.kafka.serializers.subject.TopicNameStrategy",
    "io.confluent.kafka.serializers.subject.RecordNameStrategy",
    "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
];

const AUTO_REGISTER: ConfigDef = ConfigDef::modelled(
    "auto.register.schemas",
    Kind::Bool,
    "true",
    "KafkaAvroSerializer: register the record's schema on first use; false looks it up and fails if it is not registered.",
);
const USE_LATEST_PRODUCER: ConfigDef = ConfigDef::modelled(
    "use.latest.version",
    Kind::Bool,
    "false",
    "KafkaAvroSerializer: write with the subject's latest registered schema instead of registering the record's (with auto.register.schemas=false).",
);
const LATEST_STRICT: ConfigDef = ConfigDef::modelled(
    "latest.compatibility.strict",
    Kind::Bool,
    "true",
    "KafkaAvroSerializer with use.latest.version: the latest schema must be able to read the record's schema.",
);
const KEY_STRATEGY: ConfigDef = ConfigDef::modelled(
    "key.subject.name.strategy",
    Kind::Enum(STRATEGIES),
    "TopicNameStrategy",
    "Avro serializer/deserializer: the subject of a key schema: `<topic>-key`, the record name, or `<topic>-<record name>`.",
);
const VALUE_STRATEGY: ConfigDef = ConfigDef::modelled(
    "value.subject.name.strategy",
    Kind::Enum(STRATEGIES),
    "TopicNameStrategy",
    "Avro serializer/deserializer: the subject of a value schema: `<topic>-value`, the record name, or `<topic>-<record name>`.",
);
const REGISTRY_URL: ConfigDef = ConfigDef::unmodelled(
    "schema.registry.url",
    Kind::Text,
    "",
    "The simulator connects Avro serializers and deserializers to the scenario's schema_registry.",
);
const SPECIFIC_READER: ConfigDef = ConfigDef::modelled(
    "specific.avro.reader",
    Kind::Bool,
    "false",
    "KafkaAvroDeserializer: read into the application's own (specific) class, resolving the writer's schema against the consumer's value_schema; false returns a GenericRecord in the writer's schema.",
);
const USE_LATEST_CONSUMER: ConfigDef = ConfigDef::modelled(
    "use.latest.version",
    Kind::Bool,
    "false",
    "KafkaAvroDeserializer: read with the subject's latest registered schema as the reader schema.",
);

/// The Avro serializer's configs, accepted in a producer's `config:`.
pub const PRODUCER_DEFS: &[ConfigDef] =
    &[AUTO_REGISTER, USE_LATEST_PRODUCER, LATEST_STRICT, KEY_STRATEGY, VALUE_STRATEGY, REGISTRY_URL];

/// The Avro deserializer's configs, accepted in a consumer's `config:`.
pub const CONSUMER_DEFS: &[ConfigDef] =
    &[SPECIFIC_READER, USE_LATEST_CONSUMER, KEY_STRATEGY, VALUE_STRATEGY, REGISTRY_URL];

/// The Avro serde settings of one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerdeConfig {
    pub auto_register_schemas: bool,
    pub use_latest_version: bool,
    pub latest_compatibility_strict: bool,
    pub key_subject_name_strategy: SubjectNameStrategy,
    pub value_subject_name_strategy: SubjectNameStrategy,
    pub specific_avro_reader: bool,
    /// Some serde config was set (they only mean something to an Avro client).
    pub any_set: bool,
}

impl Default for SerdeConfig {
    fn default() -> Self {
        SerdeConfig {
            auto_register_schemas: true,
            use_latest_version: false,
            latest_compatibility_strict: true,
            key_subject_name_strategy: SubjectNameStrategy::TopicNameStrategy,
            value_subject_name_strategy: SubjectNameStrategy::TopicNameStrategy,
            specific_avro_reader: false,
            any_set: false,
        }
    }
}

impl SerdeConfig {
    /// Applies one serde config; `None` if `name` is not one.
    pub fn set(&mut self, name: &str, value: &ConfigValue) -> Option<()> {
        match name {
            "auto.register.schemas" => self.auto_register_schemas = value.as_bool(),
            "use.latest.version" => self.use_latest_version = value.as_bool(),
            "latest.compatibility.strict" => self.latest_compatibility_strict = value.as_bool(),
            "key.subject.name.strategy" => {
                self.key_subject_name_strategy = SubjectNameStrategy::parse(&value.as_text());
            }
            "value.subject.name.strategy" => {
                self.value_subject_name_strategy = SubjectNameStrategy::parse(&value.as_text());
            }
            "specific.avro.reader" => self.specific_avro_reader = value.as_bool(),
            _ => return None,
        }
        self.any_set = true;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_follow_confluents_strategies() {
        let topic = SubjectNameStrategy::TopicNameStrategy;
        assert_eq!(topic.subject("orders", false, "shop.Order"), "orders-value");
        assert_eq!(topic.subject("orders", true, "shop.Order"), "orders-key");
        assert_eq!(SubjectNameStrategy::RecordNameStrategy.subject("orders", false, "shop.Order"), "shop.Order");
        assert_eq!(
            SubjectNameStrategy::TopicRecordNameStrategy.subject("orders", false, "shop.Order"),
            "orders-shop.Order"
        );
        assert_eq!(
            SubjectNameStrategy::parse("io.confluent.kafka.serializers.subject.RecordNameStrategy"),
            SubjectNameStrategy::RecordNameStrategy
        );
    }
}

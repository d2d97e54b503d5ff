//! Kafka's configuration, by Kafka's names and with Kafka 4.0's defaults.
//!
//! Each scope (topic, broker, producer, consumer) has a table of [`ConfigDef`]s:
//! the name, the default as Kafka documents it, what it means, and whether the
//! simulator models it. A scenario may only set configs from these tables; one
//! Kafka has but the simulator does not model yet is refused with a message
//! saying so, rather than silently ignored. The book's configuration chapter is
//! generated from the same tables, so it cannot drift from the code.

pub mod broker;
pub mod client_kind;
pub mod consumer;
pub mod network;
pub mod producer;
pub mod serde;
pub mod streams;
pub mod topic;
pub mod value;

use std::fmt;

pub use broker::BrokerConfig;
pub use client_kind::ClientKind;
pub use consumer::ConsumerConfig;
pub use producer::ProducerConfig;
pub use streams::StreamsConfig;
pub use topic::TopicConfig;
pub use value::ConfigValue;

/// Where a config is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Topic,
    Broker,
    Producer,
    Consumer,
    /// A Kafka Streams application (`StreamsConfig`).
    Streams,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::Topic => "topic",
            Scope::Broker => "broker",
            Scope::Producer => "producer",
            Scope::Consumer => "consumer",
            Scope::Streams => "streams",
        }
    }

    pub fn defs(self) -> &'static [ConfigDef] {
        match self {
            Scope::Topic => topic::DEFS,
            Scope::Broker => broker::DEFS,
            Scope::Producer => producer::DEFS,
            Scope::Consumer => consumer::DEFS,
            Scope::Streams => streams::DEFS,
        }
    }

    pub fn def(self, name: &str) -> Option<&'static ConfigDef> {
        self.all_defs().find(|d| d.name == name)
    }

    /// Confluent's Avro serializer (producers) and deserializer (consumers)
    /// configs, set in the same `config:` as the client's own.
    pub fn serde_defs(self) -> &'static [ConfigDef] {
        match self {
            Scope::Producer => serde::PRODUCER_DEFS,
            Scope::Consumer => serde::CONSUMER_DEFS,
            Scope::Topic | Scope::Broker | Scope::Streams => &[],
        }
    }

    /// The scope's configs, then its serde configs.
    pub fn all_defs(self) -> impl Iterator<Item = &'static ConfigDef> {
        self.defs().iter().chain(self.serde_defs())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What kind of value a config takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// An integer in `[min, max]`.
    Int {
        min: i64,
        max: i64,
    },
    /// Milliseconds, written as a number or as a duration like `1d`; `-1` allowed
    /// where `allow_unlimited` (meaning "forever").
    Millis {
        min: i64,
        allow_unlimited: bool,
    },
    Bool,
    /// A ratio in `[0, 1]`.
    Ratio,
    /// One of the listed words.
    Enum(&'static [&'static str]),
    /// A comma-separated list (or YAML list) of the listed words.
    List(&'static [&'static str]),
    /// Free text.
    Text,
}

/// One Kafka config the simulator knows.
#[derive(Clone, Copy, Debug)]
pub struct ConfigDef {
    pub name: &'static str,
    pub kind: Kind,
    /// The default as Kafka 4.0 documents it.
    pub default: &'static str,
    /// One sentence for students.
    pub doc: &'static str,
    /// `false`: Kafka has it, the simulator does not model it yet.
    pub modelled: bool,
    /// Accepted, but without effect in Kafka 4.0 as in the simulator: why.
    /// A scenario that sets it gets a note saying so.
    pub ignored: Option<&'static str>,
}

impl ConfigDef {
    pub const fn modelled(name: &'static str, kind: Kind, default: &'static str, doc: &'static str) -> Self {
        ConfigDef { name, kind, default, doc, modelled: true, ignored: None }
    }
    pub const fn unmodelled(name: &'static str, kind: Kind, default: &'static str, doc: &'static str) -> Self {
        ConfigDef { name, kind, default, doc, modelled: false, ignored: None }
    }
    /// A config Kafka 4.0 still accepts but no longer reads (a ZooKeeper-era
    /// setting, say): scenarios may set it, and are told it does nothing.
    pub const fn ignored(
        name: &'static str,
        kind: Kind,
        default: &'static str,
        doc: &'static str,
        why: &'static str,
    ) -> Self {
        ConfigDef { name, kind, default, doc, modelled: true, ignored: Some(why) }
    }

    /// Checks a value against this definition and normalises it (durations to
    /// milliseconds, lists to their words).
    pub fn parse(&self, value: &ConfigValue) -> Result<ConfigValue, String> {
        value::parse_for_kind(self.kind, value)
    }
}

/// Something that accepts configs of one scope by name.
pub trait Configurable {
    const SCOPE: Scope;
    /// Applies one already-parsed value. Names come from `Self::SCOPE.defs()`.
    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String>;
}

pub const INT_MAX: i64 = i32::MAX as i64;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every modelled config of a scope must be accepted by its typed struct with
    /// its documented default, so the tables and the code cannot drift apart.
    fn modelled_defaults_apply<T: Configurable>(mut target: T) {
        for def in T::SCOPE.all_defs().filter(|d| d.modelled) {
            let raw = def.default.split_whitespace().next().unwrap_or_default();
            let value = if def.kind == Kind::Bool {
                ConfigValue::Bool(raw == "true")
            } else {
                raw.parse::<i64>().map(ConfigValue::Int).unwrap_or(ConfigValue::Text(raw.to_string()))
            };
            let parsed = def.parse(&value).unwrap_or_else(|e| panic!("{}: default `{raw}` rejected: {e}", def.name));
            target.set(def.name, &parsed).unwrap_or_else(|e| panic!("{}: not applied: {e}", def.name));
        }
    }

    #[test]
    fn every_modelled_config_is_applied_by_its_struct() {
        modelled_defaults_apply(TopicConfig::default());
        modelled_defaults_apply(BrokerConfig::default());
        modelled_defaults_apply(ProducerConfig::default());
        modelled_defaults_apply(ConsumerConfig::default());
        modelled_defaults_apply(StreamsConfig::default());
    }

    #[test]
    fn applying_documented_defaults_changes_nothing() {
        let mut topic = TopicConfig::default();
        for def in Scope::Topic.defs().iter().filter(|d| d.modelled && d.kind != Kind::Text) {
            let raw = def.default.split_whitespace().next().unwrap_or_default();
            let value = match def.kind {
                Kind::Bool => ConfigValue::Bool(raw == "true"),
                Kind::Ratio => ConfigValue::Float(raw.parse().expect("ratio default")),
                _ => raw.parse::<i64>().map(ConfigValue::Int).unwrap_or(ConfigValue::Text(raw.to_string())),
            };
            topic.set(def.name, &def.parse(&value).expect("default parses")).expect("default applies");
        }
        assert_eq!(topic, TopicConfig::default(), "the table's defaults must equal the struct's");
    }

    #[test]
    fn names_are_unique_within_a_scope() {
        for scope in [Scope::Topic, Scope::Broker, Scope::Producer, Scope::Consumer, Scope::Streams] {
            let mut names: Vec<&str> = scope.all_defs().map(|d| d.name).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "duplicate config in {scope}");
        }
    }
}

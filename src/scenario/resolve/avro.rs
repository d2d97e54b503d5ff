//! Avro in a scenario: the Schema Registry and its `_schemas` topic, the
//! schemas producers write and consumers read with (files next to the
//! scenario, the course's built-in `schemas/…`, or written inline), the
//! serde configs, `evolve:` in the timeline and the registry expectations.

use std::path::Path;

use serde_saphyr::Spanned;

use super::Resolver;
use super::expectations::Checks;
use crate::avro::AvroSchema;
use crate::client::serde::{AvroSerdeDef, DeserializationErrorPolicy};
use crate::config::serde::SerdeConfig;
use crate::config::topic::CleanupPolicy;
use crate::config::{BrokerConfig, ConsumerConfig, ProducerConfig};
use crate::ids::TopicId;
use crate::registry::compatibility::CompatibilityLevel;
use crate::registry::{REGISTRY_HOST, RegistryConfig, SCHEMAS_TOPIC};
use crate::scenario::file::{
    ConsumerSpec, ErrorPolicySpec, EvolveSpec, ExpectSpec, FormatSpec, ScenarioFile, SchemaSpec,
};
use crate::scenario::{Action, Check, ClientRef, RegistryDef, Scenario, TopicDef, builtin};

/// Largest schema file read.
const MAX_SCHEMA_BYTES: usize = 1 << 20;

/// `kafkastore.topic.replication.factor`.
const SCHEMAS_REPLICATION_FACTOR: u32 = 3;

fn level(r: &mut Resolver<'_>, text: &Spanned<String>) -> CompatibilityLevel {
    text.value.parse().unwrap_or_else(|e: String| {
        r.error(text, e, Some("the registry's levels: BACKWARD, FORWARD, FULL (each maybe _TRANSITIVE), NONE".into()));
        CompatibilityLevel::default()
    })
}

/// The registry, and its `_schemas` topic appended to `topics`.
pub(crate) fn resolve_registry(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    brokers: u32,
    broker_config: &BrokerConfig,
    topics: &mut Vec<TopicDef>,
) -> Option<RegistryDef> {
    let spec = file.schema_registry.as_ref()?;
    if let Some(clash) = file.topics.iter().find(|t| t.name.value == SCHEMAS_TOPIC) {
        r.error(
            &clash.name,
            format!("`{SCHEMAS_TOPIC}` is the Schema Registry's own topic"),
            Some("the registry creates it (compacted, one partition); give your topic another name".into()),
        );
    }
    let mut config = RegistryConfig::default();
    if let Some(l) = &spec.compatibility {
        config.compatibility_level = level(r, l);
    }
    for (subject, l) in &spec.subjects {
        let parsed = level(r, l);
        config.subject_levels.push((subject.clone(), parsed));
    }
    // KafkaStore creates it: one partition, compacted, replicas min(brokers, 3).
    let mut topic_config = broker_config.topic_defaults;
    topic_config.cleanup_policy = CleanupPolicy { delete: false, compact: true };
    topics.push(TopicDef {
        name: SCHEMAS_TOPIC.to_string(),
        partitions: 1,
        replication_factor: SCHEMAS_REPLICATION_FACTOR.min(brokers).max(1),
        replicas: None,
        config: topic_config,
        internal: false,
    });
    Some(RegistryDef { config, schemas_topic: TopicId((topics.len() - 1) as u32) })
}

/// Reads a schema: a file next to the scenario (or a built-in one), or inline.
pub(crate) fn schema(r: &mut Resolver<'_>, spec: &Spanned<SchemaSpec>) -> Option<AvroSchema> {
    let (name, text) = match &spec.value {
        SchemaSpec::Inline(json) => ("the inline schema".to_string(), json.to_string()),
        SchemaSpec::File(path) => match read_schema_file(&r.source.name, path) {
            Ok(found) => found,
            Err(e) => {
                r.error(
                    spec,
                    e,
                    Some(
                        "give the path of an .avsc file relative to the scenario, e.g. `schemas/orders.avsc`, \
                          or write the schema inline as a mapping"
                            .into(),
                    ),
                );
                return None;
            }
        },
    };
    match AvroSchema::parse(&text) {
        Ok(schema) => Some(schema),
        Err(e) => {
            let message = match &spec.value {
                SchemaSpec::File(_) => e.located(&name, &text),
                SchemaSpec::Inline(_) => format!("{name}: {}", e.message),
            };
            r.error(spec, message, Some(e.help));
            None
        }
    }
}

fn read_schema_file(scenario: &str, path: &str) -> Result<(String, String), String> {
    let base = if scenario.ends_with(" (built-in)") { None } else { Path::new(scenario).parent() };
    if let Some(file) = base.map(|b| b.join(path)).filter(|f| f.is_file()) {
        let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if bytes.len() > MAX_SCHEMA_BYTES {
            return Err(format!(
                "{} is {} bytes; a schema file may have {MAX_SCHEMA_BYTES}",
                file.display(),
                bytes.len()
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", file.display()))?;
        return Ok((file.display().to_string(), text));
    }
    match builtin::schema_file(path) {
        Some(text) => Ok((format!("{path} (built-in)"), text.to_string())),
        None => Err(format!("no schema file `{path}` next to the scenario, and no built-in one")),
    }
}

fn no_registry<T>(r: &mut Resolver<'_>, file: &ScenarioFile, at: &Spanned<T>) {
    if file.schema_registry.is_none() {
        r.error(
            at,
            "Avro serializers need a Schema Registry, and this scenario has none",
            Some("add `schema_registry: {}` at the top level (it starts with the cluster)".into()),
        );
    }
}

/// Serde configs only mean something to a client that writes or reads Avro.
fn unused_serde_configs<T>(r: &mut Resolver<'_>, at: &Spanned<T>, config: &SerdeConfig, what: &str) {
    if config.any_set {
        r.error(
            at,
            format!("Avro serializer configs are set, but this {what} does not use Avro"),
            Some(match what {
                "producer" => "give it a `value_schema` (or `key_schema`), or remove the serializer configs".into(),
                _ => "give it `value_format: avro` (or `key_format: avro`), or remove the deserializer configs".into(),
            }),
        );
    }
}

pub(crate) fn producer(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    spec: &crate::scenario::file::ProducerSpec,
    config: &ProducerConfig,
) -> Option<AvroSerdeDef> {
    let value = spec.value_schema.as_ref().map(|s| schema(r, s));
    let key = spec.key_schema.as_ref().map(|s| schema(r, s));
    if value.is_none() && key.is_none() {
        unused_serde_configs(r, &spec.id, &config.serde, "producer");
        return None;
    }
    no_registry(r, file, spec.value_schema.as_ref().or(spec.key_schema.as_ref())?);
    // An unreadable schema was reported above; the scenario will not run.
    Some(AvroSerdeDef { key, value, config: config.serde, on_error: DeserializationErrorPolicy::Fail })
}

/// A consumer's Avro settings; `chain` is the consumer and those it is `like`.
pub(crate) fn consumer(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    chain: &[&ConsumerSpec],
    config: &ConsumerConfig,
) -> Option<AvroSerdeDef> {
    macro_rules! inherit {
        ($field:ident) => {
            chain.iter().find_map(|c| c.$field.as_ref())
        };
    }
    let spec = chain[0];
    let avro = |f: Option<&Spanned<FormatSpec>>| f.is_some_and(|f| f.value == FormatSpec::Avro);
    let (value_avro, key_avro) = (avro(inherit!(value_format)), avro(inherit!(key_format)));
    for (schema_spec, is_avro, which) in
        [(inherit!(value_schema), value_avro, "value"), (inherit!(key_schema), key_avro, "key")]
    {
        if let Some(s) = schema_spec {
            if !is_avro {
                r.error(
                    s,
                    format!("a {which} schema for a consumer that does not read Avro"),
                    Some(format!("add `{which}_format: avro`")),
                );
            } else if !config.serde.specific_avro_reader && !config.serde.use_latest_version {
                r.error(
                    s,
                    format!("KafkaAvroDeserializer reads with this {which} schema only with specific.avro.reader=true"),
                    Some(
                        "add `specific.avro.reader: true` to its config (the schema is its generated class); without \
                         it the deserializer returns a GenericRecord in the writer's schema"
                            .into(),
                    ),
                );
            }
        }
    }
    if !value_avro && !key_avro {
        unused_serde_configs(r, &spec.id, &config.serde, "consumer");
        if let Some(p) = inherit!(on_deserialization_error) {
            r.error(p, "only a consumer that reads Avro deserializes", Some("add `value_format: avro`".into()));
        }
        return None;
    }
    no_registry(r, file, &spec.id);
    let read = |r: &mut Resolver<'_>, s: Option<&Spanned<SchemaSpec>>| s.and_then(|s| schema(r, s));
    let value = value_avro.then(|| read(r, inherit!(value_schema)));
    let key = key_avro.then(|| read(r, inherit!(key_schema)));
    let on_error = match inherit!(on_deserialization_error).map(|p| p.value) {
        None | Some(ErrorPolicySpec::Fail) => DeserializationErrorPolicy::Fail,
        Some(ErrorPolicySpec::Skip) => DeserializationErrorPolicy::Skip,
        Some(ErrorPolicySpec::Retry) => DeserializationErrorPolicy::Retry,
    };
    Some(AvroSerdeDef { key, value, config: config.serde, on_error })
}

/// `evolve:` in the timeline.
pub(crate) fn evolve(r: &mut Resolver<'_>, scenario: &Scenario, spec: &EvolveSpec) -> Option<Action> {
    let Some(client) = scenario.client(&spec.client.value) else {
        let known = scenario.client_names();
        r.unknown(&spec.client, "client", &spec.client.value, &known);
        return None;
    };
    if !scenario.uses_registry(client) {
        r.error(
            &spec.client,
            format!("`{}` does not use Avro, so it has no schema to evolve", spec.client.value),
            Some("give it a `value_schema` (producer) or `value_format: avro` (consumer)".into()),
        );
        return None;
    }
    if spec.value_schema.is_none() && spec.key_schema.is_none() {
        r.error(&spec.client, "`evolve` needs a new `value_schema` or `key_schema`", None);
        return None;
    }
    let value = match (&spec.value, client) {
        (Some(v), ClientRef::Producer(_)) => Some(crate::client::workload::Template::parse_json(&v.value)),
        (Some(v), ClientRef::Consumer(_)) => {
            r.error(v, "a consumer has no value template", Some("remove `value:`".into()));
            None
        }
        (None, _) => None,
    };
    let value_schema = spec.value_schema.as_ref().and_then(|s| schema(r, s));
    let key_schema = spec.key_schema.as_ref().and_then(|s| schema(r, s));
    Some(Action::Evolve { client, value_schema, key_schema, value })
}

/// `kill`/`restart`/`cut` may name the registry.
pub(crate) fn is_registry_name(name: &str) -> bool {
    name == REGISTRY_HOST
}

/// The registry expectations of one `expect:` entry.
pub(super) fn expectations(checks: &mut Checks<'_, '_>, spec: &ExpectSpec) {
    for (subject, value) in spec.subject_versions.iter().flatten() {
        checks.any = true;
        if checks.scenario.registry.is_none() {
            no_registry_expectation(checks, value);
            continue;
        }
        checks.number(value, Check::SubjectVersions(subject.clone()), format!("versions of subject {subject}"));
    }
    for (client, value) in spec.registry_calls.iter().flatten() {
        checks.any = true;
        match checks.scenario.client(client) {
            Some(c) => checks.number(value, Check::RegistryCalls(c), format!("registry calls by {client}")),
            None => {
                let known = checks.scenario.client_names();
                checks.r.unknown(value, "client", client, &known);
            }
        }
    }
    for (consumer, value) in spec.deserialization_failures.iter().flatten() {
        checks.any = true;
        if let Some(c) = checks.consumer(consumer, value) {
            let check = Check::DeserializationFailures(c);
            checks.number(value, check, format!("RecordDeserializationExceptions of {consumer}"));
        }
    }
}

fn no_registry_expectation<T>(checks: &mut Checks<'_, '_>, at: &Spanned<T>) {
    checks.r.error(at, "this scenario has no Schema Registry", Some("add `schema_registry: {}`".into()));
}

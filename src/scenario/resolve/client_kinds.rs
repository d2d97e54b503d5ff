//! `client:` on producers and consumers: which library's defaults and
//! partitioner apply, and the settings only some libraries have.

use serde_saphyr::Spanned;

use super::Resolver;
use crate::config::{ClientKind, ConsumerConfig, ProducerConfig};
use crate::scenario::config_map::ProducerConfigMap;

/// The configs only librdkafka has.
const LIBRDKAFKA_ONLY: [&str; 2] = ["partitioner", "sticky.partitioning.linger.ms"];

/// The client kind a scenario names; an unknown name is reported with a
/// did-you-mean, and the Java client stands in for it.
pub(crate) fn kind(r: &mut Resolver<'_>, spec: Option<&Spanned<String>>) -> ClientKind {
    let Some(name) = spec else { return ClientKind::Java };
    name.value.parse().unwrap_or_else(|_| {
        let known: Vec<&str> = ClientKind::ALL.iter().map(|k| k.name()).collect();
        r.unknown(name, "client", &name.value, &known);
        ClientKind::Java
    })
}

/// A producer's configuration: its library's defaults, then the scenario's
/// `config:`, then what the library itself adjusts.
pub(crate) fn producer_config(
    r: &mut Resolver<'_>,
    client: ClientKind,
    map: Option<&ProducerConfigMap>,
) -> ProducerConfig {
    let mut config = client.producer_defaults();
    let Some(map) = map else { return config };
    super::configs::apply(r, map, &mut config);
    let set = |name: &str| map.entries.iter().find(|(k, _)| k.value == name).map(|(k, _)| k);
    for name in LIBRDKAFKA_ONLY {
        if let Some(key) = set(name)
            && client != ClientKind::Librdkafka
        {
            r.error(
                key,
                format!("`{name}` is a librdkafka setting, and this producer is {}", client.label()),
                Some("add `client: librdkafka` to the producer, or remove the setting".to_string()),
            );
        }
    }
    if config.enable_idempotence == Some(true) {
        match client {
            ClientKind::KafkaPython => {
                if let Some(key) = set("enable.idempotence") {
                    r.error(
                        key,
                        "kafka-python 2.0.2 has no idempotent producer",
                        Some("remove enable.idempotence, or use `client: java` or `client: librdkafka`".to_string()),
                    );
                }
                config.enable_idempotence = Some(false);
            }
            // CONFIGURATION.md, enable.idempotence: "max.in.flight.requests.per.connection=5
            // ... adjusted automatically (if not modified by the user)".
            ClientKind::Librdkafka if set("max.in.flight.requests.per.connection").is_none() => {
                config.max_in_flight_requests_per_connection = 5;
            }
            _ => {}
        }
    }
    config
}

/// A consumer's defaults, before its `config:` applies.
pub(crate) fn consumer_defaults(client: ClientKind) -> ConsumerConfig {
    client.consumer_defaults()
}

/// confluent-kafka's `Consumer()` raises `ValueError` without a `group.id`.
pub(crate) fn check_consumer_group(r: &mut Resolver<'_>, client: ClientKind, id: &Spanned<String>, in_group: bool) {
    if client.consumer_needs_group() && !in_group {
        r.error(
            id,
            format!("consumer `{}` is librdkafka (confluent-kafka) and has no group", id.value),
            Some("confluent-kafka's Consumer() refuses to start without group.id: add `group: NAME`".to_string()),
        );
    }
}

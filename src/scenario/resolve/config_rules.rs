//! Rules that tie two configs together, checked once every config of a
//! broker or consumer is known: what Kafka refuses at start-up, and what
//! would leave nothing able to work.

use serde_saphyr::Spanned;

use super::Resolver;
use crate::config::{BrokerConfig, ConfigValue, ConsumerConfig};
use crate::scenario::ConsumerDef;
use crate::scenario::config_map::ConfigMap;
use crate::scenario::file::ScenarioFile;

/// The entry of `name` in a config map, to point at.
fn entry<'m, S>(map: Option<&'m ConfigMap<S>>, name: &str) -> Option<&'m Spanned<ConfigValue>> {
    map?.entries.iter().rev().find(|(k, _)| k.value == name).map(|(_, v)| v)
}

/// The broker's `group.min.session.timeout.ms` / `group.max.session.timeout.ms`.
pub(crate) fn check_broker(r: &mut Resolver<'_>, file: &ScenarioFile, config: &BrokerConfig) {
    let map = file.broker_config.as_ref();
    let (min, max) = (config.group_min_session_timeout_ms, config.group_max_session_timeout_ms);
    if min > max {
        // The coordinator answers INVALID_SESSION_TIMEOUT to a JoinGroup whose
        // session timeout is outside [min, max] (GroupCoordinatorService.joinGroup):
        // with min above max, no consumer could ever join.
        let at = entry(map, "group.min.session.timeout.ms").or_else(|| entry(map, "group.max.session.timeout.ms"));
        if let Some(at) = at {
            r.error(
                at,
                format!("group.min.session.timeout.ms ({min}) is above group.max.session.timeout.ms ({max})"),
                Some(
                    "no consumer could join a group: the coordinator refuses every session timeout outside [min, max] with INVALID_SESSION_TIMEOUT"
                        .to_string(),
                ),
            );
        }
    }
}

/// A consumer in a group heartbeats more often than its session lasts, as
/// Kafka's `Heartbeat` constructor demands ("Heartbeat must be set lower
/// than the session timeout").
pub(crate) fn check_consumers(r: &mut Resolver<'_>, file: &ScenarioFile, consumers: &[ConsumerDef]) {
    for (spec, consumer) in file.consumers.iter().zip(consumers) {
        let ConsumerConfig { heartbeat_interval_ms, session_timeout_ms, .. } = consumer.config;
        if consumer.group.is_none() || heartbeat_interval_ms < session_timeout_ms {
            continue;
        }
        let map = spec.config.as_ref();
        // Copied with `like:`: reported where the copied consumer sets it.
        if let Some(at) = entry(map, "heartbeat.interval.ms").or_else(|| entry(map, "session.timeout.ms")) {
            r.error(
                at,
                format!(
                    "IllegalArgumentException: Heartbeat must be set lower than the session timeout (heartbeat.interval.ms {heartbeat_interval_ms}, session.timeout.ms {session_timeout_ms})"
                ),
                Some("Kafka's consumer refuses to start: make heartbeat.interval.ms smaller, usually a third of session.timeout.ms".to_string()),
            );
        }
    }
}

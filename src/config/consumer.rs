//! Consumer configs (`ConsumerConfig`), with Kafka 4.0's defaults.

use super::{ClientKind, ConfigDef, ConfigValue, Configurable, INT_MAX, Kind, Scope};
use crate::group::assignor::Strategy;
use crate::protocol::IsolationLevel;

/// The assignor names Kafka accepts in `partition.assignment.strategy`.
pub const ASSIGNORS: &[&str] = &[
    "range",
    "roundrobin",
    "sticky",
    "cooperative-sticky",
    "org.apache.kafka.clients.consumer.RangeAssignor",
    "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    "org.apache.kafka.clients.consumer.StickyAssignor",
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
];

pub const DEFS: &[ConfigDef] = &[
    ConfigDef::modelled(
        "auto.offset.reset",
        Kind::Enum(&["earliest", "latest", "none"]),
        "latest",
        "Where to start when there is no committed offset (or it is out of range): the log start, the end, or fail.",
    ),
    ConfigDef::modelled(
        "fetch.min.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "1",
        "A fetch waits at the broker until this many bytes are available (or fetch.max.wait.ms passes).",
    ),
    ConfigDef::modelled(
        "fetch.max.wait.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "500",
        "How long a fetch waits at the broker when there is nothing new (long poll).",
    ),
    ConfigDef::modelled(
        "max.partition.fetch.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "1048576",
        "Bytes per partition one fetch returns at most (at least one batch is always returned).",
    ),
    ConfigDef::modelled(
        "max.poll.records",
        Kind::Int { min: 1, max: INT_MAX },
        "500",
        "Records one poll() hands to the application at most.",
    ),
    ConfigDef::modelled(
        "request.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "30000",
        "How long the consumer waits for one request's answer.",
    ),
    ConfigDef::modelled(
        "retry.backoff.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "100",
        "Wait before retrying a failed request.",
    ),
    ConfigDef::modelled(
        "retry.backoff.max.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "1000",
        "Retries of the same request back off exponentially from retry.backoff.ms up to this (KIP-580).",
    ),
    ConfigDef::modelled(
        "client.id",
        Kind::Text,
        "consumer-GROUP-1",
        "Name of the client; the start of its member id in a group, whose members the assignors sort by member id. The Java client's default is the same in every process (consumer-GROUP-1, or consumer-GROUP-INSTANCE with group.instance.id), so its members sort by the random UUID the coordinator appends.",
    ),
    ConfigDef::modelled(
        "enable.auto.commit",
        Kind::Bool,
        "true",
        "Commit the positions of the previous poll() every auto.commit.interval.ms, inside poll().",
    ),
    ConfigDef::modelled(
        "auto.commit.interval.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "5000",
        "How often auto-commit commits the consumer's positions.",
    ),
    ConfigDef::modelled(
        "session.timeout.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "45000",
        "The coordinator removes a member it has not heard a heartbeat from for this long (a crashed consumer).",
    ),
    ConfigDef::modelled(
        "heartbeat.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "3000",
        "How often the consumer heartbeats to its group coordinator; a rebalance is noticed at the next heartbeat.",
    ),
    ConfigDef::modelled(
        "max.poll.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "300000",
        "A consumer that does not call poll() for this long leaves its group; it is also the rebalance timeout.",
    ),
    ConfigDef::modelled(
        "partition.assignment.strategy",
        Kind::List(ASSIGNORS),
        "range,cooperative-sticky",
        "Assignors in order of preference; the group uses the first every member supports. Range alone makes rebalances eager.",
    ),
    ConfigDef::modelled(
        "isolation.level",
        Kind::Enum(&["read_uncommitted", "read_committed"]),
        "read_uncommitted",
        "read_committed reads only up to the last stable offset and drops records of aborted transactions; transaction markers are never returned.",
    ),
    ConfigDef::modelled(
        "group.id",
        Kind::Text,
        "null",
        "The consumer group it joins; the same as the consumer's `group:` key. Without one it reads the partitions it is given.",
    ),
    ConfigDef::modelled(
        "group.instance.id",
        Kind::Text,
        "null",
        "Static membership: a consumer restarting with the same id within session.timeout.ms gets its partitions back without a rebalance.",
    ),
    super::network::RECONNECT_BACKOFF_MS,
    super::network::RECONNECT_BACKOFF_MAX_MS,
    super::network::SOCKET_CONNECTION_SETUP_TIMEOUT_MS,
    super::network::SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS,
    ConfigDef::unmodelled(
        "group.protocol",
        Kind::Enum(&["classic", "consumer"]),
        "classic",
        "KIP-848 consumer protocol.",
    ),
    ConfigDef::unmodelled("fetch.max.bytes", Kind::Int { min: 0, max: INT_MAX }, "52428800", "Bytes per fetch."),
    ConfigDef::unmodelled("client.rack", Kind::Text, "", "Rack-aware assignment and follower fetching."),
    ConfigDef::unmodelled(
        "default.api.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "60000",
        "Blocking API timeout.",
    ),
    ConfigDef::unmodelled("key.deserializer", Kind::Text, "", "Deserializers: the simulator reads bytes."),
    ConfigDef::unmodelled("value.deserializer", Kind::Text, "", "Deserializers: the simulator reads bytes."),
    ConfigDef::unmodelled("bootstrap.servers", Kind::Text, "", "The simulator connects clients to every broker."),
    ConfigDef::unmodelled("allow.auto.create.topics", Kind::Bool, "true", "Create topics on subscribe."),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// The typed consumer configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerConfig {
    /// The client library, which chose the defaults.
    pub client: ClientKind,
    pub auto_offset_reset: OffsetReset,
    pub fetch_min_bytes: u64,
    pub fetch_max_wait_ms: u64,
    pub max_partition_fetch_bytes: u64,
    pub max_poll_records: u32,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    pub client_id: Option<String>,
    pub enable_auto_commit: Option<bool>,
    pub auto_commit_interval_ms: u64,
    pub session_timeout_ms: u64,
    pub heartbeat_interval_ms: u64,
    pub max_poll_interval_ms: u64,
    pub partition_assignment_strategy: Vec<Strategy>,
    pub group_instance_id: Option<String>,
    /// `group.id` given as a config (the scenario loader folds it into the
    /// consumer's group).
    pub group_id: Option<String>,
    pub isolation_level: IsolationLevel,
    /// Reconnect backoff and connection set-up timeout.
    pub network: super::network::ClientNetworkConfig,
    /// Confluent's Avro deserializer settings (used when the consumer reads Avro).
    pub serde: super::serde::SerdeConfig,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            client: ClientKind::Java,
            auto_offset_reset: OffsetReset::Latest,
            fetch_min_bytes: 1,
            fetch_max_wait_ms: 500,
            max_partition_fetch_bytes: 1_048_576,
            max_poll_records: 500,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            client_id: None,
            enable_auto_commit: None,
            auto_commit_interval_ms: 5_000,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            partition_assignment_strategy: vec![Strategy::Range, Strategy::CooperativeSticky],
            group_instance_id: None,
            group_id: None,
            isolation_level: IsolationLevel::ReadUncommitted,
            network: Default::default(),
            serde: super::serde::SerdeConfig::default(),
        }
    }
}

impl ConsumerConfig {
    /// `client.id`, or the Java client's default when it is unset or empty
    /// (`ConsumerConfig.maybeOverrideClientId`): `consumer-<group.id>-<n>`,
    /// where `n` is `group.instance.id` when set, else a counter each process
    /// starts at 1 (`CONSUMER_CLIENT_ID_SEQUENCE`). Every consumer of a
    /// scenario is a process of its own, so it is 1 for all of them: the
    /// members of a group share their client id, and their member ids differ
    /// only in the UUID the coordinator appends. A missing group prints as
    /// `null`, as Java's `String.format` does. kafka-python and librdkafka
    /// name every consumer alike (`ClientKind::default_consumer_client_id`).
    pub fn client_id_or_default(&self, group: Option<&str>) -> String {
        match self.client_id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => self.client.default_consumer_client_id().unwrap_or_else(|| {
                format!("consumer-{}-{}", group.unwrap_or("null"), self.group_instance_id.as_deref().unwrap_or("1"))
            }),
        }
    }
}

impl Configurable for ConsumerConfig {
    const SCOPE: Scope = Scope::Consumer;

    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String> {
        let n = value.as_i64();
        match name {
            "auto.offset.reset" => {
                self.auto_offset_reset = match value.as_text().as_str() {
                    "earliest" => OffsetReset::Earliest,
                    "none" => OffsetReset::None,
                    _ => OffsetReset::Latest,
                }
            }
            "fetch.min.bytes" => self.fetch_min_bytes = n as u64,
            "fetch.max.wait.ms" => self.fetch_max_wait_ms = n as u64,
            "max.partition.fetch.bytes" => self.max_partition_fetch_bytes = n as u64,
            "max.poll.records" => self.max_poll_records = n as u32,
            "request.timeout.ms" => self.request_timeout_ms = n as u64,
            "retry.backoff.ms" => self.retry_backoff_ms = n as u64,
            "retry.backoff.max.ms" => self.retry_backoff_max_ms = n as u64,
            "client.id" => self.client_id = Some(value.as_text()),
            "enable.auto.commit" => self.enable_auto_commit = Some(value.as_bool()),
            "auto.commit.interval.ms" => self.auto_commit_interval_ms = n as u64,
            "session.timeout.ms" => self.session_timeout_ms = n as u64,
            "heartbeat.interval.ms" => self.heartbeat_interval_ms = n as u64,
            "max.poll.interval.ms" => self.max_poll_interval_ms = n as u64,
            "partition.assignment.strategy" => {
                self.partition_assignment_strategy = value
                    .as_list()
                    .iter()
                    .map(|name| name.parse::<Strategy>().map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
            }
            "group.instance.id" => self.group_instance_id = Some(value.as_text()),
            "group.id" => self.group_id = Some(value.as_text()),
            "isolation.level" => {
                self.isolation_level = match value.as_text().as_str() {
                    "read_committed" => IsolationLevel::ReadCommitted,
                    _ => IsolationLevel::ReadUncommitted,
                }
            }
            other if self.network.set(other, value) => {}
            other => {
                self.serde.set(other, value).ok_or_else(|| format!("`{other}` is not a modelled consumer config"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ConsumerConfigTest.testOverrideClientId`, with the form
    /// `maybeOverrideClientId` gives it.
    #[test]
    fn an_unset_client_id_gets_the_java_default() {
        let config = ConsumerConfig::default();
        assert_eq!(config.client_id_or_default(Some("test-group")), "consumer-test-group-1");
        assert_eq!(config.client_id_or_default(None), "consumer-null-1");
        let empty = ConsumerConfig { client_id: Some(String::new()), ..ConsumerConfig::default() };
        assert_eq!(empty.client_id_or_default(Some("g")), "consumer-g-1", "empty counts as unset");
        let static_member = ConsumerConfig { group_instance_id: Some("pos-2".into()), ..ConsumerConfig::default() };
        assert_eq!(static_member.client_id_or_default(Some("g")), "consumer-g-pos-2");
        let named = ConsumerConfig { client_id: Some("billing".into()), ..ConsumerConfig::default() };
        assert_eq!(named.client_id_or_default(Some("g")), "billing");
    }
}

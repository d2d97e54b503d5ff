//! Which client library a producer or consumer is: Kafka's Java client (the
//! default), kafka-python, or librdkafka (the C library under
//! confluent-kafka for Python, Go and .NET). The kind selects that library's
//! defaults and its partitioner; scenarios still write every config by
//! Kafka's name (`auto.offset.reset`, not kafka-python's `auto_offset_reset`),
//! so one scenario can mix clients without learning three spellings.
//!
//! Every default below names where it comes from:
//! - Java 4.0: `ProducerConfig`, `ConsumerConfig`, `CommonClientConfigs`
//!   (the tables in `producer.rs` and `consumer.rs`).
//! - kafka-python 2.0.2: `KafkaProducer.DEFAULT_CONFIG`
//!   (kafka/producer/kafka.py) and `KafkaConsumer.DEFAULT_CONFIG`
//!   (kafka/consumer/group.py) at tag 2.0.2. That is the 2.x release courses
//!   of the ZooKeeper era install; 2.1–2.3 added `enable_idempotence`
//!   (off) and `delivery_timeout_ms`, and 3.0 copies Java's acks=all and
//!   idempotence.
//! - librdkafka 2.x: `CONFIGURATION.md` and `src/rdkafka_conf.c` (v2.15).
//!
//! Simplification: kafka-python 2.0.2 expires a batch that waited
//! `request_timeout_ms` in its accumulator and has no `delivery.timeout.ms`;
//! kafkasim gives it a delivery timeout equal to that request timeout.
//! librdkafka's `batch.num.messages` (10 000), its background auto-commit
//! of offsets stored as each message is handed out, and its default
//! `isolation.level=read_committed` (no transactions are modelled) are not
//! modelled.

use std::fmt;
use std::str::FromStr;

use super::network::ClientNetworkConfig;
use super::{ConsumerConfig, ProducerConfig};
use crate::group::assignor::Strategy;
use crate::protocol::Acks;

/// The client library of a producer or consumer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClientKind {
    /// Apache Kafka's Java client, 4.0.
    #[default]
    Java,
    /// kafka-python 2.0.2 (pure Python).
    KafkaPython,
    /// librdkafka 2.x, also inside confluent-kafka.
    Librdkafka,
}

/// The kafka-python release modelled; its consumers' default `client_id` is
/// `'kafka-python-' + __version__`.
pub const KAFKA_PYTHON_VERSION: &str = "2.0.2";

impl ClientKind {
    pub const ALL: [ClientKind; 3] = [ClientKind::Java, ClientKind::KafkaPython, ClientKind::Librdkafka];

    /// The name a scenario writes after `client:`.
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Java => "java",
            ClientKind::KafkaPython => "kafka-python",
            ClientKind::Librdkafka => "librdkafka",
        }
    }

    /// What narration calls it.
    pub fn label(self) -> &'static str {
        match self {
            ClientKind::Java => "the Java client",
            ClientKind::KafkaPython => "kafka-python 2.0.2",
            ClientKind::Librdkafka => "librdkafka",
        }
    }

    /// The producer's configuration before the scenario's `config:` applies.
    pub fn producer_defaults(self) -> ProducerConfig {
        let java = ProducerConfig::default();
        match self {
            ClientKind::Java => java,
            // kafka-python 2.0.2 KafkaProducer.DEFAULT_CONFIG.
            ClientKind::KafkaPython => ProducerConfig {
                client: self,
                acks: Acks::Leader,                       // 'acks': 1
                enable_idempotence: Some(false),          // no idempotent producer in 2.0.2
                retries: 0,                               // 'retries': 0
                delivery_timeout_ms: 30_000,              // batches expire after request_timeout_ms
                request_timeout_ms: 30_000,               // 'request_timeout_ms': 30000
                retry_backoff_ms: 100,                    // 'retry_backoff_ms': 100
                retry_backoff_max_ms: 100,                // no exponential retry backoff
                linger_ms: 0,                             // 'linger_ms': 0
                batch_size: 16_384,                       // 'batch_size': 16384
                max_in_flight_requests_per_connection: 5, // 'max_in_flight_requests_per_connection': 5
                metadata_max_age_ms: 300_000,             // 'metadata_max_age_ms': 300000
                network: ClientNetworkConfig {
                    reconnect_backoff_ms: 50,        // 'reconnect_backoff_ms': 50
                    reconnect_backoff_max_ms: 1_000, // 'reconnect_backoff_max_ms': 1000
                    // conn.py gives up a dial after request_timeout_ms, without growth.
                    socket_connection_setup_timeout_ms: 30_000,
                    socket_connection_setup_timeout_max_ms: 30_000,
                    ..ClientNetworkConfig::default()
                },
                ..java
            },
            // librdkafka CONFIGURATION.md.
            ClientKind::Librdkafka => ProducerConfig {
                client: self,
                acks: Acks::All,                                  // acks (request.required.acks): -1
                enable_idempotence: Some(false),                  // enable.idempotence: false
                retries: i32::MAX as u32,                         // retries (message.send.max.retries): 2147483647
                delivery_timeout_ms: 300_000,                     // message.timeout.ms: 300000
                request_timeout_ms: 60_000, // socket.timeout.ms: 60000 (request.timeout.ms is the broker's)
                retry_backoff_ms: 100,      // retry.backoff.ms: 100
                retry_backoff_max_ms: 1_000, // retry.backoff.max.ms: 1000
                linger_ms: 5,               // linger.ms (queue.buffering.max.ms): 5
                batch_size: 1_000_000,      // batch.size: 1000000
                max_in_flight_requests_per_connection: 1_000_000, // max.in.flight: 1000000
                metadata_max_age_ms: 300_000, // topic.metadata.refresh.interval.ms: 300000
                network: ClientNetworkConfig {
                    reconnect_backoff_ms: 100,        // reconnect.backoff.ms: 100
                    reconnect_backoff_max_ms: 10_000, // reconnect.backoff.max.ms: 10000
                    // socket.connection.setup.timeout.ms: 30000, with no growth.
                    socket_connection_setup_timeout_ms: 30_000,
                    socket_connection_setup_timeout_max_ms: 30_000,
                    ..ClientNetworkConfig::default()
                },
                ..java
            },
        }
    }

    /// The consumer's configuration before the scenario's `config:` applies.
    pub fn consumer_defaults(self) -> ConsumerConfig {
        let java = ConsumerConfig::default();
        match self {
            ClientKind::Java => java,
            // kafka-python 2.0.2 KafkaConsumer.DEFAULT_CONFIG.
            ClientKind::KafkaPython => ConsumerConfig {
                client: self,
                request_timeout_ms: 305_000,    // 'request_timeout_ms': 305000
                retry_backoff_ms: 100,          // 'retry_backoff_ms': 100
                retry_backoff_max_ms: 100,      // no exponential retry backoff
                session_timeout_ms: 10_000,     // 'session_timeout_ms': 10000
                heartbeat_interval_ms: 3_000,   // 'heartbeat_interval_ms': 3000
                max_poll_interval_ms: 300_000,  // 'max_poll_interval_ms': 300000
                auto_commit_interval_ms: 5_000, // 'auto_commit_interval_ms': 5000
                // 'partition_assignment_strategy': (RangePartitionAssignor, RoundRobinPartitionAssignor)
                partition_assignment_strategy: vec![Strategy::Range, Strategy::RoundRobin],
                network: ClientNetworkConfig {
                    reconnect_backoff_ms: 50,        // 'reconnect_backoff_ms': 50
                    reconnect_backoff_max_ms: 1_000, // 'reconnect_backoff_max_ms': 1000
                    // conn.py gives up a dial after request_timeout_ms (305 s).
                    socket_connection_setup_timeout_ms: 305_000,
                    socket_connection_setup_timeout_max_ms: 305_000,
                    ..ClientNetworkConfig::default()
                },
                ..java
            },
            // librdkafka CONFIGURATION.md.
            ClientKind::Librdkafka => ConsumerConfig {
                client: self,
                request_timeout_ms: 60_000,     // socket.timeout.ms: 60000
                retry_backoff_ms: 100,          // retry.backoff.ms: 100
                retry_backoff_max_ms: 1_000,    // retry.backoff.max.ms: 1000
                session_timeout_ms: 45_000,     // session.timeout.ms: 45000
                heartbeat_interval_ms: 3_000,   // heartbeat.interval.ms: 3000
                max_poll_interval_ms: 300_000,  // max.poll.interval.ms: 300000
                auto_commit_interval_ms: 5_000, // auto.commit.interval.ms: 5000
                // isolation.level: read_committed (Java and kafka-python: read_uncommitted)
                isolation_level: crate::protocol::IsolationLevel::ReadCommitted,
                // partition.assignment.strategy: range,roundrobin
                partition_assignment_strategy: vec![Strategy::Range, Strategy::RoundRobin],
                network: ClientNetworkConfig {
                    reconnect_backoff_ms: 100,                  // reconnect.backoff.ms: 100
                    reconnect_backoff_max_ms: 10_000,           // reconnect.backoff.max.ms: 10000
                    socket_connection_setup_timeout_ms: 30_000, // socket.connection.setup.timeout.ms: 30000
                    socket_connection_setup_timeout_max_ms: 30_000,
                    ..ClientNetworkConfig::default()
                },
                ..java
            },
        }
    }

    /// The `client.id` a consumer of this kind has when the application sets
    /// none; `None` for Java, whose default depends on the group
    /// (`consumer-<group.id>-<n>`).
    pub fn default_consumer_client_id(self) -> Option<String> {
        match self {
            ClientKind::Java => None,
            // 'client_id': 'kafka-python-' + __version__
            ClientKind::KafkaPython => Some(format!("kafka-python-{KAFKA_PYTHON_VERSION}")),
            // client.id: rdkafka
            ClientKind::Librdkafka => Some("rdkafka".to_string()),
        }
    }

    /// The `client.id` of the `n`-th producer (from 1) of one process when the
    /// application sets none.
    pub fn default_producer_client_id(self, n: u32) -> String {
        match self {
            // ProducerConfig: "producer-" + PRODUCER_CLIENT_ID_SEQUENCE
            ClientKind::Java => format!("producer-{n}"),
            // 'kafka-python-producer-%s' % PRODUCER_CLIENT_ID_SEQUENCE.increment()
            ClientKind::KafkaPython => format!("kafka-python-producer-{n}"),
            ClientKind::Librdkafka => "rdkafka".to_string(),
        }
    }

    /// Whether a consumer of this kind may run without a group id. The Java
    /// client and kafka-python may (Java only with `assign()`; kafka-python
    /// then assigns itself every partition of its topics and never commits);
    /// confluent-kafka's `Consumer()` raises `ValueError` without `group.id`.
    pub fn consumer_needs_group(self) -> bool {
        self == ClientKind::Librdkafka
    }
}

impl ClientKind {
    /// The defaults of this kind that differ from the Java client's, as
    /// config text, for `kafkasim configs --client` (a test checks they
    /// match `producer_defaults` and `consumer_defaults`).
    pub fn default_overrides(self, scope: super::Scope) -> &'static [(&'static str, &'static str)] {
        use super::Scope;
        match (self, scope) {
            (ClientKind::KafkaPython, Scope::Producer) => &[
                ("acks", "1"),
                ("enable.idempotence", "false"),
                ("retries", "0"),
                ("delivery.timeout.ms", "30000"),
                ("retry.backoff.max.ms", "100"),
                ("linger.ms", "0"),
                ("socket.connection.setup.timeout.ms", "30000"),
                ("socket.connection.setup.timeout.max.ms", "30000"),
                ("client.id", "kafka-python-producer-N"),
            ],
            (ClientKind::KafkaPython, Scope::Consumer) => &[
                ("request.timeout.ms", "305000"),
                ("retry.backoff.max.ms", "100"),
                ("session.timeout.ms", "10000"),
                ("partition.assignment.strategy", "range,roundrobin"),
                ("socket.connection.setup.timeout.ms", "305000"),
                ("socket.connection.setup.timeout.max.ms", "305000"),
                ("client.id", "kafka-python-2.0.2"),
            ],
            (ClientKind::Librdkafka, Scope::Producer) => &[
                ("enable.idempotence", "false"),
                ("delivery.timeout.ms", "300000"),
                ("request.timeout.ms", "60000"),
                ("batch.size", "1000000"),
                ("max.in.flight.requests.per.connection", "1000000"),
                ("reconnect.backoff.ms", "100"),
                ("reconnect.backoff.max.ms", "10000"),
                ("socket.connection.setup.timeout.ms", "30000"),
                ("socket.connection.setup.timeout.max.ms", "30000"),
                ("client.id", "rdkafka"),
            ],
            (ClientKind::Librdkafka, Scope::Consumer) => &[
                ("request.timeout.ms", "60000"),
                ("isolation.level", "read_committed"),
                ("partition.assignment.strategy", "range,roundrobin"),
                ("reconnect.backoff.ms", "100"),
                ("reconnect.backoff.max.ms", "10000"),
                ("socket.connection.setup.timeout.ms", "30000"),
                ("socket.connection.setup.timeout.max.ms", "30000"),
                ("client.id", "rdkafka"),
            ],
            _ => &[],
        }
    }
}

impl fmt::Display for ClientKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ClientKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ClientKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown client `{s}`: use java, kafka-python or librdkafka"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `default_overrides` (what `kafkasim configs --client` shows) applied to
    /// the Java client's defaults gives exactly the kind's defaults.
    #[test]
    fn the_shown_overrides_are_the_kinds_defaults() {
        use crate::config::{ConfigValue, Configurable, Scope};
        fn apply<T: Configurable>(target: &mut T, overrides: &[(&str, &str)]) {
            for (name, text) in overrides {
                if *name == "client.id" {
                    continue; // a default computed per client, not a value
                }
                let def = T::SCOPE.def(name).unwrap_or_else(|| panic!("{name} is a {} config", T::SCOPE));
                let value = match *text {
                    "true" | "false" => ConfigValue::Bool(*text == "true"),
                    _ => text.parse::<i64>().map(ConfigValue::Int).unwrap_or(ConfigValue::Text(text.to_string())),
                };
                let parsed = def.parse(&value).unwrap_or_else(|e| panic!("{name}: {e}"));
                target.set(name, &parsed).unwrap_or_else(|e| panic!("{name}: {e}"));
            }
        }
        for kind in [ClientKind::KafkaPython, ClientKind::Librdkafka] {
            let mut producer = ProducerConfig { client: kind, ..ProducerConfig::default() };
            apply(&mut producer, kind.default_overrides(Scope::Producer));
            let mut expected = kind.producer_defaults();
            // Setting a backoff marks it as set; the kind's defaults are plain values.
            expected.network.reconnect_backoff_set = producer.network.reconnect_backoff_set;
            expected.network.reconnect_backoff_max_set = producer.network.reconnect_backoff_max_set;
            assert_eq!(producer, expected, "{kind} producer");
            let mut consumer = ConsumerConfig { client: kind, ..ConsumerConfig::default() };
            apply(&mut consumer, kind.default_overrides(Scope::Consumer));
            let mut expected = kind.consumer_defaults();
            expected.network.reconnect_backoff_set = consumer.network.reconnect_backoff_set;
            expected.network.reconnect_backoff_max_set = consumer.network.reconnect_backoff_max_set;
            assert_eq!(consumer, expected, "{kind} consumer");
        }
    }

    #[test]
    fn names_round_trip() {
        for kind in ClientKind::ALL {
            assert_eq!(kind.name().parse::<ClientKind>(), Ok(kind));
        }
        assert!("confluent-kafka".parse::<ClientKind>().is_err());
    }

    #[test]
    fn defaults_differ_where_the_libraries_do() {
        let java = ClientKind::Java.producer_defaults();
        let python = ClientKind::KafkaPython.producer_defaults();
        let rdkafka = ClientKind::Librdkafka.producer_defaults();
        assert_eq!((java.acks, python.acks, rdkafka.acks), (Acks::All, Acks::Leader, Acks::All));
        assert_eq!(java.effective_idempotence(), Ok(true));
        assert_eq!(python.effective_idempotence(), Ok(false));
        assert_eq!(rdkafka.effective_idempotence(), Ok(false), "librdkafka: enable.idempotence=false");
        assert_eq!((java.linger_ms, python.linger_ms, rdkafka.linger_ms), (5, 0, 5));
        assert_eq!(python.retries, 0);
        let python = ClientKind::KafkaPython.consumer_defaults();
        assert_eq!(python.session_timeout_ms, 10_000);
        assert_eq!(python.partition_assignment_strategy, vec![Strategy::Range, Strategy::RoundRobin]);
        assert_eq!(ClientKind::KafkaPython.default_consumer_client_id().as_deref(), Some("kafka-python-2.0.2"));
        assert_eq!(ClientKind::Librdkafka.default_producer_client_id(1), "rdkafka");
    }
}

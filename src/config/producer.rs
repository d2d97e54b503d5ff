//! Producer configs (`ProducerConfig`), with Kafka 4.0's defaults: `acks=all`,
//! idempotence on, `linger.ms=5`.

use super::{ClientKind, ConfigDef, ConfigValue, Configurable, INT_MAX, Kind, Scope};
use crate::protocol::Acks;

/// librdkafka's `partitioner` values (CONFIGURATION.md), in its order.
pub const RDKAFKA_PARTITIONERS: &[&str] =
    &["random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"];

/// librdkafka's `partitioner` config: which hash of the key picks the
/// partition, and what a null (or for `consistent_random`, empty) key does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RdkafkaPartitioner {
    Random,
    Consistent,
    #[default]
    ConsistentRandom,
    Murmur2,
    Murmur2Random,
    Fnv1a,
    Fnv1aRandom,
}

impl RdkafkaPartitioner {
    pub const ALL: [RdkafkaPartitioner; 7] = [
        RdkafkaPartitioner::Random,
        RdkafkaPartitioner::Consistent,
        RdkafkaPartitioner::ConsistentRandom,
        RdkafkaPartitioner::Murmur2,
        RdkafkaPartitioner::Murmur2Random,
        RdkafkaPartitioner::Fnv1a,
        RdkafkaPartitioner::Fnv1aRandom,
    ];

    pub fn name(self) -> &'static str {
        RDKAFKA_PARTITIONERS[Self::ALL.iter().position(|&p| p == self).expect("listed")]
    }

    pub fn from_name(name: &str) -> Option<Self> {
        RDKAFKA_PARTITIONERS.iter().position(|&n| n == name).map(|i| Self::ALL[i])
    }
}

pub const DEFS: &[ConfigDef] = &[
    ConfigDef::modelled(
        "acks",
        Kind::Enum(&["0", "1", "all", "-1"]),
        "all",
        "How many replicas must have a record before the producer hears it was written: 0 (nobody answers), 1 (the leader), all (every in-sync replica).",
    ),
    ConfigDef::modelled(
        "enable.idempotence",
        Kind::Bool,
        "true",
        "Number each batch so a retry is never written twice and order holds; silently off if acks is not all, unless set explicitly.",
    ),
    ConfigDef::modelled(
        "retries",
        Kind::Int { min: 0, max: INT_MAX },
        "2147483647",
        "How often a failed send is retried; in practice delivery.timeout.ms is the limit.",
    ),
    ConfigDef::modelled(
        "delivery.timeout.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "120000",
        "Total time a record may take from send() to success or failure, retries included.",
    ),
    ConfigDef::modelled(
        "request.timeout.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "30000",
        "How long the producer waits for one request's answer before giving up on it (and retrying).",
    ),
    ConfigDef::modelled(
        "retry.backoff.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "100",
        "Wait before the first retry; doubles on each further retry up to retry.backoff.max.ms.",
    ),
    ConfigDef::modelled(
        "retry.backoff.max.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "1000",
        "Longest wait between retries.",
    ),
    ConfigDef::modelled(
        "linger.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "5",
        "How long a batch waits for more records before it may be sent; it keeps taking records until it is sent or full.",
    ),
    ConfigDef::modelled(
        "batch.size",
        Kind::Int { min: 0, max: INT_MAX },
        "16384",
        "A partition's batch is sent as soon as it holds this many bytes; keyless records move to another partition after about this many.",
    ),
    ConfigDef::modelled(
        "max.in.flight.requests.per.connection",
        Kind::Int { min: 1, max: INT_MAX },
        "5",
        "Requests sent to one broker and not yet answered; more than 1 without idempotence lets retries reorder records.",
    ),
    ConfigDef::modelled(
        "max.request.size",
        Kind::Int { min: 0, max: INT_MAX },
        "1048576",
        "Largest record the producer accepts (RecordTooLargeException above it).",
    ),
    ConfigDef::modelled(
        "partitioner.ignore.keys",
        Kind::Bool,
        "false",
        "Spread even keyed records with the sticky partitioner instead of hashing the key.",
    ),
    ConfigDef::modelled(
        "partitioner.adaptive.partitioning.enable",
        Kind::Bool,
        "true",
        "Keyless records: pick the next sticky partition with weights that favour partitions with fewer batches waiting.",
    ),
    ConfigDef::modelled(
        "partitioner.availability.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "0",
        "Keyless records: skip partitions whose leader could not take a request for longer than this (0: never skip).",
    ),
    ConfigDef::modelled(
        "metadata.max.age.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "300000",
        "Metadata is refreshed at least this often, even without errors.",
    ),
    super::network::RECONNECT_BACKOFF_MS,
    super::network::RECONNECT_BACKOFF_MAX_MS,
    super::network::SOCKET_CONNECTION_SETUP_TIMEOUT_MS,
    super::network::SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS,
    ConfigDef::modelled("client.id", Kind::Text, "producer-N", "Name of the client in logs and traces."),
    ConfigDef::modelled(
        "partitioner",
        Kind::Enum(RDKAFKA_PARTITIONERS),
        "consistent_random",
        "librdkafka only (client: librdkafka): how a key picks its partition; consistent_random hashes it with CRC32, murmur2_random as Java does.",
    ),
    ConfigDef::modelled(
        "sticky.partitioning.linger.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "10",
        "librdkafka only: keyless records stay on one random partition this long, then a new one is drawn (default 2 × linger.ms; 0: random per record).",
    ),
    ConfigDef::unmodelled(
        "buffer.memory",
        Kind::Int { min: 0, max: i64::MAX },
        "33554432",
        "Memory for unsent records.",
    ),
    ConfigDef::unmodelled(
        "max.block.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "60000",
        "How long send() may block.",
    ),
    ConfigDef::unmodelled(
        "compression.type",
        Kind::Enum(&["none", "gzip", "snappy", "lz4", "zstd"]),
        "none",
        "Batch compression codec.",
    ),
    ConfigDef::unmodelled("partitioner.class", Kind::Text, "null", "A custom partitioner."),
    ConfigDef::modelled(
        "transactional.id",
        Kind::Text,
        "null",
        "Makes the producer transactional: needs idempotence, and its coordinator is the leader of __transaction_state partition hash(id) % transaction.state.log.num.partitions. The scenario checks Kafka's rules for it; transactional sends are not simulated yet, so a valid one is refused too.",
    ),
    ConfigDef::modelled(
        "transaction.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "60000",
        "A transaction open longer than this is aborted by its coordinator; at most the brokers' transaction.max.timeout.ms.",
    ),
    ConfigDef::unmodelled("key.serializer", Kind::Text, "", "Serializers: the simulator sends bytes."),
    ConfigDef::unmodelled("value.serializer", Kind::Text, "", "Serializers: the simulator sends bytes."),
    ConfigDef::unmodelled("bootstrap.servers", Kind::Text, "", "The simulator connects clients to every broker."),
    ConfigDef::modelled(
        "send.buffer.bytes",
        Kind::Int { min: -1, max: INT_MAX },
        "131072",
        "The socket's send buffer: an acks=0 send completes once written here; towards a broker that vanished it fills, and later sends wait until request.timeout.ms (-1: the OS default, taken as 131072).",
    ),
    ConfigDef::unmodelled("receive.buffer.bytes", Kind::Int { min: -1, max: INT_MAX }, "32768", "TCP receive buffer."),
];

/// The typed producer configuration, as the application set it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerConfig {
    /// The client library, which chose the defaults and picks partitions.
    pub client: ClientKind,
    pub acks: Acks,
    /// `None` when the scenario did not set it: Kafka then turns idempotence
    /// off silently when another setting conflicts with it.
    pub enable_idempotence: Option<bool>,
    pub retries: u32,
    pub delivery_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub retry_backoff_ms: u64,
    pub retry_backoff_max_ms: u64,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub max_in_flight_requests_per_connection: u32,
    pub max_request_size: u32,
    pub partitioner_ignore_keys: bool,
    pub partitioner_adaptive_partitioning_enable: bool,
    pub partitioner_availability_timeout_ms: u64,
    pub metadata_max_age_ms: u64,
    pub client_id: Option<String>,
    pub send_buffer_bytes: u32,
    /// `None`: not transactional.
    pub transactional_id: Option<String>,
    pub transaction_timeout_ms: u64,
    /// Reconnect backoff and connection set-up timeout.
    pub network: super::network::ClientNetworkConfig,
    /// librdkafka's `partitioner`.
    pub rdkafka_partitioner: RdkafkaPartitioner,
    /// librdkafka's `sticky.partitioning.linger.ms`; `None`: twice `linger.ms`.
    pub sticky_partitioning_linger_ms: Option<u64>,
    /// Confluent's Avro serializer settings (used when the producer writes Avro).
    pub serde: super::serde::SerdeConfig,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            client: ClientKind::Java,
            acks: Acks::All,
            enable_idempotence: None,
            retries: i32::MAX as u32,
            delivery_timeout_ms: 120_000,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1_000,
            linger_ms: 5,
            batch_size: 16_384,
            max_in_flight_requests_per_connection: 5,
            max_request_size: 1_048_576,
            partitioner_ignore_keys: false,
            partitioner_adaptive_partitioning_enable: true,
            partitioner_availability_timeout_ms: 0,
            metadata_max_age_ms: 300_000,
            client_id: None,
            send_buffer_bytes: 131_072,
            transactional_id: None,
            transaction_timeout_ms: 60_000,
            network: Default::default(),
            rdkafka_partitioner: RdkafkaPartitioner::ConsistentRandom,
            sticky_partitioning_linger_ms: None,
            serde: super::serde::SerdeConfig::default(),
        }
    }
}

impl ProducerConfig {
    /// librdkafka's `sticky.partitioning.linger.ms`: when not set,
    /// `min(900000, 2 × linger.ms)` (`rd_kafka_conf_finalize`).
    pub fn effective_sticky_partitioning_linger_ms(&self) -> u64 {
        self.sticky_partitioning_linger_ms.unwrap_or_else(|| (2 * self.linger_ms).min(900_000))
    }

    /// Kafka's `postProcessAndValidateIdempotenceConfigs`: idempotence needs
    /// acks=all, retries > 0 and at most 5 requests in flight. Set explicitly with
    /// a conflicting value it is an error; left at its default it is switched
    /// off. Returns whether idempotence is on, or the ConfigException text.
    pub fn effective_idempotence(&self) -> Result<bool, String> {
        let conflict = if self.acks != Acks::All {
            Some(format!("acks={}", self.acks.as_config()))
        } else if self.retries == 0 {
            Some("retries=0".to_string())
        } else if self.max_in_flight_requests_per_connection > 5 {
            Some(format!("max.in.flight.requests.per.connection={}", self.max_in_flight_requests_per_connection))
        } else {
            None
        };
        match (self.enable_idempotence, conflict) {
            (Some(true), Some(conflict)) => Err(format!(
                "enable.idempotence=true needs acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5, but {conflict}; \
                 remove enable.idempotence to let Kafka turn it off, or change {conflict}"
            )),
            (Some(explicit), None) => Ok(explicit),
            (Some(false), Some(_)) => Ok(false),
            (None, conflict) => Ok(conflict.is_none()),
        }
    }
}

impl ProducerConfig {
    /// Kafka's `ProducerConfig.postProcessAndValidateIdempotenceConfigs`, last
    /// step: a transactional producer must be idempotent. Idempotence switched
    /// off, explicitly or silently by acks/retries/in-flight, makes a
    /// `transactional.id` a ConfigException with this text.
    pub fn check_transactional(&self) -> Result<(), String> {
        match (&self.transactional_id, self.effective_idempotence()) {
            (Some(_), Ok(false)) => Err("Cannot set a transactional.id without also enabling idempotence.".to_string()),
            _ => Ok(()),
        }
    }
}

impl Configurable for ProducerConfig {
    const SCOPE: Scope = Scope::Producer;

    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String> {
        let n = value.as_i64();
        match name {
            "acks" => {
                self.acks = match value.as_text().as_str() {
                    "0" => Acks::None,
                    "1" => Acks::Leader,
                    _ => Acks::All,
                }
            }
            "enable.idempotence" => self.enable_idempotence = Some(value.as_bool()),
            "retries" => self.retries = n as u32,
            "delivery.timeout.ms" => self.delivery_timeout_ms = n as u64,
            "request.timeout.ms" => self.request_timeout_ms = n as u64,
            "retry.backoff.ms" => self.retry_backoff_ms = n as u64,
            "retry.backoff.max.ms" => self.retry_backoff_max_ms = n as u64,
            "linger.ms" => self.linger_ms = n as u64,
            "batch.size" => self.batch_size = n as u32,
            "max.in.flight.requests.per.connection" => self.max_in_flight_requests_per_connection = n as u32,
            "max.request.size" => self.max_request_size = n as u32,
            "partitioner.ignore.keys" => self.partitioner_ignore_keys = value.as_bool(),
            "partitioner.adaptive.partitioning.enable" => {
                self.partitioner_adaptive_partitioning_enable = value.as_bool()
            }
            "partitioner.availability.timeout.ms" => self.partitioner_availability_timeout_ms = n as u64,
            "metadata.max.age.ms" => self.metadata_max_age_ms = n as u64,
            "client.id" => self.client_id = Some(value.as_text()),
            "partitioner" => {
                self.rdkafka_partitioner = RdkafkaPartitioner::from_name(&value.as_text())
                    .ok_or_else(|| format!("unknown partitioner `{}`", value.as_text()))?
            }
            "sticky.partitioning.linger.ms" => self.sticky_partitioning_linger_ms = Some(n as u64),
            "transactional.id" => self.transactional_id = Some(value.as_text()),
            "transaction.timeout.ms" => self.transaction_timeout_ms = n as u64,
            "send.buffer.bytes" => self.send_buffer_bytes = if n < 0 { 131_072 } else { n as u32 },
            other if self.network.set(other, value) => {}
            other => {
                self.serde.set(other, value).ok_or_else(|| format!("`{other}` is not a modelled producer config"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotence_follows_kafkas_explicit_and_implicit_rules() {
        let mut c = ProducerConfig::default();
        assert_eq!(c.effective_idempotence(), Ok(true), "default on");
        c.acks = Acks::Leader;
        assert_eq!(c.effective_idempotence(), Ok(false), "silently off with acks=1");
        c.enable_idempotence = Some(true);
        assert!(c.effective_idempotence().unwrap_err().contains("acks=1"));
        c.enable_idempotence = Some(false);
        assert_eq!(c.effective_idempotence(), Ok(false));
    }

    /// Ported from Kafka's ProducerConfigTest
    /// (clients/src/test/java/org/apache/kafka/clients/producer/ProducerConfigTest.java,
    /// testInvalidTransactionalIdSettings-style cases): a transactional.id needs
    /// idempotence, whether it was switched off explicitly or silently by acks.
    #[test]
    fn a_transactional_id_needs_idempotence() {
        let transactional =
            ProducerConfig { transactional_id: Some("payments".to_string()), ..ProducerConfig::default() };
        assert_eq!(transactional.check_transactional(), Ok(()), "defaults: acks=all, idempotent");

        let explicit_off = ProducerConfig { enable_idempotence: Some(false), ..transactional.clone() };
        assert_eq!(
            explicit_off.check_transactional(),
            Err("Cannot set a transactional.id without also enabling idempotence.".to_string())
        );

        // acks=0 without enable.idempotence: idempotence goes off silently, and
        // then the transactional.id is refused (Kafka's deliberate asymmetry).
        let acks_zero = ProducerConfig { acks: Acks::None, ..transactional.clone() };
        assert!(acks_zero.check_transactional().unwrap_err().starts_with("Cannot set a transactional.id"));

        let not_transactional = ProducerConfig { acks: Acks::None, ..ProducerConfig::default() };
        assert_eq!(not_transactional.check_transactional(), Ok(()));
    }
}

//! Kafka Streams configs (`StreamsConfig`), with Kafka 4.0's defaults.
//! `application.id` is the application's own key in the scenario, not a
//! config here.

use super::{ConfigDef, ConfigValue, Configurable, INT_MAX, Kind, Scope};

/// `processing.guarantee`: what a crash between commits may leave behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessingGuarantee {
    /// Input replayed since the last commit: duplicates downstream.
    AtLeastOnce,
    /// Outputs, changelog writes and offsets in one transaction (KIP-447).
    ExactlyOnceV2,
}

pub const DEFS: &[ConfigDef] = &[
    ConfigDef::modelled(
        "num.stream.threads",
        Kind::Int { min: 1, max: 64 },
        "1",
        "Stream threads per instance; each is a consumer of the application's group and runs its own tasks.",
    ),
    ConfigDef::modelled(
        "processing.guarantee",
        Kind::Enum(&["at_least_once", "exactly_once_v2"]),
        "at_least_once",
        "at_least_once replays input since the last commit after a crash; exactly_once_v2 commits outputs, state and offsets in one transaction.",
    ),
    ConfigDef::modelled(
        "commit.interval.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "30000",
        "How often a stream thread flushes its caches and stores and commits its input offsets (100 under exactly_once_v2).",
    ),
    ConfigDef::modelled(
        "statestore.cache.max.bytes",
        Kind::Int { min: 0, max: i64::MAX },
        "10485760",
        "Record cache, split over the threads: updates to a key coalesce until a commit or an eviction; 0 forwards every update.",
    ),
    ConfigDef::modelled(
        "num.standby.replicas",
        Kind::Int { min: 0, max: INT_MAX },
        "0",
        "Standby copies of each stateful task on other instances, kept up to date from the changelog for fast failover.",
    ),
    ConfigDef::modelled(
        "acceptable.recovery.lag",
        Kind::Int { min: 0, max: i64::MAX },
        "10000",
        "Changelog records an instance may lag behind and still count as caught up for a stateful task.",
    ),
    ConfigDef::modelled(
        "max.warmup.replicas",
        Kind::Int { min: 1, max: INT_MAX },
        "2",
        "Warm-up replicas restoring state for a task's future owner at once.",
    ),
    ConfigDef::modelled(
        "probing.rebalance.interval.ms",
        Kind::Millis { min: 60_000, allow_unlimited: false },
        "600000",
        "How often to rebalance again to check whether warm-up replicas have caught up.",
    ),
    ConfigDef::modelled(
        "replication.factor",
        Kind::Int { min: -1, max: 32_767 },
        "-1",
        "Replication factor of repartition and changelog topics (-1: the broker's default.replication.factor).",
    ),
    ConfigDef::modelled(
        "windowstore.changelog.additional.retention.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "86400000",
        "Added to a window store's retention for its changelog's retention.ms.",
    ),
    ConfigDef::unmodelled(
        "topology.optimization",
        Kind::Enum(&[
            "none",
            "all",
            "reuse.ktable.source.topics",
            "merge.repartition.topics",
            "single.store.self.join",
        ]),
        "none",
        "Rewrites of the topology (reusing table source topics as changelogs, merging repartition topics).",
    ),
    ConfigDef::unmodelled(
        "default.timestamp.extractor",
        Kind::Text,
        "org.apache.kafka.streams.processor.FailOnInvalidTimestamp",
        "Where event time comes from; in a scenario, set the application's `timestamp_field` instead.",
    ),
];

/// A Streams application's configs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamsConfig {
    pub num_stream_threads: u32,
    pub processing_guarantee: ProcessingGuarantee,
    /// `None`: Kafka's default for the guarantee (30 000, or 100 under EOS).
    pub commit_interval_ms: Option<i64>,
    pub statestore_cache_max_bytes: i64,
    pub num_standby_replicas: u32,
    pub acceptable_recovery_lag: i64,
    pub max_warmup_replicas: u32,
    pub probing_rebalance_interval_ms: i64,
    pub replication_factor: i32,
    pub windowstore_changelog_additional_retention_ms: i64,
}

impl Default for StreamsConfig {
    fn default() -> Self {
        StreamsConfig {
            num_stream_threads: 1,
            processing_guarantee: ProcessingGuarantee::AtLeastOnce,
            commit_interval_ms: None,
            statestore_cache_max_bytes: 10 * 1024 * 1024,
            num_standby_replicas: 0,
            acceptable_recovery_lag: 10_000,
            max_warmup_replicas: 2,
            probing_rebalance_interval_ms: 600_000,
            replication_factor: -1,
            windowstore_changelog_additional_retention_ms: 86_400_000,
        }
    }
}

impl StreamsConfig {
    /// `commit.interval.ms` in force: StreamsConfig lowers the default to
    /// 100 ms under exactly-once.
    pub fn commit_interval_ms(&self) -> i64 {
        self.commit_interval_ms.unwrap_or(match self.processing_guarantee {
            ProcessingGuarantee::AtLeastOnce => 30_000,
            ProcessingGuarantee::ExactlyOnceV2 => 100,
        })
    }
}

impl Configurable for StreamsConfig {
    const SCOPE: Scope = Scope::Streams;

    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String> {
        let n = value.as_i64();
        match name {
            "num.stream.threads" => self.num_stream_threads = n as u32,
            "processing.guarantee" => {
                self.processing_guarantee = match value.as_text().as_str() {
                    "exactly_once_v2" => ProcessingGuarantee::ExactlyOnceV2,
                    _ => ProcessingGuarantee::AtLeastOnce,
                }
            }
            "commit.interval.ms" => self.commit_interval_ms = Some(n),
            "statestore.cache.max.bytes" => self.statestore_cache_max_bytes = n,
            "num.standby.replicas" => self.num_standby_replicas = n as u32,
            "acceptable.recovery.lag" => self.acceptable_recovery_lag = n,
            "max.warmup.replicas" => self.max_warmup_replicas = n as u32,
            "probing.rebalance.interval.ms" => self.probing_rebalance_interval_ms = n,
            "replication.factor" => self.replication_factor = n as i32,
            "windowstore.changelog.additional.retention.ms" => self.windowstore_changelog_additional_retention_ms = n,
            _ => return Err(format!("`{name}` is not a Streams config kafkasim applies")),
        }
        Ok(())
    }
}

//! Broker-level configs (`server.properties`), the same for every broker of a
//! scenario. Topic configs given here (`min.insync.replicas`,
//! `unclean.leader.election.enable`, the `log.*` names) become the defaults of
//! every topic, as in Kafka.

use super::{ConfigDef, ConfigValue, Configurable, INT_MAX, Kind, Scope, TopicConfig};

pub const DEFS: &[ConfigDef] = &[
    ConfigDef::modelled(
        "broker.heartbeat.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "2000",
        "How often a broker heartbeats to the KRaft controller.",
    ),
    ConfigDef::modelled(
        "broker.session.timeout.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "9000",
        "A broker that has not heartbeated for this long is fenced: it leaves every ISR and loses its leaderships.",
    ),
    ConfigDef::modelled(
        "replica.lag.time.max.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "30000",
        "A follower that has not caught up with the leader for this long is removed from the ISR.",
    ),
    ConfigDef::modelled(
        "replica.fetch.wait.max.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "500",
        "How long a follower's fetch waits at the leader when there is nothing new (long poll).",
    ),
    ConfigDef::modelled(
        "replica.fetch.max.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "1048576",
        "Bytes per partition a follower fetches at most.",
    ),
    ConfigDef::modelled(
        "auto.leader.rebalance.enable",
        Kind::Bool,
        "true",
        "Periodically move leadership back to each partition's preferred replica.",
    ),
    ConfigDef::modelled(
        "leader.imbalance.check.interval.seconds",
        Kind::Int { min: 1, max: i64::MAX },
        "300",
        "How long after a change that leaves a partition away from its preferred replica the controller checks for such partitions and gives leadership back (KRaft schedules the check then; nothing runs while every partition is balanced).",
    ),
    ConfigDef::ignored(
        "leader.imbalance.per.broker.percentage",
        Kind::Int { min: 0, max: 100 },
        "10",
        "The share of a broker's leaderships allowed away from their preferred replica before the ZooKeeper controller rebalanced. No effect: the KRaft controller re-elects every such partition at its balance check.",
        "the KRaft controller never reads it (only the ZooKeeper controller did): every partition away from its preferred leader is re-elected at the next leader.imbalance.check.interval.seconds check",
    ),
    ConfigDef::modelled(
        "log.retention.check.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "300000 (5 minutes)",
        "How often each broker looks for segments to delete.",
    ),
    ConfigDef::modelled(
        "log.cleaner.backoff.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "15000",
        "How long the log cleaner sleeps when no log needs compacting.",
    ),
    ConfigDef::modelled(
        "group.initial.rebalance.delay.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "3000",
        "An empty group waits this long for more members before its first rebalance.",
    ),
    ConfigDef::modelled(
        "offsets.topic.num.partitions",
        Kind::Int { min: 1, max: 1000 },
        "50",
        "Partitions of __consumer_offsets; a group's coordinator is the leader of partition hash(group.id) % this.",
    ),
    ConfigDef::modelled(
        "offsets.commit.timeout.ms",
        Kind::Int { min: 1, max: i32::MAX as i64 },
        "5000",
        "How long the group coordinator waits for an offset commit or a group's assignment to be replicated before failing it.",
    ),
    ConfigDef::modelled(
        "offsets.topic.replication.factor",
        Kind::Int { min: 1, max: 32767 },
        "3",
        "Replication factor of __consumer_offsets (capped at the number of brokers).",
    ),
    ConfigDef::modelled(
        "group.min.session.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "6000",
        "Smallest session.timeout.ms a consumer may ask for.",
    ),
    ConfigDef::modelled(
        "group.max.session.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "1800000",
        "Largest session.timeout.ms a consumer may ask for.",
    ),
    ConfigDef::modelled(
        "min.insync.replicas",
        Kind::Int { min: 1, max: INT_MAX },
        "1",
        "Default min.insync.replicas of every topic.",
    ),
    ConfigDef::modelled(
        "unclean.leader.election.enable",
        Kind::Bool,
        "false",
        "Default unclean.leader.election.enable of every topic.",
    ),
    ConfigDef::modelled(
        "log.retention.ms",
        Kind::Millis { min: 0, allow_unlimited: true },
        "604800000 (7 days)",
        "Default retention.ms of every topic.",
    ),
    ConfigDef::modelled(
        "log.retention.bytes",
        Kind::Int { min: -1, max: i64::MAX },
        "-1",
        "Default retention.bytes of every topic.",
    ),
    ConfigDef::modelled(
        "log.segment.bytes",
        Kind::Int { min: 1_048_576, max: INT_MAX },
        "1073741824",
        "Default segment.bytes of every topic.",
    ),
    ConfigDef::modelled(
        "log.roll.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "604800000 (7 days)",
        "Default segment.ms of every topic.",
    ),
    ConfigDef::modelled(
        "offsets.topic.segment.bytes",
        Kind::Int { min: 1_048_576, max: INT_MAX },
        "104857600 (100 MiB)",
        "segment.bytes of __consumer_offsets: old commits are compacted away only once their segment is closed.",
    ),
    ConfigDef::modelled(
        "transaction.state.log.num.partitions",
        Kind::Int { min: 1, max: 1000 },
        "50",
        "Partitions of __transaction_state; a transactional.id's coordinator is the leader of partition hash(transactional.id) % this.",
    ),
    ConfigDef::modelled(
        "transaction.state.log.replication.factor",
        Kind::Int { min: 1, max: 32767 },
        "3",
        "Replication factor of __transaction_state (capped at the number of brokers).",
    ),
    ConfigDef::modelled(
        "transaction.state.log.min.isr",
        Kind::Int { min: 1, max: INT_MAX },
        "2",
        "min.insync.replicas of __transaction_state: a transaction's state is written only when this many replicas hold it.",
    ),
    ConfigDef::modelled(
        "transaction.state.log.segment.bytes",
        Kind::Int { min: 1, max: INT_MAX },
        "104857600 (100 MiB)",
        "segment.bytes of __transaction_state.",
    ),
    ConfigDef::modelled(
        "transaction.max.timeout.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "900000 (15 minutes)",
        "Largest transaction.timeout.ms a producer may ask for; a larger one is refused with INVALID_TRANSACTION_TIMEOUT.",
    ),
    ConfigDef::modelled(
        "transaction.abort.timed.out.transaction.cleanup.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "10000 (10 seconds)",
        "How often the transaction coordinator looks for transactions open longer than their transaction.timeout.ms, to fence and abort them.",
    ),
    ConfigDef::unmodelled(
        "transactional.id.expiration.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "604800000 (7 days)",
        "A transactional.id unused this long is forgotten by its coordinator.",
    ),
    ConfigDef::modelled(
        "log.cleaner.min.cleanable.ratio",
        Kind::Ratio,
        "0.5",
        "Default min.cleanable.dirty.ratio of every topic.",
    ),
    ConfigDef::modelled(
        "log.cleaner.delete.retention.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "86400000 (1 day)",
        "Default delete.retention.ms of every topic.",
    ),
    ConfigDef::modelled(
        "log.cleaner.min.compaction.lag.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "0",
        "Default min.compaction.lag.ms of every topic.",
    ),
    ConfigDef::modelled(
        "log.cleaner.max.compaction.lag.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "9223372036854775807",
        "Default max.compaction.lag.ms of every topic.",
    ),
    ConfigDef::modelled(
        "log.cleanup.policy",
        Kind::List(&["delete", "compact"]),
        "delete",
        "Default cleanup.policy of every topic.",
    ),
    ConfigDef::modelled(
        "num.partitions",
        Kind::Int { min: 1, max: INT_MAX },
        "1",
        "Partitions of auto-created topics.",
    ),
    ConfigDef::modelled(
        "default.replication.factor",
        Kind::Int { min: 1, max: 32767 },
        "1",
        "Replication factor of auto-created topics.",
    ),
    ConfigDef::modelled(
        "auto.create.topics.enable",
        Kind::Bool,
        "true",
        "A Metadata request for an unknown topic creates it (live mode's real clients).",
    ),
    ConfigDef::unmodelled(
        "num.replica.fetchers",
        Kind::Int { min: 1, max: INT_MAX },
        "1",
        "Fetcher threads per source broker.",
    ),
    ConfigDef::unmodelled(
        "replica.fetch.min.bytes",
        Kind::Int { min: 1, max: INT_MAX },
        "1",
        "Minimum bytes a follower fetch waits for.",
    ),
    ConfigDef::unmodelled(
        "controller.quorum.election.timeout.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "1000",
        "KRaft Raft election timeout.",
    ),
    ConfigDef::unmodelled(
        "unclean.leader.election.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "300000",
        "Periodic unclean-election check (3.9+).",
    ),
    ConfigDef::modelled(
        "offsets.retention.minutes",
        Kind::Int { min: 1, max: INT_MAX },
        "10080",
        "How long a group's committed offsets are kept once the group is empty (7 days); then they, and the empty group, are deleted, and a consumer that comes back starts from auto.offset.reset.",
    ),
    ConfigDef::modelled(
        "offsets.retention.check.interval.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "600000",
        "How often a group coordinator looks for expired offsets and empty groups to delete.",
    ),
    ConfigDef::unmodelled("eligible.leader.replicas.enable", Kind::Bool, "false", "KIP-966 eligible leader replicas."),
    ConfigDef::modelled(
        "log.cleaner.enable",
        Kind::Bool,
        "true",
        "Run the log cleaner, which compacts topics with cleanup.policy=compact.",
    ),
    ConfigDef::unmodelled("log.cleaner.threads", Kind::Int { min: 0, max: INT_MAX }, "1", "Log cleaner threads."),
    ConfigDef::unmodelled(
        "message.max.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "1048588",
        "Broker default of max.message.bytes.",
    ),
];

/// The typed broker configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BrokerConfig {
    pub broker_heartbeat_interval_ms: u64,
    pub broker_session_timeout_ms: u64,
    pub replica_lag_time_max_ms: u64,
    pub replica_fetch_wait_max_ms: u64,
    pub replica_fetch_max_bytes: u64,
    pub auto_leader_rebalance_enable: bool,
    pub leader_imbalance_check_interval_seconds: u64,
    pub log_retention_check_interval_ms: u64,
    pub log_cleaner_backoff_ms: u64,
    pub group_initial_rebalance_delay_ms: u64,
    pub offsets_topic_num_partitions: u32,
    pub offsets_topic_replication_factor: u32,
    pub offsets_commit_timeout_ms: u64,
    pub group_min_session_timeout_ms: u64,
    pub group_max_session_timeout_ms: u64,
    pub log_cleaner_enable: bool,
    pub offsets_topic_segment_bytes: u64,
    pub offsets_retention_minutes: u64,
    pub offsets_retention_check_interval_ms: u64,
    pub transaction_state_log_num_partitions: u32,
    pub transaction_state_log_replication_factor: u32,
    pub transaction_state_log_min_isr: u32,
    pub transaction_state_log_segment_bytes: u64,
    pub transaction_max_timeout_ms: u64,
    pub transaction_abort_timed_out_transaction_cleanup_interval_ms: u64,
    /// Partitions of a topic created without a count (`-1`), as auto-creation does.
    pub num_partitions: u32,
    /// Replicas of a topic created without a replication factor (`-1`).
    pub default_replication_factor: u32,
    pub auto_create_topics_enable: bool,
    /// Defaults every topic starts from.
    pub topic_defaults: TopicConfig,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            broker_heartbeat_interval_ms: 2_000,
            broker_session_timeout_ms: 9_000,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1_048_576,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            group_initial_rebalance_delay_ms: 3_000,
            offsets_topic_num_partitions: 50,
            offsets_topic_replication_factor: 3,
            offsets_commit_timeout_ms: 5_000,
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            log_cleaner_enable: true,
            offsets_topic_segment_bytes: 104_857_600,
            offsets_retention_minutes: 10_080,
            offsets_retention_check_interval_ms: 600_000,
            transaction_state_log_num_partitions: 50,
            transaction_state_log_replication_factor: 3,
            transaction_state_log_min_isr: 2,
            transaction_state_log_segment_bytes: 104_857_600,
            transaction_max_timeout_ms: 900_000,
            transaction_abort_timed_out_transaction_cleanup_interval_ms: 10_000,
            num_partitions: 1,
            default_replication_factor: 1,
            auto_create_topics_enable: true,
            topic_defaults: TopicConfig::default(),
        }
    }
}

impl Configurable for BrokerConfig {
    const SCOPE: Scope = Scope::Broker;

    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String> {
        let n = value.as_i64();
        match name {
            "broker.heartbeat.interval.ms" => self.broker_heartbeat_interval_ms = n as u64,
            "broker.session.timeout.ms" => self.broker_session_timeout_ms = n as u64,
            "replica.lag.time.max.ms" => self.replica_lag_time_max_ms = n as u64,
            "replica.fetch.wait.max.ms" => self.replica_fetch_wait_max_ms = n as u64,
            "replica.fetch.max.bytes" => self.replica_fetch_max_bytes = n as u64,
            "auto.leader.rebalance.enable" => self.auto_leader_rebalance_enable = value.as_bool(),
            "leader.imbalance.check.interval.seconds" => self.leader_imbalance_check_interval_seconds = n as u64,
            // Accepted and ignored, as KRaft does (`ConfigDef::ignored`).
            "leader.imbalance.per.broker.percentage" => {}
            "log.retention.check.interval.ms" => self.log_retention_check_interval_ms = n as u64,
            "log.cleaner.backoff.ms" => self.log_cleaner_backoff_ms = n as u64,
            "group.initial.rebalance.delay.ms" => self.group_initial_rebalance_delay_ms = n as u64,
            "offsets.topic.num.partitions" => self.offsets_topic_num_partitions = n as u32,
            "offsets.topic.replication.factor" => self.offsets_topic_replication_factor = n as u32,
            "offsets.commit.timeout.ms" => self.offsets_commit_timeout_ms = n as u64,
            "group.min.session.timeout.ms" => self.group_min_session_timeout_ms = n as u64,
            "group.max.session.timeout.ms" => self.group_max_session_timeout_ms = n as u64,
            "min.insync.replicas" | "unclean.leader.election.enable" => self.topic_defaults.set(name, value)?,
            "log.retention.ms" => self.topic_defaults.set("retention.ms", value)?,
            "log.retention.bytes" => self.topic_defaults.set("retention.bytes", value)?,
            "log.segment.bytes" => self.topic_defaults.set("segment.bytes", value)?,
            "log.roll.ms" => self.topic_defaults.set("segment.ms", value)?,
            "log.cleanup.policy" => self.topic_defaults.set("cleanup.policy", value)?,
            "log.cleaner.enable" => self.log_cleaner_enable = value.as_bool(),
            "offsets.topic.segment.bytes" => self.offsets_topic_segment_bytes = n as u64,
            "offsets.retention.minutes" => self.offsets_retention_minutes = n as u64,
            "offsets.retention.check.interval.ms" => self.offsets_retention_check_interval_ms = n as u64,
            "transaction.state.log.num.partitions" => self.transaction_state_log_num_partitions = n as u32,
            "transaction.state.log.replication.factor" => self.transaction_state_log_replication_factor = n as u32,
            "transaction.state.log.min.isr" => self.transaction_state_log_min_isr = n as u32,
            "transaction.state.log.segment.bytes" => self.transaction_state_log_segment_bytes = n as u64,
            "transaction.max.timeout.ms" => self.transaction_max_timeout_ms = n as u64,
            "transaction.abort.timed.out.transaction.cleanup.interval.ms" => {
                self.transaction_abort_timed_out_transaction_cleanup_interval_ms = n as u64
            }
            "num.partitions" => self.num_partitions = n as u32,
            "default.replication.factor" => self.default_replication_factor = n as u32,
            "auto.create.topics.enable" => self.auto_create_topics_enable = value.as_bool(),
            "log.cleaner.min.cleanable.ratio" => self.topic_defaults.set("min.cleanable.dirty.ratio", value)?,
            "log.cleaner.delete.retention.ms" => self.topic_defaults.set("delete.retention.ms", value)?,
            "log.cleaner.min.compaction.lag.ms" => self.topic_defaults.set("min.compaction.lag.ms", value)?,
            "log.cleaner.max.compaction.lag.ms" => self.topic_defaults.set("max.compaction.lag.ms", value)?,
            other => return Err(format!("`{other}` is not a modelled broker config")),
        }
        Ok(())
    }
}

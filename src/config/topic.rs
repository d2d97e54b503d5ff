//! Topic-level configs (`kafka-configs --entity-type topics`), with the broker-wide
//! `log.*` defaults they inherit.

use super::{ConfigDef, ConfigValue, Configurable, INT_MAX, Kind, Scope};

const CLEANUP: &[&str] = &["delete", "compact"];

pub const DEFS: &[ConfigDef] = &[
    ConfigDef::modelled(
        "cleanup.policy",
        Kind::List(CLEANUP),
        "delete",
        "What happens to old data: `delete` old segments by time/size, `compact` to the latest record per key, or both.",
    ),
    ConfigDef::modelled(
        "retention.ms",
        Kind::Millis { min: 0, allow_unlimited: true },
        "604800000 (7 days)",
        "Closed segments whose newest record is older than this are deleted; -1 keeps data forever.",
    ),
    ConfigDef::modelled(
        "retention.bytes",
        Kind::Int { min: -1, max: i64::MAX },
        "-1",
        "Per partition: the oldest segments are deleted while the log is bigger than this; -1 means no size limit.",
    ),
    ConfigDef::modelled(
        "segment.bytes",
        Kind::Int { min: 1_048_576, max: INT_MAX },
        "1073741824 (1 GiB)",
        "The active segment rolls (closes and a new one starts) when it would grow past this size. At least 1 MiB since Kafka 4.0 (KIP-1030).",
    ),
    ConfigDef::modelled(
        "segment.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "604800000 (7 days)",
        "The active segment rolls when a new record is this much newer than the segment's first record.",
    ),
    ConfigDef::modelled(
        "min.insync.replicas",
        Kind::Int { min: 1, max: INT_MAX },
        "1",
        "acks=all writes are refused (NOT_ENOUGH_REPLICAS) when fewer replicas than this are in sync; the high watermark also waits for this many.",
    ),
    ConfigDef::modelled(
        "unclean.leader.election.enable",
        Kind::Bool,
        "false",
        "Whether a replica that is not in sync may become leader when no in-sync replica is alive, trading lost data for availability.",
    ),
    ConfigDef::modelled(
        "max.message.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "1048588",
        "The largest record batch the broker accepts for this topic (MESSAGE_TOO_LARGE above it).",
    ),
    ConfigDef::modelled(
        "min.cleanable.dirty.ratio",
        Kind::Ratio,
        "0.5",
        "Compaction starts when this share of the log is dirty (written since the last cleaning).",
    ),
    ConfigDef::modelled(
        "min.compaction.lag.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "0",
        "A record stays uncompacted for at least this long.",
    ),
    ConfigDef::modelled(
        "max.compaction.lag.ms",
        Kind::Millis { min: 1, allow_unlimited: false },
        "9223372036854775807",
        "A dirty record is compacted at the latest after this long, whatever the dirty ratio.",
    ),
    ConfigDef::modelled(
        "delete.retention.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "86400000 (1 day)",
        "How long a tombstone (a record with a null value) survives compaction, so slow consumers still see the delete.",
    ),
    ConfigDef::unmodelled(
        "message.timestamp.type",
        Kind::Enum(&["CreateTime", "LogAppendTime"]),
        "CreateTime",
        "Whether a record keeps the producer's timestamp or gets the broker's append time.",
    ),
    ConfigDef::unmodelled("compression.type", Kind::Text, "producer", "Codec the broker stores batches with."),
    ConfigDef::unmodelled(
        "segment.jitter.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "0",
        "Random jitter subtracted from segment.ms.",
    ),
    ConfigDef::unmodelled(
        "segment.index.bytes",
        Kind::Int { min: 4, max: INT_MAX },
        "10485760",
        "Size cap of a segment's offset index.",
    ),
    ConfigDef::unmodelled(
        "index.interval.bytes",
        Kind::Int { min: 0, max: INT_MAX },
        "4096",
        "Spacing of offset-index entries.",
    ),
    ConfigDef::unmodelled(
        "file.delete.delay.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "60000",
        "Delay before a deleted segment's file is removed.",
    ),
    ConfigDef::unmodelled(
        "flush.messages",
        Kind::Int { min: 1, max: i64::MAX },
        "9223372036854775807",
        "fsync after this many records.",
    ),
    ConfigDef::unmodelled(
        "flush.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "9223372036854775807",
        "fsync after this long.",
    ),
    ConfigDef::unmodelled(
        "message.timestamp.before.max.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "9223372036854775807",
        "Rejects records timestamped too far in the past.",
    ),
    ConfigDef::unmodelled(
        "message.timestamp.after.max.ms",
        Kind::Millis { min: 0, allow_unlimited: false },
        "3600000",
        "Rejects records timestamped too far in the future.",
    ),
    ConfigDef::unmodelled("preallocate", Kind::Bool, "false", "Preallocate segment files."),
    ConfigDef::unmodelled(
        "local.retention.ms",
        Kind::Millis { min: -2, allow_unlimited: true },
        "-2",
        "Tiered storage: local retention.",
    ),
    ConfigDef::unmodelled("remote.storage.enable", Kind::Bool, "false", "Tiered storage."),
    ConfigDef::unmodelled("follower.replication.throttled.replicas", Kind::Text, "", "Replication throttling."),
    ConfigDef::unmodelled("leader.replication.throttled.replicas", Kind::Text, "", "Replication throttling."),
];

/// How old data leaves a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupPolicy {
    pub delete: bool,
    pub compact: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

/// The typed topic configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TopicConfig {
    pub cleanup_policy: CleanupPolicy,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub segment_bytes: u64,
    pub segment_ms: i64,
    pub min_insync_replicas: u32,
    pub unclean_leader_election_enable: bool,
    pub max_message_bytes: u64,
    pub min_cleanable_dirty_ratio: f64,
    pub min_compaction_lag_ms: i64,
    pub max_compaction_lag_ms: i64,
    pub delete_retention_ms: i64,
    pub message_timestamp_type: TimestampType,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            cleanup_policy: CleanupPolicy { delete: true, compact: false },
            retention_ms: 604_800_000,
            retention_bytes: -1,
            segment_bytes: 1_073_741_824,
            segment_ms: 604_800_000,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            max_message_bytes: 1_048_588,
            min_cleanable_dirty_ratio: 0.5,
            min_compaction_lag_ms: 0,
            max_compaction_lag_ms: i64::MAX,
            delete_retention_ms: 86_400_000,
            message_timestamp_type: TimestampType::CreateTime,
        }
    }
}

impl Configurable for TopicConfig {
    const SCOPE: Scope = Scope::Topic;

    fn set(&mut self, name: &str, value: &ConfigValue) -> Result<(), String> {
        match name {
            "cleanup.policy" => {
                let words = value.as_list();
                self.cleanup_policy = CleanupPolicy {
                    delete: words.iter().any(|w| w == "delete"),
                    compact: words.iter().any(|w| w == "compact"),
                };
            }
            "retention.ms" => self.retention_ms = value.as_i64(),
            "retention.bytes" => self.retention_bytes = value.as_i64(),
            "segment.bytes" => self.segment_bytes = value.as_i64() as u64,
            "segment.ms" => self.segment_ms = value.as_i64(),
            "min.insync.replicas" => self.min_insync_replicas = value.as_i64() as u32,
            "unclean.leader.election.enable" => self.unclean_leader_election_enable = value.as_bool(),
            "max.message.bytes" => self.max_message_bytes = value.as_i64() as u64,
            "min.cleanable.dirty.ratio" => self.min_cleanable_dirty_ratio = value.as_f64(),
            "min.compaction.lag.ms" => self.min_compaction_lag_ms = value.as_i64(),
            "max.compaction.lag.ms" => self.max_compaction_lag_ms = value.as_i64(),
            "delete.retention.ms" => self.delete_retention_ms = value.as_i64(),
            "message.timestamp.type" => {
                self.message_timestamp_type = if value.as_text() == "LogAppendTime" {
                    TimestampType::LogAppendTime
                } else {
                    TimestampType::CreateTime
                };
            }
            other => return Err(format!("`{other}` is not a modelled topic config")),
        }
        Ok(())
    }
}

//! The `expect:` section as written in YAML: per entry, when it is checked
//! (`at:`, or the window `within:`) and the checks, each a map from what is
//! checked (a partition, consumer, group, producer) to the value expected.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Expected, Keyed};
use crate::scenario::duration::DurationText;

/// What must hold at a time (or at the end), or must have happened in a
/// window. Each map entry is one check; numbers may be exact (`12`) or
/// compared (`">= 10"`, `"< 3"`); counts of things that happen may also be
/// `true` (at least once) or `false` (never).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// When to check. Default: at the end of the run.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub at: Option<Spanned<DurationText>>,
    /// A window, e.g. `[100s, 110s]`: `happened` and `saw` count what
    /// happened from its start to its end (both included), checked at its end.
    #[serde(default)]
    #[schemars(with = "Option<[DurationText; 2]>")]
    pub within: Option<Spanned<Vec<DurationText>>>,
    /// Per partition (`demo_1-0`), the leader's high watermark.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub high_watermark: Option<KeyedChecks>,
    /// Per partition, the leader's log end offset.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub log_end_offset: Option<KeyedChecks>,
    /// Per partition, the leader's log start offset.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub log_start_offset: Option<KeyedChecks>,
    /// Per partition, the leader's last stable offset: how far a
    /// `read_committed` consumer may read.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub last_stable_offset: Option<KeyedChecks>,
    /// Per partition, how many records its log holds (retention and
    /// compaction remove some).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub records: Option<KeyedChecks>,
    /// Per partition, how many segments its log has.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub segments: Option<KeyedChecks>,
    /// Per partition, the size of its log in bytes (what retention.bytes limits).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub bytes: Option<KeyedChecks>,
    /// Per partition, the leader broker (`none` when offline).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub leader: Option<KeyedChecks>,
    /// Per partition, the in-sync replicas, e.g. `[1, 2, 3]` (any order).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Vec<u32>>>")]
    pub isr: Option<Keyed<Spanned<Vec<Spanned<u32>>>>>,
    /// Per consumer, how many records it has received.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub received: Option<KeyedChecks>,
    /// Per consumer, how many of the records it received its group (or it)
    /// had received before: redeliveries.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub redelivered_to: Option<KeyedChecks>,
    /// Per consumer, offsets it jumped over when its position fell out of the
    /// log (OFFSET_OUT_OF_RANGE) and `auto.offset.reset` moved it.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub skipped: Option<KeyedChecks>,
    /// Per consumer, milliseconds eager rebalances kept it from consuming
    /// (from giving up its partitions to receiving the new assignment).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub stopped_by_rebalances_ms: Option<KeyedChecks>,
    /// Per consumer, the partitions it owns, e.g. `[demo_1-0]` (`[]`: idle).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Vec<String>>>")]
    pub assignment: Option<Keyed<Spanned<Vec<Spanned<String>>>>>,
    /// Per group, per partition, the committed offset (the next one to read;
    /// `none`: nothing committed), e.g. `committed: { g1: { demo_1-0: 30 } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, Expected>>>")]
    pub committed: Option<Keyed<KeyedChecks>>,
    /// Per group, the lag summed over the partitions it has committed
    /// (high watermark minus committed offset, as `kafka-consumer-groups` shows).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub lag: Option<KeyedChecks>,
    /// Per group, its generation (one more per completed rebalance).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub generation: Option<KeyedChecks>,
    /// Delivery counts: produced, acknowledged, failed, unacknowledged,
    /// delivered, lost, duplicated, redelivered, unprocessed, reordered,
    /// unobserved, expired, compacted.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub outcome: Option<KeyedChecks>,
    /// The same counts for one producer's records, e.g.
    /// `outcome_of: { fast: { lost: ">= 1" } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, Expected>>>")]
    pub outcome_of: Option<Keyed<KeyedChecks>>,
    /// How often things happened, by kind, e.g.
    /// `happened: { leader_change: { payments-0: 1 }, rebalance: { billing: ">= 1" } }`.
    #[serde(default)]
    pub happened: Option<HappenedSpec>,
    /// Per client, how often it saw an error, by Kafka's name: an error code
    /// in a response (`NOT_ENOUGH_REPLICAS`) or an exception its application
    /// got (`CommitFailedException`), e.g. `saw: { producer: { NOT_ENOUGH_REPLICAS: true } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, Count>>>")]
    pub saw: Option<IndexMap<String, CountMap>>,
    /// Per group, whether it exists: its coordinator knows it (it has
    /// members, or had and is `Empty`) or it has committed offsets.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, bool>>")]
    pub group_exists: Option<IndexMap<String, Spanned<bool>>>,
    /// Per producer or consumer, its state: a consumer is `not started`,
    /// `running`, `stopped`, `crashed` or `failed` (its application got a
    /// fatal exception); a producer `not started`, `running`, `closing`,
    /// `closed` or `crashed`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, ClientStateName>>")]
    pub client_state: Option<IndexMap<String, Spanned<String>>>,
    /// Per partition, per broker, that replica's log end offset, e.g.
    /// `replica_log_end_offset: { payments-0: { 1: 120, 3: ">= 100" } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, Expected>>>")]
    pub replica_log_end_offset: Option<IndexMap<String, CheckMap>>,
    /// Per partition, per broker, whether that replica is in the ISR, e.g.
    /// `in_isr: { payments-0: { 3: false } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, bool>>>")]
    pub in_isr: Option<IndexMap<String, IndexMap<String, Spanned<bool>>>>,
    /// Per partition (or topic: each of its partitions), whether every
    /// replica holds the same records below the high watermark: the same
    /// offsets, leader epochs, keys and values (what KIP-101 and KIP-279
    /// promise once replicas have caught up).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, bool>>")]
    pub replicas_identical: Option<IndexMap<String, Spanned<bool>>>,
    /// Per producer, per partition (or topic: each of its partitions), how
    /// many records its `send()` put there, e.g. `sent_to: { p: { demo-1: 0 } }`.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, IndexMap<String, Count>>>")]
    pub sent_to: Option<IndexMap<String, CountMap>>,
    /// Per producer, the most records in a row (in send order) it put on
    /// one partition: how long the sticky partitioner sticks.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub longest_run: Option<CheckMap>,
    /// Per subject (`orders-value`), how many versions are registered (as
    /// written in `_schemas`).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub subject_versions: Option<CheckMap>,
    /// Per producer or consumer, how many calls its Avro serializer or
    /// deserializer made to the registry (what its cache did not know).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub registry_calls: Option<CheckMap>,
    /// Per consumer, how many RecordDeserializationExceptions poll() threw.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Expected>>")]
    pub deserialization_failures: Option<CheckMap>,
}

/// Counts of things that happened, by kind; each maps what it is about to a
/// count. With `within:` only the window counts, else everything up to the
/// check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HappenedSpec {
    /// Per partition, how often the controller gave it a new leader (or none:
    /// offline), each a new leader epoch.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Count>>")]
    pub leader_change: Option<CountMap>,
    /// Per partition, how often an out-of-sync replica was elected leader
    /// (`unclean.leader.election.enable`).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Count>>")]
    pub unclean_election: Option<CountMap>,
    /// Per group, how many rebalances completed their join phase: new generations.
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Count>>")]
    pub rebalance: Option<CountMap>,
    /// Per group, how often its coordinator deleted committed offsets of it
    /// (tombstones in `__consumer_offsets`, after `offsets.retention.minutes`).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Count>>")]
    pub offsets_expired: Option<CountMap>,
    /// Per group, how often its coordinator deleted it (the tombstone of its
    /// metadata in `__consumer_offsets`).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, Count>>")]
    pub group_deleted: Option<CountMap>,
}

/// A producer's or consumer's state, for editors to complete (the loader
/// checks the name against the client's kind).
#[derive(JsonSchema)]
#[allow(dead_code)]
enum ClientStateName {
    #[serde(rename = "not started")]
    NotStarted,
    #[serde(rename = "running")]
    Running,
    #[serde(rename = "stopped")]
    Stopped,
    #[serde(rename = "crashed")]
    Crashed,
    #[serde(rename = "failed")]
    Failed,
    #[serde(rename = "closing")]
    Closing,
    #[serde(rename = "closed")]
    Closed,
}

/// Names mapped to expected numbers, each name keeping its place in the
/// file so an error about it underlines the name.
pub type KeyedChecks = Keyed<Spanned<Expected>>;

/// Names mapped to expected numbers.
pub type CheckMap = IndexMap<String, Spanned<Expected>>;

/// Names mapped to expected counts.
pub type CountMap = IndexMap<String, Spanned<Count>>;

/// An expected count: a number, a comparison, `true` (at least once) or
/// `false` (never).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    Flag(bool),
    Exactly(i64),
    Compare(String),
}

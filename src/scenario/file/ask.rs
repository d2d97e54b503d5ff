//! The `ask:` of a timeline entry as written in YAML: a question put to the
//! student at that moment, about something the run will show a little later.
//! The file says only *what* is asked; the answer is computed from the run.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::scenario::duration::DurationText;

/// A question to predict before the run shows its answer. Name exactly one
/// of the kinds (`idle`, `owner`, `leader`, `partition_of`, `high_watermark`,
/// `log_end_offset`, `log_start_offset`, `out_of_sync`, `active_controller`, `committed`, `received`,
/// `group_read`, `registry_calls`, `outcome`); the
/// answer is read from the run at `answer_at`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskSpec {
    /// The question as the student reads it. Default: one made from the kind,
    /// e.g. "Which consumer of helpdesk will sit idle?".
    #[serde(default)]
    pub question: Option<String>,
    /// When the answer is read from the run, e.g. `40s`. Default: the end of
    /// the run. It may not come before the question.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub answer_at: Option<Spanned<DurationText>>,
    /// Which consumer of this group will own no partition? Choices: the
    /// group's consumers, and `nobody`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub idle: Option<Spanned<String>>,
    /// Which consumer of `group` will own `partition`?
    #[serde(default)]
    pub owner: Option<OwnerSpec>,
    /// Which broker will lead this partition (`demo_1-0`)? Choices: its
    /// replicas, and `none` (offline).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub leader: Option<Spanned<String>>,
    /// Which partition of `topic` will a record with `key` go to (Kafka's
    /// default partitioner: murmur2 of the key)?
    #[serde(default)]
    pub partition_of: Option<PartitionOfSpec>,
    /// What will this partition's high watermark be?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub high_watermark: Option<Spanned<String>>,
    /// What will this partition's log end offset be?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub log_end_offset: Option<Spanned<String>>,
    /// What will this partition's log start offset be (retention moves it)?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub log_start_offset: Option<Spanned<String>>,
    /// Which broker will be out of this partition's ISR (a replica that is
    /// not in sync)? Choices: every broker, and `none` (all in sync).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub out_of_sync: Option<Spanned<String>>,
    /// Which controller will be the active one (`true`; `false` asks
    /// nothing)? Choices: every controller, and `none` (no quorum).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub active_controller: Option<Spanned<bool>>,
    /// What will `group`'s committed offset on `partition` be?
    #[serde(default)]
    pub committed: Option<CommittedSpec>,
    /// How many records will this consumer have received?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub received: Option<Spanned<String>>,
    /// How many records will this group's consumers have received together?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub group_read: Option<Spanned<String>>,
    /// How many calls will this client's serializer or deserializer make to
    /// the Schema Registry?
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub registry_calls: Option<Spanned<String>>,
    /// How many records will this delivery count hold: `lost`, `duplicated`,
    /// `delivered`, `acknowledged`, ... (as in `expect: outcome`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub outcome: Option<Spanned<String>>,
}

/// `owner: { partition: tickets-0, group: billing }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerSpec {
    #[schemars(with = "String")]
    pub partition: Spanned<String>,
    #[schemars(with = "String")]
    pub group: Spanned<String>,
}

/// `partition_of: { topic: demo_1, key: user-42 }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionOfSpec {
    #[schemars(with = "String")]
    pub topic: Spanned<String>,
    pub key: String,
}

/// `committed: { group: billing, partition: tickets-0 }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommittedSpec {
    #[schemars(with = "String")]
    pub group: Spanned<String>,
    #[schemars(with = "String")]
    pub partition: Spanned<String>,
}

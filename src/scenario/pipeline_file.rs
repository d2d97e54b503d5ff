//! The `pipelines:` section of a scenario file: consume-transform-produce
//! applications. Field docs here become the hover text editors show.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::config_map::ConsumerConfigMap;
use super::duration::DurationText;

/// A consume-transform-produce application: each instance is a consumer of
/// the group reading `input` and a producer writing one derived record to
/// `output` per record read.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineAppSpec {
    /// The application's name.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The consumer group its instances join (`group.id`). Default: the id.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub group: Option<Spanned<String>>,
    /// The topic it reads.
    #[schemars(with = "String")]
    pub input: Spanned<String>,
    /// The topic it writes, one record per record read (same key).
    #[schemars(with = "String")]
    pub output: Spanned<String>,
    /// Its instances (processes), by name; the timeline starts, crashes and
    /// cuts them like clients. Default: one instance named after the id.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub instances: Option<Spanned<Vec<String>>>,
    /// `at_least_once` (default): send the outputs, wait for their acks,
    /// then commit the input offsets; a crash in between processes input
    /// again and duplicates outputs. `exactly_once`: outputs and input
    /// offsets in one transaction (`sendOffsetsToTransaction`), the consumer
    /// reading `read_committed`; needs a `transactional.id`.
    #[serde(default)]
    #[schemars(with = "Option<GuaranteeSpec>")]
    pub guarantee: Option<Spanned<GuaranteeSpec>>,
    /// The transactional.id prefix of an `exactly_once` application: each
    /// instance's producer uses `<transactional.id>-<instance>`.
    #[serde(default, rename = "transactional.id")]
    #[schemars(rename = "transactional.id", with = "Option<String>")]
    pub transactional_id: Option<Spanned<String>>,
    /// How often an instance commits what it processed (its input offsets,
    /// and with exactly_once its transaction), like Kafka Streams'
    /// `commit.interval.ms`. Default `1s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub commit_every: Option<Spanned<DurationText>>,
    /// When the instances start. Default `0s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub start: Option<Spanned<DurationText>>,
    /// Configs of the instances' consumers, e.g. `session.timeout.ms: 10s`.
    #[serde(default)]
    pub consumer_config: Option<ConsumerConfigMap>,
}

/// What a crash can leave behind downstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuaranteeSpec {
    AtLeastOnce,
    ExactlyOnce,
}

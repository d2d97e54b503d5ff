//! The `streams:` section of a scenario file: Kafka Streams applications,
//! their instances, configs and topology in the Streams DSL. Field docs
//! here become the hover text editors show.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::config_map::StreamsConfigMap;
use super::duration::DurationText;

/// A Kafka Streams application: a consumer group named by `application.id`
/// whose members are the stream threads of its instances.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamsAppSpec {
    /// The application's id: its consumer group, and the prefix of its
    /// repartition and changelog topics.
    #[serde(rename = "application.id")]
    #[schemars(rename = "application.id", with = "String")]
    pub application_id: Spanned<String>,
    /// Its instances (KafkaStreams processes), by name; the timeline starts,
    /// crashes, restarts and cuts them like consumers. Default: one instance
    /// named after the application.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub instances: Option<Spanned<Vec<String>>>,
    /// When the instances start. Default `0s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub start: Option<Spanned<DurationText>>,
    /// Event time: the record's timestamp (default), or this field of the
    /// JSON value, in milliseconds (a timestamp extractor).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timestamp_field: Option<Spanned<String>>,
    /// Streams configs, e.g. `num.stream.threads: 2`, `commit.interval.ms: 1s`.
    #[serde(default)]
    pub config: Option<StreamsConfigMap>,
    /// The processor topology in the Streams DSL: pipelines built in order.
    #[schemars(with = "Vec<PipelineSpec>")]
    pub topology: Spanned<Vec<Spanned<PipelineSpec>>>,
}

/// One statement of a Streams program: a start (`stream`, `table`,
/// `global_table` or `from`), then operators, optionally named with `as`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    /// Read a topic as a KStream (`builder.stream(topic)`); later pipelines
    /// name it by the topic.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub stream: Option<Spanned<String>>,
    /// Read a topic as a KTable (`builder.table(topic)`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub table: Option<Spanned<String>>,
    /// Read a topic as a GlobalKTable, copied whole to every instance.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub global_table: Option<Spanned<String>>,
    /// Continue from a stream or table an earlier pipeline named.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    /// A `table`'s store name (`Materialized.as`): the table is materialized
    /// and its changelog is `<application.id>-<store>-changelog`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub store: Option<Spanned<String>>,
    /// The operators, in order.
    #[serde(default)]
    #[schemars(with = "Vec<StepItem>")]
    pub then: Vec<Spanned<StepItem>>,
    /// A name for the result, for later pipelines' `from` and joins.
    #[serde(default, rename = "as")]
    #[schemars(rename = "as", with = "Option<String>")]
    pub as_name: Option<Spanned<String>>,
}

/// An operator: a word (`to_stream`, `group_by_key`, `count`, `peek`,
/// `suppress`) or a map with one key (`filter: '.amount > 10'`).
#[derive(Debug)]
pub enum StepItem {
    Word(String),
    Map(Box<StepSpec>),
}

/// The operators written as a single word.
pub const STEP_WORDS: &[&str] = &["to_stream", "group_by_key", "count", "peek", "suppress"];

impl<'de> Deserialize<'de> for StepItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = StepItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an operator: a word like `to_stream`, or a map like `filter: '.amount > 10'`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StepItem, E> {
                Ok(StepItem::Word(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StepItem, A::Error> {
                StepSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|s| StepItem::Map(Box::new(s)))
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

impl JsonSchema for StepItem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StreamsOperator".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let map = generator.subschema_for::<StepSpec>();
        schemars::json_schema!({
            "description": "An operator: a word, or a map with exactly one operator key.",
            "anyOf": [ { "enum": STEP_WORDS }, map ]
        })
    }
}

/// An operator with its arguments; exactly one key. Expressions are jq:
/// `.` is the record's value, `$key` its key.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Keep records for which the jq predicate is true, e.g. `.amount > 10`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub filter: Option<Spanned<String>>,
    /// Drop records for which the jq predicate is true.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub filter_not: Option<Spanned<String>>,
    /// A new value from the jq expression, e.g. `.amount * 2`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub map_values: Option<Spanned<String>>,
    /// A new key and value: the jq expression yields `{key: ..., value: ...}`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub map: Option<Spanned<String>>,
    /// A new key from the jq expression, e.g. `.customer_id`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub select_key: Option<Spanned<String>>,
    /// Zero or more values per record: every output of the jq expression, e.g. `.items[]`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub flat_map_values: Option<Spanned<String>>,
    /// Look at each record without changing it; the text labels it in the trace.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub peek: Option<Spanned<String>>,
    /// Route each record to the first branch whose predicate holds.
    #[serde(default)]
    #[schemars(with = "Option<SplitSpec>")]
    pub split: Option<Spanned<SplitSpec>>,
    /// Merge another stream (by name) into this one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub merge: Option<Spanned<String>>,
    /// Write the stream to a topic.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub to: Option<Spanned<String>>,
    /// Group by the current key (`Grouped.as(name)` when `name` is given).
    #[serde(default)]
    #[schemars(with = "Option<GroupedSpec>")]
    pub group_by_key: Option<Spanned<GroupedSpec>>,
    /// Group by a new key computed by `key` (always repartitions).
    #[serde(default)]
    #[schemars(with = "Option<GroupBySpec>")]
    pub group_by: Option<Spanned<GroupBySpec>>,
    /// Window a grouped stream: exactly one of `tumbling`, `hopping`,
    /// `sliding`, `session`, and an explicit `grace`.
    #[serde(default)]
    #[schemars(with = "Option<WindowSpec>")]
    pub windowed_by: Option<Spanned<WindowSpec>>,
    /// Count records per key (per window), into a store.
    #[serde(default)]
    #[schemars(with = "Option<StoreSpec>")]
    pub count: Option<Spanned<StoreSpec>>,
    /// Combine values per key: the jq expression sees `{aggregate, value}`.
    #[serde(default)]
    #[schemars(with = "Option<ReduceSpec>")]
    pub reduce: Option<Spanned<ReduceSpec>>,
    /// Aggregate per key from `initializer`; `aggregator` sees `{aggregate, value}`.
    #[serde(default)]
    #[schemars(with = "Option<AggregateSpec>")]
    pub aggregate: Option<Spanned<AggregateSpec>>,
    /// `until_window_closes`: one final result per window.
    #[serde(default)]
    #[schemars(with = "Option<SuppressSpec>")]
    pub suppress: Option<Spanned<SuppressSpec>>,
    /// Turn a table's updates into a stream.
    #[serde(default)]
    #[schemars(with = "Option<std::collections::BTreeMap<String, String>>")]
    pub to_stream: Option<Spanned<EmptySpec>>,
    /// Inner join with a stream (windowed), table or global table.
    #[serde(default)]
    #[schemars(with = "Option<JoinSpec>")]
    pub join: Option<Spanned<JoinSpec>>,
    /// Left join: every left record, with `right` null when nothing matches.
    #[serde(default)]
    #[schemars(with = "Option<JoinSpec>")]
    pub left_join: Option<Spanned<JoinSpec>>,
}

/// No arguments: `{}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptySpec {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitSpec {
    /// The splitter's name (`Named.as`); branch names are appended to it.
    #[serde(default)]
    pub name: Option<String>,
    /// Branches in order; the last may omit `if` (the default branch).
    #[schemars(with = "Vec<BranchSpec>")]
    pub branches: Vec<Spanned<BranchSpec>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchSpec {
    /// The jq predicate; none for the default branch.
    #[serde(default, rename = "if")]
    #[schemars(rename = "if", with = "Option<String>")]
    pub predicate: Option<Spanned<String>>,
    /// `Branched.as(name)`: names the branch's processor.
    #[serde(default)]
    pub name: Option<String>,
    /// Operators applied to the branch.
    #[serde(default)]
    #[schemars(with = "Vec<StepItem>")]
    pub then: Vec<Spanned<StepItem>>,
    /// A name for the branch's result, for later pipelines.
    #[serde(default, rename = "as")]
    #[schemars(rename = "as", with = "Option<String>")]
    pub as_name: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupedSpec {
    /// `Grouped.as(name)`: names the repartition topic `<name>-repartition`.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBySpec {
    /// The new key, a jq expression.
    #[schemars(with = "String")]
    pub key: Spanned<String>,
    /// `Grouped.as(name)`.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    /// Tumbling windows of this size (`TimeWindows.ofSizeAndGrace`).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub tumbling: Option<Spanned<DurationText>>,
    /// Hopping windows of this size; set `advance` too.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub hopping: Option<Spanned<DurationText>>,
    /// How far each hopping window starts after the previous one.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub advance: Option<Spanned<DurationText>>,
    /// Sliding windows with this maximum time difference (`SlidingWindows`).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub sliding: Option<Spanned<DurationText>>,
    /// Session windows with this inactivity gap (`SessionWindows`).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub session: Option<Spanned<DurationText>>,
    /// How long after a window's end late records are still accepted
    /// (required since Kafka 3.0, KIP-633; `0s` for none).
    #[schemars(with = "DurationText")]
    pub grace: Spanned<DurationText>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreSpec {
    /// The store's name (`Materialized.as`); default: Kafka's generated name.
    #[serde(default)]
    pub store: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReduceSpec {
    /// jq over `{aggregate, value}`, e.g. `.aggregate + .value`.
    #[schemars(with = "String")]
    pub reducer: Spanned<String>,
    #[serde(default)]
    pub store: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateSpec {
    /// jq for the first aggregate of a key, e.g. `0`.
    #[schemars(with = "String")]
    pub initializer: Spanned<String>,
    /// jq over `{aggregate, value}`, e.g. `.aggregate + .value.amount`.
    #[schemars(with = "String")]
    pub aggregator: Spanned<String>,
    #[serde(default)]
    pub store: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressSpec {
    /// Only `window_closes` (`Suppressed.untilWindowCloses(unbounded())`).
    #[schemars(with = "String")]
    pub until: Spanned<String>,
    /// `.withName(name)`.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    /// Join with this stream, within `within`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub stream: Option<Spanned<String>>,
    /// Join with this table.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub table: Option<Spanned<String>>,
    /// Join with this global table, looked up by `key`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub global_table: Option<Spanned<String>>,
    /// Stream-stream joins: the largest time difference between joined records
    /// (`JoinWindows.ofTimeDifferenceAndGrace`).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub within: Option<Spanned<DurationText>>,
    /// Stream-stream joins: how long late records still join (required).
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub grace: Option<Spanned<DurationText>>,
    /// Global-table joins: the lookup key, a jq expression over the record.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub key: Option<Spanned<String>>,
    /// The joined value: jq over `{left, right}`. Default `{left, right}` itself.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
}

//! The scenario file format as written in YAML: what serde reads and schemars
//! describes. Field docs here become the hover text editors show.
//!
//! Nothing here is checked beyond YAML types; `resolve` turns a file into a
//! validated [`super::Scenario`] and reports every problem with its location.
//! Names and numbers that a later check may find wrong keep their place in
//! the file (`Spanned`), down to a map's keys and a list's items, so the
//! error underlines exactly them.

mod ask;
mod expect;
mod expected;
mod host;
mod key;
mod keyed;
mod one_or_many;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

pub use ask::{AskSpec, CommittedSpec, OwnerSpec, PartitionOfSpec};
pub use expected::Expected;
pub use host::HostRef;
pub use key::{KeySpec, OneOfSpec};
pub use keyed::Keyed;
pub use one_or_many::{OneOrMany, SpanOf};

use super::config_map::{BrokerConfigMap, ConsumerConfigMap, ProducerConfigMap, TopicConfigMap};
use super::duration::DurationText;
use super::link::{BandwidthText, LossText};

pub use expect::{CheckMap, Count, CountMap, ExpectSpec, HappenedSpec, KeyedChecks};

/// A lesson you can run: a cluster, topics, clients, a timeline and expectations.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenario's title.
    pub name: String,
    /// One line saying what the scenario shows.
    #[serde(default)]
    pub description: Option<String>,
    /// The book chapter that uses this scenario (`kafkasim list` shows the
    /// values): `consumer-groups`, `replication`, `acks-and-durability`, ...
    /// Leave it out for a scenario that is not a lesson of the book.
    #[serde(default)]
    pub lesson: Option<String>,
    /// The terminal UI's panes that matter most for this lesson, first the
    /// most: `cluster`, `logs`, `consumers`, `producers`, `checks`. A small
    /// terminal shows the first (and the second when there is room) above
    /// the events. Default: chosen from what the scenario does.
    #[serde(default)]
    #[schemars(with = "Option<Vec<PaneName>>")]
    pub panes: Option<Spanned<Vec<String>>>,
    /// Seed of every random choice (network jitter, null-key partitions, ...).
    /// Same scenario + same seed = the same run, event for event. Default 1.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub seed: Option<Spanned<u64>>,
    /// Number of brokers, with ids 1, 2, ... Default 1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub brokers: Option<Spanned<u32>>,
    /// KRaft controller nodes (ids 1, 2, ...), separate from the brokers as in
    /// Kafka's isolated mode. One is active; with 3 or 5 the others take over
    /// when it dies. Default 1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub controllers: Option<Spanned<u32>>,
    /// Broker configs (server.properties), the same on every broker, e.g.
    /// `broker.session.timeout.ms: 9000`, `min.insync.replicas: 2`.
    #[serde(default)]
    pub broker_config: Option<BrokerConfigMap>,
    /// The simulated network.
    #[serde(default)]
    pub network: Option<NetworkSpec>,
    #[serde(default)]
    pub topics: Vec<TopicSpec>,
    #[serde(default)]
    pub producers: Vec<ProducerSpec>,
    #[serde(default)]
    pub consumers: Vec<ConsumerSpec>,
    /// Kafka Streams applications: instances, configs and a topology.
    #[serde(default)]
    pub streams: Vec<super::streams_file::StreamsAppSpec>,
    /// Consume-transform-produce applications: read a topic, write a
    /// derived record per record to another, commit the input offsets
    /// (inside the transaction with `guarantee: exactly_once`).
    #[serde(default)]
    pub pipelines: Vec<super::pipeline_file::PipelineAppSpec>,
    /// Things that happen at given times: narration, clients starting and
    /// stopping, faults.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// What must be true, at given times or at the end.
    #[serde(default)]
    pub expect: Vec<ExpectSpec>,
    /// How long to simulate, e.g. `90s`. Default: 10s after the last planned event.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub run: Option<Spanned<DurationText>>,
    /// Safety limits on the size of a run.
    #[serde(default)]
    pub limits: Option<LimitsSpec>,
    /// A Schema Registry beside the cluster (Confluent's `schema-registry`),
    /// for clients that write or read Avro. It keeps its schemas in the
    /// `_schemas` topic; the timeline names it `schema-registry`.
    #[serde(default)]
    pub schema_registry: Option<RegistrySpec>,
}

/// The Schema Registry's settings.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrySpec {
    /// `schema.compatibility.level` for subjects without their own: BACKWARD
    /// (the default), BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
    /// FULL_TRANSITIVE or NONE.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub compatibility: Option<Spanned<String>>,
    /// Levels per subject, e.g. `{ orders-value: FULL }`: set by an operator
    /// (`PUT /config/{subject}`) when the registry first starts.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, String>")]
    pub subjects: IndexMap<String, Spanned<String>>,
}

/// An Avro schema: the path of an `.avsc` file (relative to the scenario;
/// the course's `schemas/…` files are built in), or the schema written out
/// (`{ type: record, name: Order, fields: [...] }`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum SchemaSpec {
    File(String),
    Inline(serde_json::Value),
}

/// How a consumer reads keys or values.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FormatSpec {
    /// The bytes as they are (the default).
    Plain,
    /// Confluent's KafkaAvroDeserializer: the writer's schema from the registry.
    Avro,
}

/// What a consumer's application does when poll() throws a
/// RecordDeserializationException.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorPolicySpec {
    /// Nothing catches it: the application stops (the default).
    Fail,
    /// It seeks past the record and goes on.
    Skip,
    /// It waits a second and polls again.
    Retry,
}

/// A client's application changes its schema (a new version is deployed).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvolveSpec {
    /// The producer or consumer.
    #[schemars(with = "String")]
    pub client: Spanned<String>,
    /// Its new value schema (a producer writes with it; a specific consumer reads into it).
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub value_schema: Option<Spanned<SchemaSpec>>,
    /// Its new key schema.
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub key_schema: Option<Spanned<SchemaSpec>>,
    /// A producer's new value template, to fill the new schema's fields.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
}

/// A pane of the terminal UI.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaneName {
    Cluster,
    Logs,
    Consumers,
    Producers,
    Checks,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// One-way latency of every link. Default `1ms`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub latency: Option<Spanned<DurationText>>,
    /// Random variation added to or taken from the latency. Default `100us`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub jitter: Option<Spanned<DurationText>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Number of partitions.
    #[schemars(with = "u32")]
    pub partitions: Spanned<u32>,
    /// Copies of each partition, on different brokers. Default 1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub replication_factor: Option<Spanned<u32>>,
    /// Explicit replica lists per partition, e.g. `[[1, 2, 3], [2, 3, 1]]`; the
    /// first broker of each list is the preferred leader. Default: Kafka's placement.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Vec<u32>>>")]
    pub replicas: Option<Spanned<Vec<ReplicaList>>>,
    /// Topic configs, e.g. `retention.ms: 1d`, `cleanup.policy: compact`.
    #[serde(default)]
    pub config: Option<TopicConfigMap>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProducerSpec {
    /// The producer's name in traces and the timeline.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// The topic it writes to.
    #[schemars(with = "String")]
    pub topic: Spanned<String>,
    /// Time between sends, e.g. `1s`. Default `1s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub every: Option<Spanned<DurationText>>,
    /// Records sent at each tick (more than 1 makes bursts). Default 1.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub per_tick: Option<Spanned<u32>>,
    /// Total records to send.
    #[schemars(with = "u64")]
    pub count: Spanned<u64>,
    /// When the application starts sending. Default `0s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub start: Option<Spanned<DurationText>>,
    /// When it stops sending (close()), if before `count` is reached.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub stop: Option<Spanned<DurationText>>,
    /// The key of each record. Default: null, or the Datagen key when `datagen` is set.
    #[serde(default)]
    #[schemars(with = "Option<KeySpec>")]
    pub key: Option<Spanned<KeySpec>>,
    /// The value: a template like `value-{n}`, or `null` for tombstones.
    /// Default `value-{n}`, or Datagen JSON when `datagen` is set. `{{` and
    /// `}}` are literal braces, for JSON: `'{{"ride": {n}}}'`.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Option<Option<String>>")]
    pub value: Option<Spanned<Option<String>>>,
    /// Pad or cut every value to exactly this many bytes.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub value_bytes: Option<Spanned<u32>>,
    /// A Confluent Datagen quickstart: `orders`, `users`, `pageviews`, `stock_trades`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub datagen: Option<Spanned<String>>,
    /// Headers added to every record; values are templates.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, String>")]
    pub headers: Keyed<Spanned<String>>,
    /// Send every record to this partition instead of using the partitioner.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub partition: Option<Spanned<u32>>,
    /// The client library: `java` (default), `kafka-python` or `librdkafka`
    /// (confluent-kafka). It sets that library's defaults (kafka-python:
    /// acks=1, linger.ms=0; librdkafka: batch.size 1000000, no idempotence)
    /// and its partitioner (librdkafka hashes keys with CRC-32). Configs keep
    /// Kafka's names whatever the client.
    #[serde(default)]
    #[schemars(with = "Option<ClientName>")]
    pub client: Option<Spanned<String>>,
    /// Producer configs, e.g. `acks: 1`, `linger.ms: 0`.
    #[serde(default)]
    pub config: Option<ProducerConfigMap>,
    /// Write values as Avro with this schema (Confluent's KafkaAvroSerializer):
    /// each value, Avro's JSON encoding from `value` or Datagen, must conform.
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub value_schema: Option<Spanned<SchemaSpec>>,
    /// Write keys as Avro with this schema.
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub key_schema: Option<Spanned<SchemaSpec>>,
    /// A transactional producer's transactions (needs `transactional.id` in
    /// `config`), repeated in order until `count` records are sent: each
    /// begins, sends its `send` records (the workload's next ones, `per_tick`
    /// per tick) and ends as `end` says, e.g.
    /// `[{ send: 3, end: commit }, { send: 2, end: abort }]`. Default: each
    /// tick's records in one transaction that commits.
    #[serde(default)]
    #[schemars(with = "Option<Vec<TransactionSpec>>")]
    pub transactions: Option<Spanned<Vec<TransactionSpec>>>,
}

/// One transaction of a transactional producer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransactionSpec {
    /// Records sent in the transaction (at least 1).
    #[schemars(with = "u32")]
    pub send: Spanned<u32>,
    /// How it ends: `commit` (commitTransaction()), `abort`
    /// (abortTransaction()) or `crash` (the process dies with the
    /// transaction open; its coordinator aborts it after
    /// `transaction.timeout.ms`, or when a new instance with the same
    /// `transactional.id` starts). Default `commit`.
    #[serde(default)]
    #[schemars(with = "Option<TransactionEndSpec>")]
    pub end: Option<Spanned<TransactionEndSpec>>,
    /// The topics the transaction writes to: its records go to them in turn
    /// (the first to the first topic, the next to the second, ...), and
    /// Kafka commits or aborts them together. Default: the producer's `topic`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub topics: Option<Spanned<Vec<Spanned<String>>>>,
}

/// How a transaction ends.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum TransactionEndSpec {
    Commit,
    Abort,
    Crash,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerSpec {
    /// The consumer's name in traces and the timeline.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Copy every setting not given here from this consumer.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub like: Option<Spanned<String>>,
    /// Topics to read: in a group it subscribes to them; without a group it is
    /// assigned all their partitions.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub topics: Option<Spanned<Vec<Spanned<String>>>>,
    /// Manual assignment (Kafka's `assign()`): partitions like `demo_1-0`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub assign: Option<Spanned<Vec<Spanned<String>>>>,
    /// The consumer group (`group.id`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub group: Option<Spanned<String>>,
    /// When the consumer starts. Default `0s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub start: Option<Spanned<DurationText>>,
    /// Time the application spends on each record. Default `0s`.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub processing: Option<Spanned<DurationText>>,
    /// When a consumer in a group commits: `auto` (enable.auto.commit, the
    /// default), `after-processing` (commitSync after each poll's records:
    /// at-least-once) or `before-processing` (commitSync before processing:
    /// at-most-once).
    #[serde(default)]
    #[schemars(with = "Option<CommitSpec>")]
    pub commit: Option<Spanned<CommitSpec>>,
    /// The client library: `java` (default), `kafka-python` or `librdkafka`
    /// (confluent-kafka). It sets that library's defaults (kafka-python:
    /// session.timeout.ms 10s, assignors range and roundrobin, client id
    /// `kafka-python-2.0.2`; librdkafka: client id `rdkafka`, a group is
    /// required). Configs keep Kafka's names whatever the client.
    #[serde(default)]
    #[schemars(with = "Option<ClientName>")]
    pub client: Option<Spanned<String>>,
    /// Start positions, e.g. `{ demo_1-0: 5 }` (Kafka's `seek()`).
    #[serde(default)]
    #[schemars(with = "Option<IndexMap<String, i64>>")]
    pub seek: Option<Keyed<Spanned<i64>>>,
    /// Consumer configs, e.g. `auto.offset.reset: earliest`.
    #[serde(default)]
    pub config: Option<ConsumerConfigMap>,
    /// `avro`: read values with Confluent's KafkaAvroDeserializer. Default `plain`.
    #[serde(default)]
    #[schemars(with = "Option<FormatSpec>")]
    pub value_format: Option<Spanned<FormatSpec>>,
    /// `avro`: read keys with KafkaAvroDeserializer. Default `plain`.
    #[serde(default)]
    #[schemars(with = "Option<FormatSpec>")]
    pub key_format: Option<Spanned<FormatSpec>>,
    /// The application's own value class as an Avro schema: with
    /// `specific.avro.reader: true`, each value is resolved into it.
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub value_schema: Option<Spanned<SchemaSpec>>,
    /// The application's own key class as an Avro schema.
    #[serde(default)]
    #[schemars(with = "Option<SchemaSpec>")]
    pub key_schema: Option<Spanned<SchemaSpec>>,
    /// When poll() throws a RecordDeserializationException: `fail` (the
    /// application stops; default), `skip` (seek past the record) or `retry`
    /// (poll again a second later).
    #[serde(default)]
    #[schemars(with = "Option<ErrorPolicySpec>")]
    pub on_deserialization_error: Option<Spanned<ErrorPolicySpec>>,
}

/// A client library, for the schema's completion list.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientName {
    Java,
    KafkaPython,
    Librdkafka,
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CommitSpec {
    Auto,
    AfterProcessing,
    BeforeProcessing,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlowSpec {
    /// The broker id or client id to slow down.
    #[schemars(with = "HostRef")]
    pub host: Spanned<HostRef>,
    /// Extra one-way latency on everything it sends and receives; `0s` restores it.
    #[schemars(with = "DurationText")]
    pub latency: Spanned<DurationText>,
}

/// Conditions on the links of one host, or on the link between two hosts,
/// on top of the network's base latency.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// One host (its links to every other host), e.g. `[3]`, or two hosts
    /// (the link between them), e.g. `[1, 3]`.
    #[schemars(with = "Vec<HostRef>")]
    pub between: Spanned<Vec<HostRef>>,
    /// Extra one-way latency.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub latency: Option<Spanned<DurationText>>,
    /// Random variation added to or taken from the extra latency.
    #[serde(default)]
    #[schemars(with = "Option<DurationText>")]
    pub jitter: Option<Spanned<DurationText>>,
    /// Fraction of messages lost: TCP resends them after its retransmission
    /// timeout (200 ms, doubling), so they arrive late: `0.01` or `1%`.
    #[serde(default)]
    #[schemars(with = "Option<LossText>")]
    pub loss: Option<Spanned<LossText>>,
    /// Bytes per second each way; a message takes size / bandwidth to
    /// send, and messages queue behind each other: `1MB/s`, `10Mbit/s`.
    #[serde(default)]
    #[schemars(with = "Option<BandwidthText>")]
    pub bandwidth: Option<Spanned<BandwidthText>>,
}

/// A topic the admin client creates while the cluster runs, as
/// `kafka-topics.sh --create` does: a CreateTopics request to a broker,
/// which the controller answers.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTopicSpec {
    /// The new topic's name.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Number of partitions. Default: the brokers' `num.partitions` (1).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub partitions: Option<Spanned<u32>>,
    /// Copies of each partition, on different brokers. Default: the
    /// brokers' `default.replication.factor` (1).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub replication_factor: Option<Spanned<u32>>,
    /// Topic configs, e.g. `retention.ms: 1d`.
    #[serde(default)]
    pub config: Option<TopicConfigMap>,
}

/// One moment of the timeline: `at` plus one kind of action. The actions
/// that name clients or hosts take one name or a list (`kill: [2, 3]`),
/// all happening at that moment in list order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// When, e.g. `30s`.
    #[schemars(with = "DurationText")]
    pub at: Spanned<DurationText>,
    /// A line of narration: the lesson's voice.
    #[serde(default)]
    pub say: Option<String>,
    /// Start a producer or consumer: one that has not started yet (a client
    /// whose first timeline action is `start` waits for it), or again after
    /// `stop` or `crash`.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub start: Option<Spanned<OneOrMany<String>>>,
    /// Stop a producer or consumer cleanly (close()).
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub stop: Option<Spanned<OneOrMany<String>>>,
    /// Crash a producer or consumer: it stops without a word.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub crash: Option<Spanned<OneOrMany<String>>>,
    /// Kill a broker (`2`) or controller (`controller-1`) process; what it wrote
    /// to disk survives.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<HostRef>>")]
    pub kill: Option<Spanned<OneOrMany<HostRef>>>,
    /// A broker's (`2`) or controller's machine dies, as when a server loses
    /// power or its container is removed: the process stops and the host
    /// vanishes from the network. Unlike `kill`, nobody's connection is
    /// reset: peers learn only from timeouts. `restart` brings it back.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<HostRef>>")]
    pub kill_host: Option<Spanned<OneOrMany<HostRef>>>,
    /// Restart a killed broker or controller.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<HostRef>>")]
    pub restart: Option<Spanned<OneOrMany<HostRef>>>,
    /// Run a preferred leader election now (`kafka-leader-election
    /// --election-type PREFERRED`): partitions go back to their first replica
    /// where it is in sync.
    #[serde(default)]
    pub preferred_election: Option<bool>,
    /// Cut the network between groups of hosts, e.g. `[[1], [2, 3, producer]]`.
    /// Hosts left out of every group keep reaching everyone.
    #[serde(default)]
    #[schemars(with = "Option<Vec<Vec<HostRef>>>")]
    pub cut: Option<Spanned<Vec<Vec<Spanned<HostRef>>>>>,
    /// Heal every network cut (`heal: true`).
    #[serde(default)]
    pub heal: Option<bool>,
    /// Add latency to one host.
    #[serde(default)]
    pub slow: Option<SlowSpec>,
    /// Set the conditions of one host's links, or of the link between two
    /// hosts: extra latency, jitter, loss, bandwidth. Conditions left out are
    /// clear; `link: { between: [3] }` restores the link.
    #[serde(default)]
    pub link: Option<LinkSpec>,
    /// A consumer's application stops calling poll() (it is stuck processing).
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub pause: Option<Spanned<OneOrMany<String>>>,
    /// A paused consumer's application calls poll() again.
    #[serde(default)]
    #[schemars(with = "Option<OneOrMany<String>>")]
    pub resume: Option<Spanned<OneOrMany<String>>>,
    /// Create a topic while the cluster runs, e.g.
    /// `{ name: clicks, partitions: 3, replication_factor: 2 }`. The
    /// controller refuses a name that exists (TOPIC_ALREADY_EXISTS).
    #[serde(default)]
    pub create_topic: Option<CreateTopicSpec>,
    /// A producer or consumer switches to another Avro schema, e.g.
    /// `{ client: app, value_schema: schemas/order-v2.avsc, value: '...' }`.
    #[serde(default)]
    pub evolve: Option<EvolveSpec>,
    /// A question for the student to answer before the run goes on, e.g.
    /// `{ idle: helpdesk, answer_at: 10s }`: its answer is computed from the
    /// run. The terminal UI pauses here; `kafkasim run` prints the question,
    /// then the answer at `answer_at`.
    #[serde(default)]
    #[schemars(with = "Option<AskSpec>")]
    pub ask: Option<Spanned<AskSpec>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsSpec {
    /// Stop with an error after this many engine events. Default 50,000,000.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_events: Option<Spanned<u64>>,
    /// Refuse scenarios that would send more records than this. Default 10,000,000.
    #[serde(default)]
    #[schemars(with = "Option<u64>")]
    pub max_records: Option<Spanned<u64>>,
}

/// A field that is present, even as `null`: `value: null` means "null
/// values" (tombstones), not "no value given".
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// One partition's replicas in `replicas:`, each broker located.
pub type ReplicaList = Spanned<Vec<Spanned<u32>>>;

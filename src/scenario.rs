//! Scenarios: lessons you can run. A YAML file names the cluster, topics,
//! producers, consumers, a timeline of narration and faults, and expectations.
//!
//! `load` parses a file (`file`), checks every name and number against the
//! rest of the file and against Kafka's config tables (`resolve`), and returns a
//! [`Scenario`] the world can be built from — or a [`ScenarioError`] that points
//! at file:line:column with a fix.

pub mod builtin;
pub mod config_map;
pub mod diagnostic;
pub mod duration;
pub mod expectation;
pub mod file;
pub mod graph;
pub mod lessons;
pub mod link;
pub mod parse;
pub mod pipeline_file;
pub mod question;
pub mod resolve;
pub mod save;
pub mod starter;
pub mod streams_file;
pub mod suggest;
pub mod yaml_tree;

use std::collections::BTreeMap;
use std::path::Path;

pub use diagnostic::{Problem, ScenarioError, Source};
pub use expectation::{
    CONSUMER_STATES, Check, ClientError, Comparison, Expectation, Expected, Happening, HappeningKind, Observed,
    OutcomeField, PRODUCER_STATES,
};

use crate::client::workload::Workload;
use crate::config::{BrokerConfig, ConsumerConfig, ProducerConfig, TopicConfig};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ClientIdx, ControllerId, TopicId, TopicPartition};

/// Largest scenario file accepted, so a stray huge file is refused quickly.
pub const MAX_FILE_BYTES: usize = 1 << 20;
pub const DEFAULT_MAX_EVENTS: u64 = 50_000_000;
pub const DEFAULT_MAX_RECORDS: u64 = 10_000_000;
/// Hard ceilings even a scenario's `limits:` cannot raise.
pub const CEILING_MAX_EVENTS: u64 = 2_000_000_000;
/// Every record is kept in memory (its key and value plus about 100 bytes
/// of metadata and delivery ledger): 20 million stays within a few GiB.
pub const CEILING_MAX_RECORDS: u64 = 20_000_000;
/// Most bytes of record values all producers may send (kept in memory).
pub const MAX_VALUE_BYTES: u64 = 2 << 30;
pub const MAX_BROKERS: u32 = 64;
pub const MAX_CONTROLLERS: u32 = 5;
pub const MAX_PARTITIONS: u32 = 10_000;
/// Partitions of all topics together (`__consumer_offsets` included): every
/// event of a broker looks at the partitions it hosts.
pub const MAX_TOTAL_PARTITIONS: u32 = 10_000;
/// Replicas of all partitions together (each keeps its own log).
pub const MAX_TOTAL_REPLICAS: u32 = 30_000;
/// Producers and consumers together.
pub const MAX_CLIENTS: u32 = 1_000;
/// Per consumer group, members × partitions they subscribe to: what one run
/// of a sticky assignor walks through (a million takes about a second).
pub const MAX_GROUP_ASSIGNMENT: u64 = 1_000_000;
/// Longest simulated time: a year covers every retention lesson.
pub const MAX_RUN: SimDuration = SimDuration::from_secs(366 * 86_400);

/// A validated scenario, ready to build a world from.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub lesson: Option<String>,
    /// The terminal UI's panes that matter most, first the most (`panes:`);
    /// empty when the scenario leaves the choice to the UI.
    pub panes: Vec<String>,
    pub seed: u64,
    pub source: Source,
    pub brokers: u32,
    pub controllers: u32,
    pub broker_config: BrokerConfig,
    pub latency: SimDuration,
    pub jitter: SimDuration,
    pub topics: Vec<TopicDef>,
    pub producers: Vec<ProducerDef>,
    pub consumers: Vec<ConsumerDef>,
    /// Kafka Streams applications.
    pub streams: Vec<crate::streams::StreamsApp>,
    /// Consume-transform-produce applications.
    pub pipelines: Vec<crate::client::pipeline::PipelineApp>,
    pub timeline: Vec<TimedAction>,
    pub expectations: Vec<Expectation>,
    /// Questions put to the student (`ask:`), by the time they are asked.
    pub questions: Vec<question::Question>,
    pub run_for: SimTime,
    pub limits: Limits,
    /// Settings the scenario makes that have no effect (as in Kafka 4.0),
    /// told to the user when it is checked or run.
    pub notes: Vec<String>,
    /// The Schema Registry, when the scenario has one.
    pub registry: Option<RegistryDef>,
}

/// A Schema Registry and its `_schemas` topic.
#[derive(Clone, Debug)]
pub struct RegistryDef {
    pub config: crate::registry::RegistryConfig,
    pub schemas_topic: TopicId,
}

#[derive(Clone, Debug)]
pub struct TopicDef {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    /// Explicit replica lists, or `None` for Kafka's placement.
    pub replicas: Option<Vec<Vec<BrokerId>>>,
    pub config: TopicConfig,
    /// Kafka's own topics: `__consumer_offsets`, created when groups are used,
    /// and `__transaction_state`, created when a producer is transactional.
    pub internal: bool,
}

/// The name of Kafka's offsets topic.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

#[derive(Clone, Debug)]
pub struct ProducerDef {
    pub name: String,
    pub topic: TopicId,
    pub config: ProducerConfig,
    pub workload: Workload,
    /// `None`: started by a timeline `start`.
    pub start: Option<SimTime>,
    /// Confluent's Avro serializer, when the producer writes Avro.
    pub avro: Option<crate::client::serde::AvroSerdeDef>,
    /// A transactional producer's transactions (`None`: not transactional).
    pub transactions: Option<crate::client::transaction_plan::TransactionPlan>,
}

/// When a consumer in a group commits its offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    /// Never (no group, or `enable.auto.commit=false` without manual commits).
    Never,
    /// `enable.auto.commit=true`: inside poll(), every `auto.commit.interval.ms`.
    Auto,
    /// `commitSync()` after processing each poll's records: at-least-once.
    AfterProcessing,
    /// `commitSync()` right after poll(), before processing: at-most-once.
    BeforeProcessing,
}

#[derive(Clone, Debug)]
pub struct ConsumerDef {
    pub name: String,
    pub topics: Vec<TopicId>,
    pub assign: Vec<TopicPartition>,
    pub group: Option<String>,
    pub seeks: BTreeMap<TopicPartition, i64>,
    pub processing: SimDuration,
    pub commit: CommitMode,
    pub config: ConsumerConfig,
    pub start: Option<SimTime>,
    /// Confluent's Avro deserializer, when the consumer reads Avro.
    pub avro: Option<crate::client::serde::AvroSerdeDef>,
}

/// A client: producer or consumer, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientRef {
    Producer(ClientIdx),
    Consumer(ClientIdx),
}

/// A host as a timeline names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HostName {
    Broker(BrokerId),
    Controller(ControllerId),
    Client(ClientRef),
    SchemaRegistry,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Say(String),
    Start(ClientRef),
    Stop(ClientRef),
    Crash(ClientRef),
    /// Kill a broker or controller process.
    Kill(HostName),
    /// A broker's or controller's machine dies: the process stops and the
    /// host drops off the network without resetting any connection.
    KillHost(HostName),
    /// Sets the conditions of one host's links (`None`: with every host) or
    /// of the link between two hosts; clear conditions restore the link.
    Link(HostName, Option<HostName>, crate::net::LinkConditions),
    Restart(HostName),
    PreferredElection,
    Cut(Vec<Vec<HostName>>),
    Heal,
    Slow(HostName, SimDuration),
    /// The application stops (`true`) or resumes calling poll().
    Pause(ClientIdx, bool),
    /// The admin client asks a broker to create a topic (`kafka-topics.sh --create`).
    CreateTopic(crate::protocol::NewTopic),
    /// A client's application changes its Avro schemas (and a producer its
    /// value template).
    Evolve {
        client: ClientRef,
        value_schema: Option<crate::avro::AvroSchema>,
        key_schema: Option<crate::avro::AvroSchema>,
        value: Option<crate::client::workload::Template>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    pub at: SimTime,
    pub action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_events: u64,
    pub max_records: u64,
}

/// Loads and validates a scenario file from disk.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let name = path.display().to_string();
    let bytes = read_file(path).map_err(|problem| ScenarioError::new(Source::new(name.clone(), ""), vec![problem]))?;
    load_bytes(&name, &bytes)
}

/// Reads a scenario file: only a regular file (never a directory, a FIFO
/// that would wait for a writer, or a device such as `/dev/zero` that never
/// ends), and at most one byte more than the size limit, so a huge file is
/// refused without being read whole.
fn read_file(path: &Path) -> Result<Vec<u8>, Problem> {
    use std::io::Read;
    let name = path.display();
    let cannot_read = |e: std::io::Error| {
        Problem::whole_file(format!("cannot read {name}: {e}"))
            .help("check the path; `kafkasim list` shows the built-in scenarios, which you can name without a path")
    };
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "a pipe, socket or device" };
        return Err(Problem::whole_file(format!("{name} is {what}, not a scenario file"))
            .help("give the path of a YAML file, such as `scenarios/producer-consumer.yaml`"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    Ok(bytes)
}

/// Loads and validates scenario text that may not be UTF-8.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ScenarioError::new(
            Source::new(name, ""),
            vec![
                Problem::whole_file(format!(
                    "{name} is larger than {MAX_FILE_BYTES} bytes, the limit for scenario files"
                ))
                .help("a scenario describes a lesson, not data: use `count:` and templates to generate records"),
            ],
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => load_str(name, text),
        Err(e) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let source = Source::new(name, text);
            let span = miette::SourceSpan::new(e.valid_up_to().into(), 1);
            Err(ScenarioError::new(
                source,
                vec![
                    Problem::at(span, "the file is not UTF-8 text")
                        .label("invalid byte here")
                        .help("scenario files are YAML text; is this the right file?"),
                ],
            ))
        }
    }
}

/// Loads and validates scenario text.
pub fn load_str(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let source = Source::new(name, unix_line_breaks(text));
    let file = parse::parse(&source)?;
    resolve::resolve(file, source)
}

/// YAML ends lines with `\n`, `\r\n` or a lone `\r`; every one becomes `\n`
/// before parsing, so the parser, the error's line numbers and the snippet
/// all count lines the same way.
fn unix_line_breaks(text: &str) -> String {
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() }
}

impl Scenario {
    /// Every client name, producers first.
    pub fn client(&self, name: &str) -> Option<ClientRef> {
        if let Some(i) = self.producers.iter().position(|p| p.name == name) {
            return Some(ClientRef::Producer(ClientIdx(i as u32)));
        }
        self.consumers.iter().position(|c| c.name == name).map(|i| ClientRef::Consumer(ClientIdx(i as u32)))
    }

    /// Every producer's and consumer's name, producers first: the names a
    /// misspelt client could have meant.
    pub fn client_names(&self) -> Vec<&str> {
        self.producers.iter().map(|p| p.name.as_str()).chain(self.consumers.iter().map(|c| c.name.as_str())).collect()
    }

    /// Whether a client serializes or deserializes with Avro through the
    /// Schema Registry.
    pub fn uses_registry(&self, client: ClientRef) -> bool {
        match client {
            ClientRef::Producer(p) => self.producers[p.0 as usize].avro.is_some(),
            ClientRef::Consumer(c) => self.consumers[c.0 as usize].avro.is_some(),
        }
    }

    /// A client's name as the file gives it.
    pub fn client_name(&self, client: ClientRef) -> &str {
        match client {
            ClientRef::Producer(p) => &self.producers[p.0 as usize].name,
            ClientRef::Consumer(c) => &self.consumers[c.0 as usize].name,
        }
    }

    /// The clients of a Kafka Streams instance (its stream threads'
    /// consumers and producers), or `None` when no application has an
    /// instance of that name.
    pub fn instance_clients(&self, instance: &str) -> Option<Vec<ClientRef>> {
        if self.pipelines.iter().any(|a| a.instances.iter().any(|i| i == instance)) {
            use crate::client::pipeline::PipelineApp;
            let consumer = self.client(&PipelineApp::consumer_name(instance));
            let producer = self.client(&PipelineApp::producer_name(instance));
            return Some(consumer.into_iter().chain(producer).collect());
        }
        if !self.streams.iter().any(|a| a.instances.iter().any(|i| i == instance)) {
            return None;
        }
        let prefix = format!("{instance}-StreamThread-");
        let producers = self.producers.iter().enumerate().filter(|(_, p)| p.name.starts_with(&prefix));
        let consumers = self.consumers.iter().enumerate().filter(|(_, c)| c.name.starts_with(&prefix));
        Some(
            consumers
                .map(|(i, _)| ClientRef::Consumer(ClientIdx(i as u32)))
                .chain(producers.map(|(i, _)| ClientRef::Producer(ClientIdx(i as u32))))
                .collect(),
        )
    }

    /// The topic of this name. Internal topics are found by name, never by
    /// position: `__consumer_offsets` and `__transaction_state` may both exist.
    pub fn topic_named(&self, name: &str) -> Option<TopicId> {
        self.topics.iter().position(|t| t.name == name).map(|i| TopicId(i as u32))
    }

    /// The internal `__consumer_offsets` topic, when the scenario uses groups.
    pub fn offsets_topic(&self) -> Option<TopicId> {
        self.topic_named(OFFSETS_TOPIC).filter(|t| self.topics[t.0 as usize].internal)
    }

    /// The internal `__transaction_state` topic, when a producer is transactional.
    pub fn transaction_state_topic(&self) -> Option<TopicId> {
        self.topic_named(crate::txn::coordinator_partition::TRANSACTION_STATE_TOPIC)
            .filter(|t| self.topics[t.0 as usize].internal)
    }

    /// Records the scenario's producers plan to send in total.
    pub fn planned_records(&self) -> u64 {
        self.producers.iter().map(|p| p.workload.schedule.count).sum()
    }

    /// Group ids the consumers use, in order of first mention.
    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for g in self.consumers.iter().filter_map(|c| c.group.as_deref()) {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        groups
    }

    /// `demo_1-0`.
    pub fn partition_name(&self, tp: TopicPartition) -> String {
        format!("{}-{}", self.topics[tp.topic.0 as usize].name, tp.partition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `__consumer_offsets` is found by its name: another internal topic
    /// (`__transaction_state`) listed before it must not take its place.
    #[test]
    fn the_offsets_topic_is_found_by_name_among_internal_topics() {
        let text = "name: t\ntopics: [{ name: demo, partitions: 1 }]\n\
                    consumers: [{ id: c, group: g, topics: [demo] }]\n";
        let mut scenario = load_str("t.yaml", text).expect("valid scenario");
        let offsets = scenario.offsets_topic().expect("groups create __consumer_offsets");
        assert_eq!(scenario.topics[offsets.0 as usize].name, OFFSETS_TOPIC);

        let transaction_state = TopicDef {
            name: "__transaction_state".to_string(),
            partitions: 7,
            replication_factor: 1,
            replicas: None,
            config: scenario.topics[offsets.0 as usize].config,
            internal: true,
        };
        scenario.topics.insert(0, transaction_state);
        let offsets = scenario.offsets_topic().expect("still there");
        assert_eq!(offsets, TopicId(2), "demo and __consumer_offsets moved one place on");
        assert_eq!(scenario.topics[offsets.0 as usize].name, OFFSETS_TOPIC);
        assert_eq!(scenario.topic_named("__transaction_state"), Some(TopicId(0)));
    }
}

//! A Kafka Streams application as the scenario loader hands it to the
//! model: its id, instances, configs, event-time source and topology.

use crate::config::StreamsConfig;
use crate::engine::SimTime;
use crate::streams::topology::Topology;

#[derive(Clone, Debug)]
pub struct StreamsApp {
    /// `application.id`: the group id, and the prefix of internal topics.
    pub application_id: String,
    /// Instance (KafkaStreams process) names, as the timeline names them.
    pub instances: Vec<String>,
    /// `None`: started by a timeline `start`.
    pub start: Option<SimTime>,
    /// Event time from this field of the JSON value (ms); `None`: the
    /// record's timestamp.
    pub timestamp_field: Option<String>,
    pub config: StreamsConfig,
    pub topology: Topology,
}

impl StreamsApp {
    /// `<application.id>-<name>`: repartition and changelog topics.
    pub fn internal_topic(&self, name: &str) -> String {
        Topology::internal_topic(&self.application_id, name)
    }

    /// Every internal topic the application creates: repartition topics,
    /// then changelogs, each once.
    pub fn internal_topics(&self) -> Vec<String> {
        let mut topics: Vec<String> = self.topology.repartition_topics.iter().map(|t| self.internal_topic(t)).collect();
        topics.extend(self.topology.changelog_topics(&self.application_id).into_iter().map(|(_, t)| t));
        topics.dedup();
        topics
    }
}

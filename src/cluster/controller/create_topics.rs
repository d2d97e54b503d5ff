//! The active controller creates topics: Kafka's
//! `ReplicationControlManager.createTopics`, reached by a broker forwarding
//! a client's CreateTopics request (KIP-590).
//!
//! For each topic asked for, in order, the first rule it breaks decides its
//! error, and the other topics of the request go on:
//! 1. a name given twice in one request: INVALID_REQUEST, for every copy
//!    (`ControllerApis.createTopics`: "Duplicate topic name.");
//! 2. an illegal name (`Topic.validate`): INVALID_TOPIC_EXCEPTION;
//! 3. an existing name: TOPIC_ALREADY_EXISTS; a name that differs from an
//!    existing one only by `.` against `_`: INVALID_TOPIC_EXCEPTION;
//! 4. partitions 0 or below -1: INVALID_PARTITIONS (`-1` takes `num.partitions`);
//! 5. replication factor 0 or below -1: INVALID_REPLICATION_FACTOR (`-1` takes
//!    `default.replication.factor`); more replicas than registered brokers, or
//!    no unfenced broker: INVALID_REPLICATION_FACTOR;
//! 6. a config Kafka does not know, or a value it refuses: INVALID_CONFIG.
//!
//! A topic that passes is placed with the placer the cluster was built with
//! (`placement::assign_replicas`, start and shift drawn from the seed);
//! its ISR is its replicas that are unfenced, its leader the first of them.
//! One `Topic` record holds the topic and its partitions (Kafka writes a
//! `TopicRecord` and a `PartitionRecord` per partition in one batch).
//!
//! Simplification: `CreateTopicPolicy`, explicit replica assignments and
//! racks are not modelled; a config Kafka knows and the simulator does not
//! model is accepted and has no effect.

use rand::RngExt;

use crate::cluster::metadata::{MetadataImage, PartitionState, TopicImage};
use crate::cluster::placement::assign_replicas;
use crate::cluster::topic_name;
use crate::config::value::ConfigValue;
use crate::config::{BrokerConfig, Configurable, Scope, TopicConfig};
use crate::engine::SimRng;
use crate::ids::{BrokerId, TopicId};
use crate::protocol::{CreatedTopic, ErrorCode, NewTopic};

/// A topic the controller has decided to create.
#[derive(Clone, Debug, PartialEq)]
pub struct Creation {
    pub topic: TopicId,
    pub image: TopicImage,
}

/// Checks every topic of a request against `image`; returns each topic's
/// answer and the topics to create (none when `validate_only`).
pub fn create_topics(
    image: &MetadataImage,
    config: &BrokerConfig,
    placement: &mut SimRng,
    topics: &[NewTopic],
    validate_only: bool,
) -> (Vec<CreatedTopic>, Vec<Creation>) {
    let mut answers = Vec::new();
    let mut creations: Vec<Creation> = Vec::new();
    let mut next_id = image.topics.keys().next_back().map_or(0, |t| t.0 + 1);
    for (i, new) in topics.iter().enumerate() {
        let duplicate = topics.iter().enumerate().any(|(j, other)| j != i && other.name == new.name);
        if duplicate {
            answers.push(CreatedTopic::refused(&new.name, ErrorCode::InvalidRequest, "Duplicate topic name."));
            continue;
        }
        let taken: Vec<&str> = image
            .topics
            .values()
            .map(|t| t.name.as_str())
            .chain(creations.iter().map(|c| c.image.name.as_str()))
            .collect();
        match check(image, config, new, &taken) {
            Err((error, message)) => answers.push(CreatedTopic::refused(&new.name, error, message)),
            Ok(checked) => {
                let topic = TopicId(next_id);
                let partitions = place(image, placement, checked.partitions, checked.replication_factor);
                answers.push(CreatedTopic {
                    name: new.name.clone(),
                    error: ErrorCode::None,
                    message: None,
                    topic: (!validate_only).then_some(topic),
                    num_partitions: checked.partitions as i32,
                    replication_factor: checked.replication_factor as i32,
                });
                if !validate_only {
                    next_id += 1;
                    let image =
                        TopicImage { name: new.name.clone(), config: checked.config, internal: false, partitions };
                    creations.push(Creation { topic, image });
                }
            }
        }
    }
    (answers, creations)
}

struct Checked {
    partitions: u32,
    replication_factor: u32,
    config: TopicConfig,
}

/// A requested count: `-1` takes the broker's default, any other value
/// below one is refused with `error`.
fn count_or_default(requested: i32, default: u32, error: ErrorCode, message: &str) -> Result<u32, (ErrorCode, String)> {
    match requested {
        -1 => Ok(default),
        n if n <= 0 => Err((error, message.to_string())),
        n => Ok(n as u32),
    }
}

fn check(
    image: &MetadataImage,
    config: &BrokerConfig,
    new: &NewTopic,
    taken: &[&str],
) -> Result<Checked, (ErrorCode, String)> {
    topic_name::validate(&new.name).map_err(|m| (ErrorCode::InvalidTopicException, m))?;
    if taken.contains(&new.name.as_str()) {
        return Err((ErrorCode::TopicAlreadyExists, format!("Topic '{}' already exists.", new.name)));
    }
    if let Some(other) = taken.iter().find(|t| topic_name::collides(&new.name, t)) {
        return Err((
            ErrorCode::InvalidTopicException,
            format!("Topic '{}' collides with existing topic: {other}", new.name),
        ));
    }
    let partitions = count_or_default(
        new.num_partitions,
        config.num_partitions,
        ErrorCode::InvalidPartitions,
        "Number of partitions was set to an invalid non-positive value.",
    )?;
    let replication_factor = count_or_default(
        new.replication_factor,
        config.default_replication_factor,
        ErrorCode::InvalidReplicationFactor,
        "Replication factor must be larger than 0, or -1 to use the default value.",
    )?;
    let registered = image.brokers.len();
    let unfenced = image.brokers.values().filter(|b| !b.fenced).count();
    if unfenced == 0 {
        return Err((
            ErrorCode::InvalidReplicationFactor,
            format!(
                "Unable to replicate the partition {replication_factor} time(s): All brokers are currently fenced."
            ),
        ));
    }
    if replication_factor as usize > registered {
        return Err((
            ErrorCode::InvalidReplicationFactor,
            format!(
                "Unable to replicate the partition {replication_factor} time(s): The target replication factor of \
                 {replication_factor} cannot be reached because only {registered} broker(s) are registered."
            ),
        ));
    }
    let config = topic_config(config.topic_defaults, &new.configs).map_err(|m| (ErrorCode::InvalidConfig, m))?;
    Ok(Checked { partitions, replication_factor, config })
}

/// The broker's topic defaults with the request's configs on top.
fn topic_config(defaults: TopicConfig, configs: &[(String, String)]) -> Result<TopicConfig, String> {
    let mut config = defaults;
    for (name, value) in configs {
        let Some(def) = Scope::Topic.def(name) else {
            return Err(format!("Unknown topic config name: {name}"));
        };
        let parsed = def
            .parse(&ConfigValue::Text(value.clone()))
            .map_err(|e| format!("Invalid value {value} for configuration {name}: {e}"))?;
        if def.modelled && def.ignored.is_none() {
            config.set(name, &parsed).map_err(|e| format!("Invalid value {value} for configuration {name}: {e}"))?;
        }
    }
    Ok(config)
}

/// Replicas over the unfenced brokers (over every registered one when too
/// few are unfenced); the ISR is the unfenced replicas, led by the first
/// (`ReplicationControlManager.createTopic`).
fn place(
    image: &MetadataImage,
    placement: &mut SimRng,
    partitions: u32,
    replication_factor: u32,
) -> Vec<PartitionState> {
    let unfenced: Vec<BrokerId> = image.brokers.keys().copied().filter(|&b| image.is_unfenced(b)).collect();
    let brokers: Vec<BrokerId> =
        if unfenced.len() >= replication_factor as usize { unfenced } else { image.brokers.keys().copied().collect() };
    let start = placement.random_range(0..brokers.len());
    let shift = placement.random_range(0..brokers.len());
    assign_replicas(&brokers, partitions, replication_factor, start, shift)
        .into_iter()
        .map(|replicas| {
            let isr: Vec<BrokerId> = replicas.iter().copied().filter(|&b| image.is_unfenced(b)).collect();
            PartitionState { leader: isr.first().copied(), isr, replicas, leader_epoch: 0, partition_epoch: 0 }
        })
        .collect()
}

#[cfg(test)]
mod tests;

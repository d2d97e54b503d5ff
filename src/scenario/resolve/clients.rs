//! Producers and consumers: their topics, workloads, configs and `like:` chains.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::Resolver;
use super::configs;
use crate::client::datagen::Datagen;
use crate::client::workload::{KeySource, Schedule, Template, ValueSource, Workload};
use crate::config::{BrokerConfig, ConsumerConfig, ProducerConfig};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{TopicId, TopicPartition};
use crate::scenario::file::{CommitSpec, ConsumerSpec, KeySpec, ScenarioFile};
use crate::scenario::{CEILING_MAX_RECORDS, CommitMode, ConsumerDef, ProducerDef, Scenario, TopicDef};

/// Whether the timeline's first action on a client is `start:` (so the
/// client waits for it). A client the timeline first stops, crashes or
/// pauses runs from the beginning, and a later `start:` restarts it.
fn is_started_by_timeline(file: &ScenarioFile, name: &str) -> bool {
    let names = |s: &Option<Spanned<String>>| s.as_ref().is_some_and(|s| s.value == name);
    file.timeline
        .iter()
        .filter(|e| names(&e.start) || names(&e.stop) || names(&e.crash) || names(&e.pause) || names(&e.resume))
        .min_by_key(|e| e.at.value.0)
        .is_some_and(|e| names(&e.start))
}

fn check_client_name(r: &mut Resolver<'_>, id: &Spanned<String>, taken: &mut Vec<String>) {
    let name = &id.value;
    if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
        r.error(
            id,
            format!("`{name}` is not a usable client id"),
            Some("give clients names like `producer` or `c1`; numbers name brokers".to_string()),
        );
    } else if taken.contains(name) {
        r.error(
            id,
            format!("client id `{name}` is used twice"),
            Some("producers and consumers need distinct ids".to_string()),
        );
    }
    taken.push(name.clone());
}

/// Resolves `topic` to its id, reporting unknown names.
fn topic_id<T>(r: &mut Resolver<'_>, at: &Spanned<T>, name: &str, names: &[String]) -> Option<TopicId> {
    match names.iter().position(|n| n == name) {
        Some(i) => Some(TopicId(i as u32)),
        None => {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            r.unknown(at, "topic", name, &known);
            None
        }
    }
}

/// Parses `demo_1-0` into a partition of a known topic.
pub(crate) fn partition_ref(text: &str, topics: &[TopicDef]) -> Result<TopicPartition, String> {
    let (topic, partition) = text
        .rsplit_once('-')
        .ok_or_else(|| format!("`{text}` is not a partition: write it as TOPIC-PARTITION, like `demo_1-0`"))?;
    let partition: u32 = partition
        .parse()
        .map_err(|_| format!("`{text}` is not a partition: write it as TOPIC-PARTITION, like `demo_1-0`"))?;
    let index = topics
        .iter()
        .position(|t| t.name == topic)
        .ok_or_else(|| format!("`{text}` names topic `{topic}`, which is not defined"))?;
    let count = topics[index].partitions;
    if partition >= count {
        return Err(format!("topic `{topic}` has partitions 0 to {}, so `{text}` does not exist", count - 1));
    }
    Ok(TopicPartition::new(TopicId(index as u32), partition))
}

fn template<T>(r: &mut Resolver<'_>, at: &Spanned<T>, text: &str) -> Template {
    Template::parse(text).unwrap_or_else(|e| {
        r.error(
            at,
            format!("bad template: {e}"),
            Some("templates are text with {n} (the record number), {n%K} or {producer}, like `key-{n%10}`".to_string()),
        );
        Template::parse("").expect("empty template")
    })
}

pub(crate) fn resolve_producers(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    topics: &[TopicDef],
    names: &[String],
    broker_config: &BrokerConfig,
) -> Vec<ProducerDef> {
    let mut taken = Vec::new();
    let mut producers = Vec::new();
    for spec in &file.producers {
        check_client_name(r, &spec.id, &mut taken);
        let topic = topic_id(r, &spec.topic, &spec.topic.value, names).unwrap_or(TopicId(0));
        let mut config = ProducerConfig::default();
        if let Some(map) = &spec.config {
            configs::apply(r, map, &mut config);
        }
        if let Err(e) = config.effective_idempotence() {
            let at = spec
                .config
                .as_ref()
                .and_then(|m| m.entries.iter().find(|(k, _)| k.value == "enable.idempotence"))
                .map(|(k, _)| r.span(k));
            if let Some(span) = at {
                r.problems.push(crate::scenario::Problem::at(span, format!("ConfigException: {e}")).help(
                    "Kafka's producer refuses to start with these settings; the book's chapter on acks explains why",
                ));
            }
        } else if let Some(map) = &spec.config {
            super::transactional::check(r, map, &config, broker_config);
        }
        let datagen = spec.datagen.as_ref().and_then(|d| match Datagen::from_name(&d.value) {
            Some(kind) => Some(kind),
            None => {
                let known: Vec<&str> = Datagen::ALL.iter().map(|k| k.name()).collect();
                r.unknown(d, "datagen quickstart", &d.value, &known);
                None
            }
        });
        let keys = match &spec.key {
            None if datagen.is_some() => KeySource::Datagen,
            None => KeySource::Null,
            Some(k) => match &k.value {
                KeySpec::Null(()) => KeySource::Null,
                KeySpec::Template(text) => KeySource::Template(template(r, k, text)),
                KeySpec::OneOf(one) => {
                    if one.one_of.is_empty() {
                        r.error(
                            k,
                            "`one_of` needs at least one key",
                            Some(
                                "list the keys to choose from, like `{ one_of: [a, b], weights: [3, 1] }`".to_string(),
                            ),
                        );
                    }
                    let weights = one.weights.clone().unwrap_or_else(|| vec![1; one.one_of.len()]);
                    if weights.len() != one.one_of.len() {
                        r.error(
                            k,
                            format!("{} weights for {} keys", weights.len(), one.one_of.len()),
                            Some("give one weight per key".to_string()),
                        );
                    } else if weights.iter().all(|&w| w == 0) && !weights.is_empty() {
                        r.error(k, "every weight is 0", Some("at least one key needs a positive weight".to_string()));
                    }
                    let keys = one.one_of.iter().map(|t| template(r, k, t)).collect();
                    KeySource::OneOf { keys, weights }
                }
            },
        };
        let values = match &spec.value {
            Some(v) => match &v.value {
                None => ValueSource::Null,
                Some(text) => ValueSource::Template {
                    template: template(r, v, text),
                    size_bytes: spec.value_bytes.as_ref().map(|b| b.value as usize),
                },
            },
            None if datagen.is_some() => ValueSource::Datagen,
            None => ValueSource::Template {
                template: Template::parse("value-{n}").expect("valid"),
                size_bytes: spec.value_bytes.as_ref().map(|b| b.value as usize),
            },
        };
        if let Some(b) = &spec.value_bytes
            && b.value > 1_000_000
        {
            r.error(
                b,
                format!("{} bytes per value is too large", b.value),
                Some("use at most 1000000 (Kafka's max.request.size is 1 MiB)".to_string()),
            );
        }
        let every = spec.every.as_ref().map_or(SimDuration::from_secs(1), |e| e.value.0);
        let per_tick = spec.per_tick.as_ref().map_or(1, |p| p.value);
        if let Some(p) = &spec.per_tick
            && p.value == 0
        {
            r.error(p, "per_tick 0 would never send", Some("use 1 or more".to_string()));
        }
        if let Some(e) = &spec.every
            && e.value.0.is_zero()
            && spec.count.value > u64::from(per_tick)
        {
            r.error(
                e,
                "`every: 0s` would send forever in no time",
                Some("use a positive interval, e.g. `1ms`, or `per_tick` for bursts".to_string()),
            );
        }
        if let Some(p) = &spec.partition
            && topics.get(topic.0 as usize).is_some_and(|t| p.value >= t.partitions)
        {
            r.error(
                p,
                format!("partition {} does not exist", p.value),
                Some(format!("topic `{}` has {} partitions", spec.topic.value, topics[topic.0 as usize].partitions)),
            );
        }
        let mut headers = Vec::new();
        for (k, v) in &spec.headers {
            headers.push((
                k.clone(),
                Template::parse(v).unwrap_or_else(|e| {
                    r.error(
                        &spec.id,
                        format!("bad header template `{k}`: {e}"),
                        Some("header values are templates with {n}, {n%K} or {producer}".to_string()),
                    );
                    Template::parse("").expect("empty")
                }),
            ));
        }
        let start = spec.start.as_ref().map(|s| SimTime::ZERO + s.value.0);
        let start = match start {
            Some(t) => Some(t),
            None if is_started_by_timeline(file, &spec.id.value) => None,
            None => Some(SimTime::ZERO),
        };
        producers.push(ProducerDef {
            name: spec.id.value.clone(),
            topic,
            config,
            workload: Workload {
                schedule: Schedule {
                    start: start.unwrap_or(SimTime::ZERO),
                    every,
                    per_tick: per_tick.max(1),
                    count: spec.count.value,
                    stop: spec.stop.as_ref().map(|s| SimTime::ZERO + s.value.0),
                },
                keys,
                values,
                datagen,
                headers,
                partition: spec.partition.as_ref().map(|p| p.value),
            },
            start,
        });
    }
    producers
}

/// Follows `like:` references. Returns the chain (the consumer first) and
/// whether it is broken; a cycle is reported once, at its first member.
fn like_chain<'a>(r: &mut Resolver<'_>, specs: &'a [ConsumerSpec], index: usize) -> (Vec<&'a ConsumerSpec>, bool) {
    let mut chain = vec![&specs[index]];
    let mut current = &specs[index];
    while let Some(like) = &current.like {
        match specs.iter().position(|s| s.id.value == like.value) {
            None => {
                if std::ptr::eq(current, &specs[index]) {
                    let known: Vec<&str> = specs.iter().map(|s| s.id.value.as_str()).collect();
                    r.unknown(like, "consumer", &like.value, &known);
                }
                return (chain, true);
            }
            Some(next) if chain.iter().any(|c| std::ptr::eq(*c, &specs[next])) => {
                let starts_here = chain.iter().position(|c| std::ptr::eq(*c, &specs[next]));
                let cycle: Vec<&str> = chain[starts_here.unwrap_or(0)..]
                    .iter()
                    .map(|c| c.id.value.as_str())
                    .chain([specs[next].id.value.as_str()])
                    .collect();
                // Report the cycle once: from the member that comes first in the file.
                let first_member = cycle.iter().filter_map(|name| specs.iter().position(|s| &s.id.value == name)).min();
                if first_member == Some(index) {
                    r.error(
                        like,
                        format!("`like:` goes round in a circle: {}", cycle.join(" → ")),
                        Some("one consumer in the chain must spell out its settings instead of copying".to_string()),
                    );
                }
                return (chain, true);
            }
            Some(next) => {
                chain.push(&specs[next]);
                current = &specs[next];
            }
        }
    }
    (chain, false)
}

pub(crate) fn resolve_consumers(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    topics: &[TopicDef],
    names: &[String],
) -> Vec<ConsumerDef> {
    let mut taken: Vec<String> = file.producers.iter().map(|p| p.id.value.clone()).collect();
    let mut consumers = Vec::new();
    for (index, spec) in file.consumers.iter().enumerate() {
        check_client_name(r, &spec.id, &mut taken);
        let (chain, broken_chain) = like_chain(r, &file.consumers, index);
        // Each setting comes from the first consumer along the chain that has it.
        macro_rules! inherit {
            ($field:ident) => {
                chain.iter().find_map(|c| c.$field.as_ref())
            };
        }
        let mut topic_ids = Vec::new();
        if let Some(list) = inherit!(topics) {
            for name in &list.value {
                if let Some(id) = topic_id(r, list, name, names) {
                    topic_ids.push(id);
                }
            }
        }
        let mut assign = Vec::new();
        let mut bad_assign = false;
        if let Some(list) = inherit!(assign) {
            for text in &list.value {
                match partition_ref(text, topics) {
                    Ok(tp) => assign.push(tp),
                    Err(e) => {
                        bad_assign = true;
                        r.error(list, e, Some("name partitions as TOPIC-PARTITION, counting from 0".to_string()));
                    }
                }
            }
        }
        if topic_ids.is_empty() && assign.is_empty() && !broken_chain && !bad_assign {
            r.error(
                &spec.id,
                format!("consumer `{}` reads nothing", spec.id.value),
                Some("give it `topics: [NAME]` or `assign: [TOPIC-PARTITION]`".to_string()),
            );
        }
        if let Some(g) = inherit!(group)
            && g.value.trim().is_empty()
        {
            r.error(g, "the group id is empty", Some("name the group, e.g. `group: orders-service`".to_string()));
        }
        let mut seeks = BTreeMap::new();
        if let Some(map) = inherit!(seek) {
            for (text, &offset) in &map.value {
                match partition_ref(text, topics) {
                    Ok(tp) if offset >= 0 => {
                        seeks.insert(tp, offset);
                    }
                    Ok(_) => r.error(
                        map,
                        format!("seek offset {offset} is negative"),
                        Some("offsets start at 0".to_string()),
                    ),
                    Err(e) => r.error(map, e, Some("name partitions as TOPIC-PARTITION, counting from 0".to_string())),
                }
            }
        }
        let mut config = ConsumerConfig::default();
        // Inherited configs apply first, the consumer's own last.
        for c in chain.iter().rev() {
            if let Some(map) = &c.config {
                configs::apply(r, map, &mut config);
            }
        }
        // Kafka's own `group.id` in `config:` is the same as `group:`.
        let group = match (inherit!(group), config.group_id.take()) {
            (Some(g), Some(id)) if g.value != id => {
                r.error(
                    g,
                    format!("`group: {}` and `group.id: {id}` name two different groups", g.value),
                    Some("keep one of them: `group:` and the config `group.id` are the same setting".to_string()),
                );
                Some(g.value.clone())
            }
            (Some(g), _) => Some(g.value.clone()),
            (None, Some(id)) if id.trim().is_empty() => {
                r.error(
                    &spec.id,
                    "the group id is empty",
                    Some("name the group, e.g. `group.id: orders-service`".to_string()),
                );
                None
            }
            (None, id) => id,
        };
        // Its own `start:` wins; else a timeline `start` starts it; else it
        // starts when the consumer it copies does.
        let start = match &spec.start {
            Some(s) => Some(SimTime::ZERO + s.value.0),
            None if is_started_by_timeline(file, &spec.id.value) => None,
            None => Some(inherit!(start).map_or(SimTime::ZERO, |s| SimTime::ZERO + s.value.0)),
        };
        let commit = resolve_commit(r, inherit!(commit), group.is_some(), &config);
        consumers.push(ConsumerDef {
            name: spec.id.value.clone(),
            topics: topic_ids,
            assign,
            group,
            seeks,
            processing: inherit!(processing).map_or(SimDuration::ZERO, |p| p.value.0),
            commit,
            config,
            start,
        });
    }
    consumers
}

/// Refuses scenarios that would send more records than the limits allow, before
/// running anything.
pub(crate) fn check_limits(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) {
    if let Some(limits) = &file.limits {
        if limits.max_records.is_some_and(|m| m > CEILING_MAX_RECORDS) {
            r.problems.push(crate::scenario::Problem::whole_file(format!(
                "limits.max_records may be at most {CEILING_MAX_RECORDS}"
            )));
        }
        if limits.max_events.is_some_and(|m| m > crate::scenario::CEILING_MAX_EVENTS) {
            r.problems.push(crate::scenario::Problem::whole_file(format!(
                "limits.max_events may be at most {}",
                crate::scenario::CEILING_MAX_EVENTS
            )));
        }
    }
    // Records live in memory: bound the bytes too, not only the count.
    let mut bytes: u64 = 0;
    for spec in &file.producers {
        let Some(value_bytes) = &spec.value_bytes else { continue };
        bytes = bytes.saturating_add(spec.count.value.saturating_mul(u64::from(value_bytes.value)));
        if bytes > crate::scenario::MAX_VALUE_BYTES {
            r.error(
                value_bytes,
                format!(
                    "the producers would send {} MiB of values in all, more than the limit of {} MiB",
                    bytes / (1 << 20),
                    crate::scenario::MAX_VALUE_BYTES / (1 << 20)
                ),
                Some("lower `count` or `value_bytes`: kafkasim keeps every record in memory".to_string()),
            );
            break;
        }
    }
    let mut total: u64 = 0;
    for spec in &file.producers {
        total = total.saturating_add(spec.count.value);
        if total > scenario.limits.max_records {
            r.error(
                &spec.count,
                format!(
                    "the producers would send {total} records in all, more than the limit of {}",
                    scenario.limits.max_records
                ),
                Some(format!("lower `count`, or raise `limits: {{ max_records: N }}` (at most {CEILING_MAX_RECORDS})")),
            );
            break;
        }
    }
}

/// How a consumer commits: only in a group; manual modes turn auto-commit off.
fn resolve_commit(
    r: &mut Resolver<'_>,
    spec: Option<&Spanned<CommitSpec>>,
    in_group: bool,
    config: &ConsumerConfig,
) -> CommitMode {
    let auto_enabled = config.enable_auto_commit.unwrap_or(true);
    match spec {
        None if in_group && auto_enabled => CommitMode::Auto,
        None => CommitMode::Never,
        Some(s) if !in_group => {
            r.error(
                s,
                "only a consumer in a group commits offsets",
                Some("add `group: NAME`, or remove `commit:`".to_string()),
            );
            CommitMode::Never
        }
        Some(s) => match s.value {
            CommitSpec::Auto if !auto_enabled => {
                r.error(
                    s,
                    "`commit: auto` needs enable.auto.commit=true",
                    Some("remove enable.auto.commit: false, or choose a manual commit mode".to_string()),
                );
                CommitMode::Never
            }
            CommitSpec::Auto => CommitMode::Auto,
            _ if config.enable_auto_commit == Some(true) => {
                r.error(
                    s,
                    "manual commits with enable.auto.commit=true would commit twice",
                    Some("remove enable.auto.commit: true (a manual `commit:` turns auto-commit off)".to_string()),
                );
                CommitMode::Never
            }
            CommitSpec::AfterProcessing => CommitMode::AfterProcessing,
            CommitSpec::BeforeProcessing => CommitMode::BeforeProcessing,
        },
    }
}

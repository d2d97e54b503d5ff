//! Producers: topics, workloads (schedule, keys, values, headers) and configs.

use super::Resolver;
use super::client_kinds;
use super::clients::{ClientNames, StartedByTimeline, template, topic_id};
use crate::client::datagen::Datagen;
use crate::client::workload::{KeySource, Schedule, Template, ValueSource, Workload};
use crate::config::BrokerConfig;
use crate::engine::{SimDuration, SimTime};
use crate::ids::TopicId;
use crate::scenario::file::{KeySpec, ScenarioFile};
use crate::scenario::{ProducerDef, TopicDef};

pub(crate) fn resolve_producers(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    topics: &[TopicDef],
    names: &[String],
    broker_config: &BrokerConfig,
    taken: &mut ClientNames,
) -> Vec<ProducerDef> {
    let started = StartedByTimeline::of(file);
    let mut producers = Vec::new();
    for spec in &file.producers {
        taken.check(r, &spec.id);
        let topic = topic_id(r, &spec.topic, &spec.topic.value, names).unwrap_or(TopicId(0));
        let client = client_kinds::kind(r, spec.client.as_ref());
        let config = client_kinds::producer_config(r, client, spec.config.as_ref());
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
                // An Avro value is JSON: its braces are not placeholders.
                Some(text) if spec.value_schema.is_some() => {
                    ValueSource::Template { template: Template::parse_json(text), size_bytes: None }
                }
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
            let parsed = Template::parse(&v.value).unwrap_or_else(|e| {
                r.error(
                    v,
                    format!("bad header template `{}`: {e}", k.value),
                    Some("header values are templates with {n}, {n%K} or {producer}".to_string()),
                );
                Template::parse("").expect("empty")
            });
            headers.push((k.value.clone(), parsed));
        }
        let start = spec.start.as_ref().map(|s| SimTime::ZERO + s.value.0);
        let start = match start {
            Some(t) => Some(t),
            None if started.contains(&spec.id.value) => None,
            None => Some(SimTime::ZERO),
        };
        let avro = super::avro::producer(r, file, spec, &config);
        let transactions = super::transactional::plan(r, spec, &config, per_tick.max(1), names);
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
            avro,
            transactions,
        });
    }
    producers
}

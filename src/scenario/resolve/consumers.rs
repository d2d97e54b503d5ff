//! Consumers: topics or partitions, group, commits, start positions and
//! configs — and `like:`, which copies every setting a consumer does not
//! give from another consumer, along chains of any length.
//!
//! Chains resolve in one pass (a name map, then each consumer after the
//! one it copies), so a file of thousands of `like:` links loads at once,
//! and a mistake in a copied setting is reported once, where it is written.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::Resolver;
use super::clients::{ClientNames, StartedByTimeline, partition_ref, topic_id};
use super::{client_kinds, configs};
use crate::config::{ClientKind, ConsumerConfig};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{TopicId, TopicPartition};
use crate::scenario::duration::DurationText;
use crate::scenario::file::{CommitSpec, ConsumerSpec, ScenarioFile};
use crate::scenario::{CommitMode, ConsumerDef, TopicDef};

const PARTITION_HELP: &str = "name partitions as TOPIC-PARTITION, counting from 0";

/// What a consumer's `like:` comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Like {
    /// It copies nobody.
    Nobody,
    /// It copies the consumer at this index.
    Consumer(usize),
    /// It names an unknown consumer or is on (or leads into) a cycle: it
    /// keeps only its own settings, and the mistake is reported once.
    Broken,
}

/// Every consumer's `like:`, and an order in which each comes after the one
/// it copies.
fn resolve_likes(r: &mut Resolver<'_>, specs: &[ConsumerSpec]) -> (Vec<Like>, Vec<usize>) {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        index.entry(spec.id.value.as_str()).or_insert(i);
    }
    let mut likes: Vec<Like> = specs
        .iter()
        .map(|spec| match &spec.like {
            None => Like::Nobody,
            Some(like) => match index.get(like.value.as_str()) {
                Some(&i) => Like::Consumer(i),
                None => {
                    let known: Vec<&str> = specs.iter().map(|s| s.id.value.as_str()).collect();
                    r.unknown(like, "consumer", &like.value, &known);
                    Like::Broken
                }
            },
        })
        .collect();
    // Walk each chain once; `state` marks consumers being walked (a cycle
    // when met again) and those already placed in `order`.
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Walking,
        Placed,
    }
    let mut state = vec![State::New; specs.len()];
    let mut order = Vec::with_capacity(specs.len());
    for start in 0..specs.len() {
        let mut path = Vec::new();
        let mut at = start;
        let broken = loop {
            match state[at] {
                State::Placed => break likes[at] == Like::Broken,
                State::Walking => {
                    let cycle_start = path.iter().position(|&p| p == at).unwrap_or(0);
                    report_cycle(r, specs, &path[cycle_start..]);
                    break true;
                }
                State::New => {}
            }
            state[at] = State::Walking;
            path.push(at);
            match likes[at] {
                Like::Consumer(next) => at = next,
                Like::Nobody => break false,
                Like::Broken => break true,
            }
        };
        // Placed from the copied end of the chain back to the consumer.
        for &p in path.iter().rev() {
            if broken {
                likes[p] = Like::Broken;
            }
            state[p] = State::Placed;
            order.push(p);
        }
    }
    (likes, order)
}

/// A `like:` cycle, reported once at the member that comes first in the file.
fn report_cycle(r: &mut Resolver<'_>, specs: &[ConsumerSpec], cycle: &[usize]) {
    let Some(&first) = cycle.iter().min() else { return };
    let at = cycle.iter().position(|&c| c == first).unwrap_or(0);
    let names: Vec<&str> =
        cycle[at..].iter().chain(&cycle[..at]).chain([&first]).map(|&c| specs[c].id.value.as_str()).collect();
    if let Some(like) = &specs[first].like {
        r.error(
            like,
            format!("`like:` goes round in a circle: {}", names.join(" → ")),
            Some("one consumer in the chain must spell out its settings instead of copying".to_string()),
        );
    }
}

/// A consumer's settings with what it copies filled in. Each is the
/// consumer's own, or else the one of the consumer it copies.
#[derive(Clone, Default)]
struct Settings<'a> {
    /// The topics, and whether any named was unknown (already reported).
    topics: Option<(Vec<TopicId>, bool)>,
    assign: Option<(Vec<TopicPartition>, bool)>,
    group: Option<String>,
    seeks: Option<BTreeMap<TopicPartition, i64>>,
    processing: Option<&'a Spanned<DurationText>>,
    start: Option<&'a Spanned<DurationText>>,
    commit: Option<&'a Spanned<CommitSpec>>,
    /// The client library; `None` until a consumer names one (Java).
    client: Option<ClientKind>,
    config: ConsumerConfig,
}

/// The settings a consumer writes itself, each checked once.
fn own_settings<'a>(
    r: &mut Resolver<'_>,
    spec: &'a ConsumerSpec,
    copied: Option<&Settings<'a>>,
    topics: &[TopicDef],
    names: &[String],
) -> Settings<'a> {
    let inherited = copied.cloned().unwrap_or_default();
    let topic_ids = spec.topics.as_ref().map(|list| {
        let ids: Vec<TopicId> = list.value.iter().filter_map(|name| topic_id(r, name, &name.value, names)).collect();
        let bad = ids.len() < list.value.len();
        (ids, bad)
    });
    let assign = spec.assign.as_ref().map(|list| {
        let mut bad = false;
        let mut partitions = Vec::new();
        for text in &list.value {
            match partition_ref(&text.value, topics) {
                Ok(tp) => partitions.push(tp),
                Err(e) => {
                    bad = true;
                    r.error(text, e, Some(PARTITION_HELP.to_string()));
                }
            }
        }
        (partitions, bad)
    });
    if let Some(g) = &spec.group
        && g.value.trim().is_empty()
    {
        r.error(g, "the group id is empty", Some("name the group, e.g. `group: orders-service`".to_string()));
    }
    let seeks = spec.seek.as_ref().map(|map| {
        let mut seeks = BTreeMap::new();
        for (text, offset) in map {
            match partition_ref(&text.value, topics) {
                Ok(_) if offset.value < 0 => r.error(
                    offset,
                    format!("seek offset {} is negative", offset.value),
                    Some("offsets start at 0".to_string()),
                ),
                Ok(tp) => {
                    seeks.insert(tp, offset.value);
                }
                Err(e) => r.error(text, e, Some(PARTITION_HELP.to_string())),
            }
        }
        seeks
    });
    let client = match &spec.client {
        Some(named) => {
            let kind = client_kinds::kind(r, Some(named));
            if copied.is_some() && kind != inherited.client.unwrap_or_default() {
                // The copied config was built on the other library's defaults.
                r.error(
                    named,
                    format!("consumer `{}` copies a consumer of another client library with `like:`", spec.id.value),
                    Some("a copy keeps the client library of the consumer it copies: drop `client:` here, or write this consumer's settings out instead of `like:`".to_string()),
                );
            }
            Some(kind)
        }
        None => inherited.client,
    };
    // The client library's defaults first, then inherited configs, the consumer's own last.
    let mut config =
        if copied.is_some() { inherited.config } else { client_kinds::consumer_defaults(client.unwrap_or_default()) };
    if let Some(map) = &spec.config {
        configs::apply(r, map, &mut config);
    }
    // Kafka's own `group.id` in `config:` is the same as `group:`. The copied
    // consumer's was taken already, so each mistake is reported where written.
    let group = match (&spec.group, config.group_id.take()) {
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
        (None, Some(id)) => Some(id),
        (None, None) => inherited.group,
    };
    Settings {
        topics: topic_ids.or(inherited.topics),
        assign: assign.or(inherited.assign),
        group,
        seeks: seeks.or(inherited.seeks),
        processing: spec.processing.as_ref().or(inherited.processing),
        start: spec.start.as_ref().or(inherited.start),
        commit: spec.commit.as_ref().or(inherited.commit),
        client,
        config,
    }
}

pub(crate) fn resolve_consumers(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    topics: &[TopicDef],
    names: &[String],
    taken: &mut ClientNames,
) -> Vec<ConsumerDef> {
    let specs = &file.consumers;
    for spec in specs {
        taken.check(r, &spec.id);
    }
    let started = StartedByTimeline::of(file);
    let (likes, order) = resolve_likes(r, specs);
    let mut settings: Vec<Option<Settings<'_>>> = vec![None; specs.len()];
    for i in order {
        let copied = match likes[i] {
            Like::Consumer(parent) => settings[parent].as_ref(),
            Like::Nobody | Like::Broken => None,
        };
        let own = own_settings(r, &specs[i], copied, topics, names);
        settings[i] = Some(own);
    }
    specs
        .iter()
        .zip(settings)
        .zip(&likes)
        .enumerate()
        .map(|(i, ((_, settings), like))| {
            let s = settings.expect("every consumer is placed in the order");
            let chain = copy_chain(specs, &likes, i);
            consumer(r, file, &chain, s, *like == Like::Broken, &started)
        })
        .collect()
}

/// The consumer at `i` and those it copies, nearest first.
fn copy_chain<'a>(specs: &'a [ConsumerSpec], likes: &[Like], i: usize) -> Vec<&'a ConsumerSpec> {
    let mut chain = vec![&specs[i]];
    let mut at = i;
    // A cycle is `Like::Broken`, so the walk ends; the bound is a second guard.
    while let Like::Consumer(parent) = likes[at] {
        if chain.len() > specs.len() {
            break;
        }
        chain.push(&specs[parent]);
        at = parent;
    }
    chain
}

/// The consumer's definition from its resolved settings; `chain` is the
/// consumer and those it copies.
fn consumer(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    chain: &[&ConsumerSpec],
    s: Settings<'_>,
    broken_like: bool,
    started: &StartedByTimeline<'_>,
) -> ConsumerDef {
    let spec = chain[0];
    if let (Some((topics, _)), Some((assigned, _))) = (&s.topics, &s.assign)
        && !topics.is_empty()
        && !assigned.is_empty()
    {
        // Kafka's consumer throws IllegalStateException: subscribe() and
        // assign() are mutually exclusive.
        let at = spec.assign.as_ref().map_or_else(|| r.span(&spec.id), |a| r.span(a));
        r.problems.push(
            crate::scenario::Problem::at(
                at,
                format!("consumer `{}` both subscribes (`topics:`) and assigns partitions (`assign:`)", spec.id.value),
            )
            .help("a Kafka consumer does one or the other: keep `topics:` to let its group share the partitions, or `assign:` to read exactly these"),
        );
    }
    let (topic_ids, bad_topics) = s.topics.unwrap_or_default();
    let (assign, bad_assign) = s.assign.unwrap_or_default();
    // A consumer left reading nothing by a mistake already reported is not reported again.
    if topic_ids.is_empty() && assign.is_empty() && !broken_like && !bad_assign && !bad_topics {
        r.error(
            &spec.id,
            format!("consumer `{}` reads nothing", spec.id.value),
            Some("give it `topics: [NAME]` or `assign: [TOPIC-PARTITION]`".to_string()),
        );
    }
    let group = s.group;
    if !broken_like {
        client_kinds::check_consumer_group(r, s.client.unwrap_or_default(), &spec.id, group.is_some());
    }
    // Its own `start:` wins; else a timeline `start` starts it; else it
    // starts when the consumer it copies does.
    let start = match &spec.start {
        Some(t) => Some(SimTime::ZERO + t.value.0),
        None if started.contains(&spec.id.value) => None,
        None => Some(s.start.map_or(SimTime::ZERO, |t| SimTime::ZERO + t.value.0)),
    };
    let commit = resolve_commit(r, s.commit, group.is_some(), &s.config);
    let avro = super::avro::consumer(r, file, chain, &s.config);
    ConsumerDef {
        name: spec.id.value.clone(),
        topics: topic_ids,
        assign,
        group,
        seeks: s.seeks.unwrap_or_default(),
        processing: s.processing.map_or(SimDuration::ZERO, |p| p.value.0),
        commit,
        config: s.config,
        start,
        avro,
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

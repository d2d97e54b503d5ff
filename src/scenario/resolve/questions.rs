//! `ask:` entries of the timeline, resolved: exactly one kind of question,
//! every partition, group, consumer and count it names known, and its answer
//! read no earlier than it is asked and no later than the run's end.

use serde_saphyr::Spanned;

use super::Resolver;
use super::clients::partition_ref;
use crate::engine::SimTime;
use crate::ids::{ClientIdx, TopicId, TopicPartition};
use crate::scenario::file::{AskSpec, ScenarioFile};
use crate::scenario::question::{ALL_IN_SYNC, NO_CONTROLLER, NO_LEADER, NOBODY, Question, QuestionKind};
use crate::scenario::{ClientRef, OutcomeField, Scenario};

const KINDS: &str = "idle, owner, leader, partition_of, high_watermark, log_end_offset, log_start_offset, out_of_sync, active_controller, committed, received, group_read, registry_calls or outcome";
const PARTITION_HELP: &str = "name partitions as TOPIC-PARTITION, counting from 0";

pub(crate) fn resolve_questions(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    for entry in &file.timeline {
        let Some(ask) = &entry.ask else { continue };
        let asked_at = SimTime::ZERO + entry.at.value.0;
        let answer_at = match &ask.value.answer_at {
            Some(a) => {
                let t = SimTime::ZERO + a.value.0;
                if t < asked_at {
                    r.error(
                        a,
                        format!("the answer would be read at {t}, before the question is asked at {asked_at}"),
                        Some("a question asks about what happens next: use a time at or after its `at:`".to_string()),
                    );
                    continue;
                }
                if t > scenario.run_for {
                    r.error(
                        a,
                        format!("the answer would be read at {t}, after the run ends at {}", scenario.run_for),
                        Some("move it earlier or lengthen `run:`".to_string()),
                    );
                    continue;
                }
                t
            }
            None => scenario.run_for,
        };
        let Some(kind) = kind(r, scenario, ask) else { continue };
        let choices = choices(scenario, &kind);
        let text = ask.value.question.clone().unwrap_or_else(|| default_text(scenario, &kind, answer_at));
        scenario.questions.push(Question { asked_at, answer_at, text, kind, choices });
    }
    scenario.questions.sort_by_key(|q| q.asked_at);
}

/// The one kind the entry names.
fn kind(r: &mut Resolver<'_>, scenario: &Scenario, ask: &Spanned<AskSpec>) -> Option<QuestionKind> {
    let spec = &ask.value;
    let named = [
        spec.idle.is_some(),
        spec.owner.is_some(),
        spec.leader.is_some(),
        spec.partition_of.is_some(),
        spec.high_watermark.is_some(),
        spec.log_end_offset.is_some(),
        spec.log_start_offset.is_some(),
        spec.out_of_sync.is_some(),
        spec.active_controller.is_some(),
        spec.committed.is_some(),
        spec.received.is_some(),
        spec.group_read.is_some(),
        spec.registry_calls.is_some(),
        spec.outcome.is_some(),
    ]
    .iter()
    .filter(|&&n| n)
    .count();
    if named != 1 {
        let message = if named == 0 {
            "this question does not say what it asks".to_string()
        } else {
            format!("this question asks {named} things at once")
        };
        r.error(ask, message, Some(format!("name exactly one of: {KINDS}")));
        return None;
    }
    if let Some(group) = &spec.idle {
        let consumers = group_members(r, scenario, group)?;
        return Some(QuestionKind::Idle { group: group.value.clone(), consumers });
    }
    if let Some(owner) = &spec.owner {
        let consumers = group_members(r, scenario, &owner.group);
        let partition = partition(r, scenario, &owner.partition);
        return Some(QuestionKind::Owner {
            group: owner.group.value.clone(),
            partition: partition?,
            consumers: consumers?,
        });
    }
    if let Some(tp) = &spec.leader {
        return partition(r, scenario, tp).map(QuestionKind::Leader);
    }
    if let Some(of) = &spec.partition_of {
        let Some(i) = scenario.topics.iter().position(|t| t.name == of.topic.value && !t.internal) else {
            let known: Vec<&str> = scenario.topics.iter().filter(|t| !t.internal).map(|t| t.name.as_str()).collect();
            r.unknown(&of.topic, "topic", &of.topic.value, &known);
            return None;
        };
        return Some(QuestionKind::PartitionOf { topic: TopicId(i as u32), key: of.key.clone() });
    }
    if let Some(tp) = &spec.high_watermark {
        return partition(r, scenario, tp).map(QuestionKind::HighWatermark);
    }
    if let Some(tp) = &spec.log_end_offset {
        return partition(r, scenario, tp).map(QuestionKind::LogEndOffset);
    }
    if let Some(tp) = &spec.log_start_offset {
        return partition(r, scenario, tp).map(QuestionKind::LogStartOffset);
    }
    if let Some(tp) = &spec.out_of_sync {
        return partition(r, scenario, tp).map(QuestionKind::OutOfSync);
    }
    if let Some(asked) = &spec.active_controller {
        if !asked.value {
            r.error(
                asked,
                "`active_controller: false` asks nothing",
                Some("write `active_controller: true`".to_string()),
            );
            return None;
        }
        return Some(QuestionKind::ActiveController);
    }
    if let Some(c) = &spec.committed {
        let members = group_members(r, scenario, &c.group);
        let partition = partition(r, scenario, &c.partition);
        members?;
        return Some(QuestionKind::Committed { group: c.group.value.clone(), partition: partition? });
    }
    if let Some(name) = &spec.received {
        return consumer(r, scenario, name).map(QuestionKind::Received);
    }
    if let Some(name) = &spec.registry_calls {
        return registry_client(r, scenario, name).map(QuestionKind::RegistryCalls);
    }
    if let Some(group) = &spec.group_read {
        let consumers = group_members(r, scenario, group)?;
        return Some(QuestionKind::GroupRead { group: group.value.clone(), consumers });
    }
    let field = spec.outcome.as_ref()?;
    match OutcomeField::ALL.iter().copied().find(|f| f.name() == field.value) {
        Some(f) => Some(QuestionKind::Outcome(f)),
        None => {
            let known: Vec<&str> = OutcomeField::ALL.iter().map(|f| f.name()).collect();
            r.unknown(field, "outcome count", &field.value, &known);
            None
        }
    }
}

fn partition(r: &mut Resolver<'_>, scenario: &Scenario, text: &Spanned<String>) -> Option<TopicPartition> {
    partition_ref(&text.value, &scenario.topics).map_err(|e| r.error(text, e, Some(PARTITION_HELP.to_string()))).ok()
}

fn consumer(r: &mut Resolver<'_>, scenario: &Scenario, name: &Spanned<String>) -> Option<ClientIdx> {
    let found = scenario.consumers.iter().position(|c| c.name == name.value);
    if found.is_none() {
        let known: Vec<&str> = scenario.consumers.iter().map(|c| c.name.as_str()).collect();
        r.unknown(name, "consumer", &name.value, &known);
    }
    found.map(|i| ClientIdx(i as u32))
}

/// A producer or consumer that uses the Schema Registry.
fn registry_client(r: &mut Resolver<'_>, scenario: &Scenario, name: &Spanned<String>) -> Option<ClientRef> {
    match scenario.client(&name.value) {
        Some(client) if scenario.uses_registry(client) => Some(client),
        Some(_) => {
            r.error(
                name,
                format!("{} does not use the Schema Registry: it would make no call", name.value),
                Some("ask about a client with `value_schema:` or `value_format: avro`".to_string()),
            );
            None
        }
        None => {
            let known = scenario.client_names();
            r.unknown(name, "client", &name.value, &known);
            None
        }
    }
}

/// The consumers of a group, in the file's order.
fn group_members(r: &mut Resolver<'_>, scenario: &Scenario, group: &Spanned<String>) -> Option<Vec<ClientIdx>> {
    let members: Vec<ClientIdx> = scenario
        .consumers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.group.as_deref() == Some(group.value.as_str()))
        .map(|(i, _)| ClientIdx(i as u32))
        .collect();
    if members.is_empty() {
        let known = scenario.groups();
        r.unknown(group, "consumer group", &group.value, &known);
        return None;
    }
    Some(members)
}

/// What the student picks among, in the order shown.
fn choices(scenario: &Scenario, kind: &QuestionKind) -> Vec<String> {
    let names = |consumers: &[ClientIdx]| -> Vec<String> {
        consumers.iter().map(|c| scenario.consumers[c.0 as usize].name.clone()).collect()
    };
    match kind {
        QuestionKind::Idle { consumers, .. } => {
            let mut choices = names(consumers);
            choices.push(NOBODY.to_string());
            choices
        }
        QuestionKind::Owner { consumers, .. } => names(consumers),
        // Any broker may end up leading: the replicas are placed when the
        // cluster starts, and offering only them would give the answer away.
        QuestionKind::Leader(_) => {
            let mut choices: Vec<String> = (1..=scenario.brokers).map(|b| b.to_string()).collect();
            choices.push(NO_LEADER.to_string());
            choices
        }
        QuestionKind::PartitionOf { topic, .. } => {
            let t = &scenario.topics[topic.0 as usize];
            (0..t.partitions).map(|p| format!("{}-{p}", t.name)).collect()
        }
        QuestionKind::OutOfSync(_) => {
            let mut choices: Vec<String> = (1..=scenario.brokers).map(|b| b.to_string()).collect();
            choices.push(ALL_IN_SYNC.to_string());
            choices
        }
        QuestionKind::ActiveController => {
            let mut choices: Vec<String> = (1..=scenario.controllers).map(|c| format!("controller-{c}")).collect();
            choices.push(NO_CONTROLLER.to_string());
            choices
        }
        _ => Vec::new(),
    }
}

/// "Which consumer of helpdesk will sit idle at 10s?"
fn default_text(scenario: &Scenario, kind: &QuestionKind, answer_at: SimTime) -> String {
    let when = if answer_at == scenario.run_for { "at the end".to_string() } else { format!("at {answer_at}") };
    let tp = |tp: &TopicPartition| scenario.partition_name(*tp);
    let consumer = |c: &ClientIdx| scenario.consumers[c.0 as usize].name.clone();
    match kind {
        QuestionKind::Idle { group, .. } => format!("Which consumer of {group} will own no partition {when}?"),
        QuestionKind::Owner { group, partition, .. } => {
            format!("Which consumer of {group} will own {} {when}?", tp(partition))
        }
        QuestionKind::Leader(p) => format!("Which broker will lead {} {when}?", tp(p)),
        QuestionKind::PartitionOf { topic, key } => {
            format!(
                "Which partition of {} does a record with key `{key}` go to?",
                scenario.topics[topic.0 as usize].name
            )
        }
        QuestionKind::HighWatermark(p) => format!("What will the high watermark of {} be {when}?", tp(p)),
        QuestionKind::LogEndOffset(p) => format!("What will the log end offset of {} be {when}?", tp(p)),
        QuestionKind::LogStartOffset(p) => format!("What will the log start offset of {} be {when}?", tp(p)),
        QuestionKind::OutOfSync(p) => {
            format!("Which replica of {} will be out of its ISR {when}?", tp(p))
        }
        QuestionKind::ActiveController => format!("Which controller will be the active one {when}?"),
        QuestionKind::RegistryCalls(c) => {
            format!("How many calls will {} have made to the Schema Registry {when}?", scenario.client_name(*c))
        }
        QuestionKind::Committed { group, partition } => {
            format!("What offset will {group} have committed on {} {when}?", tp(partition))
        }
        QuestionKind::Received(c) => format!("How many records will {} have received {when}?", consumer(c)),
        QuestionKind::GroupRead { group, .. } => {
            format!("How many records will the consumers of {group} have received together {when}?")
        }
        QuestionKind::Outcome(f) => format!("How many records will be {} {when}?", f.name()),
    }
}

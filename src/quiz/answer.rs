//! A question's answer, read from the world at the question's `answer_at`:
//! the right choice or number, and the state that decided it, in the words
//! of the screens that show it (the assignment, the partition table).

use crate::client::partitioner::{murmur2, partition_for_key, to_positive};
use crate::ids::{ClientIdx, TopicPartition};
use crate::scenario::question::{ALL_IN_SYNC, NO_CONTROLLER, NO_LEADER, NOBODY, Question, QuestionKind};
use crate::scenario::{Action, Scenario};
pub use crate::trace::answer::{Answer, Right};
use crate::world::{World, consumer_state};

/// Reads question `index`'s answer from the world as it is now.
pub fn answer(world: &World, index: usize) -> Answer {
    let scenario = &world.scenario;
    let question = &scenario.questions[index];
    let (right, why) = decide(world, question);
    Answer {
        index,
        question: question.text.clone(),
        asked_at: question.asked_at.to_string(),
        answer_at: question.answer_at.to_string(),
        right,
        why,
        narration: last_said(scenario, question),
    }
}

/// The last narration line before the answer: what the lesson says about it.
fn last_said(scenario: &Scenario, question: &Question) -> Option<String> {
    scenario
        .timeline
        .iter()
        .filter(|a| a.at <= question.answer_at)
        .filter_map(|a| match &a.action {
            Action::Say(text) => Some(text.trim().to_string()),
            _ => None,
        })
        .next_back()
}

fn decide(world: &World, question: &Question) -> (Right, String) {
    let when = world.now;
    match &question.kind {
        QuestionKind::Idle { group, consumers } => {
            let idle: Vec<String> = consumers
                .iter()
                .filter(|c| is_running(world, **c) && owned(world, **c).is_empty())
                .map(|c| consumer_name(world, *c))
                .collect();
            let right = if idle.is_empty() { vec![NOBODY.to_string()] } else { idle };
            (Right::Choices(right), format!("at {when}, {group}: {}", ownership(world, consumers)))
        }
        QuestionKind::Owner { group, partition, consumers } => {
            let owners: Vec<String> = consumers
                .iter()
                .filter(|c| owned(world, **c).contains(partition))
                .map(|c| consumer_name(world, *c))
                .collect();
            let right = if owners.is_empty() { vec![NOBODY.to_string()] } else { owners };
            (Right::Choices(right), format!("at {when}, {group}: {}", ownership(world, consumers)))
        }
        QuestionKind::Leader(tp) => {
            let leader = world.partition_view(*tp).and_then(|v| v.state.leader);
            let right = leader.map_or(NO_LEADER.to_string(), |b| b.0.to_string());
            (Right::Choices(vec![right]), partition_state(world, *tp))
        }
        QuestionKind::PartitionOf { topic, key } => {
            let t = &world.scenario.topics[topic.0 as usize];
            let p = partition_for_key(key.as_bytes(), t.partitions);
            let hash = murmur2(key.as_bytes());
            let why = format!(
                "Kafka's default partitioner: murmur2(\"{key}\") = {hash}, toPositive = {}, modulo {} partitions = {p}",
                to_positive(hash),
                t.partitions
            );
            (Right::Choices(vec![format!("{}-{p}", t.name)]), why)
        }
        QuestionKind::HighWatermark(tp) => log_number(world, *tp, |l| l.high_watermark()),
        QuestionKind::LogEndOffset(tp) => log_number(world, *tp, |l| l.log_end_offset()),
        QuestionKind::LogStartOffset(tp) => log_number(world, *tp, |l| l.log_start_offset()),
        QuestionKind::OutOfSync(tp) => {
            let out: Vec<String> = world.partition_view(*tp).map_or(Vec::new(), |v| {
                v.state.replicas.iter().filter(|b| !v.state.isr.contains(b)).map(|b| b.0.to_string()).collect()
            });
            let right = if out.is_empty() { vec![ALL_IN_SYNC.to_string()] } else { out };
            (Right::Choices(right), partition_state(world, *tp))
        }
        QuestionKind::ActiveController => {
            let active = world.controller.active;
            let right = active.map_or(NO_CONTROLLER.to_string(), |c| format!("controller-{c}"));
            let why = match active {
                Some(c) => format!("at {when}, controller {c} is active: it reaches a majority of the controllers"),
                None => format!("at {when}, no controller is alive and reaches a majority of the controllers"),
            };
            (Right::Choices(vec![right]), why)
        }
        QuestionKind::RegistryCalls(c) => {
            let n = world.registry_calls(*c) as i64;
            let name = world.scenario.client_name(*c);
            let times = if n == 1 { "once".to_string() } else { format!("{n} times") };
            (Right::Number(n), format!("at {when}, {name} has called the Schema Registry {times}"))
        }
        QuestionKind::Committed { group, partition } => {
            let name = world.scenario.partition_name(*partition);
            let committed = world.group_view(group).and_then(|g| g.committed.get(partition).copied());
            let end = world.partition_view(*partition).and_then(|v| v.log).map(|l| l.high_watermark());
            let end = end.map_or(String::new(), |hw| format!(" (its high watermark is {hw})"));
            match committed {
                Some(offset) => {
                    (Right::Number(offset), format!("at {when}, {group} has committed offset {offset} on {name}{end}"))
                }
                None => {
                    (Right::Word("none".to_string()), format!("at {when}, {group} has committed nothing on {name}"))
                }
            }
        }
        QuestionKind::Received(c) => {
            let n = received(world, *c);
            let why =
                format!("at {when}, {} has received {n} records ({})", consumer_name(world, *c), state(world, *c));
            (Right::Number(n), why)
        }
        QuestionKind::GroupRead { group, consumers } => {
            let total: i64 = consumers.iter().map(|c| received(world, *c)).sum();
            let each: Vec<String> =
                consumers.iter().map(|c| format!("{} {}", consumer_name(world, *c), received(world, *c))).collect();
            (Right::Number(total), format!("at {when}, {group}'s consumers have received {}", each.join(", ")))
        }
        QuestionKind::Outcome(field) => {
            let delivery = world.delivery();
            let n = delivery.field(*field) as i64;
            // The asked count first, then the usual ones, each once.
            let usual = [
                ("produced", delivery.produced),
                ("acknowledged", delivery.acknowledged),
                ("delivered", delivery.delivered),
                ("lost", delivery.lost),
                ("duplicated", delivery.duplicated),
            ];
            let beside: Vec<String> =
                usual.iter().filter(|(name, _)| *name != field.name()).map(|(name, n)| format!("{n} {name}")).collect();
            let why = format!("at {when}, {n} {}; the other counts: {}", field.name(), beside.join(", "));
            (Right::Number(n), why)
        }
    }
}

fn consumer_name(world: &World, c: ClientIdx) -> String {
    world.scenario.consumers[c.0 as usize].name.clone()
}

fn owned(world: &World, c: ClientIdx) -> Vec<TopicPartition> {
    world.consumers.get(c.0 as usize).map(|c| c.assignment.clone()).unwrap_or_default()
}

fn received(world: &World, c: ClientIdx) -> i64 {
    world.consumers.get(c.0 as usize).map_or(0, |c| c.delivered as i64)
}

fn state(world: &World, c: ClientIdx) -> &'static str {
    world.consumers.get(c.0 as usize).map_or("not started", |c| consumer_state(c.phase))
}

fn is_running(world: &World, c: ClientIdx) -> bool {
    state(world, c) == "running"
}

/// "first owns nothing, second owns tickets-1, third crashed".
fn ownership(world: &World, consumers: &[ClientIdx]) -> String {
    let each: Vec<String> = consumers
        .iter()
        .map(|&c| {
            let name = consumer_name(world, c);
            let owns = owned(world, c);
            match state(world, c) {
                "running" if owns.is_empty() => format!("{name} owns nothing"),
                "running" => {
                    let names: Vec<String> = owns.iter().map(|tp| world.scenario.partition_name(*tp)).collect();
                    format!("{name} owns {}", names.join(", "))
                }
                other => format!("{name} is {other}"),
            }
        })
        .collect();
    each.join("; ")
}

/// "demo-0 at 40s: leader 1 (epoch 2), replicas [1, 2, 3], ISR [1, 3], high watermark 120, log end 125".
fn partition_state(world: &World, tp: TopicPartition) -> String {
    let name = world.scenario.partition_name(tp);
    let Some(view) = world.partition_view(tp) else { return format!("{name} has no replica") };
    let list = |ids: &[crate::ids::BrokerId]| ids.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(", ");
    let leader = view.state.leader.map_or("none (offline)".to_string(), |b| b.0.to_string());
    let log = view.log.map_or(String::new(), |l| {
        format!(
            ", log start {}, high watermark {}, log end {}",
            l.log_start_offset(),
            l.high_watermark(),
            l.log_end_offset()
        )
    });
    format!(
        "{name} at {}: leader {leader} (epoch {}), replicas [{}], ISR [{}]{log}",
        world.now,
        view.state.leader_epoch,
        list(&view.state.replicas),
        list(&view.state.isr)
    )
}

fn log_number(
    world: &World,
    tp: TopicPartition,
    read: fn(&crate::cluster::log::PartitionLog) -> i64,
) -> (Right, String) {
    let why = partition_state(world, tp);
    match world.partition_view(tp).and_then(|v| v.log) {
        Some(log) => (Right::Number(read(log)), why),
        None => (Right::Word("none".to_string()), why),
    }
}

//! `kafkasim explain assign`: what one of Kafka's assignors gives a group,
//! and why — the step the group leader runs at the end of every rebalance.

use std::collections::BTreeMap;
use std::io::{self, Write};

use clap::Args;

use crate::cli::ListFormat;
use crate::cli::output::{self, Output};
use crate::group::assignor::{self, AssignmentResult, Strategy, Subscription, TopicPartition};

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  kafkasim explain assign --topic orders:3 --member c1 --member c2
  kafkasim explain assign --strategy cooperative-sticky --topic t:4 \\
      --member c1 --member c2 --member c3 --owned c1=t-0,t-1,t-2,t-3 --owned c2= --generation c1=1

Members are given in the order they joined; the assignors themselves sort
them by member id (static members by group.instance.id first), as Kafka does.")]
pub struct AssignArgs {
    /// The assignor (`partition.assignment.strategy`): range, roundrobin, sticky
    /// or cooperative-sticky; Java class names work too.
    #[arg(long, default_value = "range", value_parser = parse_strategy)]
    pub strategy: Strategy,
    /// A topic and its partition count, as NAME:PARTITIONS (repeat for more topics).
    #[arg(long = "topic", value_name = "NAME:PARTITIONS", required = true, value_parser = parse_topic)]
    pub topics: Vec<(String, u32)>,
    /// A member: ID subscribes to every --topic; ID=TOPIC,TOPIC to those only
    /// (a topic that does not exist is ignored, as in Kafka). Repeat per member.
    #[arg(long = "member", value_name = "ID[=TOPIC,...]", required = true, value_parser = parse_member)]
    pub members: Vec<(String, Option<Vec<String>>)>,
    /// Sticky strategies: what a member owned before, as ID=TOPIC-P,TOPIC-P (`ID=` for nothing).
    #[arg(long = "owned", value_name = "ID=TOPIC-P,...", value_parser = parse_owned)]
    pub owned: Vec<(String, Vec<TopicPartition>)>,
    /// Sticky strategies: the generation a member owned those partitions in, as ID=N.
    #[arg(long = "generation", value_name = "ID=N", value_parser = parse_generation)]
    pub generations: Vec<(String, i32)>,
    /// A static member's `group.instance.id`, as ID=NAME.
    #[arg(long = "instance-id", value_name = "ID=NAME", value_parser = parse_instance)]
    pub instance_ids: Vec<(String, String)>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

fn parse_strategy(text: &str) -> Result<Strategy, String> {
    text.parse().map_err(|e: assignor::UnknownStrategy| e.to_string())
}

fn split_pair<'a>(text: &'a str, shape: &str) -> Result<(&'a str, &'a str), String> {
    match text.split_once('=') {
        Some((id, rest)) if !id.trim().is_empty() => Ok((id.trim(), rest.trim())),
        _ => Err(format!("`{text}` should look like {shape}")),
    }
}

fn parse_topic(text: &str) -> Result<(String, u32), String> {
    let shape = || format!("`{text}` should look like NAME:PARTITIONS, e.g. `orders:3`");
    let (name, count) = text.rsplit_once(':').ok_or_else(shape)?;
    let count: u32 = count.trim().parse().map_err(|_| shape())?;
    if name.trim().is_empty() {
        return Err(shape());
    }
    if count > crate::scenario::MAX_PARTITIONS {
        return Err(format!(
            "{count} partitions is more than a topic has here (at most {})",
            crate::scenario::MAX_PARTITIONS
        ));
    }
    Ok((name.trim().to_string(), count))
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

fn parse_member(text: &str) -> Result<(String, Option<Vec<String>>), String> {
    match text.split_once('=') {
        None if !text.trim().is_empty() => Ok((text.trim().to_string(), None)),
        None => Err("a member needs an id, e.g. `c1` or `c1=orders,payments`".to_string()),
        Some(_) => {
            let (id, topics) = split_pair(text, "ID or ID=TOPIC,TOPIC")?;
            let topics = list(topics);
            if topics.is_empty() {
                return Err(format!("`{text}` subscribes to no topic: list some after `=`, or give just `{id}`"));
            }
            Ok((id.to_string(), Some(topics)))
        }
    }
}

/// `orders-3`: Kafka's way of writing a partition (the topic may contain `-`).
fn parse_partition(text: &str) -> Result<TopicPartition, String> {
    let shape = || format!("`{text}` is not a partition: write TOPIC-PARTITION, like `orders-0`");
    let (topic, partition) = text.rsplit_once('-').ok_or_else(shape)?;
    let partition: u32 = partition.parse().map_err(|_| shape())?;
    if topic.is_empty() {
        return Err(shape());
    }
    Ok(TopicPartition::new(topic, partition))
}

fn parse_owned(text: &str) -> Result<(String, Vec<TopicPartition>), String> {
    let (id, partitions) = split_pair(text, "ID=TOPIC-P,TOPIC-P (or `ID=` for nothing)")?;
    let partitions = list(partitions).iter().map(|p| parse_partition(p)).collect::<Result<Vec<_>, _>>()?;
    Ok((id.to_string(), partitions))
}

fn parse_generation(text: &str) -> Result<(String, i32), String> {
    let (id, n) = split_pair(text, "ID=N, e.g. `c1=3`")?;
    let n: i32 = n.parse().map_err(|_| format!("`{n}` is not a generation number (a whole number, 0 or more)"))?;
    if n < 0 {
        return Err(format!("generation {n} is negative; generations count from 0"));
    }
    Ok((id.to_string(), n))
}

fn parse_instance(text: &str) -> Result<(String, String), String> {
    let (id, name) = split_pair(text, "ID=NAME, e.g. `c1=consumer-host-1`")?;
    if name.is_empty() {
        return Err(format!("`{text}` gives an empty group.instance.id"));
    }
    Ok((id.to_string(), name.to_string()))
}

/// The same bounds as a scenario's groups: an assignor's work grows with
/// members × partitions, and the sticky ones beyond that.
fn within_limits(topics: &BTreeMap<String, u32>, members: Vec<Subscription>) -> Result<Vec<Subscription>, String> {
    use crate::scenario::{MAX_CLIENTS, MAX_GROUP_ASSIGNMENT, MAX_TOTAL_PARTITIONS};
    let partitions: u64 = topics.values().map(|&n| u64::from(n)).sum();
    if partitions > u64::from(MAX_TOTAL_PARTITIONS) {
        return Err(format!(
            "{partitions} partitions in all is more than this tool explains (at most {MAX_TOTAL_PARTITIONS})"
        ));
    }
    if members.len() > MAX_CLIENTS as usize {
        return Err(format!("{} members is more than this tool explains (at most {MAX_CLIENTS})", members.len()));
    }
    let cells = members.len() as u64 * partitions;
    if cells > MAX_GROUP_ASSIGNMENT {
        return Err(format!(
            "{} members × {partitions} partitions = {cells}, more than this tool explains (at most {MAX_GROUP_ASSIGNMENT}); use fewer of either",
            members.len()
        ));
    }
    Ok(members)
}

/// The subscriptions the leader would see, in join order.
fn subscriptions(args: &AssignArgs) -> Result<Vec<Subscription>, String> {
    let all_topics: Vec<String> = args.topics.iter().map(|(t, _)| t.clone()).collect();
    let mut members: Vec<Subscription> = Vec::new();
    for (id, topics) in &args.members {
        if members.iter().any(|m| &m.member_id == id) {
            return Err(format!("member `{id}` is given twice; member ids are unique in a group"));
        }
        members.push(Subscription::new(id.clone(), topics.clone().unwrap_or_else(|| all_topics.clone())));
    }
    let member = |members: &mut Vec<Subscription>, id: &str, flag: &str| -> Result<usize, String> {
        members.iter().position(|m| m.member_id == id).ok_or_else(|| {
            let known: Vec<&str> = args.members.iter().map(|(m, _)| m.as_str()).collect();
            format!("--{flag} names `{id}`, which is not a --member (members: {})", known.join(", "))
        })
    };
    for (id, owned) in &args.owned {
        let i = member(&mut members, id, "owned")?;
        members[i].owned_partitions.extend(owned.iter().cloned());
    }
    for (id, generation) in &args.generations {
        let i = member(&mut members, id, "generation")?;
        members[i].generation = Some(*generation);
    }
    for (id, name) in &args.instance_ids {
        let i = member(&mut members, id, "instance-id")?;
        members[i].group_instance_id = Some(name.clone());
    }
    let mut taken: BTreeMap<&str, &str> = BTreeMap::new();
    for m in &members {
        if let Some(instance) = &m.group_instance_id
            && let Some(other) = taken.insert(instance, &m.member_id)
        {
            return Err(format!(
                "`{other}` and `{}` share group.instance.id `{instance}`; it must be unique",
                m.member_id
            ));
        }
    }
    Ok(members)
}

pub fn assign(args: &AssignArgs, out: &mut Output) -> io::Result<u8> {
    let mut partitions_per_topic: BTreeMap<String, u32> = BTreeMap::new();
    for (topic, count) in &args.topics {
        if partitions_per_topic.insert(topic.clone(), *count).is_some() {
            output::eprint(&format!("error: topic `{topic}` is given twice; give each --topic once\n"));
            return Ok(2);
        }
    }
    let members = match subscriptions(args).and_then(|m| within_limits(&partitions_per_topic, m)) {
        Ok(m) => m,
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            return Ok(2);
        }
    };
    let result = assignor::assign(args.strategy, &partitions_per_topic, &members);
    match args.format {
        ListFormat::Json => writeln!(out, "{}", json(&members, &result))?,
        ListFormat::Text => write!(out, "{}", text(args.strategy, &partitions_per_topic, &members, &result))?,
    }
    Ok(0)
}

/// `{"assignment": {"c1": [["orders", 0]], "c2": []}}`, every member present.
fn json(members: &[Subscription], result: &AssignmentResult) -> serde_json::Value {
    let assignment: serde_json::Map<String, serde_json::Value> = members
        .iter()
        .map(|m| {
            let partitions = result.assignment.get(&m.member_id).map(Vec::as_slice).unwrap_or_default();
            let list: Vec<serde_json::Value> =
                partitions.iter().map(|tp| serde_json::json!([tp.topic, tp.partition])).collect();
            (m.member_id.clone(), serde_json::Value::Array(list))
        })
        .collect();
    serde_json::json!({ "assignment": assignment })
}

fn text(
    strategy: Strategy,
    topics: &BTreeMap<String, u32>,
    members: &[Subscription],
    result: &AssignmentResult,
) -> String {
    let protocol = match strategy.protocol() {
        assignor::RebalanceProtocol::Eager => "eager: every member gives up all its partitions first",
        assignor::RebalanceProtocol::Cooperative => "cooperative: members keep what they may keep",
    };
    let mut out = format!("assignor {strategy} ({protocol})\n");
    let topic_list: Vec<String> = topics.iter().map(|(t, n)| format!("{t} ({n} partitions)")).collect();
    out.push_str(&format!("topics: {}\n", topic_list.join(", ")));
    out.push_str("members, in join order:\n");
    for m in members {
        let mut line = format!("  {} subscribes to {}", m.member_id, m.topics.join(", "));
        let missing: Vec<&str> = m.topics.iter().filter(|t| !topics.contains_key(*t)).map(String::as_str).collect();
        if !missing.is_empty() {
            line.push_str(&format!(" (ignored, no such topic: {})", missing.join(", ")));
        }
        if let Some(instance) = &m.group_instance_id {
            line.push_str(&format!("; static, group.instance.id={instance}"));
        }
        if !m.owned_partitions.is_empty() || m.generation.is_some() {
            let owned: Vec<String> = m.owned_partitions.iter().map(ToString::to_string).collect();
            let generation = m.generation.map_or(String::new(), |g| format!(" in generation {g}"));
            line.push_str(&format!("; owned [{}]{generation}", owned.join(", ")));
        }
        out.push_str(&line);
        out.push('\n');
    }
    if !result.explanation.is_empty() {
        out.push_str("\nwhy:\n");
        for line in &result.explanation {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.push_str("\nassignment:\n");
    let width = members.iter().map(|m| m.member_id.chars().count()).max().unwrap_or(0);
    for m in members {
        let partitions = result.assignment.get(&m.member_id).map(Vec::as_slice).unwrap_or_default();
        let coming: Vec<String> = result
            .pending_transfers
            .iter()
            .filter(|(_, to)| **to == m.member_id)
            .map(|(tp, _)| tp.to_string())
            .collect();
        let shown = if partitions.is_empty() && coming.is_empty() {
            "(nothing: idle)".to_string()
        } else if partitions.is_empty() {
            format!("(nothing this round; {} follow in the next)", coming.join(" "))
        } else {
            partitions.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
        };
        out.push_str(&format!("  {:<width$}  {shown}\n", m.member_id));
    }
    if !result.pending_transfers.is_empty() {
        out.push_str("\nwithheld until the follow-up rebalance (its owner must revoke it first):\n");
        for (tp, to) in &result.pending_transfers {
            out.push_str(&format!("  {tp} → {to}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse_with_clear_errors() {
        assert_eq!(parse_topic("orders:3"), Ok(("orders".to_string(), 3)));
        assert!(parse_topic("orders").unwrap_err().contains("NAME:PARTITIONS"));
        assert_eq!(parse_member("c1"), Ok(("c1".to_string(), None)));
        assert_eq!(parse_member("c1=a, b"), Ok(("c1".to_string(), Some(vec!["a".to_string(), "b".to_string()]))));
        assert!(parse_member("c1=").unwrap_err().contains("no topic"));
        assert_eq!(parse_owned("c1=my-topic-2"), Ok(("c1".to_string(), vec![TopicPartition::new("my-topic", 2)])));
        assert_eq!(parse_owned("c1="), Ok(("c1".to_string(), Vec::new())));
        assert!(parse_owned("c1=orders").unwrap_err().contains("TOPIC-PARTITION"));
        assert!(parse_generation("c1=-1").unwrap_err().contains("negative"));
    }
}

//! `kafkasim explain coordinator`: which `__consumer_offsets` partition — and
//! so which broker — coordinates a consumer group; with `--transactional-id`,
//! which `__transaction_state` partition holds a transactional producer's
//! state (the same hash, `TransactionStateManager.partitionFor`).

use std::io::{self, Write};

use clap::Args;

use crate::cli::output::{self, Output};
use crate::cli::{ListFormat, source};
use crate::group::hash::{coordinator_partition, java_string_hash, kafka_abs};
use crate::ids::TopicPartition;
use crate::txn::coordinator_partition::{TRANSACTION_STATE_TOPIC, default_partitions, transaction_state_partition};
use crate::world::{BuildOptions, World};

/// Kafka's default `offsets.topic.num.partitions`.
const DEFAULT_OFFSETS_PARTITIONS: u32 = 50;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("id").required(true).args(["group", "transactional_id"]))]
pub struct CoordinatorArgs {
    /// The consumer group id (`group.id`).
    #[arg(long)]
    pub group: Option<String>,
    /// A transactional producer's `transactional.id`: which
    /// `__transaction_state` partition holds its transactions.
    #[arg(long)]
    pub transactional_id: Option<String>,
    /// Also name the coordinator broker, from this scenario's replica placement
    /// (a file or a built-in scenario name); with `--transactional-id`, take
    /// the scenario's `transaction.state.log.num.partitions`.
    #[arg(long)]
    pub scenario: Option<String>,
    /// `offsets.topic.num.partitions`, or `transaction.state.log.num.partitions`
    /// with `--transactional-id` (taken from the scenario when one is given).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000), conflicts_with = "scenario")]
    pub partitions: Option<u32>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// The broker leading a partition at the start of a scenario: its preferred
/// (first) replica, with every replica of the partition.
struct Placement {
    replicas: Vec<i32>,
    leader: Option<i32>,
}

pub fn coordinator(args: &CoordinatorArgs, out: &mut Output) -> io::Result<u8> {
    if let Some(id) = &args.transactional_id {
        let mut partitions = args.partitions.unwrap_or_else(default_partitions);
        let mut placement = None;
        if let Some(name) = &args.scenario {
            let scenario = match source::load(name) {
                Ok(s) => s,
                Err(e) => {
                    source::report(&e);
                    return Ok(2);
                }
            };
            partitions = scenario.broker_config.transaction_state_log_num_partitions;
            // A scenario with transactional producers has the topic: name its leader.
            let world = World::new(scenario, BuildOptions::default());
            if let Some(topic) = world.scenario.transaction_state_topic() {
                let tp = TopicPartition::new(topic, transaction_state_partition(id, partitions));
                placement = world.partition_view(tp).map(|v| Placement {
                    replicas: v.state.replicas.iter().map(|b| b.0).collect(),
                    leader: v.state.leader.map(|b| b.0),
                });
            }
        }
        transaction_coordinator(id, partitions, placement.as_ref(), args.format, out)?;
        return Ok(0);
    }
    let group = args.group.as_deref().unwrap_or_default();
    let mut partitions = args.partitions.unwrap_or(DEFAULT_OFFSETS_PARTITIONS);
    let mut placement = None;
    if let Some(name) = &args.scenario {
        let scenario = match source::load(name) {
            Ok(s) => s,
            Err(e) => {
                source::report(&e);
                return Ok(2);
            }
        };
        let world = World::new(scenario, BuildOptions::default());
        let Some(topic) = world.offsets_topic() else {
            output::eprint(&format!(
                "error: scenario `{name}` has no consumer groups, so its cluster has no __consumer_offsets topic\n\
                 hint: give a consumer a `group:`, or leave out --scenario\n"
            ));
            return Ok(2);
        };
        partitions = world.scenario.topics[topic.0 as usize].partitions;
        let tp = world.offsets_partition_of(group).expect("the offsets topic exists");
        placement = world.partition_view(tp).map(|v| Placement {
            replicas: v.state.replicas.iter().map(|b| b.0).collect(),
            leader: v.state.leader.map(|b| b.0),
        });
    }
    let hash = java_string_hash(group);
    let partition = coordinator_partition(group, partitions);
    match args.format {
        ListFormat::Json => {
            let mut json = serde_json::json!({ "group": group, "hash": hash, "partition": partition });
            if let Some(p) = &placement {
                json["replicas"] = serde_json::json!(p.replicas);
                json["coordinator"] = serde_json::json!(p.leader);
            }
            writeln!(out, "{json}")?;
        }
        ListFormat::Text => {
            writeln!(out, "group          \"{group}\"")?;
            writeln!(
                out,
                "hashCode       {hash:>11}  Java's String.hashCode: h = 31·h + c over the UTF-16 characters"
            )?;
            writeln!(out, "Utils.abs      {:>11}  Kafka's abs (Integer.MIN_VALUE becomes 0)", kafka_abs(hash))?;
            writeln!(out, "% {partitions:<12} {partition:>11}  modulo offsets.topic.num.partitions")?;
            writeln!(
                out,
                "\n→ __consumer_offsets-{partition} holds the group's commits; the broker leading it is the group's coordinator."
            )?;
            if let Some(p) = &placement {
                write_placement(out, p, |leader| {
                    format!(
                        "so broker {leader} coordinates the group\n  (until it fails and another replica takes over — and the coordinator moves with it)"
                    )
                })?;
            }
        }
    }
    Ok(0)
}

/// "In this scenario its replicas are [1, 2, 3]: broker 1 leads it at the
/// start, " followed by what that makes the leader (`role`).
fn write_placement(out: &mut Output, p: &Placement, role: impl Fn(i32) -> String) -> io::Result<()> {
    let replicas: Vec<String> = p.replicas.iter().map(i32::to_string).collect();
    match p.leader {
        Some(leader) => writeln!(
            out,
            "  In this scenario its replicas are [{}]: broker {leader} leads it at the start, {}.",
            replicas.join(", "),
            role(leader)
        ),
        None => {
            writeln!(out, "  In this scenario its replicas are [{}], none of them leading yet.", replicas.join(", "))
        }
    }
}

/// The `__transaction_state` partition of a transactional id, step by step,
/// and its coordinator broker when the scenario has transactional producers
/// (only then does its cluster create `__transaction_state`).
fn transaction_coordinator(
    id: &str,
    partitions: u32,
    placement: Option<&Placement>,
    format: ListFormat,
    out: &mut Output,
) -> io::Result<()> {
    let hash = java_string_hash(id);
    let partition = transaction_state_partition(id, partitions);
    match format {
        ListFormat::Json => {
            let mut json = serde_json::json!({ "transactional_id": id, "hash": hash, "partition": partition });
            if let Some(p) = placement {
                json["replicas"] = serde_json::json!(p.replicas);
                json["coordinator"] = serde_json::json!(p.leader);
            }
            writeln!(out, "{json}")?;
        }
        ListFormat::Text => {
            writeln!(out, "transactional.id \"{id}\"")?;
            writeln!(
                out,
                "hashCode       {hash:>11}  Java's String.hashCode: h = 31·h + c over the UTF-16 characters"
            )?;
            writeln!(out, "Utils.abs      {:>11}  Kafka's abs (Integer.MIN_VALUE becomes 0)", kafka_abs(hash))?;
            writeln!(out, "% {partitions:<12} {partition:>11}  modulo transaction.state.log.num.partitions")?;
            writeln!(
                out,
                "\n→ {TRANSACTION_STATE_TOPIC}-{partition} holds the id's transaction state; the broker leading it is its transaction coordinator."
            )?;
            if let Some(p) = placement {
                write_placement(out, p, |leader| format!("so broker {leader} is the id's transaction coordinator"))?;
            }
        }
    }
    Ok(())
}

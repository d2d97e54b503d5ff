//! `kafkasim explain topology SCENARIO [--app ID]`: a Streams application's
//! topology as Kafka's `Topology#describe()` prints it, then what it means on
//! this scenario's cluster: its internal topics, its tasks, and whether its
//! joins are co-partitioned.

use std::io::{self, Write};

use clap::Args;

use crate::cli::output::{self, Output};
use crate::cli::source;
use crate::scenario::Scenario;
use crate::streams::StreamsApp;
use crate::streams::topology::copartition::{partition_counts, task_counts};
use crate::streams::topology::describe::describe;

#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// A scenario file, or the name of a built-in scenario.
    pub scenario: String,
    /// The application (`application.id`), when the scenario has several.
    #[arg(long)]
    pub app: Option<String>,
}

pub fn topology(args: &TopologyArgs, out: &mut Output) -> io::Result<u8> {
    let scenario = match source::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    let app = match pick(&scenario, args.app.as_deref()) {
        Ok(app) => app,
        Err(message) => {
            output::eprint(&format!("{message}\n"));
            return Ok(2);
        }
    };
    write!(out, "{}", explain(&scenario, app))?;
    Ok(0)
}

/// The application named `--app`, or the only one.
pub(crate) fn pick<'s>(scenario: &'s Scenario, app: Option<&str>) -> Result<&'s StreamsApp, String> {
    let ids: Vec<&str> = scenario.streams.iter().map(|a| a.application_id.as_str()).collect();
    match app {
        Some(id) => scenario.streams.iter().find(|a| a.application_id == id).ok_or_else(|| {
            format!("error: no Streams application `{id}` in this scenario\nhint: its applications: {}", list(&ids))
        }),
        None => match scenario.streams.as_slice() {
            [only] => Ok(only),
            [] => Err("error: this scenario has no Streams application\nhint: add a `streams:` section; the Kafka Streams chapter shows one".to_string()),
            _ => Err(format!("error: this scenario has several Streams applications\nhint: choose one with --app: {}", list(&ids))),
        },
    }
}

fn list(ids: &[&str]) -> String {
    if ids.is_empty() { "none".to_string() } else { ids.join(", ") }
}

/// describe(), then internal topics, tasks and the co-partitioning check.
pub fn explain(scenario: &Scenario, app: &StreamsApp) -> String {
    let topology = &app.topology;
    let mut out = describe(topology);
    let user = |name: &str| scenario.topics.iter().find(|t| t.name == name && !t.internal).map(|t| t.partitions);
    let prefix = format!("stream-thread [{}-StreamThread-1-consumer] ", app.instances[0]);
    match partition_counts(topology, &user, &prefix) {
        Err(refusal) => {
            out.push_str(&format!(
                "When {} starts, its group leader refuses this topology during the first rebalance:\n  org.apache.kafka.streams.errors.TopologyException: {refusal}\n\
                 A join needs its inputs partitioned alike, so records with equal keys meet in one task.\n",
                app.application_id
            ));
        }
        Ok(counts) => {
            let tasks = task_counts(topology, &counts);
            let rows = internal_rows(app, &counts, &tasks);
            if !rows.is_empty() {
                out.push_str(&format!("Internal topics {} creates:\n", app.application_id));
                for (name, kind, partitions) in rows {
                    out.push_str(&format!("  {name}  ({kind}, {partitions} partitions)\n"));
                }
            }
            let ids: Vec<String> = tasks.iter().flat_map(|(&s, &n)| (0..n).map(move |p| format!("{s}_{p}"))).collect();
            out.push_str(&format!("Tasks: {}\n", if ids.is_empty() { "none".to_string() } else { ids.join(" ") }));
        }
    }
    out
}

fn internal_rows(
    app: &StreamsApp,
    counts: &std::collections::BTreeMap<String, u32>,
    tasks: &std::collections::BTreeMap<u32, u32>,
) -> Vec<(String, String, u32)> {
    let topology = &app.topology;
    let mut rows = Vec::new();
    for t in &topology.repartition_topics {
        rows.push((app.internal_topic(t), "repartition".to_string(), counts.get(t).copied().unwrap_or(0)));
    }
    for (store, name) in topology.changelog_topics(&app.application_id) {
        let sub = topology.subtopologies.iter().find(|s| s.stores.contains(&store));
        let partitions = sub.and_then(|s| tasks.get(&s.id)).copied().unwrap_or(0);
        let policy = topology.stores[store].kind.changelog_cleanup_policy();
        rows.push((name, format!("changelog of {}, cleanup.policy={policy}", topology.stores[store].name), partitions));
    }
    rows
}

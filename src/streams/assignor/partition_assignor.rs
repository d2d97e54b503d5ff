//! The group leader's step for a Kafka Streams application over the classic
//! protocol (Kafka's `StreamsPartitionAssignor.assign`): from every stream
//! thread's subscription — its instance's process id and the offset sums
//! of the task states it holds — to the partitions each thread reads.
//!
//! 1. Tasks: sub-topology `s` has one task `s_p` per partition `p` of its
//!    source topics; a task is stateful when its stores have changelogs.
//! 2. Clients: threads grouped by process id; an instance's capacity is its
//!    number of threads; what it ran before comes from the partitions its
//!    threads owned and the tasks whose offset sum is `LATEST_OFFSET`.
//! 3. Lags: each stateful task's changelog end offsets summed, minus the
//!    client's offset sum ([`ClientState::compute_task_lags`]).
//! 4. [`super::assign`] places active, standby and warm-up tasks on clients;
//!    [`super::threads`] spreads each client's tasks over its threads.
//!
//! Simplification: the leader reads the changelogs' end offsets as they
//! are at the moment it assigns (Kafka asks the brokers with a
//! `ListOffsets` request from the leader's admin client, which blocks the
//! assignment for that round trip).
//! Simplification: standby tasks are decided (and told in the trace) but
//! not delivered to threads: the simulator's SyncGroup carries partitions
//! only, not Kafka Streams' `AssignmentInfo` user data; probing rebalances
//! are not scheduled.

use std::collections::{BTreeMap, BTreeSet};

use super::threads::assign_to_threads;
use super::{AssignmentConfigs, ClientState, LATEST_OFFSET, ProcessId};
use crate::streams::StreamsApp;
use crate::streams::runtime::TaskId;

/// What a stream thread puts in its JoinGroup subscription (the parts of
/// Kafka's `SubscriptionInfo` the assignor reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamsSubscription {
    /// The instance the thread belongs to (Kafka: a UUID per instance).
    pub process_id: ProcessId,
    /// Per task whose state the thread holds: the sum of its changelog
    /// offsets, or [`LATEST_OFFSET`] for a task it runs actively.
    pub task_offset_sums: BTreeMap<TaskId, i64>,
}

/// One group member as the leader sees it.
#[derive(Clone, Debug)]
pub struct StreamsMember<'a> {
    pub member_id: &'a str,
    pub subscription: &'a StreamsSubscription,
    /// Partitions it owned in the last generation (topic name, partition).
    pub owned: &'a [(String, u32)],
}

/// The leader's decision.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamsAssignment {
    /// Member id → the partitions it reads, task by task.
    pub partitions: BTreeMap<String, Vec<(String, u32)>>,
    pub active_tasks: BTreeMap<String, Vec<TaskId>>,
    pub standby_tasks: BTreeMap<String, Vec<TaskId>>,
    /// Some task waits on a warm-up: Kafka schedules a probing rebalance.
    pub probing_rebalance_needed: bool,
}

/// Runs the assignment for `app`. `partition_counts` holds every source
/// topic's partitions; `end_offset(topic, partition)` a changelog's end.
pub fn assign(
    app: &StreamsApp,
    partition_counts: &BTreeMap<String, u32>,
    members: &[StreamsMember<'_>],
    end_offset: &dyn Fn(&str, u32) -> Option<i64>,
) -> StreamsAssignment {
    let topology = &app.topology;
    // Repartition topics are named `<application.id>-<name>` on the cluster.
    let full_name = |t: &String| if topology.is_repartition_topic(t) { app.internal_topic(t) } else { t.clone() };
    let changelogs = topology.changelog_topics(&app.application_id);
    let mut partitions_for_task: BTreeMap<TaskId, Vec<(String, u32)>> = BTreeMap::new();
    let mut changelogs_for_task: BTreeMap<TaskId, Vec<String>> = BTreeMap::new();
    for sub in &topology.subtopologies {
        let sub_changelogs: Vec<String> =
            changelogs.iter().filter(|(store, _)| sub.stores.contains(store)).map(|(_, t)| t.clone()).collect();
        let sources: Vec<String> = sub.source_topics.iter().map(full_name).collect();
        // A sub-topology has as many tasks as its largest source topic has
        // partitions (co-partitioned sources have the same count).
        let tasks = sources.iter().filter_map(|t| partition_counts.get(t)).copied().max().unwrap_or(0);
        for p in 0..tasks {
            let task = TaskId { subtopology: sub.id, partition: p };
            let partitions = sources
                .iter()
                .filter(|t| partition_counts.get(*t).is_some_and(|&n| p < n))
                .map(|t| (t.clone(), p))
                .collect();
            partitions_for_task.insert(task, partitions);
            if !sub_changelogs.is_empty() {
                changelogs_for_task.insert(task, sub_changelogs.clone());
            }
        }
    }
    let all_tasks: BTreeSet<TaskId> = partitions_for_task.keys().copied().collect();
    let stateful_tasks: BTreeSet<TaskId> = changelogs_for_task.keys().copied().collect();
    let end_offset_sums: BTreeMap<TaskId, i64> = changelogs_for_task
        .iter()
        .map(|(task, topics)| (*task, topics.iter().map(|t| end_offset(t, task.partition).unwrap_or(0)).sum()))
        .collect();
    let task_of_partition: BTreeMap<(String, u32), TaskId> =
        partitions_for_task.iter().flat_map(|(task, ps)| ps.iter().map(move |tp| (tp.clone(), *task))).collect();

    let mut clients: BTreeMap<ProcessId, ClientState> = BTreeMap::new();
    let mut consumers: BTreeMap<ProcessId, BTreeSet<String>> = BTreeMap::new();
    let mut offset_sums: BTreeMap<ProcessId, BTreeMap<TaskId, i64>> = BTreeMap::new();
    let mut prev_tasks: BTreeMap<String, BTreeSet<TaskId>> = BTreeMap::new();
    for m in members {
        let process = m.subscription.process_id.clone();
        let client = clients.entry(process.clone()).or_default();
        client.capacity += 1;
        for tp in m.owned {
            if let Some(&task) = task_of_partition.get(tp) {
                client.prev_active.insert(task);
            }
        }
        for (&task, &sum) in &m.subscription.task_offset_sums {
            if sum == LATEST_OFFSET {
                client.prev_active.insert(task);
            } else if !client.prev_active.contains(&task) {
                client.prev_standby.insert(task);
            }
        }
        offset_sums.entry(process.clone()).or_default().extend(&m.subscription.task_offset_sums);
        consumers.entry(process).or_default().insert(m.member_id.to_string());
        prev_tasks.insert(m.member_id.to_string(), m.subscription.task_offset_sums.keys().copied().collect());
    }
    for (process, client) in &mut clients {
        client.compute_task_lags(&offset_sums[process], &end_offset_sums);
    }
    let configs = AssignmentConfigs::of(&app.config);
    let probing_rebalance_needed = super::assign(&mut clients, &all_tasks, &stateful_tasks, &configs);

    let mut result = StreamsAssignment { probing_rebalance_needed, ..StreamsAssignment::default() };
    for (process, client) in &clients {
        let threads = assign_to_threads(client, &stateful_tasks, &consumers[process], &prev_tasks);
        for (member, tasks) in threads.active {
            let partitions =
                tasks.iter().flat_map(|t| partitions_for_task.get(t).cloned().unwrap_or_default()).collect();
            result.partitions.insert(member.clone(), partitions);
            result.active_tasks.insert(member, tasks);
        }
        result.standby_tasks.extend(threads.standby);
    }
    result
}

/// What a stream thread's consumer carries for Kafka Streams: the
/// application (the leader needs its topology), the subscription user data
/// the thread keeps up to date, and what the leader decided last.
#[derive(Clone, Debug)]
pub struct StreamsConsumer {
    pub app: std::sync::Arc<StreamsApp>,
    pub subscription: StreamsSubscription,
    /// Changelog end offsets (topic, partition) as they are now.
    pub changelog_end_offsets: BTreeMap<(String, u32), i64>,
    /// The last assignment this consumer made as the group's leader.
    pub decided: Option<StreamsAssignment>,
}

impl StreamsConsumer {
    pub fn new(app: std::sync::Arc<StreamsApp>, process_id: &str) -> Self {
        StreamsConsumer {
            app,
            subscription: StreamsSubscription { process_id: process_id.to_string(), ..StreamsSubscription::default() },
            changelog_end_offsets: BTreeMap::new(),
            decided: None,
        }
    }
}

#[cfg(test)]
mod tests;

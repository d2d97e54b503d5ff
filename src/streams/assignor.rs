//! Kafka Streams' task assignor: which application instance runs each task
//! actively, which keep standby copies of its state, and whether a probing
//! rebalance must follow.
//!
//! Kafka 4.0 over the classic group protocol runs `StreamsPartitionAssignor`
//! in the group leader. With `task.assignor.class` unset (its default, null)
//! it falls back to the internal `HighAvailabilityTaskAssignor`
//! (`AssignorConfiguration`: `internal.task.assignor.class` defaults to it).
//! This module ports that assignor, step by step as Kafka's
//! `HighAvailabilityTaskAssignor.assign` runs it:
//!
//! 1. stateful active tasks round-robin over the clients (sorted by process
//!    id), then moved until the load per stream thread is balanced;
//! 2. `num.standby.replicas` standby copies of each stateful task, each on a
//!    least-loaded client that holds no copy of the task yet
//!    (`DefaultStandbyTaskAssignor`), balanced the same way;
//! 3. every active task whose client is not caught up while another client
//!    is ([`movement`]): the task goes to a caught-up client (swapping with
//!    its standby when it has one) and the balanced client keeps a
//!    **warm-up** replica (a standby) to catch up on, at most
//!    `max.warmup.replicas` of them; the same for standbys;
//! 4. stateless tasks to the clients with the fewest active tasks per thread.
//!
//! A client is *caught up* on a task when it runs the task actively now
//! (its offset sum is `LATEST_OFFSET`) or its lag — the changelog end
//! offsets' sum minus the offsets its local state holds — is at most
//! `acceptable.recovery.lag`. Any movement planned in step 3 makes the
//! result unstable: a **probing rebalance** follows after
//! `probing.rebalance.interval.ms` to check whether the warm-ups caught up.
//!
//! Simplification: Kafka's process ids are random UUIDs, so the order of
//! clients is arbitrary there; here the process id is the instance's name,
//! which makes the order (and the round-robin) one a student can predict.
//! Simplification: rack-aware assignment (`rack.aware.assignment.strategy`,
//! default `none`) and client tags are not modelled, as Kafka's default.

mod movement;
pub mod partition_assignor;
pub mod threads;

use std::collections::{BTreeMap, BTreeSet};

use crate::streams::runtime::TaskId;

/// An instance's process id (Kafka: a UUID per `KafkaStreams` instance).
pub type ProcessId = String;

/// Kafka's `Task.LATEST_OFFSET`: the offset sum of a task the client runs
/// actively and is therefore fully caught up on.
pub const LATEST_OFFSET: i64 = -2;

/// Kafka's `SubscriptionInfo.UNKNOWN_OFFSET_SUM`: the client has the task's
/// state but could not tell how far it got.
pub const UNKNOWN_OFFSET_SUM: i64 = -3;

/// The configs the assignor reads (Kafka's `AssignmentConfigs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignmentConfigs {
    /// `acceptable.recovery.lag` (10000): a client at most this far behind
    /// the changelogs counts as caught up.
    pub acceptable_recovery_lag: i64,
    /// `max.warmup.replicas` (2): warm-up replicas handed out per rebalance.
    pub max_warmup_replicas: u32,
    /// `num.standby.replicas` (0).
    pub num_standby_replicas: u32,
    /// `probing.rebalance.interval.ms` (600000).
    pub probing_rebalance_interval_ms: i64,
}

impl AssignmentConfigs {
    pub fn of(config: &crate::config::StreamsConfig) -> Self {
        AssignmentConfigs {
            acceptable_recovery_lag: config.acceptable_recovery_lag,
            max_warmup_replicas: config.max_warmup_replicas,
            num_standby_replicas: config.num_standby_replicas,
            probing_rebalance_interval_ms: config.probing_rebalance_interval_ms,
        }
    }
}

impl Default for AssignmentConfigs {
    fn default() -> Self {
        AssignmentConfigs::of(&crate::config::StreamsConfig::default())
    }
}

/// One application instance as the assignor sees it (Kafka's `ClientState`):
/// its stream threads, what it had, how far behind it is on each stateful
/// task, and what it is given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientState {
    /// Its stream threads (members of the group).
    pub capacity: u32,
    pub prev_active: BTreeSet<TaskId>,
    pub prev_standby: BTreeSet<TaskId>,
    /// Per stateful task: records behind the changelogs' end,
    /// [`LATEST_OFFSET`] when it runs the task now, or [`UNKNOWN_OFFSET_SUM`].
    pub lags: BTreeMap<TaskId, i64>,
    pub active: BTreeSet<TaskId>,
    pub standby: BTreeSet<TaskId>,
}

impl ClientState {
    /// A client with `capacity` threads that had nothing before.
    pub fn new(capacity: u32) -> Self {
        ClientState { capacity: capacity.max(1), ..ClientState::default() }
    }

    /// Kafka's `ClientState(prevActive, prevStandby, taskLagTotals, capacity)`.
    pub fn with_lags(
        prev_active: impl IntoIterator<Item = TaskId>,
        prev_standby: impl IntoIterator<Item = TaskId>,
        lags: impl IntoIterator<Item = (TaskId, i64)>,
        capacity: u32,
    ) -> Self {
        ClientState {
            capacity: capacity.max(1),
            prev_active: prev_active.into_iter().collect(),
            prev_standby: prev_standby.into_iter().collect(),
            lags: lags.into_iter().collect(),
            ..ClientState::default()
        }
    }

    /// Kafka's `ClientState.computeTaskLags`: the lag of every stateful task
    /// from the client's offset sums and the changelogs' end offset sums. A
    /// task it has no state for lags by the whole changelog; a state ahead of
    /// the changelog's end (corrupted) restores from scratch, so lags the same.
    pub fn compute_task_lags(&mut self, offset_sums: &BTreeMap<TaskId, i64>, end_offset_sums: &BTreeMap<TaskId, i64>) {
        for (&task, &end) in end_offset_sums {
            let offset_sum = offset_sums.get(&task).copied().unwrap_or(0);
            let lag = match offset_sum {
                LATEST_OFFSET => LATEST_OFFSET,
                UNKNOWN_OFFSET_SUM => UNKNOWN_OFFSET_SUM,
                sum if end < sum => end,
                sum => end - sum,
            };
            self.lags.insert(task, lag);
        }
    }

    pub fn lag_for(&self, task: TaskId) -> i64 {
        // Kafka throws for a task without a lag; every stateful task gets
        // one in `compute_task_lags`, so "as far behind as can be" is only a
        // guard.
        self.lags.get(&task).copied().unwrap_or(i64::MAX)
    }

    pub fn has_assigned_task(&self, task: TaskId) -> bool {
        self.active.contains(&task) || self.standby.contains(&task)
    }

    fn assigned_task_count(&self) -> usize {
        self.active.len() + self.standby.len()
    }

    /// Active and standby tasks per stream thread.
    fn assigned_task_load(&self) -> f64 {
        self.assigned_task_count() as f64 / f64::from(self.capacity)
    }

    fn active_task_load(&self) -> f64 {
        self.active.len() as f64 / f64::from(self.capacity)
    }
}

/// What a task copy is on a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Active,
    Standby,
}

impl ClientState {
    fn tasks(&self, kind: Kind) -> &BTreeSet<TaskId> {
        match kind {
            Kind::Active => &self.active,
            Kind::Standby => &self.standby,
        }
    }

    fn tasks_mut(&mut self, kind: Kind) -> &mut BTreeSet<TaskId> {
        match kind {
            Kind::Active => &mut self.active,
            Kind::Standby => &mut self.standby,
        }
    }
}

/// Kafka's `HighAvailabilityTaskAssignor.assign`: fills each client's
/// `active` and `standby` sets; returns whether a probing rebalance is
/// needed (some task could not go where it belongs yet).
pub fn assign(
    clients: &mut BTreeMap<ProcessId, ClientState>,
    all_tasks: &BTreeSet<TaskId>,
    stateful_tasks: &BTreeSet<TaskId>,
    configs: &AssignmentConfigs,
) -> bool {
    if clients.is_empty() {
        return false;
    }
    assign_active_stateful_tasks(clients, stateful_tasks);
    if configs.num_standby_replicas > 0 {
        assign_standby_replicas(clients, stateful_tasks, configs.num_standby_replicas);
    }
    let caught_up = movement::tasks_to_caught_up_clients(clients, stateful_tasks, configs.acceptable_recovery_lag);
    let by_lag = movement::tasks_to_clients_by_lag(clients, stateful_tasks);
    let mut plan = movement::Plan {
        caught_up: &caught_up,
        by_lag: &by_lag,
        warmups: BTreeMap::new(),
        remaining_warmups: i64::from(configs.max_warmup_replicas),
    };
    let active_moves = plan.assign_active_task_movements(clients);
    let standby_moves = plan.assign_standby_task_movements(clients);
    let stateless: BTreeSet<TaskId> = all_tasks.difference(stateful_tasks).copied().collect();
    assign_stateless_active_tasks(clients, &stateless);
    active_moves + standby_moves > 0
}

/// Round-robin over the clients in process-id order, then balanced.
fn assign_active_stateful_tasks(clients: &mut BTreeMap<ProcessId, ClientState>, stateful_tasks: &BTreeSet<TaskId>) {
    let ids: Vec<ProcessId> = clients.keys().cloned().collect();
    for (i, &task) in stateful_tasks.iter().enumerate() {
        if let Some(client) = clients.get_mut(&ids[i % ids.len()]) {
            client.active.insert(task);
        }
    }
    balance_tasks_over_threads(clients, Kind::Active);
}

/// Kafka's `DefaultStandbyTaskAssignor`: each copy to the least-loaded
/// client without any copy of the task; fewer copies when clients run out.
fn assign_standby_replicas(
    clients: &mut BTreeMap<ProcessId, ClientState>,
    stateful_tasks: &BTreeSet<TaskId>,
    replicas: u32,
) {
    for &task in stateful_tasks {
        for _ in 0..replicas {
            let Some(client) = least_loaded(clients, ClientState::assigned_task_load, |c| !c.has_assigned_task(task))
            else {
                break;
            };
            if let Some(state) = clients.get_mut(&client) {
                state.standby.insert(task);
            }
        }
    }
    balance_tasks_over_threads(clients, Kind::Standby);
}

/// Stateless tasks each to the client with the fewest active tasks per thread.
fn assign_stateless_active_tasks(clients: &mut BTreeMap<ProcessId, ClientState>, stateless: &BTreeSet<TaskId>) {
    for &task in stateless {
        if let Some(client) = least_loaded(clients, ClientState::active_task_load, |_| true)
            && let Some(state) = clients.get_mut(&client)
        {
            state.active.insert(task);
        }
    }
}

/// Kafka's `ConstrainedPrioritySet.poll`: the client with the lowest
/// weight, ties to the lowest process id, among those that qualify.
///
/// Kafka keeps the clients in a `PriorityQueue` and offers each client
/// back after changing its load, so the queue's head is always the
/// lightest by current load: the minimum computed here.
fn least_loaded(
    clients: &BTreeMap<ProcessId, ClientState>,
    weight: impl Fn(&ClientState) -> f64,
    qualifies: impl Fn(&ClientState) -> bool,
) -> Option<ProcessId> {
    clients
        .iter()
        .filter(|(_, c)| qualifies(c))
        .min_by(|(a_id, a), (b_id, b)| weight(a).total_cmp(&weight(b)).then_with(|| a_id.cmp(b_id)))
        .map(|(id, _)| id.clone())
}

/// Kafka's `balanceTasksOverThreads`: moves tasks from each client to each
/// other one while that lowers the difference in tasks per thread, until
/// no move helps.
fn balance_tasks_over_threads(clients: &mut BTreeMap<ProcessId, ClientState>, kind: Kind) {
    let ids: Vec<ProcessId> = clients.keys().cloned().collect();
    // Each move strictly lowers the skew between two clients, so this ends;
    // the bound only guards against a mistake turning it into a hang.
    let rounds_max = 1 + clients.values().map(ClientState::assigned_task_count).sum::<usize>() * ids.len().max(1);
    for _ in 0..rounds_max {
        let mut moved = false;
        for source in &ids {
            for destination in &ids {
                if source == destination {
                    continue;
                }
                let source_tasks: Vec<TaskId> = clients[source].tasks(kind).iter().copied().collect();
                for task in source_tasks {
                    if !should_move_a_task(&clients[source], &clients[destination]) {
                        break;
                    }
                    if !clients[destination].has_assigned_task(task) {
                        if let Some(s) = clients.get_mut(source) {
                            s.tasks_mut(kind).remove(&task);
                        }
                        if let Some(d) = clients.get_mut(destination) {
                            d.tasks_mut(kind).insert(task);
                        }
                        moved = true;
                    }
                }
            }
        }
        if !moved {
            return;
        }
    }
}

/// Kafka's `shouldMoveATask`: only a move that lowers the skew in tasks per
/// thread and does not tip it the other way.
fn should_move_a_task(source: &ClientState, destination: &ClientState) -> bool {
    let skew = source.assigned_task_load() - destination.assigned_task_load();
    if skew <= 0.0 {
        return false;
    }
    let at_destination = (destination.assigned_task_count() as f64 + 1.0) / f64::from(destination.capacity);
    let at_source = (source.assigned_task_count() as f64 - 1.0) / f64::from(source.capacity);
    let proposed_skew = at_source - at_destination;
    proposed_skew >= 0.0 && proposed_skew < skew
}

#[cfg(test)]
mod tests;

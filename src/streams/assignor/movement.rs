//! Moving tasks to clients that are caught up on their state (Kafka's
//! `TaskMovement`): the balanced assignment may put a stateful task on a
//! client that would have to restore it for a long time; if another client
//! is caught up, the task runs there for now and the balanced client gets a
//! warm-up replica to catch up with, until a probing rebalance finds it
//! ready.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::{ClientState, LATEST_OFFSET, ProcessId, least_loaded};
use crate::streams::runtime::TaskId;

/// Per stateful task: the clients caught up on it, in process-id order.
pub(super) type CaughtUp = BTreeMap<TaskId, BTreeSet<ProcessId>>;

/// Per stateful task: every client, least lag first (ties by process id).
pub(super) type ByLag = BTreeMap<TaskId, Vec<ProcessId>>;

/// Kafka's `tasksToCaughtUpClients`: running it now, or within
/// `acceptable.recovery.lag` (every client when that is `Long.MAX_VALUE`).
pub(super) fn tasks_to_caught_up_clients(
    clients: &BTreeMap<ProcessId, ClientState>,
    stateful_tasks: &BTreeSet<TaskId>,
    acceptable_recovery_lag: i64,
) -> CaughtUp {
    stateful_tasks
        .iter()
        .map(|&task| {
            let caught_up = clients
                .iter()
                .filter(|(_, c)| {
                    let lag = c.lag_for(task);
                    lag == LATEST_OFFSET
                        || acceptable_recovery_lag == i64::MAX
                        || (0..=acceptable_recovery_lag).contains(&lag)
                })
                .map(|(id, _)| id.clone())
                .collect();
            (task, caught_up)
        })
        .collect()
}

/// Kafka's `tasksToClientByLag`.
pub(super) fn tasks_to_clients_by_lag(
    clients: &BTreeMap<ProcessId, ClientState>,
    stateful_tasks: &BTreeSet<TaskId>,
) -> ByLag {
    stateful_tasks
        .iter()
        .map(|&task| {
            let mut ids: Vec<&ProcessId> = clients.keys().collect();
            ids.sort_by(|a, b| clients[*a].lag_for(task).cmp(&clients[*b].lag_for(task)).then_with(|| a.cmp(b)));
            (task, ids.into_iter().cloned().collect())
        })
        .collect()
}

/// A task to move off `destination` (the client the balanced assignment
/// chose) because other clients are more caught up.
#[derive(Clone, Debug)]
struct TaskMovement {
    task: TaskId,
    destination: ProcessId,
    caught_up_clients: usize,
}

/// Kafka's comparator: tasks with fewer caught-up clients first, then by id.
fn movement_order(a: &TaskMovement, b: &TaskMovement) -> Ordering {
    a.caught_up_clients.cmp(&b.caught_up_clients).then(a.task.cmp(&b.task))
}

/// The order Kafka visits its movements in: it adds them to a Java
/// `PriorityQueue` and iterates it with for-each, which walks the heap's
/// array, not the sorted order. This replays `PriorityQueue.offer`'s
/// sift-up to get the same array.
fn java_heap_order(items: Vec<TaskMovement>) -> Vec<TaskMovement> {
    let mut heap: Vec<TaskMovement> = Vec::with_capacity(items.len());
    for item in items {
        let mut k = heap.len();
        heap.push(item.clone());
        while k > 0 {
            let parent = (k - 1) / 2;
            if movement_order(&item, &heap[parent]) != Ordering::Less {
                break;
            }
            heap[k] = heap[parent].clone();
            k = parent;
        }
        heap[k] = item;
    }
    heap
}

/// The state shared by the active and the standby movements.
pub(super) struct Plan<'a> {
    pub caught_up: &'a CaughtUp,
    pub by_lag: &'a ByLag,
    /// Standbys handed out as warm-ups for a task moved away, per client:
    /// the standby movements leave them alone.
    pub warmups: BTreeMap<ProcessId, BTreeSet<TaskId>>,
    /// `max.warmup.replicas` still to hand out; Kafka's `getAndDecrement`
    /// takes it below zero, so it is signed.
    pub remaining_warmups: i64,
}

impl Plan<'_> {
    fn is_caught_up(&self, task: TaskId, client: &ProcessId) -> bool {
        self.caught_up.get(&task).is_some_and(|c| c.contains(client))
    }

    /// Kafka's `taskIsNotCaughtUpOnClientAndOtherMoreCaughtUpClientsExist`.
    fn should_move(&self, clients: &BTreeMap<ProcessId, ClientState>, task: TaskId, client: &ProcessId) -> bool {
        if self.is_caught_up(task, client) {
            return false;
        }
        let Some(most) = self.by_lag.get(&task).and_then(|l| l.first()) else { return false };
        clients[most].lag_for(task) < clients[client].lag_for(task)
    }

    /// Kafka's `mostCaughtUpEligibleClient`: the first client by lag that
    /// qualifies, looking only at clients less behind than `destination`.
    fn most_caught_up_eligible(
        &self,
        task: TaskId,
        destination: &ProcessId,
        qualifies: impl Fn(&ProcessId) -> bool,
    ) -> Option<ProcessId> {
        for client in self.by_lag.get(&task)? {
            if client == destination {
                return None;
            }
            if qualifies(client) {
                return Some(client.clone());
            }
        }
        None
    }

    /// The least-loaded caught-up client that also meets `extra`.
    fn caught_up_least_loaded(
        &self,
        clients: &BTreeMap<ProcessId, ClientState>,
        task: TaskId,
        extra: impl Fn(&ClientState) -> bool,
    ) -> Option<ProcessId> {
        let caught_up: BTreeMap<ProcessId, ClientState> = clients
            .iter()
            .filter(|(id, c)| self.is_caught_up(task, id) && extra(c))
            .map(|(id, c)| (id.clone(), c.clone()))
            .collect();
        least_loaded(&caught_up, ClientState::assigned_task_load, |_| true)
    }

    /// Kafka's `assignActiveTaskMovements`; returns the movements needed.
    pub(super) fn assign_active_task_movements(&mut self, clients: &mut BTreeMap<ProcessId, ClientState>) -> usize {
        let mut movements = Vec::new();
        for (client, state) in clients.iter() {
            for &task in &state.active {
                if self.should_move(clients, task, client) {
                    movements.push(self.movement(task, client));
                }
            }
        }
        let needed = movements.len();
        for m in java_heap_order(movements) {
            // A caught-up standby first, else any caught-up client, else the
            // most caught-up one.
            if let Some(source) = self.caught_up_least_loaded(clients, m.task, |c| c.standby.contains(&m.task)) {
                swap_standby_and_active(clients, m.task, &source, &m.destination);
            } else if let Some(source) = self.caught_up_least_loaded(clients, m.task, |_| true) {
                self.move_active_and_try_to_warm_up(clients, m.task, &source, &m.destination);
            } else if let Some(source) = self.most_caught_up_eligible(m.task, &m.destination, |_| true) {
                if clients[&source].standby.contains(&m.task) {
                    swap_standby_and_active(clients, m.task, &source, &m.destination);
                } else {
                    self.move_active_and_try_to_warm_up(clients, m.task, &source, &m.destination);
                }
            }
        }
        needed
    }

    /// Kafka's `assignStandbyTaskMovements`; returns the movements made.
    pub(super) fn assign_standby_task_movements(&mut self, clients: &mut BTreeMap<ProcessId, ClientState>) -> usize {
        let mut movements = Vec::new();
        for (client, state) in clients.iter() {
            for &task in &state.standby {
                let warmup = self.warmups.get(client).is_some_and(|w| w.contains(&task));
                if !warmup && self.should_move(clients, task, client) {
                    movements.push(self.movement(task, client));
                }
            }
        }
        let mut moved = 0;
        for m in java_heap_order(movements) {
            let eligible = |c: &ClientState| !c.has_assigned_task(m.task);
            let source = self
                .caught_up_least_loaded(clients, m.task, eligible)
                .or_else(|| self.most_caught_up_eligible(m.task, &m.destination, |id| eligible(&clients[id])));
            if let Some(source) = source {
                if let Some(s) = clients.get_mut(&source) {
                    s.standby.insert(m.task);
                }
                if !self.take_warmup()
                    && let Some(d) = clients.get_mut(&m.destination)
                {
                    d.standby.remove(&m.task);
                }
                moved += 1;
            }
        }
        moved
    }

    fn movement(&self, task: TaskId, destination: &ProcessId) -> TaskMovement {
        let caught_up_clients = self.caught_up.get(&task).map_or(0, BTreeSet::len);
        TaskMovement { task, destination: destination.clone(), caught_up_clients }
    }

    /// Kafka's `remainingWarmupReplicas.getAndDecrement() > 0`.
    fn take_warmup(&mut self) -> bool {
        let left = self.remaining_warmups > 0;
        self.remaining_warmups -= 1;
        left
    }

    /// Kafka's `moveActiveAndTryToWarmUp`: the caught-up client runs the task;
    /// the balanced one keeps a warm-up standby while warm-ups remain.
    fn move_active_and_try_to_warm_up(
        &mut self,
        clients: &mut BTreeMap<ProcessId, ClientState>,
        task: TaskId,
        source: &ProcessId,
        destination: &ProcessId,
    ) {
        if let Some(s) = clients.get_mut(source) {
            s.active.insert(task);
        }
        let warm_up = self.take_warmup();
        if let Some(d) = clients.get_mut(destination) {
            d.active.remove(&task);
            if warm_up {
                d.standby.insert(task);
            }
        }
        if warm_up {
            self.warmups.entry(destination.clone()).or_default().insert(task);
        }
    }
}

/// The standby on `source` becomes the active task; `destination` keeps a standby.
fn swap_standby_and_active(
    clients: &mut BTreeMap<ProcessId, ClientState>,
    task: TaskId,
    source: &ProcessId,
    destination: &ProcessId,
) {
    if let Some(s) = clients.get_mut(source) {
        s.standby.remove(&task);
        s.active.insert(task);
    }
    if let Some(d) = clients.get_mut(destination) {
        d.active.remove(&task);
        d.standby.insert(task);
    }
}

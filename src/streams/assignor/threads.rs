//! Within one instance, its tasks over its stream threads (Kafka's
//! `StreamsPartitionAssignor.assignTasksToThreads`): stateful active tasks
//! first, then standbys, then stateless tasks, each round keeping the count
//! per thread even (at most one apart) and giving a stateful task back to
//! the thread that had it, least lag first.
//!
//! Kafka hands the tasks to a Java `PriorityQueue` built from a `HashSet`
//! (active tasks) and, at the end, walks that queue's array: the order in
//! which leftover tasks reach threads follows both. [`JavaPriorityQueue`]
//! and `JavaHashOrder` replay them so the result is Kafka's.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::ClientState;
use crate::group::assignor::java_hash_map::{JavaHash, JavaHashOrder};
use crate::streams::runtime::TaskId;

impl JavaHash for TaskId {
    /// `TaskId.hashCode()`: `Objects.hash(subtopology, partition, topologyName)`
    /// with no named topology (`null` hashes to 0).
    fn java_hash(&self) -> i32 {
        let sub = self.subtopology as i32;
        let partition = self.partition as i32;
        31i32.wrapping_mul(31i32.wrapping_mul(31 + sub).wrapping_add(partition))
    }
}

/// Each thread's tasks: member id → tasks, in the order Kafka lists them.
pub type ThreadTasks = BTreeMap<String, Vec<TaskId>>;

/// What each stream thread (group member) of one instance runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadAssignment {
    pub active: ThreadTasks,
    pub standby: ThreadTasks,
}

/// Distributes `state`'s active and standby tasks over `consumers`
/// (member ids of the instance's threads). `prev_tasks` says which stateful
/// tasks each thread had (the keys of its subscription's offset sums).
pub fn assign_to_threads(
    state: &ClientState,
    stateful_tasks: &BTreeSet<TaskId>,
    consumers: &BTreeSet<String>,
    prev_tasks: &BTreeMap<String, BTreeSet<TaskId>>,
) -> ThreadAssignment {
    let mut load: BTreeMap<String, usize> = BTreeMap::new();
    // `statefulActiveTasks()` and `statelessActiveTasks()` collect into a
    // `HashSet`; `standbyTasks()` is the client's sorted set.
    let hash_set = |tasks: Vec<TaskId>| -> Vec<TaskId> { JavaHashOrder::from_keys(tasks).iter().copied().collect() };
    let (stateful_active, stateless_active): (Vec<TaskId>, Vec<TaskId>) =
        state.active.iter().copied().partition(|t| stateful_tasks.contains(t));
    let by_lag = |consumer: &str| -> Vec<TaskId> {
        let mut tasks: Vec<TaskId> = prev_tasks
            .get(consumer)
            .map(|p| p.iter().copied().filter(|t| state.lags.contains_key(t)).collect())
            .unwrap_or_default();
        tasks.sort_by(|a, b| state.lag_for(*a).cmp(&state.lag_for(*b)).then(a.cmp(b)));
        tasks
    };
    let mut active = assign_tasks_to_threads(hash_set(stateful_active), true, consumers, &by_lag, &mut load);
    let standby = assign_tasks_to_threads(state.standby.iter().copied().collect(), true, consumers, &by_lag, &mut load);
    let stateless = assign_tasks_to_threads(hash_set(stateless_active), false, consumers, &by_lag, &mut load);
    for (consumer, tasks) in stateless {
        active.entry(consumer).or_default().extend(tasks);
    }
    ThreadAssignment { active, standby }
}

/// One round of Kafka's `assignTasksToThreads`; `load` carries the tasks
/// each thread got in earlier rounds.
fn assign_tasks_to_threads(
    tasks: Vec<TaskId>,
    is_stateful: bool,
    consumers: &BTreeSet<String>,
    prev_tasks_by_lag: &dyn Fn(&str) -> Vec<TaskId>,
    load: &mut BTreeMap<String, usize>,
) -> ThreadTasks {
    let mut assignment: ThreadTasks = consumers.iter().map(|c| (c.clone(), Vec::new())).collect();
    if consumers.is_empty() {
        return assignment;
    }
    let load_of = |load: &BTreeMap<String, usize>, c: &str| load.get(c).copied().unwrap_or(0);
    let total = tasks.len() + load.values().sum::<usize>();
    let min_per_thread = total / consumers.len();
    let mut unassigned = JavaPriorityQueue::from_collection(tasks);
    let mut to_fill: VecDeque<String> = VecDeque::new();
    let mut skipped_previous_owner: BTreeMap<TaskId, String> = BTreeMap::new();
    if !unassigned.is_empty() {
        // Previous owners first, up to the minimum per thread.
        for consumer in consumers {
            let target = min_per_thread as i64 - load_of(load, consumer) as i64;
            let list = assignment.entry(consumer.clone()).or_default();
            if is_stateful {
                for task in prev_tasks_by_lag(consumer) {
                    if unassigned.contains(&task) {
                        if (list.len() as i64) < target {
                            list.push(task);
                            unassigned.remove(&task);
                        } else {
                            skipped_previous_owner.insert(task, consumer.clone());
                        }
                    }
                }
            }
            if (list.len() as i64) < target {
                to_fill.push_back(consumer.clone());
            }
        }
        // Then the rest, lowest task id first, to threads under the minimum.
        while let Some(consumer) = to_fill.pop_front() {
            let Some(task) = unassigned.poll() else { break };
            let list = assignment.entry(consumer.clone()).or_default();
            list.push(task);
            if list.len() + load_of(load, &consumer) < min_per_thread {
                to_fill.push_back(consumer);
            }
        }
        // Every thread holds the minimum or one more: what is left goes one
        // each to threads at the minimum, previous owners first.
        if !unassigned.is_empty() {
            for consumer in consumers {
                if assignment[consumer].len() + load_of(load, consumer) == min_per_thread {
                    to_fill.push_back(consumer.clone());
                }
            }
            for (task, consumer) in &skipped_previous_owner {
                if to_fill.contains(consumer) && unassigned.contains(task) {
                    assignment.entry(consumer.clone()).or_default().push(*task);
                    unassigned.remove(task);
                    if let Some(at) = to_fill.iter().position(|c| c == consumer) {
                        to_fill.remove(at);
                    }
                }
            }
            for task in unassigned.iter().copied().collect::<Vec<_>>() {
                let Some(consumer) = to_fill.pop_front() else { break };
                assignment.entry(consumer).or_default().push(task);
            }
        }
    }
    for (consumer, list) in &assignment {
        *load.entry(consumer.clone()).or_default() += list.len();
    }
    assignment
}

/// Java's `PriorityQueue` with natural ordering: a binary heap in an array,
/// built by `heapify` from a collection, whose iterator walks the array.
#[derive(Clone, Debug, Default)]
pub struct JavaPriorityQueue<T> {
    heap: Vec<T>,
}

impl<T: Ord + Clone> JavaPriorityQueue<T> {
    /// `new PriorityQueue<>(collection)` for a collection that is not sorted:
    /// the elements in its iteration order, then `heapify()`.
    pub fn from_collection(items: Vec<T>) -> Self {
        let mut queue = JavaPriorityQueue { heap: items };
        for i in (0..queue.heap.len() / 2).rev() {
            let x = queue.heap[i].clone();
            queue.sift_down(i, x);
        }
        queue
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn contains(&self, x: &T) -> bool {
        self.heap.contains(x)
    }

    /// The array, as Java's iterator returns it.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.heap.iter()
    }

    pub fn poll(&mut self) -> Option<T> {
        if self.heap.is_empty() {
            return None;
        }
        let last = self.heap.pop()?;
        if self.heap.is_empty() {
            return Some(last);
        }
        let result = std::mem::replace(&mut self.heap[0], last.clone());
        self.sift_down(0, last);
        Some(result)
    }

    /// `remove(Object)`: `removeAt` the first equal element.
    pub fn remove(&mut self, x: &T) -> bool {
        let Some(i) = self.heap.iter().position(|e| e == x) else { return false };
        let Some(moved) = self.heap.pop() else { return false };
        if i == self.heap.len() {
            return true;
        }
        self.heap[i] = moved.clone();
        self.sift_down(i, moved.clone());
        if self.heap[i] == moved {
            self.sift_up(i, moved);
        }
        true
    }

    fn sift_up(&mut self, mut k: usize, x: T) {
        while k > 0 {
            let parent = (k - 1) / 2;
            if x >= self.heap[parent] {
                break;
            }
            self.heap[k] = self.heap[parent].clone();
            k = parent;
        }
        self.heap[k] = x;
    }

    fn sift_down(&mut self, mut k: usize, x: T) {
        let n = self.heap.len();
        let half = n / 2;
        while k < half {
            let mut child = 2 * k + 1;
            let right = child + 1;
            if right < n && self.heap[child] > self.heap[right] {
                child = right;
            }
            if x <= self.heap[child] {
                break;
            }
            self.heap[k] = self.heap[child].clone();
            k = child;
        }
        self.heap[k] = x;
    }
}

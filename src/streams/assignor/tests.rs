//! Cases ported from Kafka's
//! `streams/src/test/java/org/apache/kafka/streams/processor/internals/assignment/HighAvailabilityTaskAssignorTest.java`
//! (rack awareness off, as Kafka's default), each named after its Java test,
//! plus `ClientState.computeTaskLags` and `assignTasksToThreads`.

use std::collections::{BTreeMap, BTreeSet};

use super::threads::{JavaPriorityQueue, assign_to_threads};
use super::*;

fn t(subtopology: u32, partition: u32) -> TaskId {
    TaskId { subtopology, partition }
}

fn set(tasks: &[TaskId]) -> BTreeSet<TaskId> {
    tasks.iter().copied().collect()
}

/// `AssignmentConfigs(100, 2, standbys, 60_000)` as the Java helpers
/// `getConfigWithStandbys` / `getConfigWithoutStandbys` build them.
fn configs(standbys: u32) -> AssignmentConfigs {
    AssignmentConfigs {
        acceptable_recovery_lag: 100,
        max_warmup_replicas: 2,
        num_standby_replicas: standbys,
        probing_rebalance_interval_ms: 60_000,
    }
}

/// Java's `getMockClientWithPreviousCaughtUpTasks`: lag 0 on the tasks it
/// ran, `Long.MAX_VALUE` on the others, one thread.
fn caught_up_on(active: &[TaskId], stateful: &BTreeSet<TaskId>) -> ClientState {
    let lags = stateful.iter().map(|&task| (task, if active.contains(&task) { 0 } else { i64::MAX }));
    ClientState::with_lags(active.iter().copied(), [], lags, 1)
}

fn clients(states: Vec<ClientState>) -> BTreeMap<ProcessId, ClientState> {
    states.into_iter().enumerate().map(|(i, s)| (format!("pid-{}", i + 1), s)).collect()
}

fn pid(n: usize) -> String {
    format!("pid-{n}")
}

#[test]
fn should_assign_standbys_for_stateful_tasks() {
    // Each client keeps its caught-up task and the other one's standby.
    let stateful = set(&[t(0, 0), t(0, 1)]);
    let mut c = clients(vec![caught_up_on(&[t(0, 0)], &stateful), caught_up_on(&[t(0, 1)], &stateful)]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(1));
    assert_eq!(c[&pid(1)].active, set(&[t(0, 0)]));
    assert_eq!(c[&pid(2)].active, set(&[t(0, 1)]));
    assert_eq!(c[&pid(1)].standby, set(&[t(0, 1)]));
    assert_eq!(c[&pid(2)].standby, set(&[t(0, 0)]));
    assert!(!probing);
}

#[test]
fn should_not_assign_standbys_for_stateless_tasks() {
    let all = set(&[t(0, 0), t(0, 1)]);
    let stateful = BTreeSet::new();
    let mut c = clients(vec![caught_up_on(&[], &stateful), caught_up_on(&[], &stateful)]);
    let probing = assign(&mut c, &all, &stateful, &configs(1));
    assert_eq!(c[&pid(1)].active.len(), 1);
    assert_eq!(c[&pid(2)].active.len(), 1);
    assert!(c.values().all(|s| s.standby.is_empty()));
    assert!(!probing);
}

#[test]
fn should_assign_warmup_replicas_even_if_no_standby_replicas_configured() {
    // Client 1 alone is caught up: it keeps both; client 2, balanced to
    // get one, warms it up first.
    let stateful = set(&[t(0, 0), t(0, 1)]);
    let mut c = clients(vec![caught_up_on(&[t(0, 0), t(0, 1)], &stateful), caught_up_on(&[], &stateful)]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(0));
    assert_eq!(c[&pid(1)].active, set(&[t(0, 0), t(0, 1)]));
    assert_eq!(c[&pid(2)].standby.len(), 1);
    assert!(c[&pid(1)].standby.is_empty());
    assert!(c[&pid(2)].active.is_empty());
    assert!(probing, "the warm-up must be probed later");
}

#[test]
fn should_not_assign_more_than_max_warmup_replicas() {
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)]);
    let mut c =
        clients(vec![caught_up_on(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)], &stateful), caught_up_on(&[], &stateful)]);
    let cfg = AssignmentConfigs { max_warmup_replicas: 1, ..configs(0) };
    let probing = assign(&mut c, &stateful, &stateful, &cfg);
    assert_eq!(c[&pid(1)].active, stateful);
    assert_eq!(c[&pid(2)].standby.len(), 1, "max.warmup.replicas=1");
    assert!(c[&pid(1)].standby.is_empty());
    assert!(c[&pid(2)].active.is_empty());
    assert!(probing);
}

#[test]
fn should_not_assign_warmup_and_standby_to_the_same_client() {
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)]);
    let mut c =
        clients(vec![caught_up_on(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)], &stateful), caught_up_on(&[], &stateful)]);
    let cfg = AssignmentConfigs { max_warmup_replicas: 1, ..configs(1) };
    let probing = assign(&mut c, &stateful, &stateful, &cfg);
    assert_eq!(c[&pid(1)].active, stateful);
    assert_eq!(c[&pid(2)].standby, stateful);
    assert!(c[&pid(1)].standby.is_empty());
    assert!(c[&pid(2)].active.is_empty());
    assert!(probing);
}

#[test]
fn should_not_assign_any_standbys_with_insufficient_capacity() {
    // A standby never shares an instance with its active task.
    let stateful = set(&[t(0, 0), t(0, 1)]);
    let mut c = clients(vec![caught_up_on(&[t(0, 0), t(0, 1)], &stateful)]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(1));
    assert_eq!(c[&pid(1)].active, stateful);
    assert!(c[&pid(1)].standby.is_empty());
    assert!(!probing);
}

#[test]
fn should_assign_active_tasks_to_not_caught_up_client_if_none_exist() {
    let stateful = set(&[t(0, 0), t(0, 1)]);
    let mut c = clients(vec![caught_up_on(&[], &stateful)]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(1));
    assert_eq!(c[&pid(1)].active, stateful);
    assert!(c[&pid(1)].standby.is_empty());
    assert!(!probing);
}

#[test]
fn should_compute_new_assignment_if_active_tasks_was_not_on_caught_up_client() {
    // Round-robin puts the stateful 0_0 on client 1 (lag 500 > 100); client
    // 2 is caught up (lag 0), so 0_0 moves there and the stateless 0_1 goes
    // to client 1.
    let all = set(&[t(0, 0), t(0, 1)]);
    let stateful = set(&[t(0, 0)]);
    let c1 = ClientState::with_lags([t(0, 0)], [], [(t(0, 0), 500)], 1);
    let c2 = ClientState::with_lags([t(0, 1)], [], [(t(0, 0), 0)], 1);
    let mut c = clients(vec![c1, c2]);
    let probing = assign(&mut c, &all, &stateful, &configs(0));
    assert_eq!(c[&pid(1)].active, set(&[t(0, 1)]));
    assert_eq!(c[&pid(2)].active, set(&[t(0, 0)]));
    assert!(probing);
}

#[test]
fn should_assign_to_most_caught_up_if_active_tasks_was_not_on_caught_up_client() {
    // Nobody within 100: the active goes to the least behind (client 3,
    // 500), the next (client 2, 1000) keeps the standby, client 1 a warm-up.
    let stateful = set(&[t(0, 0)]);
    let c1 = ClientState::with_lags([], [], [(t(0, 0), i64::MAX)], 1);
    let c2 = ClientState::with_lags([], [], [(t(0, 0), 1000)], 1);
    let c3 = ClientState::with_lags([], [], [(t(0, 0), 500)], 1);
    let mut c = clients(vec![c1, c2, c3]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(1));
    assert!(c[&pid(1)].active.is_empty());
    assert!(c[&pid(2)].active.is_empty());
    assert_eq!(c[&pid(3)].active, stateful);
    assert_eq!(c[&pid(1)].standby, stateful, "warm-up");
    assert_eq!(c[&pid(2)].standby, stateful, "standby");
    assert!(c[&pid(3)].standby.is_empty());
    assert!(probing);
}

fn nine_tasks() -> BTreeSet<TaskId> {
    (0..3).flat_map(|s| (0..3).map(move |p| t(s, p))).collect()
}

#[test]
fn should_be_sticky_for_active_and_standby_tasks_while_warming_up() {
    // acceptable.recovery.lag 11: client 1 (lag 0, had every task) and 2
    // (lag 10, standbys) are caught up; client 3 (no state) only warms up.
    let all = nine_tasks();
    let c1 = ClientState::with_lags(all.clone(), [], all.iter().map(|&k| (k, 0)), 1);
    let c2 = ClientState::with_lags([], all.clone(), all.iter().map(|&k| (k, 10)), 1);
    let c3 = ClientState::with_lags([], [], all.iter().map(|&k| (k, i64::MAX)), 1);
    let mut c = clients(vec![c1, c2, c3]);
    let cfg = AssignmentConfigs { acceptable_recovery_lag: 11, max_warmup_replicas: 2, ..configs(1) };
    let unstable = assign(&mut c, &all, &all, &cfg);
    assert_eq!(c[&pid(1)].active.len() + c[&pid(1)].standby.len(), all.len());
    assert_eq!(c[&pid(2)].active.len() + c[&pid(2)].standby.len(), all.len());
    assert_eq!(c[&pid(3)].active.len() + c[&pid(3)].standby.len(), 2, "max.warmup.replicas");
    assert!(unstable);
}

#[test]
fn should_skip_warmups_when_acceptable_lag_is_max() {
    // With an unbounded acceptable lag every client is caught up: the
    // balanced assignment stands and no probing rebalance is needed.
    let all = nine_tasks();
    let c1 = ClientState::with_lags(all.clone(), [], all.iter().map(|&k| (k, 0)), 1);
    let c2 = ClientState::with_lags([], [], all.iter().map(|&k| (k, i64::MAX)), 1);
    let c3 = ClientState::with_lags([], [], all.iter().map(|&k| (k, i64::MAX)), 1);
    let mut c = clients(vec![c1, c2, c3]);
    let cfg = AssignmentConfigs { acceptable_recovery_lag: i64::MAX, max_warmup_replicas: 1, ..configs(1) };
    let unstable = assign(&mut c, &all, &all, &cfg);
    for n in 1..=3 {
        assert_eq!(c[&pid(n)].active.len() + c[&pid(n)].standby.len(), 6, "client {n}");
    }
    assert!(!unstable);
}

#[test]
fn should_distribute_stateful_active_tasks_to_all_clients() {
    // Threads 100, 50 and 1: every client still gets an active task.
    let all: BTreeSet<TaskId> =
        [t(0, 0), t(0, 1), t(0, 2), t(0, 3), t(1, 0), t(1, 1), t(1, 2), t(1, 3), t(2, 0)].into_iter().collect();
    let lags = || all.iter().map(|&k| (k, 0));
    let mut c = clients(vec![
        ClientState::with_lags([], [], lags(), 100),
        ClientState::with_lags([], [], lags(), 50),
        ClientState::with_lags([], [], lags(), 1),
    ]);
    let probing = assign(&mut c, &all, &all, &configs(0));
    assert!(c.values().all(|s| !s.active.is_empty()));
    assert!(!probing);
}

#[test]
fn should_return_false_if_previous_assignment_is_reused() {
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)]);
    let mut c =
        clients(vec![caught_up_on(&[t(0, 0), t(0, 2)], &stateful), caught_up_on(&[t(0, 1), t(0, 3)], &stateful)]);
    let probing = assign(&mut c, &stateful, &stateful, &configs(0));
    assert!(!probing);
    assert_eq!(c[&pid(1)].active, c[&pid(1)].prev_active);
    assert_eq!(c[&pid(2)].active, c[&pid(2)].prev_active);
}

#[test]
fn a_crashed_instances_task_goes_to_its_caught_up_standby() {
    // A failover with `num.standby.replicas: 1`: instance a ran 0_1 and is
    // gone; b ran 0_2 and kept a standby of 0_1 (40 records behind); c has
    // no state. Round-robin gives 0_1 to c, but b is caught up and holds
    // the standby: they swap, c keeps a standby to catch up on, and a
    // probing rebalance follows.
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2)]);
    let far = 9_000_000;
    let b = ClientState::with_lags([t(0, 2)], [t(0, 1)], [(t(0, 0), far), (t(0, 1), 40), (t(0, 2), LATEST_OFFSET)], 1);
    let c = ClientState::with_lags([], [], stateful.iter().map(|&k| (k, far)), 1);
    let mut cl: BTreeMap<ProcessId, ClientState> = [("b".to_string(), b), ("c".to_string(), c)].into();
    let cfg = AssignmentConfigs { num_standby_replicas: 1, ..AssignmentConfigs::default() };
    let probing = assign(&mut cl, &stateful, &stateful, &cfg);
    assert!(cl["b"].active.contains(&t(0, 1)), "the standby's instance takes over: {cl:?}");
    assert!(cl["b"].active.contains(&t(0, 2)), "and keeps what it ran");
    assert!(cl["c"].standby.contains(&t(0, 1)), "the balanced owner catches up first");
    assert!(probing, "a probing rebalance follows");
    for (id, state) in &cl {
        assert!(state.active.is_disjoint(&state.standby), "{id} holds a task twice");
    }
    // Without the standby, b is no more caught up than c: the balanced
    // (round-robin) assignment stands and c restores 0_1 from scratch.
    let b = ClientState::with_lags([t(0, 2)], [], [(t(0, 0), far), (t(0, 1), far), (t(0, 2), LATEST_OFFSET)], 1);
    let c = ClientState::with_lags([], [], stateful.iter().map(|&k| (k, far)), 1);
    let mut cl: BTreeMap<ProcessId, ClientState> = [("b".to_string(), b), ("c".to_string(), c)].into();
    let probing = assign(&mut cl, &stateful, &stateful, &AssignmentConfigs::default());
    assert_eq!(cl["c"].active, set(&[t(0, 1)]));
    assert!(!probing);
}

#[test]
fn assignment_configs_default_to_kafka_4_0() {
    let d = AssignmentConfigs::default();
    assert_eq!(d.acceptable_recovery_lag, 10_000);
    assert_eq!(d.max_warmup_replicas, 2);
    assert_eq!(d.num_standby_replicas, 0);
    assert_eq!(d.probing_rebalance_interval_ms, 600_000);
}

#[test]
fn task_lags_from_offset_sums_as_client_state_computes_them() {
    // ClientStateTest: running → LATEST_OFFSET, unknown stays unknown, a
    // state ahead of the changelog lags by the whole changelog, no state
    // lags by the whole changelog, else end − sum.
    let ends: BTreeMap<TaskId, i64> =
        [(t(0, 0), 500), (t(0, 1), 500), (t(0, 2), 500), (t(0, 3), 500), (t(0, 4), 500)].into();
    let sums: BTreeMap<TaskId, i64> =
        [(t(0, 0), LATEST_OFFSET), (t(0, 1), UNKNOWN_OFFSET_SUM), (t(0, 2), 900), (t(0, 4), 480)].into();
    let mut state = ClientState::new(1);
    state.compute_task_lags(&sums, &ends);
    assert_eq!(state.lag_for(t(0, 0)), LATEST_OFFSET);
    assert_eq!(state.lag_for(t(0, 1)), UNKNOWN_OFFSET_SUM);
    assert_eq!(state.lag_for(t(0, 2)), 500);
    assert_eq!(state.lag_for(t(0, 3)), 500);
    assert_eq!(state.lag_for(t(0, 4)), 20);
}

#[test]
fn task_ids_hash_as_java_objects_hash() {
    use crate::group::assignor::java_hash_map::JavaHash;
    // Objects.hash(0, 0, null) = 31 * (31 * (31 + 0) + 0) + 0 = 29791.
    assert_eq!(t(0, 0).java_hash(), 29_791);
    assert_eq!(t(1, 2).java_hash(), 31 * (31 * 32 + 2));
}

#[test]
fn java_priority_queue_polls_in_order_and_iterates_its_heap() {
    let mut q = JavaPriorityQueue::from_collection(vec![5, 3, 8, 1, 9, 2]);
    // heapify of [5,3,8,1,9,2]: [1,3,2,5,9,8].
    assert_eq!(q.iter().copied().collect::<Vec<_>>(), vec![1, 3, 2, 5, 9, 8]);
    assert!(q.remove(&3));
    assert_eq!(q.iter().copied().collect::<Vec<_>>(), vec![1, 5, 2, 8, 9]);
    let mut polled = Vec::new();
    while let Some(x) = q.poll() {
        polled.push(x);
    }
    assert_eq!(polled, vec![1, 2, 5, 8, 9]);
}

#[test]
fn threads_get_their_previous_stateful_tasks_back() {
    // StreamsPartitionAssignorTest's thread stickiness: two threads that
    // each had two tasks get the same two back; standbys spread after.
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)]);
    let mut state = ClientState::with_lags([], [], stateful.iter().map(|&k| (k, LATEST_OFFSET)), 2);
    state.active = set(&[t(0, 0), t(0, 1), t(0, 2), t(0, 3)]);
    let consumers: BTreeSet<String> = ["c1".to_string(), "c2".to_string()].into();
    let prev: BTreeMap<String, BTreeSet<TaskId>> =
        [("c1".to_string(), set(&[t(0, 1), t(0, 3)])), ("c2".to_string(), set(&[t(0, 0), t(0, 2)]))].into();
    let threads = assign_to_threads(&state, &stateful, &consumers, &prev);
    assert_eq!(threads.active["c1"], vec![t(0, 1), t(0, 3)]);
    assert_eq!(threads.active["c2"], vec![t(0, 0), t(0, 2)]);
}

#[test]
fn threads_share_new_tasks_evenly_active_then_standby() {
    // No history: actives by task id over the threads, standbys filling up
    // to an even total count per thread.
    let stateful = set(&[t(0, 0), t(0, 1), t(0, 2)]);
    let mut state = ClientState::with_lags([], [], stateful.iter().map(|&k| (k, 500)), 2);
    state.active = set(&[t(0, 0), t(0, 1), t(0, 2)]);
    state.standby = set(&[t(1, 0)]);
    let consumers: BTreeSet<String> = ["c1".to_string(), "c2".to_string()].into();
    let threads = assign_to_threads(&state, &stateful, &consumers, &BTreeMap::new());
    let count = |c: &str| threads.active[c].len() + threads.standby[c].len();
    assert_eq!(count("c1"), 2);
    assert_eq!(count("c2"), 2);
    let actives: BTreeSet<TaskId> = threads.active.values().flatten().copied().collect();
    assert_eq!(actives, state.active);
}

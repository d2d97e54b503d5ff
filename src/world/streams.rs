//! Kafka Streams in the world: after every event, each stream thread takes
//! the records its consumer just polled, runs them through its tasks, hands
//! the results to its producers and commits when due — all through the
//! simulated clients' own calls (`send()`, `commitSync()`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::actor::Ctx;
use crate::client::workload::Outgoing;
use crate::ids::{ClientIdx, NodeId, TopicPartition};
use crate::scenario::Scenario;
use crate::streams::assignor::partition_assignor::{StreamsAssignment, StreamsConsumer};
use crate::streams::runtime::{self, Output, StreamThread, TaskId, thread};
use crate::trace::TraceEvent;
use crate::trace::streams::{StreamsEvent, StreamsHappening};

use super::World;

/// Input processed a second time, to tell once: the partition, the
/// offsets (from, to) and the task that processed them again.
type Replay = (TopicPartition, (i64, i64), Option<TaskId>);

/// Rounds of restoring within one event: each round's `assign()` can make
/// the restore consumer return buffered records at once, at most a few times.
const RESTORE_ROUNDS_MAX: usize = 8;

/// The stream threads of every application the runtime can run.
pub(super) fn stream_threads(scenario: &Scenario) -> Vec<StreamThread> {
    let consumer = |name: &str| scenario.consumers.iter().position(|c| c.name == name).map(|i| ClientIdx(i as u32));
    let producer = |name: &str| scenario.producers.iter().position(|p| p.name == name).map(|i| ClientIdx(i as u32));
    let mut threads = Vec::new();
    for app in &scenario.streams {
        if runtime::unsupported(&app.topology).is_some() {
            continue;
        }
        let app = Arc::new(app.clone());
        let written = thread::written_topics(&app);
        for instance in &app.instances {
            for n in 1..=app.config.num_stream_threads.max(1) {
                let name = thread::thread_name(instance, n);
                let Some(c) = consumer(&thread::consumer_name(&name)) else { continue };
                let restore = consumer(&thread::restore_consumer_name(&name));
                let producers: BTreeMap<String, ClientIdx> = written
                    .iter()
                    .filter_map(|t| producer(&thread::producer_name(&name, t)).map(|p| (t.clone(), p)))
                    .collect();
                threads.push(StreamThread::new(Arc::clone(&app), instance, n, c, restore, producers));
            }
        }
    }
    threads
}

impl World {
    /// Each stream thread's consumer carries its application and instance,
    /// so that the group leader runs Kafka Streams' assignor.
    pub(super) fn attach_streams_assignor(&mut self) {
        for thread in &self.stream_threads {
            if let Some(consumer) = self.consumers.get_mut(thread.consumer.0 as usize) {
                consumer.streams = Some(StreamsConsumer::new(Arc::clone(&thread.app), &thread.instance));
            }
        }
    }

    /// The subscription user data a thread would send if it joined now:
    /// the offset sums of the task states it holds, and (for its leader)
    /// the changelogs' end offsets.
    fn refresh_streams_subscription(&mut self, t: usize) {
        let thread = &self.stream_threads[t];
        let offset_sums = thread.task_offset_sums();
        let mut ends = BTreeMap::new();
        for (_, topic) in thread.app.topology.changelog_topics(&thread.app.application_id) {
            let Some(id) = self.names.topic_id(&topic) else { continue };
            let partitions = self.scenario.topics.iter().find(|d| d.name == topic).map_or(0, |d| d.partitions);
            for p in 0..partitions {
                let tp = TopicPartition::new(id, p);
                let end = self.partition_view(tp).and_then(|v| v.log).map_or(0, |l| l.high_watermark());
                ends.insert((topic.clone(), p), end);
            }
        }
        let c = thread.consumer;
        if let Some(streams) = self.consumers[c.0 as usize].streams.as_mut() {
            streams.subscription.task_offset_sums = offset_sums;
            streams.changelog_end_offsets = ends;
        }
    }

    /// The leader's decision, told with thread names instead of member ids.
    fn tasks_decided(&self, decided: StreamsAssignment) -> StreamsHappening {
        let thread_of = |member: &str| {
            self.stream_threads
                .iter()
                .find(|t| {
                    self.consumers[t.consumer.0 as usize].membership.as_ref().is_some_and(|m| m.member_id == member)
                })
                .map_or_else(|| member.to_string(), |t| t.name.clone())
        };
        let named = |list: &BTreeMap<String, Vec<TaskId>>| -> Vec<(String, Vec<String>)> {
            let mut named: Vec<(String, Vec<String>)> = list
                .iter()
                .map(|(member, tasks)| (thread_of(member), tasks.iter().map(TaskId::to_string).collect()))
                .collect();
            named.sort();
            named
        };
        StreamsHappening::TasksDecided {
            active: named(&decided.active_tasks),
            standby: named(&decided.standby_tasks),
            probing_rebalance: decided.probing_rebalance_needed,
        }
    }

    /// Runs every stream thread on what the last event brought.
    pub(super) fn run_stream_threads(&mut self) {
        for t in 0..self.stream_threads.len() {
            self.run_stream_thread(t);
        }
    }

    fn run_stream_thread(&mut self, t: usize) {
        let c = self.stream_threads[t].consumer;
        let Some(consumer) = self.consumers.get(c.0 as usize) else { return };
        if !consumer.is_running() {
            let thread = &mut self.stream_threads[t];
            if !thread.tasks.is_empty() || thread.next_commit_ms.is_some() {
                thread.stop();
            }
            return;
        }
        self.refresh_streams_subscription(t);
        let decided = self.consumers[c.0 as usize].streams.as_mut().and_then(|s| s.decided.take());
        let decided = decided.map(|d| self.tasks_decided(d));
        let consumer = &self.consumers[c.0 as usize];
        let mut happenings: Vec<StreamsHappening> = decided.into_iter().collect();
        let mut outputs: Vec<Output> = Vec::new();
        // Tasks follow the assignment once the group has settled; during a
        // rebalance the tasks a thread keeps stay open.
        let settled = consumer.membership.as_ref().is_none_or(|m| !m.blocks_poll() && m.generation >= 0);
        let assignment: Vec<(String, u32)> =
            consumer.assignment.iter().map(|tp| (self.names.topic(tp.topic).to_string(), tp.partition)).collect();
        let thread = &mut self.stream_threads[t];
        if settled {
            thread.sync_tasks(&assignment, self.now.as_millis(), &mut happenings);
        }
        self.restore_stores(t, &mut happenings);
        self.pause_restoring_inputs(t, &assignment);
        let app_id = self.stream_threads[t].app.application_id.clone();
        let mut reprocessed: Vec<Replay> = Vec::new();
        for event in &self.effects.trace {
            let TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } = event else { continue };
            if *consumer != c {
                continue;
            }
            let topic = self.names.topic(tp.topic);
            let thread = &mut self.stream_threads[t];
            // (the offset after the last record processed, the end of the
            // replay already told): a replay is told once, as one range.
            let (seen, told) = self.streams_processed.entry((app_id.clone(), *tp)).or_insert((0, 0));
            if *from_offset < *seen && *from_offset >= *told {
                let task = thread.tasks_for(&[(topic.to_string(), tp.partition)]).into_iter().next();
                reprocessed.push((*tp, (*from_offset, *seen), task));
                *told = *seen;
            }
            *seen = (*seen).max(*to_offset);
            for (offset, record) in batch.records() {
                if offset < *from_offset || offset >= *to_offset {
                    continue;
                }
                thread.process(
                    topic,
                    tp.partition,
                    record.key(),
                    record.value(),
                    record.timestamp_ms(),
                    &mut outputs,
                    &mut happenings,
                );
            }
        }
        for (tp, (from_offset, to_offset), task) in reprocessed {
            happenings.push(StreamsHappening::Reprocessed {
                task: task.map_or_else(String::new, |id| id.to_string()),
                partition: self.names.partition(tp),
                from_offset,
                to_offset,
            });
        }
        let thread = &mut self.stream_threads[t];
        let commit = !thread.failed && thread.commit_due(self.now.as_millis());
        if commit {
            thread.flush_caches(&mut outputs, &mut happenings);
        }
        self.send_outputs(t, outputs);
        let thread = &mut self.stream_threads[t];
        let consumer = &self.consumers[c.0 as usize];
        if commit && thread.pending_commit.is_none() {
            let offsets: Vec<(TopicPartition, i64)> =
                consumer.assignment.iter().filter_map(|&tp| consumer.position(tp).map(|p| (tp, p))).collect();
            thread.pending_commit = Some(offsets);
        }
        let flushed = thread.producers.values().all(|p| self.producers[p.0 as usize].unfinished_records() == 0);
        if flushed && let Some(offsets) = thread.pending_commit.take() {
            let moved: Vec<(TopicPartition, i64)> =
                offsets.into_iter().filter(|(tp, o)| consumer.committed.get(tp) != Some(o)).collect();
            if !moved.is_empty() {
                let listed = moved.iter().map(|(tp, o)| (self.names.partition(*tp), *o)).collect();
                let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
                if self.consumers[c.0 as usize].commit_offsets(&mut ctx, moved) {
                    happenings.push(StreamsHappening::Committed { offsets: listed });
                }
            }
        }
        let thread = &self.stream_threads[t];
        for what in happenings {
            self.effects.trace.push(TraceEvent::Streams(StreamsEvent {
                app: thread.app.application_id.clone(),
                thread: thread.name.clone(),
                what,
            }));
        }
    }

    /// Restoration, one step: records the restore consumer just returned go
    /// into their stores, progress is told, finished tasks turn RUNNING,
    /// and the restore consumer is asked for end offsets and assigned the
    /// changelog partitions still to read.
    fn restore_stores(&mut self, t: usize, happenings: &mut Vec<StreamsHappening>) {
        let Some(r) = self.stream_threads[t].restore_consumer else { return };
        // Driving the restore consumer can make it poll again at once: what
        // that returns is restored in the next round of this loop.
        let mut from = 0;
        for _round in 0..RESTORE_ROUNDS_MAX {
            if !self.consumers.get(r.0 as usize).is_some_and(|c| c.is_running()) {
                return;
            }
            let batches = self.restore_consumed(t, r, from);
            from = self.effects.trace.len();
            self.restore_step(t, r, &batches, happenings);
            let more = self.effects.trace[from..]
                .iter()
                .any(|e| matches!(e, TraceEvent::Consumed { consumer, .. } if *consumer == r));
            if !more {
                return;
            }
        }
    }

    /// Puts what the restore consumer returned (trace events from `from`)
    /// into the stores; counts records per changelog partition.
    fn restore_consumed(&mut self, t: usize, r: ClientIdx, from: usize) -> BTreeMap<TopicPartition, u64> {
        let mut batches: BTreeMap<TopicPartition, u64> = BTreeMap::new();
        for event in &self.effects.trace[from..] {
            let TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } = event else { continue };
            if *consumer != r {
                continue;
            }
            let topic = self.names.topic(tp.topic);
            let thread = &mut self.stream_threads[t];
            for (offset, record) in batch.records() {
                if offset < *from_offset || offset >= *to_offset {
                    continue;
                }
                thread.restore_record(topic, tp.partition, record.key(), record.value(), record.timestamp_ms());
                *batches.entry(*tp).or_default() += 1;
            }
        }
        batches
    }

    /// Progress, finished tasks, then what the restore consumer does next.
    fn restore_step(
        &mut self,
        t: usize,
        r: ClientIdx,
        batches: &BTreeMap<TopicPartition, u64>,
        happenings: &mut Vec<StreamsHappening>,
    ) {
        let restore_consumer = &self.consumers[r.0 as usize];
        let thread = &mut self.stream_threads[t];
        for (_, changelog) in thread.restoring_changelogs() {
            let Some(topic) = self.names.topic_id(&changelog.topic) else { continue };
            let tp = TopicPartition::new(topic, changelog.partition);
            let end = restore_consumer.end_offsets.get(&tp).copied();
            let position = restore_consumer.position(tp);
            let batch = batches.get(&tp).copied().unwrap_or(0);
            thread.restore_progress(&changelog.topic, changelog.partition, end, position, batch, happenings);
        }
        thread.finish_restoring(self.now.as_millis(), happenings);
        let ask: Vec<TopicPartition> = thread
            .take_end_offsets_to_ask()
            .iter()
            .filter_map(|(topic, p)| self.names.topic_id(topic).map(|id| TopicPartition::new(id, *p)))
            .collect();
        let reading: Vec<TopicPartition> = thread
            .restoring_changelogs()
            .iter()
            .filter(|(_, c)| c.needs_reading())
            .filter_map(|(_, c)| self.names.topic_id(&c.topic).map(|id| TopicPartition::new(id, c.partition)))
            .collect();
        let mut ctx = Ctx::new(self.now, NodeId::Consumer(r), &mut self.effects);
        let restore_consumer = &mut self.consumers[r.0 as usize];
        if !ask.is_empty() {
            restore_consumer.request_end_offsets(&mut ctx, &ask);
        }
        if restore_consumer.assignment != reading {
            restore_consumer.assign(&mut ctx, reading);
        }
    }

    /// The main consumer holds back the input partitions of restoring tasks.
    fn pause_restoring_inputs(&mut self, t: usize, assignment: &[(String, u32)]) {
        let c = self.stream_threads[t].consumer;
        let paused: BTreeSet<TopicPartition> = self.stream_threads[t]
            .paused_inputs(assignment)
            .iter()
            .filter_map(|(topic, p)| self.names.topic_id(topic).map(|id| TopicPartition::new(id, *p)))
            .collect();
        if self.consumers[c.0 as usize].paused() == &paused {
            return;
        }
        let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
        self.consumers[c.0 as usize].pause_only(&mut ctx, paused);
    }

    /// Hands a thread's outputs to its producers, in order, topic by topic.
    fn send_outputs(&mut self, t: usize, outputs: Vec<Output>) {
        if outputs.is_empty() {
            return;
        }
        let mut by_producer: BTreeMap<ClientIdx, Vec<Outgoing>> = BTreeMap::new();
        let mut order: Vec<ClientIdx> = Vec::new();
        for out in outputs {
            let Some(&p) = self.stream_threads[t].producers.get(&out.topic) else { continue };
            if !order.contains(&p) {
                order.push(p);
            }
            by_producer.entry(p).or_default().push(Outgoing {
                key: out.key,
                value: out.value,
                headers: Vec::new(),
                timestamp_ms: Some(out.timestamp_ms),
                partition: out.partition,
                topic: None,
            });
        }
        for p in order {
            let records = by_producer.remove(&p).unwrap_or_default();
            let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
            self.producers[p.0 as usize].send_records(&mut ctx, records);
        }
    }
}

//! Kafka Streams in the world: after every event, each stream thread takes
//! the records its consumer just polled, runs them through its tasks, hands
//! the results to its producers and commits when due — all through the
//! simulated clients' own calls (`send()`, `commitSync()`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::actor::Ctx;
use crate::client::workload::Outgoing;
use crate::ids::{ClientIdx, NodeId, TopicPartition};
use crate::scenario::Scenario;
use crate::streams::runtime::{self, Output, StreamThread, thread};
use crate::trace::TraceEvent;
use crate::trace::streams::{StreamsEvent, StreamsHappening};

use super::World;

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
                let producers: BTreeMap<String, ClientIdx> = written
                    .iter()
                    .filter_map(|t| producer(&thread::producer_name(&name, t)).map(|p| (t.clone(), p)))
                    .collect();
                threads.push(StreamThread::new(Arc::clone(&app), instance, n, c, producers));
            }
        }
    }
    threads
}

impl World {
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
        let mut happenings = Vec::new();
        let mut outputs: Vec<Output> = Vec::new();
        // Tasks follow the assignment once the group has settled; during a
        // rebalance the tasks a thread keeps stay open.
        let settled = consumer.membership.as_ref().is_none_or(|m| !m.blocks_poll() && m.generation >= 0);
        let assignment: Vec<(String, u32)> =
            consumer.assignment.iter().map(|tp| (self.names.topic(tp.topic).to_string(), tp.partition)).collect();
        let thread = &mut self.stream_threads[t];
        if settled {
            thread.sync_tasks(&assignment, &mut happenings);
        }
        for event in &self.effects.trace {
            let TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } = event else { continue };
            if *consumer != c {
                continue;
            }
            let topic = self.names.topic(tp.topic);
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
            });
        }
        for p in order {
            let records = by_producer.remove(&p).unwrap_or_default();
            let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
            self.producers[p.0 as usize].send_records(&mut ctx, records);
        }
    }
}

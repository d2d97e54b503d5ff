//! Consume-transform-produce applications in the world: after every event,
//! each instance takes the records its consumer just polled, hands their
//! transformed copies to its producer and commits — through the simulated
//! clients' own calls (`send()`, `sendOffsetsToTransaction()`,
//! `commitTransaction()`, `commitSync()`), never a shortcut into broker
//! state. See [`crate::client::pipeline`].

use crate::actor::Ctx;
use crate::client::pipeline::{self, PipelineApp, PipelineInstance, Transformed};
use crate::client::producer::OffsetsToSend;
use crate::client::workload::Outgoing;
use crate::ids::{ClientIdx, NodeId, RecordId};
use crate::scenario::Scenario;
use crate::trace::TraceEvent;

use super::World;

/// One loop per instance of every application.
pub(super) fn pipeline_instances(scenario: &Scenario) -> Vec<PipelineInstance> {
    let consumer = |name: &str| scenario.consumers.iter().position(|c| c.name == name).map(|i| ClientIdx(i as u32));
    let producer = |name: &str| scenario.producers.iter().position(|p| p.name == name).map(|i| ClientIdx(i as u32));
    let mut instances = Vec::new();
    for (a, app) in scenario.pipelines.iter().enumerate() {
        for instance in &app.instances {
            let (Some(c), Some(p)) =
                (consumer(&PipelineApp::consumer_name(instance)), producer(&PipelineApp::producer_name(instance)))
            else {
                continue;
            };
            instances.push(PipelineInstance {
                app: a,
                instance: instance.clone(),
                consumer: c,
                producer: p,
                exactly_once: app.exactly_once(),
                group: app.group.clone(),
                waiting: Vec::new(),
                offsets: Default::default(),
                committing: None,
                commit_every: app.commit_every,
                next_commit: None,
                generation: None,
            });
        }
    }
    instances
}

impl World {
    /// Runs every instance's loop on what the last event brought.
    pub(super) fn run_pipelines(&mut self) {
        for i in 0..self.pipelines.len() {
            self.run_pipeline(i);
        }
    }

    fn run_pipeline(&mut self, i: usize) {
        let (c, p) = (self.pipelines[i].consumer, self.pipelines[i].producer);
        if !self.consumers[c.0 as usize].is_running() {
            self.pipelines[i].reset();
            return;
        }
        let polled = self.polled_by(c);
        self.pipelines[i].waiting.extend(polled);
        if self.pipelines[i].exactly_once {
            self.run_transactional(i, c, p);
        } else {
            self.run_at_least_once(i, c, p);
        }
    }

    /// What consumer `c` handed its application in this step, transformed.
    fn polled_by(&self, c: ClientIdx) -> Vec<Transformed> {
        let mut polled = Vec::new();
        for event in &self.effects.trace {
            let TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } = event else { continue };
            if *consumer != c {
                continue;
            }
            for (offset, record) in batch.records() {
                if offset < *from_offset || offset >= *to_offset || record.id() == RecordId::INTERNAL {
                    continue;
                }
                polled.push(Transformed {
                    input: record.id(),
                    tp: *tp,
                    next_offset: offset + 1,
                    key: record.key().map(<[u8]>::to_vec),
                    value: pipeline::transform(record.value()),
                });
            }
        }
        polled
    }

    fn outgoing(records: &[Transformed]) -> Vec<Outgoing> {
        records
            .iter()
            .map(|r| Outgoing {
                key: r.key.clone(),
                value: Some(r.value.clone()),
                headers: vec![(pipeline::SOURCE_HEADER.as_bytes().to_vec(), Some(pipeline::source_header(r.input)))],
                timestamp_ms: None,
                partition: None,
                topic: None,
            })
            .collect()
    }

    /// Exactly-once: each poll's outputs and input offsets in one
    /// transaction; after an abort, back to the committed offsets.
    fn run_transactional(&mut self, i: usize, c: ClientIdx, p: ClientIdx) {
        let ended: Vec<&'static str> = self
            .effects
            .trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::TransactionEnded { producer, outcome, .. } if *producer == p => Some(*outcome),
                _ => None,
            })
            .collect();
        if ended.contains(&"abort") {
            // The application's catch block: abortTransaction() happened;
            // what it read since the last commit is read again.
            self.pipelines[i].reset();
            let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
            self.consumers[c.0 as usize].rewind_to_committed(&mut ctx);
            self.effects.trace.push(TraceEvent::Action {
                text: format!(
                    "{}: the transaction was aborted; the application seeks its partitions back to the group's \
                     committed offsets and processes that input again",
                    self.pipelines[i].instance
                ),
            });
            return;
        }
        if self.producers[p.0 as usize].transaction_failed() {
            // ProducerFencedException: close the producer and the consumer.
            let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
            self.consumers[c.0 as usize].stop(&mut ctx);
            self.pipelines[i].reset();
            return;
        }
        let (generation, _) = self.consumers[c.0 as usize].group_metadata();
        let read_in = self.pipelines[i].generation;
        if read_in.is_some_and(|g| g != generation) {
            // A rebalance since this work was read (`onPartitionsRevoked`):
            // its partitions may belong to another member now, so the
            // transaction is aborted and the input read again from the
            // committed offsets.
            self.pipelines[i].reset();
            let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
            if !self.producers[p.0 as usize].abort_open_transaction(&mut ctx) {
                let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
                self.consumers[c.0 as usize].rewind_to_committed(&mut ctx);
            }
            self.effects.trace.push(TraceEvent::Action {
                text: format!(
                    "{}: its group rebalanced while a transaction was open: the application aborts it and reads \
                     that input again from the committed offsets",
                    self.pipelines[i].instance
                ),
            });
            return;
        }
        if !self.pipelines[i].waiting.is_empty() && read_in.is_none() {
            self.pipelines[i].generation = Some(generation);
        }
        if !self.producers[p.0 as usize].transaction_open_for_sends() {
            return;
        }
        let records = std::mem::take(&mut self.pipelines[i].waiting);
        if !records.is_empty() {
            let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
            self.producers[p.0 as usize].send_in_transaction(&mut ctx, Self::outgoing(&records));
            self.pipelines[i].sent(&records, self.now);
        }
        if self.pipelines[i].offsets.is_empty() || !self.pipelines[i].commit_due(self.now) {
            return;
        }
        self.pipelines[i].next_commit = None;
        // The commit carries this generation; the coordinator judges it.
        self.pipelines[i].generation = None;
        let offsets: Vec<_> = std::mem::take(&mut self.pipelines[i].offsets).into_iter().collect();
        let (generation, member_id) = self.consumers[c.0 as usize].group_metadata();
        let to_send = OffsetsToSend { group: self.pipelines[i].group.clone(), generation, member_id, offsets };
        let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
        self.producers[p.0 as usize].commit_with_offsets(&mut ctx, to_send);
    }

    /// At-least-once: send at once; once every output is acknowledged
    /// (`flush()`), `commitSync()` the input offsets.
    fn run_at_least_once(&mut self, i: usize, c: ClientIdx, p: ClientIdx) {
        if self.producers[p.0 as usize].phase != crate::client::producer::ProducerPhase::Running {
            return;
        }
        // Offsets read in an older generation are not committed: their
        // partitions may belong to another member now, which reads them
        // again from the committed offsets (the outputs are sent already:
        // at least once).
        let (generation, _) = self.consumers[c.0 as usize].group_metadata();
        let instance = &mut self.pipelines[i];
        if instance.generation.is_some_and(|g| g != generation) {
            instance.offsets.clear();
            instance.committing = None;
            instance.next_commit = None;
            instance.generation = None;
        }
        if !instance.waiting.is_empty() && instance.generation.is_none() {
            instance.generation = Some(generation);
        }
        let records = std::mem::take(&mut self.pipelines[i].waiting);
        if !records.is_empty() {
            let mut ctx = Ctx::new(self.now, NodeId::Producer(p), &mut self.effects);
            self.producers[p.0 as usize].send_records(&mut ctx, Self::outgoing(&records));
            self.pipelines[i].sent(&records, self.now);
        }
        let now = self.now;
        let instance = &mut self.pipelines[i];
        if instance.committing.is_none() && !instance.offsets.is_empty() && instance.commit_due(now) {
            instance.committing = Some(std::mem::take(&mut instance.offsets));
            instance.next_commit = None;
        }
        if self.producers[p.0 as usize].unfinished_records() > 0 {
            return;
        }
        let Some(offsets) = self.pipelines[i].committing.take() else { return };
        if self.pipelines[i].offsets.is_empty() {
            self.pipelines[i].generation = None;
        }
        let mut ctx = Ctx::new(self.now, NodeId::Consumer(c), &mut self.effects);
        self.consumers[c.0 as usize].commit_offsets(&mut ctx, offsets.into_iter().collect());
    }
}

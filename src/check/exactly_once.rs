//! The end-to-end exactly-once check of consume-transform-produce
//! applications: each input record the application's group has committed
//! as processed must have exactly one output visible to `read_committed`
//! readers of the output topic — none missing, none twice.
//!
//! Everything is read from the final logs, as a `read_committed` reader
//! would read them:
//! - an output is visible when it is not transactional, or its producer's
//!   COMMIT marker follows it on its partition; it names its input record
//!   in the `kafkasim.source` header;
//! - an input record is visible the same way (an application reading
//!   `read_committed` never sees the others);
//! - the group's committed offsets are replayed from `__consumer_offsets`:
//!   plain commits count at once, transactional ones (TxnOffsetCommit) only
//!   when their COMMIT marker follows. An input record below the committed
//!   offset of its partition was processed; one at or above it may still
//!   be (its output is not required yet, but never twice).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::client::pipeline::{PipelineApp, SOURCE_HEADER, parse_source_header};
use crate::cluster::log::PartitionLog;
use crate::cluster::record::ControlRecordType;
use crate::group::coordinator::records::parse_commit_key;
use crate::ids::{Names, RecordId, TopicPartition};

use super::atomicity::Decisions;

/// Most violations listed by name.
const LISTED_VIOLATIONS: usize = 20;

/// A committed offset: the group and partition, and the offset.
type OffsetCommit = ((String, TopicPartition), i64);

/// One application's end-to-end check.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema, PartialEq, Eq)]
pub struct PipelineCheck {
    pub pipeline: String,
    /// `exactly_once` or `at_least_once`.
    pub guarantee: String,
    /// Input records below the group's committed offsets: processed.
    pub processed: u64,
    /// Input records with at least one visible output.
    pub with_output: u64,
    /// Input records whose output is visible more than once.
    pub duplicated: u64,
    /// Processed input records without a visible output.
    pub missing: u64,
    pub violations: Vec<String>,
}

impl PipelineCheck {
    /// Exactly once: nothing twice, nothing processed left without output.
    pub fn holds(&self) -> bool {
        self.duplicated == 0 && self.missing == 0
    }
}

/// The checks of every application of a run.
pub fn check(
    apps: &[PipelineApp],
    final_logs: &BTreeMap<TopicPartition, &PartitionLog>,
    decided: &Decisions,
    offsets_topic: Option<crate::ids::TopicId>,
    names: &Names,
) -> Vec<PipelineCheck> {
    let committed = committed_offsets(final_logs, offsets_topic, names);
    apps.iter().map(|app| check_one(app, final_logs, decided, &committed, names)).collect()
}

/// Whether a record of a batch is visible to `read_committed` readers.
fn visible(transactional: bool, id: RecordId, decided: &Decisions) -> bool {
    !transactional || decided.committed.contains(&id)
}

fn check_one(
    app: &PipelineApp,
    final_logs: &BTreeMap<TopicPartition, &PartitionLog>,
    decided: &Decisions,
    committed: &BTreeMap<(String, TopicPartition), i64>,
    names: &Names,
) -> PipelineCheck {
    let mut outputs: BTreeMap<RecordId, u32> = BTreeMap::new();
    for (_, log) in final_logs.range(TopicPartition::new(app.output, 0)..=TopicPartition::new(app.output, u32::MAX)) {
        for batch in log.batches().filter(|b| b.batch.control().is_none()) {
            for (_, record) in batch.records() {
                if !visible(batch.batch.is_transactional(), record.id(), decided) {
                    continue;
                }
                let source = record.headers().find(|(k, _)| *k == SOURCE_HEADER.as_bytes()).and_then(|(_, v)| v);
                if let Some(input) = source.and_then(parse_source_header) {
                    *outputs.entry(input).or_default() += 1;
                }
            }
        }
    }
    let mut check = PipelineCheck {
        pipeline: app.id.clone(),
        guarantee: if app.exactly_once() { "exactly_once" } else { "at_least_once" }.to_string(),
        ..PipelineCheck::default()
    };
    let mut seen: BTreeSet<RecordId> = BTreeSet::new();
    for (&tp, log) in final_logs.range(TopicPartition::new(app.input, 0)..=TopicPartition::new(app.input, u32::MAX)) {
        let done = committed.get(&(app.group.clone(), tp)).copied().unwrap_or(0);
        for batch in log.batches().filter(|b| b.batch.control().is_none()) {
            for (offset, record) in batch.records() {
                let id = record.id();
                if !visible(batch.batch.is_transactional(), id, decided) || !seen.insert(id) {
                    continue;
                }
                let count = outputs.get(&id).copied().unwrap_or(0);
                let partition = format!("{}-{}", names.topic(tp.topic), tp.partition);
                let record_name = format!("{}#{}", names.producer(id.producer), id.number);
                if count > 0 {
                    check.with_output += 1;
                }
                if count > 1 {
                    check.duplicated += 1;
                    note(&mut check.violations, || {
                        format!(
                            "{record_name} ({partition}@{offset}) has {count} outputs visible to read_committed readers"
                        )
                    });
                }
                if offset < done {
                    check.processed += 1;
                    if count == 0 {
                        check.missing += 1;
                        note(&mut check.violations, || {
                            format!(
                                "{record_name} ({partition}@{offset}) is below the group's committed offset {done} but \
                                 has no visible output"
                            )
                        });
                    }
                }
            }
        }
    }
    check
}

fn note(list: &mut Vec<String>, text: impl FnOnce() -> String) {
    if list.len() < LISTED_VIOLATIONS {
        list.push(text());
    }
}

/// The committed offsets `__consumer_offsets` holds at the end, by group
/// and partition: plain commits at once, transactional ones at their
/// producer's COMMIT marker (dropped at ABORT), later records winning.
pub fn committed_offsets(
    final_logs: &BTreeMap<TopicPartition, &PartitionLog>,
    offsets_topic: Option<crate::ids::TopicId>,
    names: &Names,
) -> BTreeMap<(String, TopicPartition), i64> {
    let mut committed = BTreeMap::new();
    let Some(topic) = offsets_topic else { return committed };
    for (_, log) in final_logs.range(TopicPartition::new(topic, 0)..=TopicPartition::new(topic, u32::MAX)) {
        let mut pending: BTreeMap<i64, Vec<OffsetCommit>> = BTreeMap::new();
        for batch in log.batches() {
            let producer_id = batch.batch.producer.producer_id;
            if let Some(marker) = batch.batch.control() {
                let offsets = pending.remove(&producer_id).unwrap_or_default();
                if marker == ControlRecordType::Commit {
                    committed.extend(offsets);
                }
                continue;
            }
            for (_, record) in batch.records() {
                let Some((group, topic_name, p)) = record.key().and_then(parse_commit_key) else { continue };
                let Some(topic) = names.topic_id(&topic_name) else { continue };
                let key = (group, TopicPartition::new(topic, p));
                let offset: Option<i64> = record.value().and_then(|v| std::str::from_utf8(v).ok()?.parse().ok());
                match (offset, batch.batch.is_transactional()) {
                    (Some(offset), true) => pending.entry(producer_id).or_default().push((key, offset)),
                    (Some(offset), false) => {
                        committed.insert(key, offset);
                    }
                    (None, _) => {
                        committed.remove(&key);
                    }
                }
            }
        }
    }
    committed
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::check::atomicity::decisions;
    use crate::client::pipeline::source_header;
    use crate::cluster::record::{ProducerStamp, RecordBatch, RecordBatchBuilder};
    use crate::engine::{SimDuration, SimTime};
    use crate::ids::{ClientIdx, TopicId};

    const INPUT: TopicId = TopicId(0);
    const OUTPUT: TopicId = TopicId(1);
    const OFFSETS: TopicId = TopicId(2);

    fn app() -> PipelineApp {
        PipelineApp {
            id: "enrich".into(),
            group: "enrich".into(),
            input: INPUT,
            output: OUTPUT,
            instances: vec!["enrich".into()],
            transactional_id: Some("enrich".into()),
            start: Some(SimTime::ZERO),
            commit_every: SimDuration::from_secs(1),
        }
    }

    fn names() -> Names {
        Names {
            topics: vec!["orders".into(), "enriched".into(), "__consumer_offsets".into()],
            producers: vec!["shop".into(), "enrich-producer".into()],
            ..Names::default()
        }
    }

    fn input(n: u64) -> RecordId {
        RecordId { producer: ClientIdx(0), number: n }
    }

    /// The shop's plain records 0..n on the input partition.
    fn inputs(log: &mut PartitionLog, n: u64) {
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        for i in 0..n {
            b.push(input(i), 0, Some(b"k"), Some(b"v"), &[]);
        }
        log.append_as_leader(Arc::new(b.build()), 0);
    }

    /// Outputs of `sources`, numbered from `first`, in a transaction of
    /// producer id `pid` (epoch `epoch`).
    fn outputs(log: &mut PartitionLog, pid: i64, epoch: i16, first: u64, sources: &[u64]) {
        let mut b =
            RecordBatchBuilder::new(ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: 0 });
        for (i, &s) in sources.iter().enumerate() {
            let header = source_header(input(s));
            let headers: [(&[u8], Option<&[u8]>); 1] = [(SOURCE_HEADER.as_bytes(), Some(&header))];
            b.push(RecordId { producer: ClientIdx(1), number: first + i as u64 }, 0, Some(b"k"), Some(b"v"), &headers);
        }
        log.append_as_leader(Arc::new(b.build().into_transactional()), 0);
    }

    fn marker(log: &mut PartitionLog, pid: i64, epoch: i16, kind: ControlRecordType) {
        let stamp = ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: -1 };
        log.append_as_leader(Arc::new(RecordBatch::end_txn_marker(stamp, kind, 0, 0)), 0);
    }

    /// A transactional offset commit of the input partition.
    fn offset_commit(log: &mut PartitionLog, pid: i64, epoch: i16, offset: i64) {
        let mut b =
            RecordBatchBuilder::new(ProducerStamp { producer_id: pid, producer_epoch: epoch, base_sequence: -1 });
        let key = crate::group::coordinator::records::commit_key("enrich", "orders", 0);
        b.push(RecordId::INTERNAL, 0, Some(key.as_bytes()), Some(offset.to_string().as_bytes()), &[]);
        log.append_as_leader(Arc::new(b.build().into_transactional()), 0);
    }

    fn run(input_log: &PartitionLog, output_log: &PartitionLog, offsets_log: &PartitionLog) -> PipelineCheck {
        let logs: BTreeMap<TopicPartition, &PartitionLog> = [
            (TopicPartition::new(INPUT, 0), input_log),
            (TopicPartition::new(OUTPUT, 0), output_log),
            (TopicPartition::new(OFFSETS, 0), offsets_log),
        ]
        .into();
        check(&[app()], &logs, &decisions(&logs), Some(OFFSETS), &names()).remove(0)
    }

    /// The run an exactly-once pipeline leaves: a transaction with outputs
    /// of inputs 0 and 1 aborted (the instance crashed), then the same
    /// inputs processed again and committed with their offsets. Exactly once.
    #[test]
    fn an_aborted_attempt_and_its_committed_retry_are_exactly_once() {
        let (mut i, mut o, mut c) = (PartitionLog::default(), PartitionLog::default(), PartitionLog::default());
        inputs(&mut i, 3);
        outputs(&mut o, 7, 0, 0, &[0, 1]);
        offset_commit(&mut c, 7, 0, 2);
        marker(&mut o, 7, 1, ControlRecordType::Abort);
        marker(&mut c, 7, 1, ControlRecordType::Abort);
        outputs(&mut o, 8, 0, 2, &[0, 1]);
        offset_commit(&mut c, 8, 0, 2);
        marker(&mut o, 8, 1, ControlRecordType::Commit);
        marker(&mut c, 8, 1, ControlRecordType::Commit);
        let check = run(&i, &o, &c);
        assert_eq!((check.processed, check.with_output, check.duplicated, check.missing), (2, 2, 0, 0));
        assert!(check.holds(), "{check:?}");
    }

    /// The same outputs committed twice (what an at-least-once pipeline
    /// leaves after a crash, or a zombie's commit getting through): the
    /// check fails and names the input record.
    #[test]
    fn outputs_committed_twice_are_duplicates() {
        let (mut i, mut o, mut c) = (PartitionLog::default(), PartitionLog::default(), PartitionLog::default());
        inputs(&mut i, 2);
        outputs(&mut o, 7, 0, 0, &[0, 1]);
        marker(&mut o, 7, 1, ControlRecordType::Commit);
        outputs(&mut o, 8, 0, 2, &[0, 1]);
        offset_commit(&mut c, 8, 0, 2);
        marker(&mut o, 8, 1, ControlRecordType::Commit);
        marker(&mut c, 8, 1, ControlRecordType::Commit);
        let check = run(&i, &o, &c);
        assert_eq!((check.duplicated, check.missing), (2, 0));
        assert!(!check.holds());
        assert!(check.violations[0].contains("shop#0") && check.violations[0].contains("2 outputs"), "{check:?}");
    }

    /// Offsets committed (the input counts as processed) while the outputs'
    /// transaction was aborted: a gap. An offset commit that was itself
    /// aborted moves nothing.
    #[test]
    fn processed_input_without_visible_output_is_a_gap() {
        let (mut i, mut o, mut c) = (PartitionLog::default(), PartitionLog::default(), PartitionLog::default());
        inputs(&mut i, 3);
        outputs(&mut o, 7, 0, 0, &[0, 1]);
        marker(&mut o, 7, 1, ControlRecordType::Abort);
        offset_commit(&mut c, 7, 0, 2);
        marker(&mut c, 7, 1, ControlRecordType::Commit);
        let check = run(&i, &o, &c);
        assert_eq!((check.processed, check.missing, check.with_output), (2, 2, 0));
        assert!(!check.holds());

        let mut aborted = PartitionLog::default();
        offset_commit(&mut aborted, 7, 0, 2);
        marker(&mut aborted, 7, 1, ControlRecordType::Abort);
        let check = run(&i, &o, &aborted);
        assert_eq!((check.processed, check.missing), (0, 0), "an aborted offset commit processes nothing");
    }
}

//! A consume-transform-produce application, the loop Kafka's
//! exactly-once examples run (`ExactlyOnceMessageProcessor`):
//!
//! ```text
//! records = consumer.poll()
//! producer.beginTransaction()
//! for r in records: producer.send(transform(r))
//! producer.sendOffsetsToTransaction(positions, consumer.groupMetadata())
//! producer.commitTransaction()        // on an abort: seek back to committed
//! ```
//!
//! Each instance is a consumer of the application's group and a producer.
//! With `exactly_once` the producer is transactional and the consumer reads
//! `read_committed`: the outputs and the input offsets commit together or
//! not at all. With `at_least_once` the producer sends, waits until the
//! outputs are acknowledged (`flush()`), then the consumer commits the
//! offsets: a crash in between processes the input again.
//!
//! The transform keeps the key and wraps the value: `{"from": <input
//! value>}`; each output carries the input record's id in a header, so the
//! end-to-end check can tell which input it came from.
//!
//! The loop commits every `commit_every` (a transaction spans that much
//! input), at the first poll after the interval has passed.
//!
//! Simplification: the application takes no time per record; records
//! polled while a commit is under way wait for the next transaction.
//! Simplification: the transform is fixed (same key, the value wrapped);
//! an application names no transform of its own.

use std::collections::BTreeMap;

use crate::engine::{SimDuration, SimTime};
use crate::ids::{ClientIdx, RecordId, TopicId, TopicPartition};

/// The header naming the input record an output was derived from.
pub const SOURCE_HEADER: &str = "kafkasim.source";

/// An application as the scenario describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineApp {
    pub id: String,
    pub group: String,
    pub input: TopicId,
    pub output: TopicId,
    pub instances: Vec<String>,
    /// `Some(prefix)`: exactly-once, each instance's producer with
    /// `transactional.id` `<prefix>-<instance>`.
    pub transactional_id: Option<String>,
    /// `None`: started by a timeline `start`.
    pub start: Option<SimTime>,
    pub commit_every: SimDuration,
}

impl PipelineApp {
    pub fn exactly_once(&self) -> bool {
        self.transactional_id.is_some()
    }

    /// The name of an instance's consumer.
    pub fn consumer_name(instance: &str) -> String {
        format!("{instance}-consumer")
    }

    /// The name of an instance's producer.
    pub fn producer_name(instance: &str) -> String {
        format!("{instance}-producer")
    }

    /// The `transactional.id` of an instance's producer.
    pub fn transactional_id_of(&self, instance: &str) -> Option<String> {
        self.transactional_id.as_ref().map(|prefix| format!("{prefix}-{instance}"))
    }
}

/// The output of one input record.
pub fn transform(value: Option<&[u8]>) -> Vec<u8> {
    let input = value.map_or_else(|| "null".to_string(), |v| String::from_utf8_lossy(v).into_owned());
    let quoted = if serde_json::from_str::<serde_json::Value>(&input).is_ok() {
        input
    } else {
        serde_json::Value::String(input).to_string()
    };
    format!("{{\"from\":{quoted}}}").into_bytes()
}

/// The header value naming an input record.
pub fn source_header(id: RecordId) -> Vec<u8> {
    format!("{}:{}", id.producer.0, id.number).into_bytes()
}

/// The input record a header value names.
pub fn parse_source_header(value: &[u8]) -> Option<RecordId> {
    let text = std::str::from_utf8(value).ok()?;
    let (producer, number) = text.split_once(':')?;
    Some(RecordId { producer: ClientIdx(producer.parse().ok()?), number: number.parse().ok()? })
}

/// A record read and transformed, not yet handed to the producer.
#[derive(Clone, Debug)]
pub struct Transformed {
    pub input: RecordId,
    pub tp: TopicPartition,
    /// The offset after the input record: what to commit once it is done.
    pub next_offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
}

/// Where one instance's loop stands.
#[derive(Clone, Debug)]
pub struct PipelineInstance {
    pub app: usize,
    pub instance: String,
    pub consumer: ClientIdx,
    pub producer: ClientIdx,
    pub exactly_once: bool,
    pub group: String,
    /// Records polled, waiting for the producer.
    pub waiting: Vec<Transformed>,
    /// The offsets to commit for what was sent since the last commit.
    pub offsets: BTreeMap<TopicPartition, i64>,
    /// Offsets of a commit waiting for the outputs' acknowledgements
    /// (at-least-once), or handed to the transaction (exactly-once).
    pub committing: Option<BTreeMap<TopicPartition, i64>>,
    pub commit_every: SimDuration,
    /// When the next commit is due: set by the first record sent after a commit.
    pub next_commit: Option<SimTime>,
    /// The consumer's generation when the work not yet committed was read:
    /// work of an older generation may cover partitions now owned by
    /// another member, so it is aborted, never committed.
    pub generation: Option<i32>,
}

impl PipelineInstance {
    /// The process died: everything in memory is gone.
    pub fn reset(&mut self) {
        self.waiting.clear();
        self.offsets.clear();
        self.committing = None;
        self.next_commit = None;
        self.generation = None;
    }

    /// Whether the commit interval has passed since the first record sent
    /// after the last commit.
    pub fn commit_due(&self, now: SimTime) -> bool {
        self.next_commit.is_some_and(|at| now >= at)
    }

    /// Records sent: their input offsets are now to commit.
    pub fn sent(&mut self, records: &[Transformed], now: SimTime) {
        if !records.is_empty() && self.next_commit.is_none() {
            self.next_commit = Some(now + self.commit_every);
        }
        for r in records {
            let at = self.offsets.entry(r.tp).or_insert(r.next_offset);
            *at = (*at).max(r.next_offset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transform_wraps_json_and_quotes_text() {
        assert_eq!(transform(Some(br#"{"n":1}"#)), br#"{"from":{"n":1}}"#.to_vec());
        assert_eq!(transform(Some(b"order-1")), br#"{"from":"order-1"}"#.to_vec());
        assert_eq!(transform(None), br#"{"from":null}"#.to_vec());
    }

    #[test]
    fn the_source_header_names_the_input_record() {
        let id = RecordId { producer: ClientIdx(3), number: 41 };
        assert_eq!(parse_source_header(&source_header(id)), Some(id));
        assert_eq!(parse_source_header(b"nonsense"), None);
    }

    #[test]
    fn offsets_to_commit_are_the_next_offset_after_the_last_record_sent() {
        let mut instance = PipelineInstance {
            app: 0,
            instance: "a".into(),
            consumer: ClientIdx(0),
            producer: ClientIdx(0),
            exactly_once: true,
            group: "g".into(),
            waiting: Vec::new(),
            offsets: BTreeMap::new(),
            committing: None,
            commit_every: SimDuration::from_secs(1),
            next_commit: None,
            generation: None,
        };
        let tp = TopicPartition::new(TopicId(0), 1);
        let rec = |next_offset| Transformed {
            input: RecordId { producer: ClientIdx(0), number: 0 },
            tp,
            next_offset,
            key: None,
            value: Vec::new(),
        };
        instance.sent(&[rec(5), rec(7), rec(6)], SimTime::from_millis(100));
        assert_eq!(instance.offsets.get(&tp), Some(&7));
        assert!(!instance.commit_due(SimTime::from_millis(1_099)));
        assert!(instance.commit_due(SimTime::from_millis(1_100)));
        instance.reset();
        assert!(instance.offsets.is_empty());
        assert!(!instance.commit_due(SimTime::from_millis(5_000)));
    }
}

//! What the transaction coordinator writes to `__transaction_state`, and how
//! a new coordinator reads it back (`TransactionLog.scala`,
//! `TransactionStateManager.loadTransactionsForTxnTopicPartition`).
//!
//! One record per transition: the key names the transactional id
//! (`txn:ID`), the value holds what `TransactionLogValue` holds — producer id
//! and epoch, the previous and next producer id, the timeout, the state, the
//! partitions in the transaction and the two timestamps. The topic is
//! compacted, so the latest record per id is its state; a null value (a
//! tombstone) removes an expired id. A coordinator loading the partition
//! keeps the latest record per id, as compaction would.
//!
//! Simplification: keys and values are readable text instead of Kafka's
//! binary schemas.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::metadata::{TransactionMetadata, TxnTransit};
use super::state::TransactionState;
use super::version::TransactionVersion;
use crate::cluster::log::PartitionLog;
use crate::ids::{TopicId, TopicPartition};

/// The record key of a transactional id's state.
pub fn txn_key(transactional_id: &str) -> String {
    format!("txn:{transactional_id}")
}

/// A transactional id's state as its record stores it (`TransactionLogValue`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnLogValue {
    pub producer_id: i64,
    pub previous_producer_id: i64,
    pub next_producer_id: i64,
    pub producer_epoch: i16,
    pub transaction_timeout_ms: u64,
    pub transaction_status: TransactionState,
    /// Partitions as `topic-partition`.
    pub transaction_partitions: Vec<String>,
    pub transaction_last_update_timestamp_ms: i64,
    pub transaction_start_timestamp_ms: i64,
    pub client_transaction_version: TransactionVersion,
}

impl TxnLogValue {
    /// The value written for a prepared transition (`valueToBytes`).
    pub fn of(transit: &TxnTransit, topic_name: impl Fn(TopicId) -> String) -> Self {
        TxnLogValue {
            producer_id: transit.producer_id,
            previous_producer_id: transit.previous_producer_id,
            next_producer_id: transit.next_producer_id,
            producer_epoch: transit.producer_epoch,
            transaction_timeout_ms: transit.txn_timeout_ms,
            transaction_status: transit.state,
            transaction_partitions: transit
                .partitions
                .iter()
                .map(|tp| format!("{}-{}", topic_name(tp.topic), tp.partition))
                .collect(),
            transaction_last_update_timestamp_ms: transit.txn_last_update_timestamp_ms,
            transaction_start_timestamp_ms: transit.txn_start_timestamp_ms,
            client_transaction_version: transit.client_transaction_version,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The metadata a loading coordinator rebuilds (`readTxnRecordValue`):
    /// no transition pending; the last epoch is not stored, as in Kafka's log.
    pub fn to_metadata(
        &self,
        transactional_id: &str,
        topic_id: impl Fn(&str) -> Option<TopicId>,
    ) -> TransactionMetadata {
        let partition = |text: &String| {
            let (topic, p) = text.rsplit_once('-')?;
            Some(TopicPartition::new(topic_id(topic)?, p.parse().ok()?))
        };
        TransactionMetadata {
            previous_producer_id: self.previous_producer_id,
            next_producer_id: self.next_producer_id,
            producer_epoch: self.producer_epoch,
            state: self.transaction_status,
            partitions: self.transaction_partitions.iter().filter_map(partition).collect(),
            txn_start_timestamp_ms: self.transaction_start_timestamp_ms,
            client_transaction_version: self.client_transaction_version,
            ..TransactionMetadata::new(
                transactional_id,
                self.producer_id,
                self.transaction_timeout_ms,
                self.transaction_last_update_timestamp_ms,
            )
        }
    }
}

/// Reads a record of `__transaction_state`: the id, and its value (`None` for
/// a tombstone). Records of another kind give `None`.
pub fn parse(key: &[u8], value: Option<&[u8]>) -> Option<(String, Option<TxnLogValue>)> {
    let id = std::str::from_utf8(key).ok()?.strip_prefix("txn:")?;
    let value = match value {
        None => None,
        Some(bytes) => Some(serde_json::from_slice(bytes).ok()?),
    };
    Some((id.to_string(), value))
}

/// Every transactional id of one `__transaction_state` partition, as a new
/// coordinator loads them: the latest record per id below the high
/// watermark (what is replicated), tombstoned ids left out.
pub fn load(log: &PartitionLog, topic_id: impl Fn(&str) -> Option<TopicId>) -> BTreeMap<String, TransactionMetadata> {
    let mut latest: BTreeMap<String, Option<TxnLogValue>> = BTreeMap::new();
    let high_watermark = log.high_watermark();
    for batch in log.batches() {
        for (offset, record) in batch.records() {
            if offset >= high_watermark {
                break;
            }
            if let Some((id, value)) = record.key().and_then(|key| parse(key, record.value())) {
                latest.insert(id, value);
            }
        }
    }
    latest
        .into_iter()
        .filter_map(|(id, value)| {
            let metadata = value?.to_metadata(&id, &topic_id);
            Some((id, metadata))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::cluster::record::{ProducerStamp, RecordBatchBuilder};
    use crate::ids::RecordId;
    use crate::txn::metadata::NO_PRODUCER_ID;

    fn append(log: &mut PartitionLog, key: &str, value: Option<&str>) {
        let mut builder = RecordBatchBuilder::new(ProducerStamp::NONE);
        builder.push(RecordId::INTERNAL, 0, Some(key.as_bytes()), value.map(str::as_bytes), &[]);
        log.append_as_leader(Arc::new(builder.build()), 0);
    }

    fn orders(name: &str) -> Option<TopicId> {
        (name == "orders").then_some(TopicId(3))
    }

    /// A coordinator that takes over rebuilds the state the old one wrote:
    /// the latest record per id, an Ongoing transaction with its partitions.
    #[test]
    fn a_new_coordinator_loads_the_latest_state_of_each_id() {
        let tv2 = TransactionVersion::Tv2;
        let mut m = TransactionMetadata::new("app", 4000, 60_000, 0);
        let t = m.prepare_increment_producer_epoch(60_000, None, 5).unwrap().unwrap();
        m.complete_transition(&t).unwrap();
        let mut log = PartitionLog::default();
        let name = |_| "orders".to_string();
        append(&mut log, &txn_key("app"), Some(&TxnLogValue::of(&t, name).to_json()));
        let partitions = BTreeSet::from([TopicPartition::new(TopicId(3), 0), TopicPartition::new(TopicId(3), 1)]);
        let t = m.prepare_add_partitions(&partitions, tv2, 7).unwrap();
        append(&mut log, &txn_key("app"), Some(&TxnLogValue::of(&t, name).to_json()));
        m.complete_transition(&t).unwrap();
        append(&mut log, &txn_key("gone"), Some(&TxnLogValue::of(&t, name).to_json()));
        append(&mut log, &txn_key("gone"), None);
        log.set_high_watermark(log.log_end_offset());

        let loaded = load(&log, orders);
        assert_eq!(loaded.keys().collect::<Vec<_>>(), ["app"], "a tombstone removes an id");
        let app = &loaded["app"];
        assert_eq!((app.producer_id, app.producer_epoch, app.state), (4000, 0, TransactionState::Ongoing));
        assert_eq!(app.partitions, partitions);
        assert_eq!((app.txn_start_timestamp_ms, app.txn_last_update_timestamp_ms), (7, 7));
        assert_eq!(app.next_producer_id, NO_PRODUCER_ID);
        assert_eq!(app.pending_state, None);
    }

    #[test]
    fn records_above_the_high_watermark_are_not_loaded() {
        let m = TransactionMetadata::new("app", 4000, 60_000, 0);
        let mut log = PartitionLog::default();
        append(&mut log, &txn_key("app"), Some(&TxnLogValue::of(&m.current(), |_| String::new()).to_json()));
        assert!(load(&log, orders).is_empty(), "not replicated yet");
        log.set_high_watermark(1);
        assert_eq!(load(&log, orders).len(), 1);
    }

    #[test]
    fn other_records_are_not_transaction_state() {
        assert_eq!(parse(b"group:g", Some(b"{}")), None);
        assert_eq!(parse(b"txn:a", Some(b"not json")), None);
        assert_eq!(parse(b"txn:a", None), Some(("a".to_string(), None)));
    }
}

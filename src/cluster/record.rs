//! Records and record batches, laid out the way Kafka's message format v2 is.
//!
//! A producer groups records into a batch; the partition leader stamps the batch
//! with its base offset and leader epoch when it appends it. Offsets are per
//! record but the unit of storage, replication and fetching is the batch. Keys,
//! values and headers of a batch live in one byte arena, so a retained record
//! costs a few dozen bytes beyond its key and value.
//!
//! Sizes follow the v2 format (varint-encoded lengths and deltas plus a 61-byte
//! batch header), so `batch.size`, `segment.bytes` and `retention.bytes` count
//! the same bytes Kafka counts.
//!
//! A transactional producer's batches carry the *transactional* attribute;
//! the transaction coordinator's commit and abort markers are *control
//! batches* of one record each (`ControlRecordType`, `EndTransactionMarker`):
//! they take an offset but no consumer is ever handed them.
//!
//! Simplification: records are never compressed (`compression.type` is not
//! modelled) and batches carry no CRC.

use std::sync::Arc;

use crate::ids::{ClientIdx, RecordId};

/// Bytes of the fixed v2 batch header (`DefaultRecordBatch.RECORD_BATCH_OVERHEAD`).
pub const BATCH_HEADER_BYTES: u32 = 61;

/// A byte range inside a batch's arena; `None` is a null key or value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slice {
    start: u32,
    len: u32,
}

const NULL_LEN: u32 = u32::MAX;

impl Slice {
    fn is_null(self) -> bool {
        self.len == NULL_LEN
    }
}

/// Per-record metadata, 32 bytes; the bytes are in the batch's arena, the
/// value right after the key. Headers are rare, so they are found through a
/// table of the batch's records that have any, not a range in every record.
#[derive(Clone, Copy, Debug)]
struct RecordMeta {
    timestamp_ms: i64,
    offset_delta: u32,
    key_start: u32,
    /// `NULL_LEN` for a null key.
    key_len: u32,
    /// `NULL_LEN` for a null value (a tombstone).
    value_len: u32,
    /// The record id in two parts: a `RecordId` inline would pad to 16 bytes.
    /// The limit on records per run keeps the number far below 2^32.
    producer: ClientIdx,
    number: u32,
}

impl RecordMeta {
    fn key(&self) -> Slice {
        Slice { start: self.key_start, len: self.key_len }
    }
    fn value(&self) -> Slice {
        let key_bytes = if self.key_len == NULL_LEN { 0 } else { self.key_len };
        Slice { start: self.key_start + key_bytes, len: self.value_len }
    }
}

/// The headers of one record: which record, and its range in the header table.
#[derive(Clone, Copy, Debug)]
struct HeaderRange {
    record: u32,
    start: u32,
    len: u32,
}

#[derive(Clone, Copy, Debug)]
struct HeaderMeta {
    key: Slice,
    value: Slice,
}

/// Who wrote a batch, for idempotence: Kafka's producer id, epoch and the
/// sequence number of the batch's first record. `producer_id == -1` means a
/// non-idempotent producer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProducerStamp {
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
}

/// What a transaction marker says (`ControlRecordType`): the key of a control
/// record is (version 0, type), 0 for ABORT and 1 for COMMIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ControlRecordType {
    Abort,
    Commit,
}

impl ControlRecordType {
    /// The type code in the control record's key.
    pub fn code(self) -> i16 {
        match self {
            ControlRecordType::Abort => 0,
            ControlRecordType::Commit => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ControlRecordType::Abort => "ABORT",
            ControlRecordType::Commit => "COMMIT",
        }
    }
}

impl ProducerStamp {
    pub const NONE: ProducerStamp = ProducerStamp { producer_id: -1, producer_epoch: -1, base_sequence: -1 };
    pub fn is_idempotent(&self) -> bool {
        self.producer_id >= 0
    }
}

/// An immutable batch of records as a producer built it. Shared (`Arc`) between
/// the producer's in-flight request, every replica's log and fetch responses.
#[derive(Clone, Debug)]
pub struct RecordBatch {
    pub producer: ProducerStamp,
    // Boxed slices, exactly sized: the builder's vectors grew by doubling,
    // and a retained batch should not keep the spare room.
    records: Box<[RecordMeta]>,
    headers: Box<[HeaderMeta]>,
    /// By record index, for the records that have headers.
    header_ranges: Box<[HeaderRange]>,
    arena: Box<[u8]>,
    last_offset_delta: u32,
    size_bytes: u32,
    max_timestamp_ms: i64,
    /// Set by the log cleaner on a batch it kept with tombstones in it: after
    /// this time a later cleaning removes them (KIP-534).
    delete_horizon_ms: Option<i64>,
    /// Written inside a transaction: hidden from `read_committed` readers
    /// until its marker, and dropped by them if the marker is an ABORT.
    transactional: bool,
    /// A transaction marker (always transactional too).
    control: Option<ControlRecordType>,
}

/// A borrowed view of one record of a batch.
#[derive(Clone, Copy, Debug)]
pub struct RecordRef<'a> {
    batch: &'a RecordBatch,
    meta: &'a RecordMeta,
    index: u32,
}

impl<'a> RecordRef<'a> {
    pub fn offset_delta(&self) -> u32 {
        self.meta.offset_delta
    }
    pub fn timestamp_ms(&self) -> i64 {
        self.meta.timestamp_ms
    }
    pub fn id(&self) -> RecordId {
        RecordId { producer: self.meta.producer, number: u64::from(self.meta.number) }
    }
    pub fn key(&self) -> Option<&'a [u8]> {
        self.batch.bytes(self.meta.key())
    }
    pub fn value(&self) -> Option<&'a [u8]> {
        self.batch.bytes(self.meta.value())
    }
    /// A null value: a tombstone on a compacted topic.
    pub fn is_tombstone(&self) -> bool {
        self.meta.value_len == NULL_LEN
    }
    pub fn headers(&self) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> + 'a {
        let batch = self.batch;
        let range = batch.header_ranges.binary_search_by_key(&self.index, |r| r.record).ok();
        let (start, len) = range.map_or((0, 0), |i| (batch.header_ranges[i].start, batch.header_ranges[i].len));
        batch.headers[start as usize..(start + len) as usize]
            .iter()
            .map(move |h| (batch.bytes(h.key).unwrap_or_default(), batch.bytes(h.value)))
    }
    /// Size of this record in the v2 format.
    pub fn size_bytes(&self) -> u32 {
        let headers: Vec<_> = self.headers().collect();
        record_size(self.meta.offset_delta, 0, self.key().map(<[u8]>::len), self.value().map(<[u8]>::len), &headers)
    }
}

impl RecordBatch {
    fn bytes(&self, slice: Slice) -> Option<&[u8]> {
        if slice.is_null() {
            None
        } else {
            let start = slice.start as usize;
            Some(&self.arena[start..start + slice.len as usize])
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    pub fn records(&self) -> impl ExactSizeIterator<Item = RecordRef<'_>> + '_ {
        self.records.iter().enumerate().map(move |(index, meta)| RecordRef { batch: self, meta, index: index as u32 })
    }
    pub fn record(&self, index: usize) -> Option<RecordRef<'_>> {
        self.records.get(index).map(|meta| RecordRef { batch: self, meta, index: index as u32 })
    }
    /// Offset of the last record relative to the batch's base offset. Kept when
    /// compaction removes records, so the log end offset never moves back.
    pub fn last_offset_delta(&self) -> u32 {
        self.last_offset_delta
    }
    pub fn size_bytes(&self) -> u32 {
        self.size_bytes
    }
    pub fn max_timestamp_ms(&self) -> i64 {
        self.max_timestamp_ms
    }
    pub fn delete_horizon_ms(&self) -> Option<i64> {
        self.delete_horizon_ms
    }
    pub fn is_transactional(&self) -> bool {
        self.transactional
    }
    /// The marker this control batch holds; `None` for a data batch.
    pub fn control(&self) -> Option<ControlRecordType> {
        self.control
    }

    /// A transaction marker as the partition leader appends it on the
    /// coordinator's WriteTxnMarkers: one control record, key (version 0,
    /// type), value (version 0, coordinator epoch), stamped with the
    /// producer's id and epoch.
    pub fn end_txn_marker(
        producer: ProducerStamp,
        marker: ControlRecordType,
        coordinator_epoch: i32,
        timestamp_ms: i64,
    ) -> RecordBatch {
        let mut key = [0u8; 4];
        key[2..].copy_from_slice(&marker.code().to_be_bytes());
        let mut value = [0u8; 6];
        value[2..].copy_from_slice(&coordinator_epoch.to_be_bytes());
        let stamp = ProducerStamp { base_sequence: -1, ..producer };
        let mut builder = RecordBatchBuilder::new(stamp);
        builder.push(RecordId::INTERNAL, timestamp_ms, Some(&key), Some(&value), &[]);
        let mut batch = builder.build();
        batch.transactional = true;
        batch.control = Some(marker);
        batch
    }

    /// The same batch, marked as written inside a transaction.
    pub fn into_transactional(mut self) -> RecordBatch {
        self.transactional = true;
        self
    }

    /// Whether any record has a null value.
    pub fn has_tombstones(&self) -> bool {
        self.records().any(|r| r.is_tombstone())
    }
    pub fn first_timestamp_ms(&self) -> i64 {
        self.records.first().map_or(self.max_timestamp_ms, |r| r.timestamp_ms)
    }
    /// Number of records for idempotence bookkeeping: the sequence span.
    pub fn record_count_span(&self) -> u32 {
        self.last_offset_delta + 1
    }

    /// A copy of this batch keeping only the records `keep` accepts, with their
    /// original offset deltas: what the log cleaner writes back.
    pub fn retain(&self, mut keep: impl FnMut(RecordRef<'_>) -> bool) -> RecordBatch {
        let mut builder = RecordBatchBuilder::new(self.producer);
        for record in self.records() {
            if keep(record) {
                let headers: Vec<_> = record.headers().collect();
                builder.push_with_delta(
                    record.offset_delta(),
                    record.id(),
                    record.timestamp_ms(),
                    record.key(),
                    record.value(),
                    &headers,
                );
            }
        }
        let mut batch = builder.build();
        batch.last_offset_delta = self.last_offset_delta;
        batch.delete_horizon_ms = self.delete_horizon_ms;
        batch.transactional = self.transactional;
        batch.control = self.control;
        batch
    }

    /// The same batch, stamped with a tombstone delete horizon.
    pub fn with_delete_horizon(mut self, horizon_ms: i64) -> RecordBatch {
        self.delete_horizon_ms = Some(horizon_ms);
        self
    }
}

/// Collects records into a [`RecordBatch`].
#[derive(Clone, Debug)]
pub struct RecordBatchBuilder {
    producer: ProducerStamp,
    records: Vec<RecordMeta>,
    headers: Vec<HeaderMeta>,
    header_ranges: Vec<HeaderRange>,
    arena: Vec<u8>,
    size_bytes: u32,
    base_timestamp_ms: Option<i64>,
    max_timestamp_ms: i64,
}

impl RecordBatchBuilder {
    pub fn new(producer: ProducerStamp) -> Self {
        Self::with_capacity(producer, 0)
    }

    /// A builder with room for `bytes` of records, as Kafka's producer takes a
    /// `batch.size` buffer for each new batch: the arena then grows once, not
    /// by doubling through every size on the way.
    pub fn with_capacity(producer: ProducerStamp, bytes: usize) -> Self {
        RecordBatchBuilder {
            producer,
            records: Vec::new(),
            headers: Vec::new(),
            header_ranges: Vec::new(),
            arena: Vec::with_capacity(bytes),
            size_bytes: BATCH_HEADER_BYTES,
            base_timestamp_ms: None,
            max_timestamp_ms: -1,
        }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
    /// Bytes the batch would take if built now.
    pub fn size_bytes(&self) -> u32 {
        self.size_bytes
    }
    /// The size a record would add, before adding it (for `batch.size` checks).
    pub fn size_of_next(
        &self,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&[u8], Option<&[u8]>)],
    ) -> u32 {
        let base = self.base_timestamp_ms.unwrap_or(timestamp_ms);
        record_size(
            self.records.len() as u32,
            timestamp_ms.saturating_sub(base),
            key.map(<[u8]>::len),
            value.map(<[u8]>::len),
            headers,
        )
    }

    fn store(&mut self, bytes: Option<&[u8]>) -> Slice {
        // A null slice starts where the arena ends too: a null key's value
        // is found right after it.
        let start = self.arena.len() as u32;
        match bytes {
            None => Slice { start, len: NULL_LEN },
            Some(b) => {
                self.arena.extend_from_slice(b);
                Slice { start, len: b.len() as u32 }
            }
        }
    }

    pub fn push(
        &mut self,
        id: RecordId,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&[u8], Option<&[u8]>)],
    ) {
        let delta = self.records.len() as u32;
        self.push_with_delta(delta, id, timestamp_ms, key, value, headers);
    }

    fn push_with_delta(
        &mut self,
        offset_delta: u32,
        id: RecordId,
        timestamp_ms: i64,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[(&[u8], Option<&[u8]>)],
    ) {
        let base = *self.base_timestamp_ms.get_or_insert(timestamp_ms);
        self.size_bytes += record_size(
            offset_delta,
            timestamp_ms.saturating_sub(base),
            key.map(<[u8]>::len),
            value.map(<[u8]>::len),
            headers,
        );
        // The value right after the key: `RecordMeta::value` finds it there.
        let key = self.store(key);
        let value = self.store(value);
        if !headers.is_empty() {
            let start = self.headers.len() as u32;
            for (hk, hv) in headers {
                let key = self.store(Some(hk));
                let value = self.store(*hv);
                self.headers.push(HeaderMeta { key, value });
            }
            let record = self.records.len() as u32;
            self.header_ranges.push(HeaderRange { record, start, len: headers.len() as u32 });
        }
        self.max_timestamp_ms = self.max_timestamp_ms.max(timestamp_ms);
        self.records.push(RecordMeta {
            timestamp_ms,
            offset_delta,
            key_start: key.start,
            key_len: key.len,
            value_len: value.len,
            producer: id.producer,
            number: u32::try_from(id.number).expect("limits.max_records keeps record numbers below 2^32"),
        });
    }

    pub fn build(self) -> RecordBatch {
        let last_offset_delta = self.records.last().map_or(0, |r| r.offset_delta);
        RecordBatch {
            producer: self.producer,
            records: self.records.into_boxed_slice(),
            headers: self.headers.into_boxed_slice(),
            header_ranges: self.header_ranges.into_boxed_slice(),
            arena: self.arena.into_boxed_slice(),
            last_offset_delta,
            size_bytes: self.size_bytes,
            max_timestamp_ms: self.max_timestamp_ms,
            delete_horizon_ms: None,
            transactional: false,
            control: None,
        }
    }
}

/// A batch as stored in a partition's log: stamped by the leader that appended it.
#[derive(Clone, Debug)]
pub struct LogBatch {
    pub base_offset: i64,
    /// The leader epoch of the leader that appended this batch (KIP-101).
    pub partition_leader_epoch: i32,
    pub batch: Arc<RecordBatch>,
}

impl LogBatch {
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.batch.last_offset_delta())
    }
    /// The offset after this batch: the log end offset if it is the last batch.
    pub fn next_offset(&self) -> i64 {
        self.last_offset() + 1
    }
    /// Records with their absolute offsets.
    pub fn records(&self) -> impl Iterator<Item = (i64, RecordRef<'_>)> + '_ {
        let base = self.base_offset;
        self.batch.records().map(move |r| (base + i64::from(r.offset_delta()), r))
    }
}

/// Length in bytes of an unsigned varint.
fn varint_len(value: u64) -> u32 {
    let bits = 64 - value.leading_zeros().min(63);
    bits.div_ceil(7)
}

/// Length of a zig-zag varint, as Kafka encodes signed record fields.
fn varlong_len(value: i64) -> u32 {
    varint_len(((value << 1) ^ (value >> 63)) as u64)
}

fn nullable_len(len: Option<usize>) -> u32 {
    match len {
        None => varlong_len(-1),
        Some(n) => varlong_len(n as i64) + n as u32,
    }
}

/// Size of one record in message format v2 (`DefaultRecord.sizeInBytes`).
pub fn record_size(
    offset_delta: u32,
    timestamp_delta: i64,
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[(&[u8], Option<&[u8]>)],
) -> u32 {
    let mut body = 1 // attributes
        + varlong_len(timestamp_delta)
        + varlong_len(i64::from(offset_delta))
        + nullable_len(key_len)
        + nullable_len(value_len)
        + varlong_len(headers.len() as i64);
    for (hk, hv) in headers {
        body += nullable_len(Some(hk.len())) + nullable_len(hv.map(<[u8]>::len));
    }
    body + varlong_len(i64::from(body))
}

/// `DefaultRecord.recordSizeUpperBound`: a record's size with the largest
/// varints its deltas could take (`MAX_RECORD_OVERHEAD` = 21); the producer
/// allocates a buffer this big for a record larger than `batch.size`.
pub fn record_size_upper_bound(
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: &[(&[u8], Option<&[u8]>)],
) -> u32 {
    const MAX_RECORD_OVERHEAD: u32 = 21;
    let mut size = nullable_len(key_len) + nullable_len(value_len) + varlong_len(headers.len() as i64);
    for (hk, hv) in headers {
        size += nullable_len(Some(hk.len())) + nullable_len(hv.map(<[u8]>::len));
    }
    MAX_RECORD_OVERHEAD + size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_costs_32_bytes_beyond_its_bytes() {
        assert_eq!(std::mem::size_of::<RecordMeta>(), 32);
    }

    fn id(n: u64) -> RecordId {
        RecordId { producer: ClientIdx(0), number: n }
    }

    #[test]
    fn record_sizes_match_kafkas_v2_format() {
        // DefaultRecordTest: key "a", value "b", no headers, deltas 0 → 1+1+1+2+2+1 = 8 body + 1 length.
        assert_eq!(record_size(0, 0, Some(1), Some(1), &[]), 9);
        // A null key costs one varint byte (-1 zig-zags to 1).
        assert_eq!(record_size(0, 0, None, Some(1), &[]), 8);
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(127), 1);
        assert_eq!(varint_len(128), 2);
    }

    #[test]
    fn builder_keeps_keys_values_and_headers_apart() {
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        b.push(id(0), 10, Some(b"k0"), Some(b"v0"), &[(b"h", Some(b"x"))]);
        b.push(id(1), 12, None, None, &[]);
        let batch = b.build();
        let rs: Vec<_> = batch.records().collect();
        assert_eq!(rs[0].key(), Some(&b"k0"[..]));
        assert_eq!(rs[0].value(), Some(&b"v0"[..]));
        assert_eq!(rs[0].headers().collect::<Vec<_>>(), vec![(&b"h"[..], Some(&b"x"[..]))]);
        assert_eq!(rs[1].key(), None);
        assert!(rs[1].is_tombstone());
        assert_eq!(rs[1].headers().count(), 0);
        assert_eq!(batch.last_offset_delta(), 1);
        assert_eq!(batch.max_timestamp_ms(), 12);
        assert!(batch.size_bytes() > BATCH_HEADER_BYTES);
    }

    #[test]
    fn a_null_key_before_a_value_and_headers_on_a_later_record() {
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        b.push(id(0), 1, Some(b"k0"), Some(b"v0"), &[]);
        b.push(id(1), 2, None, Some(b"v1"), &[(b"a", None), (b"b", Some(b"y"))]);
        b.push(id(2), 3, Some(b""), None, &[]);
        let batch = b.build();
        let rs: Vec<_> = batch.records().collect();
        assert_eq!((rs[1].key(), rs[1].value()), (None, Some(&b"v1"[..])));
        assert_eq!(rs[1].headers().collect::<Vec<_>>(), vec![(&b"a"[..], None), (&b"b"[..], Some(&b"y"[..]))]);
        assert_eq!((rs[2].key(), rs[2].value()), (Some(&b""[..]), None), "an empty key is not a null one");
        assert_eq!(rs[0].headers().count() + rs[2].headers().count(), 0);
        assert_eq!(rs[1].id(), id(1));
        let kept = batch.retain(|r| r.offset_delta() == 1);
        let r = kept.record(0).unwrap();
        assert_eq!((r.value(), r.headers().count(), r.offset_delta()), (Some(&b"v1"[..]), 2, 1));
    }

    #[test]
    fn a_marker_is_one_control_record_of_kafkas_layout() {
        let producer = ProducerStamp { producer_id: 1000, producer_epoch: 3, base_sequence: 7 };
        let marker = RecordBatch::end_txn_marker(producer, ControlRecordType::Commit, 5, 42);
        assert_eq!(
            (marker.len(), marker.control(), marker.is_transactional()),
            (1, Some(ControlRecordType::Commit), true)
        );
        let record = marker.record(0).unwrap();
        assert_eq!(record.key(), Some(&[0, 0, 0, 1][..]), "version 0, type 1 = COMMIT");
        assert_eq!(record.value(), Some(&[0, 0, 0, 0, 0, 5][..]), "version 0, coordinator epoch 5");
        assert_eq!((marker.producer.producer_id, marker.producer.producer_epoch), (1000, 3));
        assert_eq!(marker.producer.base_sequence, -1, "markers carry no sequence");
        let kept = marker.retain(|_| true);
        assert_eq!((kept.control(), kept.is_transactional()), (Some(ControlRecordType::Commit), true));
    }

    #[test]
    fn retain_keeps_original_offsets_and_the_last_offset_delta() {
        let mut b = RecordBatchBuilder::new(ProducerStamp::NONE);
        for n in 0..4 {
            b.push(id(n), 0, Some(b"k"), Some(b"v"), &[]);
        }
        let batch = b.build();
        let kept = batch.retain(|r| r.offset_delta() == 1);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept.record(0).unwrap().offset_delta(), 1);
        assert_eq!(kept.last_offset_delta(), 3);
    }
}

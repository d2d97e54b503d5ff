//! Record batches between the wire and the simulator's log.
//!
//! A real producer's batch is decoded (CRC checked, decompressed) into the
//! simulator's [`RecordBatch`] with the producer id, epoch and base sequence
//! it carries, so the leader's idempotence checks see what Kafka's would. A
//! fetch answer encodes each stored [`LogBatch`] as one v2 batch with its
//! base offset, leader epoch and producer stamp, uncompressed.
//!
//! Compression: batches compressed with none, gzip or snappy are read;
//! lz4 and zstd are refused with `UNSUPPORTED_COMPRESSION_TYPE` (the
//! clients' default, none, and the course's settings never use them).
//! Simplification: the simulator keeps records uncompressed, so fetched
//! batches come back uncompressed whatever the producer sent.
//!
//! Real clients' records count in the delivery checks: the gateway numbers
//! each batch's records (`with_ids`) under a producer of their own, by
//! sequence for an idempotent producer, so a duplicate shows as one.

use bytes::{Bytes, BytesMut};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};

use super::error_code::{CORRUPT_MESSAGE, UNSUPPORTED_COMPRESSION_TYPE};
use crate::cluster::record::{LogBatch, ProducerStamp, RecordBatch, RecordBatchBuilder};
use crate::ids::RecordId;

/// Decodes a Produce request's records for one partition into one batch.
/// Returns Kafka's error code when they cannot be read.
pub fn decode_produce(mut bytes: Bytes) -> Result<RecordBatch, i16> {
    let sets = RecordBatchDecoder::decode_all(&mut bytes).map_err(|e| {
        // The codec names a codec it was built without this way.
        if e.to_string().contains("is not enabled") { UNSUPPORTED_COMPRESSION_TYPE } else { CORRUPT_MESSAGE }
    })?;
    let records: Vec<&Record> = sets.iter().flat_map(|s| s.records.iter()).collect();
    let Some(first) = records.first() else {
        return Err(CORRUPT_MESSAGE);
    };
    let stamp = ProducerStamp {
        producer_id: first.producer_id,
        producer_epoch: first.producer_epoch,
        base_sequence: first.sequence,
    };
    let mut builder = RecordBatchBuilder::new(stamp);
    for record in &records {
        let headers: Vec<(&[u8], Option<&[u8]>)> =
            record.headers.iter().map(|(k, v)| (k.as_bytes(), v.as_deref())).collect();
        // Numbered by the gateway (`with_ids`) once it knows the producer.
        builder.push(RecordId::INTERNAL, record.timestamp, record.key.as_deref(), record.value.as_deref(), &headers);
    }
    let batch = builder.build();
    Ok(if first.transactional { batch.into_transactional() } else { batch })
}

/// The same batch with its records numbered from `first`: a real client's
/// records, counted by the delivery checks like a scenario producer's.
pub fn with_ids(batch: &RecordBatch, first: RecordId) -> RecordBatch {
    let mut builder = RecordBatchBuilder::new(batch.producer);
    for (i, record) in batch.records().enumerate() {
        let id = RecordId { producer: first.producer, number: first.number + i as u64 };
        let headers: Vec<(&[u8], Option<&[u8]>)> = record.headers().collect();
        builder.push(id, record.timestamp_ms(), record.key(), record.value(), &headers);
    }
    let stamped = builder.build();
    if batch.is_transactional() { stamped.into_transactional() } else { stamped }
}

/// Encodes stored batches as a fetch response's records.
pub fn encode_fetched(batches: &[LogBatch]) -> Bytes {
    let mut out = BytesMut::new();
    let options = RecordEncodeOptions { version: 2, compression: Compression::None };
    for stored in batches {
        let stamp = stored.batch.producer;
        let transactional = stored.batch.is_transactional();
        let control = stored.batch.control().is_some();
        let records: Vec<Record> = stored
            .records()
            .map(|(offset, record)| Record {
                transactional,
                control,
                delete_horizon: false,
                partition_leader_epoch: stored.partition_leader_epoch,
                producer_id: stamp.producer_id,
                producer_epoch: stamp.producer_epoch,
                timestamp_type: TimestampType::Creation,
                offset,
                sequence: if stamp.base_sequence < 0 {
                    -1
                } else {
                    stamp.base_sequence.wrapping_add((offset - stored.base_offset) as i32)
                },
                timestamp: record.timestamp_ms(),
                key: record.key().map(Bytes::copy_from_slice),
                value: record.value().map(Bytes::copy_from_slice),
                headers: record
                    .headers()
                    .map(|(k, v)| {
                        (StrBytes::from_string(String::from_utf8_lossy(k).into_owned()), v.map(Bytes::copy_from_slice))
                    })
                    .collect(),
            })
            .collect();
        if records.is_empty() {
            continue;
        }
        // The codec cannot fail on records it built itself with a known version.
        if RecordBatchEncoder::encode(&mut out, &records, &options).is_err() {
            break;
        }
    }
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn wire_batch(compression: Compression, producer_id: i64, sequence: i32) -> Bytes {
        let records: Vec<Record> = (0..3)
            .map(|i| Record {
                transactional: false,
                control: false,
                delete_horizon: false,
                partition_leader_epoch: -1,
                producer_id,
                producer_epoch: 0,
                timestamp_type: TimestampType::Creation,
                offset: i,
                sequence: if producer_id < 0 { -1 } else { sequence + i as i32 },
                timestamp: 1_000 + i,
                key: Some(Bytes::from(format!("key-{i}"))),
                value: Some(Bytes::from(format!("value-{i}"))),
                headers: Default::default(),
            })
            .collect();
        let mut out = BytesMut::new();
        RecordBatchEncoder::encode(&mut out, &records, &RecordEncodeOptions { version: 2, compression }).unwrap();
        out.freeze()
    }

    /// A client's batch, compressed or not, becomes the same simulator batch
    /// with its idempotence stamp; fetched back it carries offsets, epoch and
    /// sequences a client checks.
    #[test]
    fn a_produced_batch_round_trips_through_the_log() {
        for compression in [Compression::None, Compression::Gzip, Compression::Snappy] {
            let batch = decode_produce(wire_batch(compression, 7, 40)).unwrap();
            assert_eq!(batch.len(), 3, "{compression:?}");
            assert_eq!(batch.producer, ProducerStamp { producer_id: 7, producer_epoch: 0, base_sequence: 40 });
            let keys: Vec<_> = batch.records().map(|r| r.key().unwrap().to_vec()).collect();
            assert_eq!(keys, [b"key-0".to_vec(), b"key-1".to_vec(), b"key-2".to_vec()]);
            let stored = LogBatch { base_offset: 100, partition_leader_epoch: 4, batch: Arc::new(batch) };
            let mut bytes = encode_fetched(&[stored]);
            let read = RecordBatchDecoder::decode_all(&mut bytes).unwrap();
            let records = &read[0].records;
            assert_eq!(records.iter().map(|r| r.offset).collect::<Vec<_>>(), [100, 101, 102]);
            assert_eq!(records.iter().map(|r| r.sequence).collect::<Vec<_>>(), [40, 41, 42]);
            assert!(records.iter().all(|r| r.partition_leader_epoch == 4 && r.producer_id == 7));
            assert_eq!(records[2].value.as_deref(), Some(&b"value-2"[..]));
            assert_eq!(records[1].timestamp, 1_001);
        }
    }

    #[test]
    fn garbage_and_unknown_codecs_get_kafkas_errors() {
        assert_eq!(
            decode_produce(Bytes::from_static(b"not a record batch at all, not at all")).unwrap_err(),
            CORRUPT_MESSAGE
        );
        let mut corrupt = wire_batch(Compression::None, -1, -1).to_vec();
        let last = corrupt.len() - 1;
        corrupt[last] ^= 0xff;
        assert_eq!(decode_produce(Bytes::from(corrupt)).unwrap_err(), CORRUPT_MESSAGE, "a bad CRC");
    }
}

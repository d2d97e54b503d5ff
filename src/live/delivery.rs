//! Real clients' records in the delivery checks: each produced batch is
//! numbered under a producer of its own before it reaches the leader, and
//! counted as acknowledged when the leader's answer goes back to the client
//! (at once with acks=0, as a producer counts it). The simulator's checks
//! (lost, duplicated, reordered) then judge them as they judge a scenario
//! producer's records.

use std::sync::Arc;

use super::records::with_ids;
use crate::cluster::record::RecordBatch;
use crate::ids::TopicPartition;
use crate::protocol::{Message, ProduceResponse};
use crate::world::{LiveProducer, World};

/// A batch on its way to a leader: where it goes, numbered.
pub type Sent = Vec<(TopicPartition, Arc<RecordBatch>)>;

/// Numbers the records of a Produce request from `connection`; returns the
/// batches sent. Other requests pass unchanged.
pub fn number_records(world: &mut World, connection: u32, message: &mut Message) -> Sent {
    let Message::ProduceRequest(request) = message else { return Vec::new() };
    for (tp, batch) in &mut request.partitions {
        let stamp = batch.producer;
        let producer = if stamp.producer_id >= 0 && stamp.base_sequence >= 0 {
            LiveProducer::Idempotent { producer_id: stamp.producer_id, tp: *tp }
        } else {
            LiveProducer::Connection(connection)
        };
        let first = world.live_record_id(producer, stamp.base_sequence, batch.len() as u64);
        *batch = Arc::new(with_ids(batch, first));
    }
    request.partitions.clone()
}

/// The batches of `sent` the leader wrote, with their base offsets.
pub fn acknowledged(sent: &Sent, response: &ProduceResponse) -> Vec<(TopicPartition, i64, Arc<RecordBatch>)> {
    response
        .partitions
        .iter()
        .filter(|p| p.error.is_ok())
        .filter_map(|p| sent.iter().find(|(tp, _)| *tp == p.tp).map(|(tp, batch)| (*tp, p.base_offset, batch.clone())))
        .collect()
}

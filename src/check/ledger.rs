//! The delivery ledger: what happened to every record a scenario producer
//! sent — acknowledged at which offset, failed, read by whom and how often —
//! learned only from the trace, like a Jepsen client history.

use crate::ids::{BrokerId, ClientIdx, RecordId, TopicId, TopicPartition};
use crate::protocol::ErrorCode;
use crate::trace::TraceEvent;

/// Who read a record: a consumer group, or a consumer without a group.
pub type ReaderId = u32;

/// What happened to one record. A run keeps one per record sent, so it packs
/// into 32 bytes: the common facts inline (with sentinels where a value may be
/// missing), the rare ones (failure, retries, truncation, crashed readers, a
/// second group) behind one pointer.
#[derive(Clone, Debug)]
pub struct Fate {
    /// The partition it was sent to; `topic == NOT_SENT` until then.
    tp: TopicPartition,
    /// The offset the producer was told (-1 with acks=0), or `NOT_ACKNOWLEDGED`.
    acknowledged_offset: i64,
    /// The first reader and how often it got the record; `NO_READER` until read.
    first_reader: (ReaderId, u32),
    rare: Option<Box<RareFate>>,
}

const NOT_SENT: TopicId = TopicId(u32::MAX);
const NOT_ACKNOWLEDGED: i64 = i64::MIN;
const NO_READER: ReaderId = ReaderId::MAX;

impl Default for Fate {
    fn default() -> Self {
        Fate {
            tp: TopicPartition { topic: NOT_SENT, partition: 0 },
            acknowledged_offset: NOT_ACKNOWLEDGED,
            first_reader: (NO_READER, 0),
            rare: None,
        }
    }
}

/// The parts of a record's fate most records never have.
#[derive(Clone, Debug, Default)]
struct RareFate {
    /// The error after which its producer last retried it.
    retried_after: Option<ErrorCode>,
    /// A replica that truncated the record away, and the epoch it was written in.
    truncated: Option<(BrokerId, i32)>,
    /// Per reader, reads whose consumer crashed before processing the record.
    abandoned: Vec<(ReaderId, u32)>,
    /// Readers after the first, with how often each got the record.
    other_readers: Vec<(ReaderId, u32)>,
    /// Its producer gave up on it (`delivery.timeout.ms`, a fatal error).
    failed: bool,
}

impl Fate {
    fn rare_mut(&mut self) -> &mut RareFate {
        self.rare.get_or_insert_with(Box::default)
    }

    /// The partition it was sent to.
    pub fn tp(&self) -> Option<TopicPartition> {
        (self.tp.topic != NOT_SENT).then_some(self.tp)
    }

    /// The offset the producer was told (-1 with acks=0), if acknowledged.
    pub fn acknowledged_offset(&self) -> Option<i64> {
        (self.acknowledged_offset != NOT_ACKNOWLEDGED).then_some(self.acknowledged_offset)
    }

    /// Its producer gave up on it.
    pub fn failed(&self) -> bool {
        self.rare.as_ref().is_some_and(|r| r.failed)
    }

    /// The error after which its producer last retried it.
    pub fn retried_after(&self) -> Option<ErrorCode> {
        self.rare.as_ref().and_then(|r| r.retried_after)
    }

    /// A replica that truncated the record away, and the epoch it was written in.
    pub fn truncated(&self) -> Option<(BrokerId, i32)> {
        self.rare.as_ref().and_then(|r| r.truncated)
    }

    /// Counts one more read by `reader`; returns how often it has read it now.
    fn add_reader(&mut self, reader: ReaderId) -> u32 {
        let count = match &mut self.first_reader {
            first if first.0 == NO_READER => {
                *first = (reader, 0);
                first
            }
            first if first.0 == reader => first,
            _ => {
                let others = &mut self.rare.get_or_insert_with(Box::default).other_readers;
                match others.iter().position(|(r, _)| *r == reader) {
                    Some(i) => &mut others[i],
                    None => {
                        others.push((reader, 0));
                        others.last_mut().expect("just pushed")
                    }
                }
            }
        };
        count.1 += 1;
        count.1
    }

    /// Every reader with its read count.
    pub fn readers(&self) -> impl Iterator<Item = (ReaderId, u32)> + '_ {
        let others = self.rare.as_deref().map_or(&[][..], |r| &r.other_readers[..]);
        let first = (self.first_reader.0 != NO_READER).then_some(self.first_reader);
        first.into_iter().chain(others.iter().copied())
    }

    pub fn was_delivered(&self) -> bool {
        self.first_reader.0 != NO_READER
    }

    /// Some group (or consumer) read the record, but each of its consumers
    /// that got it crashed before processing it.
    pub fn was_never_processed(&self) -> bool {
        let Some(rare) = self.rare.as_deref() else { return false };
        self.readers()
            .any(|(reader, reads)| rare.abandoned.iter().any(|&(r, abandoned)| r == reader && abandoned >= reads))
    }

    /// Whether some reader got the record more than once.
    pub fn was_redelivered(&self) -> bool {
        self.readers().any(|(_, n)| n > 1)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// Per producer, per record number.
    fates: Vec<Vec<Fate>>,
    /// Per consumer, the reader it counts as (its group, or itself).
    reader_of_consumer: Vec<ReaderId>,
    /// Per consumer, records it received that its reader had received before.
    redelivered_to: Vec<u64>,
    /// Unclean leader elections seen: partition and the new leader epoch.
    pub unclean_elections: Vec<(TopicPartition, i32)>,
    /// Transactions the applications ended, in order.
    pub transactions: Vec<super::atomicity::EndedTransaction>,
}

impl Ledger {
    /// A ledger for producers that plan to send `planned` records each (room
    /// is made for them at once: growing by doubling would briefly hold both
    /// the old and the new list, half again the memory at the peak).
    pub fn new(planned: &[u64], reader_of_consumer: Vec<ReaderId>) -> Self {
        let redelivered_to = vec![0; reader_of_consumer.len()];
        let fates = planned.iter().map(|&n| Vec::with_capacity(usize::try_from(n).unwrap_or(0))).collect();
        Ledger { fates, reader_of_consumer, redelivered_to, unclean_elections: Vec::new(), transactions: Vec::new() }
    }

    /// How many of the records a consumer received its group (or it) had
    /// already received: the redeliveries it saw.
    pub fn redelivered_to(&self, consumer: ClientIdx) -> u64 {
        self.redelivered_to.get(consumer.0 as usize).copied().unwrap_or(0)
    }

    pub fn fate(&self, id: RecordId) -> Option<&Fate> {
        self.fates.get(id.producer.0 as usize)?.get(id.number as usize)
    }

    fn fate_mut(&mut self, id: RecordId) -> Option<&mut Fate> {
        let list = self.fates.get_mut(id.producer.0 as usize)?;
        let index = id.number as usize;
        if list.len() <= index {
            list.resize_with(index + 1, Fate::default);
        }
        list.get_mut(index)
    }

    /// Every record of every producer, with its id.
    pub fn records(&self) -> impl Iterator<Item = (RecordId, &Fate)> + '_ {
        self.fates.iter().enumerate().flat_map(|(p, list)| {
            list.iter()
                .enumerate()
                .map(move |(n, fate)| (RecordId { producer: ClientIdx(p as u32), number: n as u64 }, fate))
        })
    }

    /// A producer that joins while running (a real client in live mode);
    /// its records are numbered under the next producer index.
    pub fn add_producer(&mut self) {
        self.fates.push(Vec::new());
    }

    /// A consumer added while running reads as `like` does (same group).
    pub fn add_consumer_like(&mut self, like: ClientIdx) {
        let reader = self.reader_of(like);
        self.reader_of_consumer.push(reader);
        self.redelivered_to.push(0);
    }

    fn reader_of(&self, consumer: ClientIdx) -> ReaderId {
        self.reader_of_consumer.get(consumer.0 as usize).copied().unwrap_or(consumer.0)
    }

    pub fn observe(&mut self, event: &TraceEvent) {
        match event {
            TraceEvent::Send { id, tp, .. } => {
                if let Some(f) = self.fate_mut(*id) {
                    f.tp = *tp;
                }
            }
            TraceEvent::Acknowledged { base_offset, batch, tp, .. } => {
                for r in batch.records() {
                    let offset = if *base_offset < 0 { -1 } else { base_offset + i64::from(r.offset_delta()) };
                    if let Some(f) = self.fate_mut(r.id()) {
                        // A real client's record is first heard of here (a
                        // scenario producer's at its Send, to the same partition).
                        if f.tp().is_none() {
                            f.tp = *tp;
                        }
                        f.acknowledged_offset = offset;
                    }
                }
            }
            TraceEvent::Truncated { broker, records, .. } => {
                for r in records {
                    if let Some(f) = self.fate_mut(r.id) {
                        f.rare_mut().truncated.get_or_insert((*broker, r.leader_epoch));
                    }
                }
            }
            TraceEvent::TransactionEnded { producer, outcome, ids, .. } => {
                self.transactions.push(super::atomicity::EndedTransaction {
                    producer: *producer,
                    outcome,
                    ids: ids.clone(),
                });
            }
            TraceEvent::LeaderChange { tp, leader_epoch, unclean: true, .. } => {
                self.unclean_elections.push((*tp, *leader_epoch));
            }
            TraceEvent::ProduceFailed { ids, error, retry: true, .. } => {
                for id in ids {
                    if let Some(f) = self.fate_mut(*id) {
                        f.rare_mut().retried_after = Some(*error);
                    }
                }
            }
            // send() threw in the serializer: the record never left the application.
            TraceEvent::Registry(crate::trace::registry::RegistryEvent::SerializationFailed { id, .. }) => {
                if let Some(f) = self.fate_mut(*id) {
                    f.rare_mut().failed = true;
                }
            }
            TraceEvent::DeliveryFailed { ids, .. } => {
                for id in ids {
                    if let Some(f) = self.fate_mut(*id) {
                        f.rare_mut().failed = true;
                    }
                }
            }
            TraceEvent::Abandoned { consumer, ids, .. } => {
                let reader = self.reader_of(*consumer);
                for id in ids {
                    if let Some(f) = self.fate_mut(*id) {
                        let abandoned = &mut f.rare_mut().abandoned;
                        match abandoned.iter_mut().find(|(r, _)| *r == reader) {
                            Some((_, n)) => *n += 1,
                            None => abandoned.push((reader, 1)),
                        }
                    }
                }
            }
            TraceEvent::Consumed { consumer, batch, from_offset, to_offset, .. } => {
                let reader = self.reader_of(*consumer);
                for (offset, r) in batch.records() {
                    if offset >= *from_offset
                        && offset < *to_offset
                        && r.id() != RecordId::INTERNAL
                        && let Some(f) = self.fate_mut(r.id())
                        && f.add_reader(reader) > 1
                        && let Some(count) = self.redelivered_to.get_mut(consumer.0 as usize)
                    {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fate_packs_into_32_bytes() {
        // One per record sent: a million-record run keeps a million of them.
        assert_eq!(std::mem::size_of::<Fate>(), 32);
    }

    #[test]
    fn a_fate_starts_empty_and_records_what_happens() {
        let mut fate = Fate::default();
        assert_eq!((fate.tp(), fate.acknowledged_offset(), fate.failed()), (None, None, false));
        assert!(!fate.was_delivered() && fate.readers().next().is_none());
        fate.tp = TopicPartition { topic: TopicId(0), partition: 2 };
        fate.acknowledged_offset = -1;
        assert_eq!(fate.acknowledged_offset(), Some(-1), "acks=0 acknowledges with offset -1");
        assert_eq!(fate.add_reader(7), 1);
        assert_eq!(fate.add_reader(3), 1, "a second group");
        assert_eq!(fate.add_reader(7), 2);
        assert_eq!(fate.readers().collect::<Vec<_>>(), vec![(7, 2), (3, 1)]);
        assert!(fate.was_redelivered());
        fate.rare_mut().failed = true;
        assert!(fate.failed());
    }
}

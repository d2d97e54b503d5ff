//! The event queue: a binary heap ordered by `(time, insertion sequence)`.
//!
//! The sequence number makes the order total and independent of memory layout:
//! two events scheduled for the same microsecond are handled in the order they
//! were scheduled, on every run and every machine.
//!
//! The heap holds only keys of 16 bytes, the time and the sequence number
//! with the event's slot packed under it; the events sit in a slab of slots
//! reused as events are popped. A pop moves small keys down the heap instead
//! of whole events, which in a real run carry a message or a timer and are
//! more than three times as large.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// Bits of a key's second word that hold the slot; the sequence number sits
/// above them, so comparing the word compares sequence numbers.
const SLOT_BITS: u32 = 24;
const MAX_SLOTS: usize = 1 << SLOT_BITS;
/// Sequence numbers have 40 bits: far more than the ceiling on the events a
/// run may handle (`limits.max_events`).
const MAX_SEQ: u64 = 1 << (64 - SLOT_BITS);

/// A min-queue of events keyed by virtual time with FIFO tie-breaking.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    /// `(time, sequence << SLOT_BITS | slot)`, earliest first (`Reverse`,
    /// as `BinaryHeap` is a max-heap).
    heap: BinaryHeap<Reverse<(SimTime, u64)>>,
    /// The events, by slot; `None` for a free slot.
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
            free: Vec::new(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        assert!(seq < MAX_SEQ, "more events scheduled than limits.max_events allows");
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                // A run's pending events (messages in flight, timers) number
                // in the thousands; sixteen million would be a runaway.
                assert!(self.slots.len() < MAX_SLOTS, "more than {MAX_SLOTS} events pending at once");
                self.slots.push(Some(event));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((time, seq << SLOT_BITS | u64::from(slot))));
        seq
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse((time, seq_and_slot)) = self.heap.pop()?;
        let slot = (seq_and_slot & (MAX_SLOTS as u64 - 1)) as u32;
        self.free.push(slot);
        let event = self.slots[slot as usize].take().expect("a queued key points at its event");
        Some((time, event))
    }

    /// The time of the earliest event, without removing it.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse((time, _))| *time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Whether any event is scheduled at exactly `time` (a scan: for rare
    /// callers, not the hot loop).
    pub fn has_event_at(&self, time: SimTime) -> bool {
        self.heap.iter().any(|Reverse((t, _))| *t == time)
    }

    /// How many events were ever scheduled.
    pub fn scheduled_total(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_breaks_ties_by_insertion() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_micros(5), "late");
        q.push(SimTime::from_micros(1), "first");
        q.push(SimTime::from_micros(3), "tie-a");
        q.push(SimTime::from_micros(3), "tie-b");
        q.push(SimTime::from_micros(3), "tie-c");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "tie-a", "tie-b", "tie-c", "late"]);
    }

    #[test]
    fn a_reused_slot_does_not_jump_the_queue() {
        let mut q = EventQueue::new();
        let t = SimTime::from_micros(1);
        for e in ["a", "b", "c"] {
            q.push(t, e);
        }
        assert_eq!(q.pop(), Some((t, "a")));
        q.push(t, "d"); // takes slot 0, freed by "a": order is still by scheduling
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["b", "c", "d"]);
        assert!(q.is_empty());
    }
}

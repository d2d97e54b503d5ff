//! The producer's side of the Avro serializer: `send()` goes through it when
//! the producer writes Avro, and waits while it calls the registry.

use super::{Producer, ProducerTimer};
use crate::actor::{Ctx, Timer};
use crate::client::serde::SerdeTimer;
use crate::client::serde::serializer::Serialized;
use crate::client::workload::Outgoing;
use crate::ids::RecordId;
use crate::protocol::Message;
use crate::trace::TraceEvent;
use crate::trace::registry::RegistryEvent;

impl Producer {
    /// The application's `send()`: through the serializer when there is one.
    /// Returns whether the sender must wake.
    pub(super) fn send_from_application(&mut self, ctx: &mut Ctx<'_>, record: Outgoing) -> bool {
        match self.serializer.as_mut() {
            None => self.send(ctx, record),
            Some(serializer) => {
                serializer.push(record);
                self.drain_serializer(ctx)
            }
        }
    }

    /// Sends every record the serializer can finish now, in order.
    fn drain_serializer(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let mut wake = false;
        loop {
            let number = self.sent;
            let Some(serializer) = self.serializer.as_mut() else { break };
            let step = serializer.next(ctx, number);
            if let Some((delay, timer)) = serializer.client.take_timer() {
                ctx.set_timer(delay, Timer::Producer(ProducerTimer::Serde(timer)));
            }
            match step {
                None => break,
                Some(Serialized::Ready(record)) => wake |= self.send(ctx, record),
                Some(Serialized::Failed(error)) => {
                    // send() threw: the application catches it and goes on with the next record.
                    let id = RecordId { producer: self.idx, number: self.sent };
                    self.sent += 1;
                    self.failed += 1;
                    ctx.trace(TraceEvent::Registry(RegistryEvent::SerializationFailed {
                        producer: self.idx,
                        id,
                        error,
                    }));
                }
            }
        }
        wake
    }

    /// An answer (or a failed connection) from the Schema Registry.
    pub(super) fn on_registry_message(&mut self, ctx: &mut Ctx<'_>, message: Message) {
        let done = self.serializer.as_mut().is_some_and(|s| s.on_message(ctx, message));
        self.after_registry_step(ctx, done);
    }

    pub(super) fn on_serde_timer(&mut self, ctx: &mut Ctx<'_>, timer: SerdeTimer) {
        let done = self.serializer.as_mut().is_some_and(|s| s.on_timer(ctx, timer));
        self.after_registry_step(ctx, done);
    }

    fn after_registry_step(&mut self, ctx: &mut Ctx<'_>, done: bool) {
        if let Some((delay, timer)) = self.serializer.as_mut().and_then(|s| s.client.take_timer()) {
            ctx.set_timer(delay, Timer::Producer(ProducerTimer::Serde(timer)));
        }
        if done && self.drain_serializer(ctx) {
            self.run_sender(ctx);
        }
    }

    /// Records whose `send()` waits in the serializer.
    pub fn records_in_serializer(&self) -> usize {
        self.serializer.as_ref().map_or(0, |s| s.waiting_records())
    }
}

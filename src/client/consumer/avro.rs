//! The consumer's side of the Avro deserializer: `poll()` deserializes each
//! record it returns, waits while the deserializer calls the registry, and
//! throws `RecordDeserializationException` at a record it cannot read —
//! after which the application does what the scenario says (stop, seek past
//! it, or poll again a second later).

use super::{Consumer, ConsumerPhase, ConsumerTimer, Position};
use crate::actor::{Ctx, Timer};
use crate::client::serde::deserializer::Deserialized;
use crate::client::serde::{DeserializationErrorPolicy, SerdeTimer};
use crate::cluster::record::LogBatch;
use crate::engine::SimDuration;
use crate::ids::TopicPartition;
use crate::protocol::Message;
use crate::trace::TraceEvent;
use crate::trace::registry::RegistryEvent;

/// How long an application that retries waits before polling again.
const RETRY_PAUSE_MS: u64 = 1_000;

/// How far `poll()` may go in a batch.
pub(super) enum Gate {
    /// Records below this offset (`i64::MAX`: all) are readable.
    Open(i64),
    /// `poll()` waits for the registry (or the application pauses): return.
    Stop,
    /// The position moved past a record: look at the buffer again.
    Moved,
    /// The application stopped on the exception.
    Stopped,
}

impl Consumer {
    /// Deserializes up to `budget` records of `batch` from `from`; says how
    /// far `poll()` may hand records to the application.
    pub(super) fn avro_gate(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        batch: &LogBatch,
        from: i64,
        budget: usize,
    ) -> Gate {
        let Some(deserializer) = self.deserializer.as_mut() else { return Gate::Open(i64::MAX) };
        if self.avro_retry_at.is_some_and(|at| ctx.now < at) {
            return Gate::Stop;
        }
        self.avro_retry_at = None;
        let topic = self.topic_names.get(&tp.topic).cloned().unwrap_or_default();
        let mut decoded = Vec::new();
        let mut outcome = None;
        for (offset, record) in batch.records().filter(|(o, _)| *o >= from).take(budget) {
            match deserializer.record(ctx, &topic, tp, offset, record.key(), record.value()) {
                Deserialized::Ok(value) => decoded.push((offset, value)),
                Deserialized::Blocked => {
                    outcome = Some((offset, None));
                    break;
                }
                Deserialized::Failed(error) => {
                    outcome = Some((offset, Some(error)));
                    break;
                }
            }
        }
        if let Some((delay, timer)) = deserializer.client.take_timer() {
            ctx.set_timer(delay, Timer::Consumer(ConsumerTimer::Serde(timer)));
        }
        for (offset, value) in decoded {
            if let Some((schema_id, value)) = value {
                let first = deserializer.first_use(schema_id);
                ctx.trace(TraceEvent::Registry(RegistryEvent::Deserialized {
                    consumer: self.idx,
                    tp,
                    offset,
                    schema_id,
                    value,
                    first,
                }));
            }
        }
        match outcome {
            None => Gate::Open(i64::MAX),
            // Hand over what came before; the next poll() meets this record.
            Some((offset, _)) if offset > from => Gate::Open(offset),
            Some((_, None)) => Gate::Stop,
            Some((offset, Some(error))) => self.deserialization_failed(ctx, tp, offset, error),
        }
    }

    fn deserialization_failed(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, offset: i64, error: String) -> Gate {
        let policy = self.deserializer.as_ref().map_or(DeserializationErrorPolicy::Fail, |d| d.def.on_error);
        if let Some(d) = self.deserializer.as_mut() {
            d.failures += 1;
        }
        let then = match policy {
            DeserializationErrorPolicy::Fail => "the application does not catch it and stops".to_string(),
            DeserializationErrorPolicy::Skip => format!("the application seeks past it, to @{}", offset + 1),
            DeserializationErrorPolicy::Retry => "the application catches it and polls again in 1s".to_string(),
        };
        ctx.trace(TraceEvent::Registry(RegistryEvent::DeserializationFailed {
            consumer: self.idx,
            tp,
            offset,
            error: format!("SerializationException: {error}"),
            then,
        }));
        match policy {
            DeserializationErrorPolicy::Fail => {
                ctx.trace(TraceEvent::ClientFailed {
                    consumer: self.idx,
                    exception: "RecordDeserializationException".to_string(),
                    reason: format!("poll() threw at {} offset {offset}", self.topic_partition_name(tp)),
                });
                self.phase = ConsumerPhase::Failed;
                self.reset_volatile_state();
                Gate::Stopped
            }
            DeserializationErrorPolicy::Skip => {
                self.set_position(tp, Position::At(offset + 1));
                Gate::Moved
            }
            DeserializationErrorPolicy::Retry => {
                let at = ctx.now + SimDuration::from_millis(RETRY_PAUSE_MS);
                self.avro_retry_at = Some(at);
                self.wake_at(ctx, at);
                Gate::Stop
            }
        }
    }

    fn topic_partition_name(&self, tp: TopicPartition) -> String {
        format!("{}-{}", self.topic_names.get(&tp.topic).map_or("?", String::as_str), tp.partition)
    }

    /// `poll()` is held up by the deserializer (a registry call, a pause).
    pub(super) fn avro_waiting(&self, now: crate::engine::SimTime) -> bool {
        self.deserializer.as_ref().is_some_and(|d| d.is_blocked()) || self.avro_retry_at.is_some_and(|at| now < at)
    }

    /// An answer (or a failed connection) from the Schema Registry.
    pub(super) fn on_registry_message(&mut self, ctx: &mut Ctx<'_>, message: Message) {
        if let Some(d) = self.deserializer.as_mut() {
            d.on_message(ctx, message);
            if let Some((delay, timer)) = d.client.take_timer() {
                ctx.set_timer(delay, Timer::Consumer(ConsumerTimer::Serde(timer)));
            }
        }
    }

    pub(super) fn on_serde_timer(&mut self, ctx: &mut Ctx<'_>, timer: SerdeTimer) {
        if let Some(d) = self.deserializer.as_mut() {
            d.on_timer(ctx, timer);
            if let Some((delay, timer)) = d.client.take_timer() {
                ctx.set_timer(delay, Timer::Consumer(ConsumerTimer::Serde(timer)));
            }
        }
    }
}

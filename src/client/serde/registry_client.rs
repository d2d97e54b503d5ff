//! The serializers' view of the Schema Registry: Confluent's
//! `CachedSchemaRegistryClient` over `RestService`.
//!
//! - Caches without expiry, per client process: the ID of each schema it
//!   registered or looked up per subject, and the schema of each ID it
//!   fetched. A call is made only for what is not cached, so a running client
//!   keeps working while the registry is down, until it meets something new.
//! - One call at a time: the serializer runs on the application's thread,
//!   which waits for the answer.
//! - A call that cannot connect (the registry is down) or gets no answer
//!   within `http.read.timeout.ms` is retried (`RetryExecutor`): up to
//!   `max.retries` = 3 more times, waiting a random time up to
//!   `retries.wait.ms` = 1 s, doubling up to `retries.max.wait.ms` = 20 s
//!   ("full jitter"). An error the registry answers is not retried.
//!
//! Simplification: the retry and timeout settings keep Confluent's defaults
//! and cannot be set by a scenario; the latest-version cache does not expire.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::RngExt;

use crate::actor::Ctx;
use crate::avro::AvroSchema;
use crate::engine::{SimDuration, SimRng};
use crate::ids::NodeId;
use crate::protocol::registry::{RegistryAnswer, RegistryMessage, RegistryRequest, RestError};
use crate::protocol::{CorrelationId, Message};
use crate::trace::TraceEvent;
use crate::trace::registry::RegistryEvent;

/// `max.retries`.
pub const MAX_RETRIES: u32 = 3;
/// `retries.wait.ms`.
pub const RETRIES_WAIT_MS: u64 = 1_000;
/// `retries.max.wait.ms`.
pub const RETRIES_MAX_WAIT_MS: u64 = 20_000;
/// `http.read.timeout.ms`: how long a call may go unanswered.
pub const HTTP_READ_TIMEOUT_MS: u64 = 60_000;

/// Timers a client sets for its registry calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SerdeTimer {
    /// Wait over: send the call again.
    Retry(CorrelationId),
    /// The call got no answer within `http.read.timeout.ms`.
    Timeout(CorrelationId),
}

#[derive(Clone, Debug)]
struct Call {
    correlation_id: CorrelationId,
    request: RegistryRequest,
    /// Attempts made so far (1 after the first send).
    attempts: u32,
    /// Waiting to be sent again.
    waiting: bool,
}

/// How a finished call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    Answer(RegistryAnswer),
    /// The registry answered with an error.
    Refused(RestError),
    /// No answer after every retry (Java's `IOException`).
    Unreachable(String),
}

#[derive(Clone, Debug)]
pub struct RegistryClient {
    /// Per subject and schema text: its ID (`schemaToIdCache`).
    ids: BTreeMap<(String, Arc<str>), u32>,
    /// Per ID: the schema (`idToSchemaCache`).
    schemas: BTreeMap<u32, AvroSchema>,
    /// Per subject: the latest version's ID and schema (`latestVersionCache`).
    latest: BTreeMap<String, (u32, AvroSchema)>,
    call: Option<Call>,
    next_correlation_id: CorrelationId,
    rng: SimRng,
    me: NodeId,
    /// Calls made (each maybe with retries): what the caches did not know.
    pub calls: u64,
    /// A timer the owner must set: `(delay, timer)`.
    timer: Option<(SimDuration, SerdeTimer)>,
}

impl RegistryClient {
    pub fn new(me: NodeId, rng: SimRng) -> Self {
        RegistryClient {
            ids: BTreeMap::new(),
            schemas: BTreeMap::new(),
            latest: BTreeMap::new(),
            call: None,
            next_correlation_id: 0,
            rng,
            me,
            calls: 0,
            timer: None,
        }
    }

    /// A new process: every cache is empty.
    pub fn reset(&mut self) {
        self.ids.clear();
        self.schemas.clear();
        self.latest.clear();
        self.call = None;
        self.timer = None;
    }

    /// The timer the last step asked for, to set with the owner's timer type.
    pub fn take_timer(&mut self) -> Option<(SimDuration, SerdeTimer)> {
        self.timer.take()
    }

    pub fn is_calling(&self) -> bool {
        self.call.is_some()
    }

    pub fn cached_id(&self, subject: &str, schema: &AvroSchema) -> Option<u32> {
        self.ids.get(&(subject.to_string(), Arc::from(schema.canonical()))).copied()
    }

    pub fn cached_schema(&self, id: u32) -> Option<&AvroSchema> {
        self.schemas.get(&id)
    }

    pub fn cached_latest(&self, subject: &str) -> Option<&(u32, AvroSchema)> {
        self.latest.get(subject)
    }

    /// Remembers what a successful call taught (the caller knows what it asked).
    pub fn learn_id(&mut self, subject: &str, schema: &AvroSchema, id: u32) {
        self.ids.insert((subject.to_string(), Arc::from(schema.canonical())), id);
        self.schemas.entry(id).or_insert_with(|| schema.clone());
    }

    pub fn learn_schema(&mut self, id: u32, schema: AvroSchema) {
        self.schemas.insert(id, schema);
    }

    pub fn learn_latest(&mut self, subject: &str, id: u32, schema: AvroSchema) {
        self.schemas.entry(id).or_insert_with(|| schema.clone());
        self.latest.insert(subject.to_string(), (id, schema));
    }

    /// Starts a call; the application waits for it.
    pub fn call(&mut self, ctx: &mut Ctx<'_>, request: RegistryRequest) {
        self.next_correlation_id += 1;
        self.calls += 1;
        self.call = Some(Call { correlation_id: self.next_correlation_id, request, attempts: 0, waiting: false });
        self.send(ctx);
    }

    fn send(&mut self, ctx: &mut Ctx<'_>) {
        let Some(call) = self.call.as_mut() else { return };
        call.attempts += 1;
        call.waiting = false;
        ctx.trace(TraceEvent::Registry(RegistryEvent::Call {
            client: self.me,
            endpoint: call.request.endpoint(),
            attempt: call.attempts,
        }));
        let message = RegistryMessage::Request { correlation_id: call.correlation_id, request: call.request.clone() };
        ctx.send(NodeId::SchemaRegistry, Message::Registry(message));
        self.timer = Some((SimDuration::from_millis(HTTP_READ_TIMEOUT_MS), SerdeTimer::Timeout(call.correlation_id)));
    }

    /// A message from the registry: the answer to the call, or a failed
    /// connection. Returns the result once the call is over.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, message: Message) -> Option<(RegistryRequest, CallResult)> {
        let current = self.call.as_ref().map(|c| c.correlation_id)?;
        match message {
            Message::Registry(RegistryMessage::Response { correlation_id, result }) if correlation_id == current => {
                let call = self.call.take()?;
                Some((
                    call.request,
                    match result {
                        Ok(answer) => CallResult::Answer(answer),
                        Err(error) => CallResult::Refused(error),
                    },
                ))
            }
            Message::Disconnected { correlation_id: Some(c), .. } if c == current => {
                self.failed(ctx, "java.net.ConnectException: Connection refused")
            }
            Message::ConnectionReset => self.failed(ctx, "java.net.SocketException: Connection reset"),
            _ => None,
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: SerdeTimer) -> Option<(RegistryRequest, CallResult)> {
        let call = self.call.as_ref()?;
        match timer {
            SerdeTimer::Retry(c) if c == call.correlation_id && call.waiting => {
                self.send(ctx);
                None
            }
            SerdeTimer::Timeout(c) if c == call.correlation_id && !call.waiting => {
                self.failed(ctx, "java.net.SocketTimeoutException: Read timed out")
            }
            _ => None,
        }
    }

    /// An attempt failed without an answer: retry after a full-jitter wait, or give up.
    fn failed(&mut self, ctx: &mut Ctx<'_>, reason: &str) -> Option<(RegistryRequest, CallResult)> {
        let call = self.call.as_mut()?;
        if call.waiting {
            return None;
        }
        let endpoint = call.request.endpoint();
        if call.attempts > MAX_RETRIES {
            ctx.trace(TraceEvent::Registry(RegistryEvent::CallFailed {
                client: self.me,
                endpoint,
                reason: reason.to_string(),
                retry_in_ms: None,
            }));
            let call = self.call.take()?;
            return Some((call.request, CallResult::Unreachable(reason.to_string())));
        }
        // RetryExecutor.computeDelayBeforeNextRetry: uniform in [1, min(wait * 2^i, max)].
        let ceiling = (RETRIES_WAIT_MS << (call.attempts - 1).min(16)).min(RETRIES_MAX_WAIT_MS);
        let delay_ms = self.rng.random_range(1..=ceiling);
        call.waiting = true;
        ctx.trace(TraceEvent::Registry(RegistryEvent::CallFailed {
            client: self.me,
            endpoint,
            reason: reason.to_string(),
            retry_in_ms: Some(delay_ms),
        }));
        self.timer = Some((SimDuration::from_millis(delay_ms), SerdeTimer::Retry(call.correlation_id)));
        None
    }

    /// The call the application waits for (for display).
    pub fn pending_endpoint(&self) -> Option<String> {
        self.call.as_ref().map(|c| c.request.endpoint())
    }
}

/// Java's words for a failed call, as the serializers wrap them.
pub fn describe(result: &CallResult) -> String {
    match result {
        CallResult::Answer(_) => "ok".to_string(),
        CallResult::Refused(e) => format!("{}; error code: {}", e.message, e.error_code),
        CallResult::Unreachable(reason) => reason.clone(),
    }
}

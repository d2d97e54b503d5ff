//! A stable fingerprint of a whole trace: SHA-256 over its JSON lines (a
//! compact form for network messages). Two runs
//! with the same digest emitted the same events with the same contents in the
//! same order.

use sha2::{Digest, Sha256};

use super::event::{Level, TraceEvent, TracedEvent};
use super::json;
use super::sink::TraceSink;
use crate::ids::Names;

#[derive(Default)]
pub struct DigestSink {
    hasher: Sha256,
    pub events: u64,
}

impl DigestSink {
    /// The digest so far, as 16 hex digits (64 bits are plenty to tell runs apart).
    pub fn hex(&self) -> String {
        let bytes = self.hasher.clone().finalize();
        bytes[..8].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl TraceSink for DigestSink {
    fn wants(&self, _: Level) -> bool {
        true
    }
    fn record(&mut self, event: &TracedEvent, names: &Names) {
        match &event.event {
            // By far the most frequent event: hashed field by field, not as
            // JSON, which keeps long scenarios quick to fingerprint.
            TraceEvent::MessageSent { from, to, api } => {
                self.hasher.update(event.time.as_micros().to_le_bytes());
                self.hasher.update(format!("{from:?}>{to:?}:{api}\n").as_bytes());
            }
            _ => {
                self.hasher.update(json::event_json(event, names).to_string().as_bytes());
                self.hasher.update(b"\n");
            }
        }
        self.events += 1;
    }
}

//! Everything observable is a trace: typed, timestamped events emitted by the
//! actors and the scenario, rendered as narration (`narrate`), JSON lines
//! (`json`) and the outcome report (`report`), and digested for determinism
//! checks (`digest`).

pub mod answer;
pub mod digest;
pub mod event;
pub mod header;
pub mod json;
pub mod narrate;
pub mod registry;
pub mod report;
pub mod sink;
pub mod stores;
pub mod streams;
pub mod table;

pub use event::{Level, TraceEvent, TracedEvent};
pub use sink::TraceSink;

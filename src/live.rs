//! Live mode: real Kafka clients talk to the simulated cluster over Kafka's
//! wire protocol (`kafkasim serve`).
//!
//! This room sits outside the engine: sockets, the wire codec (the
//! kafka-protocol crate) and wall-clock pacing live here and nowhere else.
//! Each TCP connection is an actor of the world (`NodeId::LiveClient`) whose
//! requests are translated into the very messages simulated clients send, so
//! the same broker, log, replication and group code serves both. `run`,
//! `play` and the scenario tests never reach this module.
//!
//! Served APIs (Kafka 4.0's versions): ApiVersions, Metadata, Produce
//! (acks 0, 1 and all; idempotent), Fetch, ListOffsets, InitProducerId, and
//! the classic group protocol: FindCoordinator, JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ListGroups and
//! DescribeGroups.
//! Simplifications: no incremental fetch sessions (clients fall back to full
//! fetches, as against a broker whose session cache is full); no topic
//! auto-creation; ListOffsets by timestamp is not modelled. Records written
//! by real clients count in the delivery checks (`delivery`).

mod admin;
mod api_versions;
mod consumer_protocol;
mod delivery;
mod error_code;
mod frame;
mod gateway;
mod groups;
mod pacing;
mod records;
mod requests;
mod responses;
mod topics;

/// The cluster `kafkasim serve` starts when given no scenario.
pub const DEMO_CLUSTER: &str = include_str!("live/demo_cluster.yaml");

pub use frame::SOCKET_REQUEST_MAX_BYTES;
pub use gateway::{CONNECTIONS_MAX_IDLE_MS, Gateway, ServeOptions, StopHandle};
pub use responses::Advertised;
pub use topics::topic_uuid;

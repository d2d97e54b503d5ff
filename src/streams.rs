//! Kafka Streams: a topology of processors over topics, run by application
//! instances whose stream threads are consumers of the group named by
//! `application.id`.
//!
//! - `topology`: the processor graph a scenario declares in the Streams DSL,
//!   named and cut into sub-topologies exactly as Kafka's
//!   `InternalStreamsBuilder` and `InternalTopologyBuilder` do, and printed as
//!   `Topology#describe()` prints it.
//! - `expr`: the predicates and mappings of the DSL, as jq expressions.
//! - `windows`: window arithmetic (tumbling, hopping, sliding, session; grace).
//! - `app`: an application as the scenario declares it (instances, configs).
//! - `runtime`: stream threads, tasks, stores, record caches and commits.
//! - `assignor`: Kafka 4.0's task assignor (`HighAvailabilityTaskAssignor`):
//!   active, standby and warm-up tasks per instance, then per thread.

pub use app::StreamsApp;

pub mod app;
pub mod assignor;
pub mod expr;
pub mod runtime;
pub mod topology;
pub mod windows;

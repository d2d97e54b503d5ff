//! Kafka clients: the producer (partitioner, batching, acks, retries,
//! idempotence) and the consumer (fetching, positions, the poll loop), plus the
//! workloads a scenario drives them with.

pub mod backoff;
pub mod connections;
pub mod consumer;
pub mod datagen;
pub mod metadata_cache;
pub mod partitioner;
pub mod producer;
pub mod serde;
pub mod transaction_plan;
pub mod workload;

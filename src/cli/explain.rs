//! `kafkasim explain …`: Kafka's algorithms on the student's own input.

pub mod assign;
pub mod avro;
pub mod compat;
pub mod coordinator;
pub mod partition;
mod schema_file;
pub mod topology;

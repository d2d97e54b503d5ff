//! `kafkasim explain …`: Kafka's algorithms on the student's own input.

pub mod assign;
pub mod coordinator;
pub mod partition;
pub mod topology;

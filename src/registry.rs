//! Confluent's Schema Registry: a service beside the brokers that keeps
//! every schema a producer registers, under subjects with versions and
//! registry-wide IDs, and refuses a new version that breaks the subject's
//! compatibility level.

pub mod compatibility;

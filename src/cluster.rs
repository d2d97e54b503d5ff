//! The Kafka cluster: brokers hosting partition replicas, their logs, and the
//! KRaft controller that decides leaders and ISRs.

pub mod broker;
pub mod cleaner;
pub mod controller;
pub mod leader_epoch;
pub mod log;
pub mod metadata;
pub mod partition;
pub mod placement;
pub mod producer_state;
pub mod record;
pub mod retention;
pub mod segment;
pub mod topic_name;
pub mod transaction_index;

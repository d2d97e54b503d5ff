//! Checkers that judge a run from outside the code they judge: the delivery
//! ledger and outcome (lost, duplicated, reordered records), the scenario's
//! expectations (the counts they take from the trace, the replica
//! comparison), and the invariants Kafka promises after every event.

pub mod atomicity;
pub mod committed;
pub mod group_invariants;
pub mod invariants;
pub mod ledger;
pub mod outcome;
pub mod replicas;
pub mod tally;

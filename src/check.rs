//! Checkers that judge a run from outside the code they judge: the delivery
//! ledger and outcome (lost, duplicated, reordered records), the scenario's
//! expectations, and the invariants Kafka promises after every event.

pub mod committed;
pub mod group_invariants;
pub mod invariants;
pub mod ledger;
pub mod outcome;

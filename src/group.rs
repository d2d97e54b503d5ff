//! Consumer groups: the coordinator, membership and rebalances, and the
//! partition assignors.

pub mod assignor;

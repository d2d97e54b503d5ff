//! Consumer groups: the coordinator, membership and rebalances, and the
//! partition assignors.

pub mod assignor;
pub mod classic_group;
pub mod coordinator;
pub mod hash;

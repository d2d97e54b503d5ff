//! Which `__transaction_state` partition — and so which broker — coordinates
//! a `transactional.id`: `Utils.abs(transactionalId.hashCode) %
//! transaction.state.log.num.partitions` (`TransactionStateManager.partitionFor`),
//! the same hash a group id gets for `__consumer_offsets`.

use crate::group::hash::coordinator_partition;

/// The internal topic holding transaction state.
pub const TRANSACTION_STATE_TOPIC: &str = "__transaction_state";

/// Kafka's default `transaction.state.log.num.partitions`, read from the
/// broker config's defaults so the number lives in one place.
pub fn default_partitions() -> u32 {
    crate::config::BrokerConfig::default().transaction_state_log_num_partitions
}

/// The `__transaction_state` partition of `transactional_id`.
pub fn transaction_state_partition(transactional_id: &str, partitions: u32) -> u32 {
    coordinator_partition(transactional_id, partitions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::hash::java_string_hash;

    #[test]
    fn transactional_ids_hash_like_group_ids() {
        // "my-txn".hashCode() = -1061187895 in Java; abs % 50 = 45.
        assert_eq!(java_string_hash("my-txn"), -1_061_187_895);
        assert_eq!(transaction_state_partition("my-txn", default_partitions()), 45);
        // A group and a transactional id with the same text land on the same
        // partition number of their own topics.
        assert_eq!(transaction_state_partition("my-group", 50), 12);
        assert_eq!(default_partitions(), 50, "TransactionLogConfig's default");
    }
}

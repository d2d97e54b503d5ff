//! `transaction.version`, the cluster feature that decides which transaction
//! protocol a coordinator speaks with a client (`TransactionVersion.java`).
//!
//! Kafka 4.0 enables level 2 on new clusters: a 4.0 producer then bumps its
//! epoch at every commit or abort and adds partitions through its Produce
//! requests instead of AddPartitionsToTxn (KIP-890 part 2).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TransactionVersion {
    /// The original protocol (KIP-98).
    Tv0,
    /// Flexible transaction-log records (KIP-890).
    Tv1,
    /// Epoch bump per transaction and implicit partition adds (KIP-890 part 2):
    /// Kafka 4.0's default.
    #[default]
    Tv2,
}

impl TransactionVersion {
    /// The feature level, as `kafka-features describe` prints it.
    pub fn feature_level(self) -> i16 {
        match self {
            TransactionVersion::Tv0 => 0,
            TransactionVersion::Tv1 => 1,
            TransactionVersion::Tv2 => 2,
        }
    }

    pub fn from_feature_level(level: i16) -> Option<Self> {
        [TransactionVersion::Tv0, TransactionVersion::Tv1, TransactionVersion::Tv2]
            .into_iter()
            .find(|v| v.feature_level() == level)
    }

    /// `supportsEpochBump`: every EndTxn bumps the producer epoch.
    pub fn supports_epoch_bump(self) -> bool {
        self.feature_level() >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_version_two_bumps_the_epoch_per_transaction() {
        // TransactionVersion.supportsEpochBump: featureLevel >= 2.
        assert!(!TransactionVersion::Tv0.supports_epoch_bump());
        assert!(!TransactionVersion::Tv1.supports_epoch_bump());
        assert!(TransactionVersion::Tv2.supports_epoch_bump());
        assert_eq!(TransactionVersion::default(), TransactionVersion::Tv2, "Kafka 4.0's default");
        for level in 0..=2 {
            assert_eq!(TransactionVersion::from_feature_level(level).map(|v| v.feature_level()), Some(level));
        }
        assert_eq!(TransactionVersion::from_feature_level(3), None);
    }
}

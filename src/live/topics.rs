//! Topic names and ids as real clients see them.
//!
//! Since Fetch v13 and Metadata v10 clients name topics by a 16-byte id (KIP-516).
//! The simulator numbers topics by their place in the scenario, so live mode
//! gives each topic the id made of the first 16 bytes of SHA-256 over its
//! name: the same id every time the same cluster is served.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ids::{Names, TopicId};

/// The id a client sees for `name`.
pub fn topic_uuid(name: &str) -> Uuid {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// The topic a client names by id.
pub fn by_uuid(names: &Names, id: Uuid) -> Option<TopicId> {
    names.topics.iter().position(|n| topic_uuid(n) == id).map(|i| TopicId(i as u32))
}

/// Whether a topic is one of Kafka's own (`__consumer_offsets`, `__transaction_state`).
pub fn is_internal(name: &str) -> bool {
    name.starts_with("__")
}

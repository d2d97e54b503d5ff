//! Transactions: the transaction coordinator's state of each
//! `transactional.id`, and the records it keeps in `__transaction_state`.
//!
//! A transactional producer's `transactional.id` hashes to a partition of
//! `__transaction_state` exactly as a group id hashes to one of
//! `__consumer_offsets` (`Utils.abs(transactionalId.hashCode) % 50`); the
//! leader of that partition is the id's transaction coordinator. The
//! coordinator keeps a [`metadata::TransactionMetadata`] per id — producer id,
//! epoch, state, partitions in the transaction, timeout — and moves it through
//! Kafka's state machine ([`state::TransactionState`]) in two steps, as
//! `TransactionMetadata.scala` does: *prepare* a transition (checked against
//! the state's valid previous states), write it to the log, and *complete* it
//! once the write is replicated. A coordinator that takes over the partition
//! rebuilds every id's metadata from the log ([`log_record`]).
//!
//! The protocol is Kafka 4.0's default, `transaction.version=2` (KIP-890 part
//! 2, [`version::TransactionVersion`]): the producer epoch is bumped at every
//! commit or abort, so each transaction is a unique (producer id, epoch).
//!
//! Simplification: producers take no `transactional.id` yet and brokers host
//! no transaction coordinator, so no scenario writes transactionally. This
//! room holds the coordinator's state machine — Kafka 4.0's protocol,
//! `transaction.version=2`, whose epoch bumps at every commit or abort — and
//! its log records; the log already keeps transaction markers, the last
//! stable offset and the aborted-transaction index, and `read_committed`
//! consumers already read by them.

pub mod coordinator_partition;
pub mod log_record;
pub mod metadata;
pub mod state;
pub mod version;

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
//! Kafka 4.0 turns it on for a new cluster: `TransactionVersion.TV_2` needs
//! metadata version 4.0-IV2 and is `LATEST_PRODUCTION`, and `kafka-storage
//! format` gives each feature the highest level its metadata version
//! (4.0's latest production, 4.0-IV3) allows
//! (`server-common/.../TransactionVersion.java`, `MetadataVersion.java`).
//!
//! Brokers host a [`coordinator::TransactionCoordinator`] for the
//! `__transaction_state` partitions they lead, as they host the group
//! coordinator for `__consumer_offsets`.
//!
//! A transaction's life, with `transaction.version=2`: InitProducerId
//! (Empty); the partition leaders' AddPartitionsToTxn as the first
//! transactional batches arrive (Ongoing); EndTxn (PrepareCommit or
//! PrepareAbort, the epoch bumped); WriteTxnMarkers to every partition's
//! leader; CompleteCommit or CompleteAbort. The broker side lives in
//! `cluster/broker/txn_api.rs`, `txn_verification.rs` and `txn_markers.rs`.
//!
//! Simplification: a transactional producer writes to its one topic (its
//! transactions span that topic's partitions), and `sendOffsetsToTransaction`
//! (AddOffsetsToTxn, TxnOffsetCommit) is not modelled: a consumer's offsets
//! are never part of a transaction.
//!
//! Simplification: when the coordinator fences an epoch (a new instance
//! finds a transaction open, or a transaction timed out), it writes the
//! fence (PrepareEpochFence) to `__transaction_state` before the abort;
//! Kafka keeps the fence in memory and writes only the abort, with the same
//! epochs.
//!
//! Simplification: the coordinator epoch in markers is always 0: a marker
//! from a coordinator that lost its partition is not told apart from one of
//! the new coordinator (both write the same decision).

pub mod coordinator;
pub mod coordinator_partition;
pub mod log_record;
pub mod metadata;
pub mod state;
pub mod version;

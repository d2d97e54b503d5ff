//! The transaction APIs: FindCoordinator with key type TRANSACTION (the
//! group's FindCoordinator lives with the group APIs), AddPartitionsToTxn
//! (sent by a partition leader verifying a transactional write, as
//! `transaction.version=2` does), EndTxn from the producer, and
//! WriteTxnMarkers from the coordinator to partition leaders. InitProducerId
//! is shared with idempotent producers and lives beside Produce.

use super::{CorrelationId, ErrorCode};
use crate::cluster::record::ControlRecordType;
use crate::ids::{BrokerId, TopicPartition};

/// `AddPartitionsToTxn` from a partition leader (`forBroker`): with
/// `verify_only` false (a TV2 Produce) the coordinator adds the partitions
/// to the producer's transaction, opening it if needed.
#[derive(Clone, Debug)]
pub struct AddPartitionsToTxnRequest {
    pub correlation_id: CorrelationId,
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub partitions: Vec<TopicPartition>,
    pub verify_only: bool,
}

#[derive(Clone, Debug)]
pub enum TxnMessage {
    /// `FindCoordinator(key_type=TRANSACTION, key=transactional.id)`: any
    /// broker answers with the leader of the id's `__transaction_state` partition.
    FindCoordinatorRequest {
        correlation_id: CorrelationId,
        transactional_id: String,
    },
    FindCoordinatorResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        coordinator: Option<BrokerId>,
    },
    AddPartitionsToTxnRequest(AddPartitionsToTxnRequest),
    /// One error for every partition of the request.
    AddPartitionsToTxnResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
    },
    /// `commitTransaction()` / `abortTransaction()`.
    EndTxnRequest {
        correlation_id: CorrelationId,
        transactional_id: String,
        producer_id: i64,
        producer_epoch: i16,
        committed: bool,
    },
    /// EndTxn v5 (TV2) returns the bumped producer epoch.
    EndTxnResponse {
        correlation_id: CorrelationId,
        error: ErrorCode,
        producer_id: i64,
        producer_epoch: i16,
    },
    /// The coordinator asks a partition leader to append a COMMIT or ABORT
    /// control batch to each of `partitions`.
    WriteTxnMarkersRequest {
        correlation_id: CorrelationId,
        producer_id: i64,
        producer_epoch: i16,
        coordinator_epoch: i32,
        marker: ControlRecordType,
        partitions: Vec<TopicPartition>,
    },
    WriteTxnMarkersResponse {
        correlation_id: CorrelationId,
        producer_id: i64,
        results: Vec<(TopicPartition, ErrorCode)>,
    },
}

impl TxnMessage {
    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            TxnMessage::FindCoordinatorRequest { correlation_id, .. }
            | TxnMessage::AddPartitionsToTxnRequest(AddPartitionsToTxnRequest { correlation_id, .. })
            | TxnMessage::EndTxnRequest { correlation_id, .. }
            | TxnMessage::WriteTxnMarkersRequest { correlation_id, .. } => Some(*correlation_id),
            TxnMessage::FindCoordinatorResponse { .. }
            | TxnMessage::AddPartitionsToTxnResponse { .. }
            | TxnMessage::EndTxnResponse { .. }
            | TxnMessage::WriteTxnMarkersResponse { .. } => None,
        }
    }

    /// The correlation id of a response.
    pub fn response_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            TxnMessage::FindCoordinatorResponse { correlation_id, .. }
            | TxnMessage::AddPartitionsToTxnResponse { correlation_id, .. }
            | TxnMessage::EndTxnResponse { correlation_id, .. }
            | TxnMessage::WriteTxnMarkersResponse { correlation_id, .. } => Some(*correlation_id),
            _ => None,
        }
    }

    pub fn api_name(&self) -> &'static str {
        match self {
            TxnMessage::FindCoordinatorRequest { .. } | TxnMessage::FindCoordinatorResponse { .. } => "FindCoordinator",
            TxnMessage::AddPartitionsToTxnRequest(_) | TxnMessage::AddPartitionsToTxnResponse { .. } => {
                "AddPartitionsToTxn"
            }
            TxnMessage::EndTxnRequest { .. } | TxnMessage::EndTxnResponse { .. } => "EndTxn",
            TxnMessage::WriteTxnMarkersRequest { .. } | TxnMessage::WriteTxnMarkersResponse { .. } => "WriteTxnMarkers",
        }
    }

    /// The error a response carries.
    pub fn error(&self) -> Option<ErrorCode> {
        match self {
            TxnMessage::FindCoordinatorResponse { error, .. }
            | TxnMessage::AddPartitionsToTxnResponse { error, .. }
            | TxnMessage::EndTxnResponse { error, .. } => Some(*error),
            TxnMessage::WriteTxnMarkersResponse { results, .. } => {
                results.iter().map(|(_, e)| *e).find(|e| !e.is_ok()).or(Some(ErrorCode::None))
            }
            _ => None,
        }
    }
}

//! The transaction APIs between a transactional producer and its
//! transaction coordinator: FindCoordinator with key type TRANSACTION (the
//! group's FindCoordinator lives with the group APIs). InitProducerId is
//! shared with idempotent producers and lives beside Produce.

use super::{CorrelationId, ErrorCode};
use crate::ids::BrokerId;

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
}

impl TxnMessage {
    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            TxnMessage::FindCoordinatorRequest { correlation_id, .. } => Some(*correlation_id),
            TxnMessage::FindCoordinatorResponse { .. } => None,
        }
    }

    pub fn api_name(&self) -> &'static str {
        match self {
            TxnMessage::FindCoordinatorRequest { .. } | TxnMessage::FindCoordinatorResponse { .. } => "FindCoordinator",
        }
    }

    /// The error a response carries.
    pub fn error(&self) -> Option<ErrorCode> {
        match self {
            TxnMessage::FindCoordinatorResponse { error, .. } => Some(*error),
            TxnMessage::FindCoordinatorRequest { .. } => None,
        }
    }
}

//! The Schema Registry's REST calls that serializers and deserializers make,
//! as messages on the simulated network (Confluent's `RestService`).
//!
//! | call | message |
//! |---|---|
//! | `POST /subjects/{subject}/versions` | [`RegistryRequest::RegisterSchema`] |
//! | `POST /subjects/{subject}` | [`RegistryRequest::LookUpSchema`] |
//! | `GET /subjects/{subject}/versions/latest` | [`RegistryRequest::GetLatestVersion`] |
//! | `GET /schemas/ids/{id}` | [`RegistryRequest::GetSchemaById`] |
//!
//! Errors carry the REST API's codes: 409 incompatible, 42201 invalid
//! schema, 40401 subject not found, 40403 schema not found, 50002 the store
//! timed out.
//!
//! Simplification: HTTP is one request and its answer; connections, keep-alive
//! and the HTTP status line are not modelled beyond the error code.

use std::sync::Arc;

use crate::protocol::CorrelationId;

/// A request from a client's `CachedSchemaRegistryClient`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryRequest {
    /// Register `schema` under `subject` (a new version unless it is there already).
    RegisterSchema {
        subject: String,
        schema: Arc<str>,
    },
    /// Find `schema`'s version under `subject` without registering it.
    LookUpSchema {
        subject: String,
        schema: Arc<str>,
    },
    GetLatestVersion {
        subject: String,
    },
    GetSchemaById {
        id: u32,
    },
}

impl RegistryRequest {
    /// `POST /subjects/orders-value/versions`.
    pub fn endpoint(&self) -> String {
        match self {
            RegistryRequest::RegisterSchema { subject, .. } => format!("POST /subjects/{subject}/versions"),
            RegistryRequest::LookUpSchema { subject, .. } => format!("POST /subjects/{subject}"),
            RegistryRequest::GetLatestVersion { subject } => format!("GET /subjects/{subject}/versions/latest"),
            RegistryRequest::GetSchemaById { id } => format!("GET /schemas/ids/{id}"),
        }
    }
}

/// A subject's version: what the lookup and latest-version calls return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectVersion {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    pub schema: Arc<str>,
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryAnswer {
    /// `{"id": N}`.
    Registered {
        id: u32,
    },
    Version(SubjectVersion),
    /// `{"schema": "..."}`.
    Schema {
        schema: Arc<str>,
    },
}

/// `{"error_code": N, "message": "..."}` with its HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestError {
    pub error_code: u32,
    pub message: String,
}

impl RestError {
    pub const SUBJECT_NOT_FOUND: u32 = 40401;
    pub const VERSION_NOT_FOUND: u32 = 40402;
    pub const SCHEMA_NOT_FOUND: u32 = 40403;
    pub const INCOMPATIBLE_SCHEMA: u32 = 409;
    pub const INVALID_SCHEMA: u32 = 42201;
    pub const STORE_ERROR: u32 = 50001;
    pub const OPERATION_TIMEOUT: u32 = 50002;

    pub fn new(error_code: u32, message: impl Into<String>) -> Self {
        RestError { error_code, message: message.into() }
    }

    /// The HTTP status: the code's first three digits.
    pub fn http_status(&self) -> u32 {
        let mut status = self.error_code;
        while status >= 1000 {
            status /= 10;
        }
        status
    }
}

/// Every registry message on the network.
#[derive(Clone, Debug)]
pub enum RegistryMessage {
    Request { correlation_id: CorrelationId, request: RegistryRequest },
    Response { correlation_id: CorrelationId, result: Result<RegistryAnswer, RestError> },
}

impl RegistryMessage {
    pub fn request_correlation_id(&self) -> Option<CorrelationId> {
        match self {
            RegistryMessage::Request { correlation_id, .. } => Some(*correlation_id),
            RegistryMessage::Response { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_status_is_the_codes_first_three_digits() {
        assert_eq!(RestError::new(40401, "").http_status(), 404);
        assert_eq!(RestError::new(409, "").http_status(), 409);
        assert_eq!(RestError::new(42201, "").http_status(), 422);
        assert_eq!(RestError::new(50002, "").http_status(), 500);
    }
}

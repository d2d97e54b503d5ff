//! Errors a client can see, by the names Kafka uses: an error code in a
//! response (`NOT_ENOUGH_REPLICAS`, as the client logs it) or an exception
//! the client raises (`CommitFailedException`, thrown by `commitSync()` or
//! logged by an auto-commit; a send callback's `TimeoutException`).

use std::fmt;

use crate::protocol::ErrorCode;

/// Exceptions kafkasim's clients raise that no error code stands for.
const CLIENT_EXCEPTIONS: [&str; 3] = [
    // commitSync() after the group moved on (ConsumerCoordinator).
    "CommitFailedException",
    // poll() with auto.offset.reset=none and no offset to start from.
    "NoOffsetForPartitionException",
    // An error the client has no more specific exception for.
    "KafkaException",
];

/// Whether a client can get this error: the rest only pass between brokers
/// and controllers (broker registration, heartbeats, AlterPartition).
fn reaches_clients(code: ErrorCode) -> bool {
    !code.is_ok()
        && !matches!(
            code,
            ErrorCode::StaleBrokerEpoch
                | ErrorCode::NotController
                | ErrorCode::InvalidUpdateVersion
                | ErrorCode::IneligibleReplica
        )
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// An error code in a response.
    Code(ErrorCode),
    /// An exception the application got.
    Exception(String),
}

impl ClientError {
    /// The error a scenario names, if a kafkasim client can see it.
    pub fn parse(name: &str) -> Option<ClientError> {
        if let Some(code) = ErrorCode::from_name(name).filter(|c| reaches_clients(*c)) {
            return Some(ClientError::Code(code));
        }
        Self::known_exceptions().contains(&name).then(|| ClientError::Exception(name.to_string()))
    }

    /// Every name `parse` accepts: error codes, then exceptions.
    pub fn known_names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            ErrorCode::ALL.iter().filter(|c| reaches_clients(**c)).map(|c| c.name()).collect();
        names.extend(Self::known_exceptions());
        names
    }

    fn known_exceptions() -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            ErrorCode::ALL.iter().filter(|c| reaches_clients(**c)).filter_map(|c| c.exception_name()).collect();
        names.extend(CLIENT_EXCEPTIONS);
        names.sort_unstable();
        names.dedup();
        names
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Code(code) => f.write_str(code.name()),
            ClientError::Exception(name) => f.write_str(name),
        }
    }
}

/// The leading word of a message: `CommitFailedException` in
/// `CommitFailedException (ILLEGAL_GENERATION): the group has rebalanced`.
fn leading_word(message: &str) -> &str {
    let end = message.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(message.len());
    &message[..end]
}

/// The exception a message names first, if it names one.
pub fn named_exception(message: &str) -> Option<&str> {
    Some(leading_word(message)).filter(|w| w.len() > "Exception".len() && w.ends_with("Exception"))
}

/// The exception an application got, from the message kafkasim gives it:
/// one it names, or the one Kafka raises for the error code it starts with
/// (`NOT_ENOUGH_REPLICAS; retries=0 used up` → `NotEnoughReplicasException`).
pub fn application_exception(message: &str) -> Option<&str> {
    named_exception(message).or_else(|| ErrorCode::from_name(leading_word(message)).and_then(ErrorCode::exception_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_as_codes_or_exceptions() {
        assert_eq!(ClientError::parse("NOT_ENOUGH_REPLICAS"), Some(ClientError::Code(ErrorCode::NotEnoughReplicas)));
        assert_eq!(
            ClientError::parse("CommitFailedException"),
            Some(ClientError::Exception("CommitFailedException".to_string()))
        );
        assert_eq!(
            ClientError::parse("NotEnoughReplicasException"),
            Some(ClientError::Exception("NotEnoughReplicasException".to_string()))
        );
        assert_eq!(ClientError::parse("NONE"), None, "NONE is no error");
        assert_eq!(ClientError::parse("STALE_BROKER_EPOCH"), None, "only brokers and controllers see it");
        assert_eq!(ClientError::parse("not_enough_replicas"), None, "Kafka's names are exact");
        assert_eq!(ClientError::parse("RECORD_TOO_LARGE"), None, "Kafka calls it MESSAGE_TOO_LARGE");
    }

    #[test]
    fn application_messages_name_their_exception() {
        let commit =
            "CommitFailedException (ILLEGAL_GENERATION): the group has rebalanced since this consumer's last poll";
        assert_eq!(application_exception(commit), Some("CommitFailedException"));
        assert_eq!(application_exception("TimeoutException: expiring 3 record(s)"), Some("TimeoutException"));
        assert_eq!(application_exception("NOT_ENOUGH_REPLICAS; retries=0 used up"), Some("NotEnoughReplicasException"));
        assert_eq!(
            application_exception("REBALANCE_IN_PROGRESS: the group is rebalancing"),
            Some("RebalanceInProgressException")
        );
        assert_eq!(application_exception("something odd"), None);
        assert_eq!(named_exception("OFFSET_OUT_OF_RANGE (log starts at 5): resetting"), None);
        assert_eq!(
            named_exception("NoOffsetForPartitionException: auto.offset.reset=none"),
            Some("NoOffsetForPartitionException")
        );
    }

    #[test]
    fn every_known_name_parses() {
        for name in ClientError::known_names() {
            assert_eq!(ClientError::parse(name).map(|e| e.to_string()), Some(name.to_string()));
        }
    }
}

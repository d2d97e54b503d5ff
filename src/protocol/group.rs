//! Consumer-group coordination messages (FindCoordinator, JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch).

/// Messages between consumers and their group coordinator.
#[derive(Clone, Debug)]
pub enum GroupMessage {}

impl GroupMessage {
    pub fn api_name(&self) -> &'static str {
        match *self {}
    }

    pub fn request_correlation_id(&self) -> Option<super::CorrelationId> {
        match *self {}
    }
}

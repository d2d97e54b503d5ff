//! The connection configs every Java client shares (`CommonClientConfigs`):
//! reconnect backoff and connection set-up timeout, with Kafka 4.0's defaults.

use super::{ConfigDef, ConfigValue, Kind};

// The definitions, listed in both the producer's and the consumer's tables.
pub const RECONNECT_BACKOFF_MS: ConfigDef = ConfigDef::modelled(
    "reconnect.backoff.ms",
    Kind::Millis { min: 0, allow_unlimited: false },
    "50",
    "Wait before dialling a broker again after a failed or closed connection; doubles per failure up to reconnect.backoff.max.ms.",
);
pub const RECONNECT_BACKOFF_MAX_MS: ConfigDef = ConfigDef::modelled(
    "reconnect.backoff.max.ms",
    Kind::Millis { min: 0, allow_unlimited: false },
    "1000",
    "Longest wait between attempts to reach a broker.",
);
pub const SOCKET_CONNECTION_SETUP_TIMEOUT_MS: ConfigDef = ConfigDef::modelled(
    "socket.connection.setup.timeout.ms",
    Kind::Millis { min: 0, allow_unlimited: false },
    "10000",
    "How long a connection attempt may take before it is given up (a disconnection, which asks for fresh metadata); doubles per failure.",
);
pub const SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS: ConfigDef = ConfigDef::modelled(
    "socket.connection.setup.timeout.max.ms",
    Kind::Millis { min: 0, allow_unlimited: false },
    "30000",
    "Longest connection set-up timeout.",
);

/// How a client dials brokers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientNetworkConfig {
    pub reconnect_backoff_ms: u64,
    /// Whether the scenario set `reconnect.backoff.ms` itself.
    pub reconnect_backoff_set: bool,
    pub reconnect_backoff_max_ms: u64,
    /// Whether the scenario set `reconnect.backoff.max.ms` itself.
    pub reconnect_backoff_max_set: bool,
    pub socket_connection_setup_timeout_ms: u64,
    pub socket_connection_setup_timeout_max_ms: u64,
}

impl Default for ClientNetworkConfig {
    fn default() -> Self {
        ClientNetworkConfig {
            reconnect_backoff_ms: 50,
            reconnect_backoff_set: false,
            reconnect_backoff_max_ms: 1_000,
            reconnect_backoff_max_set: false,
            socket_connection_setup_timeout_ms: 10_000,
            socket_connection_setup_timeout_max_ms: 30_000,
        }
    }
}

impl ClientNetworkConfig {
    /// Applies `name` if it is one of these configs; `false` otherwise.
    pub fn set(&mut self, name: &str, value: &ConfigValue) -> bool {
        let n = value.as_i64().max(0) as u64;
        match name {
            "reconnect.backoff.ms" => {
                self.reconnect_backoff_ms = n;
                self.reconnect_backoff_set = true;
            }
            "reconnect.backoff.max.ms" => {
                self.reconnect_backoff_max_ms = n;
                self.reconnect_backoff_max_set = true;
            }
            "socket.connection.setup.timeout.ms" => self.socket_connection_setup_timeout_ms = n,
            "socket.connection.setup.timeout.max.ms" => self.socket_connection_setup_timeout_max_ms = n,
            _ => return false,
        }
        true
    }

    /// `CommonClientConfigs.postProcessReconnectBackoffConfigs`: setting only
    /// `reconnect.backoff.ms` sets the maximum to the same value (no growth).
    pub fn effective_reconnect_backoff_max_ms(&self) -> u64 {
        if self.reconnect_backoff_set && !self.reconnect_backoff_max_set {
            self.reconnect_backoff_ms
        } else {
            self.reconnect_backoff_max_ms
        }
    }
}

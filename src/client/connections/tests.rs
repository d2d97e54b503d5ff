//! Cases after Kafka's `ClusterConnectionStatesTest`
//! (clients/src/test/java/org/apache/kafka/clients/ClusterConnectionStatesTest.java).

use rand::SeedableRng;

use super::*;
use crate::actor::Effects;
use crate::ids::{BrokerId, ClientIdx};

const ME: NodeId = NodeId::Producer(ClientIdx(0));
const B1: NodeId = NodeId::Broker(BrokerId(1));
const B2: NodeId = NodeId::Broker(BrokerId(2));

fn at(ms: u64) -> SimTime {
    SimTime::from_millis(ms)
}

fn dial(connections: &mut Connections, peer: NodeId, now: SimTime, ids: &mut CorrelationId) -> bool {
    let mut effects = Effects::default();
    connections.ready_or_connect(&mut Ctx::new(now, ME, &mut effects), peer, ids)
}

fn without_jitter() -> Connections {
    // Equal minimum and maximum have no jitter: exact numbers.
    let config = ClientNetworkConfig::default();
    Connections { config, ..Connections::default() }
}

#[test]
fn reconnect_backoff_grows_and_a_ready_connection_resets_it() {
    // testExponentialReconnectBackoff: 50 ms doubling to 1 s (no jitter here).
    let mut c = without_jitter();
    let mut ids = 0;
    let mut now = at(0);
    for expected_ms in [50, 100, 200, 400, 800, 1_000, 1_000] {
        assert!(!dial(&mut c, B1, now, &mut ids), "dials");
        c.on_disconnect(B1, now);
        assert!(!dial(&mut c, B1, now + SimDuration::from_millis(expected_ms - 1), &mut ids), "backing off");
        assert_eq!(c.next_wake(now), Some(now + SimDuration::from_millis(expected_ms)));
        now += SimDuration::from_millis(expected_ms);
    }
    assert!(!dial(&mut c, B1, now, &mut ids));
    assert!(c.on_api_versions(B1, ids));
    assert!(c.is_ready(B1));
    c.on_disconnect(B1, now);
    assert_eq!(c.next_wake(now), Some(now + SimDuration::from_millis(50)), "reset by the ready connection");
}

#[test]
fn a_connection_attempt_times_out_and_the_next_timeout_is_longer() {
    // testTimedOutConnections / testExponentialConnectionSetupTimeout.
    let mut c = without_jitter();
    let mut ids = 0;
    assert!(!dial(&mut c, B1, at(0), &mut ids));
    assert!(c.time_out_connections(at(10_000)).is_empty(), "not more than 10 s yet");
    assert_eq!(c.time_out_connections(at(10_001)), vec![B1]);
    assert!(c.has_failed(B1));
    // Backoff 50 ms, then a second attempt with a 20 s timeout.
    assert!(!dial(&mut c, B1, at(10_051), &mut ids));
    assert!(c.time_out_connections(at(30_051)).is_empty());
    assert_eq!(c.time_out_connections(at(30_052)), vec![B1]);
    assert!(!dial(&mut c, B1, at(30_200), &mut ids));
    assert!(c.time_out_connections(at(60_200)).is_empty(), "capped at 30 s");
    assert_eq!(c.time_out_connections(at(60_201)), vec![B1]);
}

#[test]
fn a_timed_out_attempt_found_while_dialling_is_still_reported() {
    let mut c = without_jitter();
    let mut ids = 0;
    dial(&mut c, B1, at(0), &mut ids);
    assert!(!dial(&mut c, B1, at(20_000), &mut ids), "timed out, then in backoff");
    assert_eq!(c.time_out_connections(at(20_000)), vec![B1], "reported once");
    assert!(c.time_out_connections(at(20_000)).is_empty());
}

#[test]
fn jitter_comes_from_the_seeded_stream() {
    let config = ClientNetworkConfig::default();
    let mut a = Connections::new(config, SimRng::seed_from_u64(9));
    let mut b = Connections::new(config, SimRng::seed_from_u64(9));
    let (mut ia, mut ib) = (0, 0);
    dial(&mut a, B1, at(0), &mut ia);
    dial(&mut b, B1, at(0), &mut ib);
    let wake = a.next_wake(at(0)).expect("connecting");
    assert_eq!(Some(wake), b.next_wake(at(0)), "same seed, same timeout");
    let timeout_ms = wake.as_millis();
    assert!((8_000..=12_000).contains(&timeout_ms), "10 s ± 20%: {timeout_ms} ms");
}

#[test]
fn least_loaded_node_prefers_ready_idle_then_connecting_then_dialable() {
    // NetworkClientTest.testLeastLoadedNode, in kafkasim's terms.
    let mut c = without_jitter();
    let mut ids = 0;
    let nodes = [B1, B2];
    assert_eq!(c.least_loaded_node(&nodes, at(0), |_| 0, 5), Some(B1), "nothing dialled: the oldest attempt");
    dial(&mut c, B1, at(0), &mut ids);
    assert_eq!(c.least_loaded_node(&nodes, at(0), |_| 0, 5), Some(B1), "prefer the connection under way");
    c.on_api_versions(B1, ids);
    assert_eq!(c.least_loaded_node(&nodes, at(0), |n| usize::from(n == B1), 5), Some(B1), "ready beats idle");
    c.on_disconnect(B1, at(1));
    assert_eq!(c.least_loaded_node(&nodes, at(1), |_| 0, 5), Some(B2), "B1 is backing off");
    c.on_disconnect(B2, at(1));
    assert_eq!(c.least_loaded_node(&nodes, at(2), |_| 0, 5), None, "both backing off");
}

#[test]
fn a_backoff_that_ended_long_ago_does_not_hide_a_later_one() {
    let mut c = without_jitter();
    let mut ids = 0;
    dial(&mut c, B2, at(0), &mut ids);
    c.on_disconnect(B2, at(0));
    dial(&mut c, B1, at(10_000), &mut ids);
    c.on_disconnect(B1, at(10_000));
    assert_eq!(c.next_wake(at(10_000)), Some(at(10_050)), "B2's backoff ended at 50 ms");
}

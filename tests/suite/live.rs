//! Live mode: the gateway serves Kafka's wire protocol from the simulated
//! cluster. Each test starts the demo cluster on free loopback ports in a
//! thread, speaks to it as a client would (kafka-protocol's client-side
//! codec), and checks what a Kafka 4.0 broker would answer — or that only
//! the misbehaving connection is closed while the others are served.

mod python_clients;
mod wire_client;

use std::io::Write;
use std::sync::mpsc;
use std::thread;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, ApiVersionsRequest, BrokerId, CreateAclsRequest, FetchRequest, InitProducerIdRequest, ListOffsetsRequest,
    MetadataRequest, ProduceRequest, TopicName,
    fetch_request::{FetchPartition, FetchTopic},
    list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic},
    metadata_request::MetadataRequestTopic,
    produce_request::{PartitionProduceData, TopicProduceData},
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::records::{
    Compression, Record, RecordBatchDecoder, RecordBatchEncoder, RecordEncodeOptions, TimestampType,
};
use kafkasim::live::{DEMO_CLUSTER, Gateway, ServeOptions, StopHandle, topic_uuid};
use kafkasim::scenario::load_str;
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, World};

use wire_client::WireClient;

/// The demo cluster served on free ports until dropped.
struct LiveCluster {
    /// Broker id and port, in broker order.
    ports: Vec<(i32, u16)>,
    stop: StopHandle,
    thread: Option<thread::JoinHandle<()>>,
}

impl LiveCluster {
    fn start() -> LiveCluster {
        let (tx, rx) = mpsc::channel();
        let thread = thread::spawn(move || {
            let scenario = load_str("demo cluster", DEMO_CLUSTER).unwrap();
            let world = World::new(scenario, BuildOptions::default());
            let options = ServeOptions { base_port: 0, ..ServeOptions::default() };
            let mut gateway = Gateway::bind(world, options).expect("free ports");
            let ports = gateway.advertised().ports.iter().map(|(b, p)| (b.0, *p)).collect::<Vec<_>>();
            tx.send((ports, gateway.stop_handle())).unwrap();
            gateway.run(&mut NullSink, &mut |_| {}).expect("the live cluster keeps running");
        });
        let (ports, stop) = rx.recv().expect("the gateway starts");
        LiveCluster { ports, stop, thread: Some(thread) }
    }

    fn port(&self, broker: i32) -> u16 {
        self.ports.iter().find(|(b, _)| *b == broker).unwrap().1
    }

    fn client(&self) -> WireClient {
        WireClient::connect(self.ports[0].1)
    }

    /// The leader of `demo_1-partition`, once the cluster has elected one.
    fn leader(&self, partition: i32) -> i32 {
        let mut client = self.client();
        for _ in 0..200 {
            let metadata = client.call(&metadata_request(&["demo_1"]), 12);
            let leader =
                metadata.topics[0].partitions.iter().find(|p| p.partition_index == partition).map(|p| p.leader_id.0);
            if let Some(leader) = leader.filter(|&l| l >= 0) {
                return leader;
            }
            thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("no leader for demo_1-{partition}");
    }
}

impl Drop for LiveCluster {
    fn drop(&mut self) {
        self.stop.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn metadata_request(topics: &[&str]) -> MetadataRequest {
    let mut request = MetadataRequest::default();
    request.topics = Some(
        topics
            .iter()
            .map(|t| {
                let mut topic = MetadataRequestTopic::default();
                topic.name = Some(TopicName(StrBytes::from_string(t.to_string())));
                topic
            })
            .collect(),
    );
    request
}

fn records(producer_id: i64, base_sequence: i32, keys: &[&str]) -> Bytes {
    let records: Vec<Record> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| Record {
            transactional: false,
            control: false,
            delete_horizon: false,
            partition_leader_epoch: -1,
            producer_id,
            producer_epoch: if producer_id < 0 { -1 } else { 0 },
            timestamp_type: TimestampType::Creation,
            offset: i as i64,
            sequence: if producer_id < 0 { -1 } else { base_sequence + i as i32 },
            timestamp: 1_700_000_000_000 + i as i64,
            key: Some(Bytes::from(key.to_string())),
            value: Some(Bytes::from(format!("value of {key}"))),
            headers: Default::default(),
        })
        .collect();
    let mut out = BytesMut::new();
    RecordBatchEncoder::encode(&mut out, &records, &RecordEncodeOptions { version: 2, compression: Compression::None })
        .unwrap();
    out.freeze()
}

fn produce_request(acks: i16, partition: i32, batch: Bytes) -> ProduceRequest {
    let mut data = PartitionProduceData::default();
    data.index = partition;
    data.records = Some(batch);
    let mut topic = TopicProduceData::default();
    topic.name = TopicName(StrBytes::from_static_str("demo_1"));
    topic.partition_data = vec![data];
    let mut request = ProduceRequest::default();
    request.acks = acks;
    request.timeout_ms = 30_000;
    request.topic_data = vec![topic];
    request
}

fn fetch_request(partition: i32, offset: i64, by_id: bool) -> FetchRequest {
    let mut p = FetchPartition::default();
    p.partition = partition;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    let mut topic = FetchTopic::default();
    if by_id {
        topic.topic_id = topic_uuid("demo_1");
    } else {
        topic.topic = TopicName(StrBytes::from_static_str("demo_1"));
    }
    topic.partitions = vec![p];
    let mut request = FetchRequest::default();
    request.replica_id = BrokerId(-1);
    request.max_wait_ms = 100;
    request.min_bytes = 1;
    request.max_bytes = 50 << 20;
    request.topics = vec![topic];
    request
}

fn latest_offset(client: &mut WireClient, partition: i32) -> i64 {
    let mut p = ListOffsetsPartition::default();
    p.partition_index = partition;
    p.timestamp = -1;
    let mut topic = ListOffsetsTopic::default();
    topic.name = TopicName(StrBytes::from_static_str("demo_1"));
    topic.partitions = vec![p];
    let mut request = ListOffsetsRequest::default();
    request.replica_id = BrokerId(-1);
    request.topics = vec![topic];
    let response = client.call(&request, 9);
    let p = &response.topics[0].partitions[0];
    assert_eq!(p.error_code, 0);
    p.offset
}

/// ApiVersions lists Kafka 4.0's ranges; a version newer than the broker
/// knows gets UNSUPPORTED_VERSION in a version-0 answer that still lists
/// them (KIP-511), and the connection stays open.
#[test]
fn api_versions_negotiate_as_a_kafka_4_broker() {
    let cluster = LiveCluster::start();
    let mut client = cluster.client();
    let response = client.call(&ApiVersionsRequest::default(), 3);
    assert_eq!(response.error_code, 0);
    let produce = response.api_keys.iter().find(|k| k.api_key == ApiKey::Produce as i16).unwrap();
    assert_eq!((produce.min_version, produce.max_version), (3, 12));
    assert!(response.api_keys.iter().all(|k| k.api_key != ApiKey::CreateAcls as i16), "only what is modelled");

    assert_eq!(client.call(&ApiVersionsRequest::default(), 4).error_code, 0);
    // A newer client's ApiVersions v9, header written by hand: the codec
    // does not encode a version it does not know.
    let mut body = BytesMut::new();
    body.extend_from_slice(&(ApiKey::ApiVersions as i16).to_be_bytes());
    body.extend_from_slice(&9i16.to_be_bytes());
    body.extend_from_slice(&77i32.to_be_bytes());
    body.extend_from_slice(&(-1i16).to_be_bytes()); // null client id
    body.extend_from_slice(&[0]); // no tagged fields
    client.write_frame(&body);
    let (got, mut answer) = client.read_frame(ApiKey::ApiVersions, 0).unwrap();
    assert_eq!(got, 77);
    let answer =
        <kafka_protocol::messages::ApiVersionsResponse as kafka_protocol::protocol::Decodable>::decode(&mut answer, 0)
            .unwrap();
    assert_eq!(answer.error_code, 35, "UNSUPPORTED_VERSION");
    assert!(!answer.api_keys.is_empty());
    assert_eq!(client.call(&ApiVersionsRequest::default(), 3).error_code, 0, "still served");
}

/// Metadata advertises every broker at the port it listens on, with the
/// topic's partitions, leaders and replicas, and its id (KIP-516).
#[test]
fn metadata_advertises_each_brokers_own_port() {
    let cluster = LiveCluster::start();
    cluster.leader(0);
    let mut client = cluster.client();
    // Without auto-creation, an unknown topic is only reported unknown.
    let mut request = metadata_request(&["demo_1", "no_such_topic"]);
    request.allow_auto_topic_creation = false;
    let response = client.call(&request, 12);
    let mut brokers: Vec<(i32, u16)> = response.brokers.iter().map(|b| (b.node_id.0, b.port as u16)).collect();
    brokers.sort();
    assert_eq!(brokers, cluster.ports);
    assert!(response.brokers.iter().all(|b| b.host.as_str() == "127.0.0.1"));
    let demo = &response.topics[0];
    assert_eq!(demo.error_code, 0);
    assert_eq!(demo.topic_id, topic_uuid("demo_1"));
    assert_eq!(demo.partitions.len(), 2);
    assert!(demo.partitions.iter().all(|p| p.replica_nodes.len() == 3 && p.leader_id.0 > 0));
    assert_eq!(response.topics[1].error_code, 3, "UNKNOWN_TOPIC_OR_PARTITION");
    // All topics: the request Kafka's admin clients send to list them.
    let mut all = MetadataRequest::default();
    all.topics = None;
    let names: Vec<String> =
        client.call(&all, 12).topics.iter().map(|t| t.name.as_ref().unwrap().0.as_str().to_string()).collect();
    assert_eq!(names, ["demo_1"]);
}

/// An idempotent producer's batch goes through the simulated leader: it
/// gets offsets, a retry of the same sequence is not written twice, and a
/// consumer fetches the records back (by name and by topic id) with the
/// producer id and sequences the client checks.
#[test]
fn idempotent_produce_then_fetch_through_the_simulated_leader() {
    let cluster = LiveCluster::start();
    let leader = cluster.leader(0);
    let mut client = WireClient::connect(cluster.port(leader));
    let mut init = InitProducerIdRequest::default();
    init.transactional_id = None; // an idempotent, not a transactional, producer
    init.transaction_timeout_ms = 60_000;
    let init = client.call(&init, 4);
    assert_eq!(init.error_code, 0);
    let producer_id = init.producer_id.0;
    assert!(producer_id >= 0);

    let batch = records(producer_id, 0, &["a", "b", "c"]);
    let response = client.call(&produce_request(-1, 0, batch.clone()), 11);
    let p = &response.responses[0].partition_responses[0];
    assert_eq!((p.error_code, p.base_offset), (0, 0));
    // The client did not hear the answer and retries: the leader knows the
    // sequence and does not append it again.
    let retry = client.call(&produce_request(-1, 0, batch), 11);
    assert_eq!(retry.responses[0].partition_responses[0].error_code, 0);
    let more = client.call(&produce_request(-1, 0, records(producer_id, 3, &["d"])), 11);
    assert_eq!(more.responses[0].partition_responses[0].base_offset, 3);
    assert_eq!(latest_offset(&mut client, 0), 4, "four records, the retry not among them");

    for (version, by_id) in [(12, false), (17, true)] {
        let response = client.call(&fetch_request(0, 0, by_id), version);
        let partition = &response.responses[0].partitions[0];
        assert_eq!(partition.error_code, 0);
        assert_eq!(partition.high_watermark, 4);
        let mut bytes = partition.records.clone().unwrap();
        let records: Vec<Record> =
            RecordBatchDecoder::decode_all(&mut bytes).unwrap().into_iter().flat_map(|s| s.records).collect();
        let keys: Vec<&[u8]> = records.iter().map(|r| r.key.as_deref().unwrap()).collect();
        assert_eq!(keys, [b"a", b"b", b"c", b"d"].map(|k| &k[..]));
        assert_eq!(records.iter().map(|r| r.offset).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(records.iter().map(|r| r.sequence).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(records.iter().all(|r| r.producer_id == producer_id));
    }
}

/// acks=0 gets no answer at all: every response on the connection is a
/// ListOffsets answer (`receive` checks the correlation ids), and the
/// records reach the log: the high watermark rises to 2 once the followers
/// have them.
#[test]
fn acks_zero_is_answered_with_silence() {
    let cluster = LiveCluster::start();
    let leader = cluster.leader(1);
    let mut client = WireClient::connect(cluster.port(leader));
    client.send(&produce_request(0, 1, records(-1, -1, &["x", "y"])), 9);
    let mut latest = latest_offset(&mut client, 1);
    for _ in 0..200 {
        if latest == 2 {
            break;
        }
        thread::sleep(std::time::Duration::from_millis(10));
        latest = latest_offset(&mut client, 1);
    }
    assert_eq!(latest, 2);
}

/// A request to a broker that does not lead the partition is answered
/// NOT_LEADER_OR_FOLLOWER by the simulated broker, as Kafka's would.
#[test]
fn a_follower_refuses_produce() {
    let cluster = LiveCluster::start();
    let leader = cluster.leader(0);
    let follower = cluster.ports.iter().map(|(b, _)| *b).find(|&b| b != leader).unwrap();
    let mut client = WireClient::connect(cluster.port(follower));
    let response = client.call(&produce_request(1, 0, records(-1, -1, &["k"])), 9);
    assert_eq!(response.responses[0].partition_responses[0].error_code, 6);
}

/// Each kind of bad client is closed alone, as Kafka's SocketServer closes
/// it: garbage, an unknown API key, an API that is not modelled, a size over
/// socket.request.max.bytes, a request cut off by a disconnect. A client
/// that says nothing is left alone. Everyone else is served throughout.
#[test]
fn a_bad_connection_is_closed_and_the_others_are_served() {
    let cluster = LiveCluster::start();
    let mut good = cluster.client();
    let mut silent = cluster.client();

    let mut garbage = cluster.client();
    garbage.write_frame(&[0xff, 0xfe, 0, 1, 2]);
    assert!(garbage.is_closed(), "a header that does not parse");

    let mut unknown_key = cluster.client();
    let mut body = 999i16.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, 0, 0, 0, 0, 1, 0xff, 0xff]);
    unknown_key.write_frame(&body);
    assert!(unknown_key.is_closed(), "an unknown API key");

    let mut unmodelled = cluster.client();
    unmodelled.send(&CreateAclsRequest::default(), 3);
    assert!(unmodelled.is_closed(), "an API that is not advertised");

    let mut oversized = cluster.client();
    oversized.stream.write_all(&(kafkasim::live::SOCKET_REQUEST_MAX_BYTES as u32 + 1).to_be_bytes()).unwrap();
    assert!(oversized.is_closed(), "over socket.request.max.bytes, refused before reading it");

    let mut malformed = cluster.client();
    let mut body = (ApiKey::Metadata as i16).to_be_bytes().to_vec();
    body.extend_from_slice(&12i16.to_be_bytes());
    body.extend_from_slice(&5i32.to_be_bytes());
    body.extend_from_slice(&(-1i16).to_be_bytes());
    body.extend_from_slice(&[0, 0xff, 0xff, 0xff]); // a body cut short
    malformed.write_frame(&body);
    assert!(malformed.is_closed(), "a body that does not decode");

    let mut cut = cluster.client();
    cut.stream.write_all(&100u32.to_be_bytes()).unwrap();
    cut.stream.write_all(&[0, 3, 0]).unwrap();
    drop(cut);

    assert_eq!(good.call(&ApiVersionsRequest::default(), 3).error_code, 0);
    assert_eq!(silent.call(&ApiVersionsRequest::default(), 3).error_code, 0, "silence is allowed");
}

/// A thousand connections at once are all answered.
#[test]
fn a_thousand_connections_are_served() {
    let cluster = LiveCluster::start();
    let mut clients: Vec<WireClient> = (0..1000).map(|i| WireClient::connect(cluster.ports[i % 3].1)).collect();
    let sent: Vec<i32> = clients.iter_mut().map(|c| c.send(&ApiVersionsRequest::default(), 3)).collect();
    for (client, correlation_id) in clients.iter_mut().zip(sent) {
        assert_eq!(client.receive::<ApiVersionsRequest>(correlation_id, 3).error_code, 0);
    }
}

/// The demo cluster with broker 1 killed at 1 s and restarted at 3 s
/// (virtual time, paced to the wall clock): its port closes, its open
/// connection is closed, and after the restart it accepts again.
#[test]
fn a_killed_broker_closes_its_port_and_a_restart_opens_it() {
    let yaml = format!("{DEMO_CLUSTER}timeline:\n  - at: 1s\n    kill: 1\n  - at: 3s\n    restart: 1\n");
    let (tx, rx) = mpsc::channel();
    let server = thread::spawn(move || {
        let scenario = load_str("demo cluster with a kill", &yaml).unwrap();
        let world = World::new(scenario, BuildOptions::default());
        let options = ServeOptions { base_port: 0, ..ServeOptions::default() };
        let mut gateway = Gateway::bind(world, options).expect("free ports");
        tx.send((gateway.advertised().ports[0].1, gateway.stop_handle())).unwrap();
        gateway.run(&mut NullSink, &mut |_| {}).unwrap();
    });
    let (port, stop) = rx.recv().unwrap();
    let connect = || std::net::TcpStream::connect(("127.0.0.1", port));
    let mut held = connect().expect("broker 1 listens while up");
    held.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    // Polled every 20 ms, for at most 20 s.
    let wait_until = |what: &str, done: &dyn Fn() -> bool| {
        for _ in 0..1000 {
            if done() {
                return;
            }
            thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("{what} within 20 s");
    };
    wait_until("the port closes", &|| connect().is_err());
    let mut buffer = [0u8; 1];
    let read = std::io::Read::read(&mut held, &mut buffer);
    assert!(matches!(read, Ok(0) | Err(_)), "the open connection is closed: {read:?}");
    wait_until("the port opens again", &|| connect().is_ok());
    let mut client = WireClient::connect(port);
    assert_eq!(client.call(&ApiVersionsRequest::default(), 3).error_code, 0, "and serves");
    stop.stop();
    server.join().unwrap();
}

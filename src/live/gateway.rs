//! The gateway: one TCP listener per simulated broker, a reader and a writer
//! thread per connection, and one loop that owns the world.
//!
//! Sockets live in the threads; the world is touched only by the loop,
//! which paces virtual time to the wall clock, turns each frame into the
//! simulator's request from that connection's actor (`NodeId::LiveClient`),
//! and writes back what the broker answered. Like Kafka's `SocketServer`, a
//! connection has one request in the broker at a time (Kafka mutes the
//! channel until the response is sent), so answers come back in request
//! order. A connection that breaks the protocol is closed; the others are
//! served on.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use super::delivery;
use super::frame::{FrameError, read_frame};
use super::pacing::Pacer;
use super::requests::{self, Context, Decoded, Pending};
use super::responses::{self, Advertised};
use crate::ids::{BrokerId, Names, NodeId};
use crate::protocol::Message;
use crate::trace::TraceSink;
use crate::world::{SimError, World};

/// Kafka's default `connections.max.idle.ms`: a connection silent this long is closed.
pub const CONNECTIONS_MAX_IDLE_MS: u64 = 600_000;

/// How the gateway listens and paces.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address to listen on and advertise (loopback unless asked).
    pub bind: IpAddr,
    /// Broker `n` listens on `base_port + n - 1`; 0 takes free ports.
    pub base_port: u16,
    /// Virtual seconds per wall second.
    pub speed: f64,
    /// `socket.request.max.bytes`.
    pub max_request_bytes: usize,
    /// `connections.max.idle.ms`.
    pub idle_timeout_ms: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: IpAddr::from([127, 0, 0, 1]),
            base_port: 9092,
            speed: 1.0,
            max_request_bytes: super::frame::SOCKET_REQUEST_MAX_BYTES,
            idle_timeout_ms: CONNECTIONS_MAX_IDLE_MS,
        }
    }
}

/// What the socket threads tell the loop.
enum NetEvent {
    Accepted { broker: BrokerId, stream: TcpStream },
    Frame { connection: u32, body: Vec<u8> },
    Closed { connection: u32, reason: String },
}

struct Connection {
    broker: BrokerId,
    /// For shutting the socket down from the loop.
    stream: TcpStream,
    writer: Sender<Vec<u8>>,
    /// Frames read but not yet handed to the broker.
    queue: VecDeque<Vec<u8>>,
    /// The request in the broker, whose answer the connection waits for.
    waiting: Option<Pending>,
    next_correlation_id: u64,
}

/// A running gateway: its listeners and the loop's state.
pub struct Gateway {
    world: World,
    names: Arc<Names>,
    /// Each topic's partition count, by topic id.
    partitions: Vec<u32>,
    options: ServeOptions,
    advertised: Advertised,
    events: Receiver<NetEvent>,
    sender: Sender<NetEvent>,
    connections: BTreeMap<u32, Connection>,
    /// Per broker: whether its port is open (it is, while the broker is up).
    listening: BTreeMap<BrokerId, Arc<AtomicBool>>,
    stop: Arc<AtomicBool>,
}

/// Stops a gateway from another thread.
#[derive(Clone)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Small stacks: a thread per socket direction, possibly a thousand sockets.
const SOCKET_THREAD_STACK_BYTES: usize = 256 * 1024;

/// How often the loop wakes with nothing to read, to move virtual time on.
const TICK: Duration = Duration::from_millis(2);

impl Gateway {
    /// Opens a listener for every broker of `world`.
    pub fn bind(world: World, options: ServeOptions) -> std::io::Result<Gateway> {
        let (sender, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let brokers: Vec<BrokerId> = world.brokers.iter().map(|b| b.id).collect();
        let mut ports = Vec::new();
        let mut listening = BTreeMap::new();
        for broker in brokers {
            let port = if options.base_port == 0 { 0 } else { options.base_port + (broker.0 as u16 - 1) };
            let listener = TcpListener::bind(SocketAddr::new(options.bind, port)).map_err(|e| {
                std::io::Error::new(e.kind(), format!("broker {broker} cannot listen on {}:{port}: {e}", options.bind))
            })?;
            listener.set_nonblocking(true)?;
            ports.push((broker, listener.local_addr()?.port()));
            let up = Arc::new(AtomicBool::new(world.broker_is_up(broker)));
            listening.insert(broker, up.clone());
            let (sender, stop) = (sender.clone(), stop.clone());
            thread::Builder::new()
                .name(format!("broker-{broker}-listener"))
                .stack_size(SOCKET_THREAD_STACK_BYTES)
                .spawn(move || accept_loop(broker, listener, up, stop, sender))?;
        }
        let advertised = Advertised { host: options.bind.to_string(), ports };
        Ok(Gateway {
            names: world.names.clone(),
            partitions: world.scenario.topics.iter().map(|t| t.partitions).collect(),
            world,
            options,
            advertised,
            events,
            sender,
            connections: BTreeMap::new(),
            listening,
            stop,
        })
    }

    /// Where each broker listens.
    pub fn advertised(&self) -> &Advertised {
        &self.advertised
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Serves until stopped or the world ends; `note` hears about
    /// connections, in words.
    pub fn run(&mut self, sink: &mut dyn TraceSink, note: &mut dyn FnMut(String)) -> Result<(), SimError> {
        let pacer = Pacer::start(self.world.now, self.options.speed);
        while !self.stop.load(Ordering::SeqCst) && !self.world.finished {
            let first = match self.events.recv_timeout(TICK) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            self.world.advance_to(pacer.now(), sink)?;
            self.follow_brokers(note);
            self.answer(sink, note);
            let mut event = first;
            while let Some(e) = event {
                self.on_event(e, sink, note);
                event = self.events.try_recv().ok();
            }
            self.answer(sink, note);
        }
        for (_, connection) in std::mem::take(&mut self.connections) {
            let _ = connection.stream.shutdown(Shutdown::Both);
        }
        Ok(())
    }

    /// A broker that died closes its port and its connections, as a killed
    /// Kafka process does; one that restarted listens again.
    fn follow_brokers(&mut self, note: &mut dyn FnMut(String)) {
        for (&broker, listening) in &self.listening {
            let up = self.world.broker_is_up(broker);
            if listening.swap(up, Ordering::SeqCst) != up {
                note(format!(
                    "broker {broker} {} its port",
                    if up { "restarted: it opens" } else { "died: it closes" }
                ));
            }
        }
        let dead: Vec<u32> =
            self.connections.iter().filter(|(_, c)| !self.world.broker_is_up(c.broker)).map(|(&id, _)| id).collect();
        for connection in dead {
            self.close(connection, "its broker is down", note);
        }
    }

    fn on_event(&mut self, event: NetEvent, sink: &mut dyn TraceSink, note: &mut dyn FnMut(String)) {
        match event {
            NetEvent::Accepted { broker, stream } => self.accept(broker, stream, note),
            NetEvent::Frame { connection, body } => {
                if let Some(c) = self.connections.get_mut(&connection) {
                    c.queue.push_back(body);
                    self.pump(connection, sink, note);
                }
            }
            NetEvent::Closed { connection, reason } => {
                if self.connections.contains_key(&connection) {
                    self.close(connection, &reason, note);
                }
            }
        }
    }

    fn accept(&mut self, broker: BrokerId, stream: TcpStream, note: &mut dyn FnMut(String)) {
        if !self.world.broker_is_up(broker) {
            let _ = stream.shutdown(Shutdown::Both); // accepted just as the broker died
            return;
        }
        let NodeId::LiveClient(connection) = self.world.open_live_connection() else {
            return;
        };
        let peer = stream.peer_addr().map_or_else(|_| "?".to_string(), |a| a.to_string());
        let idle = Duration::from_millis(self.options.idle_timeout_ms);
        let (Ok(reader), Ok(writer_stream)) = (stream.try_clone(), stream.try_clone()) else {
            self.world.close_live_connection(NodeId::LiveClient(connection));
            return;
        };
        let _ = reader.set_read_timeout(Some(idle));
        let (writer, outgoing) = mpsc::channel::<Vec<u8>>();
        let max = self.options.max_request_bytes;
        let sender = self.sender.clone();
        let spawned = thread::Builder::new()
            .name(format!("connection-{connection}-reader"))
            .stack_size(SOCKET_THREAD_STACK_BYTES)
            .spawn(move || read_loop(connection, reader, max, sender))
            .and_then(|_| {
                thread::Builder::new()
                    .name(format!("connection-{connection}-writer"))
                    .stack_size(SOCKET_THREAD_STACK_BYTES)
                    .spawn(move || write_loop(writer_stream, outgoing))
            });
        if spawned.is_err() {
            let _ = stream.shutdown(Shutdown::Both);
            self.world.close_live_connection(NodeId::LiveClient(connection));
            note(format!("connection from {peer} to broker {broker} refused: no thread for it"));
            return;
        }
        note(format!("client connection {connection} from {peer} to broker {broker}"));
        self.connections.insert(
            connection,
            Connection { broker, stream, writer, queue: VecDeque::new(), waiting: None, next_correlation_id: 0 },
        );
    }

    /// Topics created while serving: the names and partition counts the
    /// gateway decodes with follow the world's.
    fn follow_topics(&mut self) {
        if self.names.topics.len() != self.world.names.topics.len() {
            self.names = self.world.names.clone();
            self.partitions = self.world.scenario.topics.iter().map(|t| t.partitions).collect();
        }
    }

    /// Hands the connection's next frames to its broker, one request at a time.
    fn pump(&mut self, connection: u32, sink: &mut dyn TraceSink, note: &mut dyn FnMut(String)) {
        loop {
            self.follow_topics();
            let Some(c) = self.connections.get_mut(&connection) else { return };
            if c.waiting.is_some() {
                return;
            }
            let Some(body) = c.queue.pop_front() else { return };
            c.next_correlation_id += 1;
            let (broker, correlation_id) = (c.broker, c.next_correlation_id);
            match requests::decode(body, &self.names, &self.partitions, correlation_id) {
                Decoded::Forward { mut message, mut pending } => {
                    let sent = delivery::number_records(&mut self.world, connection, &mut message);
                    let acks_zero = pending.is_none();
                    if let Some(Pending { context: Context::Produce { sent: waiting_for, .. }, .. }) = pending.as_mut()
                    {
                        waiting_for.clone_from(&sent);
                    }
                    if let Some(c) = self.connections.get_mut(&connection) {
                        c.waiting = pending;
                    }
                    let client = NodeId::LiveClient(connection);
                    self.world.send_live_request(client, broker, message, sink);
                    if acks_zero {
                        // acks=0: the producer counts a record sent as acknowledged.
                        for (tp, batch) in sent {
                            self.world.acknowledge_live(tp, -1, batch, sink);
                        }
                    }
                }
                Decoded::Answer(pending) => {
                    let frame = responses::encode(&pending, None, &self.names, &self.advertised);
                    if let (Some(frame), Some(c)) = (frame, self.connections.get(&connection)) {
                        let _ = c.writer.send(frame);
                    }
                }
                Decoded::Close(reason) => {
                    self.close(connection, &reason, note);
                    return;
                }
            }
        }
    }

    /// Writes what the brokers answered to their connections.
    fn answer(&mut self, sink: &mut dyn TraceSink, note: &mut dyn FnMut(String)) {
        loop {
            self.follow_topics();
            let responses = self.world.take_live_responses();
            if responses.is_empty() {
                return;
            }
            for response in responses {
                let connection = response.connection;
                let Some(c) = self.connections.get_mut(&connection) else { continue };
                let mut acknowledged = Vec::new();
                match response.message {
                    Message::Disconnected { .. } | Message::ConnectionReset => {
                        let reason = format!("broker {} is down", c.broker);
                        self.close(connection, &reason, note);
                        continue;
                    }
                    Message::TcpAck { .. } => continue,
                    message => {
                        let awaited = c.waiting.as_ref().map(|p| p.sim_correlation_id);
                        if awaited.is_none() || responses::answer_correlation_id(&message) != awaited {
                            continue; // an answer to a request the connection no longer waits on
                        }
                        let Some(pending) = c.waiting.take() else { continue };
                        if let (Message::ProduceResponse(r), Context::Produce { sent, .. }) =
                            (&message, &pending.context)
                        {
                            acknowledged = delivery::acknowledged(sent, r);
                        }
                        match responses::encode(&pending, Some(message), &self.names, &self.advertised) {
                            Some(frame) => {
                                let _ = c.writer.send(frame);
                            }
                            // Not the answer awaited: keep waiting for it.
                            None => {
                                c.waiting = Some(pending);
                                acknowledged.clear();
                            }
                        }
                    }
                }
                for (tp, base_offset, batch) in acknowledged {
                    self.world.acknowledge_live(tp, base_offset, batch, sink);
                }
                self.pump(connection, sink, note);
            }
        }
    }

    fn close(&mut self, connection: u32, reason: &str, note: &mut dyn FnMut(String)) {
        if let Some(c) = self.connections.remove(&connection) {
            let _ = c.stream.shutdown(Shutdown::Both);
            self.world.close_live_connection(NodeId::LiveClient(connection));
            note(format!("client connection {connection} to broker {} closed: {reason}", c.broker));
        }
    }
}

/// Accepts connections while the broker is up; while it is down the port
/// is closed (connections are refused), and opened again on restart. The
/// listener is polled, so the thread also sees the gateway stop.
fn accept_loop(
    broker: BrokerId,
    listener: TcpListener,
    up: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    sender: Sender<NetEvent>,
) {
    const POLL: Duration = Duration::from_millis(5);
    let Ok(address) = listener.local_addr() else { return };
    let mut listener = Some(listener);
    while !stop.load(Ordering::SeqCst) {
        match (listener.is_some(), up.load(Ordering::SeqCst)) {
            (true, false) => listener = None,
            (false, true) => {
                listener = TcpListener::bind(address).ok().filter(|l| l.set_nonblocking(true).is_ok());
            }
            _ => {}
        }
        let Some(open) = &listener else {
            thread::sleep(POLL);
            continue;
        };
        match open.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_nodelay(true);
                if sender.send(NetEvent::Accepted { broker, stream }).is_err() {
                    return; // the gateway stopped
                }
            }
            Err(_) => thread::sleep(POLL),
        }
    }
}

fn read_loop(connection: u32, mut stream: TcpStream, max_bytes: usize, sender: Sender<NetEvent>) {
    loop {
        match read_frame(&mut stream, max_bytes) {
            Ok(body) => {
                if sender.send(NetEvent::Frame { connection, body }).is_err() {
                    return;
                }
            }
            Err(e) => {
                let reason = match e {
                    FrameError::Io(ref io)
                        if matches!(io.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                    {
                        "idle longer than connections.max.idle.ms".to_string()
                    }
                    other => other.to_string(),
                };
                let _ = sender.send(NetEvent::Closed { connection, reason });
                return;
            }
        }
    }
}

fn write_loop(mut stream: TcpStream, outgoing: Receiver<Vec<u8>>) {
    for frame in outgoing {
        if stream.write_all(&frame).is_err() {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    }
}

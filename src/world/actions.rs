//! Timeline actions: narration, clients starting and stopping, faults.

use super::{Event, HostStatus, World};
use crate::actor::Ctx;
use crate::client::consumer::ConsumerPhase;
use crate::ids::{Host, NodeId};
use crate::protocol::Message;
use crate::scenario::{Action, ClientRef, HostName};
use crate::trace::TraceEvent;

impl World {
    pub(super) fn host_of(&self, name: HostName) -> Host {
        match name {
            HostName::Broker(b) => Host::Broker(b),
            HostName::Controller(c) => Host::Controller(c),
            HostName::Client(ClientRef::Producer(p)) => Host::Producer(p),
            HostName::Client(ClientRef::Consumer(c)) => Host::Consumer(c),
            HostName::SchemaRegistry => Host::SchemaRegistry,
        }
    }

    fn client_label(&self, client: ClientRef) -> String {
        match client {
            ClientRef::Producer(p) => self.names.producer(p).to_string(),
            ClientRef::Consumer(c) => self.names.consumer(c).to_string(),
        }
    }

    pub(super) fn is_alive(&self, host: Host) -> bool {
        self.hosts.get(&host).is_some_and(|s| s.alive)
    }

    /// Brings a host up; a host that had been down starts a new life.
    fn bring_up(&mut self, host: Host) {
        let status = self.hosts.entry(host).or_insert(HostStatus { alive: false, incarnation: 0 });
        if !status.alive {
            status.alive = true;
            status.incarnation += 1;
        }
    }

    fn take_down(&mut self, host: Host) {
        if let Some(status) = self.hosts.get_mut(&host) {
            status.alive = false;
        }
    }

    pub(super) fn apply_action(&mut self, action: &Action) {
        match action {
            Action::Say(text) => self.effects.trace.push(TraceEvent::Say { text: text.clone() }),
            Action::Start(client) => self.start_client(*client),
            Action::Stop(client) => {
                let label = self.client_label(*client);
                let mut ctx = Ctx::new(self.now, client_node(*client), &mut self.effects);
                match *client {
                    ClientRef::Producer(p) => self.producers[p.0 as usize].close(&mut ctx),
                    ClientRef::Consumer(c) => self.consumers[c.0 as usize].stop(&mut ctx),
                }
                self.effects.trace.push(TraceEvent::Action { text: format!("{label} is stopped cleanly (close())") });
                if let ClientRef::Consumer(c) = *client {
                    // close() sends its last commit and LeaveGroup before the
                    // process exits: they leave while the host is still up.
                    self.send_pending_messages();
                    self.take_down(Host::Consumer(c));
                }
            }
            Action::Crash(client) => {
                let host = self.host_of(HostName::Client(*client));
                self.take_down(host);
                let mut ctx = Ctx::new(self.now, client_node(*client), &mut self.effects);
                match *client {
                    ClientRef::Producer(p) => self.producers[p.0 as usize].crash(),
                    ClientRef::Consumer(c) => self.consumers[c.0 as usize].crash(&mut ctx),
                }
                self.effects.trace.push(TraceEvent::HostState {
                    host,
                    state: "crashes: its process is gone, nothing is closed cleanly".to_string(),
                });
            }
            Action::Kill(target) => self.kill(self.host_of(*target)),
            Action::KillHost(target) => {
                let host = self.host_of(*target);
                // Off the network first: the dying machine resets nobody's connection.
                self.network.set_isolated(host, true);
                self.kill(host);
                self.effects.trace.push(TraceEvent::HostState {
                    host,
                    state: "is gone with its machine: no connection is reset, peers learn only from timeouts"
                        .to_string(),
                });
            }
            Action::Link(a, b, conditions) => self.set_link(*a, *b, *conditions),
            Action::Pause(consumer, paused) => {
                let mut ctx = Ctx::new(self.now, NodeId::Consumer(*consumer), &mut self.effects);
                self.consumers[consumer.0 as usize].set_paused(&mut ctx, *paused);
            }
            Action::Restart(target) => self.restart(self.host_of(*target)),
            Action::PreferredElection => {
                self.effects.trace.push(TraceEvent::Action {
                    text: "preferred leader election requested (kafka-leader-election --election-type PREFERRED)"
                        .to_string(),
                });
                if let Some(active) = self.controller.active {
                    let mut ctx = Ctx::new(self.now, NodeId::Controller(active), &mut self.effects);
                    self.controller.elect_preferred_leaders(&mut ctx);
                }
            }
            Action::Cut(groups) => {
                let hosts: Vec<Vec<Host>> =
                    groups.iter().map(|g| g.iter().map(|&h| self.host_of(h)).collect()).collect();
                self.network.cut(&hosts);
                let text = hosts
                    .iter()
                    .map(|g| g.iter().map(|&h| self.names.host(h)).collect::<Vec<_>>().join(", "))
                    .map(|g| format!("[{g}]"))
                    .collect::<Vec<_>>()
                    .join(" | ");
                self.effects
                    .trace
                    .push(TraceEvent::Action { text: format!("network cut: {text} can no longer reach each other") });
                self.reconsider_controller();
            }
            Action::Heal => {
                self.network.heal();
                self.effects
                    .trace
                    .push(TraceEvent::Action { text: "network healed: every host reaches every other".to_string() });
                self.reconsider_controller();
            }
            Action::CreateTopic(topic) => self.send_create_topic(topic),
            Action::Evolve { client, value_schema, key_schema, value } => {
                self.evolve(*client, value_schema.clone(), key_schema.clone(), value.clone());
            }
            Action::Slow(name, extra) => {
                let host = self.host_of(*name);
                self.network.set_slow(host, *extra);
                let label = self.names.host(host);
                self.effects.trace.push(TraceEvent::Action {
                    text: if extra.is_zero() {
                        format!("{label} is fast again")
                    } else {
                        format!("{label} is slowed: +{extra} on every message")
                    },
                });
            }
        }
    }

    fn start_client(&mut self, client: ClientRef) {
        let host = self.host_of(HostName::Client(client));
        // A consumer whose application stopped on an exception can be started again.
        let failed =
            matches!(client, ClientRef::Consumer(c) if self.consumers[c.0 as usize].phase == ConsumerPhase::Failed);
        if self.is_alive(host) && !failed {
            return;
        }
        if failed {
            // A new process: timers of the old one must not fire.
            self.take_down(host);
        }
        self.bring_up(host);
        let label = self.client_label(client);
        self.effects.trace.push(TraceEvent::Action { text: format!("{label} starts") });
        let mut ctx = Ctx::new(self.now, client_node(client), &mut self.effects);
        match client {
            ClientRef::Producer(p) => self.producers[p.0 as usize].start(&mut ctx),
            ClientRef::Consumer(c) => self.consumers[c.0 as usize].start(&mut ctx),
        }
    }

    /// A broker or controller process dies: its memory is lost, its disk kept,
    /// and every TCP connection to it is reset (peers notice at once, unless a
    /// cut hides it).
    fn kill(&mut self, host: Host) {
        if !self.is_alive(host) {
            return;
        }
        self.take_down(host);
        if let Host::Broker(b) = host {
            self.brokers[(b.0 - 1) as usize].crash();
        }
        if let (Host::SchemaRegistry, Some(registry)) = (host, self.registry.as_mut()) {
            registry.crash();
        }
        self.effects.trace.push(TraceEvent::HostState {
            host,
            state: "is killed: its process is gone; what it wrote to disk survives".to_string(),
        });
        let from = match host {
            Host::Broker(b) => NodeId::Broker(b),
            Host::Controller(c) => NodeId::Controller(c),
            Host::SchemaRegistry => NodeId::SchemaRegistry,
            _ => return,
        };
        let peers: Vec<(NodeId, u32)> = self
            .hosts
            .iter()
            .filter(|(h, s)| s.alive && **h != host && !self.network.is_cut(host, **h))
            .map(|(&h, s)| (node_on(h), s.incarnation))
            .collect();
        let at = self.now + self.network.latency;
        let from_incarnation = self.hosts[&host].incarnation;
        for (node, incarnation) in peers {
            self.queue.push(
                at,
                Event::Deliver {
                    from,
                    to: node,
                    from_incarnation,
                    to_incarnation: incarnation,
                    message: Box::new(Message::ConnectionReset),
                },
            );
        }
        self.reconsider_controller();
    }

    fn restart(&mut self, host: Host) {
        if self.is_alive(host) {
            return;
        }
        // A machine that died comes back on the network with its process.
        self.network.set_isolated(host, false);
        self.bring_up(host);
        self.effects.trace.push(TraceEvent::HostState { host, state: "restarts with what it had on disk".to_string() });
        if let Host::Broker(b) = host {
            let broker = &mut self.brokers[(b.0 - 1) as usize];
            let mut ctx = Ctx::new(self.now, NodeId::Broker(b), &mut self.effects);
            broker.startup(&mut ctx, false);
        }
        if let (Host::SchemaRegistry, Some(registry)) = (host, self.registry.as_mut()) {
            let mut ctx = Ctx::new(self.now, NodeId::SchemaRegistry, &mut self.effects);
            registry.start(&mut ctx);
        }
        self.reconsider_controller();
    }
}

impl World {
    /// Sets link conditions, and says so in the trace.
    fn set_link(&mut self, a: HostName, b: Option<HostName>, conditions: crate::net::LinkConditions) {
        let a = self.host_of(a);
        let b = b.map(|b| self.host_of(b));
        let key = match b {
            Some(b) => crate::net::LinkKey::pair(a, b),
            None => crate::net::LinkKey::Host(a),
        };
        self.network.set_conditions(key, conditions);
        let (links, are) = match b {
            Some(b) => (format!("the link between {} and {}", self.names.host(a), self.names.host(b)), "is"),
            None => (format!("{}'s links", self.names.host(a)), "are"),
        };
        let text = if conditions.is_clear() {
            format!("{links} {are} clear again")
        } else {
            let mut parts = Vec::new();
            if !conditions.latency.is_zero() {
                parts.push(format!("+{} latency", conditions.latency));
            }
            if !conditions.jitter.is_zero() {
                parts.push(format!("±{} jitter", conditions.jitter));
            }
            if conditions.loss > 0.0 {
                parts.push(format!("{}% loss (resent by TCP)", conditions.loss * 100.0));
            }
            if let Some(bandwidth) = conditions.bandwidth_bytes_per_sec {
                parts.push(format!("{bandwidth} bytes/s"));
            }
            format!("{links}: {}", parts.join(", "))
        };
        self.effects.trace.push(TraceEvent::Action { text });
    }
}

fn client_node(client: ClientRef) -> NodeId {
    match client {
        ClientRef::Producer(p) => NodeId::Producer(p),
        ClientRef::Consumer(c) => NodeId::Consumer(c),
    }
}

/// The actor running on a host.
fn node_on(host: Host) -> NodeId {
    match host {
        Host::Broker(b) => NodeId::Broker(b),
        Host::Controller(c) => NodeId::Controller(c),
        Host::Producer(p) => NodeId::Producer(p),
        Host::Consumer(c) => NodeId::Consumer(c),
        Host::SchemaRegistry => NodeId::SchemaRegistry,
        Host::LiveClient(c) => NodeId::LiveClient(c),
        Host::Admin => NodeId::Admin,
    }
}

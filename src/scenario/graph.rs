//! The architecture a scenario describes, as a graph: producers write to
//! topics, topics live on the cluster's brokers, consumer groups (and
//! consumers without a group) read them. `kafkasim graph` prints it as text
//! or as Graphviz DOT; the book draws chapter 1's pictures from it.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::Scenario;

/// A box in the picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Producer(String),
    Topic {
        name: String,
        partitions: u32,
        replication_factor: u32,
    },
    /// A consumer group and its members.
    Group {
        name: String,
        members: Vec<String>,
    },
    /// A consumer that assigns itself partitions, outside any group.
    Consumer(String),
}

/// What an arrow means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// A producer writes to a topic.
    Writes,
    /// A topic is read by a group or a consumer.
    ReadBy,
}

/// The scenario's producers, topics and readers, with their arrows.
/// Internal topics are left out: they are Kafka's business, not the
/// application's.
pub fn architecture(scenario: &Scenario) -> DiGraph<Node, Edge> {
    let mut graph = DiGraph::new();
    let topics: Vec<Option<NodeIndex>> = scenario
        .topics
        .iter()
        .map(|t| {
            (!t.internal).then(|| {
                graph.add_node(Node::Topic {
                    name: t.name.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                })
            })
        })
        .collect();
    for p in &scenario.producers {
        let producer = graph.add_node(Node::Producer(p.name.clone()));
        if let Some(topic) = topics[p.topic.0 as usize] {
            graph.add_edge(producer, topic, Edge::Writes);
        }
    }
    let mut groups: Vec<(String, NodeIndex)> = Vec::new();
    for c in &scenario.consumers {
        let mut read: Vec<usize> = c.topics.iter().map(|t| t.0 as usize).collect();
        read.extend(c.assign.iter().map(|tp| tp.topic.0 as usize));
        read.sort_unstable();
        read.dedup();
        let reader = match &c.group {
            Some(group) => match groups.iter().find(|(g, _)| g == group) {
                Some(&(_, node)) => {
                    if let Node::Group { members, .. } = &mut graph[node] {
                        members.push(c.name.clone());
                    }
                    node
                }
                None => {
                    let node = graph.add_node(Node::Group { name: group.clone(), members: vec![c.name.clone()] });
                    groups.push((group.clone(), node));
                    node
                }
            },
            None => graph.add_node(Node::Consumer(c.name.clone())),
        };
        for topic in read.into_iter().filter_map(|t| topics[t]) {
            if graph.find_edge(topic, reader).is_none() {
                graph.add_edge(topic, reader, Edge::ReadBy);
            }
        }
    }
    graph
}

fn label(node: &Node) -> String {
    match node {
        Node::Producer(name) => format!("producer {name}"),
        Node::Topic { name, partitions, replication_factor } => {
            format!("topic {name} ({partitions} partition(s), replication factor {replication_factor})")
        }
        Node::Group { name, members } => format!("group {name}: {}", members.join(", ")),
        Node::Consumer(name) => format!("consumer {name} (no group)"),
    }
}

/// The picture as text: one block per topic, writers above, readers below.
pub fn to_text(scenario: &Scenario, graph: &DiGraph<Node, Edge>) -> String {
    let controllers = match scenario.controllers {
        1 => "1 controller".to_string(),
        n => format!("{n} controllers"),
    };
    let mut out = format!("cluster: {} broker(s), {controllers} (KRaft)\n", scenario.brokers);
    for topic in graph.node_indices().filter(|&n| matches!(graph[n], Node::Topic { .. })) {
        out.push('\n');
        // In the scenario's order (petgraph lists the newest edge first).
        let mut sources: Vec<NodeIndex> =
            graph.edges_directed(topic, Direction::Incoming).map(|e| e.source()).collect();
        let mut targets: Vec<NodeIndex> =
            graph.edges_directed(topic, Direction::Outgoing).map(|e| e.target()).collect();
        sources.sort();
        targets.sort();
        let writers: Vec<String> = sources.into_iter().map(|n| label(&graph[n])).collect();
        let readers: Vec<String> = targets.into_iter().map(|n| label(&graph[n])).collect();
        for w in &writers {
            out.push_str(&format!("  {w}\n      │ writes\n      ▼\n"));
        }
        out.push_str(&format!("  {}\n", label(&graph[topic])));
        for (i, r) in readers.iter().enumerate() {
            let branch = if i + 1 == readers.len() { "└" } else { "├" };
            if i == 0 {
                out.push_str("      │ read by\n");
            }
            out.push_str(&format!("      {branch}──▶ {r}\n"));
        }
        if readers.is_empty() {
            out.push_str("      (nobody reads it)\n");
        }
    }
    out
}

/// The picture in Graphviz DOT: `kafkasim graph S --format dot | dot -Tsvg`.
pub fn to_dot(scenario: &Scenario, graph: &DiGraph<Node, Edge>) -> String {
    let mut out = String::from("digraph kafkasim {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    out.push_str(&format!(
        "  subgraph cluster_kafka {{\n    label=\"Kafka cluster: {} broker(s)\";\n    style=rounded;\n",
        scenario.brokers
    ));
    for n in graph.node_indices() {
        if let Node::Topic { .. } = graph[n] {
            out.push_str(&format!("    n{} [shape=cylinder, label=\"{}\"];\n", n.index(), escape(&label(&graph[n]))));
        }
    }
    out.push_str("  }\n");
    for n in graph.node_indices() {
        let shape = match graph[n] {
            Node::Topic { .. } => continue,
            Node::Producer(_) => "box",
            Node::Group { .. } => "box3d",
            Node::Consumer(_) => "box",
        };
        out.push_str(&format!("  n{} [shape={shape}, label=\"{}\"];\n", n.index(), escape(&label(&graph[n]))));
    }
    for e in graph.edge_references() {
        let what = match e.weight() {
            Edge::Writes => "writes",
            Edge::ReadBy => "read by",
        };
        out.push_str(&format!("  n{} -> n{} [label=\"{what}\"];\n", e.source().index(), e.target().index()));
    }
    out.push_str("}\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{builtin, load_str};

    fn scenario(name: &str) -> Scenario {
        load_str(name, builtin::find(name).expect("built-in")).expect("loads")
    }

    #[test]
    fn a_group_is_one_reader_with_its_members() {
        let s = scenario("third-consumer-idle");
        let graph = architecture(&s);
        let groups: Vec<&Node> = graph.node_weights().filter(|n| matches!(n, Node::Group { .. })).collect();
        assert_eq!(groups.len(), 1);
        let Node::Group { members, .. } = groups[0] else { unreachable!() };
        assert_eq!(members, &["c1", "c2", "c3"]);
        assert_eq!(graph.edge_count(), 2, "producer → topic → group");
        let text = to_text(&s, &graph);
        assert!(text.contains("└──▶ group"), "{text}");
    }

    #[test]
    fn two_groups_read_the_same_topic() {
        let s = scenario("rebalance-eager-vs-cooperative");
        let graph = architecture(&s);
        let readers = graph.edge_weights().filter(|e| **e == Edge::ReadBy).count();
        assert_eq!(readers, 2);
        let dot = to_dot(&s, &graph);
        assert!(dot.starts_with("digraph kafkasim {") && dot.trim_end().ends_with('}'));
        assert_eq!(dot.matches(" -> ").count(), graph.edge_count());
    }
}

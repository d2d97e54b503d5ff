//! `Topology#describe()`, printed character for character as Kafka's
//! `InternalTopologyBuilder.TopologyDescription.toString()` prints it.
//!
//! Within a sub-topology, nodes are ordered by Kafka's `NodeComparator`:
//! larger sub-tree first — a node's size is one plus the sizes of its
//! successors — then by name. Each node's successor and predecessor lists
//! are `TreeSet`s with the same comparator, but Kafka fills them while the
//! sizes are still growing (`describeSubtopology` connects nodes in the
//! iteration order of a `java.util.HashMap` of their names, adding each
//! successor's size to its ancestors as it goes), and a `TreeSet` never
//! re-sorts: so the lists keep the order the sizes had when each entry went
//! in. That is reproduced here, with Java's hash order from
//! `group::assignor::java_hash_map`; sub-topologies and global stores
//! interleave by id.
//!
//! Simplification: an entry is placed before the first one that compares
//! greater at insertion time (a list, not a red-black tree), which matches a
//! `TreeSet` whenever a node has at most two successors or predecessors.

use super::{NodeIdx, NodeKind, Topology};
use crate::group::assignor::java_hash_map::java_hash_order;

/// The description Kafka prints for this topology.
pub fn describe(topology: &Topology) -> String {
    let lists = connect(topology);
    let sizes = &lists.sizes;
    let mut out = String::from("Topologies:\n ");
    let mut subs = topology.subtopologies.iter().peekable();
    let mut globals = topology.global_stores.iter().peekable();
    let mut expected = 0;
    while subs.peek().is_some() || globals.peek().is_some() {
        out.push_str("  ");
        let take_sub = match (subs.peek(), globals.peek()) {
            (Some(s), Some(_)) => s.id == expected,
            (Some(_), None) => true,
            _ => false,
        };
        if take_sub {
            let sub = subs.next().expect("peeked");
            out.push_str(&format!("Sub-topology: {}\n", sub.id));
            let mut nodes = sub.nodes.clone();
            sort_nodes(topology, sizes, &mut nodes);
            for n in nodes {
                out.push_str("    ");
                out.push_str(&node_text(topology, &lists, n));
                out.push('\n');
            }
            out.push('\n');
        } else {
            let g = globals.next().expect("peeked");
            out.push_str(&format!("Sub-topology: {} for global store (will not generate tasks)\n", g.id));
            out.push_str(&format!(
                "    Source: {} (topics: [{}])\n      --> {}\n",
                topology.nodes[g.source].name, g.topic, topology.nodes[g.processor].name
            ));
            out.push_str(&format!(
                "    Processor: {} (stores: [{}])\n      --> none\n      <-- {}\n",
                topology.nodes[g.processor].name, topology.stores[g.store].name, topology.nodes[g.source].name
            ));
        }
        expected += 1;
    }
    out
}

/// The successor and predecessor lists as Kafka's `describeSubtopology`
/// fills them, and the final sub-tree sizes.
struct Lists {
    sizes: Vec<usize>,
    successors: Vec<Vec<NodeIdx>>,
    predecessors: Vec<Vec<NodeIdx>>,
}

fn connect(topology: &Topology) -> Lists {
    let n = topology.nodes.len();
    let mut lists = Lists { sizes: vec![1; n], successors: vec![Vec::new(); n], predecessors: vec![Vec::new(); n] };
    let groups = topology.subtopologies.iter().map(|s| s.nodes.clone());
    for nodes in groups {
        let names: Vec<String> = nodes.iter().map(|&i| topology.nodes[i].name.clone()).collect();
        // The group's HashSet of names, copied into the HashMap nodesByName.
        let order = java_hash_order(&java_hash_order(&names));
        for name in order {
            let node = topology.node(&name).expect("a node of the group");
            for &pred in &topology.nodes[node].predecessors {
                insert(topology, &lists.sizes, &mut lists.predecessors[node], pred);
                insert(topology, &lists.sizes, &mut lists.successors[pred], node);
                let delta = lists.sizes[node];
                update_size(&mut lists, pred, delta);
            }
        }
    }
    lists
}

/// `updateSize`: the node and every ancestor connected so far grow by `delta`.
fn update_size(lists: &mut Lists, node: NodeIdx, delta: usize) {
    lists.sizes[node] += delta;
    for pred in lists.predecessors[node].clone() {
        update_size(lists, pred, delta);
    }
}

fn insert(topology: &Topology, sizes: &[usize], list: &mut Vec<NodeIdx>, x: NodeIdx) {
    if list.contains(&x) {
        return;
    }
    let before = |a: NodeIdx, b: NodeIdx| {
        sizes[b].cmp(&sizes[a]).then_with(|| topology.nodes[a].name.cmp(&topology.nodes[b].name)).is_lt()
    };
    let at = list.iter().position(|&y| before(x, y)).unwrap_or(list.len());
    list.insert(at, x);
}

fn sort_nodes(topology: &Topology, sizes: &[usize], nodes: &mut [NodeIdx]) {
    nodes.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then_with(|| topology.nodes[a].name.cmp(&topology.nodes[b].name)));
}

fn names(topology: &Topology, list: &[NodeIdx]) -> String {
    if list.is_empty() {
        return "none".to_string();
    }
    list.iter().map(|&i| topology.nodes[i].name.as_str()).collect::<Vec<_>>().join(", ")
}

fn node_text(topology: &Topology, lists: &Lists, i: NodeIdx) -> String {
    let node = &topology.nodes[i];
    match &node.kind {
        NodeKind::Source { topic, .. } => {
            format!("Source: {} (topics: [{}])\n      --> {}", node.name, topic, names(topology, &lists.successors[i]))
        }
        NodeKind::Processor(_) => {
            // A Java HashSet of store names; every processor here has at most
            // one store except table-table joins of joins, printed sorted.
            let mut stores: Vec<&str> = node.stores.iter().map(|&s| topology.stores[s].name.as_str()).collect();
            stores.sort_unstable();
            format!(
                "Processor: {} (stores: [{}])\n      --> {}\n      <-- {}",
                node.name,
                stores.join(", "),
                names(topology, &lists.successors[i]),
                names(topology, &lists.predecessors[i])
            )
        }
        NodeKind::Sink { topic, .. } => {
            format!("Sink: {} (topic: {})\n      <-- {}", node.name, topic, names(topology, &lists.predecessors[i]))
        }
    }
}

//! A topology as a picture: a tree per sub-topology for the terminal, or
//! Graphviz DOT (`kafkasim graph SCENARIO --app ID --format dot`), with
//! topics, processors and the stores they use.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{NodeIdx, NodeKind, Topology};

/// The topology as indented trees, one per sub-topology, from its sources.
pub fn to_text(application_id: &str, topology: &Topology) -> String {
    let mut out = String::new();
    let subs = topology.subtopologies.len();
    let _ = writeln!(
        out,
        "{application_id}: {subs} sub-topolog{}{}",
        if subs == 1 { "y" } else { "ies" },
        match topology.global_stores.len() {
            0 => String::new(),
            n => format!(", {n} global store{}", if n == 1 { "" } else { "s" }),
        }
    );
    for sub in &topology.subtopologies {
        let _ = writeln!(out, "\nSub-topology {}", sub.id);
        let mut seen = BTreeSet::new();
        for &n in sub.nodes.iter().filter(|&&n| topology.nodes[n].predecessors.is_empty()) {
            tree(topology, n, 1, &mut seen, &mut out);
        }
    }
    for g in &topology.global_stores {
        let _ = writeln!(out, "\nGlobal store (sub-topology {}, no tasks)", g.id);
        let mut seen = BTreeSet::new();
        tree(topology, g.source, 1, &mut seen, &mut out);
    }
    out
}

fn label(topology: &Topology, n: NodeIdx) -> String {
    let node = &topology.nodes[n];
    let stores: Vec<&str> = node.stores.iter().map(|&s| topology.stores[s].name.as_str()).collect();
    let stores = if stores.is_empty() { String::new() } else { format!("  [store: {}]", stores.join(", ")) };
    match &node.kind {
        NodeKind::Source { topic, .. } => format!("({topic}) → {}", node.name),
        NodeKind::Processor(_) => format!("{}{stores}", node.name),
        NodeKind::Sink { topic, .. } => format!("{} → ({topic})", node.name),
    }
}

fn tree(topology: &Topology, n: NodeIdx, depth: usize, seen: &mut BTreeSet<NodeIdx>, out: &mut String) {
    let indent = "  ".repeat(depth);
    if !seen.insert(n) {
        let _ = writeln!(out, "{indent}↳ {} (see above)", topology.nodes[n].name);
        return;
    }
    let _ = writeln!(out, "{indent}{}", label(topology, n));
    for &s in &topology.nodes[n].successors {
        tree(topology, s, depth + 1, seen, out);
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The topology in Graphviz DOT: one cluster per sub-topology, topics as
/// ellipses, processors as boxes, stores as cylinders.
pub fn to_dot(application_id: &str, topology: &Topology) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(application_id));
    let _ = writeln!(out, "  rankdir=TB;\n  node [fontname=\"Helvetica\"];");
    let mut topics = BTreeSet::new();
    for node in &topology.nodes {
        match &node.kind {
            NodeKind::Source { topic, .. } | NodeKind::Sink { topic, .. } => {
                topics.insert(topic.clone());
            }
            NodeKind::Processor(_) => {}
        }
    }
    for t in &topics {
        let _ = writeln!(out, "  {} [shape=ellipse, label={}];", quote(&format!("topic:{t}")), quote(t));
    }
    let mut groups: Vec<(u32, Vec<NodeIdx>, bool)> =
        topology.subtopologies.iter().map(|s| (s.id, s.nodes.clone(), false)).collect();
    groups.extend(topology.global_stores.iter().map(|g| (g.id, vec![g.source, g.processor], true)));
    groups.sort_by_key(|g| g.0);
    for (id, nodes, global) in &groups {
        let _ = writeln!(out, "  subgraph cluster_{id} {{");
        let title = if *global { format!("Sub-topology {id} (global store)") } else { format!("Sub-topology {id}") };
        let _ = writeln!(out, "    label={};", quote(&title));
        for &n in nodes {
            let _ = writeln!(out, "    {} [shape=box];", quote(&topology.nodes[n].name));
        }
        let stores: BTreeSet<usize> = nodes.iter().flat_map(|&n| topology.nodes[n].stores.clone()).collect();
        for s in stores {
            let _ = writeln!(out, "    {} [shape=cylinder];", quote(&format!("store:{}", topology.stores[s].name)));
        }
        let _ = writeln!(out, "  }}");
    }
    for node in &topology.nodes {
        match &node.kind {
            NodeKind::Source { topic, .. } => {
                let _ = writeln!(out, "  {} -> {};", quote(&format!("topic:{topic}")), quote(&node.name));
            }
            NodeKind::Sink { topic, .. } => {
                let _ = writeln!(out, "  {} -> {};", quote(&node.name), quote(&format!("topic:{topic}")));
            }
            NodeKind::Processor(_) => {}
        }
        for &s in &node.successors {
            let _ = writeln!(out, "  {} -> {};", quote(&node.name), quote(&topology.nodes[s].name));
        }
        for &s in &node.stores {
            let _ = writeln!(
                out,
                "  {} -> {} [style=dashed, dir=both];",
                quote(&node.name),
                quote(&format!("store:{}", topology.stores[s].name))
            );
        }
    }
    out.push_str("}\n");
    out
}

//! Phase 2 of the builder: Kafka's `InternalTopologyBuilder` — sources,
//! processors, sinks and stores added in the order the graph is written,
//! then grouped into sub-topologies (`makeNodeGroups`).

use std::collections::{BTreeMap, BTreeSet};

use super::GraphKind;
use crate::streams::topology::{GlobalStore, Node, NodeIdx, NodeKind, Op, Store, StoreIdx, Subtopology, Topology};

/// Kafka's `InternalTopologyBuilder`, reduced to what describe() and the
/// runtime need.
#[derive(Default)]
pub(super) struct Writer {
    nodes: Vec<Node>,
    by_name: BTreeMap<String, NodeIdx>,
    global_sources: BTreeSet<NodeIdx>,
    global_stores: Vec<(NodeIdx, NodeIdx, StoreIdx, String)>,
    repartition_topics: Vec<String>,
}

impl Writer {
    fn add(&mut self, name: &str, kind: NodeKind, predecessors: &[String]) -> NodeIdx {
        let idx = self.nodes.len();
        let preds: Vec<NodeIdx> = predecessors.iter().filter_map(|p| self.by_name.get(p).copied()).collect();
        for &p in &preds {
            self.nodes[p].successors.push(idx);
        }
        self.nodes.push(Node {
            name: name.to_string(),
            kind,
            predecessors: preds,
            successors: Vec::new(),
            stores: Vec::new(),
            subtopology: 0,
        });
        self.by_name.insert(name.to_string(), idx);
        idx
    }

    fn connect(&mut self, processor: &str, store: StoreIdx) {
        if let Some(&n) = self.by_name.get(processor)
            && !self.nodes[n].stores.contains(&store)
        {
            self.nodes[n].stores.push(store);
        }
    }

    fn processor(&mut self, name: &str, op: Op, predecessors: &[String]) -> NodeIdx {
        self.add(name, NodeKind::Processor(op), predecessors)
    }

    pub(super) fn write(&mut self, kind: &GraphKind, parents: &[String]) {
        match kind {
            GraphKind::Root => {}
            GraphKind::StreamSource { name, topic } => {
                self.add(name, NodeKind::Source { topic: topic.clone(), repartition: false }, &[]);
            }
            GraphKind::TableSource { source, name, topic, store } => {
                self.add(source, NodeKind::Source { topic: topic.clone(), repartition: false }, &[]);
                self.processor(name, Op::TableSource { store: *store }, std::slice::from_ref(source));
                if let Some(s) = store {
                    self.connect(name, *s);
                }
            }
            GraphKind::GlobalTableSource { source, name, topic, store } => {
                let s = self.add(source, NodeKind::Source { topic: topic.clone(), repartition: false }, &[]);
                let p = self.processor(name, Op::GlobalTableSource { store: *store }, std::slice::from_ref(source));
                self.connect(name, *store);
                self.global_sources.insert(s);
                self.global_stores.push((s, p, *store, topic.clone()));
            }
            GraphKind::Processor { name, op, adds, connects } => {
                self.processor(name, op.clone(), parents);
                for &s in adds.iter().chain(connects) {
                    self.connect(name, s);
                }
            }
            GraphKind::Repartition { filter, sink, source, topic } => {
                self.repartition_topics.push(topic.clone());
                self.processor(filter, Op::Filter { predicate: None, negate: false }, parents);
                self.add(
                    sink,
                    NodeKind::Sink { topic: topic.clone(), repartition: true },
                    std::slice::from_ref(filter),
                );
                self.add(source, NodeKind::Source { topic: topic.clone(), repartition: true }, &[]);
            }
            GraphKind::Sink { name, topic } => {
                self.add(name, NodeKind::Sink { topic: topic.clone(), repartition: false }, parents);
            }
            GraphKind::StreamStreamJoin {
                this_windowed,
                other_windowed,
                this_join,
                other_join,
                merge,
                this_store,
                other_store,
            } => {
                self.processor(&this_join.0, this_join.1.clone(), std::slice::from_ref(this_windowed));
                self.processor(&other_join.0, other_join.1.clone(), std::slice::from_ref(other_windowed));
                self.processor(merge, Op::PassThrough, &[this_join.0.clone(), other_join.0.clone()]);
                // addStateStore(thisWindowStore, thisWindowed, otherJoin) and the mirror.
                self.connect(this_windowed, *this_store);
                self.connect(&other_join.0, *this_store);
                self.connect(other_windowed, *other_store);
                self.connect(&this_join.0, *other_store);
            }
            GraphKind::TableTableJoin { this_parent, other_parent, this_join, other_join, merge } => {
                self.processor(&this_join.0, this_join.1.clone(), std::slice::from_ref(this_parent));
                self.processor(&other_join.0, other_join.1.clone(), std::slice::from_ref(other_parent));
                self.processor(merge, Op::PassThrough, &[this_join.0.clone(), other_join.0.clone()]);
                for &s in &this_join.2 {
                    self.connect(&this_join.0, s);
                }
                for &s in &other_join.2 {
                    self.connect(&other_join.0, s);
                }
            }
        }
    }

    /// `makeNodeGroups`: nodes joined through predecessors or a shared
    /// store form one group; groups are numbered by their first node.
    pub(super) fn finish(mut self, stores: Vec<Store>, copartition: &[BTreeSet<String>]) -> Topology {
        let n = self.nodes.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let unite = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (root(parent, a), root(parent, b));
            if ra != rb {
                parent[rb] = ra;
            }
        };
        for i in 0..n {
            for p in self.nodes[i].predecessors.clone() {
                unite(&mut parent, i, p);
            }
        }
        let mut store_users: BTreeMap<StoreIdx, Vec<NodeIdx>> = BTreeMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            for &s in &node.stores {
                store_users.entry(s).or_default().push(i);
            }
        }
        for users in store_users.values() {
            for w in users.windows(2) {
                unite(&mut parent, w[0], w[1]);
            }
        }
        let mut group_of_root: BTreeMap<usize, u32> = BTreeMap::new();
        let mut next = 0u32;
        for i in 0..n {
            let r = root(&mut parent, i);
            let id = *group_of_root.entry(r).or_insert_with(|| {
                next += 1;
                next - 1
            });
            self.nodes[i].subtopology = id;
        }
        let global_ids: BTreeSet<u32> = self.global_sources.iter().map(|&s| self.nodes[s].subtopology).collect();
        let mut subtopologies = Vec::new();
        for id in (0..next).filter(|id| !global_ids.contains(id)) {
            let nodes: Vec<NodeIdx> = (0..n).filter(|&i| self.nodes[i].subtopology == id).collect();
            let source_topics = nodes
                .iter()
                .filter_map(|&i| match &self.nodes[i].kind {
                    NodeKind::Source { topic, .. } => Some(topic.clone()),
                    _ => None,
                })
                .collect();
            let mut sub_stores: Vec<StoreIdx> = nodes.iter().flat_map(|&i| self.nodes[i].stores.clone()).collect();
            sub_stores.sort_unstable();
            sub_stores.dedup();
            subtopologies.push(Subtopology { id, nodes, source_topics, stores: sub_stores });
        }
        let global_stores = self
            .global_stores
            .iter()
            .map(|&(source, processor, store, ref topic)| GlobalStore {
                id: self.nodes[source].subtopology,
                source,
                processor,
                store,
                topic: topic.clone(),
            })
            .collect();
        let copartition_groups = copartition
            .iter()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|name| self.by_name.get(name))
                    .filter_map(|&i| match &self.nodes[i].kind {
                        NodeKind::Source { topic, .. } => Some(topic.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        Topology {
            nodes: self.nodes,
            stores,
            subtopologies,
            global_stores,
            repartition_topics: self.repartition_topics,
            copartition_groups,
        }
    }
}

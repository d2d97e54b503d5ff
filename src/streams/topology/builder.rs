//! From the DSL to a [`Topology`], the way Kafka's `InternalStreamsBuilder`
//! does it, in two phases:
//!
//! 1. Each operator, in program order, takes its names from one counter
//!    shared by processors and stores (`newProcessorName` /
//!    `newStoreName`: `KSTREAM-FILTER-0000000001`,
//!    `KSTREAM-AGGREGATE-STATE-STORE-0000000002`) and adds a node to a graph
//!    of operators with a build priority (the order it was added).
//! 2. `buildAndOptimizeTopology` walks that graph from its root with a
//!    priority queue, writing each node once all its parents are written:
//!    sources, processors, sinks and stores in that order make Kafka's
//!    `InternalTopologyBuilder`, whose insertion order numbers the
//!    sub-topologies.
//!
//! The operators' quirks that show in names are Kafka's own and kept: a
//! repartition always burns three numbers (sink, filter, source) even when
//! the names come from the user or an earlier repartition is reused;
//! `count()` names its store before its processor; a stream–global-table
//! join is a `KSTREAM-LEFTJOIN-` even when inner; a split's branches burn a
//! number each.

mod joins;
mod ops;
mod stateful;
mod writer;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt;

use super::dsl::{Dsl, Loc};
use super::{Op, Store, StoreIdx, StoreKind, Topology};
use writer::Writer;

/// Why a DSL program cannot be built, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    pub loc: Loc,
    pub message: String,
    pub help: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.help)
    }
}

/// Builds the topology of a DSL program.
pub fn build(dsl: &Dsl) -> Result<Topology, BuildError> {
    let mut b = Builder::default();
    b.graph.push(GraphNode { parents: Vec::new(), children: Vec::new(), priority: 0, kind: GraphKind::Root });
    b.priority = 1;
    for (i, pipeline) in dsl.pipelines.iter().enumerate() {
        b.pipeline(i, pipeline)?;
    }
    Ok(b.write())
}

/// A graph node of phase 1 (Kafka's `GraphNode` subclasses).
#[derive(Debug)]
pub(super) struct GraphNode {
    pub parents: Vec<usize>,
    pub children: Vec<usize>,
    pub priority: u32,
    pub kind: GraphKind,
}

/// What a graph node writes into the topology. Stores are referred to by
/// index into the builder's store list.
#[derive(Debug)]
pub(super) enum GraphKind {
    Root,
    StreamSource {
        name: String,
        topic: String,
    },
    TableSource {
        source: String,
        name: String,
        topic: String,
        store: Option<StoreIdx>,
    },
    GlobalTableSource {
        source: String,
        name: String,
        topic: String,
        store: StoreIdx,
    },
    /// A processor with the stores it adds (owner) and connects to (users).
    Processor {
        name: String,
        op: Op,
        adds: Vec<StoreIdx>,
        connects: Vec<StoreIdx>,
    },
    Repartition {
        filter: String,
        sink: String,
        source: String,
        topic: String,
    },
    Sink {
        name: String,
        topic: String,
    },
    /// Stream-stream join: JOINTHIS after this side's windowed node, JOINOTHER
    /// after the other's, the merge after both.
    StreamStreamJoin {
        this_windowed: String,
        other_windowed: String,
        this_join: (String, Op),
        other_join: (String, Op),
        merge: String,
        this_store: StoreIdx,
        other_store: StoreIdx,
    },
    /// Table-table join: each side's processor after that side's table node.
    TableTableJoin {
        this_parent: String,
        other_parent: String,
        this_join: (String, Op, Vec<StoreIdx>),
        other_join: (String, Op, Vec<StoreIdx>),
        merge: String,
    },
}

impl GraphKind {
    /// The processor name successors use as their predecessor.
    fn node_name(&self) -> &str {
        match self {
            GraphKind::Root => "",
            GraphKind::StreamSource { name, .. }
            | GraphKind::TableSource { name, .. }
            | GraphKind::GlobalTableSource { name, .. }
            | GraphKind::Processor { name, .. }
            | GraphKind::Sink { name, .. } => name,
            GraphKind::Repartition { source, .. } => source,
            GraphKind::StreamStreamJoin { merge, .. } | GraphKind::TableTableJoin { merge, .. } => merge,
        }
    }
}

/// What a pipeline step currently holds (Kafka's `KStream`, `KGroupedStream`, ...).
#[derive(Clone, Debug)]
pub(super) enum Current {
    Stream(usize),
    Grouped(Grouped),
    Table(usize),
    GlobalTable(usize),
    /// After `to`: nothing follows.
    Done,
}

/// A `KStreamImpl`: its graph node, whether a key-changing operator came
/// before (so the next stateful operator repartitions), the source nodes it
/// descends from, and a repartition made for a join, kept for reuse.
#[derive(Clone, Debug)]
pub(super) struct KStream {
    pub node: usize,
    pub repartition_required: bool,
    pub sources: BTreeSet<String>,
    pub join_repartition: Option<(usize, String)>,
}

/// A `KGroupedStream` (or its windowed form).
#[derive(Clone, Debug)]
pub(super) struct Grouped {
    pub node: usize,
    pub repartition_required: bool,
    pub sources: BTreeSet<String>,
    pub name: Option<String>,
    pub windows: Option<crate::streams::windows::Windows>,
}

/// A `KTableImpl`: its graph node, sources, and where its values can be
/// looked up (its value getter's stores; a table source is materialized
/// only when something looks it up).
#[derive(Clone, Debug)]
pub(super) struct KTable {
    pub node: usize,
    pub sources: BTreeSet<String>,
    pub getter: Vec<Getter>,
    pub windows: Option<crate::streams::windows::Windows>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Getter {
    Store(StoreIdx),
    /// An unmaterialized table source (graph node index).
    TableSource(usize),
}

/// A `GlobalKTableImpl`.
#[derive(Clone, Debug)]
pub(super) struct GlobalKTable {
    pub store: StoreIdx,
}

#[derive(Default)]
pub(super) struct Builder {
    /// Kafka's `index`: the next number for a processor or store name.
    pub index: u32,
    /// Kafka's `buildPriorityIndex`.
    pub priority: u32,
    pub graph: Vec<GraphNode>,
    pub stores: Vec<Store>,
    pub streams: Vec<KStream>,
    pub tables: Vec<KTable>,
    pub globals: Vec<GlobalKTable>,
    /// Names pipelines gave their results (and source topics), in file order.
    pub names: BTreeMap<String, Current>,
    /// Source node names whose topics must be co-partitioned.
    pub copartition: Vec<BTreeSet<String>>,
    /// Store names generated for table sources not (yet) materialized.
    pub pending_store_names: BTreeMap<usize, String>,
}

impl Builder {
    /// `newProcessorName(prefix)`.
    pub fn new_processor_name(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}{:010}", self.index);
        self.index += 1;
        name
    }

    /// `newStoreName(prefix)`.
    pub fn new_store_name(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}STATE-STORE-{:010}", self.index);
        self.index += 1;
        name
    }

    /// `addGraphNode(parents, child)`: the child's build priority is set once
    /// per parent, so the last one counts.
    pub fn add_graph_node(&mut self, parents: &[usize], kind: GraphKind) -> usize {
        let idx = self.graph.len();
        self.graph.push(GraphNode { parents: parents.to_vec(), children: Vec::new(), priority: 0, kind });
        for &p in parents {
            self.graph[p].children.push(idx);
            self.graph[idx].priority = self.priority;
            self.priority += 1;
        }
        idx
    }

    pub fn add_store(&mut self, name: String, kind: StoreKind, logged: bool) -> StoreIdx {
        self.stores.push(Store { name, kind, logged });
        self.stores.len() - 1
    }

    /// The stores a table's value getter reads, materializing table sources.
    pub fn getter_stores(&mut self, table: usize) -> Vec<StoreIdx> {
        let getters = self.tables[table].getter.clone();
        let mut stores = Vec::new();
        for getter in getters {
            let store = match getter {
                Getter::Store(s) => s,
                Getter::TableSource(g) => self.materialize(g),
            };
            stores.push(store);
        }
        stores
    }

    /// `KTableSource.materialize()`: the source's store comes into being.
    fn materialize(&mut self, graph_node: usize) -> StoreIdx {
        let (topic_store, existing) = match &self.graph[graph_node].kind {
            GraphKind::TableSource { store, .. } => (store.is_none(), *store),
            _ => (false, None),
        };
        if let Some(s) = existing {
            return s;
        }
        debug_assert!(topic_store, "only table sources materialize lazily");
        let name = self.pending_store_names.get(&graph_node).cloned().unwrap_or_default();
        let idx = self.add_store(name, StoreKind::KeyValue, true);
        if let GraphKind::TableSource { store, .. } = &mut self.graph[graph_node].kind {
            *store = Some(idx);
        }
        idx
    }

    /// Phase 2: `buildAndOptimizeTopology` writing into an
    /// `InternalTopologyBuilder`.
    fn write(self) -> Topology {
        let mut w = Writer::default();
        let mut written = vec![false; self.graph.len()];
        let mut queue = BinaryHeap::new();
        queue.push(Reverse((self.graph[0].priority, 0usize)));
        while let Some(Reverse((_, idx))) = queue.pop() {
            let node = &self.graph[idx];
            if node.parents.iter().all(|&p| written[p]) && !written[idx] {
                let parents: Vec<String> =
                    node.parents.iter().map(|&p| self.graph[p].kind.node_name().to_string()).collect();
                w.write(&node.kind, &parents);
                written[idx] = true;
            }
            for &c in &node.children {
                queue.push(Reverse((self.graph[c].priority, c)));
            }
        }
        w.finish(self.stores, &self.copartition)
    }
}

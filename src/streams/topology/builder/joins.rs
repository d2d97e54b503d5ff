//! Joins, as `KStreamImpl.doJoin` / `KStreamImplJoin.join` (stream-stream),
//! `doStreamTableJoin`, `globalTableJoin` and `KTableImpl.doJoin` name and
//! wire them; each join records its inputs for the co-partitioning check.

use std::collections::BTreeSet;

use super::ops::{err, kind_of};
use super::{BuildError, Builder, Current, GraphKind, KStream, KTable};
use crate::streams::expr::Expr;
use crate::streams::topology::dsl::{Join, JoinWith, Loc};
use crate::streams::topology::{Op, StoreKind};

impl Builder {
    pub(super) fn stream_join(&mut self, loc: &Loc, s: usize, join: &Join) -> Result<Current, BuildError> {
        match &join.with {
            JoinWith::Stream { name, before_ms, after_ms, .. } => {
                if join.left {
                    return Err(err(
                        loc,
                        "`left_join` of two streams is not modelled",
                        "use `join` (an inner join) between streams",
                    ));
                }
                let other = self.lookup_stream(loc, name)?;
                self.stream_stream_join(s, other, &join.joiner, *before_ms, *after_ms)
            }
            JoinWith::Table { name } => {
                let t = self.lookup_table(loc, name)?;
                self.stream_table_join(loc, s, t, join)
            }
            JoinWith::GlobalTable { name, key } => {
                let g = match self.names.get(name) {
                    Some(Current::GlobalTable(g)) => *g,
                    Some(other) => {
                        return Err(err(
                            loc,
                            format!("`{name}` is {}, not a global table", kind_of(other)),
                            "read it with `global_table:`",
                        ));
                    }
                    None => return Err(self.unknown(loc, name)),
                };
                // Kafka names this processor KSTREAM-LEFTJOIN- for inner joins too.
                let pname = self.new_processor_name("KSTREAM-LEFTJOIN-");
                let op = Op::StreamGlobalTableJoin {
                    global_store: self.globals[g].store,
                    key: key.clone(),
                    joiner: join.joiner.clone(),
                    left: join.left,
                };
                let parent = self.streams[s].node;
                let node = self.add_graph_node(
                    &[parent],
                    GraphKind::Processor { name: pname, op, adds: vec![], connects: vec![] },
                );
                let stream = KStream { node, join_repartition: None, ..self.streams[s].clone() };
                Ok(self.push_stream(stream))
            }
        }
    }

    /// `KStreamImpl.doJoin` and `KStreamImplJoin.join`.
    pub(super) fn stream_stream_join(
        &mut self,
        s: usize,
        other: usize,
        joiner: &Expr,
        before_ms: i64,
        after_ms: i64,
    ) -> Result<Current, BuildError> {
        let this = if self.streams[s].repartition_required { self.repartition_for_join(s) } else { s };
        let other = if self.streams[other].repartition_required { self.repartition_for_join(other) } else { other };
        let sources: BTreeSet<String> =
            self.streams[this].sources.union(&self.streams[other].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let this_windowed = self.new_processor_name("KSTREAM-WINDOWED-");
        let other_windowed = self.new_processor_name("KSTREAM-WINDOWED-");
        let this_join = self.new_processor_name("KSTREAM-JOINTHIS-");
        let other_join = self.new_processor_name("KSTREAM-JOINOTHER-");
        let merge = self.new_processor_name("KSTREAM-MERGE-");
        let this_store = self.add_store(format!("{this_join}-store"), StoreKind::JoinWindow, true);
        let other_store = self.add_store(format!("{other_join}-store"), StoreKind::JoinWindow, true);
        let (this_node, other_node) = (self.streams[this].node, self.streams[other].node);
        self.add_graph_node(
            &[this_node],
            GraphKind::Processor {
                name: this_windowed.clone(),
                op: Op::JoinWindow { store: this_store },
                adds: vec![],
                connects: vec![],
            },
        );
        self.add_graph_node(
            &[other_node],
            GraphKind::Processor {
                name: other_windowed.clone(),
                op: Op::JoinWindow { store: other_store },
                adds: vec![],
                connects: vec![],
            },
        );
        let this_op =
            Op::StreamStreamJoin { other_store, joiner: joiner.clone(), this_side: true, before_ms, after_ms };
        let other_op = Op::StreamStreamJoin {
            other_store: this_store,
            joiner: joiner.clone(),
            this_side: false,
            before_ms,
            after_ms,
        };
        let node = self.add_graph_node(
            &[this_node, other_node],
            GraphKind::StreamStreamJoin {
                this_windowed,
                other_windowed,
                this_join: (this_join, this_op),
                other_join: (other_join, other_op),
                merge,
                this_store,
                other_store,
            },
        );
        Ok(self.push_stream(KStream { node, repartition_required: false, sources, join_repartition: None }))
    }

    /// `KStreamImpl.join(KTable)` / `leftJoin(KTable)`.
    pub(super) fn stream_table_join(
        &mut self,
        loc: &Loc,
        s: usize,
        t: usize,
        join: &Join,
    ) -> Result<Current, BuildError> {
        if self.tables[t].getter.len() > 1 {
            return Err(err(
                loc,
                "joining a stream with a table that is itself a join is not modelled",
                "join with a table read from a topic or returned by an aggregation",
            ));
        }
        let this = if self.streams[s].repartition_required { self.repartition_for_join(s) } else { s };
        let sources: BTreeSet<String> = self.streams[this].sources.union(&self.tables[t].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let name = self.new_processor_name(if join.left { "KSTREAM-LEFTJOIN-" } else { "KSTREAM-JOIN-" });
        let stores = self.getter_stores(t);
        let op = Op::StreamTableJoin { table_store: stores[0], joiner: join.joiner.clone(), left: join.left };
        let parent = self.streams[this].node;
        let node = self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![], connects: stores });
        Ok(self.push_stream(KStream { node, repartition_required: false, sources, join_repartition: None }))
    }

    /// `KTableImpl.doJoin` (inner).
    pub(super) fn table_join(&mut self, loc: &Loc, t: usize, join: &Join) -> Result<Current, BuildError> {
        let JoinWith::Table { name: other_name } = &join.with else {
            return Err(err(loc, "a table joins only another table", "join a table with `join: { table: NAME }`"));
        };
        if join.left {
            return Err(err(
                loc,
                "`left_join` of two tables is not modelled",
                "use `join` (an inner join) between tables",
            ));
        }
        let other = self.lookup_table(loc, other_name)?;
        let merge = self.new_processor_name("KTABLE-MERGE-");
        let sources: BTreeSet<String> = self.tables[t].sources.union(&self.tables[other].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let this_name = self.new_processor_name("KTABLE-JOINTHIS-");
        let other_proc = self.new_processor_name("KTABLE-JOINOTHER-");
        let this_getter = self.getter_stores(t);
        let other_getter = self.getter_stores(other);
        let this_op = Op::TableTableJoin { other_store: other_getter[0], joiner: join.joiner.clone(), this_side: true };
        let other_op =
            Op::TableTableJoin { other_store: this_getter[0], joiner: join.joiner.clone(), this_side: false };
        let (this_node, other_node) = (self.tables[t].node, self.tables[other].node);
        let this_parent = self.graph[this_node].kind.node_name().to_string();
        let other_parent = self.graph[other_node].kind.node_name().to_string();
        let node = self.add_graph_node(
            &[this_node, other_node],
            GraphKind::TableTableJoin {
                this_parent,
                other_parent,
                this_join: (this_name, this_op, other_getter),
                other_join: (other_proc, other_op, this_getter),
                merge,
            },
        );
        let mut getter = self.tables[t].getter.clone();
        getter.extend(self.tables[other].getter.clone());
        self.tables.push(KTable { node, sources, getter, windows: None });
        Ok(Current::Table(self.tables.len() - 1))
    }
}

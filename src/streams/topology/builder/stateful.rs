//! The operators that move records between sub-topologies or keep state:
//! `split`, `merge`, repartitioning (`createRepartitionedSource`), the
//! aggregations of `GroupedStreamAggregateBuilder`, table operators and
//! `suppress`.

use std::collections::BTreeSet;

use super::ops::{err, is_generated};
use super::{BuildError, Builder, Current, Getter, GraphKind, Grouped, KStream, KTable};
use crate::streams::topology::dsl::{Branch, Loc, Step};
use crate::streams::topology::{Aggregation, Op, StoreKind};
use crate::streams::windows::Windows;

impl Builder {
    /// `BranchedKStreamImpl`: the splitter, then one pass-through child per
    /// branch, each built (with its own operators) before the next.
    pub(super) fn split(
        &mut self,
        loc: &Loc,
        s: usize,
        name: Option<&str>,
        branches: &[Branch],
    ) -> Result<Current, BuildError> {
        let splitter = match name {
            Some(n) => n.to_string(),
            None => self.new_processor_name("KSTREAM-BRANCH-"),
        };
        let parent = self.streams[s].node;
        let split_node = self.add_graph_node(
            &[parent],
            GraphKind::Processor {
                name: splitter.clone(),
                op: Op::Branch { predicates: Vec::new() },
                adds: vec![],
                connects: vec![],
            },
        );
        let mut numbered = 0;
        for (b, branch) in branches.iter().enumerate() {
            let mut bloc = loc.clone();
            bloc.steps.push(b);
            let index = if branch.predicate.is_some() {
                numbered += 1;
                numbered
            } else {
                0
            };
            let child = match &branch.branch_name {
                Some(n) => format!("{splitter}{n}"),
                None => format!("{splitter}{index}"),
            };
            self.index += 1; // newProcessorName(branchChildName), whose result is unused
            let node = self.add_graph_node(
                &[split_node],
                GraphKind::Processor { name: child.clone(), op: Op::PassThrough, adds: vec![], connects: vec![] },
            );
            if let GraphKind::Processor { op: Op::Branch { predicates }, .. } = &mut self.graph[split_node].kind {
                predicates.push((branch.predicate.clone(), child));
            }
            let st = &self.streams[s];
            let stream = KStream {
                node,
                repartition_required: st.repartition_required,
                sources: st.sources.clone(),
                join_repartition: None,
            };
            let start = self.push_stream(stream);
            let end = self.steps(&bloc, start, &branch.steps)?;
            if let Some(n) = &branch.name {
                self.register(&bloc, n, end)?;
            }
        }
        Ok(Current::Done)
    }

    pub(super) fn merge(&mut self, loc: &Loc, s: usize, with: &str) -> Result<Current, BuildError> {
        let other = self.lookup_stream(loc, with)?;
        let name = self.new_processor_name("KSTREAM-MERGE-");
        let parents = [self.streams[s].node, self.streams[other].node];
        let node = self.add_graph_node(
            &parents,
            GraphKind::Processor { name, op: Op::PassThrough, adds: vec![], connects: vec![] },
        );
        let (a, b) = (&self.streams[s], &self.streams[other]);
        let stream = KStream {
            node,
            repartition_required: a.repartition_required || b.repartition_required,
            sources: a.sources.union(&b.sources).cloned().collect(),
            join_repartition: None,
        };
        Ok(self.push_stream(stream))
    }

    /// `createRepartitionedSource`: three numbers burnt; generated names
    /// when the prefix is generated, else `<topic>-sink|filter|source`.
    pub(super) fn repartition(&mut self, parent: usize, prefix: &str) -> (usize, String) {
        let topic = if prefix.ends_with("-repartition") { prefix.to_string() } else { format!("{prefix}-repartition") };
        let gen_sink = self.new_processor_name("KSTREAM-SINK-");
        let gen_filter = self.new_processor_name("KSTREAM-FILTER-");
        let gen_source = self.new_processor_name("KSTREAM-SOURCE-");
        let (sink, filter, source) = if is_generated(prefix) {
            (gen_sink, gen_filter, gen_source)
        } else {
            (format!("{topic}-sink"), format!("{topic}-filter"), format!("{topic}-source"))
        };
        let node =
            self.add_graph_node(&[parent], GraphKind::Repartition { filter, sink, source: source.clone(), topic });
        (node, source)
    }

    /// `repartitionForJoin(this.name)`: a stream repartitioned before a join
    /// keeps its repartition for the next join (the numbers are burnt anyway).
    pub(super) fn repartition_for_join(&mut self, s: usize) -> usize {
        let name = self.graph[self.streams[s].node].kind.node_name().to_string();
        let (node, source) = match self.streams[s].join_repartition.clone() {
            Some(existing) => {
                self.index += 3;
                existing
            }
            None => {
                let made = self.repartition(self.streams[s].node, &name);
                self.streams[s].join_repartition = Some(made.clone());
                made
            }
        };
        let stream =
            KStream { node, repartition_required: false, sources: BTreeSet::from([source]), join_repartition: None };
        self.streams.push(stream);
        self.streams.len() - 1
    }

    /// `GroupedStreamAggregateBuilder.build` behind count, reduce and aggregate.
    pub(super) fn aggregate(&mut self, g: Grouped, kind: Aggregation, store: &Option<String>) -> Current {
        let prefix = if matches!(kind, Aggregation::Reduce(_)) { "KSTREAM-REDUCE-" } else { "KSTREAM-AGGREGATE-" };
        let store_name = match store {
            Some(s) => s.clone(),
            None => self.new_store_name(prefix),
        };
        let name = self.new_processor_name(prefix);
        let (mut parent, mut sources) = (g.node, g.sources.clone());
        if g.repartition_required {
            let topic_prefix = g.name.clone().unwrap_or_else(|| store_name.clone());
            let (node, source) = self.repartition(parent, &topic_prefix);
            parent = node;
            sources = BTreeSet::from([source]);
        }
        let store_kind = match g.windows {
            None => StoreKind::KeyValue,
            Some(Windows::Session { .. }) => StoreKind::Session,
            Some(_) => StoreKind::Window,
        };
        let store = self.add_store(store_name, store_kind, true);
        let op = Op::Aggregate { kind, store, windows: g.windows };
        let node =
            self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![store], connects: vec![] });
        self.tables.push(KTable { node, sources, getter: vec![Getter::Store(store)], windows: g.windows });
        Current::Table(self.tables.len() - 1)
    }

    pub(super) fn table_step(
        &mut self,
        loc: &Loc,
        t: usize,
        step: &Step,
        cur: &Current,
    ) -> Result<Current, BuildError> {
        let parent = self.tables[t].node;
        let (op, prefix) = match step {
            Step::Filter { predicate, negate } => {
                (Op::KTableFilter { predicate: predicate.clone(), negate: *negate }, "KTABLE-FILTER-")
            }
            Step::MapValues(e) => (Op::KTableMapValues(e.clone()), "KTABLE-MAPVALUES-"),
            Step::ToStream => {
                let name = self.new_processor_name("KTABLE-TOSTREAM-");
                let node = self.add_graph_node(
                    &[parent],
                    GraphKind::Processor { name, op: Op::ToStream, adds: vec![], connects: vec![] },
                );
                let stream = KStream {
                    node,
                    repartition_required: false,
                    sources: self.tables[t].sources.clone(),
                    join_repartition: None,
                };
                return Ok(self.push_stream(stream));
            }
            Step::Suppress { name } => return self.suppress(loc, t, name.as_deref()),
            Step::Join(join) => return self.table_join(loc, t, join),
            _ => return Err(self.wrong_kind(loc, step, cur)),
        };
        let name = self.new_processor_name(prefix);
        let node = self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![], connects: vec![] });
        let table = KTable { node, ..self.tables[t].clone() };
        self.tables.push(table);
        Ok(Current::Table(self.tables.len() - 1))
    }

    /// `KTableImpl.suppress(untilWindowCloses(unbounded()))`.
    pub(super) fn suppress(&mut self, loc: &Loc, t: usize, given: Option<&str>) -> Result<Current, BuildError> {
        let Some(windows) = self.tables[t].windows else {
            return Err(err(
                loc,
                "suppress `until_window_closes` needs a windowed table",
                "Suppressed.untilWindowCloses takes the Windowed keys of a windowed aggregation: add `windowed_by` before the aggregation",
            ));
        };
        let name = match given {
            Some(n) => n.to_string(),
            None => self.new_processor_name("KTABLE-SUPPRESS-"),
        };
        let store_name = match given {
            Some(n) => format!("{n}-store"),
            None => self.new_store_name("KTABLE-SUPPRESS-"),
        };
        let store = self.add_store(store_name, StoreKind::SuppressBuffer, true);
        let parent = self.tables[t].node;
        let node = self.add_graph_node(
            &[parent],
            GraphKind::Processor { name, op: Op::Suppress { store, windows }, adds: vec![store], connects: vec![] },
        );
        let table = KTable { node, ..self.tables[t].clone() };
        self.tables.push(table);
        Ok(Current::Table(self.tables.len() - 1))
    }
}

//! One application's topology, from the file's pipelines to the DSL the
//! builder takes: operators checked, jq expressions compiled (an error
//! points into the expression), every operator's place in the file kept so
//! a build error can point at it.

use miette::SourceSpan;
use serde_saphyr::Spanned;

use super::super::Resolver;
use crate::scenario::TopicDef;
use crate::scenario::diagnostic::Problem;
use crate::scenario::streams_file::{BranchSpec, JoinSpec, PipelineSpec, STEP_WORDS, StepItem, StepSpec, WindowSpec};
use crate::scenario::suggest::did_you_mean;
use crate::streams::expr::{Expr, KEY_VARS};
use crate::streams::topology::dsl::{Branch, Join, JoinWith, Loc, Pipeline, Start, Step};
use crate::streams::windows::Windows;

const NO_VARS: &[&str] = &[];

pub(super) struct Converter<'r, 'a, 't> {
    pub r: &'r mut Resolver<'a>,
    pub topics: &'t [&'t TopicDef],
    pub spans: Vec<(Loc, SourceSpan)>,
    pub ok: bool,
}

impl Converter<'_, '_, '_> {
    fn fail<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, help: impl Into<String>) {
        self.r.error(at, message, Some(help.into()));
        self.ok = false;
    }

    fn topic<T>(&mut self, at: &Spanned<T>, name: &str) -> Option<String> {
        if self.topics.iter().any(|t| t.name == name) {
            return Some(name.to_string());
        }
        let known: Vec<&str> = self.topics.iter().map(|t| t.name.as_str()).collect();
        self.r.unknown(at, "topic", name, &known);
        self.ok = false;
        None
    }

    /// Compiles a jq expression; an error points at the spot in the file.
    fn expr(&mut self, at: &Spanned<String>, vars: &'static [&'static str]) -> Option<Expr> {
        match Expr::compile(&at.value, vars) {
            Ok(e) => Some(e),
            Err(e) => {
                let whole = self.r.span(at);
                let start = whole.offset();
                let text = &self.r.source.text;
                let base = [0usize, 1]
                    .into_iter()
                    .map(|skip| start + skip)
                    .find(|&b| text.get(b..).is_some_and(|t| t.starts_with(at.value.as_str())));
                let span = base.map_or(whole, |b| SourceSpan::new((b + e.offset).into(), e.len));
                let vars: Vec<String> = vars.iter().map(|v| format!("${v}")).collect();
                let help = if vars.is_empty() {
                    "jq: `.` is the input".to_string()
                } else {
                    format!("jq: `.` is the input; you also have {}", vars.join(", "))
                };
                self.r
                    .problems
                    .push(Problem::at(span, format!("in jq expression `{}`: {}", at.value, e.message)).help(help));
                self.ok = false;
                None
            }
        }
    }

    pub fn pipeline(&mut self, i: usize, spanned: &Spanned<PipelineSpec>) -> Option<Pipeline> {
        let p = &spanned.value;
        let loc = Loc { pipeline: i, steps: Vec::new() };
        let span = self.r.span(spanned);
        self.spans.push((loc.clone(), span));
        let starts = [p.stream.is_some(), p.table.is_some(), p.global_table.is_some(), p.from.is_some()];
        let start = match starts.iter().filter(|s| **s).count() {
            1 => {
                if let Some(t) = &p.stream {
                    Start::Stream { topic: self.topic(t, &t.value)? }
                } else if let Some(t) = &p.table {
                    Start::Table { topic: self.topic(t, &t.value)?, store: p.store.as_ref().map(|s| s.value.clone()) }
                } else if let Some(t) = &p.global_table {
                    Start::GlobalTable { topic: self.topic(t, &t.value)? }
                } else {
                    Start::From { name: p.from.as_ref().expect("counted").value.clone() }
                }
            }
            n => {
                let message = if n == 0 { "a pipeline needs a start" } else { "a pipeline has one start" };
                self.fail(
                    spanned,
                    message,
                    "begin with exactly one of `stream: TOPIC`, `table: TOPIC`, `global_table: TOPIC` or `from: NAME`",
                );
                return None;
            }
        };
        if let (Some(store), None) = (&p.store, &p.table) {
            self.fail(
                store,
                "`store` names a table's store",
                "only a `table:` start takes `store:`; name an aggregation's store in its own arguments",
            );
        }
        let steps = self.steps(&loc, &p.then)?;
        Some(Pipeline { start, steps, name: p.as_name.as_ref().map(|n| n.value.clone()) })
    }

    fn steps(&mut self, base: &Loc, items: &[Spanned<StepItem>]) -> Option<Vec<Step>> {
        let mut steps = Vec::new();
        let mut all = true;
        for (j, item) in items.iter().enumerate() {
            let mut loc = base.clone();
            loc.steps.push(j);
            let span = self.r.span(item);
            self.spans.push((loc.clone(), span));
            match self.step(&loc, item) {
                Some(s) => steps.push(s),
                None => all = false,
            }
        }
        all.then_some(steps)
    }

    fn step(&mut self, loc: &Loc, item: &Spanned<StepItem>) -> Option<Step> {
        match &item.value {
            StepItem::Word(w) => match w.as_str() {
                "to_stream" => Some(Step::ToStream),
                "group_by_key" => Some(Step::GroupByKey { grouped: None }),
                "count" => Some(Step::Count { store: None }),
                "peek" => Some(Step::Peek),
                "suppress" => Some(Step::Suppress { name: None }),
                other => {
                    let help = match did_you_mean(other, STEP_WORDS.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "operators written as one word: {}; the others take arguments, like `filter: '.amount > 10'`",
                            STEP_WORDS.join(", ")
                        ),
                    };
                    self.fail(item, format!("unknown operator `{other}`"), help);
                    None
                }
            },
            StepItem::Map(spec) => self.step_map(loc, item, spec),
        }
    }

    fn step_map(&mut self, loc: &Loc, item: &Spanned<StepItem>, s: &StepSpec) -> Option<Step> {
        let set = [
            s.filter.is_some(),
            s.filter_not.is_some(),
            s.map_values.is_some(),
            s.map.is_some(),
            s.select_key.is_some(),
            s.flat_map_values.is_some(),
            s.peek.is_some(),
            s.split.is_some(),
            s.merge.is_some(),
            s.to.is_some(),
            s.group_by_key.is_some(),
            s.group_by.is_some(),
            s.windowed_by.is_some(),
            s.count.is_some(),
            s.reduce.is_some(),
            s.aggregate.is_some(),
            s.suppress.is_some(),
            s.to_stream.is_some(),
            s.join.is_some(),
            s.left_join.is_some(),
        ];
        if set.iter().filter(|x| **x).count() != 1 {
            self.fail(item, "each operator is its own list item", "write one operator per `- ` line");
            return None;
        }
        if let Some(e) = &s.filter {
            return Some(Step::Filter { predicate: self.expr(e, KEY_VARS)?, negate: false });
        }
        if let Some(e) = &s.filter_not {
            return Some(Step::Filter { predicate: self.expr(e, KEY_VARS)?, negate: true });
        }
        if let Some(e) = &s.map_values {
            return Some(Step::MapValues(self.expr(e, KEY_VARS)?));
        }
        if let Some(e) = &s.map {
            return Some(Step::Map(self.expr(e, KEY_VARS)?));
        }
        if let Some(e) = &s.select_key {
            return Some(Step::SelectKey(self.expr(e, KEY_VARS)?));
        }
        if let Some(e) = &s.flat_map_values {
            return Some(Step::FlatMapValues(self.expr(e, KEY_VARS)?));
        }
        if s.peek.is_some() {
            return Some(Step::Peek);
        }
        if let Some(split) = &s.split {
            return self.split(loc, split);
        }
        if let Some(m) = &s.merge {
            return Some(Step::Merge { with: m.value.clone() });
        }
        if let Some(t) = &s.to {
            return Some(Step::To { topic: self.topic(t, &t.value)? });
        }
        if let Some(g) = &s.group_by_key {
            return Some(Step::GroupByKey { grouped: g.value.name.clone() });
        }
        if let Some(g) = &s.group_by {
            return Some(Step::GroupBy { key: self.expr(&g.value.key, KEY_VARS)?, grouped: g.value.name.clone() });
        }
        if let Some(w) = &s.windowed_by {
            return Some(Step::WindowedBy(self.windows(w)?));
        }
        if let Some(c) = &s.count {
            return Some(Step::Count { store: c.value.store.clone() });
        }
        if let Some(red) = &s.reduce {
            return Some(Step::Reduce {
                reducer: self.expr(&red.value.reducer, KEY_VARS)?,
                store: red.value.store.clone(),
            });
        }
        if let Some(a) = &s.aggregate {
            let initializer = self.expr(&a.value.initializer, NO_VARS);
            let aggregator = self.expr(&a.value.aggregator, KEY_VARS);
            return Some(Step::Aggregate {
                initializer: initializer?,
                aggregator: aggregator?,
                store: a.value.store.clone(),
            });
        }
        if let Some(sup) = &s.suppress {
            if sup.value.until.value != "window_closes" {
                self.fail(&sup.value.until, format!("unknown suppression `until: {}`", sup.value.until.value), "kafkasim models `until: window_closes` (Suppressed.untilWindowCloses), one final result per window");
                return None;
            }
            return Some(Step::Suppress { name: sup.value.name.clone() });
        }
        if s.to_stream.is_some() {
            return Some(Step::ToStream);
        }
        let (join, left) = match (&s.join, &s.left_join) {
            (Some(j), _) => (j, false),
            (_, Some(j)) => (j, true),
            _ => unreachable!("exactly one operator is set"),
        };
        self.join(join, left)
    }

    fn split(&mut self, loc: &Loc, split: &Spanned<crate::scenario::streams_file::SplitSpec>) -> Option<Step> {
        let mut branches = Vec::new();
        let mut all = true;
        let count = split.value.branches.len();
        if count == 0 {
            self.fail(split, "a split needs branches", "add `branches:` with an `if:` predicate each");
            return None;
        }
        for (b, spanned) in split.value.branches.iter().enumerate() {
            let mut bloc = loc.clone();
            bloc.steps.push(b);
            let span = self.r.span(spanned);
            self.spans.push((bloc.clone(), span));
            let spec: &BranchSpec = &spanned.value;
            let predicate = match &spec.predicate {
                Some(p) => match self.expr(p, KEY_VARS) {
                    Some(e) => Some(e),
                    None => {
                        all = false;
                        continue;
                    }
                },
                None if b + 1 < count => {
                    self.fail(
                        spanned,
                        "only the last branch may be the default branch",
                        "give this branch an `if:` predicate, or move it last",
                    );
                    all = false;
                    continue;
                }
                None => None,
            };
            let Some(steps) = self.steps(&bloc, &spec.then) else {
                all = false;
                continue;
            };
            branches.push(Branch {
                predicate,
                branch_name: spec.name.clone(),
                steps,
                name: spec.as_name.as_ref().map(|n| n.value.clone()),
            });
        }
        all.then_some(Step::Split { name: split.value.name.clone(), branches })
    }

    fn windows(&mut self, w: &Spanned<WindowSpec>) -> Option<Windows> {
        let spec = &w.value;
        let ms = |d: &Spanned<crate::scenario::duration::DurationText>| d.value.0.as_millis() as i64;
        let grace = ms(&spec.grace);
        let kinds = [spec.tumbling.is_some(), spec.hopping.is_some(), spec.sliding.is_some(), spec.session.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            self.fail(
                w,
                "a window has exactly one kind",
                "set one of `tumbling`, `hopping` (with `advance`), `sliding`, `session`",
            );
            return None;
        }
        if spec.advance.is_some() && spec.hopping.is_none() {
            self.fail(
                w,
                "`advance` belongs to hopping windows",
                "write `hopping: SIZE` with `advance: STEP`, or remove `advance`",
            );
            return None;
        }
        let made = if let Some(size) = &spec.tumbling {
            Windows::time(ms(size), None, grace)
        } else if let Some(size) = &spec.hopping {
            let Some(advance) = &spec.advance else {
                self.fail(
                    w,
                    "hopping windows need `advance`",
                    "add `advance:`, how far each window starts after the previous one (less than the size)",
                );
                return None;
            };
            Windows::time(ms(size), Some(ms(advance)), grace)
        } else if let Some(diff) = &spec.sliding {
            Windows::sliding(ms(diff), grace)
        } else {
            Windows::session(ms(spec.session.as_ref().expect("counted")), grace)
        };
        match made {
            Ok(windows) => Some(windows),
            Err(e) => {
                self.fail(w, format!("Kafka refuses this window: {e}"), "check the window's size, advance and grace");
                None
            }
        }
    }

    fn join(&mut self, spanned: &Spanned<JoinSpec>, left: bool) -> Option<Step> {
        let j = &spanned.value;
        let targets = [j.stream.is_some(), j.table.is_some(), j.global_table.is_some()];
        if targets.iter().filter(|t| **t).count() != 1 {
            self.fail(
                spanned,
                "a join names exactly one other side",
                "set one of `stream:`, `table:` or `global_table:`",
            );
            return None;
        }
        let default_joiner =
            Spanned { value: ".".to_string(), referenced: spanned.referenced, defined: spanned.defined };
        let joiner = self.expr(j.value.as_ref().unwrap_or(&default_joiner), KEY_VARS)?;
        let with = if let Some(s) = &j.stream {
            let (Some(within), Some(grace)) = (&j.within, &j.grace) else {
                self.fail(
                    spanned,
                    "a stream-stream join needs `within` and `grace`",
                    "e.g. `within: 5m, grace: 30s` (JoinWindows.ofTimeDifferenceAndGrace)",
                );
                return None;
            };
            let diff = within.value.0.as_millis() as i64;
            JoinWith::Stream {
                name: s.value.clone(),
                before_ms: diff,
                after_ms: diff,
                grace_ms: grace.value.0.as_millis() as i64,
            }
        } else if let Some(t) = &j.table {
            JoinWith::Table { name: t.value.clone() }
        } else {
            let g = j.global_table.as_ref().expect("counted");
            let Some(key) = &j.key else {
                self.fail(
                    spanned,
                    "a global-table join needs `key`",
                    "`key:` is a jq expression giving the global table's key for each record, e.g. `.customer_id`",
                );
                return None;
            };
            JoinWith::GlobalTable { name: g.value.clone(), key: self.expr(key, KEY_VARS)? }
        };
        if j.stream.is_none() && (j.within.is_some() || j.grace.is_some()) {
            self.fail(
                spanned,
                "`within` and `grace` belong to stream-stream joins",
                "remove them: a table join has no window",
            );
            return None;
        }
        Some(Step::Join(Join { with, joiner, left }))
    }
}

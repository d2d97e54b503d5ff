//! Predicates and mappings of a Streams topology, written in jq.
//!
//! A Streams application written in Java passes lambdas to `filter`,
//! `mapValues`, `groupBy`, joins and aggregations. A scenario cannot hold Java,
//! and a language of our own would be one more thing to learn and to get
//! wrong, so each lambda is a jq expression, run by jaq (the `jaq-core`,
//! `jaq-std` and `jaq-json` crates, a maintained jq in Rust). jq is what people
//! who work with JSON values already use (`kcat … | jq '.amount'`), it is
//! small, and it is pure: an expression maps its input to outputs and touches
//! nothing else.
//!
//! Each expression is compiled once, when the scenario loads, so a typo is a
//! scenario error at file:line:column, never a failure mid-run. At run time
//! the input `.` is the record's value (parsed as JSON; a value that is not
//! JSON is a string), and `$key` is the record's key. Combining functions get
//! an object naming their inputs: a joiner sees `{left, right}`, a reducer or
//! aggregator `{aggregate, value}`.
//!
//! Determinism: an expression that calls a filter reading the outside world
//! (`now`, `env`, `input`, `inputs`, `localtime`, `strflocaltime`, `debug`,
//! `stderr`, `halt`, `halt_error`) is refused when it loads, so an
//! expression's outputs depend on its inputs alone. (They stay defined,
//! because jq's own standard library is written with some of them.)
//!
//! Simplification: an expression runs to completion like a Java lambda does;
//! one that never ends (`repeat(.)` with no `limit`) stops the run, as a
//! looping lambda stops a stream thread. Outputs beyond
//! [`MAX_OUTPUTS`] are an error.

use std::fmt;
use std::sync::Arc;

use jaq_core::data::JustLut;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, unwrap_valr};
use jaq_json::Val;

/// Most outputs one expression may produce for one record (a `flat_map_values`
/// that fans out further is a mistake, not a lesson).
pub const MAX_OUTPUTS: usize = 10_000;

/// Filters that read or write the world outside the expression.
const IMPURE: &[&str] =
    &["now", "env", "input", "inputs", "localtime", "strflocaltime", "debug", "stderr", "halt", "halt_error"];

type Filter = jaq_core::Filter<JustLut<Val>>;

/// A compiled jq expression and the variables it is given, in order.
#[derive(Clone)]
pub struct Expr {
    pub source: String,
    vars: &'static [&'static str],
    filter: Arc<Filter>,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({:?})", self.source)
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.vars == other.vars
    }
}

/// Why an expression does not compile: a message and where in the
/// expression's text (byte offset and length) the problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub message: String,
    pub offset: usize,
    pub len: usize,
}

/// Variables every kind of expression is given.
pub const KEY_VARS: &[&str] = &["key"];

impl Expr {
    /// Compiles `code` with the named variables (without `$`) in scope.
    pub fn compile(code: &str, vars: &'static [&'static str]) -> Result<Expr, ExprError> {
        let whole = |message: String| ExprError { message, offset: 0, len: code.len() };
        if code.trim().is_empty() {
            return Err(whole("the expression is empty".into()));
        }
        let program = File { code, path: () };
        let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
        if let Some((offset, name)) = impure_call(code) {
            return Err(ExprError {
                message: format!(
                    "`{name}` reads the world outside the record, so a deterministic simulation leaves it out"
                ),
                offset,
                len: name.len(),
            });
        }
        let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs).load(&arena, program).map_err(|errs| {
            let mut first = None;
            for (_, err) in errs {
                first = first.or_else(|| load_error(code, err));
            }
            first.unwrap_or_else(|| whole("the expression does not parse as jq".into()))
        })?;
        let globals: Vec<String> = vars.iter().map(|v| format!("${v}")).collect();
        let filter = Compiler::default()
            .with_funs(funs)
            .with_global_vars(globals.iter().map(String::as_str))
            .compile(modules)
            .map_err(|errs| {
                let found = errs.into_iter().flat_map(|(_, e)| e).next();
                match found {
                    Some((name, undefined)) => {
                        let what = undefined.as_str();
                        let hint = if what == "variable" {
                            format!(" (here you have: {})", globals.join(", "))
                        } else {
                            String::new()
                        };
                        ExprError {
                            message: format!("undefined {what} `{name}`{hint}"),
                            offset: offset_in(code, name),
                            len: name.len().max(1),
                        }
                    }
                    None => whole("the expression does not compile".into()),
                }
            })?;
        Ok(Expr { source: code.to_string(), vars, filter: Arc::new(filter) })
    }

    /// Runs the expression on `input` with `vars` (in the order given at
    /// compile time); every output, or the first error.
    pub fn run(&self, input: Val, vars: &[Val]) -> Result<Vec<Val>, String> {
        debug_assert_eq!(vars.len(), self.vars.len(), "an expression gets the variables it was compiled with");
        let ctx = Ctx::<JustLut<Val>>::new(&self.filter.lut, Vars::new(vars.iter().cloned()));
        let mut outputs = Vec::new();
        for out in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            if outputs.len() == MAX_OUTPUTS {
                return Err(format!("`{}` produced more than {MAX_OUTPUTS} outputs for one record", self.source));
            }
            outputs.push(out.map_err(|e| format!("`{}` failed: {e}", self.source))?);
        }
        Ok(outputs)
    }

    /// The expression's single output (mappings): none is an error, more
    /// than one takes the first, as `first(f)` would.
    pub fn run_one(&self, input: Val, vars: &[Val]) -> Result<Val, String> {
        self.run(input, vars)?.into_iter().next().ok_or_else(|| format!("`{}` produced no output", self.source))
    }

    /// A predicate: true when the first output is neither `false` nor `null`
    /// (jq's truth); no output is false.
    pub fn test(&self, input: Val, vars: &[Val]) -> Result<bool, String> {
        let outputs = self.run(input, vars)?;
        Ok(outputs.first().is_some_and(|v| !matches!(v, Val::Null | Val::Bool(false))))
    }
}

/// The first call of an impure filter in `code`: an identifier outside
/// string literals, not a field (`.now`), variable (`$now`), format
/// (`@now`) or object key (`{now: 1}`).
fn impure_call(code: &str) -> Option<(usize, &'static str)> {
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &code[start..i];
            let before = code[..start].trim_end().bytes().last();
            let after = code[i..].trim_start().bytes().next();
            let is_call = !matches!(before, Some(b'.' | b'$' | b'@')) && after != Some(b':');
            if is_call && let Some(name) = IMPURE.iter().find(|n| **n == word) {
                return Some((start, name));
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Byte offset of `part` inside `whole`, when `part` is a slice of it.
fn offset_in(whole: &str, part: &str) -> usize {
    let start = whole.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at >= start && at <= start + whole.len() { at - start } else { 0 }
}

fn load_error(code: &str, err: jaq_core::load::Error<&str>) -> Option<ExprError> {
    use jaq_core::load::Error;
    match err {
        Error::Io(errs) => errs.into_iter().next().map(|(at, msg)| ExprError {
            message: msg,
            offset: offset_in(code, at),
            len: at.len().max(1),
        }),
        Error::Lex(errs) => errs.into_iter().next().map(|(expect, at)| ExprError {
            message: format!("expected {}", expect.as_str()),
            offset: offset_in(code, at),
            len: at.chars().next().map_or(1, char::len_utf8),
        }),
        Error::Parse(errs) => errs.into_iter().next().map(|(expect, at)| {
            let found =
                if at.is_empty() { "the end of the expression".to_string() } else { format!("`{}`", first_token(at)) };
            let message = match expect.as_str() {
                "nothing" => format!("unexpected {found}"),
                expected => format!("expected {expected}, found {found}"),
            };
            ExprError { message, offset: offset_in(code, at), len: first_token(at).len().max(1) }
        }),
    }
}

fn first_token(rest: &str) -> &str {
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    &rest[..end]
}

/// A record's value as jq sees it: JSON when it parses, else a string;
/// `null` for a tombstone.
pub fn value_to_val(value: Option<&[u8]>) -> Val {
    match value {
        None => Val::Null,
        Some(bytes) => jaq_json::read::parse_single(bytes)
            .unwrap_or_else(|_| Val::from(String::from_utf8_lossy(bytes).into_owned())),
    }
}

/// A key as jq sees it: the key's text as a string (keys are strings in the
/// simulator), `null` for no key.
pub fn key_to_val(key: Option<&[u8]>) -> Val {
    match key {
        None => Val::Null,
        Some(bytes) => Val::from(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// An output value as record bytes: strings as their text (so a key stays
/// `user-1`, not `"user-1"`), everything else as compact JSON; `null` is no
/// value (a tombstone) or no key.
pub fn val_to_bytes(val: &Val) -> Option<Vec<u8>> {
    match val {
        Val::Null => None,
        Val::TStr(b) | Val::BStr(b) => Some(b.to_vec()),
        other => Some(other.to_string().into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Val {
        value_to_val(Some(text.as_bytes()))
    }

    #[test]
    fn a_compiled_expression_can_be_shared_like_the_rest_of_a_scenario() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Expr>();
    }

    #[test]
    fn a_predicate_reads_the_value() {
        let e = Expr::compile(".amount > 10", KEY_VARS).unwrap();
        assert!(e.test(json(r#"{"amount": 12}"#), &[Val::Null]).unwrap());
        assert!(!e.test(json(r#"{"amount": 3}"#), &[Val::Null]).unwrap());
    }

    #[test]
    fn the_key_is_a_variable() {
        let e = Expr::compile(r#"$key == "k1""#, KEY_VARS).unwrap();
        assert!(e.test(Val::Null, &[key_to_val(Some(b"k1"))]).unwrap());
    }

    #[test]
    fn flat_map_outputs_every_value() {
        let e = Expr::compile(".items[]", KEY_VARS).unwrap();
        let out = e.run(json(r#"{"items": [1, 2, 3]}"#), &[Val::Null]).unwrap();
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn strings_become_their_text_and_the_rest_json() {
        assert_eq!(val_to_bytes(&Val::from("user-1".to_string())), Some(b"user-1".to_vec()));
        assert_eq!(val_to_bytes(&json(r#"{"a":1}"#)), Some(br#"{"a":1}"#.to_vec()));
        assert_eq!(val_to_bytes(&Val::Null), None);
        assert_eq!(value_to_val(Some(b"not json")), Val::from("not json".to_string()));
    }

    #[test]
    fn a_syntax_error_points_into_the_expression() {
        let err = Expr::compile(".amount >", KEY_VARS).unwrap_err();
        assert!(err.message.starts_with("expected"), "{err:?}");
        assert_eq!(err.offset, 9, "at the end of the expression: {err:?}");
        let err = Expr::compile(".a | nosuchfn", KEY_VARS).unwrap_err();
        assert_eq!(err.message, "undefined filter `nosuchfn`");
        assert_eq!(err.offset, 5);
    }

    #[test]
    fn unknown_variables_name_the_ones_in_scope() {
        let err = Expr::compile("$value", KEY_VARS).unwrap_err();
        assert!(err.message.contains("undefined variable `$value`") && err.message.contains("$key"), "{err:?}");
    }

    #[test]
    fn impure_filters_are_refused() {
        let err = Expr::compile(".t < now", KEY_VARS).unwrap_err();
        assert!(err.message.contains("deterministic"), "{err:?}");
        assert_eq!(err.offset, 5);
        assert!(Expr::compile("env", KEY_VARS).is_err());
        assert!(Expr::compile(r#"{now: .now, s: "now"}"#, KEY_VARS).is_ok(), "keys, fields and strings are not calls");
    }
}

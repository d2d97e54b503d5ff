//! From YAML text to the file model ([`ScenarioFile`]), with every parser
//! message put in a student's words.
//!
//! First a look at the file's shape: a file with nothing but comments, one
//! that is a number or a list rather than a map of keys, and text holding
//! control characters (`"\e[2J"` would reach the terminal raw through the
//! narration) are refused with their own message. Then serde-saphyr reads
//! the file; what it says for programmers (Rust type names, "use
//! Option<String>", budget names) is translated here, in one place.

use miette::SourceSpan;
use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Error, Spanned};

use super::diagnostic::{Problem, ScenarioError, Source, is_unsafe_for_terminals};
use super::file::ScenarioFile;
use super::suggest::did_you_mean;
use super::yaml_tree::Node;

/// Control characters reported at most, so a binary file gives a short report.
const MAX_CONTROL_PROBLEMS: usize = 10;

const STARTER_HELP: &str = "a scenario is a map of keys like `name:`, `topics:` and `producers:`; \
                            `kafkasim new my-lesson` writes a commented starter file";

/// Parses YAML into the file model, turning parser errors into located
/// problems with a fix.
pub fn parse(source: &Source) -> Result<ScenarioFile, ScenarioError> {
    let fail = |problems: Vec<Problem>| Err(ScenarioError::new(source.clone(), problems));
    if !has_content(&source.text) {
        let what = if source.text.trim().is_empty() { "is empty" } else { "has nothing in it but comments" };
        return fail(vec![Problem::whole_file(format!("the scenario file {what}")).help(STARTER_HELP)]);
    }
    // The shape, where the text parses at all (else the typed parse says where it does not).
    let shape = serde_saphyr::from_str::<Spanned<Node>>(&source.text);
    // Over the parser's budget: said before the typed parse, which may stop
    // at a mistake early in a file that is far too large anyway.
    if let Err(err) = &shape
        && matches!(err.without_snippet(), Error::Budget { .. })
    {
        let (message, help) = readable(err, source);
        return fail(vec![Problem::whole_file(message).help(help)]);
    }
    if let Ok(root) = &shape {
        if !matches!(root.value, Node::Map(_)) {
            let span = source.span_of(&root.referenced);
            let message = format!("this file is {}, not a scenario", root.value.describe());
            return fail(vec![Problem::at(span, message).help(STARTER_HELP)]);
        }
        let mut problems = Vec::new();
        control_characters(source, root, &mut problems);
        if !problems.is_empty() {
            return fail(problems);
        }
    }
    // The browser player reads the typed file from the tree (why in
    // yaml_tree's comment); the native program with serde-saphyr directly.
    #[cfg(not(feature = "native"))]
    let typed = match shape {
        Ok(root) => {
            return super::yaml_tree::from_tree::<ScenarioFile>(&root, &source.text).map_err(|err| {
                let span = err.location.map(|loc| source.span_of(&loc)).unwrap_or_else(|| SourceSpan::new(0.into(), 0));
                let (message, help) = in_words(err.message);
                ScenarioError::new(source.clone(), vec![Problem::at(span, message).help(help)])
            });
        }
        Err(err) => Err::<ScenarioFile, _>(err),
    };
    #[cfg(feature = "native")]
    let typed = serde_saphyr::from_str::<ScenarioFile>(&source.text);
    typed.map_err(|err| {
        let span = err.location().map(|loc| source.span_of(&loc)).unwrap_or_else(|| SourceSpan::new(0.into(), 0));
        let (message, help) = readable(&err, source);
        ScenarioError::new(source.clone(), vec![Problem::at(span, message).help(help)])
    })
}

/// Whether anything but blank lines, comments and document markers is there.
fn has_content(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .any(|line| !(line.is_empty() || line.starts_with('#') || line == "---" || line == "..."))
}

/// The parser's error as a message and a fix a student can act on.
fn readable(err: &Error, source: &Source) -> (String, String) {
    match err.without_snippet() {
        Error::MultipleDocuments { .. } => (
            "the file holds more than one YAML document (a `---` line starts another)".to_string(),
            "a scenario is one document: remove the `---` line and what follows it, or give each scenario its own file"
                .to_string(),
        ),
        Error::NullIntoString { .. } => (
            "a value is missing here: the key has nothing after its colon".to_string(),
            "write the value after the colon (quoted if it is empty text: `\"\"`), or remove the key".to_string(),
        ),
        Error::NonFiniteFloat { value, .. } => (
            format!("`{value}` is not a finite number"),
            "write a number such as `100`, or a duration such as `30s` where one is expected".to_string(),
        ),
        Error::Eof { .. } => (
            "the file ends in the middle of a value".to_string(),
            "a bracket, brace or quote is opened and never closed: close it".to_string(),
        ),
        Error::Budget { breach, .. } => (
            format!("the file is too {} to be a scenario", budget_words(breach)),
            "a scenario describes a lesson, not data: use `count:` and templates to generate records".to_string(),
        ),
        Error::Unexpected { expected, .. } => {
            let words = match *expected {
                "mapping start" => "a map of keys (like `name: value`)",
                "sequence start" => "a list (like `[a, b]` or lines starting with `- `)",
                other => other,
            };
            (format!("expected {words} here"), "check the value's shape against `kafkasim schema`".to_string())
        }
        _ => {
            let message = serde_saphyr::miette::to_miette_report(err, &source.text, &source.name)
                .to_string()
                // The parser's advice is for programmers embedding it, not for students.
                .replace(", set DuplicateKeyPolicy in Options if acceptable", "");
            in_words(message)
        }
    }
}

/// A deserializer's message (serde's, or the parser's) and a fix, in a student's words.
fn in_words(message: String) -> (String, String) {
    let default_help = "scenario files are YAML: check the indentation, quotes and brackets around this spot";
    let message = readable_type_error(&message).or_else(|| untagged_enum(&message)).unwrap_or(message);
    let help = parser_help(&message).unwrap_or_else(|| default_help.to_string());
    (message, help)
}

fn budget_words(breach: &BudgetBreach) -> &'static str {
    match breach {
        BudgetBreach::Depth { .. } => "deeply nested",
        BudgetBreach::Aliases { .. } | BudgetBreach::Anchors { .. } | BudgetBreach::AliasAnchorRatio { .. } => {
            "full of anchors and aliases (`&a`, `*a`)"
        }
        _ => "large",
    }
}

/// Rust type names mean nothing to a student: `invalid u32` becomes words.
fn readable_type_error(message: &str) -> Option<String> {
    let kind = message.trim().strip_prefix("invalid ")?;
    let words = match kind {
        "u8" | "u16" | "u32" | "u64" | "usize" => "expected a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "isize" => "expected a whole number",
        "f32" | "f64" => "expected a number",
        "bool" => "expected true or false",
        _ => return None,
    };
    Some(words.to_string())
}

/// serde's "data did not match any variant of untagged enum X", in words.
fn untagged_enum(message: &str) -> Option<String> {
    let name = message.trim().strip_prefix("data did not match any variant of untagged enum ")?;
    let words = match name.trim() {
        "ConfigValue" => "expected a config value: a number, a word, true or false, or a list of words",
        _ => "this value has a shape that does not fit here",
    };
    Some(words.to_string())
}

/// A fix for the common parser messages.
fn parser_help(message: &str) -> Option<String> {
    if message.contains("missing field `grace`") {
        return Some(
            "since Kafka 3.0 (KIP-633) a window says how long it waits for late records: add `grace: 0s` for none"
                .to_string(),
        );
    }
    for what in ["field", "variant"] {
        let marker = format!("unknown {what} `");
        if let Some(start) = message.find(&marker) {
            let rest = &message[start + marker.len()..];
            let word = rest.split('`').next().unwrap_or_default();
            let expected: Vec<String> = rest
                .split_once("expected ")
                .map(|(_, list)| {
                    list.trim_start_matches("one of ")
                        .split([',', ' '])
                        .map(|s| s.trim().trim_matches('`').to_string())
                        .filter(|s| !s.is_empty() && s != "or")
                        .collect()
                })
                .unwrap_or_default();
            return Some(match did_you_mean(word, expected.iter().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`?"),
                None if expected.is_empty() => format!("remove `{word}`; see `kafkasim schema` for what is allowed"),
                None => format!("allowed here: {}", expected.join(", ")),
            });
        }
    }
    if message.contains("is not a broker") || message.contains("not a host") || message.contains("host is missing") {
        return Some("a host is a broker number (`2`), a controller (`controller-1`) or a client's id; `kill: [2, 3]` names several".to_string());
    }
    if message.contains("a key is") {
        return Some(
            "a key is text with `{n}` for the record number, `null`, or `{ one_of: [...], weights: [...] }`"
                .to_string(),
        );
    }
    if message.contains("or `none`") {
        return Some(
            "expectations compare whole numbers: `12`, `\">= 10\"`, `\"< 3\"`, or `none` where nothing is expected"
                .to_string(),
        );
    }
    if message.contains("has no unit") || message.contains("is negative") || message.contains("not a duration") {
        return Some("durations are written with a unit: `250ms`, `30s`, `5m`, `2h`, `1d`".to_string());
    }
    if message.contains("microsecond") {
        return Some("kafkasim's clock counts whole microseconds: write `1us` or more".to_string());
    }
    if message.contains("is not a loss") || message.contains("loss `") {
        return Some("write loss as a fraction below 1 (`0.02`) or a percentage below 100% (`2%`)".to_string());
    }
    if message.contains("bandwidth") {
        return Some(
            "write bandwidth per second with a unit: `50KB/s`, `1MB/s`, `1MiB/s`, `10Mbit/s` (or bytes per second as a number)"
                .to_string(),
        );
    }
    if message.contains("366 days at most") {
        return Some("a run covers at most a year of simulated time: use a shorter duration".to_string());
    }
    if message.contains("duplicate mapping key") {
        return Some("each key may appear once in a map: remove or rename one of them".to_string());
    }
    if message.contains("missing field") {
        return Some("add the missing field; `kafkasim new NAME` writes an example of every section".to_string());
    }
    if message.contains("trailing content after") {
        return Some("after a quoted value only `,`, a closing bracket or a `# comment` may follow".to_string());
    }
    if message.contains("invalid type") || message.starts_with("expected ") {
        return Some("check the value's type: numbers without quotes, durations with a unit like `30s`".to_string());
    }
    None
}

/// Reports text (keys too) holding characters a terminal would act on.
/// YAML refuses them written raw; escapes such as `"\e[2J"` or `"\u202e"`
/// make them.
fn control_characters(source: &Source, node: &Spanned<Node>, problems: &mut Vec<Problem>) {
    if problems.len() >= MAX_CONTROL_PROBLEMS {
        return;
    }
    match &node.value {
        Node::Text(text) => {
            if let Some(c) = text.chars().find(|&c| c != '\n' && c != '\t' && is_unsafe_for_terminals(c)) {
                problems.push(
                    Problem::at(
                        source.span_of(&node.referenced),
                        format!("this text holds the control character U+{:04X}", c as u32),
                        )
                    .help("remove it: narration and the terminal UI print text as it is, and a control character would act on the terminal"),
                );
            }
        }
        Node::Map(entries) => {
            for (key, value) in entries {
                control_characters(source, key, problems);
                control_characters(source, value, problems);
            }
        }
        Node::List(items) => {
            for item in items {
                control_characters(source, item, problems);
            }
        }
        _ => {}
    }
}

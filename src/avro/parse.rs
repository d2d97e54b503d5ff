//! Parsing schema text, with errors that point at the spot in the file.
//!
//! The JSON syntax is checked by serde_json (which knows the line and
//! column); the schema itself by apache-avro's `Schema::parse`, which
//! validates types, names and defaults but does not say where in the text a
//! problem is. This module finds the spot: the unknown type name, the
//! duplicate symbol, the field without `type`, the `default` that does not
//! fit (found by taking the defaults away one at a time until apache-avro's
//! complaint changes).

use apache_avro::Schema;
use apache_avro::error::Details;

use super::AvroSchema;
use super::located::{self, Kind, Node};
use crate::scenario::suggest::did_you_mean;

/// Avro's primitive and complex type names.
pub const TYPE_NAMES: [&str; 13] =
    ["null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "enum", "array", "map", "fixed"];

/// A schema that cannot be used, and where the problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
    /// Byte offset and length in the schema text, when known.
    pub span: Option<(usize, usize)>,
    pub help: String,
}

impl SchemaError {
    fn new(message: impl Into<String>, node: Option<&Node>, help: impl Into<String>) -> Self {
        SchemaError { message: message.into(), span: node.map(|n| (n.start, n.end - n.start)), help: help.into() }
    }

    /// `name:line:column: message` (or `name: message`), for plain output.
    pub fn located(&self, name: &str, text: &str) -> String {
        match self.span {
            Some((offset, _)) => {
                let before = &text[..offset.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("{name}:{line}:{column}: {}", self.message)
            }
            None => format!("{name}: {}", self.message),
        }
    }
}

/// Parses `.avsc` text into a schema, or says what is wrong and where.
pub fn parse_schema(text: &str) -> Result<AvroSchema, SchemaError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(text, &e))?;
    match Schema::parse(&json) {
        Ok(schema) => Ok(AvroSchema::from_parsed(schema)),
        Err(e) => Err(schema_error(text, &json, e.details())),
    }
}

fn json_error(text: &str, error: &serde_json::Error) -> SchemaError {
    let offset = offset_of(text, error.line(), error.column());
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location is shown apart.
    let message = message.split(" at line ").next().unwrap_or(&message).to_string();
    SchemaError {
        message: format!("the schema is not valid JSON: {message}"),
        span: Some((offset, 0)),
        help: "an Avro schema is JSON: check the quotes, commas and brackets around this spot".to_string(),
    }
}

/// Byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = l.char_indices().nth(column.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
            return offset + col;
        }
        offset += l.len();
    }
    text.len()
}

fn schema_error(text: &str, json: &serde_json::Value, details: &Details) -> SchemaError {
    let message = format!("invalid Avro schema: {details}");
    let Some(root) = located::parse(text) else {
        return SchemaError::new(message, None, "check the schema against the Avro specification");
    };
    let schemas = schema_nodes(&root);
    let string_at = |value: &str, nth: usize| {
        root.descendants().into_iter().filter(|n| n.as_str() == Some(value)).nth(nth).map(|n| n.to_owned())
    };
    match details {
        Details::ParsePrimitive(name)
        | Details::ParsePrimitiveSimilar(name, _)
        | Details::InvalidSchemaRecord(name) => {
            let node = schemas.iter().find(|n| n.as_str() == Some(name.as_str())).copied();
            let defined = defined_names(&root);
            let candidates = TYPE_NAMES.iter().copied().chain(defined.iter().map(String::as_str));
            let help = match did_you_mean(name, candidates) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "Avro's types are null, boolean, int, long, float, double, bytes, string, record, enum, \
                         array, map and fixed; a named type must be defined (by its `name`) before it is used"
                    .to_string(),
            };
            SchemaError::new(format!("unknown type `{name}`: {message}"), node, help)
        }
        Details::GetDefaultRecordField(..)
        | Details::GetDefaultUnion(..)
        | Details::EnumDefaultWrongType(_)
        | Details::GetEnumDefault { .. }
        | Details::ArrayDefaultWrongType(_)
        | Details::ArrayDefaultWrongInnerType(..)
        | Details::MapDefaultWrongType(_)
        | Details::MapDefaultWrongInnerType(..) => {
            let node = culprit_default(&root, json, &message);
            SchemaError::new(
                message,
                node.as_ref(),
                "a default must be a value of the field's type in Avro's JSON encoding; for a union, of one of its \
                 branches (`\"default\": null` with `[\"null\", ...]`)",
            )
        }
        Details::FieldNameDuplicate(name) | Details::EnumSymbolDuplicate(name) => {
            SchemaError::new(message, string_at(name, 1).as_ref(), "each name may appear once: rename or remove one")
        }
        Details::FieldName(name)
        | Details::EnumSymbolName(name)
        | Details::InvalidSchemaName(name, _)
        | Details::InvalidNamespace(name, _) => SchemaError::new(
            message,
            string_at(name, 0).as_ref(),
            "Avro names start with a letter or `_` and go on with letters, digits and `_`",
        ),
        Details::NameCollision(name) => {
            let simple = name.rsplit('.').next().unwrap_or(name);
            SchemaError::new(message, string_at(simple, 1).as_ref(), "a named type is defined once; later uses name it")
        }
        Details::GetNameField => missing(&schemas, message, None, "name", "a record, enum or fixed needs a `name`"),
        Details::GetRecordFieldsJson => {
            missing(&schemas, message, Some("record"), "fields", "a record lists its `fields` (maybe `[]`)")
        }
        Details::GetEnumSymbolsField => {
            missing(&schemas, message, Some("enum"), "symbols", "an enum lists its `symbols`")
        }
        Details::GetArrayItemsField => {
            missing(&schemas, message, Some("array"), "items", "an array names the type of its `items`")
        }
        Details::GetMapValuesField => {
            missing(&schemas, message, Some("map"), "values", "a map names the type of its `values`")
        }
        Details::GetFixedSizeField | Details::GetFixedSizeFieldPositive(_) => {
            missing(&schemas, message, Some("fixed"), "size", "a fixed type has a positive `size` in bytes")
        }
        Details::GetComplexTypeField => missing(&schemas, message, None, "type", "every schema object has a `type`"),
        Details::GetNameFieldFromRecord | Details::GetRecordFieldTypeField => {
            let key = if matches!(details, Details::GetNameFieldFromRecord) { "name" } else { "type" };
            let node = fields(&root).into_iter().find(|f| f.get(key).is_none());
            SchemaError::new(message, node, format!("every field has a `name` and a `type`; this one has no `{key}`"))
        }
        Details::GetNestedUnion
        | Details::GetUnionDuplicate(_)
        | Details::EmptyUnion
        | Details::GetUnionDuplicateNamedSchemas(_) => {
            let node = schemas.iter().find(|n| is_bad_union(n)).copied();
            SchemaError::new(message, node, "a union lists different types, none of them a union itself")
        }
        _ => SchemaError::new(message, None, "check the schema against the Avro specification"),
    }
}

/// Every node that is itself a schema: the root, `type`, `items`, `values`,
/// union branches and the types of fields.
fn schema_nodes(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        out.push(node);
        let mut children: Vec<&Node> = Vec::new();
        match &node.kind {
            Kind::Array(items) => children.extend(items),
            Kind::Object(_) => {
                children.extend(["type", "items", "values"].iter().filter_map(|k| node.get(k)));
                if let Some(fields) = node.get("fields") {
                    children.extend(fields.elements().iter().filter_map(|f| f.get("type")));
                }
            }
            _ => {}
        }
        stack.extend(children.into_iter().rev());
    }
    out
}

/// Every record field object.
fn fields(root: &Node) -> Vec<&Node> {
    schema_nodes(root).into_iter().filter_map(|n| n.get("fields")).flat_map(|f| f.elements()).collect()
}

/// The names the schema defines (records, enums, fixed).
fn defined_names(root: &Node) -> Vec<String> {
    schema_nodes(root)
        .into_iter()
        .filter(|n| n.get("type").and_then(Node::as_str).is_some_and(|t| matches!(t, "record" | "enum" | "fixed")))
        .filter_map(|n| n.get("name").and_then(Node::as_str).map(str::to_string))
        .collect()
}

fn missing(schemas: &[&Node], message: String, of_type: Option<&str>, key: &str, help: &str) -> SchemaError {
    let node = schemas
        .iter()
        .filter(|n| matches!(n.kind, Kind::Object(_)))
        .filter(|n| match of_type {
            Some(t) => n.get("type").and_then(Node::as_str) == Some(t),
            None => key == "type" || n.get("type").and_then(Node::as_str).is_some_and(|t| t != "array" && t != "map"),
        })
        .find(|n| n.get(key).is_none() || (key == "size" && n.get(key).is_some_and(|s| s.as_str().is_some())))
        .copied();
    SchemaError::new(message, node, help)
}

fn is_bad_union(node: &Node) -> bool {
    let Kind::Array(items) = &node.kind else { return false };
    if items.is_empty() || items.iter().any(|i| matches!(i.kind, Kind::Array(_))) {
        return true;
    }
    let names: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
    names.iter().enumerate().any(|(i, n)| names[..i].contains(n))
}

/// The `default` whose removal changes apache-avro's complaint.
fn culprit_default(root: &Node, json: &serde_json::Value, message: &str) -> Option<Node> {
    let mut paths = Vec::new();
    default_paths(root, &mut Vec::new(), &mut paths);
    paths.into_iter().find_map(|(path, node)| {
        let mut without = json.clone();
        remove_at(&mut without, &path);
        let still_same =
            Schema::parse(&without).err().is_some_and(|e| format!("invalid Avro schema: {}", e.details()) == message);
        (!still_same).then_some(node)
    })
}

/// One step into a JSON value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Paths to every `default` member (the path ends at the member's key).
fn default_paths(node: &Node, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Node)>) {
    match &node.kind {
        Kind::Object(members) => {
            for m in members {
                path.push(Step::Key(m.key.clone()));
                if m.key == "default" {
                    out.push((path.clone(), m.value.clone()));
                } else {
                    default_paths(&m.value, path, out);
                }
                path.pop();
            }
        }
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                default_paths(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn remove_at(value: &mut serde_json::Value, path: &[Step]) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut at = value;
    for step in parents {
        let next = match step {
            Step::Key(k) => at.get_mut(k.as_str()),
            Step::Index(i) => at.get_mut(*i),
        };
        match next {
            Some(n) => at = n,
            None => return,
        }
    }
    if let (Step::Key(k), Some(object)) = (last, at.as_object_mut()) {
        object.shift_remove(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (String, Option<String>, String) {
        let e = parse_schema(text).expect_err("the schema is invalid");
        let at = e.span.map(|(o, len)| text[o..o + len.max(1).min(text.len() - o)].to_string());
        (e.message, at, e.help)
    }

    fn line_column(text: &str) -> String {
        let e = parse_schema(text).expect_err("invalid");
        e.located("x.avsc", text).split(": ").next().unwrap_or_default().to_string()
    }

    #[test]
    fn invalid_json_points_at_the_broken_spot() {
        let text = "{\n  \"type\": \"record\",\n  \"name\": \"R\"\n  \"fields\": []\n}";
        let (message, _, help) = error(text);
        assert!(message.contains("not valid JSON"), "{message}");
        assert!(help.contains("commas"));
        assert_eq!(line_column(text), "x.avsc:4:3", "the missing comma shows where `\"fields\"` starts");
    }

    #[test]
    fn an_unknown_type_is_found_in_the_text() {
        let text =
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"a\", \"type\": \"strng\"}\n]}";
        let (message, at, help) = error(text);
        assert!(message.contains("strng"), "{message}");
        assert_eq!(at.as_deref(), Some("\"strng\""));
        assert_eq!(help, "did you mean `string`?");
        assert_eq!(line_column(text), "x.avsc:2:25");
    }

    #[test]
    fn an_undefined_named_type_suggests_the_defined_one() {
        let text = r#"{"type": "record", "name": "Order", "fields": [
  {"name": "a", "type": {"type": "record", "name": "Address", "fields": []}},
  {"name": "b", "type": "Adress"}
]}"#;
        let (message, at, help) = error(text);
        assert!(message.contains("Adress"), "{message}");
        assert_eq!(at.as_deref(), Some("\"Adress\""));
        assert_eq!(help, "did you mean `Address`?");
    }

    #[test]
    fn a_default_that_does_not_fit_is_pointed_at() {
        let text = r#"{"type": "record", "name": "R", "fields": [
  {"name": "ok", "type": "int", "default": 1},
  {"name": "count", "type": "int", "default": "zero"}
]}"#;
        let (message, at, _) = error(text);
        assert!(message.contains("count"), "{message}");
        assert_eq!(at.as_deref(), Some("\"zero\""));
        assert_eq!(line_column(text), "x.avsc:3:47");
    }

    #[test]
    fn a_union_default_that_fits_no_branch_is_pointed_at() {
        let text = r#"{"type": "record", "name": "R", "fields": [
  {"name": "email", "type": ["null", "string"], "default": 0}
]}"#;
        let (_, at, help) = error(text);
        assert_eq!(at.as_deref(), Some("0"));
        assert!(help.contains("union"));
    }

    #[test]
    fn duplicate_and_missing_parts_are_located() {
        let dup = r#"{"type": "enum", "name": "E", "symbols": ["A", "B", "A"]}"#;
        let (_, at, _) = error(dup);
        assert_eq!(at.as_deref(), Some("\"A\""));
        assert_eq!(parse_schema(dup).unwrap_err().span.map(|s| s.0), Some(dup.rfind("\"A\"").unwrap()));
        let no_type = r#"{"type": "record", "name": "R", "fields": [{"name": "a"}]}"#;
        let (_, at, help) = error(no_type);
        assert_eq!(at.as_deref(), Some("{\"name\": \"a\"}"));
        assert!(help.contains("no `type`"));
        let no_fields = r#"{"type": "record", "name": "R"}"#;
        assert!(error(no_fields).2.contains("fields"));
    }

    #[test]
    fn a_valid_schema_keeps_its_canonical_text() {
        let schema = parse_schema("{ \"type\" : \"string\" }").expect("valid");
        assert_eq!(schema.canonical(), "\"string\"");
        let record = parse_schema(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]}"#)
            .expect("valid");
        assert!(record.canonical().contains("\"default\":1"), "{}", record.canonical());
    }
}

//! Enough of JSON Schema (draft-07) to check a value against the schemas
//! schemars writes: `$ref` into `definitions`, `type`, `properties`,
//! `required`, `additionalProperties`, `items` (one schema or a tuple),
//! `minItems`/`maxItems`, `enum`, `const`, `anyOf`/`oneOf`/`allOf` and
//! `minimum`/`maximum`. Anything else in a schema is reported, so a schema
//! that outgrows this checker fails loudly instead of passing unchecked.

use serde_json::Value;

/// Every way `value` breaks `schema`, with the JSON path to each.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(schema, schema, value, "$", &mut problems);
    problems
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => false,
    }
}

const KNOWN: &[&str] = &[
    "$schema",
    "$ref",
    "title",
    "description",
    "definitions",
    "type",
    "format",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "minimum",
    "maximum",
    "default",
];

fn check(root: &Value, schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            problems.push(format!("{path}: nothing is allowed here"));
        }
        return;
    };
    for key in schema.keys() {
        if !KNOWN.contains(&key.as_str()) {
            problems.push(format!("{path}: the checker does not know the keyword `{key}`"));
        }
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/definitions/").expect("schemars refers into definitions");
        check(root, &root["definitions"][name], value, path, problems);
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_matches(t, value) => problems.push(format!("{path}: not a {t}: {value}")),
        Some(Value::Array(types)) if !types.iter().filter_map(Value::as_str).any(|t| type_matches(t, value)) => {
            problems.push(format!("{path}: none of {types:?}: {value}"))
        }
        _ => {}
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        problems.push(format!("{path}: {value} is none of {options:?}"));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        problems.push(format!("{path}: {value} is not {constant}"));
    }
    if let Some(n) = value.as_f64() {
        if schema.get("minimum").and_then(Value::as_f64).is_some_and(|m| n < m) {
            problems.push(format!("{path}: {n} is below the minimum"));
        }
        if schema.get("maximum").and_then(Value::as_f64).is_some_and(|m| n > m) {
            problems.push(format!("{path}: {n} is above the maximum"));
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                problems.push(format!("{path}: `{name}` is missing"));
            }
        }
        for (key, item) in object {
            let at = format!("{path}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => check(root, sub, item, &at, problems),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => problems.push(format!("{at}: not in the schema")),
                    Some(sub @ Value::Object(_)) => check(root, sub, item, &at, problems),
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = value.as_array() {
        if schema.get("minItems").and_then(Value::as_u64).is_some_and(|m| (items.len() as u64) < m)
            || schema.get("maxItems").and_then(Value::as_u64).is_some_and(|m| (items.len() as u64) > m)
        {
            problems.push(format!("{path}: {} items", items.len()));
        }
        match schema.get("items") {
            Some(Value::Array(tuple)) => {
                for (i, (sub, item)) in tuple.iter().zip(items).enumerate() {
                    check(root, sub, item, &format!("{path}[{i}]"), problems);
                }
            }
            Some(sub) => {
                for (i, item) in items.iter().enumerate() {
                    check(root, sub, item, &format!("{path}[{i}]"), problems);
                }
            }
            None => {}
        }
    }
    let passes = |sub: &Value| validate_under(root, sub, value).is_empty();
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(root, sub, value, path, problems);
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(passes)
    {
        problems.push(format!("{path}: matches none of anyOf: {value}"));
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array)
        && one.iter().filter(|s| passes(s)).count() != 1
    {
        problems.push(format!("{path}: matches not exactly one of oneOf: {value}"));
    }
}

fn validate_under(root: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(root, schema, value, "", &mut problems);
    problems
}

#[test]
fn the_checker_finds_what_breaks_a_schema() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["n"],
        "properties": {
            "n": { "type": "integer", "minimum": 0 },
            "pair": { "type": "array", "items": [{ "type": "string" }, { "type": "integer" }], "minItems": 2, "maxItems": 2 },
            "maybe": { "anyOf": [{ "$ref": "#/definitions/Thing" }, { "type": "null" }] }
        },
        "definitions": { "Thing": { "type": "object", "properties": { "k": { "enum": ["a", "b"] } } } }
    });
    assert!(validate(&schema, &serde_json::json!({ "n": 1, "pair": ["x", 2], "maybe": { "k": "a" } })).is_empty());
    assert_eq!(validate(&schema, &serde_json::json!({ "n": -1 })), ["$.n: -1 is below the minimum"]);
    assert_eq!(validate(&schema, &serde_json::json!({})).len(), 1);
    assert_eq!(validate(&schema, &serde_json::json!({ "n": 0, "pair": ["x"] })).len(), 1);
    assert_eq!(validate(&schema, &serde_json::json!({ "n": 0, "maybe": { "k": "c" } })).len(), 1);
    assert_eq!(validate(&serde_json::json!({ "if": true }), &serde_json::json!(1)).len(), 1, "unknown keywords fail");
}

//! The course scenarios, embedded in the binary at build time.

include!(concat!(env!("OUT_DIR"), "/builtin_scenarios.rs"));

/// The text of a built-in scenario by name (`producer-consumer`).
pub fn find(name: &str) -> Option<&'static str> {
    let name = name.strip_suffix(".yaml").unwrap_or(name);
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// Names of every built-in scenario.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(n, _)| *n)
}

/// A built-in Avro schema by the path scenarios name it with (`schemas/orders.avsc`).
pub fn schema_file(path: &str) -> Option<&'static str> {
    let path = path.strip_prefix("./").unwrap_or(path);
    BUILTIN_SCHEMAS.iter().find(|(p, _)| *p == path).map(|(_, text)| *text)
}

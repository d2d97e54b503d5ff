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

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

/// The first lines of a copy (`kafkasim copy`), after the schema line.
const COPY_NOTE: &str = "\
# A copy of the built-in scenario `{name}` to change. Its `expect:` entries
# were written for the original: once you change the cluster, the clients or
# the timeline, some may fail on purpose, and that is the lesson. Change them
# to what you now expect, or delete them. Questions (`ask:`) are answered by
# each run, so they always fit.
";

/// The text `kafkasim copy NAME` writes: the built-in with a note on top
/// (after the schema line, which must stay first).
pub fn copy_text(name: &str) -> Option<String> {
    let text = find(name)?;
    let note = COPY_NOTE.replace("{name}", name.strip_suffix(".yaml").unwrap_or(name));
    Some(match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("# yaml-language-server") => format!("{first}\n{note}{rest}"),
        _ => format!("{note}{text}"),
    })
}

/// The built-in scenario a file was copied from, by the note the copy
/// starts with.
pub fn copied_from(text: &str) -> Option<&str> {
    let rest = text.split_once("# A copy of the built-in scenario `")?.1;
    rest.split_once('`').map(|(name, _)| name)
}

/// The built-in a file was copied from, when the copy has been changed
/// since: its narration was written for the original run.
pub fn changed_copy_of(text: &str) -> Option<&str> {
    let original = copied_from(text)?;
    let unchanged = copy_text(original)?;
    (unchanged.trim_end() != text.trim_end()).then_some(original)
}

/// The lesson line a changed copy starts with: its `say:` lines were written
/// for the original run, and may not describe this one.
pub fn changed_copy_say(original: &str) -> String {
    format!(
        "This is a changed copy of `{original}`. Its lesson lines (») were written for the original run \
         and may not describe this one; what happened is in the other lines, and the ✓/✗ lines check it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_changed_copy_says_its_narration_may_not_fit() {
        let copy = copy_text("acks-1-loss").expect("a built-in");
        assert_eq!(copied_from(&copy), Some("acks-1-loss"));
        assert_eq!(changed_copy_of(&copy), None, "an unchanged copy tells the original's story");
        let changed = copy.replace("acks: 1 ", "acks: all ");
        assert_ne!(changed, copy);
        assert_eq!(changed_copy_of(&changed), Some("acks-1-loss"));
        let scenario = crate::scenario::load_str("changed.yaml", &changed).expect("loads");
        let first = &scenario.timeline[0];
        assert!(
            matches!(&first.action, crate::scenario::Action::Say(text) if text.contains("changed copy of `acks-1-loss`")),
            "{first:?}"
        );
        let original = crate::scenario::load_str("copy.yaml", &copy).expect("loads");
        assert!(
            original
                .timeline
                .iter()
                .all(|a| !matches!(&a.action, crate::scenario::Action::Say(t) if t.contains("changed copy")))
        );
    }
}

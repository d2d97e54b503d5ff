//! What changed between a pinned outcome and a new one, line by line, with
//! a little context: the partition table's rows, the delivery counts and the
//! expectations read as themselves, so a reviewer sees the change, not a
//! digest. The diff itself comes from `similar` (the library insta uses).

use similar::{ChangeTag, TextDiff};

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The changed lines of `old` → `new`: `-` was, `+` now, with the line
/// numbers of the new text; `color` adds terminal colours.
pub fn lines(old: &str, new: &str, color: bool) -> Vec<String> {
    let diff = TextDiff::from_lines(old, new);
    let paint = |code: &str, text: String| if color { format!("{code}{text}{RESET}") } else { text };
    let mut out = Vec::new();
    for group in diff.grouped_ops(CONTEXT) {
        let first = group.first().map_or(0, |op| op.new_range().start);
        out.push(paint(DIM, format!("@@ line {} @@", first + 1)));
        for op in &group {
            for change in diff.iter_changes(op) {
                let text = change.value().trim_end_matches('\n').to_string();
                out.push(match change.tag() {
                    ChangeTag::Equal => format!("  {text}"),
                    ChangeTag::Delete => paint(RED, format!("- {text}")),
                    ChangeTag::Insert => paint(GREEN, format!("+ {text}")),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_lines_and_their_context_are_shown() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nd\nE\nf\ng\n";
        assert_eq!(lines(old, new, false), ["@@ line 3 @@", "  c", "  d", "- e", "+ E", "  f", "  g"]);
        assert!(lines(old, old, false).is_empty());
        let painted = lines(old, new, true);
        assert!(painted.iter().any(|l| l == "\x1b[31m- e\x1b[0m"), "{painted:?}");
    }
}

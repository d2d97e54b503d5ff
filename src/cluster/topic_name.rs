//! Which names a topic may have: Kafka's `org.apache.kafka.common.internals.Topic`
//! (`validate`, `hasCollision`).
//!
//! A legal name is 1 to 249 characters of ASCII letters, digits, `.`, `_`
//! and `-`, and is neither `.` nor `..` (they would be directories of their
//! own on the broker's disk). Two names that differ only by `.` against `_`
//! collide: Kafka's metrics replace `.` with `_`, so it refuses the second.

/// Kafka's `Topic.MAX_NAME_LENGTH`.
pub const MAX_NAME_LENGTH: usize = 249;

/// Why a topic name is refused, in Kafka's words (`InvalidTopicException`).
pub fn validate(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("Topic name is illegal, it can't be empty".to_string());
    }
    if name == "." || name == ".." {
        return Err("Topic name cannot be \".\" or \"..\"".to_string());
    }
    if name.len() > MAX_NAME_LENGTH {
        return Err(format!(
            "Topic name is illegal, it can't be longer than {MAX_NAME_LENGTH} characters, topic name: {name}"
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
        return Err(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Whether two names differ only by `.` against `_` (`Topic.hasCollision`).
pub fn collides(a: &str, b: &str) -> bool {
    a != b && a.replace('.', "_") == b.replace('.', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ported from Kafka's `TopicTest.shouldAcceptValidTopicNames` and
    /// `shouldThrowOnInvalidTopicNames` (clients/src/test/java/org/apache/kafka/common/internals/TopicTest.java).
    #[test]
    fn kafkas_valid_and_invalid_names() {
        let longest = "a".repeat(MAX_NAME_LENGTH);
        for name in ["valid", "TOPIC", "nAmEs", "ar6", "VaL1d", "_0-9_.", "...", longest.as_str()] {
            assert_eq!(validate(name), Ok(()), "{name}");
        }
        let too_long = "a".repeat(MAX_NAME_LENGTH + 1);
        let mut bad: Vec<String> =
            [".", "..", "", "as-\u{e9}", "my topic", "a/b", "a:b", "tópico"].iter().map(|s| s.to_string()).collect();
        bad.push(too_long);
        for c in ['/', '\\', ',', '\u{0000}', ':', '"', '\'', ';', '*', '?', ' ', '\t', '\r', '\n', '='] {
            bad.push(format!("Is{c}illegal"));
        }
        for name in &bad {
            assert!(validate(name).is_err(), "{name:?} must be refused");
        }
    }

    #[test]
    fn messages_are_kafkas() {
        assert_eq!(validate("").unwrap_err(), "Topic name is illegal, it can't be empty");
        assert_eq!(validate("..").unwrap_err(), "Topic name cannot be \".\" or \"..\"");
        assert!(validate("a b").unwrap_err().contains("other than ASCII alphanumerics, '.', '_' and '-'"));
    }

    /// `TopicTest.testTopicHasCollision`.
    #[test]
    fn dots_and_underscores_collide() {
        assert!(collides("foo.bar", "foo_bar"));
        assert!(collides("foo_bar", "foo.bar"));
        assert!(!collides("foo.bar", "foo.bar"), "the same name is not a collision but an existing topic");
        assert!(!collides("foo.bar", "foo-bar"));
    }
}

//! Which `__consumer_offsets` partition — and so which broker — coordinates a
//! group: `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`, with
//! Java's `String.hashCode` and Kafka's `abs` (which maps `Integer.MIN_VALUE`
//! to 0 instead of overflowing).

/// Java's `String.hashCode`: `h = 31 * h + c` over UTF-16 code units, wrapping.
pub fn java_string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// Kafka's `Utils.abs`.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN { 0 } else { n.abs() }
}

/// The `__consumer_offsets` partition for `group`.
pub fn coordinator_partition(group: &str, offsets_partitions: u32) -> u32 {
    (kafka_abs(java_string_hash(group)) as u32) % offsets_partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_javas_string_hash_code() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("my-group"), -1_906_497_762);
        // A non-BMP character hashes as two UTF-16 units, as in Java.
        assert_eq!(java_string_hash("😀"), 0xd83d * 31 + 0xde00);
    }

    #[test]
    fn coordinator_partitions_match_the_reference_examples() {
        // kafka-reference §5.1.
        assert_eq!(coordinator_partition("my-group", 50), 12);
        assert_eq!(coordinator_partition("test-group", 50), 12);
        assert_eq!(coordinator_partition("group1", 50), 40);
        assert_eq!(coordinator_partition("g1", 50), 42);
        assert_eq!(coordinator_partition("demo", 50), 1);
    }

    #[test]
    fn kafka_abs_does_not_overflow() {
        assert_eq!(kafka_abs(i32::MIN), 0);
        assert_eq!(kafka_abs(-5), 5);
        // "polygenelubricants" is a famous string whose hashCode is Integer.MIN_VALUE.
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
    }
}

//! Committed offsets as records of `__consumer_offsets`: the key names the
//! group, topic and partition, the value the offset. The partition is
//! compacted like any compacted topic, so the latest commit per key survives.
//!
//! Simplification: keys and values are readable text
//! (`offset:GROUP:TOPIC:PARTITION` → `42`) instead of Kafka's binary schemas,
//! and group metadata records (members, assignments) are not written: a new
//! coordinator knows the committed offsets but not the members, which rejoin.

/// The record key of a commit.
pub fn commit_key(group: &str, topic: &str, partition: u32) -> String {
    format!("offset:{group}:{topic}:{partition}")
}

/// Reads a commit record back: `(group, topic, partition, offset)`.
pub fn parse_commit(key: &[u8], value: Option<&[u8]>) -> Option<(String, String, u32, i64)> {
    let key = std::str::from_utf8(key).ok()?.strip_prefix("offset:")?;
    let (rest, partition) = key.rsplit_once(':')?;
    let (group, topic) = rest.rsplit_once(':')?;
    let offset = std::str::from_utf8(value?).ok()?.parse().ok()?;
    Some((group.to_string(), topic.to_string(), partition.parse().ok()?, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_records_round_trip_even_with_colons_in_the_group_name() {
        let key = commit_key("team:a", "orders", 3);
        assert_eq!(parse_commit(key.as_bytes(), Some(b"42")), Some(("team:a".into(), "orders".into(), 3, 42)));
        assert_eq!(parse_commit(b"something-else", Some(b"1")), None);
    }
}

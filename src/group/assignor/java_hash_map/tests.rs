//! Expected values were printed by OpenJDK 17's own `HashMap` and `String`.

use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn order_of(items: &[&str]) -> Vec<String> {
    java_hash_order(&strings(items))
}

/// Four-character strings built from "Aa"/"BB" pairs share one hash code.
fn colliding_keys(count: usize) -> Vec<String> {
    (0..count).map(|i| (0..4).map(|bit| if (i >> bit) & 1 == 0 { "Aa" } else { "BB" }).collect()).collect()
}

#[test]
fn string_hash_matches_java() {
    assert_eq!(string_hash("my-group"), -1_906_497_762);
    assert_eq!(string_hash("consumer1"), -421_004_549);
    assert_eq!(string_hash("topic"), 110_546_223);
    assert_eq!(string_hash(""), 0);
    // Characters outside the BMP hash as two UTF-16 units.
    assert_eq!(string_hash("\u{1F600}a"), 54_959_966);
    assert_eq!(string_hash("AaAaAaAa"), -540_425_984);
    assert_eq!(string_hash("BBAaBBAa"), -540_425_984);
}

#[test]
fn topic_partition_hash_matches_kafka() {
    let tp = |p| TopicPartition::new("topic", p);
    assert_eq!(topic_partition_hash(&tp(0)), 110_547_184);
    assert_eq!(topic_partition_hash(&tp(1)), 110_547_215);
    assert_eq!(topic_partition_hash(&tp(19)), 110_547_773);
}

#[test]
fn java_compare_uses_utf16_units() {
    assert_eq!(java_cmp("consumer-a", "consumer-b"), Ordering::Less);
    assert_eq!(java_cmp("c", "c1"), Ordering::Less);
    // U+FB01 sorts after a surrogate pair in Java, before it in UTF-8 byte order.
    assert_eq!(java_cmp("\u{FB01}", "\u{1F600}"), Ordering::Greater);
    assert_eq!("\u{FB01}".cmp("\u{1F600}"), Ordering::Less);
}

#[test]
fn member_ids_iterate_in_bucket_order() {
    assert_eq!(order_of(&["consumer1", "consumer2", "consumer3"]), strings(&["consumer3", "consumer2", "consumer1"]));
    assert_eq!(
        order_of(&["consumer1", "consumer2", "consumer3", "consumer4"]),
        strings(&["consumer4", "consumer3", "consumer2", "consumer1"])
    );
    assert_eq!(order_of(&["topic1", "topic2"]), strings(&["topic1", "topic2"]));
}

#[test]
fn thirteenth_entry_doubles_the_table() {
    let members: Vec<String> = (0..13).map(|i| format!("member-{i}")).collect();
    let twelve = java_hash_order(&members[..12]);
    let expected_twelve = "member-1,member-2,member-0,member-5,member-6,member-3,member-4,\
                           member-9,member-11,member-10,member-7,member-8";
    assert_eq!(twelve.join(","), expected_twelve);
    let thirteen = java_hash_order(&members);
    let expected_thirteen = "member-5,member-6,member-3,member-4,member-12,member-9,member-11,\
                             member-10,member-7,member-8,member-1,member-2,member-0";
    assert_eq!(thirteen.join(","), expected_thirteen);
}

#[test]
fn colliding_keys_keep_insertion_order() {
    assert_eq!(order_of(&["BB", "x", "Aa"]), strings(&["BB", "Aa", "x"]));
    let ten = colliding_keys(10);
    assert_eq!(java_hash_order(&ten), ten);
}

#[test]
fn crowded_bucket_grows_small_table() {
    // The ninth colliding key doubles the table to 32 buckets, which moves "zz" and "q".
    let mut keys = colliding_keys(9);
    keys.push("zz".to_string());
    keys.push("q".to_string());
    let mut expected = vec!["zz".to_string()];
    expected.extend(colliding_keys(9));
    expected.push("q".to_string());
    assert_eq!(java_hash_order(&keys), expected);
}

#[test]
fn compute_if_absent_prepends_within_a_bucket() {
    // "a" and "topic2" share bucket 1: put keeps a first, computeIfAbsent puts topic2 first.
    let keys = strings(&["a", "orders", "topic2", "deleted"]);
    assert_eq!(java_hash_order(&keys), strings(&["a", "topic2", "deleted", "orders"]));
    let mut grouped = JavaHashOrder::new();
    for key in &keys {
        grouped.insert_if_absent(key.clone());
    }
    let order: Vec<&String> = grouped.iter().collect();
    assert_eq!(order, ["topic2", "a", "deleted", "orders"]);
}

#[test]
fn compute_if_absent_grows_lazily() {
    // The 13th computeIfAbsent leaves 16 buckets; put would have doubled to 32.
    let members: Vec<String> = (0..13).map(|i| format!("member-{i}")).collect();
    let mut lazy = JavaHashOrder::new();
    for m in &members {
        lazy.insert_if_absent(m.clone());
    }
    let order: Vec<String> = lazy.iter().cloned().collect();
    let expected = "member-1,member-2,member-0,member-5,member-6,member-3,member-12,\
                    member-4,member-11,member-9,member-10,member-7,member-8";
    assert_eq!(order.join(","), expected);
}

#[test]
fn removal_keeps_remaining_order_and_capacity() {
    let mut map = JavaHashOrder::from_keys((0..13).map(|i| format!("member-{i}")));
    assert!(map.remove(&"member-12".to_string()));
    assert!(!map.remove(&"member-12".to_string()));
    // Still 32 buckets, so the order is the 13-entry order minus the removed key.
    let order: Vec<&String> = map.iter().collect();
    assert_eq!(order[0], "member-5");
    assert_eq!(order[4], "member-9");
    assert_eq!(map.iter().count(), 12);
    assert_eq!(map.first().map(String::as_str), Some("member-5"));
}

#[test]
fn reinsert_keeps_position_and_fresh_insert_goes_last_in_bucket() {
    let mut map = JavaHashOrder::from_keys(strings(&["BB", "Aa"]));
    assert!(!map.insert("BB".to_string()));
    let order: Vec<&String> = map.iter().collect();
    assert_eq!(order, ["BB", "Aa"]);
    map.remove(&"BB".to_string());
    map.insert("BB".to_string());
    let order: Vec<&String> = map.iter().collect();
    assert_eq!(order, ["Aa", "BB"]);
}

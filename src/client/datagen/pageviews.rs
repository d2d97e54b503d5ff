//! The `pageviews` quickstart (`pageviews_schema.avro`, key `viewtime`). Joined with `users`
//! on `userid` in the ksqlDB tutorials. Unlike `users`, every record has a new key.

use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::Digit::{Any, NonZero};
use super::{iteration, regex_longest};

pub(super) fn generate(n: u64, rng: &mut ChaCha8Rng) -> (String, Value) {
    // Avro `long` (`format_as_time: unix_long`) with `iteration {start: 1, step: 10}`: despite
    // the name it is a counter, not a clock reading.
    let viewtime = iteration(n, 1, 10, i64::MAX);
    // Schema regexes `User_[1-9]{0,1}` and `Page_[1-9][0-9]?`.
    let userid = regex_longest(rng, "User_", &[NonZero]);
    let pageid = regex_longest(rng, "Page_", &[NonZero, Any]);
    let value = json!({
        "viewtime": viewtime,
        "userid": userid,
        "pageid": pageid,
    });
    (viewtime.to_string(), value)
}

#[cfg(test)]
mod tests {
    use super::super::Datagen;
    use super::super::test_support::{field_names, int_field, matches_regex, object, records, str_field};

    #[test]
    fn fields_match_the_quickstart_in_order() {
        let value = object(&records(Datagen::Pageviews, 1, 1)[0].value);
        assert_eq!(field_names(&value), ["viewtime", "userid", "pageid"]);
    }

    #[test]
    fn values_match_the_schema_regexes_in_their_longest_form() {
        for record in records(Datagen::Pageviews, 2, 1000) {
            let value = object(&record.value);
            let userid = str_field(&value, "userid");
            let pageid = str_field(&value, "pageid");
            assert!(matches_regex(userid, "User_[1-9]{0,1}"));
            assert!(matches_regex(pageid, "Page_[1-9][0-9]?"));
            assert!(matches_regex(userid, "User_[1-9]"), "never a bare User_");
            assert!(matches_regex(pageid, "Page_[1-9][0-9]"));
        }
    }

    #[test]
    fn viewtime_counts_1_11_21_and_is_the_key() {
        for (n, record) in records(Datagen::Pageviews, 3, 1000).into_iter().enumerate() {
            let expected = 1 + 10 * i64::try_from(n).unwrap();
            assert_eq!(int_field(&object(&record.value), "viewtime"), expected);
            assert_eq!(record.key, Some(expected.to_string()));
        }
    }
}

//! The `users` quickstart (`users_schema.avro`, key `userid`). Only 9 user ids exist, so the
//! topic reads as a table of 9 rows updated over and over: the compaction/KTable example.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::Digit::NonZero;
use super::{option, regex_longest};

/// `registertime` `range`: 2017-02-21T22:22:55.521Z inclusive to 2018-02-22T04:22:44.600Z
/// exclusive.
const REGISTERTIME: std::ops::Range<i64> = 1_487_715_775_521..1_519_273_364_600;
/// `gender` `options`.
const GENDERS: &[&str] = &["MALE", "FEMALE", "OTHER"];

pub(super) fn generate(rng: &mut ChaCha8Rng) -> (String, Value) {
    let registertime = rng.random_range(REGISTERTIME);
    // Schema regexes `User_[1-9]` and `Region_[1-9]`.
    let userid = regex_longest(rng, "User_", &[NonZero]);
    let regionid = regex_longest(rng, "Region_", &[NonZero]);
    let gender = option(rng, GENDERS);
    let value = json!({
        "registertime": registertime,
        "userid": userid,
        "regionid": regionid,
        "gender": gender,
    });
    (userid, value)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::Datagen;
    use super::super::test_support::{field_names, int_field, matches_regex, object, records, str_field};
    use super::*;

    #[test]
    fn fields_match_the_quickstart_in_order() {
        let value = object(&records(Datagen::Users, 1, 1)[0].value);
        assert_eq!(field_names(&value), ["registertime", "userid", "regionid", "gender"]);
    }

    #[test]
    fn values_stay_in_the_schema_ranges_and_cover_them() {
        let mut users = BTreeSet::new();
        let mut genders = BTreeSet::new();
        for record in records(Datagen::Users, 2, 1000) {
            let value = object(&record.value);
            assert!(REGISTERTIME.contains(&int_field(&value, "registertime")));
            let userid = str_field(&value, "userid");
            assert!(matches_regex(userid, "User_[1-9]"));
            assert!(matches_regex(str_field(&value, "regionid"), "Region_[1-9]"));
            let gender = str_field(&value, "gender");
            assert!(GENDERS.contains(&gender));
            assert_eq!(record.key.as_deref(), Some(userid));
            users.insert(userid.to_owned());
            genders.insert(gender.to_owned());
        }
        assert_eq!(users.len(), 9, "every User_1..User_9 shows up in 1000 records");
        assert_eq!(genders.len(), GENDERS.len());
    }
}

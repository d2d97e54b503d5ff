//! The `orders` quickstart (`orders_schema.avro`, key `orderid`), the one the course's
//! Confluent Cloud demo uses. A record looks like
//! `{"ordertime":1489322485717,"orderid":15,"itemid":"Item_352","orderunits":9.703502112840228,
//! "address":{"city":"City_48","state":"State_21","zipcode":32731}}` with key `"15"`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::Digit::{Any, NonZero};
use super::{iteration, regex_longest};

/// `ordertime` `range`: 2017-02-21T22:22:55.521Z inclusive to 2018-02-22T04:22:44.600Z exclusive.
const ORDERTIME: std::ops::Range<i64> = 1_487_715_775_521..1_519_273_364_600;
/// `orderunits` `range` (double).
const ORDERUNITS: std::ops::Range<f64> = 0.1..10.0;
/// `zipcode` `range` (long).
const ZIPCODE: std::ops::Range<i64> = 10_000..99_999;

pub(super) fn generate(n: u64, rng: &mut ChaCha8Rng) -> (String, Value) {
    let ordertime = rng.random_range(ORDERTIME);
    // Avro `int` with `iteration {start: 0}`: restarts at Integer.MAX_VALUE.
    let orderid = iteration(n, 0, 1, i64::from(i32::MAX));
    // Schema regex `Item_[1-9][0-9]{0,2}` (see the module docs on the `BYOC_` prefix).
    let itemid = regex_longest(rng, "Item_", &[NonZero, Any, Any]);
    let orderunits = rng.random_range(ORDERUNITS);
    // Schema regexes `City_[1-9]{0,2}` and `State_[1-9]{0,2}`.
    let city = regex_longest(rng, "City_", &[NonZero, NonZero]);
    let state = regex_longest(rng, "State_", &[NonZero, NonZero]);
    let zipcode = rng.random_range(ZIPCODE);
    let value = json!({
        "ordertime": ordertime,
        "orderid": orderid,
        "itemid": itemid,
        "orderunits": orderunits,
        "address": {
            "city": city,
            "state": state,
            "zipcode": zipcode,
        },
    });
    (orderid.to_string(), value)
}

#[cfg(test)]
mod tests {
    use super::super::Datagen;
    use super::super::test_support::{field_names, int_field, matches_regex, object, records, str_field};
    use super::*;

    #[test]
    fn fields_match_the_quickstart_in_order() {
        let value = object(&records(Datagen::Orders, 1, 1)[0].value);
        assert_eq!(field_names(&value), ["ordertime", "orderid", "itemid", "orderunits", "address"]);
        let address = value["address"].as_object().expect("address is a record");
        assert_eq!(field_names(address), ["city", "state", "zipcode"]);
    }

    #[test]
    fn values_stay_in_the_schema_ranges() {
        for record in records(Datagen::Orders, 2, 1000) {
            let value = object(&record.value);
            assert!(ORDERTIME.contains(&int_field(&value, "ordertime")));
            assert!(matches_regex(str_field(&value, "itemid"), "Item_[1-9][0-9]{0,2}"));
            let units = value["orderunits"].as_f64().expect("orderunits is a double");
            assert!(ORDERUNITS.contains(&units));
            let address = value["address"].as_object().unwrap();
            assert!(matches_regex(str_field(address, "city"), "City_[1-9]{0,2}"));
            assert!(matches_regex(str_field(address, "state"), "State_[1-9]{0,2}"));
            assert!(ZIPCODE.contains(&int_field(address, "zipcode")));
        }
    }

    #[test]
    fn regexes_take_their_longest_form_like_datagen() {
        for record in records(Datagen::Orders, 3, 1000) {
            let value = object(&record.value);
            let address = value["address"].as_object().unwrap();
            assert!(matches_regex(str_field(&value, "itemid"), "Item_[1-9][0-9]{2}"));
            assert!(matches_regex(str_field(address, "city"), "City_[1-9]{2}"));
            assert!(matches_regex(str_field(address, "state"), "State_[1-9]{2}"));
        }
    }

    #[test]
    fn orderid_counts_from_zero_and_is_the_key() {
        for (n, record) in records(Datagen::Orders, 4, 1000).into_iter().enumerate() {
            let value = object(&record.value);
            assert_eq!(int_field(&value, "orderid"), i64::try_from(n).unwrap());
            assert_eq!(record.key, Some(n.to_string()));
        }
    }
}

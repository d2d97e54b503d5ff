//! The `stock_trades` quickstart (`stock_trades_schema.avro`, key `symbol`). Seven keys, so
//! with more than seven partitions some partitions never get a record: a skew example.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::Digit::NonZero;
use super::{option, regex_longest};

/// `side` `options`.
const SIDES: &[&str] = &["BUY", "SELL", "SHORT"];
/// `quantity` `range` (int).
const QUANTITY: std::ops::Range<i64> = 1..5000;
/// `symbol` `options`: made-up test tickers.
const SYMBOLS: &[&str] = &["ZBZX", "ZJZZT", "ZTEST", "ZVV", "ZVZZT", "ZWZZT", "ZXZZT"];
/// `price` `range` (int, pennies).
const PRICE: std::ops::Range<i64> = 5..1000;
/// `account` `options`.
const ACCOUNTS: &[&str] = &["ABC123", "LMN456", "XYZ789"];

pub(super) fn generate(rng: &mut ChaCha8Rng) -> (String, Value) {
    let side = option(rng, SIDES);
    let quantity = rng.random_range(QUANTITY);
    let symbol = option(rng, SYMBOLS);
    let price = rng.random_range(PRICE);
    let account = option(rng, ACCOUNTS);
    // Schema regex `User_[1-9]{0,1}`.
    let userid = regex_longest(rng, "User_", &[NonZero]);
    let value = json!({
        "side": side,
        "quantity": quantity,
        "symbol": symbol,
        "price": price,
        "account": account,
        "userid": userid,
    });
    (symbol.to_owned(), value)
}

#[cfg(test)]
mod tests {
    use super::super::Datagen;
    use super::super::test_support::{field_names, int_field, matches_regex, object, records, str_field};
    use super::*;

    #[test]
    fn fields_match_the_quickstart_in_order() {
        let value = object(&records(Datagen::StockTrades, 1, 1)[0].value);
        assert_eq!(field_names(&value), ["side", "quantity", "symbol", "price", "account", "userid"]);
    }

    #[test]
    fn values_stay_in_the_schema_ranges() {
        for record in records(Datagen::StockTrades, 2, 1000) {
            let value = object(&record.value);
            assert!(SIDES.contains(&str_field(&value, "side")));
            assert!(QUANTITY.contains(&int_field(&value, "quantity")));
            let symbol = str_field(&value, "symbol");
            assert!(SYMBOLS.contains(&symbol));
            assert!(PRICE.contains(&int_field(&value, "price")));
            assert!(ACCOUNTS.contains(&str_field(&value, "account")));
            assert!(matches_regex(str_field(&value, "userid"), "User_[1-9]{0,1}"));
            assert_eq!(record.key.as_deref(), Some(symbol));
        }
    }
}

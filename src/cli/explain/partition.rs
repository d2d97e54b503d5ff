//! `kafkasim explain partition`: which partition the default partitioner picks for a key.

use std::io::{self, Write};

use clap::Args;

use crate::cli::ListFormat;
use crate::cli::output::{self, Output};
use crate::client::partitioner::{murmur2, to_positive};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["key", "key_hex"]))]
pub struct PartitionArgs {
    /// The record key as UTF-8 text.
    #[arg(long)]
    pub key: Option<String>,
    /// The record key as raw bytes in hex (keys need not be text), e.g. `00ff10`.
    #[arg(long)]
    pub key_hex: Option<String>,
    /// The number of partitions of the topic.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub partitions: u32,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let clean = clean.strip_prefix("0x").unwrap_or(&clean);
    // Checked before slicing by bytes: a non-ASCII character is not a digit.
    if let Some(c) = clean.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("`{c}` is not a hex digit; use digits 0-9 and a-f, two per byte, like `0a1b`"));
    }
    if !clean.len().is_multiple_of(2) {
        return Err(format!("`{text}` has an odd number of hex digits; write two per byte, like `0a1b`"));
    }
    (0..clean.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&clean[i..i + 2], 16).map_err(|e| format!("`{}`: {e}", &clean[i..i + 2])))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn partition(args: &PartitionArgs, out: &mut Output) -> io::Result<u8> {
    let key = match (&args.key, &args.key_hex) {
        (Some(k), _) => k.as_bytes().to_vec(),
        (None, Some(h)) => match parse_hex(h) {
            Ok(bytes) => bytes,
            Err(e) => {
                output::eprint(&format!("error: {e}\n"));
                return Ok(2);
            }
        },
        (None, None) => unreachable!("clap requires one of --key and --key-hex"),
    };
    let hash = murmur2(&key);
    let positive = to_positive(hash);
    let partition = positive as u32 % args.partitions;
    match args.format {
        ListFormat::Json => {
            writeln!(out, "{}", serde_json::json!({ "key_hex": hex(&key), "murmur2": hash, "partition": partition }))?
        }
        ListFormat::Text => {
            let shown = match std::str::from_utf8(&key) {
                Ok(text) => format!("\"{text}\""),
                Err(_) => "(not UTF-8)".to_string(),
            };
            writeln!(out, "key            {shown}  ({} bytes: {})", key.len(), hex(&key))?;
            writeln!(
                out,
                "murmur2        {hash:>11}  Kafka's Utils.murmur2 of the key bytes (seed 0x9747b28c), a signed 32-bit int"
            )?;
            writeln!(out, "& 0x7fffffff   {positive:>11}  toPositive: clear the sign bit (not abs)")?;
            writeln!(out, "% {:<12} {partition:>11}  modulo the number of partitions", args.partitions)?;
            writeln!(
                out,
                "\n→ partition {partition}: every record with this key goes there, as long as the topic keeps {} partitions.",
                args.partitions
            )?;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_parse_and_reject_garbage() {
        assert_eq!(parse_hex("00ff10"), Ok(vec![0x00, 0xff, 0x10]));
        assert_eq!(parse_hex("0x0A"), Ok(vec![0x0a]));
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        // Multi-byte characters are refused, not sliced through.
        assert!(parse_hex("aéb").unwrap_err().contains("not a hex digit"));
        assert!(parse_hex("éé").unwrap_err().contains("not a hex digit"));
    }
}

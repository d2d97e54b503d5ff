//! `kafkasim explain partition`: which partition a client's default
//! partitioner (or a librdkafka `partitioner` named with `--partitioner`)
//! picks for a key, step by step.

use std::io::{self, Write};

use clap::{Args, ValueEnum};

use crate::cli::ListFormat;
use crate::cli::output::{self, Output};
use crate::client::partitioner::librdkafka::{crc32, fnv1a};
use crate::client::partitioner::{murmur2, to_positive};
use crate::config::ClientKind;
use crate::config::producer::{RDKAFKA_PARTITIONERS, RdkafkaPartitioner};

/// The client library whose partitioner to explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClientArg {
    Java,
    KafkaPython,
    Librdkafka,
}

impl From<ClientArg> for ClientKind {
    fn from(arg: ClientArg) -> Self {
        match arg {
            ClientArg::Java => ClientKind::Java,
            ClientArg::KafkaPython => ClientKind::KafkaPython,
            ClientArg::Librdkafka => ClientKind::Librdkafka,
        }
    }
}

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
    /// The client library: its default partitioner is explained.
    #[arg(long, value_enum, default_value_t = ClientArg::Java)]
    pub client: ClientArg,
    /// One of librdkafka's `partitioner` settings (with `--client librdkafka`).
    #[arg(long, requires = "client", value_parser = clap::builder::PossibleValuesParser::new(RDKAFKA_PARTITIONERS))]
    pub partitioner: Option<String>,
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
        .map(|i| {
            u8::from_str_radix(&clean[i..i + 2], 16)
                .map_err(|_| format!("`{}` is not a hex byte; use digits 0-9 and a-f", &clean[i..i + 2]))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One step of the arithmetic: the value, and what it is.
struct Step {
    label: String,
    value: i64,
    why: String,
}

/// What a partitioner does with a key: the steps and the partition, or why
/// the key does not decide the partition.
struct Explanation {
    partitioner: String,
    steps: Vec<Step>,
    partition: Option<u32>,
    note: String,
}

fn murmur2_steps(key: &[u8], partitions: u32, who: &str) -> (Vec<Step>, u32) {
    let hash = murmur2(key);
    let positive = to_positive(hash);
    let partition = positive as u32 % partitions;
    let steps = vec![
        Step {
            label: "murmur2".to_string(),
            value: i64::from(hash),
            why: format!("{who} of the key bytes (seed 0x9747b28c), a signed 32-bit int"),
        },
        Step {
            label: "& 0x7fffffff".to_string(),
            value: i64::from(positive),
            why: "toPositive: clear the sign bit (not abs)".to_string(),
        },
        modulo(partitions, partition),
    ];
    (steps, partition)
}

fn modulo(partitions: u32, partition: u32) -> Step {
    Step {
        label: format!("% {partitions}"),
        value: i64::from(partition),
        why: "modulo the number of partitions".to_string(),
    }
}

fn explain(client: ClientKind, rdkafka: RdkafkaPartitioner, key: &[u8], partitions: u32) -> Explanation {
    let same_key =
        format!("every record with this key goes there, as long as the topic keeps {partitions} partitions.");
    match client {
        ClientKind::Java => {
            let (steps, partition) = murmur2_steps(key, partitions, "Kafka's Utils.murmur2");
            Explanation {
                partitioner: "BuiltInPartitioner".to_string(),
                steps,
                partition: Some(partition),
                note: same_key,
            }
        }
        ClientKind::KafkaPython => {
            let (steps, partition) = murmur2_steps(key, partitions, "kafka-python's murmur2, a copy of Java's,");
            Explanation {
                partitioner: "DefaultPartitioner".to_string(),
                steps,
                partition: Some(partition),
                note: format!(
                    "{same_key} The Java client picks the same partition; a null key would go to a random partition, drawn anew for every record."
                ),
            }
        }
        ClientKind::Librdkafka => {
            let name = rdkafka.name().to_string();
            let random_note = "a random partition with a leader (null keys: a sticky one, drawn again every sticky.partitioning.linger.ms)";
            match rdkafka {
                RdkafkaPartitioner::Random => Explanation {
                    partitioner: name,
                    steps: vec![],
                    partition: None,
                    note: format!("the key is ignored: {random_note}."),
                },
                RdkafkaPartitioner::ConsistentRandom if key.is_empty() => Explanation {
                    partitioner: name,
                    steps: vec![],
                    partition: None,
                    note: format!("consistent_random treats an empty key like a null one: {random_note}."),
                },
                RdkafkaPartitioner::Consistent | RdkafkaPartitioner::ConsistentRandom => {
                    let hash = crc32(key);
                    let partition = hash % partitions;
                    Explanation {
                        partitioner: name,
                        steps: vec![
                            Step {
                                label: "crc32".to_string(),
                                value: i64::from(hash),
                                why: "zlib's CRC-32 of the key bytes, unsigned (rd_crc32)".to_string(),
                            },
                            modulo(partitions, partition),
                        ],
                        partition: Some(partition),
                        note: format!(
                            "{same_key} The Java client hashes with murmur2 instead: `--client java` shows where it puts this key."
                        ),
                    }
                }
                RdkafkaPartitioner::Murmur2 | RdkafkaPartitioner::Murmur2Random => {
                    let (steps, partition) = murmur2_steps(key, partitions, "librdkafka's rd_murmur2, Java's murmur2,");
                    Explanation {
                        partitioner: name,
                        steps,
                        partition: Some(partition),
                        note: format!("{same_key} The Java client picks the same partition."),
                    }
                }
                RdkafkaPartitioner::Fnv1a | RdkafkaPartitioner::Fnv1aRandom => {
                    let hash = fnv1a(key);
                    let partition = hash % partitions;
                    Explanation {
                        partitioner: name,
                        steps: vec![
                            Step {
                                label: "fnv1a".to_string(),
                                value: i64::from(hash),
                                why: "32-bit FNV-1a of the key bytes, made positive with abs (rd_fnv1a)".to_string(),
                            },
                            modulo(partitions, partition),
                        ],
                        partition: Some(partition),
                        note: same_key,
                    }
                }
            }
        }
    }
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
    let client = ClientKind::from(args.client);
    let rdkafka = match &args.partitioner {
        None => RdkafkaPartitioner::default(),
        Some(_) if client != ClientKind::Librdkafka => {
            output::eprint(
                "error: --partitioner names one of librdkafka's partitioners\nhelp: add `--client librdkafka`, or leave out --partitioner\n",
            );
            return Ok(2);
        }
        Some(name) => RdkafkaPartitioner::from_name(name).expect("clap checked the name"),
    };
    let explanation = explain(client, rdkafka, &key, args.partitions);
    match args.format {
        ListFormat::Json => {
            let mut json = serde_json::json!({
                "key_hex": hex(&key),
                "client": client.name(),
                "partitioner": explanation.partitioner,
                "partition": explanation.partition,
            });
            for step in &explanation.steps {
                if !step.label.starts_with(['%', '&']) {
                    json[step.label.as_str()] = serde_json::json!(step.value);
                }
            }
            writeln!(out, "{json}")?;
        }
        ListFormat::Text => {
            let shown = match std::str::from_utf8(&key) {
                Ok(text) => format!("\"{text}\""),
                Err(_) => "(not UTF-8)".to_string(),
            };
            writeln!(out, "key            {shown}  ({} bytes: {})", key.len(), hex(&key))?;
            writeln!(out, "client         {}, partitioner {}", client.label(), explanation.partitioner)?;
            for step in &explanation.steps {
                writeln!(out, "{:<14} {:>11}  {}", step.label, step.value, step.why)?;
            }
            match explanation.partition {
                Some(partition) => writeln!(out, "\n→ partition {partition}: {}", explanation.note)?,
                None => writeln!(out, "\n→ no fixed partition: {}", explanation.note)?,
            }
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
    }

    #[test]
    fn the_same_key_lands_apart_with_java_and_librdkafka() {
        // kafka-reference §15: key1..key3 on 2 partitions.
        let java: Vec<_> = ["key1", "key2", "key3"]
            .iter()
            .map(|k| explain(ClientKind::Java, RdkafkaPartitioner::default(), k.as_bytes(), 2).partition)
            .collect();
        let rdkafka: Vec<_> = ["key1", "key2", "key3"]
            .iter()
            .map(|k| explain(ClientKind::Librdkafka, RdkafkaPartitioner::default(), k.as_bytes(), 2).partition)
            .collect();
        assert_eq!(java, vec![Some(0), Some(1), Some(1)]);
        assert_eq!(rdkafka, vec![Some(0), Some(0), Some(0)]);
        let murmur = explain(ClientKind::Librdkafka, RdkafkaPartitioner::Murmur2Random, b"key2", 2);
        assert_eq!(murmur.partition, Some(1), "murmur2_random agrees with Java");
        assert_eq!(explain(ClientKind::Librdkafka, RdkafkaPartitioner::ConsistentRandom, b"", 2).partition, None);
    }
}

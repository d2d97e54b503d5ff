//! `kafkasim explain avro`: how a value becomes Avro bytes, step by step,
//! and the record value Confluent's serializer writes around them.

use clap::Args;

use super::schema_file::{hex, read_schema};
use crate::avro::encoding::{describe, explain};
use crate::avro::wire;
use crate::cli::ListFormat;

#[derive(Debug, Args)]
pub struct AvroArgs {
    /// The schema: an `.avsc` file.
    #[arg(long)]
    pub schema: String,
    /// The value in Avro's JSON encoding, e.g. '{"orderid": 42, "email": {"string": "a@b.c"}}'
    /// (write `--value=-5` for a value that starts with `-`).
    #[arg(long, allow_hyphen_values = true)]
    pub value: String,
    /// A schema ID: also show the bytes Confluent's serializer writes (magic
    /// byte, the ID as 4 bytes big-endian, the Avro body).
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=i32::MAX as i64))]
    pub schema_id: Option<u32>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

pub fn avro(args: &AvroArgs) -> u8 {
    let Some((schema, _)) = read_schema(&args.schema) else { return 2 };
    let json: serde_json::Value = match serde_json::from_str(&args.value) {
        Ok(json) => json,
        Err(e) => {
            eprintln!("error: --value is not JSON: {e}");
            eprintln!("help: write the value in Avro's JSON encoding, in single quotes for the shell: '{{\"id\": 1}}'");
            return 2;
        }
    };
    let datum = match schema.datum_from_json(&json) {
        Ok(datum) => Some(datum),
        // Confluent's serializer turns a null object into a tombstone before
        // looking at the schema.
        Err(_) if json.is_null() => None,
        Err(e) => {
            eprintln!("error: the value does not conform to the schema: {e}");
            eprintln!(
                "help: Avro's JSON encoding writes every field, and a non-null union value as {{\"TYPE\": value}}"
            );
            return 2;
        }
    };
    let body = match datum.as_ref().map(|d| schema.encode(d)).transpose() {
        Ok(body) => body,
        Err(e) => {
            eprintln!("error: apache-avro cannot encode the value: {e}");
            return 2;
        }
    };
    let wire = match (&datum, args.schema_id, json.is_null()) {
        (Some(d), Some(id), false) => match wire::body(&schema, d) {
            Ok(raw) => Some(wire::frame(id, &raw)),
            Err(e) => {
                eprintln!("error: apache-avro cannot encode the value: {e}");
                return 2;
            }
        },
        _ => None,
    };
    if args.format == ListFormat::Json {
        let mut out = serde_json::Map::new();
        out.insert("body_hex".into(), body.as_deref().map_or(serde_json::Value::Null, |b| hex(b, "").into()));
        if args.schema_id.is_some() {
            out.insert("wire_hex".into(), wire.as_deref().map_or(serde_json::Value::Null, |w| hex(w, "").into()));
        }
        println!("{}", serde_json::Value::Object(out));
        return 0;
    }
    println!("schema  {} ({})", args.schema, describe(schema.schema()));
    println!("value   {json}");
    println!();
    if let Some(datum) = &datum {
        match explain(schema.schema(), datum) {
            Ok(steps) => print_steps(&steps),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    print_summary(args, &schema, body.as_deref(), wire.as_deref(), json.is_null());
    0
}

fn print_steps(steps: &[crate::avro::encoding::Step]) {
    let path_width = steps.iter().map(|s| s.path.chars().count()).max().unwrap_or(0).max(5);
    let what_width = steps.iter().map(|s| s.what.chars().count().min(30)).max().unwrap_or(0).max(4);
    println!("{:>6}  {:<24}  {:<path_width$}  {:<what_width$}  how", "offset", "bytes", "field", "what");
    let mut offset = 0;
    for step in steps {
        let chunks: Vec<&[u8]> = if step.bytes.is_empty() { vec![&[][..]] } else { step.bytes.chunks(8).collect() };
        let path = if step.path.is_empty() { "(value)" } else { &step.path };
        for (i, chunk) in chunks.iter().enumerate() {
            if i == 0 {
                let what: String = step.what.chars().take(30).collect();
                let bytes = if chunk.is_empty() { "(none)".to_string() } else { hex(chunk, " ") };
                println!("{offset:>6}  {bytes:<24}  {path:<path_width$}  {what:<what_width$}  {}", step.note);
            } else {
                println!("{:>6}  {:<24}", offset + i * 8, hex(chunk, " "));
            }
        }
        offset += step.bytes.len();
    }
    println!();
}

fn print_summary(
    args: &AvroArgs,
    schema: &crate::avro::AvroSchema,
    body: Option<&[u8]>,
    wire: Option<&[u8]>,
    null: bool,
) {
    match body {
        Some(b) => {
            println!("Avro body ({} bytes): {}", b.len(), if b.is_empty() { "(empty)".into() } else { hex(b, " ") })
        }
        None => println!("Avro body: none (null is not a value of this schema)"),
    }
    let Some(id) = args.schema_id else {
        println!("\nNo field names, no types: a reader needs the writer's schema to make sense of these bytes.");
        println!("Add --schema-id N to see the record value Confluent's serializer writes.");
        return;
    };
    if null {
        println!("\nWire: a null value is a tombstone. Confluent's serializer returns null before it looks at the");
        println!("schema: no magic byte, no schema ID, no bytes at all (and no registry call).");
        return;
    }
    let Some(wire) = wire else { return };
    println!("\nWire ({} bytes), as Confluent's serializer writes the record value:", wire.len());
    println!("  {}  magic byte", hex(&wire[..1], " "));
    println!("  {}  schema ID {id}, 4 bytes big-endian: the registry's ID for this schema", hex(&wire[1..5], " "));
    let rest = &wire[wire::HEADER_BYTES..];
    let shown = if rest.is_empty() { "(empty)".to_string() } else { hex(rest, " ") };
    match (schema.schema(), body) {
        (apache_avro::Schema::Bytes, Some(b)) if b.len() != rest.len() => {
            println!("  {shown}  the bytes raw: a top-level `bytes` value is written without Avro's length prefix");
        }
        _ => println!("  {shown}  the Avro body"),
    }
}

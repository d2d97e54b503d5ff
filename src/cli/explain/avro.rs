//! `kafkasim explain avro`: how a value becomes Avro bytes, step by step,
//! and the record value Confluent's serializer writes around them.

use std::io::{self, Write};

use clap::Args;

use super::schema_file::{hex, read_schema};
use crate::avro::encoding::{describe, explain};
use crate::avro::wire;
use crate::cli::ListFormat;
use crate::cli::output::{self, Output};

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

pub fn avro(args: &AvroArgs, out: &mut Output) -> io::Result<u8> {
    let Some((schema, _)) = read_schema(&args.schema) else { return Ok(2) };
    let json: serde_json::Value = match serde_json::from_str(&args.value) {
        Ok(json) => json,
        Err(e) => {
            output::eprint(&format!("error: --value is not JSON: {e}\n"));
            output::eprint(
                "help: write the value in Avro's JSON encoding, in single quotes for the shell: '{\"id\": 1}'\n",
            );
            return Ok(2);
        }
    };
    let datum = match schema.datum_from_json(&json) {
        Ok(datum) => Some(datum),
        // Confluent's serializer turns a null object into a tombstone before
        // looking at the schema.
        Err(_) if json.is_null() => None,
        Err(e) => {
            output::eprint(&format!("error: the value does not conform to the schema: {e}\n"));
            output::eprint(
                "help: Avro's JSON encoding writes every field, and a non-null union value as {\"TYPE\": value}\n",
            );
            return Ok(2);
        }
    };
    let body = match datum.as_ref().map(|d| schema.encode(d)).transpose() {
        Ok(body) => body,
        Err(e) => {
            output::eprint(&format!("error: apache-avro cannot encode the value: {e}\n"));
            return Ok(2);
        }
    };
    let wire = match (&datum, args.schema_id, json.is_null()) {
        (Some(d), Some(id), false) => match wire::body(&schema, d) {
            Ok(raw) => Some(wire::frame(id, &raw)),
            Err(e) => {
                output::eprint(&format!("error: apache-avro cannot encode the value: {e}\n"));
                return Ok(2);
            }
        },
        _ => None,
    };
    if args.format == ListFormat::Json {
        let mut fields = serde_json::Map::new();
        fields.insert("body_hex".into(), body.as_deref().map_or(serde_json::Value::Null, |b| hex(b, "").into()));
        if args.schema_id.is_some() {
            fields.insert("wire_hex".into(), wire.as_deref().map_or(serde_json::Value::Null, |w| hex(w, "").into()));
        }
        writeln!(out, "{}", serde_json::Value::Object(fields))?;
        return Ok(0);
    }
    writeln!(out, "schema  {} ({})", args.schema, describe(schema.schema()))?;
    writeln!(out, "value   {json}")?;
    writeln!(out)?;
    if let Some(datum) = &datum {
        match explain(schema.schema(), datum) {
            Ok(steps) => print_steps(&steps, out)?,
            Err(e) => {
                output::eprint(&format!("error: {e}\n"));
                return Ok(2);
            }
        }
    }
    print_summary(args, &schema, body.as_deref(), wire.as_deref(), json.is_null(), out)?;
    Ok(0)
}

fn print_steps(steps: &[crate::avro::encoding::Step], out: &mut Output) -> io::Result<()> {
    let path_width = steps.iter().map(|s| s.path.chars().count()).max().unwrap_or(0).max(5);
    let what_width = steps.iter().map(|s| s.what.chars().count().min(30)).max().unwrap_or(0).max(4);
    writeln!(out, "{:>6}  {:<24}  {:<path_width$}  {:<what_width$}  how", "offset", "bytes", "field", "what")?;
    let mut offset = 0;
    for step in steps {
        let chunks: Vec<&[u8]> = if step.bytes.is_empty() { vec![&[][..]] } else { step.bytes.chunks(8).collect() };
        let path = if step.path.is_empty() { "(value)" } else { &step.path };
        for (i, chunk) in chunks.iter().enumerate() {
            if i == 0 {
                let what: String = step.what.chars().take(30).collect();
                let bytes = if chunk.is_empty() { "(none)".to_string() } else { hex(chunk, " ") };
                writeln!(out, "{offset:>6}  {bytes:<24}  {path:<path_width$}  {what:<what_width$}  {}", step.note)?;
            } else {
                writeln!(out, "{:>6}  {:<24}", offset + i * 8, hex(chunk, " "))?;
            }
        }
        offset += step.bytes.len();
    }
    writeln!(out)
}

fn print_summary(
    args: &AvroArgs,
    schema: &crate::avro::AvroSchema,
    body: Option<&[u8]>,
    wire: Option<&[u8]>,
    null: bool,
    out: &mut Output,
) -> io::Result<()> {
    match body {
        Some(b) => writeln!(
            out,
            "Avro body ({} bytes): {}",
            b.len(),
            if b.is_empty() { "(empty)".into() } else { hex(b, " ") }
        )?,
        None => writeln!(out, "Avro body: none (null is not a value of this schema)")?,
    }
    let Some(id) = args.schema_id else {
        writeln!(out, "\nNo field names, no types: a reader needs the writer's schema to make sense of these bytes.")?;
        writeln!(out, "Add --schema-id N to see the record value Confluent's serializer writes.")?;
        return Ok(());
    };
    if null {
        writeln!(
            out,
            "\nWire: a null value is a tombstone. Confluent's serializer returns null before it looks at the"
        )?;
        writeln!(out, "schema: no magic byte, no schema ID, no bytes at all (and no registry call).")?;
        return Ok(());
    }
    let Some(wire) = wire else { return Ok(()) };
    writeln!(out, "\nWire ({} bytes), as Confluent's serializer writes the record value:", wire.len())?;
    writeln!(out, "  {}  magic byte", hex(&wire[..1], " "))?;
    writeln!(
        out,
        "  {}  schema ID {id}, 4 bytes big-endian: the registry's ID for this schema",
        hex(&wire[1..5], " ")
    )?;
    let rest = &wire[wire::HEADER_BYTES..];
    let shown = if rest.is_empty() { "(empty)".to_string() } else { hex(rest, " ") };
    match (schema.schema(), body) {
        (apache_avro::Schema::Bytes, Some(b)) if b.len() != rest.len() => {
            writeln!(out, "  {shown}  the bytes raw: a top-level `bytes` value is written without Avro's length prefix")
        }
        _ => writeln!(out, "  {shown}  the Avro body"),
    }
}

//! `kafkasim explain compat`: would the registry accept NEW after OLD under
//! a compatibility level, and why — field by field, in the words of Avro's
//! schema resolution.

use std::io::{self, Write};

use clap::Args;

use super::schema_file::read_schema;
use crate::avro::resolution::{Resolution, resolve};
use crate::cli::ListFormat;
use crate::cli::output::Output;
use crate::registry::compatibility::{CompatibilityLevel, check};

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// The schema registered so far (the latest version).
    #[arg(long)]
    pub old: String,
    /// The schema a producer now wants to register.
    #[arg(long)]
    pub new: String,
    /// BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL,
    /// FULL_TRANSITIVE or NONE (the registry's default is BACKWARD). With two
    /// files, a transitive level checks OLD as the only earlier version.
    #[arg(long, value_parser = parse_level, default_value = "BACKWARD")]
    pub level: CompatibilityLevel,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

fn parse_level(text: &str) -> Result<CompatibilityLevel, String> {
    text.parse()
}

pub fn compat(args: &CompatArgs, out: &mut Output) -> io::Result<u8> {
    let Some((old, _)) = read_schema(&args.old) else { return Ok(2) };
    let Some((new, _)) = read_schema(&args.new) else { return Ok(2) };
    let verdict = check(args.level, &new, &[(1, &old)]);
    if args.format == ListFormat::Json {
        writeln!(out, "{}", serde_json::json!({ "compatible": verdict.compatible, "messages": verdict.messages }))?;
        return Ok(0);
    }
    let level = args.level;
    writeln!(out, "{level}: {}", promise(level))?;
    if level == CompatibilityLevel::None {
        writeln!(out, "\n→ compatible: under NONE the registry registers any new version without a check.")?;
        return Ok(0);
    }
    let backward = matches!(
        level,
        CompatibilityLevel::Backward
            | CompatibilityLevel::BackwardTransitive
            | CompatibilityLevel::Full
            | CompatibilityLevel::FullTransitive
    );
    let forward = !matches!(level, CompatibilityLevel::Backward | CompatibilityLevel::BackwardTransitive);
    if backward {
        print_direction("the new schema reading data written with the old one", &resolve(&old, &new), out)?;
    }
    if forward {
        print_direction("the old schema reading data written with the new one", &resolve(&new, &old), out)?;
    }
    writeln!(out)?;
    if verdict.compatible {
        writeln!(out, "→ compatible: the registry registers NEW as the next version ({}).", level.upgrade_first())?;
    } else {
        writeln!(out, "→ incompatible: the registry refuses NEW with error 409, saying:")?;
        for message in &verdict.messages {
            writeln!(out, "    {message}")?;
        }
    }
    Ok(0)
}

fn promise(level: CompatibilityLevel) -> String {
    let what = match level {
        CompatibilityLevel::Backward => "the new schema must read data written with the latest version",
        CompatibilityLevel::BackwardTransitive => "the new schema must read data written with every earlier version",
        CompatibilityLevel::Forward => "the latest version must read data written with the new schema",
        CompatibilityLevel::ForwardTransitive => "every earlier version must read data written with the new schema",
        CompatibilityLevel::Full => "both: the new schema and the latest version read each other's data",
        CompatibilityLevel::FullTransitive => "both, with every earlier version",
        CompatibilityLevel::None => "no check at all",
    };
    match level.upgrade_first() {
        _ if level == CompatibilityLevel::None => what.to_string(),
        "either order" => format!("{what} (upgrade producers and consumers in either order)."),
        first => format!("{what} (upgrade {first})."),
    }
}

fn print_direction(title: &str, resolution: &Resolution, out: &mut Output) -> io::Result<()> {
    writeln!(out, "\n{title}:")?;
    let width = resolution.fields.iter().map(|f| f.field.chars().count()).max().unwrap_or(0);
    for note in &resolution.fields {
        let mark = if note.ok { "✓" } else { "✗" };
        writeln!(out, "  {mark} {:<width$}  {}", note.field, note.text)?;
    }
    if !resolution.incompatibilities.is_empty() {
        writeln!(out, "  Avro's reasons:")?;
    }
    for i in &resolution.incompatibilities {
        writeln!(out, "    {} at {}: {}", i.kind.as_str(), i.location, i.message)?;
    }
    if resolution.fields.is_empty() && resolution.incompatibilities.is_empty() {
        writeln!(out, "  ✓ the types match (or Avro promotes one to the other)")?;
    }
    Ok(())
}

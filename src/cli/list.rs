//! `kafkasim list`: the built-in course scenarios.

use std::io::{self, Write};

use super::{ListFormat, Output, output};
use crate::scenario::{builtin, lessons, load_str};
use crate::trace::table::Table;

pub fn list(format: ListFormat, out: &mut Output) -> io::Result<u8> {
    let mut rows = Vec::new();
    for (name, text) in builtin::BUILTIN {
        match load_str(name, text) {
            Ok(s) => rows.push((name.to_string(), s.lesson.unwrap_or_default(), s.description.unwrap_or_default())),

            Err(e) => {
                output::eprint(&format!("built-in scenario {name} is broken:\n{e}"));
                return Ok(2);
            }
        }
    }
    match format {
        ListFormat::Json => {
            let items: Vec<_> =
                rows.iter().map(|(n, l, d)| serde_json::json!({ "name": n, "lesson": l, "description": d })).collect();
            writeln!(out, "{}", serde_json::Value::Array(items))?;
        }
        ListFormat::Text => {
            let mut table = Table::new(&["SCENARIO", "BOOK CHAPTER", "DESCRIPTION"]);
            for (n, l, d) in rows {
                table.row(vec![n, lessons::chapter_label(&l), d]);
            }
            write!(out, "{}", table.render())?;
            writeln!(out, "\nRun one with `kafkasim run NAME`.")?;
        }
    }
    Ok(0)
}

//! `kafkasim list`: the built-in course scenarios, chapter by chapter in the
//! book's order; scenarios that are no lesson of the book come last.

use super::ListFormat;
use crate::scenario::{builtin, lessons, load_str};
use crate::trace::table::Table;

/// A built-in scenario as the list shows it.
pub struct Listed {
    pub name: String,
    /// Its `lesson:`, if it is a lesson of the book.
    pub lesson: Option<String>,
    pub description: String,
}

/// The built-in scenarios in the book's order (the picker shows the same).
pub fn listed() -> Result<Vec<Listed>, String> {
    let mut rows = Vec::new();
    for (name, text) in builtin::BUILTIN {
        let s = load_str(name, text).map_err(|e| format!("built-in scenario {name} is broken:\n{e}"))?;
        rows.push(Listed { name: name.to_string(), lesson: s.lesson, description: s.description.unwrap_or_default() });
    }
    rows.sort_by_key(|r| lessons::book_position(&r.name, r.lesson.as_deref()));
    Ok(rows)
}

/// The heading a scenario is listed under.
fn heading(lesson: Option<&str>) -> String {
    match lesson {
        Some(l) => match lessons::chapter(l) {
            Some(c) => format!("Chapter {} · {}", c.number, c.title),
            None => format!("Lesson `{l}`"),
        },
        None => "Not a lesson of the book".to_string(),
    }
}

pub fn list(format: ListFormat) -> u8 {
    let rows = match listed() {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    match format {
        ListFormat::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|r| {
                    let chapter = r.lesson.as_deref().and_then(lessons::chapter).map(|c| c.number);
                    serde_json::json!({ "name": r.name, "lesson": r.lesson.clone().unwrap_or_default(),
                                        "chapter": chapter, "description": r.description })
                })
                .collect();
            println!("{}", serde_json::Value::Array(items));
        }
        ListFormat::Text => {
            // One table per chapter, so a scenario added to one chapter
            // leaves the others' columns where they were.
            let mut start = 0;
            while start < rows.len() {
                let title = heading(rows[start].lesson.as_deref());
                let end =
                    (start..rows.len()).find(|&i| heading(rows[i].lesson.as_deref()) != title).unwrap_or(rows.len());
                let mut table = Table::new(&["", ""]);
                for r in &rows[start..end] {
                    table.row(vec![r.name.clone(), r.description.clone()]);
                }
                println!("{title}");
                for line in table.render().lines().skip(1) {
                    println!("  {}", line.trim_end());
                }
                println!();
                start = end;
            }
            println!("Run one with `kafkasim run NAME`, or step through it with `kafkasim play NAME`.");
        }
    }
    0
}

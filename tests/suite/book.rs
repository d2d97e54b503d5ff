//! The book stays true: every simulator output it shows is generated from
//! the simulator (`book/excerpts.yaml` says how) and compared with what the
//! simulator prints today; every scenario a chapter names exists; every link
//! between chapters resolves; every full scenario written out in a chapter
//! loads.
//!
//! After an intended change, refresh the excerpts with
//! `KAFKASIM_BLESS_BOOK=1 cargo test --test suite book` and review the diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use kafkasim::scenario::{builtin, load_str};
use kafkasim::tui::app::Msg;
use kafkasim::tui::theme::Theme;
use kafkasim::tui::view::screen_text;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::support::repo_root;

const BLESS: &str = "KAFKASIM_BLESS_BOOK";

/// One generated excerpt: a command's output (optionally filtered), a TUI
/// screen, or the simplification notes collected from the code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Excerpt {
    file: String,
    #[serde(default)]
    run: Option<Vec<String>>,
    #[serde(default)]
    screen: Option<Screen>,
    #[serde(default)]
    simplifications: bool,
    /// `lesson`: only the narration's lesson lines (», !, expectations).
    #[serde(default)]
    lines: Option<String>,
    /// Also keep lines containing any of these (with `lines: lesson`), or
    /// only these (alone).
    #[serde(default)]
    grep: Vec<String>,
    #[serde(default)]
    max_lines: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Screen {
    scenario: String,
    /// A virtual time, as the `g` key takes it.
    at: String,
    #[serde(default = "default_width")]
    width: u16,
    #[serde(default = "default_height")]
    height: u16,
}

fn default_width() -> u16 {
    110
}
fn default_height() -> u16 {
    34
}

fn book() -> PathBuf {
    repo_root().join("book")
}

fn manifest() -> Vec<Excerpt> {
    let text = std::fs::read_to_string(book().join("excerpts.yaml")).expect("book/excerpts.yaml");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("book/excerpts.yaml: {e}"))
}

/// Files under `dir` (recursively) ending in `.{extension}`, sorted,
/// leaving out folders named `skip`.
fn files_under(dir: PathBuf, extension: &str, skip: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != skip) {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|x| x == extension) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn chapters() -> Vec<PathBuf> {
    files_under(book().join("src"), "md", "generated")
}

fn is_lesson_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("t=") else { return false };
    let body = rest.split_once(' ').map_or("", |(_, b)| b).trim_start();
    body.starts_with("» ") || body.starts_with("! ") || body.starts_with("✓ expect") || body.starts_with("✗ expect")
}

fn generate(excerpt: &Excerpt) -> String {
    let text = if let Some(args) = &excerpt.run {
        let out = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
            .args(args)
            .current_dir(repo_root())
            .env("NO_COLOR", "1")
            .output()
            .expect("the binary runs");
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        text
    } else if let Some(screen) = &excerpt.screen {
        let source = builtin::find(&screen.scenario).expect("a built-in scenario");
        let scenario = load_str(&format!("{} (built-in)", screen.scenario), source).expect("loads");
        let mut app = kafkasim::tui::app_for(scenario, None, Theme { color: false });
        app.update(Msg::GoToPrompt);
        for c in screen.at.chars() {
            app.update(Msg::Input(c));
        }
        app.update(Msg::Submit);
        screen_text(&mut app, screen.width, screen.height)
    } else if excerpt.simplifications {
        simplifications()
    } else {
        panic!("{}: say `run`, `screen` or `simplifications`", excerpt.file);
    };
    let keep = |line: &str| match excerpt.lines.as_deref() {
        Some("lesson") => is_lesson_line(line) || excerpt.grep.iter().any(|g| line.contains(g.as_str())),
        Some(other) => panic!("{}: unknown `lines: {other}`", excerpt.file),
        None => excerpt.grep.is_empty() || excerpt.grep.iter().any(|g| line.contains(g.as_str())),
    };
    let mut lines: Vec<&str> = text.lines().filter(|l| keep(l)).collect();
    if let Some(max) = excerpt.max_lines {
        lines.truncate(max);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Every `Simplification:` note in the code, with the file it is in, as
/// Markdown for the book's chapter on what kafkasim simplifies. A note that
/// continues a comment about an item (a field, a function) gets that comment
/// in brackets first, so it does not read as an orphan; a `Simplifications:`
/// heading followed by a list gives one entry per item.
fn simplifications() -> String {
    let files = files_under(repo_root().join("src"), "rs", "");
    let mut out = String::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable source");
        let lines: Vec<&str> = text.lines().collect();
        let file = path.strip_prefix(repo_root()).expect("in the repo").display().to_string();
        let mut notes = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let comment = comment_text(lines[i]);
            if let Some(rest) = comment.and_then(|c| c.trim().strip_prefix("Simplifications:")) {
                i += 1;
                if !rest.trim().is_empty() {
                    let (note, next) = paragraph(&lines, i, rest.trim().to_string());
                    notes.push(note);
                    i = next;
                    continue;
                }
                // One note per item of the list that follows.
                while let Some(item) =
                    lines.get(i).and_then(|l| comment_text(l)).and_then(|c| c.trim().strip_prefix("- "))
                {
                    let (note, next) = paragraph(&lines, i + 1, item.trim().to_string());
                    notes.push(note);
                    i = next;
                }
                continue;
            }
            let Some(at) = comment.and_then(|c| c.find("Simplification:")) else {
                i += 1;
                continue;
            };
            let comment = comment.expect("a comment");
            let start = comment[at..].trim_start_matches("Simplification:").trim().to_string();
            let context = if comment[..at].trim().is_empty() { context_before(&lines, i) } else { None };
            let (note, next) = paragraph(&lines, i + 1, start);
            notes.push(match context {
                Some(context) => format!("({context}) {note}"),
                None => note,
            });
            i = next;
        }
        for note in notes {
            out.push_str(&format!("- **`{file}`**: {}\n", doc_links(&note, &path)));
        }
    }
    out
}

/// `first` and the comment lines from `from` on that continue its paragraph,
/// joined, with the index of the first line after them.
fn paragraph(lines: &[&str], from: usize, first: String) -> (String, usize) {
    let mut note = first;
    let mut i = from;
    while let Some(more) = lines.get(i).and_then(|l| comment_text(l)) {
        let more = more.trim();
        if more.is_empty() || more.starts_with("- ") || more.contains("Simplification") {
            break;
        }
        note.push(' ');
        note.push_str(more);
        i += 1;
    }
    (note, i)
}

/// The comment lines of the paragraph above line `at`, when the note there
/// continues a comment about an item; none when that paragraph is a list or
/// holds another note.
fn context_before(lines: &[&str], at: usize) -> Option<String> {
    let mut above = Vec::new();
    let mut i = at;
    while i > 0 {
        i -= 1;
        let Some(text) = comment_text(lines[i]) else { break };
        let text = text.trim();
        if text.is_empty() {
            break;
        }
        if text.starts_with("- ") || text.contains("Simplification") || lines[i].trim_start().starts_with("//!") {
            return None;
        }
        above.push(text);
    }
    above.reverse();
    (!above.is_empty()).then(|| above.join(" "))
}

/// Rustdoc links become code: `[`super::sticky`]` names the file it means.
fn doc_links(note: &str, file: &Path) -> String {
    let mut out = String::new();
    let mut rest = note;
    while let Some(at) = rest.find("[`") {
        let Some(len) = rest[at + 2..].find("`]") else { break };
        out.push_str(&rest[..at]);
        let target = &rest[at + 2..at + 2 + len];
        let sibling = target.strip_prefix("super::").map(|name| file.with_file_name(format!("{name}.rs")));
        match sibling.filter(|path| path.exists()) {
            Some(path) => {
                out.push_str(&format!("`{}`", path.strip_prefix(repo_root()).expect("in the repo").display()))
            }
            None => out.push_str(&format!("`{target}`")),
        }
        rest = &rest[at + 2 + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The text of a `//`, `///` or `//!` comment line (without the markers).
fn comment_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("//")?;
    let t = t.strip_prefix('!').or_else(|| t.strip_prefix('/')).unwrap_or(t);
    let t = t.trim_start_matches("- ");
    Some(t.strip_prefix(' ').unwrap_or(t))
}

#[test]
fn every_excerpt_is_what_the_simulator_prints_today() {
    let bless = std::env::var_os(BLESS).is_some();
    let generated = book().join("src").join("generated");
    let mut stale = Vec::new();
    let mut listed = BTreeSet::new();
    for excerpt in manifest() {
        assert!(listed.insert(excerpt.file.clone()), "{} is listed twice", excerpt.file);
        let path = generated.join(&excerpt.file);
        let fresh = generate(&excerpt);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != fresh {
            if bless {
                std::fs::write(&path, &fresh).expect("writable");
            } else {
                stale.push(excerpt.file.clone());
            }
        }
    }
    for entry in std::fs::read_dir(&generated).expect("book/src/generated").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !listed.contains(&name) {
            if bless {
                std::fs::remove_file(entry.path()).expect("removable");
            } else {
                stale.push(format!("{name} (not in book/excerpts.yaml)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these book excerpts are stale: {stale:?}\nrefresh them with `{BLESS}=1 cargo test --test suite book` and review the diff"
    );
}

/// `{{#include PATH}}` targets in a chapter, as paths.
fn includes(chapter: &Path, text: &str) -> Vec<PathBuf> {
    text.match_indices("{{#include ")
        .map(|(at, _)| {
            let rest = &text[at + "{{#include ".len()..];
            let target = rest.split("}}").next().expect("closed").trim();
            let target = target.split(':').next().expect("a path");
            chapter.parent().expect("in a folder").join(target)
        })
        .collect()
}

#[test]
fn every_include_exists_and_every_excerpt_is_shown() {
    let mut shown = BTreeSet::new();
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        for target in includes(&chapter, &text) {
            assert!(target.exists(), "{}: includes {}, which does not exist", rel(&chapter), target.display());
            if let Some(name) = target.file_name() {
                shown.insert(name.to_string_lossy().into_owned());
            }
        }
        for (dest, _) in images(&text) {
            let target = chapter.parent().expect("in a folder").join(&dest);
            assert!(target.exists(), "{}: shows the picture {dest}, which does not exist", rel(&chapter));
            if let Some(name) = target.file_name() {
                shown.insert(name.to_string_lossy().into_owned());
            }
        }
    }
    for excerpt in manifest() {
        assert!(shown.contains(&excerpt.file), "book/excerpts.yaml makes {}, which no chapter shows", excerpt.file);
    }
}

/// The pictures a chapter shows: `![alt text](path)`, as (path, alt text).
fn images(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => current = Some((dest_url.to_string(), String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, alt)) = current.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// Every picture in the book has alt text a screen reader can say instead,
/// and chapters 2 to 10 each show at least one picture drawn from a run.
#[test]
fn every_picture_has_alt_text_and_the_course_chapters_have_pictures() {
    let course = [
        "records-topics-logs.md",
        "brokers-and-controller.md",
        "producers-and-consumers.md",
        "partitions-and-keys.md",
        "consumer-groups.md",
        "offsets.md",
        "replication.md",
        "acks-and-durability.md",
        "retention-and-compaction.md",
    ];
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        let pictures = images(&text);
        for (dest, alt) in &pictures {
            assert!(
                alt.split_whitespace().count() >= 4,
                "{}: the picture {dest} needs alt text (a sentence)",
                rel(&chapter)
            );
        }
        let name = chapter.file_name().expect("a file").to_string_lossy().into_owned();
        if course.contains(&name.as_str()) {
            assert!(
                pictures.iter().any(|(dest, _)| dest.starts_with("generated/draw-") && dest.ends_with(".svg")),
                "{}: a course chapter shows at least one picture drawn from a run (kafkasim draw)",
                rel(&chapter)
            );
        }
    }
}

fn rel(path: &Path) -> String {
    path.strip_prefix(repo_root()).unwrap_or(path).display().to_string()
}

#[test]
fn every_scenario_a_chapter_names_exists() {
    let names: BTreeSet<&str> = builtin::names().collect();
    // Files a chapter has the reader create with `kafkasim new NAME`.
    let created: BTreeSet<String> = chapters()
        .iter()
        .flat_map(|c| {
            let text = std::fs::read_to_string(c).expect("readable");
            text.match_indices("kafkasim new ")
                .map(|(at, _)| {
                    let rest = &text[at + "kafkasim new ".len()..];
                    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
                    format!("{name}.yaml")
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut named = 0;
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        for command in ["kafkasim run ", "kafkasim play ", "kafkasim graph "] {
            for (at, _) in text.match_indices(command) {
                let name: String = text[at + command.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.' || *c == '/' || *c == '_')
                    .collect();
                if name.is_empty() || name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                    continue;
                }
                named += 1;
                let exists =
                    names.contains(name.as_str()) || repo_root().join(&name).exists() || created.contains(&name);
                assert!(exists, "{}: `{command}{name}` names a scenario that does not exist", rel(&chapter));
            }
        }
    }
    assert!(named > 20, "the chapters run scenarios ({named} found)");
}

/// mdBook's anchor for a heading: lower case, spaces to dashes, other
/// punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn headings(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H6 => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = current.take() {
                    out.insert(anchor(&h));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn links_inside_the_book_resolve() {
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        for event in Parser::new(&text) {
            let Event::Start(Tag::Link { dest_url, .. }) = event else { continue };
            let dest = dest_url.to_string();
            if dest.contains("://") || dest.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = dest.split_once('#').map_or((dest.as_str(), None), |(f, a)| (f, Some(a)));
            let target = if file.is_empty() { chapter.clone() } else { chapter.parent().unwrap().join(file) };
            assert!(target.exists(), "{}: the link `{dest}` goes nowhere", rel(&chapter));
            if let Some(fragment) = fragment
                && target.extension().is_some_and(|x| x == "md")
            {
                let target_text = std::fs::read_to_string(&target).expect("readable");
                assert!(
                    headings(&target_text).contains(fragment),
                    "{}: the link `{dest}` names no heading of {}",
                    rel(&chapter),
                    rel(&target)
                );
            }
        }
    }
}

#[test]
fn scenarios_written_out_in_chapters_load_and_pass() {
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        let mut block: Option<String> = None;
        let mut start = 0;
        for (event, range) in Parser::new(&text).into_offset_iter() {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.as_ref() == "yaml" => {
                    block = Some(String::new());
                    start = range.start;
                }
                Event::Text(t) => {
                    if let Some(b) = block.as_mut() {
                        b.push_str(&t);
                    }
                }
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(b) = block.take()
                        && !b.trim_start().starts_with("{{#include")
                    {
                        let line = text[..start].matches('\n').count() + 1;
                        let name = format!("the block at {}:{line}", rel(&chapter));
                        let scenario = load_str(&name, &b).unwrap_or_else(|e| {
                            panic!("{name}: this scenario does not load (mark fragments ```yaml,fragment):\n{e}")
                        });
                        let (outcome, _, _) = super::support::run(scenario, None);
                        assert!(outcome.passed, "{name}: its expectations fail:\n{}", outcome.render());
                    }
                }
                _ => {}
            }
        }
    }
}

/// The numbered exercises under a chapter's `## Exercises` heading, each as
/// (line number, the text from its number to the next exercise or heading).
fn exercises(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.starts_with("## Exercises")) else { return Vec::new() };
    let is_item =
        |l: &str| l.split_once(". ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if line.starts_with('#') {
            break;
        }
        if is_item(line) {
            out.push((i + 1, String::new()));
        }
        if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

#[test]
fn every_exercise_has_an_answer_to_reveal() {
    let mut count = 0;
    for chapter in chapters() {
        let text = std::fs::read_to_string(&chapter).expect("readable");
        for (line, body) in exercises(&text) {
            count += 1;
            let open = body.find("<details><summary>Answer</summary>");
            let close = body.find("</details>");
            assert!(
                open.is_some() && close > open,
                "{}:{line}: this exercise has no answer; add `<details><summary>Answer</summary>`, a blank line, the answer, a blank line and `</details>` after it",
                rel(&chapter)
            );
            let after = body[close.expect("checked")..].lines().nth(1);
            assert!(
                after.is_none_or(|l| l.trim().is_empty()),
                "{}:{line}: leave a blank line after `</details>`, or the next exercise is swallowed by the HTML block",
                rel(&chapter)
            );
            let answer = &body[open.expect("checked")..close.expect("checked")];
            let words = answer.split_whitespace().count();
            assert!(words > 12, "{}:{line}: the answer is too short to explain anything", rel(&chapter));
        }
    }
    assert!(count >= 45, "only {count} exercises found: is the `## Exercises` parsing broken?");
}

#[test]
fn every_exercise_scenario_loads_and_an_answer_runs_it() {
    let dir = book().join("exercises");
    let files = files_under(dir, "yaml", "");
    assert!(!files.is_empty(), "book/exercises/ holds the scenarios the answers run");
    let used: Vec<String> = manifest().into_iter().filter_map(|e| e.run).flatten().collect();
    for path in files {
        let name = rel(&path);
        let text = std::fs::read_to_string(&path).expect("readable");
        let scenario = load_str(&name, &text).unwrap_or_else(|e| panic!("{name} does not load:\n{e}"));
        if scenario.streams.is_empty() {
            let (outcome, _, _) = super::support::run(scenario, None);
            assert!(
                outcome.passed,
                "{name}: its expectations fail (update them to what the changed scenario does):\n{}",
                outcome.render()
            );
        }
        assert!(used.contains(&name), "{name} is used by no excerpt in book/excerpts.yaml, so no answer shows its run");
    }
}

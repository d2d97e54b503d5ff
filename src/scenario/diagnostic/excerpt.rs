//! What an error shows of the file: the lines around the problem, each cut
//! to a window around the problem's column, with control characters made
//! visible — so a one-line megabyte file or a line of terminal escape codes
//! prints as a short, harmless snippet, and the line and column numbers
//! stay the file's own.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Characters of a line shown at most; longer lines are cut around the problem.
const WIDTH_CHARS: usize = 100;
/// A problem spanning more lines than this is shown by its first line only.
const MAX_SPAN_LINES: usize = 6;
/// Lines shown before and after the problem (miette's default).
const CONTEXT_LINES: usize = 1;

/// A piece of the file, ready for miette.
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// The file's line number (0-based) of the excerpt's first line.
    first_line: usize,
    /// The problem's span within `text`.
    pub span: SourceSpan,
    /// Where the problem starts in the file: 0-based line, and column in characters.
    line: usize,
    column: usize,
}

impl Excerpt {
    /// The lines around `span` of `text`, whose problem starts at the file's
    /// 1-based `line` and `column`.
    pub fn new(name: &str, text: &str, span: SourceSpan, line: usize, column: usize) -> Self {
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        let lines: Vec<(usize, &str)> = line_starts(text).collect();
        let start_line = line.saturating_sub(1).min(lines.len().saturating_sub(1));
        let end_line = lines.partition_point(|(s, _)| *s <= end.saturating_sub(1).max(start)).saturating_sub(1);
        // A long span is shown by its first line, ending where that line does.
        let (end_line, end) = if end_line > start_line + MAX_SPAN_LINES {
            let (s, l) = lines[start_line];
            (start_line, s + l.len())
        } else {
            (end_line.max(start_line), end)
        };
        let first = start_line.saturating_sub(CONTEXT_LINES);
        let last = (end_line + CONTEXT_LINES).min(lines.len().saturating_sub(1));
        // One window for every line, so the shown lines stay aligned.
        let span_line_chars = lines.get(start_line).map_or(0, |(_, l)| l.chars().count());
        let skip = if span_line_chars > WIDTH_CHARS { column.saturating_sub(1 + WIDTH_CHARS / 3) } else { 0 };
        let mut out = String::new();
        let (mut span_start, mut span_end) = (None, None);
        for (n, &(line_start, line_text)) in lines.get(first..=last).unwrap_or_default().iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let mut shown = 0;
            let mut cut_end = false;
            if skip > 0 && line_text.chars().count() > skip {
                out.push('…');
            }
            for (i, (byte, c)) in line_text.char_indices().enumerate() {
                let offset = line_start + byte;
                let visible = i >= skip && shown < WIDTH_CHARS;
                if offset >= start && span_start.is_none() && (visible || i >= skip) {
                    span_start = Some(out.len());
                }
                if offset >= end && span_end.is_none() && span_start.is_some() {
                    span_end = Some(out.len());
                }
                if !visible {
                    cut_end |= i >= skip;
                    continue;
                }
                out.push(visible_char(c));
                shown += 1;
            }
            if line_start + line_text.len() >= start && span_start.is_none() {
                span_start = Some(out.len());
            }
            if line_start + line_text.len() >= end && span_end.is_none() && span_start.is_some() {
                span_end = Some(out.len());
            }
            if cut_end {
                out.push('…');
            }
        }
        let span_start = span_start.unwrap_or(out.len());
        let span_end = span_end.unwrap_or(out.len()).max(span_start);
        Excerpt {
            name: name.to_string(),
            text: out,
            first_line: first,
            span: SourceSpan::new(span_start.into(), span_end - span_start),
            line: line.saturating_sub(1),
            column: column.saturating_sub(1),
        }
    }
}

/// Each line's byte offset and text (without its `\n`).
fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    })
}

/// Characters that would act on a terminal (control codes, escape
/// sequences, text-direction overrides) shown as harmless symbols.
pub fn visible_char(c: char) -> char {
    match c {
        '\t' => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        c if is_unsafe_for_terminals(c) => '\u{fffd}',
        c => c,
    }
}

/// Control characters and the invisible marks that reorder text on screen.
pub fn is_unsafe_for_terminals(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character made visible (messages and help quote
/// the file's own words), and cut to `max_chars`.
pub fn visible_text(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).map(|c| if c == '\n' { c } else { visible_char(c) }).collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, context_lines_before, context_lines_after)?;
        // miette asks for the label's own span to title the snippet with its
        // line and column: give the file's, not the excerpt's.
        let (line, column) = if context_lines_before == 0 && context_lines_after == 0 && *span == self.span {
            (self.line, self.column)
        } else {
            (inner.line() + self.first_line, inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(excerpt: &Excerpt) -> &str {
        &excerpt.text[excerpt.span.offset()..excerpt.span.offset() + excerpt.span.len()]
    }

    #[test]
    fn short_files_are_shown_as_they_are() {
        let text = "name: x\nbogus: 1\nrun: 1s";
        let excerpt = Excerpt::new("f.yaml", text, SourceSpan::new(8.into(), 5), 2, 1);
        assert_eq!(excerpt.text, text);
        assert_eq!(shown(&excerpt), "bogus");
        assert_eq!(excerpt.first_line, 0);
    }

    #[test]
    fn a_long_line_is_cut_around_the_problem() {
        let text = format!("name: \"{}\", bogus: 1", "x".repeat(70_000));
        let offset = text.find("bogus").expect("there");
        let excerpt = Excerpt::new("f.yaml", &text, SourceSpan::new(offset.into(), 5), 1, offset + 1);
        assert!(excerpt.text.chars().count() <= WIDTH_CHARS + 2, "{}", excerpt.text.len());
        assert_eq!(shown(&excerpt), "bogus");
        assert!(excerpt.text.starts_with('…'));
    }

    #[test]
    fn a_short_line_before_a_cut_one_keeps_its_number() {
        let text = format!("# comment\nname: \"{}\", bogus: 1", "x".repeat(5_000));
        let offset = text.find("bogus").expect("there");
        let excerpt = Excerpt::new("f.yaml", &text, SourceSpan::new(offset.into(), 5), 2, offset - 9);
        assert_eq!(excerpt.text.lines().count(), 2, "{:?}", excerpt.text);
        assert!(excerpt.text.starts_with('\n'), "the comment is left of the window: {:?}", excerpt.text);
    }

    #[test]
    fn a_long_span_is_clipped_to_the_window() {
        let text = format!("name: {}\n", "y".repeat(5_000));
        let excerpt = Excerpt::new("f.yaml", &text, SourceSpan::new(6.into(), 5_000), 1, 7);
        assert!(excerpt.span.len() <= WIDTH_CHARS, "{}", excerpt.span.len());
        assert!(excerpt.text.lines().next().is_some_and(|l| l.ends_with('…')), "{:?}", excerpt.text);
    }

    #[test]
    fn control_characters_are_made_visible() {
        let text = "name: \"\u{1b}[2J\u{202e}x\"";
        let excerpt = Excerpt::new("f.yaml", text, SourceSpan::new(6.into(), 3), 1, 7);
        assert!(!excerpt.text.chars().any(is_unsafe_for_terminals), "{:?}", excerpt.text);
        assert!(excerpt.text.contains('\u{241b}'), "ESC shows as ␛: {}", excerpt.text);
        assert_eq!(visible_text("a\u{7}b", 10), "a\u{2407}b");
        assert_eq!(visible_text("abcdef", 3), "abc…");
    }

    #[test]
    fn spans_at_the_end_of_the_file_stay_inside_it() {
        let text = "name: x\n";
        let excerpt = Excerpt::new("f.yaml", text, SourceSpan::new(8.into(), 0), 2, 1);
        assert!(excerpt.span.offset() <= excerpt.text.len());
        let past = Excerpt::new("f.yaml", text, SourceSpan::new(500.into(), 9), 9, 1);
        assert!(past.span.offset() + past.span.len() <= past.text.len());
    }
}

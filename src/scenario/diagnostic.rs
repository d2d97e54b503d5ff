//! Scenario errors that point at the file: path, line and column, the offending
//! line, and how to fix it — rendered by `miette`.
//!
//! Whatever the file holds, the report stays short and safe to print: the
//! snippet is an [`excerpt::Excerpt`] (long lines cut around the problem,
//! control characters made visible), and messages quoting the file's words
//! are cut and made visible the same way.

mod excerpt;

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde_saphyr::Location;

pub use excerpt::{is_unsafe_for_terminals, visible_text};

/// Characters of a message or help shown at most.
const MAX_MESSAGE_CHARS: usize = 600;

/// The text of a scenario file and the name to show for it.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Source { name: name.into(), text: text.into() }
    }

    /// Byte span of a parser location (falls back to the start of its line).
    pub fn span_of(&self, location: &Location) -> SourceSpan {
        let span = location.span();
        match (span.byte_offset(), span.byte_len()) {
            (Some(offset), Some(len)) if (offset as usize) <= self.text.len() => {
                let len = (len as usize).min(self.text.len() - offset as usize);
                SourceSpan::new((offset as usize).into(), len)
            }
            _ => self.line_column_span(location.line() as usize, location.column() as usize),
        }
    }

    /// Byte span of a 1-based line and column.
    pub fn line_column_span(&self, line: usize, column: usize) -> SourceSpan {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let col = l.char_indices().nth(column.saturating_sub(1)).map_or(0, |(b, _)| b);
                return SourceSpan::new((offset + col).into(), 0);
            }
            offset += l.len();
        }
        SourceSpan::new(self.text.len().into(), 0)
    }

    /// 1-based (line, column) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

/// One problem in a scenario file.
#[derive(Clone, Debug)]
pub struct Problem {
    pub message: String,
    pub span: Option<SourceSpan>,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn at(span: SourceSpan, message: impl Into<String>) -> Self {
        Problem { message: message.into(), span: Some(span), label: String::new(), help: None }
    }
    pub fn whole_file(message: impl Into<String>) -> Self {
        Problem { message: message.into(), span: None, label: String::new(), help: None }
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Everything wrong with one scenario file.
#[derive(Clone, Debug)]
pub struct ScenarioError {
    pub source: Source,
    pub problems: Vec<Problem>,
}

/// One problem bound to its excerpt of the file, as miette wants it.
struct Rendered {
    message: String,
    help: Option<String>,
    label: Option<String>,
    excerpt: Option<excerpt::Excerpt>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.excerpt.as_ref().map(|e| e as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let excerpt = self.excerpt.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(self.label.clone(), excerpt.span))))
    }
}

impl ScenarioError {
    pub fn new(source: Source, problems: Vec<Problem>) -> Self {
        ScenarioError { source, problems }
    }

    /// Renders every problem; `color` picks a terminal theme, else plain text
    /// (stable, for snapshots and pipes).
    pub fn render(&self, color: bool) -> String {
        let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        let name = visible_text(&self.source.name, MAX_MESSAGE_CHARS);
        for problem in &self.problems {
            let location = problem.span.map(|s| self.source.line_column(s.offset()));
            match location {
                Some((line, column)) => out.push_str(&format!("error in {name}:{line}:{column}\n")),
                None => out.push_str(&format!("error in {name}\n")),
            }
            let rendered = Rendered {
                message: visible_text(&problem.message, MAX_MESSAGE_CHARS),
                help: problem.help.as_deref().map(|h| visible_text(h, MAX_MESSAGE_CHARS)),
                label: (!problem.label.is_empty()).then(|| visible_text(&problem.label, MAX_MESSAGE_CHARS)),
                excerpt: problem
                    .span
                    .zip(location)
                    .map(|(span, (line, column))| excerpt::Excerpt::new(&name, &self.source.text, span, line, column)),
            };
            let _ = handler.render_report(&mut out, &rendered);
        }
        out
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for ScenarioError {}

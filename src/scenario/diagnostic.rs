//! Scenario errors that point at the file: path, line and column, the offending
//! line, and how to fix it — rendered by `miette`.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde_saphyr::Location;

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
        let before = &self.text[..offset.min(self.text.len())];
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

/// One problem bound to its source, as miette wants it.
struct Rendered<'a> {
    problem: &'a Problem,
    source: NamedSource<Arc<str>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}
impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.problem.span.map(|_| &self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.problem.span?;
        let label = (!self.problem.label.is_empty()).then(|| self.problem.label.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(label, span))))
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
        for problem in &self.problems {
            let location = problem
                .span
                .map(|s| {
                    let (line, column) = self.source.line_column(s.offset());
                    format!("{}:{line}:{column}", self.source.name)
                })
                .unwrap_or_else(|| self.source.name.clone());
            out.push_str(&format!("error in {location}\n"));
            let rendered =
                Rendered { problem, source: NamedSource::new(self.source.name.clone(), self.source.text.clone()) };
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

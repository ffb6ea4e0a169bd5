//! Findings drawn for people with miette: the YAML around the span, a label on the offending
//! value, `help:`, the rule id as the code with a link to its page, and related places in other
//! objects (the container memory limit beside the ConfigMap's `maxmemory`) as related reports.

use super::location;
use crate::finding::{Finding, Severity};
use crate::source::{Files, SourceFile};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::collections::HashMap;
use std::fmt;

/// Where per-rule documentation lives.
pub const DOCS_URL: &str = "https://github.com/valkey-lint/valkey-lint/blob/main/docs/rules";

/// A file as miette reads it: only the lines around a span are scanned, so drawing a finding in
/// a 150 MB file costs the same as in a small one.
struct Src<'a> {
    file: &'a SourceFile,
    /// The text to show: the file's, or a copy with secret values blanked.
    text: &'a str,
}

impl SourceCode for Src<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let f = self.file;
        let (line, _) = f.position(span.offset() as u32);
        let (end_line, _) = f.position((span.offset() + span.len()) as u32);
        let first = line.saturating_sub(before).max(1);
        let start = f.line_start(first).unwrap_or(0);
        let stop = f
            .line_start(end_line + after + 1)
            .unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[start..stop];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            f.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first - 1,
            inner.column(),
            inner.line_count() + first - 1,
        )))
    }
}

struct Diag<'a> {
    finding: &'a Finding,
    message: String,
    src: Option<Src<'a>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Diag<'a>>,
    severity: miette::Severity,
    code: Option<String>,
}

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag<'_> {}

impl Diagnostic for Diag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        // Problems with the input and with suppressions have no rule page.
        const META: &[&str] = &[
            "invalid-yaml",
            "invalid-object",
            "input-error",
            "rule-error",
            "config-error",
            "internal-error",
            "suppression-invalid",
            "unused-suppression",
        ];
        if self.finding.input_error
            || self.code.is_none()
            || META.contains(&self.finding.rule.as_str())
        {
            return None;
        }
        Some(Box::new(format!("{DOCS_URL}/{}.md", self.finding.rule)))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.clone().into_iter()))
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// Texts to show per file: secret values blanked (computed once per file that is shown).
struct Shown<'a> {
    files: &'a Files,
    redacted: HashMap<u32, Option<String>>,
}

impl Shown<'_> {
    fn prepare(&mut self, file: u32) {
        let files = self.files;
        self.redacted
            .entry(file)
            .or_insert_with(|| crate::redact::redacted(&files.get(file).text));
    }

    fn src(&self, file: u32) -> Src<'_> {
        let f = self.files.get(file);
        let text = match self.redacted.get(&file) {
            Some(Some(t)) => t.as_str(),
            _ => &f.text,
        };
        Src { file: f, text }
    }
}

/// Control characters from the input (a config token with an escape sequence) would drive the
/// terminal; they are shown as U+FFFD.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn diag<'a>(shown: &'a Shown<'a>, f: &'a Finding) -> Diag<'a> {
    let mut message = clean(&f.message);
    if let Some(obj) = &f.object {
        message = format!("{obj}: {message}");
    }
    let mut labels = Vec::new();
    let mut related = Vec::new();
    let src = f.span.map(|s| shown.src(s.file));
    if let Some(span) = f.span {
        let text = f
            .label
            .clone()
            .or_else(|| f.located_in.as_ref().map(|o| format!("in {o}")));
        labels.push(LabeledSpan::new_primary_with_span(
            text,
            SourceSpan::new(
                (span.start as usize).into(),
                (span.end - span.start) as usize,
            ),
        ));
    } else if let Some(name) = &f.file_name {
        message = format!("{name}: {message}");
    }
    for l in &f.related {
        let same_file = f.span.is_some_and(|s| s.file == l.span.file);
        let sp = SourceSpan::new(
            (l.span.start as usize).into(),
            (l.span.end - l.span.start) as usize,
        );
        if same_file && f.located_in == l.object {
            labels.push(LabeledSpan::new_with_span(Some(l.text.clone()), sp));
        } else {
            let title = match &l.object {
                Some(o) => format!("{} ({o})", l.text),
                None => l.text.clone(),
            };
            related.push(Diag {
                finding: f,
                message: title,
                src: Some(shown.src(l.span.file)),
                labels: vec![LabeledSpan::new_primary_with_span(Some(l.text.clone()), sp)],
                help: None,
                related: Vec::new(),
                severity: miette::Severity::Advice,
                code: None,
            });
        }
    }
    let mut help = f.help.as_deref().map(clean);
    if let Some(t) = &f.template {
        let from = format!("from template {t}");
        help = Some(match help {
            Some(h) => format!("{h}\n{from}"),
            None => from,
        });
    }
    Diag {
        finding: f,
        message,
        src,
        labels,
        help,
        related,
        severity: miette_severity(f.severity),
        code: Some(f.rule.clone()),
    }
}

/// Renders findings for a terminal; `color` false gives plain Unicode.
pub fn render(files: &Files, findings: &[Finding], color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
        .with_context_lines(2);
    let mut shown = Shown {
        files,
        redacted: HashMap::new(),
    };
    for f in findings {
        for file in f
            .span
            .iter()
            .chain(f.related.iter().map(|l| &l.span))
            .map(|s| s.file)
        {
            shown.prepare(file);
        }
    }
    let mut out = String::new();
    for f in findings {
        let d = diag(&shown, f);
        if handler.render_report(&mut out, &d).is_err() {
            // Fall back to one line when a span cannot be drawn.
            let loc = location(files, f)
                .map(|l| format!("{}:{}:{}: ", l.file, l.line, l.column))
                .unwrap_or_default();
            out.push_str(&format!("{loc}{} [{}] {}\n", f.severity, f.rule, f.message));
        }
        out.push('\n');
    }
    out
}

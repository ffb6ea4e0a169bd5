//! Findings in, text out: human diagnostics drawn by miette, and machine formats for CI.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::finding::{Finding, Severity};
use crate::source::Files;
use serde::Serialize;

/// A 1-based position range in a file, as the machine formats print it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location<'a> {
    /// File name.
    pub file: &'a str,
    /// First line.
    pub line: usize,
    /// First column.
    pub column: usize,
    /// Last line.
    #[serde(rename = "endLine")]
    pub end_line: usize,
    /// Column after the last character.
    #[serde(rename = "endColumn")]
    pub end_column: usize,
}

/// The location of a finding's primary span, if it has one.
pub fn location<'a>(files: &'a Files, f: &Finding) -> Option<Location<'a>> {
    let span = f.span?;
    let file = files.get(span.file);
    let (line, column) = file.position(span.start);
    let (end_line, end_column) = file.position(span.end.max(span.start));
    Some(Location {
        file: &file.name,
        line,
        column,
        end_line,
        end_column,
    })
}

/// Counts by severity.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Findings at error.
    pub errors: usize,
    /// Findings at warning.
    pub warnings: usize,
    /// Findings at info.
    pub infos: usize,
    /// Input problems (bad YAML, unreadable files, bad rules).
    #[serde(rename = "inputErrors")]
    pub input_errors: usize,
    /// Files read.
    pub files: usize,
}

impl Summary {
    /// The closing line of the human format.
    pub fn line(&self) -> String {
        format!(
            "{} error(s), {} warning(s), {} info in {} file(s){}\n",
            self.errors,
            self.warnings,
            self.infos,
            self.files,
            if self.input_errors > 0 {
                format!("; {} input error(s)", self.input_errors)
            } else {
                String::new()
            }
        )
    }

    /// Counts the findings.
    pub fn of(findings: &[Finding], files: usize) -> Summary {
        let mut s = Summary {
            files,
            ..Summary::default()
        };
        for f in findings {
            if f.input_error {
                s.input_errors += 1;
            }
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

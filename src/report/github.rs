//! Findings as GitHub Actions workflow commands, which become annotations on the pull request:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. Columns are given only
//! for single-line spans, as GitHub requires.

use super::location;
use crate::finding::{Finding, Severity};
use crate::source::Files;

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders one workflow command per finding.
pub fn render(files: &Files, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(l) = location(files, f) {
            props.push(format!("file={}", property(l.file)));
            props.push(format!("line={}", l.line));
            if l.end_line == l.line {
                props.push(format!("col={}", l.column));
                props.push(format!("endColumn={}", l.end_column.max(l.column + 1)));
            } else {
                props.push(format!("endLine={}", l.end_line));
            }
        } else if let Some(name) = &f.file_name {
            props.push(format!("file={}", property(name)));
        }
        props.push(format!(
            "title={}",
            property(&format!("valkey-lint {}", f.rule))
        ));
        let mut message = match &f.object {
            Some(o) => format!("{o}: {}", f.message),
            None => f.message.clone(),
        };
        if let Some(h) = &f.help {
            message.push_str("\n\n");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            data(&message)
        ));
    }
    out
}

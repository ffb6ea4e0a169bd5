//! Findings as JSON, schema version 1 (documented in the README):
//! `{"version":1,"findings":[{rule,severity,message,help,location,object,locatedIn,template,
//! related}],"summary":{errors,warnings,infos,inputErrors,files}}`, lines and columns 1-based.

use super::{location, Location, Summary};
use crate::finding::{Finding, ObjectId, Severity};
use crate::source::Files;
use serde::Serialize;
use std::io::Write;

/// The schema version; bump on any incompatible change.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Related<'a> {
    message: &'a str,
    location: Location<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectId>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectId>,
    #[serde(rename = "locatedIn", skip_serializing_if = "Option::is_none")]
    located_in: Option<&'a ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
}

fn json_finding<'a>(files: &'a Files, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        message: &f.message,
        help: f.help.as_deref(),
        location: location(files, f).or_else(|| {
            f.file_name.as_ref().map(|n| Location {
                file: n,
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            })
        }),
        object: f.object.as_deref(),
        located_in: f.located_in.as_deref(),
        template: f.template.as_deref(),
        related: f
            .related
            .iter()
            .map(|l| {
                let file = files.get(l.span.file);
                let (line, column) = file.position(l.span.start);
                let (end_line, end_column) = file.position(l.span.end);
                Related {
                    message: &l.text,
                    location: Location {
                        file: &file.name,
                        line,
                        column,
                        end_line,
                        end_column,
                    },
                    object: l.object.as_deref(),
                }
            })
            .collect(),
    }
}

/// Renders the report.
pub fn render(files: &Files, findings: &[Finding], summary: Summary) -> String {
    let mut out = Vec::new();
    let _ = write(files, findings, summary, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `w` as it is serialised: findings are converted a batch at a time,
/// the batch's parts on every core, so the report is never held in memory. The text is what
/// `serde_json::to_writer_pretty` gives for the whole report (a test compares the two).
pub fn write(
    files: &Files,
    findings: &[Finding],
    summary: Summary,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    write!(w, "{{\n  \"version\": {VERSION},\n  \"findings\": [")?;
    if !findings.is_empty() {
        w.write_all(b"\n")?;
        // Findings come in file and offset order: the pages of mapped files that a batch has
        // gone past are given back after it.
        let mut behind = crate::source::Behind::new(files);
        for (i, batch) in findings.chunks(BATCH).enumerate() {
            let parts: Vec<&[Finding]> = batch.chunks(PART).collect();
            let texts = crate::par::parallel_min(&parts, 2, |part| {
                let mut out = Vec::with_capacity(part.len() * 1024);
                for (j, f) in part.iter().enumerate() {
                    if j > 0 {
                        out.extend_from_slice(b",\n");
                    }
                    indented(&json_finding(files, f), 4, &mut out);
                }
                out
            });
            for (j, text) in texts.iter().enumerate() {
                if i > 0 || j > 0 {
                    w.write_all(b",\n")?;
                }
                w.write_all(text)?;
            }
            for span in batch.iter().filter_map(|f| f.span) {
                behind.at(span.file, span.start as usize);
            }
        }
        w.write_all(b"\n  ")?;
    }
    w.write_all(b"],\n  \"summary\": ")?;
    let mut text = Vec::new();
    indented(&summary, 2, &mut text);
    w.write_all(&text[2..])?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// Findings converted at a time, and in one part of such a batch.
const BATCH: usize = 2048;
const PART: usize = 512;

/// `value` as pretty JSON nested `depth` spaces deep: its lines indented by that much (JSON
/// strings escape their line breaks, so every line break in the text is the formatter's).
fn indented(value: &impl Serialize, depth: usize, out: &mut Vec<u8>) {
    let mut text = Vec::with_capacity(1024);
    if serde_json::to_writer_pretty(&mut text, value).is_err() {
        return;
    }
    let pad = &b"        "[..depth];
    out.extend_from_slice(pad);
    let mut rest = &text[..];
    while let Some(i) = rest.iter().position(|&b| b == b'\n') {
        out.extend_from_slice(&rest[..=i]);
        out.extend_from_slice(pad);
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings, each converted as it is written.
    struct Findings<'a> {
        files: &'a Files,
        findings: &'a [Finding],
    }

    impl Serialize for Findings<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.findings.iter().map(|f| json_finding(self.files, f)))
        }
    }

    #[derive(Serialize)]
    struct Report<'a> {
        version: u32,
        findings: Findings<'a>,
        summary: Summary,
    }

    /// The report as serde_json writes it in one piece.
    fn whole(files: &Files, findings: &[Finding], summary: Summary) -> String {
        let report = Report {
            version: VERSION,
            findings: Findings { files, findings },
            summary,
        };
        serde_json::to_string_pretty(&report).expect("serialises") + "\n"
    }

    #[test]
    fn batched_writing_gives_serde_json_text() {
        let mut files = Files::default();
        let text = "kind: StatefulSet\nmetadata:\n  name: \"a\\nb\"\n".repeat(3);
        let id = files.add(crate::source::SourceFile::new("x.yaml", text));
        let finding = |i: usize| {
            let mut f = Finding::input(
                "some-rule",
                format!("message {i} with \"quotes\", a line\nbreak and ünïcödé"),
                Some(crate::yaml::Span::new(id, i % 40, i % 40 + 3)),
            );
            f.help = (i % 3 == 0).then(|| "help\ttext".into());
            f
        };
        for n in [0, 1, 2, PART - 1, PART, PART + 1, BATCH, BATCH + PART + 7] {
            let findings: Vec<Finding> = (0..n).map(finding).collect();
            let summary = Summary::of(&findings, 1);
            let mut out = Vec::new();
            write(&files, &findings, summary.clone(), &mut out).expect("writes");
            let out = String::from_utf8(out).expect("UTF-8");
            assert_eq!(out, whole(&files, &findings, summary), "{n} findings");
        }
    }
}

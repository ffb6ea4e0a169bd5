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
struct Related {
    message: String,
    location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<ObjectId>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a ObjectId>,
    #[serde(rename = "locatedIn", skip_serializing_if = "Option::is_none")]
    located_in: Option<&'a ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related>,
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

/// Renders the report.
pub fn render(files: &Files, findings: &[Finding], summary: Summary) -> String {
    let mut out = Vec::new();
    let _ = write(files, findings, summary, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the report to `w` as it is serialised, without holding it in memory.
pub fn write(
    files: &Files,
    findings: &[Finding],
    summary: Summary,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let report = Report {
        version: VERSION,
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                rule: &f.rule,
                severity: f.severity,
                message: &f.message,
                help: f.help.as_deref(),
                location: location(files, f).or_else(|| {
                    f.file_name.as_ref().map(|n| Location {
                        file: n.clone(),
                        line: 0,
                        column: 0,
                        end_line: 0,
                        end_column: 0,
                    })
                }),
                object: f.object.as_ref(),
                located_in: f.located_in.as_ref(),
                template: f.template.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|l| {
                        let file = files.get(l.span.file);
                        let (line, column) = file.position(l.span.start);
                        let (end_line, end_column) = file.position(l.span.end);
                        Related {
                            message: l.text.clone(),
                            location: Location {
                                file: file.name.clone(),
                                line,
                                column,
                                end_line,
                                end_column,
                            },
                            object: l.object.clone(),
                        }
                    })
                    .collect(),
            })
            .collect(),
        summary,
    };
    let mut w = std::io::BufWriter::new(w);
    serde_json::to_writer_pretty(&mut w, &report)?;
    w.write_all(b"\n")?;
    w.flush()
}

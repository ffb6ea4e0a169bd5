//! Findings as SARIF 2.1.0 for code scanning: one run, the rules that ran (and the ids of input
//! problems) as reporting descriptors with their docs, results with regions relative to the
//! working folder, and fingerprints that survive lines moving.

use super::human::DOCS_URL;
use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::source::Files;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The URI of a file for SARIF: relative to the working folder when it lies under it.
pub fn uri(name: &str) -> String {
    if name == "<stdin>" {
        return "stdin".into();
    }
    let path = std::path::Path::new(name);
    let rel = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
            .unwrap_or_else(|| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").to_string();
    s.chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// FNV-1a, 64 bits: a stable hash with no dependency.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with('.') || t.ends_with('?') || t.ends_with('!') {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

const INPUT_RULES: &[(&str, &str)] = &[
    ("invalid-yaml", "A document is not valid YAML"),
    ("invalid-object", "A document is not a Kubernetes object"),
    ("input-error", "An input path could not be read"),
    ("rule-error", "A rule file is invalid or failed to evaluate"),
    ("internal-error", "valkey-lint failed on an object"),
    (
        "suppression-invalid",
        "A suppression annotation has no reason or names no rule",
    ),
    (
        "unused-suppression",
        "A suppression annotation suppresses nothing",
    ),
];

fn descriptor(r: &Rule) -> Value {
    let mut markdown = format!(
        "{}\n\n**Why it matters.** {}\n\n**How to fix.** {}",
        r.title,
        r.rationale.trim(),
        r.help.raw.trim()
    );
    if !r.references.is_empty() {
        markdown.push_str("\n\n**References.**");
        for u in &r.references {
            markdown.push_str(&format!("\n- <{u}>"));
        }
    }
    json!({
        "id": r.id,
        "name": pascal(&r.id),
        "shortDescription": {"text": sentence(&r.title)},
        "fullDescription": {"text": sentence(&r.rationale)},
        "help": {"text": sentence(&r.help.raw), "markdown": markdown},
        "helpUri": format!("{DOCS_URL}/{}.md", r.id),
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"tags": ["valkey", r.category], "precision": "high"}
    })
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Renders the SARIF log.
pub fn render(files: &Files, findings: &[Finding], rules: &[Rule]) -> String {
    let mut descriptors: Vec<Value> = rules.iter().map(descriptor).collect();
    let mut index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for (id, title) in INPUT_RULES {
        if findings.iter().any(|f| f.rule == *id) && !index.contains_key(*id) {
            index.insert(id.to_string(), descriptors.len());
            descriptors.push(json!({
                "id": id,
                "name": pascal(id),
                "shortDescription": {"text": sentence(title)},
                "fullDescription": {"text": sentence(title)},
                "help": {"text": "Fix the input named in the result's message.", "markdown": "Fix the input named in the result's message."},
                "helpUri": format!("{DOCS_URL}/README.md"),
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["valkey-lint"], "precision": "very-high"}
            }));
        }
    }
    let mut results = Vec::new();
    let mut redacted: std::collections::HashMap<u32, Option<String>> = Default::default();
    for f in findings {
        let mut result = json!({
            "ruleId": f.rule,
            "level": level(f.severity),
            "message": {"text": sentence(&match &f.object {
                Some(o) => format!("{o}: {}", f.message),
                None => f.message.clone(),
            })},
        });
        if let Some(i) = index.get(&f.rule) {
            result["ruleIndex"] = json!(i);
        }
        let region = |span: crate::yaml::Span| {
            let file = files.get(span.file);
            let (l, c) = file.position(span.start);
            let (el, ec) = file.position(
                span.end
                    .max(span.start + 1)
                    .min(file.text.len() as u32)
                    .max(span.start),
            );
            let ec = if (el, ec) <= (l, c) { c + 1 } else { ec };
            let el = el.max(l);
            (
                uri(&file.name),
                json!({"startLine": l, "startColumn": c, "endLine": el, "endColumn": ec}),
            )
        };
        let (file_uri, line_text) = match f.span {
            Some(span) => {
                let (u, reg) = region(span);
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": u, "uriBaseId": "%SRCROOT%"},
                        "region": reg
                    }
                }]);
                let file = files.get(span.file);
                // Fingerprint the line with secret values blanked, never the raw text.
                let shown = redacted
                    .entry(span.file)
                    .or_insert_with(|| crate::redact::redacted(&file.text));
                let text = shown.as_deref().unwrap_or(&file.text);
                let line = text
                    .get(span.start as usize..)
                    .and_then(|t| t.lines().next())
                    .unwrap_or("")
                    .trim()
                    .to_string();
                (u, line)
            }
            None => {
                let u = uri(f.file_name.as_deref().unwrap_or("stdin"));
                result["locations"] = json!([{
                    "physicalLocation": {"artifactLocation": {"uri": u, "uriBaseId": "%SRCROOT%"}}
                }]);
                (u, String::new())
            }
        };
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (u, reg) = region(l.span);
                json!({
                    "id": i + 1,
                    "message": {"text": sentence(&l.text)},
                    "physicalLocation": {"artifactLocation": {"uri": u, "uriBaseId": "%SRCROOT%"}, "region": reg}
                })
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = json!(related);
        }
        let object = f.object.as_ref().map(|o| o.to_string()).unwrap_or_default();
        result["partialFingerprints"] = json!({
            "valkeyLint/v1": fnv(&[&f.rule, &object, &file_uri, &line_text]),
        });
        results.push(result);
    }
    let version = env!("CARGO_PKG_VERSION");
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "valkey-lint",
                "fullName": format!("valkey-lint {version}"),
                "version": version,
                "semanticVersion": version,
                "informationUri": "https://github.com/valkey-lint/valkey-lint",
                "rules": descriptors
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("file://{}/", std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default().trim_end_matches('/'))}},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

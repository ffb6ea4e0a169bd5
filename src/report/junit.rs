//! Findings as JUnit XML for CI systems that show test reports: one test case per checked file
//! that passed, one failing test case per finding.

use super::location;
use crate::finding::Finding;
use crate::source::Files;

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Renders the report; `inputs` are the file ids that were checked.
pub fn render(files: &Files, findings: &[Finding], inputs: &[u32]) -> String {
    let mut cases = Vec::new();
    for &id in inputs {
        let name = &files.get(id).name;
        if !findings
            .iter()
            .any(|f| f.span.is_some_and(|s| s.file == id))
        {
            cases.push(format!(
                "    <testcase classname=\"{}\" name=\"valkey-lint\"/>\n",
                esc(name)
            ));
        }
    }
    for f in findings {
        let loc = location(files, f);
        let (class, at) = match &loc {
            Some(l) => (
                l.file.to_string(),
                format!("{}:{}:{}", l.file, l.line, l.column),
            ),
            None => (
                f.file_name.clone().unwrap_or_default(),
                f.file_name.clone().unwrap_or_default(),
            ),
        };
        let object = f
            .object
            .as_ref()
            .map(|o| format!(" {o}"))
            .unwrap_or_default();
        let mut body = format!("{at}: {}", f.message);
        if let Some(h) = &f.help {
            body.push_str(&format!("\nhelp: {h}"));
        }
        cases.push(format!(
            "    <testcase classname=\"{}\" name=\"{}{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            esc(&class),
            esc(&f.rule),
            esc(&object),
            f.severity,
            esc(&f.message),
            esc(&body)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"valkey-lint\" tests=\"{}\" failures=\"{}\">\n  <testsuite name=\"valkey-lint\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n{}  </testsuite>\n</testsuites>\n",
        cases.len(),
        findings.len(),
        cases.len(),
        findings.len(),
        cases.concat()
    )
}

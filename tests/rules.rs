//! The generic rule harness: every rule file has a folder `testdata/rules/<id>/` with
//! `pass-*.yaml` (no finding of that rule) and `fail-*.yaml` cases whose expected findings are
//! written inline: `# expect: <id>` at the end of the line where the finding must start, or
//! `# expect-next-line: <id>` alone on a line (inside an embedded valkey.conf, where a trailing
//! comment would itself be a config error). The rule's own `examples` run too, and the human
//! output of every failing case is snapshot-tested.

use std::collections::BTreeSet;
use std::path::Path;
use valkey_lint::check;
use valkey_lint::rules::{eval, Rule};
use valkey_lint::source::{Files, SourceFile};

fn run(rule: &Rule, name: &str, text: &str) -> (Vec<usize>, String) {
    let mut files = Files::default();
    let id = files.add(SourceFile::new(name, text.to_string()));
    let findings = check::check(
        &files,
        &[id],
        std::slice::from_ref(rule),
        &eval::default_params,
    );
    let lines = findings
        .iter()
        .filter(|f| f.rule == rule.id)
        .map(|f| {
            let span = f.span.expect("rule findings have a span");
            files.get(span.file).position(span.start).0
        })
        .collect();
    let human = valkey_lint::report::human::render(&files, &findings, false, 100);
    (lines, human)
}

fn expected(text: &str, id: &str) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("# expect-next-line:") {
            if rest.split(',').any(|r| r.trim() == id) {
                out.insert(i + 2);
            }
        } else if let Some(pos) = line.find("# expect:") {
            if line[pos + 9..].split(',').any(|r| r.trim() == id) {
                out.insert(i + 1);
            }
        }
    }
    out
}

#[test]
fn every_rule_passes_its_fixtures_and_examples() {
    let mut files = Files::default();
    let (rules, errors) = check::load_rules(&[], &mut files);
    assert!(
        errors.is_empty(),
        "rule files do not load: {:#?}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    assert!(!rules.is_empty());
    let filter = std::env::var("RULE").ok();
    let mut failures = Vec::new();
    for rule in rules
        .iter()
        .filter(|r| filter.as_deref().is_none_or(|f| f == r.id))
    {
        let dir = Path::new("testdata/rules").join(&rule.id);
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} has no fixture folder {}", rule.id, dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        cases.sort();
        let names: Vec<String> = cases
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("pass-")),
            "{}: no pass-*.yaml fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("fail-")),
            "{}: no fail-*.yaml fixture",
            rule.id
        );
        for (path, name) in cases.iter().zip(&names) {
            let text = std::fs::read_to_string(path).unwrap();
            let shown = format!("testdata/rules/{}/{name}", rule.id);
            let (lines, human) = run(rule, &shown, &text);
            let got: BTreeSet<usize> = lines.iter().copied().collect();
            let want = expected(&text, &rule.id);
            if name.starts_with("pass-") {
                if !got.is_empty() {
                    failures.push(format!(
                        "{shown}: expected no finding, got lines {got:?}\n{human}"
                    ));
                }
            } else {
                if want.is_empty() {
                    failures.push(format!(
                        "{shown}: a fail case must assert at least one `# expect: {}`",
                        rule.id
                    ));
                }
                if got != want || lines.len() != want.len() {
                    failures.push(format!(
                        "{shown}: expected findings on lines {want:?}, got {lines:?}\n{human}"
                    ));
                }
                let mut settings = insta::Settings::clone_current();
                settings.set_snapshot_path(
                    Path::new("../testdata/rules")
                        .join(&rule.id)
                        .join("snapshots"),
                );
                settings.set_prepend_module_to_snapshot(false);
                settings.bind(|| {
                    insta::assert_snapshot!(name.trim_end_matches(".yaml").to_string(), human)
                });
            }
        }
        for (i, ex) in rule.examples.iter().enumerate() {
            let (lines, human) = run(rule, "example.yaml", &ex.yaml);
            if ex.fail && lines.is_empty() {
                failures.push(format!("{}: fail example {i} produces no finding", rule.id));
            }
            if !ex.fail && !lines.is_empty() {
                failures.push(format!(
                    "{}: pass example {i} produces findings\n{human}",
                    rule.id
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

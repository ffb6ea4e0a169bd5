//! Helpers shared by the integration tests: running the binary as users do and reading its
//! JSON report. Each test binary uses part of them.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeSet;

/// The binary with plain output: no colour, no terminal width from the environment.
pub fn valkey_lint() -> Command {
    let mut c = Command::cargo_bin("valkey-lint").unwrap();
    c.env("NO_COLOR", "1").env_remove("COLUMNS");
    c
}

/// Runs a prepared command: (exit code, stdout, stderr).
pub fn outcome(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The rule ids of a JSON report's findings, in report order.
pub fn rule_ids(report: &serde_json::Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

/// A finding as the expectation tables write it: (file name, rule, object name, line, column).
pub type Key = (String, String, String, u64, u64);

/// Runs `valkey-lint check --format json` on `args` and returns the JSON report.
pub fn check_json(args: &[&str]) -> serde_json::Value {
    let out = Command::cargo_bin("valkey-lint")
        .unwrap()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The findings of a JSON report as keys (file name without folders).
pub fn keys(report: &serde_json::Value) -> BTreeSet<Key> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["location"]["file"].as_str().unwrap();
            (
                file.rsplit('/').next().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap_or_default().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Asserts that a report has exactly the expected findings, listing the differences.
pub fn assert_exactly(report: &serde_json::Value, expected: &[(&str, &str, &str, u64, u64)]) {
    let got = keys(report);
    let want: BTreeSet<Key> = expected
        .iter()
        .map(|(f, r, o, l, c)| (f.to_string(), r.to_string(), o.to_string(), *l, *c))
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
}

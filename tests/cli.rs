//! The binary as users run it: paths, folders, stdin, exit codes, formats, bad input.

mod common;

use common::{outcome as stdout, rule_ids, valkey_lint as cmd};

const CLEAN: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: c}\nspec:\n  template:\n    metadata: {labels: {app: c}}\n    spec:\n      containers:\n        - name: valkey\n          image: valkey/valkey:8.1\n          args: [valkey-server, --maxmemory, 800mb, --save, '', --appendonly, 'no']\n          resources: {limits: {memory: 1Gi}}\n";

#[test]
fn example_has_findings_and_exits_1() {
    let (code, out, _) = stdout(cmd().args(["check", "testdata/example/"]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("example-human", out);
}

#[test]
fn well_configured_cluster_on_stdin_passes_every_rule() {
    let good = std::fs::read_to_string("testdata/good/valkey-cluster.yaml").unwrap();
    let (code, out, _) = stdout(
        cmd()
            .args(["check", "--fail-on", "info", "-"])
            .write_stdin(good),
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "0 error(s), 0 warning(s), 0 info in 1 file(s)\n");
}

#[test]
fn fail_on_error_ignores_warnings() {
    let (code, _, _) = stdout(cmd().args([
        "check",
        "--fail-on",
        "error",
        "--disable",
        "conf-invalid",
        "--disable",
        "maxmemory-above-limit",
        "testdata/example/",
    ]));
    assert_eq!(code, 0);
    let (code, _, _) = stdout(cmd().args(["check", "--fail-on", "error", "testdata/example/"]));
    assert_eq!(code, 1);
}

#[test]
fn json_format_is_versioned_and_located() {
    let (code, out, _) = stdout(cmd().args([
        "check",
        "--format",
        "json",
        "testdata/example/valkey-cluster.yaml",
    ]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "maxmemory-above-limit")
        .expect("maxmemory finding");
    assert_eq!(f["location"]["line"], 18);
    assert_eq!(f["location"]["column"], 15);
    assert_eq!(f["location"]["endColumn"], 21);
    assert_eq!(f["object"]["kind"], "StatefulSet");
    assert_eq!(f["locatedIn"]["kind"], "ConfigMap");
    assert_eq!(
        f["template"], "valkey-cluster/templates/configmap.yaml",
        "the template to edit"
    );
    assert_eq!(f["related"][0]["location"]["line"], 81);
    assert_eq!(
        v["summary"]["errors"], 2,
        "maxmemory-above-limit and conf-invalid"
    );
    insta::assert_snapshot!("example-json", out);
}

#[test]
fn invalid_yaml_is_reported_and_other_documents_still_checked() {
    let dir = std::env::temp_dir().join(format!("vl-cli-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("a-broken.yaml"),
        "kind: ConfigMap\nmetadata: {name: x\n---\n".to_string()
            + CLEAN.replace("800mb", "2gb").as_str(),
    )
    .unwrap();
    std::fs::write(dir.join("sub/b.yml"), CLEAN).unwrap();
    std::fs::write(dir.join("notes.txt"), "not yaml").unwrap();
    let (code, out, _) = stdout(
        cmd()
            .args([
                "check",
                "--format",
                "json",
                "--enable",
                "maxmemory-above-limit",
            ])
            .arg(&dir),
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 2, "input errors exit 2");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        rule_ids(&v),
        vec!["invalid-yaml", "maxmemory-above-limit"],
        "{out}"
    );
    assert_eq!(
        v["findings"][0]["location"]["line"], 3,
        "where the parser noticed the unclosed mapping"
    );
    assert!(v["findings"][0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("a-broken.yaml"));
    assert_eq!(v["summary"]["files"], 2);
}

#[test]
fn missing_path_is_an_input_error_naming_it() {
    let (code, out, _) = stdout(cmd().args(["check", "no/such/file.yaml", "testdata/example/"]));
    assert_eq!(code, 2);
    assert!(out.contains("no/such/file.yaml"), "{out}");
    assert!(
        out.contains("maxmemory-above-limit"),
        "the other path is still checked: {out}"
    );
}

#[test]
fn unknown_rule_id_is_a_usage_error_with_suggestion() {
    let (code, _, err) =
        stdout(cmd().args(["check", "--enable", "pdb-mising", "testdata/example/"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `pdb-missing`?"), "{err}");
}

#[test]
fn rules_and_explain() {
    let (code, out, _) = stdout(cmd().arg("rules"));
    assert_eq!(code, 0);
    let n = std::fs::read_dir("rules").unwrap().count();
    assert!(
        out.contains("maxmemory-above-limit") && out.contains(&format!("{n} rules")),
        "{out}"
    );
    let (code, out, _) = stdout(cmd().args(["explain", "pdb-missing"]));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string("docs/rules/pdb-missing.md").unwrap()
    );
    let (code, _, err) = stdout(cmd().args(["explain", "nope"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule id `nope`"));
}

#[test]
fn user_rules_extend_without_recompiling() {
    let dir = std::env::temp_dir().join(format!("vl-user-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("appendfsync-always.yaml"),
        r#"id: appendfsync-always
title: appendfsync always costs a disk flush per write
severity: info
category: persistence
appliesTo: container
matchConditions: ["'appendfsync' in valkey"]
expression: valkey.appendfsync.value != 'always'
message: appendfsync is always
at: valkey.appendfsync
help: use everysec
rationale: latency
references: [https://valkey.io/topics/persistence/]
examples: {fail: x, pass: y}
"#,
    )
    .unwrap();
    let manifest = CLEAN.replace(
        "--appendonly, 'no'",
        "--appendonly, 'yes', --appendfsync, always",
    );
    let (code, out, _) = stdout(
        cmd()
            .args(["check", "--format", "json", "--fail-on", "info", "--rules"])
            .arg(&dir)
            .args(["--enable", "appendfsync-always", "-"])
            .write_stdin(manifest),
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["rule"], "appendfsync-always");
    assert_eq!(v["findings"][0]["location"]["line"], 11);
}

#[test]
fn secrets_never_appear_in_output() {
    let manifest = CLEAN.replace(
        "--maxmemory, 800mb",
        "--requirepass, hunter2-s3cret, --maxmemory, 2gb",
    );
    for format in ["human", "json"] {
        let (_, out, err) = stdout(
            cmd()
                .args(["check", "--format", format, "-"])
                .write_stdin(manifest.clone()),
        );
        assert!(
            !out.contains("hunter2") && !err.contains("hunter2"),
            "{out}"
        );
    }
}

#[test]
fn suppression_annotations_need_a_reason_and_a_use() {
    let (code, out, _) = stdout(cmd().args([
        "check",
        "--format",
        "json",
        "--enable",
        "pdb-missing",
        "--enable",
        "maxmemory-unset",
        "--enable",
        "memory-limit-unset",
        "--enable",
        "conf-invalid",
        "--enable",
        "zone-spread-missing",
        "testdata/suppress/annotations.yaml",
    ]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("suppression-invalid", 9), // no reason: maxmemory-unset is still reported (line 21)
        ("suppression-invalid", 10), // names no rule (typo)
        ("unused-suppression", 18), // conf-invalid has nothing to suppress
        ("zone-spread-missing", 19),
        ("maxmemory-unset", 21),
    ];
    let want: Vec<(String, u64)> = want.iter().map(|(r, l)| (r.to_string(), *l)).collect();
    assert_eq!(
        got, want,
        "pdb-missing and memory-limit-unset are suppressed with reasons"
    );
    assert!(
        out.contains("did you mean `ignore.valkey-lint.io/zone-spread-missing`?"),
        "{out}"
    );
}

#[test]
fn completions_man_page_and_version() {
    let (code, out, _) = stdout(cmd().args(["completions", "bash"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("_valkey__lint()") && out.contains("--fail-on"),
        "{out}"
    );
    let (code, out, _) = stdout(cmd().args(["completions", "zsh"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("#compdef valkey-lint"));
    let (code, out, _) = stdout(cmd().arg("man"));
    assert_eq!(code, 0);
    assert!(
        out.contains(".TH valkey-lint 1") && out.contains("check"),
        "{out}"
    );
    let (code, out, _) = stdout(cmd().arg("--version"));
    assert_eq!(code, 0);
    let n = std::fs::read_dir("rules").unwrap().count();
    assert!(
        out.starts_with(&format!(
            "valkey-lint {} (rule set: {n} rules, ",
            env!("CARGO_PKG_VERSION")
        )),
        "{out}"
    );
}

#[test]
fn quiet_prints_only_the_summary_and_keeps_the_exit_code() {
    let (code, out, _) = stdout(cmd().args(["check", "--quiet", "testdata/example/"]));
    assert_eq!(code, 1);
    assert_eq!(out, "2 error(s), 8 warning(s), 3 info in 1 file(s)\n");
}

/// A file from `MAP_FROM` (64 KB) on is mapped, and its pages are given back behind every pass
/// and read again when a later pass or the report needs them: the findings, their positions
/// and the snippets are exactly those of the same text read from standard input.
#[test]
fn a_large_mapped_file_reports_what_the_same_text_on_stdin_does() {
    let example = std::fs::read_to_string("testdata/example/valkey-cluster.yaml").unwrap();
    // ~2.6 KB a copy: 450 copies make 1.2 MB, more than one block of pages given back.
    let text: String = (0..450)
        .map(|i| example.replace("namespace: shop", &format!("namespace: shop-{i}")))
        .collect::<Vec<_>>()
        .join("---\n");
    let dir = std::env::temp_dir().join(format!("valkey-lint-mapped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.yaml");
    std::fs::write(&path, &text).unwrap();
    let name = path.to_str().unwrap();
    for format in ["json", "human"] {
        let (code, from_file, _) = stdout(cmd().args(["check", "--format", format, name]));
        let (stdin_code, from_stdin, _) = stdout(
            cmd()
                .args(["check", "--format", format, "-"])
                .write_stdin(text.clone()),
        );
        assert_eq!((code, stdin_code), (1, 1));
        assert!(from_file.matches("maxmemory").count() >= 450, "{format}");
        assert_eq!(from_file.replace(name, "<stdin>"), from_stdin, "{format}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

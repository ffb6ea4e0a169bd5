//! The machine formats, checked by what consumes them: SARIF by Microsoft's official validator
//! with GitHub code scanning's ingestion rules (`sarif-multitool validate --rule-kind Gh;Sarif`),
//! JUnit by an XML parser, GitHub workflow commands by their grammar; several formats in one run;
//! no secret in any of them.

mod common;

use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vl-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn valkey_lint(args: &[&str]) -> (i32, String) {
    let (code, stdout, _) = common::outcome(common::valkey_lint().args(args));
    (code, stdout)
}

const INPUTS: [&str; 3] = [
    "testdata/example",
    "../shared/corpus/rendered",
    "testdata/suppress",
];

#[test]
fn sarif_passes_the_official_validator_with_github_rules() {
    let tool = std::env::var("SARIF_MULTITOOL").unwrap_or_else(|_| {
        panic!("SARIF_MULTITOOL is not set: run ./scripts/test.sh, which installs @microsoft/sarif-multitool from npm")
    });
    let sarif = tmp("all.sarif");
    let (code, _) = valkey_lint(
        &[
            &[
                "check",
                "--format",
                "sarif",
                "--output",
                sarif.to_str().unwrap(),
            ][..],
            &INPUTS,
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    let report = tmp("validation.sarif");
    let out = std::process::Command::new(&tool)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .args([
            "validate",
            sarif.to_str().unwrap(),
            "--rule-kind",
            "Gh;Sarif",
            "--output",
            report.to_str().unwrap(),
            "--log",
            "ForceOverwrite",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The validator exits 0 whatever it finds: count its results (a SARIF log itself).
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let problems: Vec<String> = run["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            let rule = r["ruleIndex"].as_u64().and_then(|i| rules.get(i as usize));
            let level = r["level"]
                .as_str()
                .or_else(|| rule.and_then(|x| x["defaultConfiguration"]["level"].as_str()))
                .unwrap_or("warning");
            (level == "error" || level == "warning")
                .then(|| format!("{level} {}: {}", r["ruleId"], r["message"]))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = ours["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 50);
    assert!(results
        .iter()
        .all(|r| r["partialFingerprints"]["valkeyLint/v1"]
            .as_str()
            .is_some_and(|f| f.len() == 16)));
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"unused-suppression") && ids.contains(&"maxmemory-above-limit"));
}

#[test]
fn fingerprints_survive_lines_moving() {
    let shifted = tmp("shifted.yaml");
    let text = std::fs::read_to_string("testdata/example/valkey-cluster.yaml").unwrap();
    std::fs::write(&shifted, format!("# a new comment\n# and another\n{text}")).unwrap();
    let original = tmp("original.yaml");
    std::fs::write(&original, text).unwrap();
    let prints = |p: &PathBuf| -> Vec<String> {
        let (_, out) = valkey_lint(&["check", "--format", "sarif", p.to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["valkeyLint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (a, b) = (prints(&original), prints(&shifted));
    assert!(!a.is_empty());
    // The file names differ, so compare the sets of fingerprints after renaming the file.
    std::fs::rename(&shifted, &original).unwrap();
    assert_eq!(a, prints(&original));
    assert_eq!(a.len(), b.len());
}

#[test]
fn github_commands_follow_the_workflow_command_grammar() {
    let (code, out) = valkey_lint(&[
        "check",
        "--format",
        "github",
        "testdata/example",
        "testdata/rules/pdb-missing/fail-no-pdb.yaml",
    ]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 5);
    for l in &lines {
        let (head, message) = l
            .split_once("::")
            .and_then(|(_, rest)| rest.split_once("::"))
            .expect(l);
        let (level, props) = head.split_once(' ').expect(l);
        assert!(["error", "warning", "notice"].contains(&level), "{l}");
        assert!(!message.contains('\n') && !message.is_empty());
        let keys: Vec<&str> = props
            .split(',')
            .map(|p| p.split_once('=').expect(l).0)
            .collect();
        assert_eq!(keys[..2], ["file", "line"], "{l}");
        // Columns only on single-line spans.
        assert!(keys.contains(&"col") != keys.contains(&"endLine"), "{l}");
    }
    assert!(out.contains("::error file=testdata/example/valkey-cluster.yaml,line=18,col=15,endColumn=21,title=valkey-lint maxmemory-above-limit::"), "{out}");
    assert!(
        out.contains("92%25 of the memory limit"),
        "percent signs are escaped"
    );
}

#[test]
fn junit_is_well_formed_xml_with_a_failure_per_finding() {
    let (_, out) = valkey_lint(&[
        "check",
        "--format",
        "junit",
        "testdata/example",
        "testdata/kustomize/base/statefulset.yaml",
    ]);
    let xml = tmp("report.xml");
    std::fs::write(&xml, &out).unwrap();
    let check = std::process::Command::new("python3")
        .args(["-c", "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); s = r.find('testsuite'); print(len(s.findall('testcase')), len(s.findall('testcase/failure')), s.get('failures'))", xml.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let counts = String::from_utf8(check.stdout).unwrap();
    let n: Vec<usize> = counts
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(n[1], n[2], "failures attribute counts the failures");
    assert!(n[0] > n[1] || n[1] > 0);
}

#[test]
fn several_formats_in_one_run() {
    let sarif = tmp("multi.sarif");
    let junit = tmp("multi.xml");
    let (code, out) = valkey_lint(&[
        "check",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
        "--format",
        "human",
        "--format",
        "junit",
        "-o",
        junit.to_str().unwrap(),
        "testdata/example",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("maxmemory-above-limit") && out.ends_with("in 1 file(s)\n"),
        "human on stdout: {out}"
    );
    assert!(std::fs::read_to_string(&sarif)
        .unwrap()
        .contains("\"version\": \"2.1.0\""));
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .starts_with("<?xml"));
    let out = common::valkey_lint()
        .args([
            "check",
            "--format",
            "json",
            "--format",
            "sarif",
            "testdata/example",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "two formats on stdout is a usage error"
    );
}

#[test]
fn no_secret_in_any_format() {
    let manifest = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: Sup3rS3cretValue}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  valkey.conf: |\n    requirepass Sup3rS3cretValue\n    user app on >Sup3rS3cretValue ~* +@all\n    maxmemory 2gb\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n        - name: valkey\n          image: valkey/valkey:8.1\n          command: [valkey-server, /etc/valkey/valkey.conf, --primaryauth, Sup3rS3cretValue]\n          env: [{name: VALKEY_PASSWORD, value: Sup3rS3cretValue}]\n          resources: {limits: {memory: 1Gi}}\n          volumeMounts: [{name: c, mountPath: /etc/valkey}]\n      volumes: [{name: c, configMap: {name: c}}]\n";
    let input = tmp("secret.yaml");
    std::fs::write(&input, manifest).unwrap();
    for format in ["human", "json", "sarif", "github", "junit"] {
        let (code, out) = valkey_lint(&["check", "--format", format, input.to_str().unwrap()]);
        assert_eq!(code, 1, "{format}");
        assert!(
            !out.contains("Sup3rS3cret"),
            "{format} leaks the password:\n{out}"
        );
        assert!(
            out.contains("password-plaintext")
                || format == "junit" && out.contains("password-plaintext"),
            "{format}"
        );
    }
}

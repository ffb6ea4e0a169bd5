//! The places valkey-lint plugs into, run for real: the GitHub Action's steps with a simulated
//! runner environment, and the pre-commit hooks through the real `pre-commit try-repo`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vl-int-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_valkey-lint"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_binary() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn action_yml_wires_the_scripts_and_inputs() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).unwrap();
    let docs = valkey_lint::yaml::split_documents(&text);
    let action = valkey_lint::yaml::parse_document(&text, &docs[0], 0)
        .unwrap()
        .unwrap();
    assert_eq!(
        action.path(&["runs", "using"]).and_then(|n| n.as_str()),
        Some("composite")
    );
    let inputs: Vec<&str> = action
        .get("inputs")
        .unwrap()
        .entries()
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    for i in [
        "paths",
        "config",
        "fail-on",
        "format",
        "sarif-file",
        "upload-sarif",
    ] {
        assert!(inputs.contains(&i), "input {i}");
        assert!(text.contains(&format!("inputs.{i}")), "input {i} is used");
    }
    for step in action.path(&["runs", "steps"]).unwrap().items() {
        if let Some(run) = step.get("run").and_then(|n| n.as_str()) {
            if let Some(script) = run.split('"').find(|p| p.contains("scripts/")) {
                let rel = script.trim_start_matches("$GITHUB_ACTION_PATH/");
                assert!(repo_root().join(rel).is_file(), "{rel} exists");
            }
        }
    }
}

fn run_action(inputs: &[(&str, &str)], workspace: &Path) -> (std::process::Output, String, String) {
    let out_file = workspace.join("github_output");
    let summary = workspace.join("step_summary");
    std::fs::write(&out_file, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/action-run.sh"))
        .env("PATH", path_with_binary())
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &out_file)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", workspace)
        .env("GITHUB_ACTIONS", "true")
        .env("NO_COLOR", "1");
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{}", k.to_uppercase().replace('-', "_")), v);
    }
    let out = cmd.output().unwrap();
    (
        out.clone(),
        std::fs::read_to_string(&out_file).unwrap(),
        std::fs::read_to_string(&summary).unwrap_or_default(),
    )
}

#[test]
fn action_check_step_annotates_writes_sarif_and_reports_the_exit_code() {
    let ws = tmpdir("action");
    std::fs::create_dir_all(ws.join("deploy")).unwrap();
    std::fs::copy(
        repo_root().join("testdata/example/valkey-cluster.yaml"),
        ws.join("deploy/cache.yaml"),
    )
    .unwrap();
    std::fs::copy(
        repo_root().join("testdata/good/valkey-cluster.yaml"),
        ws.join("deploy/good.yaml"),
    )
    .unwrap();
    let (out, outputs, summary) = run_action(
        &[
            ("paths", "deploy"),
            ("fail-on", "error"),
            ("format", "github"),
            ("sarif-file", "out/results.sarif"),
        ],
        &ws,
    );
    assert!(
        out.status.success(),
        "the step itself succeeds: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8(out.stdout).unwrap();
    assert!(log.contains("::error file=deploy/cache.yaml,line=18,col=15,endColumn=21,title=valkey-lint maxmemory-above-limit::"), "{log}");
    assert!(!log.contains("good.yaml"), "{log}");
    assert!(
        outputs.contains("exit-code=1\n") && outputs.contains("sarif-file=out/results.sarif\n"),
        "{outputs}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("out/results.sarif")).unwrap())
            .unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "deploy/cache.yaml"
    );
    assert!(
        summary.starts_with("### valkey-lint") && summary.contains("error(s)"),
        "{summary}"
    );

    // A clean path: exit code 0; a config file is passed through.
    std::fs::write(ws.join("strict.yaml"), "severity: {tls-disabled: error}\n").unwrap();
    let (_, outputs, _) = run_action(
        &[
            ("paths", "deploy/good.yaml"),
            ("config", "strict.yaml"),
            ("sarif-file", "clean.sarif"),
        ],
        &ws,
    );
    assert!(outputs.contains("exit-code=0\n"), "{outputs}");
    std::fs::remove_dir_all(&ws).unwrap();
}

#[test]
fn action_install_step_uses_the_binary_on_path() {
    let ws = tmpdir("install");
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/action-install.sh"))
        .env("PATH", path_with_binary())
        .env("RUNNER_TEMP", &ws)
        .env("GITHUB_PATH", ws.join("github_path"))
        .env("INPUT_VERSION", env!("CARGO_PKG_VERSION"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("({})", env!("CARGO_PKG_VERSION")))
    );
    assert!(!ws.join("github_path").exists(), "nothing installed");
    std::fs::remove_dir_all(&ws).unwrap();
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A temporary git repository with a good and a bad manifest, staged.
fn gitops_repo(name: &str) -> PathBuf {
    let dir = tmpdir(name);
    git(&dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("apps")).unwrap();
    std::fs::copy(
        repo_root().join("testdata/good/valkey-cluster.yaml"),
        dir.join("apps/good.yaml"),
    )
    .unwrap();
    git(&dir, &["add", "."]);
    dir
}

fn pre_commit() -> String {
    std::env::var("PRE_COMMIT").unwrap_or_else(|_| {
        panic!("PRE_COMMIT is not set: run ./scripts/test.sh, which installs pre-commit from PyPI")
    })
}

fn try_repo(dir: &Path, hook: &str, extra_env: &[(&str, String)]) -> (bool, String) {
    let mut cmd = Command::new(pre_commit());
    cmd.args([
        "try-repo",
        repo_root().to_str().unwrap(),
        hook,
        "--all-files",
        "--color",
        "never",
    ])
    .current_dir(dir)
    .env("PATH", path_with_binary())
    .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
    .env("NO_COLOR", "1");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn pre_commit_system_hook_passes_good_and_blocks_bad_manifests() {
    let dir = gitops_repo("pc-system");
    let (ok, text) = try_repo(&dir, "valkey-lint-system", &[]);
    assert!(ok, "good manifests pass: {text}");
    std::fs::copy(
        repo_root().join("testdata/example/valkey-cluster.yaml"),
        dir.join("apps/cache.yaml"),
    )
    .unwrap();
    git(&dir, &["add", "."]);
    let (ok, text) = try_repo(&dir, "valkey-lint-system", &[]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("maxmemory-above-limit") && text.contains("apps/cache.yaml:18:15"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn pre_commit_rust_hook_builds_from_the_repository() {
    let dir = gitops_repo("pc-rust");
    std::fs::copy(
        repo_root().join("testdata/example/valkey-cluster.yaml"),
        dir.join("apps/cache.yaml"),
    )
    .unwrap();
    git(&dir, &["add", "."]);
    // pre-commit builds the hook with `cargo install`; a shared target folder keeps the
    // dependencies compiled across runs.
    let target = repo_root().join("target/pre-commit");
    let (ok, text) = try_repo(
        &dir,
        "valkey-lint",
        &[("CARGO_TARGET_DIR", target.display().to_string())],
    );
    assert!(!ok, "{text}");
    assert!(text.contains("maxmemory-above-limit"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Unusual and hostile input found in review: escapes, multi-line plain scalars, non-ASCII,
//! null fields, huge and negative numbers, operator resources without optional fields. Every
//! format must finish without a panic, an internal error or a rule error; and no password from
//! any of the leak cases may be printed in any format.

mod common;

fn files(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn odd_input_never_panics_or_breaks_rules() {
    for f in files("testdata/robustness") {
        for format in ["human", "json", "sarif", "github", "junit"] {
            let out = common::valkey_lint()
                .args(["check", "--no-config", "--format", format, &f])
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{f} {format}: exit {:?}\n{stderr}\n{stdout}",
                out.status.code()
            );
            assert!(!stderr.contains("panicked"), "{f} {format}: {stderr}");
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                for finding in v["findings"].as_array().unwrap() {
                    let rule = finding["rule"].as_str().unwrap();
                    assert!(
                        rule != "internal-error" && rule != "rule-error",
                        "{f}: {finding}"
                    );
                }
            }
        }
    }
}

#[test]
fn spans_survive_escapes_and_multi_line_scalars() {
    let out = common::valkey_lint()
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--enable",
            "maxmemory-above-limit",
        ])
        .arg("testdata/robustness/32-span-literal-leading-blank.yaml")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    let text =
        std::fs::read_to_string("testdata/robustness/32-span-literal-leading-blank.yaml").unwrap();
    let line = text
        .lines()
        .nth(f["location"]["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    assert!(
        line.trim_start().starts_with("maxmemory"),
        "points at the maxmemory line: {line}"
    );
}

#[test]
fn no_password_is_ever_printed() {
    for f in files("testdata/robustness/leaks") {
        let secret = std::fs::read_to_string(&f).unwrap();
        assert!(
            secret.contains("hunter2"),
            "{f}: the leak cases use the password hunter2"
        );
        for format in ["human", "json", "sarif", "github", "junit"] {
            let out = common::valkey_lint()
                .args(["check", "--no-config", "--format", format, &f])
                .output()
                .unwrap();
            let all = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(
                !all.contains("hunter"),
                "{f} {format} shows the password:\n{all}"
            );
        }
    }
}

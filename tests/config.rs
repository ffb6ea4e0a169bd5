//! `.valkey-lint.yaml`: discovered upward from the working folder, errors with spans into the
//! file and "did you mean", severities, parameters, disabled rules and object excludes.

mod common;

use common::{outcome, rule_ids, valkey_lint};

fn run(args: &[&str], cwd: Option<&std::path::Path>) -> (i32, String, String) {
    let mut c = valkey_lint();
    c.args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    outcome(&mut c)
}

#[test]
fn config_errors_point_into_the_file_with_suggestions() {
    let (code, out, _) = run(
        &[
            "check",
            "--format",
            "json",
            "--config",
            "testdata/config/bad.valkey-lint.yaml",
            "testdata/example",
        ],
        None,
    );
    assert_eq!(code, 2, "config errors are input errors");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<(u64, u64, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "config-error")
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expect = [
        (
            2,
            27,
            "unknown rule id `pdb-mising`",
            "did you mean `pdb-missing`?",
        ),
        (
            3,
            26,
            "unknown category `secruity`",
            "did you mean `security`?",
        ),
        (
            5,
            16,
            "severity `fatal` is not one of error, warning, info",
            "",
        ),
        (
            7,
            27,
            "rule maxmemory-above-limit has no parameter `ratoi`",
            "did you mean `ratio`?",
        ),
        (9, 3, "unknown key `exlude`", "did you mean `exclude`?"),
        (11, 5, "an object exclude needs a `reason`", ""),
    ];
    let expect: Vec<(u64, u64, String, String)> = expect
        .iter()
        .map(|(l, c, m, h)| (*l, *c, m.to_string(), h.to_string()))
        .collect();
    assert_eq!(errors, expect);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "maxmemory-above-limit"),
        "the manifests are still checked"
    );
}

#[test]
fn config_sets_severity_params_disables_and_excludes() {
    let (_, out, _) = run(
        &[
            "check",
            "--format",
            "json",
            "--config",
            "testdata/config/good.valkey-lint.yaml",
            "testdata/example",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let find = |rule: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .cloned()
    };
    assert_eq!(find("pdb-missing").unwrap()["severity"], "error");
    assert!(find("tls-disabled").is_none(), "disabled");
    assert!(
        find("zone-spread-missing").is_none(),
        "excluded for orders-*"
    );
    let m = find("maxmemory-above-limit").unwrap();
    assert!(
        m["message"].as_str().unwrap().contains("at most 80%"),
        "{m}"
    );
}

#[test]
fn config_is_discovered_upward_and_can_be_ignored() {
    let dir = std::env::temp_dir().join(format!("vl-config-{}", std::process::id()));
    let sub = dir.join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        dir.join(".valkey-lint.yaml"),
        "rules:\n  enable: [maxmemory-above-limit]\n",
    )
    .unwrap();
    let example = std::fs::canonicalize("testdata/example/valkey-cluster.yaml").unwrap();
    let example = example.to_str().unwrap();
    let (_, out, _) = run(&["check", "--format", "json", example], Some(&sub));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rule_ids(&v), vec!["maxmemory-above-limit"]);
    let (_, out, _) = run(
        &["check", "--format", "json", "--no-config", example],
        Some(&sub),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["findings"].as_array().unwrap().len() > 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schema_is_valid_json_and_names_every_top_level_key() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schema/valkey-lint.schema.json").unwrap())
            .unwrap();
    let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        vec!["objects", "params", "paths", "rules", "severity"]
    );
}

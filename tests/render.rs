//! Chart and kustomize folders are rendered before checking: with the real Helm SDK (the PyPI
//! package helm-python-sdk, through tests/tools/helm, as no helm binary can be installed here)
//! and the real `kubectl kustomize`.

mod common;

use common::{outcome, rule_ids as rules, valkey_lint};

fn run(args: &[&str], helm: &str) -> (i32, serde_json::Value, String) {
    let (code, stdout, stderr) = outcome(valkey_lint().env("VALKEY_LINT_HELM", helm).args(args));
    let v = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (code, v, stderr + &stdout)
}

const HELM: &str = "tests/tools/helm";
const ONLY: [&str; 4] = [
    "--enable",
    "maxmemory-above-limit",
    "--enable",
    "pdb-missing",
];

#[test]
fn chart_folder_is_rendered_with_values_and_set() {
    let (code, v, all) = run(
        &[
            &["check", "--format", "json", "testdata/charts/valkey-mini"][..],
            &ONLY,
        ]
        .concat(),
        HELM,
    );
    assert_eq!(code, 0, "defaults are fine: {all}");
    assert_eq!(rules(&v), Vec::<&str>::new());
    let (code, v, all) = run(
        &[
            &[
                "check",
                "--format",
                "json",
                "testdata/charts/valkey-mini",
                "-f",
                "testdata/charts/values-tight.yaml",
            ][..],
            &[
                "--set",
                "pdb=false",
                "--release",
                "cart",
                "--namespace",
                "shop",
            ],
            &ONLY,
        ]
        .concat(),
        HELM,
    );
    assert_eq!(code, 1, "{all}");
    assert_eq!(rules(&v), vec!["maxmemory-above-limit", "pdb-missing"]);
    let f = &v["findings"][0];
    assert_eq!(f["template"], "valkey-mini/templates/configmap.yaml");
    assert_eq!(f["object"]["namespace"], "shop");
    assert_eq!(f["object"]["name"], "cart-valkey");
    assert_eq!(
        f["location"]["file"],
        "testdata/charts/valkey-mini (helm template)"
    );
}

#[test]
fn chart_folder_without_helm_is_a_clear_input_error() {
    let (code, v, all) = run(
        &[
            "check",
            "--format",
            "json",
            "testdata/charts/valkey-mini",
            "testdata/example",
        ],
        "/nonexistent/helm",
    );
    assert_eq!(code, 2, "{all}");
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("needs `helm template`") && msg.contains("not on PATH"),
        "{msg}"
    );
    assert!(
        rules(&v).contains(&"maxmemory-above-limit"),
        "the other path is still checked"
    );
}

#[test]
fn kustomize_folder_is_rendered_with_kubectl() {
    let (code, v, all) = run(
        &[
            &["check", "--format", "json", "testdata/kustomize/overlay"][..],
            &ONLY,
        ]
        .concat(),
        HELM,
    );
    assert_eq!(code, 1, "{all}");
    assert_eq!(rules(&v), vec!["pdb-missing", "maxmemory-above-limit"]);
    assert_eq!(v["findings"][1]["object"]["namespace"], "prod");
    assert!(v["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("1000mb"));
}

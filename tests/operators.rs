//! Operator custom resources (valkey-io ValkeyCluster, hyperspike, SAP and chideat Valkey),
//! written from the operators' documented samples: each maps into the same model, with each
//! operator's precedence, and produces exactly these findings.

use std::collections::BTreeSet;

/// (file, rule, object, line, column).
const EXPECTED: &[(&str, &str, &str, u64, u64)] = &[
    // valkey-io: 1000mb of a 1Gi limit; cluster-node-timeout is operator-owned (the base config,
    // written after spec.config, sets 2000); TLS client auth is optional; full coverage and
    // reads-when-down are left to their defaults (the base config sets the validity factor).
    (
        "valkey-io-valkeycluster.yaml",
        "full-coverage-on",
        "sessions",
        8,
        3,
    ),
    (
        "valkey-io-valkeycluster.yaml",
        "reads-when-down-implicit",
        "sessions",
        8,
        3,
    ),
    (
        "valkey-io-valkeycluster.yaml",
        "tls-auth-clients-off",
        "sessions",
        8,
        3,
    ),
    (
        "valkey-io-valkeycluster.yaml",
        "maxmemory-above-limit",
        "sessions",
        25,
        16,
    ),
    (
        "valkey-io-valkeycluster.yaml",
        "operator-overrides-config",
        "sessions",
        27,
        5,
    ),
    // hyperspike: no way to set maxmemory or the cluster directives; its TLS template says
    // `tls-auth-clients no`; the operator's default 192Mi limit counts as a limit.
    (
        "hyperspike-valkey.yaml",
        "full-coverage-on",
        "ratelimit",
        9,
        3,
    ),
    (
        "hyperspike-valkey.yaml",
        "maxmemory-unset",
        "ratelimit",
        9,
        3,
    ),
    (
        "hyperspike-valkey.yaml",
        "reads-when-down-implicit",
        "ratelimit",
        9,
        3,
    ),
    (
        "hyperspike-valkey.yaml",
        "tls-auth-clients-off",
        "ratelimit",
        9,
        3,
    ),
    (
        "hyperspike-valkey.yaml",
        "validity-factor-implicit",
        "ratelimit",
        9,
        3,
    ),
    // SAP: the embedded Bitnami chart sets no maxmemory.
    ("sap-valkey.yaml", "maxmemory-unset", "checkout", 16, 3),
    // chideat: maxmemory comes from the operator (70% of the limit); `port` is dropped silently.
    (
        "chideat-valkey.yaml",
        "reads-when-down-implicit",
        "orders",
        8,
        3,
    ),
    ("chideat-valkey.yaml", "tls-disabled", "orders", 8, 3),
    (
        "chideat-valkey.yaml",
        "validity-factor-implicit",
        "orders",
        8,
        3,
    ),
    (
        "chideat-valkey.yaml",
        "operator-overrides-config",
        "orders",
        18,
        5,
    ),
];

#[test]
fn operator_resources_map_into_the_model() {
    let out = assert_cmd::Command::cargo_bin("valkey-lint")
        .unwrap()
        .args(["check", "--format", "json", "testdata/operators"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: BTreeSet<(String, String, String, u64, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["object"]["name"].as_str().unwrap_or_default().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, u64, u64)> = EXPECTED
        .iter()
        .map(|(f, r, o, l, c)| (f.to_string(), r.to_string(), o.to_string(), *l, *c))
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nunexpected {extra:#?}"
    );
    let overrides: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "operator-overrides-config")
        .collect();
    assert!(overrides[0]["message"]
        .as_str()
        .unwrap()
        .contains("removed from customConfigs by the operator, silently"));
    assert_eq!(v["findings"][3]["object"]["kind"], "Valkey");
}

//! Operator custom resources (valkey-io ValkeyCluster, hyperspike, SAP and chideat Valkey),
//! written from the operators' documented samples: each maps into the same model, with each
//! operator's precedence, and produces exactly these findings.

mod common;

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
    let v = common::check_json(&["testdata/operators"]);
    common::assert_exactly(&v, EXPECTED);
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

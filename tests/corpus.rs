//! The six real renders of the Bitnami valkey, valkey-cluster and redis charts
//! (`../shared/corpus/rendered/`), with the findings determined by reading them against the
//! charts' start scripts and the Bitnami images' conventions. Each expectation names the file,
//! the rule, the workload and the 1-based line and column of the primary span.

use std::collections::BTreeSet;
use std::path::Path;

const CORPUS: &str = "../shared/corpus/rendered";

/// (file, rule, workload, line, column).
const EXPECTED: &[(&str, &str, &str, usize, usize)] = &[
    // Replication, defaults: 192Mi limits from the `nano` preset, no maxmemory, AOF on
    // (`appendonly yes` + `save ""`), no preStop, replicas without zone spread.
    (
        "bitnami-valkey-default.yaml",
        "prestop-save-missing",
        "rel-valkey-primary",
        263,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "maxmemory-unset",
        "rel-valkey-primary",
        322,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "zone-spread-missing",
        "rel-valkey-replicas",
        488,
        5,
    ),
    (
        "bitnami-valkey-default.yaml",
        "prestop-save-missing",
        "rel-valkey-replicas",
        515,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "maxmemory-unset",
        "rel-valkey-replicas",
        587,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "prestop-save-missing",
        "rel-redis-master",
        235,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "maxmemory-unset",
        "rel-redis-master",
        294,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "zone-spread-missing",
        "rel-redis-replicas",
        485,
        5,
    ),
    (
        "bitnami-redis-default.yaml",
        "prestop-save-missing",
        "rel-redis-replicas",
        512,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "maxmemory-unset",
        "rel-redis-replicas",
        584,
        11,
    ),
    // Redis replication tuned: the master's "--maxmemory 900mb" (one argv element) is 87.9% of
    // 1Gi and its preStop runs BGSAVE; the replicas' extraFlags put `--maxmemory 1gb` into the
    // start script in the scripts ConfigMap: 100% of 1Gi, pointed at inside that script.
    (
        "bitnami-redis-replication-prod.yaml",
        "zone-spread-missing",
        "queue-redis-replicas",
        593,
        5,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "prestop-save-missing",
        "queue-redis-replicas",
        620,
        11,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "maxmemory-above-limit",
        "queue-redis-replicas",
        969,
        13,
    ),
    // valkey-cluster defaults: `cluster-enabled yes` without cluster-require-full-coverage (the
    // commented line does not count); the image turns AOF on (VALKEY_AOF_ENABLED defaults to yes).
    (
        "bitnami-valkey-cluster-default.yaml",
        "full-coverage-on",
        "rel-valkey-cluster",
        1583,
        21,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "zone-spread-missing",
        "rel-valkey-cluster",
        2497,
        5,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "prestop-save-missing",
        "rel-valkey-cluster",
        2523,
        11,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "maxmemory-unset",
        "rel-valkey-cluster",
        2603,
        11,
    ),
    // valkey-cluster prod: `maxmemory 3gb` appended through valkey.configmap is exactly the 3Gi
    // limit; full coverage is off, zone spread and PDB (NotIn on an absent label) match.
    (
        "bitnami-valkey-cluster-prod.yaml",
        "maxmemory-above-limit",
        "cart-valkey-cluster",
        2278,
        15,
    ),
    (
        "bitnami-valkey-cluster-prod.yaml",
        "prestop-save-missing",
        "cart-valkey-cluster",
        2614,
        11,
    ),
    // Sentinel prod: 1536mb of 2Gi is fine; the preStop scripts fail over but never save.
    (
        "bitnami-valkey-sentinel-prod.yaml",
        "prestop-save-missing",
        "sessions-valkey-node",
        852,
        11,
    ),
];

#[test]
fn shared_renders_produce_exactly_the_expected_findings() {
    assert!(
        Path::new(CORPUS).is_dir(),
        "{CORPUS} is missing: the tests expect the shared corpus beside the checkout"
    );
    let out = assert_cmd::Command::cargo_bin("valkey-lint")
        .unwrap()
        .args(["check", "--format", "json", CORPUS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: BTreeSet<(String, String, String, u64, u64)> = v["findings"]
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
        .collect();
    let want: BTreeSet<(String, String, String, u64, u64)> = EXPECTED
        .iter()
        .map(|(f, r, w, l, c)| {
            (
                f.to_string(),
                r.to_string(),
                w.to_string(),
                *l as u64,
                *c as u64,
            )
        })
        .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
    assert_eq!(v["summary"]["inputErrors"], 0);
    assert_eq!(v["summary"]["files"], 6);
}

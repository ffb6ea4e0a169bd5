//! The six real renders of the Bitnami valkey, valkey-cluster and redis charts
//! (`../shared/corpus/rendered/`), with the findings determined by reading them against the
//! charts' start scripts and the Bitnami images' conventions. Each expectation names the file,
//! the rule, the workload and the 1-based line and column of the primary span.

mod common;

use std::path::Path;

const CORPUS: &str = "../shared/corpus/rendered";

/// (file, rule, workload, line, column).
const EXPECTED: &[(&str, &str, &str, u64, u64)] = &[
    // Replication, defaults: 192Mi limits from the `nano` preset, no maxmemory, AOF on (`appendonly
    // yes` + `save ""`), no preStop, 30 s grace, replicas without zone spread, replica liveness
    // pings the primary, FLUSHDB/FLUSHALL renamed away, no TLS.
    (
        "bitnami-valkey-default.yaml",
        "rename-command-used",
        "rel-valkey-primary",
        29,
        20,
    ),
    (
        "bitnami-valkey-default.yaml",
        "rename-command-used",
        "rel-valkey-replicas",
        35,
        20,
    ),
    (
        "bitnami-valkey-default.yaml",
        "grace-period-too-short",
        "rel-valkey-primary",
        261,
        7,
    ),
    (
        "bitnami-valkey-default.yaml",
        "prestop-save-missing",
        "rel-valkey-primary",
        263,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "tls-disabled",
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
        "grace-period-too-short",
        "rel-valkey-replicas",
        513,
        7,
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
        "tls-disabled",
        "rel-valkey-replicas",
        515,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "liveness-remote-dependency",
        "rel-valkey-replicas",
        565,
        11,
    ),
    (
        "bitnami-valkey-default.yaml",
        "maxmemory-unset",
        "rel-valkey-replicas",
        587,
        11,
    ),
    // The same chart shape for Redis.
    (
        "bitnami-redis-default.yaml",
        "rename-command-used",
        "rel-redis-master",
        28,
        20,
    ),
    (
        "bitnami-redis-default.yaml",
        "rename-command-used",
        "rel-redis-replicas",
        34,
        20,
    ),
    (
        "bitnami-redis-default.yaml",
        "grace-period-too-short",
        "rel-redis-master",
        233,
        7,
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
        "tls-disabled",
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
        "grace-period-too-short",
        "rel-redis-replicas",
        510,
        7,
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
        "tls-disabled",
        "rel-redis-replicas",
        512,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "liveness-remote-dependency",
        "rel-redis-replicas",
        562,
        11,
    ),
    (
        "bitnami-redis-default.yaml",
        "maxmemory-unset",
        "rel-redis-replicas",
        584,
        11,
    ),
    // Redis replication tuned: the master's "--maxmemory 900mb" (one argv element) is 87.9% of 1Gi,
    // its preStop runs BGSAVE and its grace period is 60 s; the replicas' extraFlags put
    // `--maxmemory 1gb` into the start script in the scripts ConfigMap: 100% of 1Gi.
    (
        "bitnami-redis-replication-prod.yaml",
        "rename-command-used",
        "queue-redis-master",
        27,
        20,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "rename-command-used",
        "queue-redis-replicas",
        33,
        20,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "tls-disabled",
        "queue-redis-master",
        236,
        11,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "grace-period-too-short",
        "queue-redis-replicas",
        618,
        7,
    ),
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
        "tls-disabled",
        "queue-redis-replicas",
        620,
        11,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "liveness-remote-dependency",
        "queue-redis-replicas",
        670,
        11,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "maxmemory-above-limit",
        "queue-redis-replicas",
        969,
        13,
    ),
    // valkey-cluster defaults: `cluster-enabled yes` with full coverage, reads-when-down and the
    // validity factor left at their defaults; the image turns AOF on (VALKEY_AOF_ENABLED), which
    // silently overrides the file's `appendonly no`.
    (
        "bitnami-valkey-cluster-default.yaml",
        "tls-disabled",
        "rel-valkey-cluster",
        155,
        10,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "directive-overridden",
        "rel-valkey-cluster",
        1389,
        16,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "full-coverage-on",
        "rel-valkey-cluster",
        1583,
        21,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "reads-when-down-implicit",
        "rel-valkey-cluster",
        1583,
        21,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "validity-factor-implicit",
        "rel-valkey-cluster",
        1583,
        21,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "grace-period-too-short",
        "rel-valkey-cluster",
        2497,
        5,
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
    // limit; TLS on the client port makes the image set `port 0` over the file's `port 6379`;
    // full coverage off, zone spread, PDB (NotIn on an absent label) and NetworkPolicy match.
    (
        "bitnami-valkey-cluster-prod.yaml",
        "directive-overridden",
        "cart-valkey-cluster",
        155,
        10,
    ),
    (
        "bitnami-valkey-cluster-prod.yaml",
        "directive-overridden",
        "cart-valkey-cluster",
        1389,
        16,
    ),
    (
        "bitnami-valkey-cluster-prod.yaml",
        "maxmemory-above-limit",
        "cart-valkey-cluster",
        2278,
        15,
    ),
    // The NetworkPolicy admits the exporter port 9121 only from pods of prod-cache.
    (
        "bitnami-valkey-cluster-prod.yaml",
        "metrics-port-blocked",
        "cart-valkey-cluster",
        2382,
        3,
    ),
    (
        "bitnami-valkey-cluster-prod.yaml",
        "grace-period-too-short",
        "cart-valkey-cluster",
        2580,
        5,
    ),
    (
        "bitnami-valkey-cluster-prod.yaml",
        "prestop-save-missing",
        "cart-valkey-cluster",
        2614,
        11,
    ),
    // Sentinel prod: 1536mb of 2Gi is fine; the preStop scripts fail over but never save; the
    // chart takes the grace period from sentinel.terminationGracePeriodSeconds (30 s here);
    // VALKEY_TLS_AUTH_CLIENTS=no.
    (
        "bitnami-valkey-sentinel-prod.yaml",
        "rename-command-used",
        "sessions-valkey-node",
        35,
        20,
    ),
    (
        "bitnami-valkey-sentinel-prod.yaml",
        "grace-period-too-short",
        "sessions-valkey-node",
        847,
        7,
    ),
    (
        "bitnami-valkey-sentinel-prod.yaml",
        "prestop-save-missing",
        "sessions-valkey-node",
        852,
        11,
    ),
    (
        "bitnami-valkey-sentinel-prod.yaml",
        "tls-auth-clients-off",
        "sessions-valkey-node",
        891,
        15,
    ),
    // Chart-generated password Secrets without `helm.sh/resource-policy: keep` (the prod renders
    // use existingSecret); the Redis master's preStop `redis-cli BGSAVE && sleep 15` never checks
    // the reply.
    (
        "bitnami-valkey-default.yaml",
        "generated-secret-not-kept",
        "rel-valkey",
        801,
        1,
    ),
    (
        "bitnami-redis-default.yaml",
        "generated-secret-not-kept",
        "rel-redis",
        801,
        1,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "generated-secret-not-kept",
        "queue-redis",
        975,
        1,
    ),
    (
        "bitnami-redis-replication-prod.yaml",
        "cli-probe-ignores-errors",
        "queue-redis-master",
        242,
        17,
    ),
    (
        "bitnami-valkey-cluster-default.yaml",
        "generated-secret-not-kept",
        "rel-valkey-cluster",
        2434,
        1,
    ),
];

#[test]
fn shared_renders_produce_exactly_the_expected_findings() {
    assert!(
        Path::new(CORPUS).is_dir(),
        "{CORPUS} is missing: the tests expect the shared corpus beside the checkout"
    );
    let report = common::check_json(&[CORPUS]);
    common::assert_exactly(&report, EXPECTED);
    assert_eq!(report["summary"]["inputErrors"], 0);
    assert_eq!(report["summary"]["files"], 6);
}

#[test]
fn parsing_again_in_the_second_pass_finds_the_same() {
    // Small inputs keep their trees between the passes; large ones (over the tree budget) parse
    // the documents again. Both paths must report the same findings at the same places.
    let inputs = [CORPUS, "testdata"];
    let kept = common::check_json(&inputs);
    let out = common::valkey_lint()
        .args(["check", "--format", "json"])
        .args(inputs)
        .env("VALKEY_LINT_TREE_BUDGET", "0")
        .output()
        .unwrap();
    let parsed_again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(kept["findings"].as_array().unwrap().len() > 100);
    assert_eq!(kept, parsed_again);
}

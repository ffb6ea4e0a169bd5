//! Operator custom resources in, the same Valkey model out: a ValkeyCluster of valkey-io's
//! operator, a hyperspike `Valkey`, a SAP `Valkey` or a chideat `Valkey`/`Cluster`/`Failover`
//! becomes one workload whose "container" is the resource's `spec` (so `container.resources` is
//! `spec.resources`), whose replica count is shards × (1 + replicas per shard), and whose
//! effective configuration follows each operator's own precedence: valkey-io writes the user's
//! `spec.config` first and its base config last (base wins), chideat silently drops a list of
//! keys from `spec.customConfigs`, hyperspike and SAP render a fixed configuration. Settings a
//! user wrote that the operator overrides or drops are kept as `overrides`, so a rule can say
//! that the manifest does not mean what it says. Objects the operator creates itself (pods,
//! PDBs, probes, hooks) are not in the input: those facts stay unknown.

use super::conf::{self, Known};
use super::model::{ConfError, EffectiveConfig, Mode, Role, ServerContainer, Setting, Workload};
use crate::k8s::{Entry, Labels};
use crate::yaml::{Node, Span, Style, Value};
use std::sync::Arc;

/// The operators whose resources are understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// valkey-io/valkey-operator (`valkey.io/v1alpha1` ValkeyCluster).
    ValkeyIo,
    /// hyperspike/valkey-operator (`hyperspike.io/v1` Valkey).
    Hyperspike,
    /// SAP/valkey-operator (`cache.cs.sap.com/v1alpha1` Valkey).
    Sap,
    /// chideat/valkey-operator (`rds.valkey.buf.red/v1alpha1` Valkey, `valkey.buf.red/v1alpha1`
    /// Cluster and Failover).
    Chideat,
}

impl Operator {
    /// The name rules see as `workload.operator`.
    pub fn name(self) -> &'static str {
        match self {
            Operator::ValkeyIo => "valkey-io/valkey-operator",
            Operator::Hyperspike => "hyperspike/valkey-operator",
            Operator::Sap => "SAP/valkey-operator",
            Operator::Chideat => "chideat/valkey-operator",
        }
    }
}

/// Which operator an object belongs to, by API group and kind.
pub fn detect(entry: &Entry) -> Option<Operator> {
    let group = entry.api_version.split('/').next().unwrap_or_default();
    match (group, entry.kind.as_str()) {
        ("valkey.io", "ValkeyCluster") => Some(Operator::ValkeyIo),
        ("hyperspike.io", "Valkey") => Some(Operator::Hyperspike),
        ("cache.cs.sap.com", "Valkey") => Some(Operator::Sap),
        ("rds.valkey.buf.red", "Valkey") | ("valkey.buf.red", "Cluster" | "Failover") => {
            Some(Operator::Chideat)
        }
        _ => None,
    }
}

/// valkey-io's operator-owned keys: rejected in `spec.config` by the newest CRD schema, and
/// overridden by the base config written last in older releases.
const VALKEY_IO_RESERVED: &[&str] = &[
    "aclfile",
    "cluster-allow-replica-migration",
    "cluster-config-file",
    "cluster-enabled",
    "cluster-node-timeout",
    "cluster-replica-validity-factor",
    "dir",
    "port",
    "protected-mode",
    "shutdown-on-sigterm",
    "tls-auth-clients",
    "tls-ca-cert-file",
    "tls-cert-file",
    "tls-cluster",
    "tls-key-file",
    "tls-port",
    "tls-replication",
];

/// Keys chideat's operator removes from `spec.customConfigs` without a word.
const CHIDEAT_DROPPED: &[&str] = &[
    "include",
    "loadmodule",
    "bind",
    "protected-mode",
    "port",
    "tls-port",
    "tls-cert-file",
    "tls-key-file",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    "unixsocket",
    "unixsocketperm",
    "daemonize",
    "supervised",
    "pidfile",
    "logfile",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "always-show-logo",
    "dbfilename",
    "appendfilename",
    "dir",
    "slaveof",
    "replicaof",
    "gopher-enabled",
    "aclfile",
    "requirepass",
    "masterauth",
    "masteruser",
    "slave-announce-ip",
    "replica-announce-ip",
    "slave-announce-port",
    "replica-announce-port",
    "cluster-enabled",
    "cluster-config-file",
    "rename-command",
];

/// A user setting the operator overrides or drops.
#[derive(Debug, Clone)]
pub struct Override {
    /// The directive.
    pub directive: String,
    /// What the user wrote (never a sensitive value).
    pub value: String,
    /// Where.
    pub span: Span,
    /// What the operator does with it.
    pub outcome: String,
}

fn int(n: Option<&Node>, default: i64) -> i64 {
    n.and_then(Node::as_i64).unwrap_or(default)
}

fn base(config: &mut EffectiveConfig, op: Operator, name: &str, value: &str) {
    config.settings.push(Setting {
        name: name.to_string(),
        args: conf::split_args(value)
            .map(|t| t.into_iter().map(|t| t.text).collect())
            .unwrap_or_default(),
        span: None,
        origin: format!("{} (operator-managed)", op.name()),
        literal: true,
    });
}

fn secret(config: &mut EffectiveConfig, op: Operator, name: &str, why: &str) {
    config.settings.push(Setting {
        name: name.to_string(),
        args: vec![format!("${{{why}}}")],
        span: None,
        origin: format!("{} ({why})", op.name()),
        literal: false,
    });
}

/// Reads a `map[string]string` of directives (the user's config) into settings, validating each
/// like a valkey.conf line; `dropped(key)` names keys the operator removes or overrides.
fn user_config(
    map: Option<&Node>,
    field: &str,
    config: &mut EffectiveConfig,
    overrides: &mut Vec<Override>,
    dropped: &dyn Fn(&str) -> Option<String>,
) {
    for (k, v) in map.map_or(&[][..], Node::entries) {
        let Some(key) = k.as_str() else { continue };
        let value = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| match &v.value {
                Value::Null => String::new(),
                _ => "?".into(),
            });
        let name = conf::canonical(key);
        if let Some(outcome) = dropped(&name) {
            let sensitive = super::directives::lookup(&name).is_some_and(|d| d.sensitive);
            overrides.push(Override {
                directive: key.to_string(),
                value: if sensitive {
                    "<redacted>".into()
                } else {
                    value.clone()
                },
                span: k.span,
                outcome,
            });
            continue;
        }
        let args: Vec<String> = match conf::split_args(&value) {
            Ok(t) if !t.is_empty() => t.into_iter().map(|t| t.text).collect(),
            Ok(_) => vec![String::new()],
            Err(_) => vec![value.clone()],
        };
        let mut all: Vec<&str> = vec![key];
        all.extend(args.iter().map(String::as_str));
        let origin = format!("{field}.{key}");
        let span = if matches!(v.value, Value::Scalar(_, Style::Plain | Style::Quoted)) {
            v.span
        } else {
            k.span
        };
        match conf::check(&all, false) {
            Ok(Known::Ignored) => {}
            Ok(_) => config.settings.push(Setting {
                name,
                args,
                span: Some(span),
                origin,
                literal: !value.contains("$("),
            }),
            Err(p) => config.errors.push(ConfError {
                directive: key.to_string(),
                message: p.message,
                hint: p.hint,
                span: Some(span),
                origin,
            }),
        }
    }
}

/// Server arguments from a list field (SAP's `spec.extraFlags`), read as the server reads its
/// command line: an item may hold a whole option (`"--maxmemory 900mb"`) or one word of it.
/// A value from the pod's environment (`$(VAR)`) is unknown; `--include` names a file the
/// operator's pods hold, which is not in the input.
fn extra_flags(flags: &Node, config: &mut EffectiveConfig) {
    const FIELD: &str = "spec.extraFlags";
    let mut flat = Vec::new();
    for item in flags.items() {
        let Some(text) = item.as_str() else {
            config.push_unknown(format!("{FIELD} holds an item that is not a string"));
            return;
        };
        let word = super::script::Word {
            text: text.to_string(),
            literal: !text.contains("$("),
            span: Some(item.span),
            range: (0, 0),
        };
        // Tokens of an item whose text is not its source (quoted) point at the whole item.
        flat.extend(
            super::model::flatten_options(std::slice::from_ref(&word))
                .into_iter()
                .map(|w| super::script::Word {
                    span: w.span.or(Some(item.span)),
                    ..w
                }),
        );
    }
    for option in super::model::options(&flat, FIELD, |w| w.span) {
        if option.name.eq_ignore_ascii_case("include") {
            config.push_unknown(format!("{FIELD} includes a file that is not in the input"));
        } else {
            super::model::record_option(option, config);
        }
    }
}

/// Builds the model of an operator resource.
pub fn build(entry: &Entry, doc: Arc<Node>, op: Operator) -> Option<Workload> {
    let spec = doc.get("spec")?;
    let mut config = EffectiveConfig::default();
    let mut overrides = Vec::new();
    let mut cluster_replicas = None;
    let (replicas, mode, data_dir);
    match op {
        Operator::ValkeyIo => {
            let shards = int(spec.get("shards"), 1);
            let per_shard = int(spec.get("replicas"), 0);
            cluster_replicas = Some(per_shard);
            replicas = shards
                .max(0)
                .saturating_mul(per_shard.max(0).saturating_add(1));
            mode = Mode::Cluster;
            let field = if spec.get("config").is_some() {
                "spec.config"
            } else {
                "spec.valkeyConfig"
            };
            user_config(
                spec.get("config").or_else(|| spec.get("valkeyConfig")),
                field,
                &mut config,
                &mut overrides,
                &|k| {
                    VALKEY_IO_RESERVED.contains(&k).then(|| {
                    "is owned by the operator: rejected by the current CRD, and overridden by the base config the operator writes after the user's in older releases".to_string()
                })
                },
            );
            base(&mut config, op, "cluster-enabled", "yes");
            base(&mut config, op, "protected-mode", "no");
            base(&mut config, op, "cluster-node-timeout", "2000");
            base(&mut config, op, "cluster-allow-replica-migration", "no");
            base(&mut config, op, "cluster-replica-validity-factor", "0");
            base(&mut config, op, "shutdown-on-sigterm", "failover");
            base(&mut config, op, "aclfile", "/config/users/users.acl");
            let persistent = spec.get("persistence").is_some();
            if persistent {
                base(&mut config, op, "dir", "/data");
            }
            data_dir = Some((
                "/data".to_string(),
                if persistent {
                    "persistentVolumeClaim"
                } else {
                    "emptyDir"
                }
                .to_string(),
            ));
            let tls = spec
                .path(&["networking", "tls"])
                .or_else(|| spec.get("tls"));
            if tls.is_some() {
                base(&mut config, op, "port", "0");
                base(&mut config, op, "tls-port", "6379");
                base(&mut config, op, "tls-cluster", "yes");
                base(&mut config, op, "tls-replication", "yes");
                for (k, f) in [
                    ("tls-cert-file", "tls.crt"),
                    ("tls-key-file", "tls.key"),
                    ("tls-ca-cert-file", "ca.crt"),
                ] {
                    base(&mut config, op, k, &format!("/tls/{f}"));
                }
                let mode = tls
                    .and_then(|t| t.path(&["clientAuth", "mode"]))
                    .and_then(Node::as_str)
                    .unwrap_or("Optional");
                let value = match mode {
                    "Required" => "yes",
                    "Disabled" => "no",
                    _ => "optional",
                };
                base(&mut config, op, "tls-auth-clients", value);
            }
        }
        Operator::Hyperspike => {
            let shards = int(spec.get("shards").or_else(|| spec.get("nodes")), 3);
            let per_shard = int(spec.get("replicas"), 0);
            cluster_replicas = Some(per_shard);
            replicas = shards
                .max(0)
                .saturating_mul(per_shard.max(0).saturating_add(1));
            mode = Mode::Cluster;
            for (k, v) in [
                ("bind", "* -::*"),
                ("protected-mode", "yes"),
                ("save", "900 1 300 10 60 10000"),
                ("appendonly", "no"),
                ("dir", "/data"),
                ("cluster-enabled", "yes"),
                ("cluster-config-file", "/data/nodes.conf"),
            ] {
                base(&mut config, op, k, v);
            }
            if spec.get("tls").and_then(Node::as_bool) == Some(true) {
                for (k, v) in [
                    ("port", "0"),
                    ("tls-port", "6379"),
                    ("tls-auth-clients", "no"),
                    ("tls-cluster", "yes"),
                    ("tls-replication", "yes"),
                    // cert-manager's Secret, mounted by the operator.
                    ("tls-cert-file", "/etc/valkey/certs/tls.crt"),
                    ("tls-key-file", "/etc/valkey/certs/tls.key"),
                    ("tls-ca-cert-file", "/etc/valkey/certs/ca.crt"),
                ] {
                    base(&mut config, op, k, v);
                }
            }
            // The server starts with `--requirepass $(VALKEY_PASSWORD)` unless anonymousAuth.
            if spec.get("anonymousAuth").and_then(Node::as_bool) == Some(true) {
                base(&mut config, op, "protected-mode", "no");
            } else {
                secret(&mut config, op, "requirepass", "generated password Secret");
                secret(&mut config, op, "primaryauth", "generated password Secret");
            }
            data_dir = Some(("/data".into(), "persistentVolumeClaim".into()));
        }
        Operator::Sap => {
            replicas = int(spec.get("replicas"), 1);
            let sentinel =
                spec.path(&["sentinel", "enabled"]).and_then(Node::as_bool) == Some(true);
            mode = if sentinel {
                Mode::Sentinel
            } else if replicas > 1 {
                Mode::Replication
            } else {
                Mode::Standalone
            };
            // The embedded Bitnami chart: AOF with persistence, a generated password.
            let persistent = spec
                .path(&["persistence", "enabled"])
                .and_then(Node::as_bool)
                == Some(true);
            base(
                &mut config,
                op,
                "appendonly",
                if persistent { "yes" } else { "no" },
            );
            base(&mut config, op, "save", "");
            secret(&mut config, op, "requirepass", "binding Secret");
            secret(&mut config, op, "primaryauth", "binding Secret");
            if spec.path(&["tls", "enabled"]).and_then(Node::as_bool) == Some(true) {
                base(&mut config, op, "port", "0");
                base(&mut config, op, "tls-port", "6379");
                base(&mut config, op, "tls-replication", "yes");
                // The chart mounts the operator's (or cert-manager's) certificate Secret.
                for (k, f) in [
                    ("tls-cert-file", "tls.crt"),
                    ("tls-key-file", "tls.key"),
                    ("tls-ca-cert-file", "ca.crt"),
                ] {
                    base(
                        &mut config,
                        op,
                        k,
                        &format!("/opt/bitnami/valkey/certs/{f}"),
                    );
                }
            }
            // `spec.extraFlags`: arguments the chart's start script passes after its own, so
            // they win over everything above.
            if let Some(flags) = spec.get("extraFlags") {
                extra_flags(flags, &mut config);
            }
            data_dir = Some((
                "/data".into(),
                if persistent {
                    "persistentVolumeClaim"
                } else {
                    "emptyDir"
                }
                .into(),
            ));
        }
        Operator::Chideat => {
            let arch =
                spec.get("arch")
                    .and_then(Node::as_str)
                    .unwrap_or(match entry.kind.as_str() {
                        "Cluster" => "cluster",
                        "Failover" => "failover",
                        _ => "replica",
                    });
            let r = spec.get("replicas");
            if arch == "cluster" {
                let shards = int(
                    r.and_then(|r| r.get("shards"))
                        .or_else(|| spec.get("masterSize")),
                    3,
                );
                let per_shard = int(r.and_then(|r| r.get("replicasOfShard")), 1);
                cluster_replicas = Some(per_shard);
                replicas = shards
                    .max(0)
                    .saturating_mul(per_shard.max(0).saturating_add(1));
                mode = Mode::Cluster;
                base(&mut config, op, "cluster-enabled", "yes");
            } else {
                replicas = r
                    .and_then(|r| {
                        r.get("replicasOfShard")
                            .and_then(Node::as_i64)
                            .map(|n| n + 1)
                            .or_else(|| r.as_i64())
                    })
                    .unwrap_or(1);
                mode = if arch == "failover" {
                    Mode::Sentinel
                } else {
                    Mode::Replication
                };
            }
            user_config(
                spec.get("customConfigs"),
                "spec.customConfigs",
                &mut config,
                &mut overrides,
                &|k| {
                    CHIDEAT_DROPPED.contains(&k).then(|| {
                        "is removed from customConfigs by the operator, silently".to_string()
                    })
                },
            );
            if arch == "cluster" {
                base(&mut config, op, "cluster-allow-replica-migration", "no");
                base(&mut config, op, "cluster-migration-barrier", "10");
            }
            secret(&mut config, op, "requirepass", "default password Secret");
            secret(&mut config, op, "primaryauth", "default password Secret");
            // Without maxmemory the operator sets 70% of the memory limit (80% with noeviction).
            if config.get("maxmemory").is_none() {
                let limit = spec
                    .path(&["resources", "limits", "memory"])
                    .and_then(Node::as_str)
                    .and_then(crate::units::parse_quantity);
                if let Some(limit) = limit {
                    let noeviction = config
                        .get("maxmemory-policy")
                        .is_some_and(|p| p.value().eq_ignore_ascii_case("noeviction"));
                    let pct = if noeviction { 80 } else { 70 };
                    base(
                        &mut config,
                        op,
                        "maxmemory",
                        &format!("{}", limit / 100 * pct),
                    );
                }
            }
            data_dir = None;
        }
    }
    let server = ServerContainer {
        index: 0,
        name: entry.kind.to_lowercase(),
        image: spec
            .get("image")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        role: Role::Server,
        argv: Vec::new(),
        config,
        prestop: Vec::new(),
        // The operator writes the pods: hooks and probes are not in the input.
        prestop_known: false,
        probes: vec![
            (Vec::new(), false),
            (Vec::new(), false),
            (Vec::new(), false),
        ],
        data_dir,
        cluster_replicas,
    };
    Some(Workload {
        entry: entry.clone(),
        doc: doc.clone(),
        pod_labels: Labels::new(),
        replicas,
        containers: vec![server],
        mode,
        pdbs: Vec::new(),
        services: Vec::new(),
        network_policies: Vec::new(),
        claims: Vec::new(),
        config_objects: Vec::new(),
        operator: Some((op, overrides)),
        sentinel_quorum: None,
    })
}

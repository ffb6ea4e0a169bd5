//! A workload document plus the index in, the Valkey deployment model out: the server
//! containers of the workload, each with its effective configuration (every directive with the
//! place that set it), and the objects related to the pods (PDBs, Services, NetworkPolicies,
//! ServiceMonitors).
//!
//! Configuration is resolved in server order: the config file named on the command line (found
//! through the container's volumeMounts in a ConfigMap), then `--directive value` options, where
//! `--include FILE` expands in place; start scripts of the Bitnami charts and the Bitnami image
//! conventions (`VALKEY_AOF_ENABLED`, `VALKEY_EXTRA_FLAGS`, TLS env…) are followed. Last value
//! wins. Anything that cannot be resolved makes the configuration *unknown*, and rules do not
//! report on unknown configuration.

use super::conf::{self, Known};
use super::script::{self, Env, Word};
use crate::k8s::{pod_template, string_map, Entry, Labels, Selector};
use crate::source::Files;
use crate::yaml::{parse_document_transient, Node, Span};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One occurrence of a directive in the effective configuration.
#[derive(Debug, Clone)]
pub struct Setting {
    /// Canonical directive name (aliases resolved).
    pub name: String,
    /// The arguments after the name.
    pub args: Vec<String>,
    /// The value token(s) in a file, when they can be pointed at.
    pub span: Option<Span>,
    /// Where it came from, for people.
    pub origin: String,
    /// False when a value holds a variable resolved only at run time (e.g. a password).
    pub literal: bool,
}

impl Setting {
    /// The value as one string (arguments joined by a space).
    pub fn value(&self) -> String {
        self.args.join(" ")
    }
}

/// A line valkey-server would refuse at start-up.
#[derive(Debug, Clone)]
pub struct ConfError {
    /// The directive as written.
    pub directive: String,
    /// The server's reason.
    pub message: String,
    /// A fix, when there is an obvious one.
    pub hint: Option<String>,
    /// The offending token or line.
    pub span: Option<Span>,
    /// Where it came from.
    pub origin: String,
}

/// The configuration a server container starts with.
#[derive(Debug, Clone, Default)]
pub struct EffectiveConfig {
    /// Every directive occurrence in the order the server reads them.
    pub settings: Vec<Setting>,
    /// Lines the server would refuse.
    pub errors: Vec<ConfError>,
    /// Why part of the configuration cannot be known here; empty when fully resolved.
    pub unknown: Vec<String>,
    /// Directives set only under run-time conditions (e.g. `--replicaof` on replicas).
    pub conditional: Vec<String>,
}

impl EffectiveConfig {
    /// The winning occurrence of a directive.
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.name == name)
    }

    /// All occurrences of a directive.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Setting> + 'a {
        self.settings.iter().filter(move |s| s.name == name)
    }

    /// Effective save points: `save` lines accumulate, `save ""` clears; the default applies
    /// when there is no `save` line at all.
    pub fn save_points(&self) -> Vec<(i64, i64)> {
        let mut points: Option<Vec<(i64, i64)>> = None;
        for s in self.all("save") {
            let flat: Vec<&str> = s.args.iter().flat_map(|a| a.split(' ')).collect();
            let p = points.get_or_insert_with(Vec::new);
            if flat.iter().all(|a| a.is_empty()) {
                p.clear();
                continue;
            }
            for pair in flat.chunks(2) {
                if let [a, b] = pair {
                    if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                        p.push((a, b));
                    }
                }
            }
        }
        points.unwrap_or_else(|| vec![(3600, 1), (300, 100), (60, 10000)])
    }

    /// Records why part of the configuration is unknown, once.
    pub(crate) fn push_unknown(&mut self, why: String) {
        if !self.unknown.contains(&why) {
            self.unknown.push(why);
        }
    }
}

/// What a container does in the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// valkey-server / redis-server.
    Server,
    /// Sentinel.
    Sentinel,
}

/// A container that runs valkey-server (or Sentinel).
#[derive(Debug, Clone)]
pub struct ServerContainer {
    /// Index in the pod spec's `containers`.
    pub index: usize,
    /// `name`.
    pub name: String,
    /// `image`.
    pub image: String,
    /// Server or Sentinel.
    pub role: Role,
    /// The server command line as far as it is known.
    pub argv: Vec<String>,
    /// The effective configuration.
    pub config: EffectiveConfig,
    /// Text of the preStop command, with the scripts it runs from ConfigMaps appended.
    pub prestop: Vec<String>,
    /// Whether the preStop hook could be followed completely.
    pub prestop_known: bool,
    /// Liveness, readiness and startup exec probes: command and script texts, and whether known.
    pub probes: Vec<(Vec<String>, bool)>,
    /// Replicas per primary in cluster mode, when the manifests say (Bitnami
    /// `*_CLUSTER_REPLICAS`, `valkey-cli --cluster create --cluster-replicas N`).
    pub cluster_replicas: Option<i64>,
    /// Where `dir` lives: (path, volume kind) where the kind is `persistentVolumeClaim`,
    /// `emptyDir`, `hostPath`, `container` (no volume: the container's own filesystem) or
    /// another volume source name; `None` when `dir` is only known at run time.
    pub data_dir: Option<(String, String)>,
}

/// Replicas per shard from the Bitnami cluster env var or a `--cluster-replicas` argument.
fn cluster_replicas(env: &Env, cmd: &[String]) -> Option<i64> {
    for k in ["VALKEY_CLUSTER_REPLICAS", "REDIS_CLUSTER_REPLICAS"] {
        if let Some(n) = env.get(k).and_then(|v| v.trim().parse().ok()) {
            return Some(n);
        }
    }
    let text = cmd.join(" ");
    for pat in [
        "VALKEY_CLUSTER_REPLICAS=",
        "REDIS_CLUSTER_REPLICAS=",
        "--cluster-replicas ",
    ] {
        if let Some(pos) = text.find(pat) {
            let rest = text[pos + pat.len()..].trim_start_matches(['"', '\'']);
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
    }
    None
}

/// The working directory of the known images, which is `dir` when the config does not set it.
fn image_workdir(image: &str) -> Option<&'static str> {
    let repo = image.split([':', '@']).next().unwrap_or(image);
    if repo.contains("bitnami/valkey") {
        Some("/bitnami/valkey/data")
    } else if repo.contains("bitnami/redis") {
        Some("/bitnami/redis/data")
    } else if is_plain_server_image(image) {
        Some("/data")
    } else {
        None
    }
}

fn role_data_dir(
    config: &EffectiveConfig,
    image: &str,
    c: &Node,
    spec: &Node,
) -> Option<(String, String)> {
    let dir = match config.get("dir") {
        Some(s) if s.literal => s.value(),
        Some(_) => return None,
        None => image_workdir(image)?.to_string(),
    };
    let dir = normalize(&dir);
    let mount = c
        .get("volumeMounts")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|m| {
            Some((
                normalize(m.get("mountPath")?.as_str()?),
                m.get("name")?.as_str()?,
            ))
        })
        .filter(|(p, _)| dir == *p || dir.starts_with(&format!("{p}/")) || p == "/")
        .max_by_key(|(p, _)| p.len());
    let Some((_, vname)) = mount else {
        return Some((dir, "container".into()));
    };
    let volume = spec
        .get("volumes")
        .map_or(&[][..], Node::items)
        .iter()
        .find(|v| v.get("name").and_then(Node::as_str) == Some(vname));
    let kind = match volume {
        // Not a pod volume: a StatefulSet volumeClaimTemplate of that name.
        None => "persistentVolumeClaim".to_string(),
        Some(v) => v
            .entries()
            .iter()
            .filter_map(|(k, _)| k.as_str())
            .find(|k| *k != "name")
            .map(|k| {
                if k == "ephemeral" {
                    "persistentVolumeClaim"
                } else {
                    k
                }
            })
            .unwrap_or("unknown")
            .to_string(),
    };
    Some((dir, kind))
}

/// An object related to the workload's pods.
#[derive(Debug, Clone)]
pub struct Related {
    /// The index entry.
    pub entry: Entry,
    /// Its parsed document.
    pub doc: Arc<Node>,
}

/// Deployment mode of a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One server, no replication.
    Standalone,
    /// Primary and replicas.
    Replication,
    /// Replication managed by Sentinel.
    Sentinel,
    /// Valkey Cluster.
    Cluster,
}

impl Mode {
    /// Lower-case name used in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standalone => "standalone",
            Mode::Replication => "replication",
            Mode::Sentinel => "sentinel",
            Mode::Cluster => "cluster",
        }
    }
}

/// A workload whose pods run valkey-server.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Its index entry.
    pub entry: Entry,
    /// Its document.
    pub doc: Arc<Node>,
    /// Pod template labels.
    pub pod_labels: Labels,
    /// `spec.replicas` (1 when unset; 1 for a Pod).
    pub replicas: i64,
    /// The server and Sentinel containers.
    pub containers: Vec<ServerContainer>,
    /// Deployment mode.
    pub mode: Mode,
    /// PodDisruptionBudgets selecting the pods.
    pub pdbs: Vec<Related>,
    /// Services selecting the pods.
    pub services: Vec<Entry>,
    /// NetworkPolicies selecting the pods.
    pub network_policies: Vec<Related>,
    /// PersistentVolumeClaims the pod mounts by name (`persistentVolumeClaim.claimName`).
    pub claims: Vec<Related>,
    /// Objects named by the configuration (ConfigMaps, Secrets) that findings may point into.
    pub config_objects: Vec<Related>,
    /// For an operator's custom resource: the operator, and the user settings it overrides or
    /// drops. Its `spec` stands for the pod spec and the server container.
    pub operator: Option<(super::operator::Operator, Vec<super::operator::Override>)>,
    /// With Sentinel containers: the quorum of the `sentinel monitor` line of a mounted
    /// sentinel.conf, and where it is written.
    pub sentinel_quorum: Option<(i64, Option<Span>)>,
}

impl Workload {
    /// The pod spec node.
    pub fn pod_spec(&self) -> Option<&Node> {
        if self.operator.is_some() {
            return self.doc.get("spec");
        }
        pod_template(&self.doc).map(|(_, s)| s)
    }

    /// The node of a container (an operator resource's `spec`).
    pub fn container_node(&self, index: usize) -> Option<&Node> {
        if self.operator.is_some() {
            return self.doc.get("spec");
        }
        self.pod_spec()?.get("containers")?.items().get(index)
    }
}

/// The cross-document index and the files, to find related objects.
///
/// Its maps hash with FxHash, several times faster than the default SipHash on these short
/// keys; an input crafted to collide only slows its own run down.
pub struct Index<'a> {
    /// Every object of the run.
    pub entries: &'a [Entry],
    /// The files.
    pub files: &'a Files,
    /// Entry positions by (kind, namespace).
    by_namespace: FxHashMap<(&'a str, &'a str), Vec<usize>>,
    /// The first entry of each (kind, namespace, name).
    by_name: FxHashMap<(&'a str, &'a str, &'a str), usize>,
    /// Entries with a selector, by (kind, namespace), reachable from the labels they require:
    /// a lookup by pod labels tests only the selectors that can match them, so it stays
    /// constant-time however many objects share a namespace.
    by_selector: FxHashMap<(&'a str, &'a str), Candidates<'a>>,
    /// Services by (namespace, label key, label value), for selectors over Service labels.
    by_label: FxHashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
}

/// Entries of one (kind, namespace) whose selectors may match some labels.
#[derive(Default)]
struct Candidates<'a> {
    /// By one `matchLabels` pair each selector requires.
    anchored: FxHashMap<(&'a str, &'a str), Vec<usize>>,
    /// Selectors without `matchLabels` (expressions only, or empty: they match every pod).
    other: Vec<usize>,
}

impl<'a> Index<'a> {
    /// Indexes the entries of a run.
    pub fn new(entries: &'a [Entry], files: &'a Files) -> Index<'a> {
        let mut by_namespace: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
        let mut by_name = FxHashMap::default();
        let mut by_selector: FxHashMap<(&str, &str), Candidates> = FxHashMap::default();
        let mut by_label: FxHashMap<(&str, &str, &str), Vec<usize>> = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            let key = (e.kind.as_str(), e.namespace.as_str());
            by_namespace.entry(key).or_default().push(i);
            by_name.entry((key.0, key.1, e.name.as_str())).or_insert(i);
            if let Some(sel) = &e.selector {
                let c = by_selector.entry(key).or_default();
                match sel.labels.first() {
                    Some((k, v)) => c
                        .anchored
                        .entry((k.as_str(), v.as_str()))
                        .or_default()
                        .push(i),
                    None => c.other.push(i),
                }
            }
            for (k, v) in e.labels.iter() {
                by_label
                    .entry((e.namespace.as_str(), k, v))
                    .or_default()
                    .push(i);
            }
        }
        Index {
            entries,
            files,
            by_namespace,
            by_name,
            by_selector,
            by_label,
        }
    }

    /// Objects of `kind` in `namespace` whose selector matches `labels`, in input order.
    pub fn selecting_entries(
        &self,
        kind: &str,
        namespace: &str,
        labels: &Labels,
    ) -> Vec<&'a Entry> {
        let Some(c) = self.by_selector.get(&(kind, namespace)) else {
            return Vec::new();
        };
        let mut positions: Vec<usize> = c.other.clone();
        for (k, v) in labels {
            if let Some(found) = c.anchored.get(&(k.as_str(), v.as_str())) {
                positions.extend_from_slice(found);
            }
        }
        positions.sort_unstable();
        positions
            .into_iter()
            .map(|i| &self.entries[i])
            .filter(|e| e.selector.as_ref().is_some_and(|s| s.matches(labels)))
            .collect()
    }

    /// Objects of `kind` in `namespace` whose labels `selector` matches, in input order (only
    /// Services keep their labels in the index).
    pub fn labeled(&self, kind: &str, namespace: &str, selector: &Selector) -> Vec<&'a Entry> {
        let candidates: Vec<&'a Entry> = match selector.labels.first() {
            Some((k, v)) => self
                .by_label
                .get(&(namespace, k.as_str(), v.as_str()))
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|&i| &self.entries[i])
                .filter(|e| e.kind == kind)
                .collect(),
            None => self.of(kind, namespace),
        };
        candidates
            .into_iter()
            .filter(|e| selector.matches(&e.labels))
            .collect()
    }

    /// Every object of `kind`, in any namespace.
    pub fn all_of(&self, kind: &str) -> Vec<&'a Entry> {
        let mut positions: Vec<usize> = self
            .by_namespace
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        // Input order, for stable messages.
        positions.sort_unstable();
        positions.into_iter().map(|i| &self.entries[i]).collect()
    }

    /// The objects of `kind` in `namespace`.
    pub fn of(&self, kind: &str, namespace: &str) -> Vec<&'a Entry> {
        let entries = self.entries;
        self.by_namespace
            .get(&(kind, namespace))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &entries[i])
            .collect()
    }

    /// Parses an indexed object's document again.
    pub fn parse(&self, e: &Entry) -> Option<Arc<Node>> {
        if let Some(tree) = &e.tree {
            return Some(tree.clone());
        }
        let f = self.files.get(e.doc.file);
        let node = parse_document_transient(&f.text, &e.doc.slice, e.doc.file).ok()??;
        match e.doc.item {
            None => Some(Arc::new(node)),
            Some(i) => node
                .get("items")?
                .items()
                .get(i as usize)
                .cloned()
                .map(Arc::new),
        }
    }

    /// The object of `kind` named `name` in `namespace`.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> Option<&Entry> {
        let i = self.by_name.get(&(kind, namespace, name))?;
        Some(&self.entries[*i])
    }

    /// Objects of `kind` in `namespace` whose selector matches `labels`.
    pub fn selecting(&self, kind: &str, namespace: &str, labels: &Labels) -> Vec<Related> {
        self.selecting_entries(kind, namespace, labels)
            .into_iter()
            .filter_map(|e| {
                Some(Related {
                    entry: e.clone(),
                    doc: self.parse(e)?,
                })
            })
            .collect()
    }
}

/// A file as a container sees it.
#[derive(Debug, Clone)]
struct VFile {
    text: String,
    /// The scalar node holding the text, to point into it.
    node: Option<Node>,
    origin: String,
    /// False for Secret-mounted files, whose content is never read.
    readable: bool,
}

/// Files visible in a container: ConfigMap and Secret mounts, plus copies made by scripts.
#[derive(Debug, Default)]
struct Vfs {
    files: BTreeMap<String, VFile>,
    /// Mount points whose content is not in the input (ConfigMap missing, PVC, emptyDir…).
    opaque: Vec<(String, String)>,
    /// Lines an image rewrites in one file at start-up: (path, [(directive, args, origin)]).
    edits: Option<(String, Vec<Edit>)>,
}

type Edit = (String, Vec<String>, String);

impl Vfs {
    fn get(&self, path: &str) -> Option<&VFile> {
        self.files.get(&normalize(path))
    }

    fn exists(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Why a missing path cannot be known, when it lies under a mount we cannot see into.
    fn opaque_reason(&self, path: &str) -> Option<String> {
        let p = normalize(path);
        self.opaque
            .iter()
            .filter(|(mount, _)| p.starts_with(mount.as_str()))
            .max_by_key(|(m, _)| m.len())
            .map(|(_, why)| why.clone())
    }
}

fn normalize(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
        out.push('/');
        out.push_str(part);
    }
    if out.is_empty() {
        "/".into()
    } else {
        out
    }
}

/// Builds the model of a workload document; `None` when no container runs valkey-server.
pub fn build(entry: &Entry, doc: Arc<Node>, index: &Index) -> Option<Workload> {
    let (meta, spec) = pod_template(&doc)?;
    let pod_labels = string_map(meta.and_then(|m| m.get("labels")));
    let ns = entry.namespace.as_str();
    let mut containers = Vec::new();
    let mut config_objects: Vec<Related> = Vec::new();
    for (i, c) in spec.get("containers")?.items().iter().enumerate() {
        if let Some(sc) = server_container(i, c, spec, ns, index, &mut config_objects) {
            containers.push(sc);
        }
    }
    if !containers.iter().any(|c| c.role == Role::Server) {
        return None;
    }
    let replicas = if entry.kind == "Pod" {
        1
    } else {
        doc.path(&["spec", "replicas"])
            .and_then(Node::as_i64)
            .unwrap_or(1)
    };
    let server = containers.iter().find(|c| c.role == Role::Server)?;
    let component = pod_labels
        .get("app.kubernetes.io/component")
        .map(String::as_str);
    let mode = if server
        .config
        .get("cluster-enabled")
        .is_some_and(|s| s.value().eq_ignore_ascii_case("yes"))
    {
        Mode::Cluster
    } else if containers.iter().any(|c| c.role == Role::Sentinel) {
        Mode::Sentinel
    } else if server.config.get("replicaof").is_some()
        || server.config.conditional.iter().any(|c| c == "replicaof")
        || matches!(component, Some("primary" | "master" | "replica" | "slave"))
    {
        Mode::Replication
    } else {
        Mode::Standalone
    };
    let containers_roles = containers.iter().any(|c| c.role == Role::Sentinel);
    let claims = spec
        .get("volumes")
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|v| v.path(&["persistentVolumeClaim", "claimName"])?.as_str())
        .filter_map(|name| {
            let e = index.find("PersistentVolumeClaim", ns, name)?;
            Some(Related {
                entry: e.clone(),
                doc: index.parse(e)?,
            })
        })
        .collect();
    Some(Workload {
        claims,
        pdbs: index.selecting("PodDisruptionBudget", ns, &pod_labels),
        // Names only: no rule reads a Service's body, so it is not parsed again.
        services: index
            .selecting_entries("Service", ns, &pod_labels)
            .into_iter()
            .cloned()
            .collect(),
        network_policies: index.selecting("NetworkPolicy", ns, &pod_labels),
        entry: entry.clone(),
        doc: doc.clone(),
        pod_labels,
        replicas,
        containers,
        mode,
        sentinel_quorum: sentinel_quorum(&containers_roles, &config_objects, index.files),
        config_objects,
        operator: None,
    })
}

/// The quorum of the first `sentinel monitor NAME HOST PORT QUORUM` line in the ConfigMaps the
/// pod mounts, when the pod runs a Sentinel.
fn sentinel_quorum(
    has_sentinel: &bool,
    objects: &[Related],
    files: &Files,
) -> Option<(i64, Option<Span>)> {
    if !has_sentinel {
        return None;
    }
    for r in objects.iter().filter(|r| r.entry.kind == "ConfigMap") {
        for (_, v) in r.doc.get("data").map_or(&[][..], Node::entries) {
            let Some(text) = v.as_str() else { continue };
            for line in conf::lines(text) {
                let t: Vec<&str> = line.tokens.iter().map(|t| t.text.as_str()).collect();
                if t.len() == 6
                    && t[0].eq_ignore_ascii_case("sentinel")
                    && t[1].eq_ignore_ascii_case("monitor")
                {
                    let quorum: i64 = t[5].parse().ok()?;
                    let q = &line.tokens[5];
                    let span = v.text_span(&files.get(v.span.file).text, q.start, q.end - q.start);
                    return Some((quorum, span));
                }
            }
        }
    }
    None
}

fn env_of(container: &Node) -> (Env, Vec<String>) {
    let mut env = Env::new();
    let mut secret_vars = Vec::new();
    for e in container.get("env").map_or(&[][..], Node::items) {
        let Some(name) = e.get("name").and_then(Node::as_str) else {
            continue;
        };
        match e.get("value").and_then(Node::as_str) {
            Some(v) => {
                env.insert(name.to_string(), v.to_string());
            }
            None => secret_vars.push(name.to_string()),
        }
    }
    (env, secret_vars)
}

fn is_sentinel(argv: &[String], image: &str, name: &str) -> bool {
    argv.iter()
        .any(|a| a == "--sentinel" || a.contains("sentinel"))
        || image.contains("sentinel")
        || name == "sentinel"
}

fn server_container(
    index: usize,
    c: &Node,
    spec: &Node,
    ns: &str,
    idx: &Index,
    related: &mut Vec<Related>,
) -> Option<ServerContainer> {
    let name = c.get("name").and_then(Node::as_str).unwrap_or_default();
    let image = c.get("image").and_then(Node::as_str).unwrap_or_default();
    let cmd_words: Vec<Word> = ["command", "args"]
        .iter()
        .flat_map(|k| c.get(k).map_or(&[][..], Node::items))
        .filter_map(|n| node_word(n, idx.files))
        .collect();
    let cmd: Vec<String> = cmd_words.iter().map(|w| w.text.clone()).collect();
    let (env, secret_vars) = env_of(c);
    let mut vfs = mount_files(c, spec, ns, idx, related);
    let mut config = EffectiveConfig::default();

    // Find the server command line: direct, through a shell script, or through an image.
    let bitnami = bitnami_flavour(image);
    let mut argv: Option<Vec<Word>> = None;
    let mut script_text: Vec<(String, Option<Node>)> = Vec::new();
    let sentinel_prog = cmd.first().is_some_and(|p| {
        matches!(
            p.rsplit('/').next(),
            Some("valkey-sentinel" | "redis-sentinel")
        )
    });
    if sentinel_prog || cmd.first().is_some_and(|p| script::is_server(p)) {
        argv = Some(cmd_words.clone());
    } else if let Some(pos) = cmd.iter().position(|a| a == "-c") {
        let node = ["command", "args"]
            .iter()
            .flat_map(|k| c.get(k).map_or(&[][..], Node::items))
            .nth(pos + 1)
            .filter(|_| cmd.len() == pos + 2)
            .cloned();
        script_text.push((cmd[pos + 1..].join("\n"), node));
    } else if let Some(path) = cmd.iter().find(|a| a.ends_with(".sh")) {
        if let Some(f) = vfs.get(path) {
            script_text.push((f.text.clone(), f.node.clone()));
        }
    } else if cmd.is_empty() && is_plain_server_image(image) {
        argv = Some(vec![literal_word("valkey-server")]);
    }
    let mut runs_image_entry = false;
    let mut depth = 0;
    while argv.is_none() && depth < 4 {
        let Some((text, node)) = script_text.pop() else {
            break;
        };
        depth += 1;
        // The script's lines mapped onto the YAML once, for every word located in it.
        let spans = node
            .as_ref()
            .and_then(|n| n.text_spans(&idx.files.get(n.span.file).text));
        let locate = |s: usize, e: usize| -> Option<Span> { spans.as_ref()?.span(s, e - s) };
        let fx = script::interpret(&text, &env, &|p| vfs.exists(p), &locate);
        for (from, to) in &fx.copies {
            if let Some(f) = vfs.get(from).cloned() {
                vfs.files.insert(normalize(to), f);
            }
        }
        for (file, line) in &fx.appends {
            let f = vfs.files.entry(normalize(file)).or_insert_with(|| VFile {
                text: String::new(),
                node: None,
                origin: format!("{file} (written by the start script)"),
                readable: true,
            });
            if f.node.is_some() {
                // Appending shifts nothing before the end, so spans of existing lines stay valid.
                f.text.push('\n');
            }
            f.text.push_str(line);
            f.text.push('\n');
        }
        config.conditional.extend(
            fx.conditional
                .iter()
                .filter_map(|w| w.text.strip_prefix("--").map(conf::canonical)),
        );
        if let Some(a) = fx.server_argv {
            argv = Some(a);
        } else {
            for exec in &fx.execs {
                let target = exec.iter().find(|a| a.ends_with(".sh"));
                if let Some(f) = target.and_then(|t| vfs.get(t)) {
                    script_text.push((f.text.clone(), f.node.clone()));
                } else if bitnami.is_some() && exec.iter().any(|a| a.ends_with("/run.sh")) {
                    runs_image_entry = true;
                }
            }
        }
    }
    if argv.is_none() && bitnami.is_some() && (runs_image_entry || cmd.is_empty()) {
        if let Some(flavour) = bitnami {
            argv = Some(bitnami_run(
                flavour,
                &env,
                &secret_vars,
                &mut vfs,
                &mut config,
            ));
        }
    }
    let argv = argv?;
    let argv_text: Vec<String> = argv.iter().map(|w| w.text.clone()).collect();
    let role = if is_sentinel(&argv_text, image, name) {
        Role::Sentinel
    } else {
        Role::Server
    };
    if role == Role::Server {
        read_argv(&argv, &vfs, idx.files, &mut config, c);
    }
    let (prestop, prestop_known) = exec_text(c, &["lifecycle", "preStop", "exec", "command"], &vfs);
    let probes = ["livenessProbe", "readinessProbe", "startupProbe"]
        .iter()
        .map(|p| exec_text(c, &[p, "exec", "command"], &vfs))
        .collect();
    let data_dir = role_data_dir(&config, image, c, spec);
    let cluster_replicas = cluster_replicas(&env, &cmd);
    Some(ServerContainer {
        index,
        name: name.to_string(),
        image: image.to_string(),
        role,
        argv: argv_text,
        config,
        prestop,
        prestop_known,
        probes,
        data_dir,
        cluster_replicas,
    })
}

fn literal_word(t: &str) -> Word {
    Word {
        text: t.to_string(),
        literal: !t.contains("$("),
        span: None,
        range: (0, 0),
    }
}

/// A container argument as a word, located in the manifest.
fn node_word(n: &Node, files: &Files) -> Option<Word> {
    let t = n.as_str()?;
    let mut w = literal_word(t);
    w.span = n.text_span(&files.get(n.span.file).text, 0, t.len());
    Some(w)
}

fn is_plain_server_image(image: &str) -> bool {
    let repo = image.split([':', '@']).next().unwrap_or(image);
    let base = repo.rsplit('/').next().unwrap_or(repo);
    (base == "valkey" || base == "redis") && !repo.contains("bitnami")
}

/// The Bitnami image families whose start-up edits the config from env vars.
#[derive(Debug, Clone, Copy)]
struct Flavour {
    /// `VALKEY` or `REDIS`.
    prefix: &'static str,
    /// `valkey` or `redis`.
    product: &'static str,
    cluster: bool,
}

fn bitnami_flavour(image: &str) -> Option<Flavour> {
    let repo = image.split([':', '@']).next().unwrap_or(image);
    let base = repo.rsplit('/').next().unwrap_or(repo);
    if !repo.contains("bitnami") {
        return None;
    }
    let (prefix, product, cluster) = match base {
        "valkey-cluster" => ("VALKEY", "valkey", true),
        "redis-cluster" => ("REDIS", "redis", true),
        "valkey" => ("VALKEY", "valkey", false),
        "redis" => ("REDIS", "redis", false),
        _ => return None,
    };
    Some(Flavour {
        prefix,
        product,
        cluster,
    })
}

/// What the Bitnami image's `run.sh` does: edit `etc/<product>.conf` from env vars, then start
/// the server with `--port`, `--include`, auth options and `*_EXTRA_FLAGS`.
fn bitnami_run(
    f: Flavour,
    env: &Env,
    secret_vars: &[String],
    vfs: &mut Vfs,
    config: &mut EffectiveConfig,
) -> Vec<Word> {
    let p = f.prefix;
    let etc = format!("/opt/bitnami/{}/etc", f.product);
    let conf_path = format!("{etc}/{}.conf", f.product);
    if !vfs.exists(&conf_path) {
        if let Some(d) = vfs
            .get(&format!("{etc}/{}-default.conf", f.product))
            .cloned()
        {
            vfs.files.insert(normalize(&conf_path), d);
        }
    }
    let var = |k: &str| env.get(&format!("{p}_{k}")).map(String::as_str);
    let has_secret = |k: &str| secret_vars.iter().any(|v| v == &format!("{p}_{k}"));
    let origin = |k: &str| format!("env {p}_{k} (Bitnami image start-up)");
    let mut edits: Vec<(String, Vec<String>, String)> = Vec::new();
    let mut set = |name: &str, value: &str, why: String| {
        edits.push((name.to_string(), vec![value.to_string()], why));
    };
    set(
        "appendonly",
        var("AOF_ENABLED").unwrap_or("yes"),
        origin("AOF_ENABLED"),
    );
    if var("RDB_POLICY_DISABLED").is_some_and(|v| v == "yes") {
        set("save", "", origin("RDB_POLICY_DISABLED"));
    } else if let Some(policy) = var("RDB_POLICY") {
        set("save", policy, origin("RDB_POLICY"));
    }
    let port = var("PORT_NUMBER").unwrap_or("6379").to_string();
    if var("TLS_ENABLED").is_some_and(|v| v == "yes" || v == "true") {
        let tls_port = var("TLS_PORT_NUMBER").unwrap_or("6379").to_string();
        set("tls-port", &tls_port, origin("TLS_PORT_NUMBER"));
        if tls_port == port {
            set("port", "0", origin("TLS_PORT_NUMBER"));
        }
        for (k, d) in [
            ("TLS_CERT_FILE", "tls-cert-file"),
            ("TLS_KEY_FILE", "tls-key-file"),
            ("TLS_CA_FILE", "tls-ca-cert-file"),
        ] {
            if let Some(v) = var(k) {
                set(d, v, origin(k));
            }
        }
        set(
            "tls-auth-clients",
            var("TLS_AUTH_CLIENTS").unwrap_or("yes"),
            origin("TLS_AUTH_CLIENTS"),
        );
        set("tls-replication", "yes", origin("TLS_ENABLED"));
        if f.cluster {
            set("tls-cluster", "yes", origin("TLS_ENABLED"));
        }
    }
    let empty_ok = env
        .get("ALLOW_EMPTY_PASSWORD")
        .is_some_and(|v| v == "yes" || v == "true");
    // The image appends its edits to the copied file; last value wins like `sed` replacement.
    let mut argv = vec![
        literal_word(&format!("{}-server", f.product)),
        literal_word("--port"),
        literal_word(&port),
        literal_word("--include"),
        literal_word(&conf_path),
    ];
    let password_known = var("PASSWORD").is_some()
        || var("PASSWORD_FILE").is_some()
        || has_secret("PASSWORD")
        || has_secret("PASSWORD_FILE");
    if password_known && !empty_ok {
        for opt in ["--requirepass", "--primaryauth"] {
            argv.push(literal_word(opt));
            argv.push(Word {
                text: format!("${{{p}_PASSWORD}}"),
                literal: false,
                span: None,
                range: (0, 0),
            });
        }
    } else if empty_ok {
        argv.push(literal_word("--protected-mode"));
        argv.push(literal_word("no"));
    }
    if let Some(extra) = var("EXTRA_FLAGS") {
        argv.extend(extra.split_whitespace().map(literal_word));
    }
    if has_secret("EXTRA_FLAGS") {
        config.push_unknown(format!(
            "{p}_EXTRA_FLAGS comes from a Secret or ConfigMap reference"
        ));
    }
    // The image rewrites these lines in the copied file (`sed`), so they win over the file's
    // own lines and lose to later command-line options.
    vfs.edits = Some((normalize(&conf_path), edits));
    argv
}

/// Files that the container's volumeMounts make visible.
fn mount_files(c: &Node, spec: &Node, ns: &str, idx: &Index, related: &mut Vec<Related>) -> Vfs {
    let mut vfs = Vfs::default();
    let volumes = spec.get("volumes").map_or(&[][..], Node::items);
    for m in c.get("volumeMounts").map_or(&[][..], Node::items) {
        let (Some(vname), Some(path)) = (
            m.get("name").and_then(Node::as_str),
            m.get("mountPath").and_then(Node::as_str),
        ) else {
            continue;
        };
        let sub = m
            .get("subPath")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        let Some(vol) = volumes
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(vname))
        else {
            continue;
        };
        let Some(sources) = crate::k8s::volume_objects(vol) else {
            vfs.opaque.push((
                normalize(path),
                format!("{path} is volume `{vname}`, whose content is not in the manifests"),
            ));
            continue;
        };
        for (kind, src, obj_name) in sources {
            let items: Vec<(String, String)> = src
                .get("items")
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(|i| {
                    Some((
                        i.get("key")?.as_str()?.to_string(),
                        i.get("path")?.as_str()?.to_string(),
                    ))
                })
                .collect();
            let Some(entry) = idx.find(kind, ns, obj_name) else {
                vfs.opaque.push((
                    normalize(path),
                    format!("{kind} `{obj_name}` mounted at {path} is not in the input"),
                ));
                continue;
            };
            let Some(doc) = idx.parse(entry) else {
                continue;
            };
            let data_keys: Vec<(String, Option<Node>)> = if kind == "ConfigMap" {
                doc.get("data")
                    .map_or(&[][..], Node::entries)
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), Some(v.clone()))))
                    .collect()
            } else {
                ["data", "stringData"]
                    .iter()
                    .flat_map(|d| doc.get(d).map_or(&[][..], Node::entries))
                    .filter_map(|(k, _)| Some((k.as_str()?.to_string(), None)))
                    .collect()
            };
            for (key, node) in data_keys {
                let rel = if items.is_empty() {
                    Some(key.clone())
                } else {
                    items
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, p)| p.clone())
                };
                let Some(rel) = rel else { continue };
                let file_path = match sub {
                    Some(s) if s == rel => path.to_string(),
                    Some(_) => continue,
                    None => format!("{path}/{rel}"),
                };
                let text = node
                    .as_ref()
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string();
                vfs.files.insert(
                    normalize(&file_path),
                    VFile {
                        text,
                        node,
                        origin: format!("{kind} {obj_name}, key {key}"),
                        readable: kind == "ConfigMap",
                    },
                );
            }
            if !related
                .iter()
                .any(|r| r.entry.name == entry.name && r.entry.kind == entry.kind)
            {
                related.push(Related {
                    entry: entry.clone(),
                    doc,
                });
            }
        }
    }
    vfs
}

/// Reads the server command line into settings: config file, then options in order.
fn read_argv(argv: &[Word], vfs: &Vfs, files: &Files, config: &mut EffectiveConfig, c: &Node) {
    let args_node = c.get("args").or_else(|| c.get("command"));
    let mut i = 1;
    if let Some(first) = argv.get(1) {
        if !first.text.starts_with('-') {
            read_file(&first.text, vfs, files, config, 0);
            i = 2;
        }
    }
    let flat = flatten_options(&argv[i.min(argv.len())..]);
    let locate = |w: &Word| w.span.or_else(|| find_arg_span(args_node, &w.text, files));
    for option in options(&flat, "command-line argument", locate) {
        apply(option, vfs, files, config);
    }
}

/// Command-line words as the server reads them: an element `"--maxmemory 900mb"` split into
/// its tokens (with their spans when the element is written plainly), others as they are.
pub(crate) fn flatten_options(words: &[Word]) -> Vec<Word> {
    let mut flat: Vec<Word> = Vec::new();
    for w in words {
        if w.text.starts_with("--") && w.text.contains(' ') {
            match conf::split_args(&w.text) {
                Ok(toks) => flat.extend(toks.into_iter().map(|t| {
                    Word {
                        span: w
                            .span
                            .filter(|s| (s.end - s.start) as usize == w.text.len())
                            .map(|s| {
                                Span::new(
                                    s.file,
                                    s.start as usize + t.start,
                                    s.start as usize + t.end,
                                )
                            }),
                        text: t.text,
                        literal: w.literal,
                        range: (0, 0),
                    }
                })),
                Err(_) => flat.push(w.clone()),
            }
        } else {
            flat.push(w.clone());
        }
    }
    flat
}

/// Flattened command-line words grouped into options as the server groups them (words before
/// the first `--name` are skipped), each placed where `locate` puts its last word.
pub(crate) fn options(
    flat: &[Word],
    origin: &str,
    locate: impl Fn(&Word) -> Option<Span>,
) -> Vec<Setting> {
    let mut options = Vec::new();
    let mut j = 0;
    while j < flat.len() {
        let Some(name) = flat[j].text.strip_prefix("--") else {
            j += 1;
            continue;
        };
        let mut values = 0;
        let mut k = j + 1;
        while k < flat.len()
            && (!flat[k].text.starts_with("--") || values == 0 && k == j + 1 && name != "save")
        {
            if flat[k].text.starts_with("--") && values > 0 {
                break;
            }
            values += 1;
            k += 1;
            if flat.get(k).is_some_and(|w| w.text.starts_with("--")) {
                break;
            }
        }
        let words = &flat[j + 1..k];
        options.push(Setting {
            name: name.to_string(),
            args: words.iter().map(|w| w.text.clone()).collect(),
            span: locate(words.last().unwrap_or(&flat[j])),
            origin: origin.to_string(),
            literal: words.iter().all(|w| w.literal),
        });
        j = k;
    }
    options
}

/// Spans of `--name value` inside the container's args, when written there literally.
fn find_arg_span(args: Option<&Node>, text: &str, files: &Files) -> Option<Span> {
    // Only a whole argument, or a whole token of a one-element `"--name value"` argument: a
    // substring match could point into an unrelated script.
    let args = args?;
    for item in args.items() {
        let Some(s) = item.as_str() else { continue };
        let source = &files.get(item.span.file).text;
        if s == text {
            return item.text_span(source, 0, text.len());
        }
        if s.starts_with("--") && !s.contains('\n') {
            if let Ok(tokens) = conf::split_args(s) {
                if let Some(t) = tokens.iter().find(|t| t.text == text) {
                    return item.text_span(source, t.start, t.end - t.start);
                }
            }
        }
    }
    None
}

/// Applies one command-line option (`name` as written): `--include` reads the file in place,
/// anything else is checked and recorded.
fn apply(option: Setting, vfs: &Vfs, files: &Files, config: &mut EffectiveConfig) {
    if option.name.eq_ignore_ascii_case("include") {
        if let Some(path) = option.args.first() {
            include(path, vfs, files, config, 1);
        }
        return;
    }
    record_option(option, config);
}

/// Records one command-line option other than `include`: checked as the server checks it (a
/// refused one is a configuration error), kept when the server knows it; a value known only
/// at run time is not checked.
pub(crate) fn record_option(option: Setting, config: &mut EffectiveConfig) {
    let known = if option.literal {
        let mut all: Vec<&str> = vec![&option.name];
        all.extend(option.args.iter().map(String::as_str));
        match conf::check(&all, false) {
            Ok(Known::Ignored) => false,
            Ok(_) => true,
            Err(p) => {
                config.errors.push(ConfError {
                    directive: option.name.clone(),
                    message: p.message,
                    hint: p.hint,
                    span: option.span,
                    origin: option.origin,
                });
                return;
            }
        }
    } else {
        // The value is only known at run time: keep that the directive is set, check nothing.
        super::directives::lookup(&option.name.to_ascii_lowercase()).is_some()
    };
    if known {
        config.settings.push(Setting {
            name: conf::canonical(&option.name),
            ..option
        });
    }
}

/// `include PATH` as the server reads it. A path with `*`, `?` or `[` is a pattern (`glob(3)`):
/// the files it matches are read in order, and none is no error; any other path is one file.
fn include(path: &str, vfs: &Vfs, files: &Files, config: &mut EffectiveConfig, depth: usize) {
    if !path.contains(['*', '?', '[']) {
        read_file(path, vfs, files, config, depth);
        return;
    }
    let Some(pattern) = glob_pattern(path) else {
        config.push_unknown(format!("include pattern {path} is not understood"));
        return;
    };
    // A mount whose content is not in the input may hold matches too.
    let fixed = literal_dir(path);
    let unseen = vfs
        .opaque
        .iter()
        .find(|(mount, _)| mount.starts_with(&fixed) || fixed.starts_with(mount.as_str()));
    if let Some((_, why)) = unseen {
        config.push_unknown(why.clone());
    }
    let matched: Vec<(&String, &VFile)> = vfs
        .files
        .iter()
        .filter(|(p, _)| pattern.is_match(p.as_str()) && !hidden_from(p, path))
        .collect();
    for (i, (p, f)) in matched.iter().enumerate() {
        // The server reads the matches into one text: a file without a final line break runs
        // into the first line of the next one.
        let joined =
            f.readable && !f.text.is_empty() && !f.text.ends_with('\n') && i + 1 < matched.len();
        if joined {
            config.push_unknown(format!(
                "included file {p} does not end with a line break, so its last line runs into the next file's first"
            ));
        }
        read_file(p, vfs, files, config, depth);
    }
}

/// An `include` pattern as `glob(3)` reads it: `*` and `?` do not cross a `/`, `[…]` is a class
/// (`[!…]` negated), `\` escapes, and braces are plain characters.
fn glob_pattern(path: &str) -> Option<globset::GlobMatcher> {
    let mut pattern = String::new();
    let mut previous = None;
    for c in normalize(path).chars() {
        match c {
            // `**` is `*` to glob(3), which has no recursive wildcard.
            '*' if previous == Some('*') => continue,
            '{' => pattern.push_str("[{]"),
            '}' => pattern.push_str("[}]"),
            c => pattern.push(c),
        }
        previous = Some(c);
    }
    globset::GlobBuilder::new(&pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// The directories of a pattern before its first wildcard (`/etc/valkey/conf.d/*.conf`:
/// `/etc/valkey/conf.d`).
fn literal_dir(path: &str) -> String {
    let normal = normalize(path);
    let wild = normal.find(['*', '?', '[']).unwrap_or(normal.len());
    normal[..wild]
        .rfind('/')
        .map_or_else(|| "/".into(), |i| normal[..i.max(1)].to_string())
}

/// Whether glob(3) skips `path` for `pattern`: a name starting with `.` is matched only by a
/// pattern component that starts with `.` (a ConfigMap mount's `..data` entries, for one).
fn hidden_from(path: &str, pattern: &str) -> bool {
    let names = path.split('/').filter(|p| !p.is_empty());
    let parts = normalize(pattern);
    let parts: Vec<&str> = parts.split('/').filter(|p| !p.is_empty()).collect();
    names
        .zip(parts)
        .any(|(name, part)| name.starts_with('.') && !part.starts_with('.'))
}

/// Reads a config file through the container's files, expanding `include` in place.
fn read_file(path: &str, vfs: &Vfs, files: &Files, config: &mut EffectiveConfig, depth: usize) {
    let Some(f) = vfs.get(path) else {
        match vfs.opaque_reason(path) {
            Some(why) => config.push_unknown(why),
            None => {
                config.push_unknown(format!("config file {path} is not mounted from the input"))
            }
        }
        apply_pending_edits(path, vfs, config);
        return;
    };
    if !f.readable {
        config.push_unknown(format!("config file {path} comes from a Secret"));
        return;
    }
    if depth > 8 {
        return;
    }
    // The file's lines mapped onto the YAML once, for the spans of all its settings.
    let spans = f
        .node
        .as_ref()
        .and_then(|node| node.text_spans(&files.get(node.span.file).text));
    for line in conf::lines(&f.text) {
        let origin = format!("{}, line {}", f.origin, line.number);
        let span_of =
            |start: usize, end: usize| -> Option<Span> { spans.as_ref()?.span(start, end - start) };
        if let Some(at) = line.unbalanced {
            config.errors.push(ConfError {
                directive: f.text[line.start..line.end]
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                message: "Unbalanced quotes in configuration line".into(),
                hint: None,
                span: span_of(at, line.end),
                origin,
            });
            continue;
        }
        let toks = &line.tokens;
        let name = toks[0].text.as_str();
        if name.eq_ignore_ascii_case("include") && toks.len() == 2 {
            include(&toks[1].text, vfs, files, config, depth + 1);
            continue;
        }
        let all: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        // A value written by a script from a variable is only known at run time.
        // So is a placeholder a chart's init script replaces (redis-ha `replace-default-auth`).
        let literal = !toks.iter().any(|t| {
            t.text.contains("${") || t.text.contains("$(") || t.text == "replace-default-auth"
        });
        match conf::check(&all, false) {
            Ok(Known::Ignored) => {}
            Err(_) if !literal => {}
            Ok(_) => {
                let span = if toks.len() > 1 {
                    span_of(toks[1].start, toks[toks.len() - 1].end)
                } else {
                    span_of(toks[0].start, toks[0].end)
                };
                config.settings.push(Setting {
                    name: conf::canonical(name),
                    args: toks[1..].iter().map(|t| t.text.clone()).collect(),
                    span,
                    origin,
                    literal,
                });
            }
            Err(p) => {
                let t = toks.get(p.arg).unwrap_or(&toks[0]);
                let end = if p.arg > 1 && p.message == "wrong number of arguments" {
                    line.end
                } else {
                    t.end
                };
                config.errors.push(ConfError {
                    directive: name.to_string(),
                    message: p.message,
                    hint: p.hint,
                    span: span_of(t.start, end),
                    origin,
                });
            }
        }
    }
    apply_pending_edits(path, vfs, config);
}

fn apply_pending_edits(path: &str, vfs: &Vfs, config: &mut EffectiveConfig) {
    let Some((target, edits)) = &vfs.edits else {
        return;
    };
    if *target != normalize(path) {
        return;
    }
    for (name, args, origin) in edits.iter().cloned() {
        config.settings.push(Setting {
            name,
            args,
            span: None,
            origin,
            literal: true,
        });
    }
}

/// The text of an exec handler (`lifecycle.preStop`, a probe): its command, plus the text of
/// every script it runs that is mounted from a ConfigMap; `false` when a script is not readable.
fn exec_text(c: &Node, path: &[&str], vfs: &Vfs) -> (Vec<String>, bool) {
    let Some(cmd) = c.path(path) else {
        return (Vec::new(), true);
    };
    let mut out: Vec<String> = cmd
        .items()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect();
    let mut known = true;
    let scripts: Vec<String> = out
        .iter()
        .flat_map(|a| a.split_whitespace())
        .filter(|w| w.ends_with(".sh"))
        .map(str::to_string)
        .collect();
    for s in scripts {
        match vfs.get(&s) {
            Some(f) => out.push(f.text.clone()),
            None => known = false,
        }
    }
    (out, known)
}

#[cfg(test)]
mod index_tests {
    use super::Index;
    use crate::k8s::{DocRef, Entry, Labels, Selector};
    use crate::source::Files;
    use crate::yaml::{parse_one, DocSlice};

    fn entry(yaml: &str) -> Entry {
        let doc = DocRef {
            file: 0,
            slice: DocSlice {
                start: 0,
                end: 0,
                template: None,
            },
            item: None,
        };
        Entry::from_node(&parse_one(yaml), doc).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn indexed_lookups_find_what_a_scan_finds() {
        let apps = ["a", "b", "c"];
        let mut entries = Vec::new();
        for (i, app) in apps.iter().enumerate() {
            for ns in ["one", "two"] {
                entries.push(entry(&format!(
                    "kind: PodDisruptionBudget\nmetadata: {{name: pdb-{app}, namespace: {ns}}}\n\
                     spec: {{selector: {{matchLabels: {{app: {app}, tier: cache}}}}}}\n"
                )));
                entries.push(entry(&format!(
                    "kind: NetworkPolicy\nmetadata: {{name: np-{app}, namespace: {ns}}}\n\
                     spec: {{podSelector: {{matchExpressions: [{{key: app, operator: In, values: [{app}, x]}}]}}}}\n"
                )));
                entries.push(entry(&format!(
                    "kind: Service\nmetadata: {{name: svc-{app}, namespace: {ns}, labels: {{app: {app}, n: '{i}'}}}}\n\
                     spec: {{selector: {{app: {app}}}}}\n"
                )));
            }
        }
        entries.push(entry(
            "kind: NetworkPolicy\nmetadata: {name: all, namespace: one}\nspec: {podSelector: {}}\n",
        ));
        entries.push(entry(
            "kind: PodDisruptionBudget\nmetadata: {name: none, namespace: one}\n\
             spec: {selector: {matchLabels: {app: a}, matchExpressions: [{key: tier, operator: DoesNotExist}]}}\n",
        ));
        let files = Files::default();
        let index = Index::new(&entries, &files);
        let pods = [
            labels(&[("app", "a"), ("tier", "cache")]),
            labels(&[("app", "b")]),
            labels(&[("app", "x"), ("tier", "cache")]),
            labels(&[]),
        ];
        let names = |v: Vec<&Entry>| v.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
        for kind in ["PodDisruptionBudget", "NetworkPolicy", "Service"] {
            for ns in ["one", "two", "three"] {
                for pod in &pods {
                    let scan: Vec<&Entry> = index
                        .of(kind, ns)
                        .into_iter()
                        .filter(|e| e.selector.as_ref().is_some_and(|s| s.matches(pod)))
                        .collect();
                    assert_eq!(
                        names(index.selecting_entries(kind, ns, pod)),
                        names(scan),
                        "{kind} in {ns} for {pod:?}"
                    );
                }
            }
        }
        for app in ["a", "b", "zz"] {
            let mut selector = Selector::default();
            selector.labels.push(("app".into(), app.into()));
            let scan: Vec<&Entry> = index
                .of("Service", "one")
                .into_iter()
                .filter(|e| selector.matches(&e.labels))
                .collect();
            assert_eq!(
                names(index.labeled("Service", "one", &selector)),
                names(scan)
            );
        }
        let everything = Selector::default();
        assert_eq!(index.labeled("Service", "two", &everything).len(), 3);
        assert_eq!(
            index
                .find("Service", "two", "svc-b")
                .map(|e| e.name.as_str()),
            Some("svc-b")
        );
        assert!(index.find("Service", "three", "svc-b").is_none());
    }
}

#[cfg(test)]
mod include_tests {
    use super::{glob_pattern, hidden_from, literal_dir};

    /// `include` patterns match as glob(3) does (both relative to /etc/valkey/ here).
    #[test]
    fn include_patterns_match_as_glob_does() {
        let cases = [
            ("conf.d/*.conf", "conf.d/10-memory.conf", true),
            ("conf.d/*.conf", "conf.d/sub/a.conf", false),
            ("conf.d/*.conf", "conf.d/a.conf.example", false),
            ("*/*.conf", "conf.d/a.conf", true),
            ("**/*.conf", "a/b/c.conf", false),
            ("conf.d/?0-*.conf", "conf.d/10-a.conf", true),
            ("conf.d/[!1]*.conf", "conf.d/10-a.conf", false),
            ("conf.d/[12]*.conf", "conf.d/20-a.conf", true),
            ("{a,b}*.conf", "a.conf", false),
            ("{a,b}*.conf", "{a,b}x.conf", true),
            ("/./conf.d//*", "conf.d/x", true),
        ];
        for (pattern, path, want) in cases {
            let glob = glob_pattern(&format!("/etc/valkey/{pattern}")).expect(pattern);
            let path = format!("/etc/valkey/{path}");
            assert_eq!(glob.is_match(&path), want, "{pattern} ~ {path}");
        }
    }

    /// A name starting with a dot is matched only by a component that starts with one.
    #[test]
    fn hidden_names_need_a_dot_in_the_pattern() {
        assert!(hidden_from("/etc/conf.d/..data", "/etc/conf.d/*"));
        assert!(hidden_from(
            "/etc/conf.d/.hidden.conf",
            "/etc/conf.d/*.conf"
        ));
        assert!(!hidden_from(
            "/etc/conf.d/.hidden.conf",
            "/etc/conf.d/.*.conf"
        ));
        assert!(!hidden_from("/etc/conf.d/a.conf", "/etc/conf.d/*.conf"));
    }

    #[test]
    fn the_literal_directory_of_a_pattern() {
        assert_eq!(
            literal_dir("/etc/valkey/conf.d/*.conf"),
            "/etc/valkey/conf.d"
        );
        assert_eq!(literal_dir("/etc/*/x.conf"), "/etc");
        assert_eq!(literal_dir("/*.conf"), "/");
    }
}

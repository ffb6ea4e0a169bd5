//! The Valkey model in, findings out. Each workload and each server container becomes one set of
//! CEL variables, built once and shared by every rule: `workload`, `container`, `valkey`
//! (effective directives), `server` (derived facts) and the rule's `params`. Every value that
//! has a place in a file carries a `loc` number, which is how `at:` paths become spans.

use super::lazy;
use super::load::{Part, Rule, Template};
use super::shared::{
    as_bool, as_int, as_str, boolean, entries, field, int, into_items, items, list, owned, text,
    texts, to_val, BoxVal, Fields,
};
use crate::finding::{Finding, Label, ObjectId};
use crate::k8s::pod_template;
use crate::units::{parse_memory, parse_quantity};
use crate::valkey::directives;
use crate::valkey::model::{Role, ServerContainer, Workload};
use crate::yaml::{Node, Span};
use cel::common::types::{CelBool, CelString};
use cel::common::value::CowVal;
use cel::common::value::Val;
use cel::objects::{Key, Map};
use cel::{Context, Env, ExecutionError, Value};
use regex::Regex;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// A regex compiled once per pattern (patterns are checked when rules load).
pub fn cached_regex(pattern: &str) -> Result<(), String> {
    regex(pattern).map(|_| ())
}

/// The compiled regex of `pattern`, built once per process and shared by the threads: the
/// `Regex` keeps a cache per thread inside, so sharing it keeps each thread's lazy DFA warm,
/// where a clone would start from scratch.
///
/// Classes are ASCII as in RE2, the engine of Kubernetes CEL (`\w`, `\d`, `\s` and `\b`
/// are ASCII there too), which also compiles a `(?i)\b…` pattern about twice as fast; a
/// pattern that needs Unicode mode to be valid on text (`.` alone may match half a character
/// without it) is compiled in Unicode mode.
fn regex(pattern: &str) -> Result<Arc<Regex>, String> {
    static CACHE: OnceLock<std::sync::RwLock<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.read().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(r);
    }
    let r = regex::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .or_else(|_| Regex::new(pattern))
        .map_err(|e| format!("invalid regex `{pattern}`: {e}"))?;
    let r = Arc::new(r);
    if let Ok(mut c) = cache.write() {
        c.insert(pattern.to_string(), r.clone());
    }
    Ok(r)
}

/// Whether `text` matches `pattern`.
///
/// A rule's pattern is nearly always a literal of its expression, which the interpreter lends
/// from the compiled program at the same address on every call: a small cache per thread,
/// indexed by that address and checked against the text, finds its regex without hashing the
/// pattern or taking the shared cache's lock.
pub fn regex_is_match(pattern: &str, text: &str) -> Result<bool, String> {
    type Slot = Option<(usize, Box<str>, Arc<Regex>)>;
    thread_local! {
        static RECENT: std::cell::RefCell<[Slot; 64]> =
            const { std::cell::RefCell::new([const { None }; 64]) };
    }
    let addr = pattern.as_ptr() as usize;
    let slot = (addr >> 3) % 64;
    let hit = RECENT.with_borrow(|recent| match &recent[slot] {
        Some((a, p, r)) if *a == addr && **p == *pattern => Some(r.clone()),
        _ => None,
    });
    let r = match hit {
        Some(r) => r,
        None => {
            let r = regex(pattern)?;
            RECENT.with_borrow_mut(|recent| {
                recent[slot] = Some((addr, pattern.into(), r.clone()));
            });
            r
        }
    };
    Ok(r.is_match(text))
}

/// A CEL map from string keys.
pub fn map_value(map: BTreeMap<String, Value>) -> Value {
    let m: HashMap<Key, Value> = map.into_iter().map(|(k, v)| (Key::from(k), v)).collect();
    Value::Map(Map { map: Arc::new(m) })
}

/// Locations of one subject, indexed by the `loc` numbers in its CEL values.
#[derive(Default)]
struct Locs<'a> {
    spans: Vec<Span>,
    /// What object each span lies in, when it is not the workload.
    owners: Vec<Option<Arc<ObjectId>>>,
    /// The YAML given to CEL in place (see [`lazy`]), with the object it lies in: the `loc`
    /// of a mapping under one names the root and the mapping's first byte.
    roots: Vec<(&'a Node, Option<Arc<ObjectId>>)>,
}

/// A place a `loc` names: its span, the object it lies in (when not the subject), and the
/// mapping node, when the `loc` is a YAML mapping's, so that `at:` can reach keys holding lists
/// or scalars.
type Place<'n> = (Span, Option<Arc<ObjectId>>, Option<&'n Node>);

impl<'a> Locs<'a> {
    /// A `loc` number for `span`.
    fn add(&mut self, span: Span, owner: Option<Arc<ObjectId>>) -> BoxVal<'static> {
        int(self.add_index(span, owner) as i64)
    }

    fn add_index(&mut self, span: Span, owner: Option<Arc<ObjectId>>) -> usize {
        self.spans.push(span);
        self.owners.push(owner);
        self.spans.len() - 1
    }

    /// A root for YAML given in place, lying in `owner` (`None`: the subject).
    fn add_root(&mut self, node: &'a Node, owner: Option<Arc<ObjectId>>) -> u32 {
        self.roots.push((node, owner));
        (self.roots.len() - 1) as u32
    }

    /// The place `l` names.
    fn resolve(&self, l: usize) -> Option<Place<'a>> {
        if let Some((root, start)) = lazy::decode(l) {
            let (node, owner) = self.roots.get(root as usize)?;
            let found = lazy::find_map(node, start)?;
            return Some((found.span, owner.clone(), Some(found)));
        }
        let span = *self.spans.get(l)?;
        Some((span, self.owners.get(l).cloned().flatten(), None))
    }
}

/// A YAML node as CEL reads it, read in place (see [`lazy`]); it lies in `owner` (`None`: the
/// subject).
fn yaml_value<'a>(n: &'a Node, locs: &mut Locs<'a>, owner: Option<Arc<ObjectId>>) -> BoxVal<'a> {
    let root = locs.add_root(n, owner);
    lazy::value(n, root)
}

/// A YAML mapping read in place with the model's fields over it.
fn yaml_map<'a>(
    n: &'a Node,
    locs: &mut Locs<'a>,
    owner: Option<Arc<ObjectId>>,
    overlay: lazy::Overlay<'a>,
) -> BoxVal<'a> {
    let root = locs.add_root(n, owner);
    Box::new(lazy::YamlMap::new(n, root, Some(overlay)))
}

/// Key node spans for `at:` paths that name a YAML key (point at `resources:`, not its value).
fn key_loc(parent: &Node, key: &str, locs: &mut Locs<'_>) -> Option<usize> {
    parent.entry(key).map(|(k, _)| locs.add_index(k.span, None))
}

/// What the NetworkPolicies selecting the pods let through, port by port (see [`crate::netpol`]).
fn network_value(w: &Workload, server: &Fields<'_>) -> Option<BoxVal<'static>> {
    use crate::netpol::{allows, restricted, Peer};
    let spec = w.pod_spec()?;
    let policies: Vec<&Node> = w.network_policies.iter().map(|r| r.doc.as_ref()).collect();
    let number = |k: &str| server.get(k).and_then(as_int);
    let tls = server.get("tlsEnabled").and_then(as_bool) == Some(true);
    let client = match (number("port"), number("tlsPort")) {
        (Some(p), Some(t)) if tls && (p == 0 || t > 0) => Some(t),
        (Some(p), _) if p > 0 => Some(p),
        _ => None,
    }?;
    let allowed =
        |port: i64, peer: Peer| boolean(allows(&policies, &w.pod_labels, spec, port, peer));
    let mut n = Fields::default();
    n.insert("restricted", boolean(restricted(&policies)));
    n.insert("clientPort", int(client));
    n.insert("clientFromOthers", allowed(client, Peer::OtherPods));
    n.insert(
        "clientFromOtherNamespaces",
        allowed(client, Peer::OtherNamespace),
    );
    n.insert("clientFromSelf", allowed(client, Peer::SelfPods));
    if server.get("clusterEnabled").and_then(as_bool) == Some(true) {
        if let Some(bus) = number("clusterBusPort") {
            n.insert("busPort", int(bus));
            n.insert("busFromSelf", allowed(bus, Peer::SelfPods));
        }
    }
    if w.containers.iter().any(|c| c.role == Role::Sentinel) {
        n.insert("sentinelFromSelf", allowed(26379, Peer::SelfPods));
        n.insert("sentinelFromOthers", allowed(26379, Peer::OtherPods));
    }
    // An exporter: a container port named like metrics, or the redis_exporter default 9121.
    let metrics = spec
        .get("containers")
        .map_or(&[][..], Node::items)
        .iter()
        .flat_map(|c| c.get("ports").map_or(&[][..], Node::items))
        .find(|p| {
            p.get("name")
                .and_then(Node::as_str)
                .is_some_and(|n| n.contains("metrics"))
                || p.get("containerPort").and_then(Node::as_i64) == Some(9121)
        })
        .and_then(|p| p.get("containerPort").and_then(Node::as_i64));
    if let Some(port) = metrics {
        n.insert("metricsPort", int(port));
        n.insert(
            "metricsFromOtherNamespaces",
            allowed(port, Peer::OtherNamespace),
        );
    }
    Some(n.build())
}

/// The Sentinel setup of a workload whose pods each run a Sentinel: `{sentinels, quorum, loc}`.
fn sentinel_quorum(w: &Workload, locs: &mut Locs<'_>) -> Option<BoxVal<'static>> {
    let (quorum, span) = w.sentinel_quorum?;
    let mut m = Fields::default();
    m.insert("sentinels", int(w.replicas));
    m.insert("quorum", int(quorum));
    if let Some(span) = span {
        m.insert("loc", locs.add(span, owner_of(w, span)));
    }
    Some(m.build())
}

/// How many of `replicas` pods a PodDisruptionBudget lets be down at once, as the eviction API
/// computes it (percentages rounded up); `None` when it cannot be told.
fn pdb_disruptions(pdb: &Node, replicas: i64) -> Option<i64> {
    let spec = pdb.get("spec")?;
    let replicas = i128::from(replicas.max(0));
    let amount = |n: &Node| -> Option<i128> {
        match n.as_str()?.strip_suffix('%') {
            Some(p) => Some((i128::from(p.trim().parse::<i64>().ok()?) * replicas + 99) / 100),
            None => n.as_i64().map(i128::from),
        }
    };
    let n = if let Some(m) = spec.get("maxUnavailable") {
        amount(m)?
    } else {
        replicas - amount(spec.get("minAvailable")?)?
    };
    i64::try_from(n.clamp(0, replicas)).ok()
}

/// The id of a workload as findings name it.
pub fn object_id(w: &Workload) -> Arc<ObjectId> {
    Arc::new(ObjectId {
        api_version: w.entry.api_version.clone(),
        kind: w.entry.kind.clone(),
        namespace: w.entry.namespace.clone(),
        name: w.entry.name.clone(),
        template: w.entry.doc.slice.template.clone(),
    })
}

/// The id of an indexed object as findings name it.
pub fn related_id(e: &crate::k8s::Entry) -> Arc<ObjectId> {
    Arc::new(ObjectId {
        api_version: e.api_version.clone(),
        kind: e.kind.clone(),
        namespace: e.namespace.clone(),
        name: e.name.clone(),
        template: e.doc.slice.template.clone(),
    })
}

/// The variables of one subject and the spans they point to.
pub struct Subject<'a> {
    vars: Vec<(&'static str, BoxVal<'a>)>,
    locs: Locs<'a>,
    /// Named places for paths that are not plain YAML (e.g. `workload.podLabels`): `loc`s.
    anchors: HashMap<String, usize>,
}

fn workload_value<'a>(
    w: &'a Workload,
    locs: &mut Locs<'a>,
    anchors: &mut HashMap<String, usize>,
) -> BoxVal<'a> {
    let mut m = Fields::default();
    m.insert("kind", text(&w.entry.kind));
    m.insert("name", text(&w.entry.name));
    m.insert("namespace", text(&w.entry.namespace));
    m.insert("replicas", int(w.replicas));
    m.insert("mode", text(w.mode.as_str()));
    if let Some((op, _)) = &w.operator {
        m.insert("operator", text(op.name()));
    }
    m.insert("loc", locs.add(w.doc.span, None));
    if let Some(kind) = w.doc.entry("kind") {
        anchors.insert("workload".into(), locs.add_index(kind.0.span, None));
    }
    let mut labels = Fields::with_capacity(w.pod_labels.len());
    for (k, v) in &w.pod_labels {
        labels.insert(k, text(v));
    }
    m.insert("podLabels", labels.build());
    let template = pod_template(&w.doc).or_else(|| w.pod_spec().map(|s| (None, s)));
    if let Some((meta, spec)) = template {
        if spec.is_map() {
            // Absent lists are [] so that rules need no has() chains.
            let overlay = lazy::Overlay {
                set: Vec::new(),
                empty_lists: &[
                    "topologySpreadConstraints",
                    "containers",
                    "volumes",
                    "initContainers",
                ],
            };
            m.insert("podSpec", yaml_map(spec, locs, None, overlay));
        } else {
            m.insert("podSpec", yaml_value(spec, locs, None));
        }
        if let Some(lab) = meta.and_then(|m| m.entry("labels")) {
            anchors.insert(
                "workload.podLabels".into(),
                locs.add_index(lab.0.span, None),
            );
        }
        let spec_key = if w.operator.is_some() {
            w.doc.entry("spec")
        } else {
            w.doc
                .path(&["spec", "template"])
                .and_then(|t| t.entry("spec"))
        };
        if let Some((k, _)) = spec_key {
            anchors.insert("workload.podSpec".into(), locs.add_index(k.span, None));
        }
        if let Some(tsc) = key_loc(spec, "topologySpreadConstraints", locs) {
            anchors.insert("workload.podSpec.topologySpreadConstraints".into(), tsc);
        }
    }
    let rel = |items: &'a [crate::valkey::model::Related], locs: &mut Locs<'a>| -> BoxVal<'a> {
        list(
            items
                .iter()
                .map(|r| {
                    // Every place in it lies in the related object.
                    let owner = Some(related_id(&r.entry));
                    if !r.doc.is_map() {
                        return yaml_value(&r.doc, locs, owner);
                    }
                    let mut set = vec![("name", text(&r.entry.name))];
                    if r.entry.kind == "PodDisruptionBudget" {
                        if let Some(n) = pdb_disruptions(&r.doc, w.replicas) {
                            set.push(("maxDisruptions", int(n)));
                        }
                    }
                    let overlay = lazy::Overlay {
                        set,
                        empty_lists: &[],
                    };
                    yaml_map(&r.doc, locs, owner, overlay)
                })
                .collect(),
        )
    };
    if let Some(q) = sentinel_quorum(w, locs) {
        m.insert("sentinel", q);
    }
    m.insert("pdbs", rel(&w.pdbs, locs));
    let services: Vec<BoxVal> = w.services.iter().map(|e| text(&e.name)).collect();
    m.insert("services", list(services));
    m.insert("networkPolicies", rel(&w.network_policies, locs));
    m.insert("claims", rel(&w.claims, locs));
    // Deployment `spec.strategy` / StatefulSet `spec.updateStrategy`, as written.
    for key in ["strategy", "updateStrategy"] {
        if let Some((k, v)) = w.doc.get("spec").and_then(|s| s.entry(key)) {
            m.insert(key, yaml_value(v, locs, None));
            anchors.insert(format!("workload.{key}"), locs.add_index(k.span, None));
        }
    }
    // The ingress rules of the first policy that restricts ingress, for network rules to point at.
    if let Some(np) = w
        .network_policies
        .iter()
        .find(|r| crate::netpol::restricted(&[r.doc.as_ref()]))
    {
        let spec = np.doc.get("spec");
        let key = spec
            .and_then(|s| s.entry("ingress"))
            .or_else(|| np.doc.entry("spec"))
            .map(|(k, _)| k.span);
        if let Some(span) = key {
            anchors.insert(
                "workload.networkPolicy".into(),
                locs.add_index(span, Some(related_id(&np.entry))),
            );
        }
    }
    m.build()
}

fn quantity_value<'a>(n: &'a Node, locs: &mut Locs<'a>) -> BoxVal<'a> {
    let raw = n.as_str().unwrap_or_default();
    let mut m = Fields::default();
    m.insert("raw", text(raw));
    if let Some(b) = parse_quantity(raw) {
        m.insert("bytes", int(b.min(i64::MAX as u128) as i64));
    }
    m.insert("loc", locs.add(n.span, None));
    m.build()
}

fn container_value<'a>(
    w: &'a Workload,
    c: &'a ServerContainer,
    locs: &mut Locs<'a>,
    anchors: &mut HashMap<String, usize>,
) -> BoxVal<'a> {
    let node = w.container_node(c.index);
    // The model's fields, over the container's YAML.
    let mut m: Vec<(&'a str, BoxVal<'a>)> = Vec::with_capacity(10);
    m.push(("name", text(&c.name)));
    m.push(("image", text(&c.image)));
    m.push(("argv", texts(&c.argv)));
    m.push(("preStopCommand", texts(&c.prestop)));
    m.push(("preStopKnown", boolean(c.prestop_known)));
    let env_booleans: Vec<BoxVal> = node
        .and_then(|n| n.get("env"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(|e| {
            let v = e.get("value").filter(|v| yaml11_boolean(v))?;
            let mut m = Fields::default();
            m.insert(
                "key",
                text(e.get("name").and_then(Node::as_str).unwrap_or_default()),
            );
            m.insert("value", text(v.as_str().unwrap_or_default()));
            m.insert("loc", locs.add(v.span, None));
            Some(m.build())
        })
        .collect();
    m.push(("plainBooleanEnv", list(env_booleans)));
    let mut probes = Fields::default();
    for (name, (lines, known)) in ["liveness", "readiness", "startup"].iter().zip(&c.probes) {
        let mut p = Fields::default();
        p.insert("text", texts(lines));
        p.insert("known", boolean(*known));
        probes.insert(name, p.build());
    }
    m.push(("probeText", probes.build()));
    // The exec probes and the preStop hook, each with the `exec` mapping to point at.
    let mut execs = Vec::with_capacity(4);
    let hooks = [
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "preStop hook",
    ];
    for (i, what) in hooks.into_iter().enumerate() {
        let (lines, known) = match c.probes.get(i).filter(|_| i < 3) {
            Some((lines, known)) => (&lines[..], *known),
            None if i == 3 => (&c.prestop[..], c.prestop_known),
            None => (&[][..], false),
        };
        let path: &[&str] = match what {
            "preStop hook" => &["lifecycle", "preStop", "exec"],
            probe => &[probe, "exec"],
        };
        let exec = node
            .and_then(|n| path.iter().try_fold(n, |n, key| lazy::field_node(n, key)))
            .filter(|n| n.is_map());
        let mut e = Fields::default();
        e.insert("what", text(what));
        e.insert("known", boolean(known));
        e.insert("text", texts(lines));
        e.insert(
            "at",
            match exec {
                Some(n) => yaml_value(n, locs, None),
                None => Fields::default().build(),
            },
        );
        execs.push(e.build());
    }
    m.push(("execs", list(execs)));
    for (field, key) in [("limits", "limits"), ("requests", "requests")] {
        let mut q = Fields::default();
        if let Some(res) = node.and_then(|n| n.path(&["resources", key])) {
            for (k, v) in res.entries() {
                if let Some(k) = k.as_str() {
                    q.insert(k, quantity_value(v, locs));
                }
            }
            q.insert("loc", locs.add(res.span, None));
        }
        if field == "limits" && !q.contains("memory") {
            if let Some((crate::valkey::operator::Operator::Hyperspike, _)) = &w.operator {
                // hyperspike's operator applies 150m / 192Mi when spec.resources is not set.
                let mut d = Fields::default();
                d.insert("raw", text("192Mi (operator default)"));
                d.insert("bytes", int(192 << 20));
                q.insert("memory", d.build());
            }
        }
        m.push((field, q.build()));
    }
    if let Some(n) = node {
        if let Some(name) = n.entry("name") {
            anchors.insert("container".into(), locs.add_index(name.0.span, None));
        }
        for key in [
            "resources",
            "lifecycle",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "securityContext",
        ] {
            if let Some(v) = key_loc(n, key, locs) {
                anchors.insert(format!("container.{key}"), v);
            }
        }
        if let Some(v) = n
            .path(&["resources"])
            .and_then(|r| key_loc(r, "limits", locs))
        {
            anchors.insert("container.limits".into(), v);
        }
    }
    // Absent lists are [] so that rules need no has() chains.
    let empty_lists = &["env", "envFrom", "volumeMounts", "ports", "command", "args"];
    match node {
        Some(n) if n.is_map() => yaml_map(
            n,
            locs,
            None,
            lazy::Overlay {
                set: m,
                empty_lists,
            },
        ),
        _ => {
            let mut f = Fields::default();
            for (k, v) in m {
                f.insert(k, v);
            }
            for key in empty_lists {
                f.insert(key, list(Vec::new()));
            }
            f.build()
        }
    }
}

fn valkey_value<'a>(w: &Workload, c: &'a ServerContainer, locs: &mut Locs<'_>) -> BoxVal<'a> {
    let mut m = Fields::default();
    for setting in &c.config.settings {
        let d = directives::lookup(&setting.name);
        let sensitive = d.is_some_and(|d| d.sensitive);
        let mut e = Fields::default();
        if sensitive {
            e.insert("value", text("<redacted>"));
            e.insert("empty", boolean(setting.args.iter().all(|a| a.is_empty())));
        } else if setting.name == "user" {
            // ACL users: keep the name and rules, never a password or its hash.
            let shown: Vec<String> = setting
                .args
                .iter()
                .map(|a| match a.chars().next() {
                    Some(c @ ('>' | '<' | '#' | '!')) => format!("{c}<redacted>"),
                    _ => a.clone(),
                })
                .collect();
            e.insert("value", owned(&shown.join(" ")));
            e.insert("args", list(shown.iter().map(|a| owned(a)).collect()));
        } else {
            e.insert("value", owned(&setting.value()));
            e.insert("args", texts(&setting.args));
            if let Some(first) = setting.args.first() {
                if matches!(d.map(|d| d.kind), Some(directives::Kind::Memory { .. })) {
                    if let Ok(b) = parse_memory(first) {
                        e.insert("bytes", int(b.min(i64::MAX as u64) as i64));
                    }
                }
                if let Ok(i) = first.parse::<i64>() {
                    e.insert("int", int(i));
                }
                if first.eq_ignore_ascii_case("yes") || first.eq_ignore_ascii_case("no") {
                    e.insert("enabled", boolean(first.eq_ignore_ascii_case("yes")));
                }
            }
        }
        e.insert("literal", boolean(setting.literal));
        e.insert("source", text(&setting.origin));
        if let Some(span) = setting.span {
            let owner = owner_of(w, span);
            e.insert("loc", locs.add(span, owner));
        }
        // The last occurrence wins, as in valkey-server.
        m.insert(&setting.name, e.build());
    }
    m.build()
}

fn owner_of(w: &Workload, span: Span) -> Option<Arc<ObjectId>> {
    w.config_objects
        .iter()
        .find(|r| {
            r.doc.span.file == span.file
                && r.doc.span.start <= span.start
                && span.end <= r.doc.span.end
        })
        .map(|r| related_id(&r.entry))
}

fn server_value<'a>(w: &'a Workload, c: &'a ServerContainer, locs: &mut Locs<'_>) -> BoxVal<'a> {
    let cfg = &c.config;
    let mut m = Fields::default();
    let yes = |n: &str| {
        cfg.get(n)
            .is_some_and(|s| s.value().eq_ignore_ascii_case("yes"))
    };
    let save = cfg.save_points();
    let aof = yes("appendonly");
    m.insert("configKnown", boolean(cfg.unknown.is_empty()));
    m.insert("unknownReasons", texts(&cfg.unknown));
    m.insert("conditional", texts(&cfg.conditional));
    m.insert("aof", boolean(aof));
    m.insert("rdb", boolean(!save.is_empty()));
    m.insert("persistence", boolean(aof || !save.is_empty()));
    m.insert("clusterEnabled", boolean(yes("cluster-enabled")));
    let setting = |n: &str, default: i64| -> Option<i64> {
        match cfg.get(n) {
            Some(s) if s.literal => s.args.first().and_then(|a| a.parse().ok()),
            Some(_) => None,
            None => Some(default),
        }
    };
    if let Some(port) = setting("port", 6379) {
        m.insert("port", int(port));
    }
    // The bus port is cluster-port, else 10000 above the client port the cluster announces:
    // the TLS port with `tls-cluster yes`, the plain port otherwise (defaultClientPort()).
    let client = if yes("tls-cluster") {
        setting("tls-port", 0)
    } else {
        setting("port", 6379)
    };
    if let (Some(cp), Some(client)) = (setting("cluster-port", 0), client) {
        let bus = if cp == 0 {
            client.saturating_add(10000)
        } else {
            cp
        };
        m.insert("clusterBusPort", int(bus));
    }
    if let Some(tls) = setting("tls-port", 0) {
        m.insert("tlsPort", int(tls));
        m.insert("tlsEnabled", boolean(tls > 0));
    }
    // Auth: a password (even one set from a variable at run time), an ACL file, or ACL users.
    let auth = cfg
        .get("requirepass")
        .is_some_and(|s| !s.literal || s.args.iter().any(|a| !a.is_empty()))
        || cfg.get("aclfile").is_some_and(|s| !s.value().is_empty())
        || cfg.all("user").any(|u| {
            u.args.first().is_some_and(|n| n == "default")
                && u.args
                    .iter()
                    .any(|a| a.starts_with('>') || a.starts_with('#'))
        });
    m.insert("authEnabled", boolean(auth));
    // ACL users declared with `user` lines, in order (a later line for a user adds to it, as
    // ACL SETUSER does): name, on/off, nopass, whether a password is set. Never a password.
    let mut users: Vec<(String, bool, bool, bool, Option<Span>)> = Vec::new();
    for u in cfg.all("user").filter(|u| u.literal) {
        let Some(name) = u.args.first() else { continue };
        let i = match users.iter().position(|x| &x.0 == name) {
            Some(i) => i,
            None => {
                users.push((name.clone(), false, false, false, u.span));
                users.len() - 1
            }
        };
        for rule in &u.args[1..] {
            let r = rule.to_ascii_lowercase();
            let e = &mut users[i];
            match r.as_str() {
                "on" => e.1 = true,
                "off" => e.1 = false,
                "nopass" => {
                    e.2 = true;
                    e.3 = false;
                }
                "resetpass" | "reset" => {
                    e.2 = false;
                    e.3 = false;
                }
                _ if r.starts_with('>') || r.starts_with('#') => {
                    e.2 = false;
                    e.3 = true;
                }
                _ => {}
            }
        }
    }
    let users: Vec<BoxVal> = users
        .into_iter()
        .map(|(name, on, nopass, password, span)| {
            let mut e = Fields::default();
            e.insert("name", owned(&name));
            e.insert("on", boolean(on));
            e.insert("nopass", boolean(nopass));
            e.insert("password", boolean(password));
            if let Some(span) = span {
                e.insert("loc", locs.add(span, owner_of(w, span)));
            }
            e.build()
        })
        .collect();
    m.insert("users", list(users));
    if let Some(n) = c.cluster_replicas.filter(|n| *n >= 0) {
        m.insert("clusterReplicasPerShard", int(n));
    }
    if let Some(net) = network_value(w, &m) {
        m.insert("network", net);
    }
    if let Some((path, volume)) = &c.data_dir {
        let mut d = Fields::default();
        d.insert("path", text(path));
        d.insert("volume", text(volume));
        m.insert("dataDir", d.build());
    }
    m.insert("mode", text(w.mode.as_str()));
    let errors: Vec<BoxVal> = cfg
        .errors
        .iter()
        .map(|e| {
            let mut em = Fields::default();
            em.insert("directive", text(&e.directive));
            em.insert("message", text(&e.message));
            em.insert("hint", text(e.hint.as_deref().unwrap_or("")));
            em.insert("source", text(&e.origin));
            if let Some(span) = e.span {
                let owner = owner_of(w, span);
                em.insert("loc", locs.add(span, owner));
            }
            em.build()
        })
        .collect();
    m.insert("configErrors", list(errors));
    // Earlier occurrences of single-value directives that a later one silently replaces.
    let mut overridden = Vec::new();
    for (i, st) in cfg.settings.iter().enumerate() {
        let Some(d) = directives::lookup(&st.name) else {
            continue;
        };
        if matches!(d.kind, directives::Kind::Multi | directives::Kind::Save) {
            continue;
        }
        let Some(winner) = cfg.settings[i + 1..]
            .iter()
            .rev()
            .find(|w| w.name == st.name)
        else {
            continue;
        };
        if winner.args == st.args && winner.origin == st.origin {
            continue;
        }
        let shown = |x: &crate::valkey::model::Setting| {
            if d.sensitive {
                "<redacted>".to_string()
            } else {
                x.value()
            }
        };
        let mut o = Fields::default();
        o.insert("directive", text(&st.name));
        o.insert("value", owned(&shown(st)));
        o.insert("source", text(&st.origin));
        o.insert("winnerValue", owned(&shown(winner)));
        o.insert("winnerSource", text(&winner.origin));
        o.insert("sameValue", boolean(winner.args == st.args));
        if let Some(span) = st.span {
            o.insert("loc", locs.add(span, owner_of(w, span)));
        }
        if let Some(span) = winner.span {
            let mut wl = Fields::default();
            wl.insert("loc", locs.add(span, owner_of(w, span)));
            o.insert("winner", wl.build());
        }
        overridden.push(o.build());
    }
    m.insert("overridden", list(overridden));
    let operator_overrides: Vec<BoxVal> = w
        .operator
        .iter()
        .flat_map(|(_, o)| o.iter())
        .map(|o| {
            let mut e = Fields::default();
            e.insert("directive", text(&o.directive));
            e.insert("value", text(&o.value));
            e.insert("outcome", text(&o.outcome));
            e.insert("loc", locs.add(o.span, None));
            e.build()
        })
        .collect();
    m.insert("operatorOverrides", list(operator_overrides));
    // `cluster-enabled` line, to point at when a cluster default is the problem.
    if let Some(span) = cfg.get("cluster-enabled").and_then(|s| s.span) {
        let mut ce = Fields::default();
        ce.insert("loc", locs.add(span, owner_of(w, span)));
        m.insert("clusterEnabledAt", ce.build());
    }
    m.build()
}

impl<'a> Subject<'a> {
    /// The subject for container rules (the workload's variables too).
    pub fn container(w: &'a Workload, c: &'a ServerContainer) -> Subject<'a> {
        let mut locs = Locs::default();
        let mut anchors = HashMap::new();
        let wv = workload_value(w, &mut locs, &mut anchors);
        let cv = container_value(w, c, &mut locs, &mut anchors);
        let vv = valkey_value(w, c, &mut locs);
        let sv = server_value(w, c, &mut locs);
        Subject {
            vars: vec![
                ("workload", wv),
                ("container", cv),
                ("valkey", vv),
                ("server", sv),
            ],
            locs,
            anchors,
        }
    }
}

/// Evaluates object rules against one object (a Job, a ServiceMonitor…).
pub fn evaluate_object(
    env: &Arc<Env>,
    rules: &[Bound],
    entry: &crate::k8s::Entry,
    doc: &Node,
    extra: Vec<(&'static str, BoxVal<'static>)>,
    out: &mut Vec<Finding>,
) {
    let mut locs = Locs::default();
    let mut anchors = HashMap::new();
    let v = yaml_value(doc, &mut locs, None);
    if let Some((k, _)) = doc.entry("kind") {
        anchors.insert("object".into(), locs.add_index(k.span, None));
    }
    let mut vars = vec![("object", v)];
    if entry.kind == "ConfigMap" {
        let b = plain_booleans(doc.get("data"), &mut |sp| locs.add(sp, None));
        vars.push(("plainBooleans", b));
    }
    vars.extend(extra);
    let subject = Subject {
        vars,
        locs,
        anchors,
    };
    let mut ctx = root_context(env);
    for (name, v) in &subject.vars {
        ctx.add_variable_as_val(*name, v.clone_as_boxed());
    }
    let id = related_id(entry);
    for (rule, params) in rules.iter().filter(|(r, _)| r.kinds.contains(&entry.kind)) {
        let mut scope = ctx.new_inner_scope();
        scope.add_variable_as_val("params", params.clone_as_boxed());
        run_rule(rule, &scope, &subject, out, &|| {
            (id.clone(), entry.doc.slice.template.clone(), doc.span)
        });
    }
}

/// What a ServiceMonitor would scrape: the Services its selector matches in the namespaces its
/// `namespaceSelector` allows (`services`), the ones it matches elsewhere (`elsewhere`), and
/// whether any of them serves Valkey pods (`valkey`).
pub fn servicemonitor_targets(
    sm: &Node,
    entry: &crate::k8s::Entry,
    index: &crate::valkey::model::Index,
    valkey_services: &std::collections::HashSet<(String, String)>,
) -> BoxVal<'static> {
    let ns_sel = sm.path(&["spec", "namespaceSelector"]);
    let any = ns_sel.and_then(|n| n.get("any")).and_then(Node::as_bool) == Some(true);
    let names: Vec<&str> = ns_sel
        .and_then(|n| n.get("matchNames"))
        .map_or(&[][..], Node::items)
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let allowed = |ns: &str| {
        any || if names.is_empty() {
            ns == entry.namespace
        } else {
            names.contains(&ns)
        }
    };
    let selector = entry.selector.clone().unwrap_or_default();
    let (mut inside, mut elsewhere) = (Vec::new(), Vec::new());
    let mut valkey = false;
    // The index keeps a Service's port names: no Service is parsed again.
    let describe = |svc: &crate::k8s::Entry| -> Option<BoxVal<'static>> {
        let mut m = Fields::default();
        m.insert("name", owned(&svc.name));
        m.insert("namespace", owned(&svc.namespace));
        let ports: Vec<BoxVal> = svc.port_names.iter().map(|p| owned(p)).collect();
        m.insert("portNames", list(ports));
        Some(m.build())
    };
    // The namespaces it looks in first (a lookup per namespace), every Service only when it
    // finds nothing there, to say where the matching ones are.
    let looked: Vec<&crate::k8s::Entry> = if any {
        index
            .all_of("Service")
            .into_iter()
            .filter(|e| selector.matches(&e.labels))
            .collect()
    } else if names.is_empty() {
        index.labeled("Service", &entry.namespace, &selector)
    } else {
        names
            .iter()
            .flat_map(|n| index.labeled("Service", n, &selector))
            .collect()
    };
    for svc in looked {
        valkey |= valkey_services.contains(&(svc.namespace.clone(), svc.name.clone()));
        inside.extend(describe(svc));
    }
    if inside.is_empty() {
        for svc in index
            .all_of("Service")
            .into_iter()
            .filter(|e| !allowed(&e.namespace) && selector.matches(&e.labels))
        {
            valkey |= valkey_services.contains(&(svc.namespace.clone(), svc.name.clone()));
            elsewhere.extend(describe(svc));
        }
    }
    let mut t = Fields::default();
    t.insert("services", list(inside));
    t.insert("elsewhere", list(elsewhere));
    t.insert("valkey", boolean(valkey));
    t.build()
}

/// Whether a scalar is written the way Kubernetes' YAML 1.1 decoder turns into a boolean
/// (`yes`, `no`, `on`, `off`, `y`, `n`, `true`, `false`, unquoted, any case).
pub fn yaml11_boolean(n: &Node) -> bool {
    matches!(&n.value, crate::yaml::Value::Scalar(v, crate::yaml::Style::Plain)
        if matches!(v.to_ascii_lowercase().as_str(), "y" | "yes" | "n" | "no" | "on" | "off" | "true" | "false"))
}

/// Entries of `map` whose values are unquoted YAML 1.1 booleans: `[{key, value, loc}]`.
pub fn plain_booleans<'a>(
    map: Option<&'a Node>,
    locs_for: &mut dyn FnMut(Span) -> BoxVal<'static>,
) -> BoxVal<'a> {
    let items: Vec<BoxVal> = map
        .map_or(&[][..], Node::entries)
        .iter()
        .filter(|(_, v)| yaml11_boolean(v))
        .map(|(k, v)| {
            let mut m = Fields::default();
            m.insert("key", text(k.as_str().unwrap_or_default()));
            m.insert("value", text(v.as_str().unwrap_or_default()));
            m.insert("loc", locs_for(v.span));
            m.build()
        })
        .collect();
    list(items)
}

/// Shared CEL environment with our functions.
pub fn env() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::stdlib();
        // Strings (join, replace, lowerAscii, split…) and lists (flatten, distinct, sort…), as
        // in Kubernetes CEL; the standard library alone cannot join a list for a message.
        let _ = env.add_extension(cel::extensions::strings);
        let _ = env.add_extension(cel::extensions::lists);
        // Ours, as overloads of the environment: they read their arguments in place.
        use cel::common::types::{DYN_TYPE, STRING_TYPE};
        let _ = env.add_overload(
            "regexMatch",
            "regexMatch_string_string",
            vec![STRING_TYPE, STRING_TYPE],
            regex_match,
        );
        let _ = env.add_overload(
            super::load::ANY_MATCH,
            "anyRegexMatch_dyn_string",
            vec![DYN_TYPE, STRING_TYPE],
            any_regex_match,
        );
        let _ = env.add_overload(
            super::load::ANY_MATCH_STRING,
            "anyRegexMatchString_dyn_string",
            vec![DYN_TYPE, STRING_TYPE],
            any_regex_match_string,
        );
        let _ = env.add_overload(
            "selectorMatches",
            "selectorMatches_dyn_dyn",
            vec![DYN_TYPE, DYN_TYPE],
            selector_matches,
        );
        Arc::new(env)
    })
    .clone()
}

fn root_context(env: &Arc<Env>) -> Context<'static, 'static> {
    Context::with_env(env.clone())
}

/// `regexMatch(text, pattern)`: RE2-style matching with the pattern compiled once per process.
fn regex_match<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [text, pattern] = &args[..] else {
        return Err(ExecutionError::function_error(
            "regexMatch",
            "takes a text and a pattern",
        ));
    };
    let (Some(text), Some(pattern)) = (
        text.downcast_ref::<CelString>(),
        pattern.downcast_ref::<CelString>(),
    ) else {
        return Err(ExecutionError::function_error(
            "regexMatch",
            "takes two strings",
        ));
    };
    // An invalid pattern (only one built at run time can be: literal ones are checked when the
    // rule loads) matches nothing, and its text, which may come from the input, is not echoed.
    let matched = regex_is_match(pattern.inner(), text.inner()).unwrap_or(false);
    Ok(CowVal::owned(CelBool::from(matched)))
}

/// `items.exists(x, regexMatch(x, pattern))` in one call (see [`super::load::ANY_MATCH`]):
/// true when a string element matches; otherwise the overload error of the last element that
/// is not a string, if any, as the comprehension would give.
fn any_regex_match<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    regex_match_any(args, false)
}

/// `items.exists(x, regexMatch(string(x), pattern))` in one call (see
/// [`super::load::ANY_MATCH_STRING`]): each element that is not a string is converted by the
/// environment's own `string` overloads, so the result and the errors are the comprehension's.
fn any_regex_match_string<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    regex_match_any(args, true)
}

fn regex_match_any<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    convert: bool,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [items, pattern] = &args[..] else {
        return Err(ExecutionError::function_error(
            "exists",
            "takes a list and a pattern",
        ));
    };
    let Some(pattern) = pattern.downcast_ref::<CelString>() else {
        return Err(ExecutionError::function_error("exists", "takes a pattern"));
    };
    let Some(iterable) = items.as_iterable() else {
        return Err(ExecutionError::UnexpectedType {
            got: items.get_type().name().to_owned(),
            want: "iterable".to_owned(),
        });
    };
    let mut pending = None;
    let mut elements = iterable.iter();
    let env = convert.then(env);
    while let Some(item) = elements.next() {
        let converted;
        let item = match &env {
            Some(env) if item.downcast_ref::<CelString>().is_none() => {
                let args = vec![CowVal::Borrowed(item)];
                let result = match env.find_overload("string", &args) {
                    Some(string) => string(args),
                    None => Err(ExecutionError::no_such_overload(
                        "string",
                        vec![item.get_type().name().to_owned()],
                    )),
                };
                match result {
                    Ok(text) => {
                        converted = text;
                        converted.as_ref()
                    }
                    Err(e) => {
                        pending = Some(e);
                        continue;
                    }
                }
            }
            _ => item,
        };
        match item.downcast_ref::<CelString>() {
            Some(text) => {
                if regex_is_match(pattern.inner(), text.inner()).unwrap_or(false) {
                    return Ok(CowVal::owned(CelBool::from(true)));
                }
            }
            None => {
                pending = Some(ExecutionError::no_such_overload(
                    "regexMatch",
                    vec![
                        item.get_type().name().to_owned(),
                        pattern.get_type().name().to_owned(),
                    ],
                ))
            }
        }
    }
    match pending {
        Some(e) => Err(e),
        None => Ok(CowVal::owned(CelBool::from(false))),
    }
}

/// `selectorMatches(selector, labels)`: Kubernetes label selector semantics.
fn selector_matches<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [selector, labels] = &args[..] else {
        return Err(ExecutionError::function_error(
            "selectorMatches",
            "takes a selector and labels",
        ));
    };
    let selector = selector_from_cel(selector.as_ref());
    let labels = labels_from_cel(labels.as_ref());
    Ok(CowVal::owned(CelBool::from(selector.matches(&labels))))
}

/// A rule with its parameters, converted once for the whole run.
pub type Bound<'r> = (&'r Rule, BoxVal<'static>);

/// Pairs each rule with its parameters (`params`), ready to bind.
pub fn bind<'r>(rules: &[&'r Rule], params: &dyn Fn(&Rule) -> Value) -> Vec<Bound<'r>> {
    rules.iter().map(|r| (*r, to_val(&params(r)))).collect()
}

/// Evaluates the workload rules and, for each valkey-server container, the container rules.
/// One CEL context per container holds every variable, so the workload's values are converted
/// once per container and the workload rules run in the first container's context.
pub fn evaluate(
    env: &Arc<Env>,
    workload_rules: &[Bound],
    container_rules: &[Bound],
    w: &Workload,
    out: &mut Vec<Finding>,
) {
    let id = object_id(w);
    let whole = w.doc.span;
    let owner = || (id.clone(), w.entry.doc.slice.template.clone(), whole);
    for (i, c) in server_containers(w).enumerate() {
        let subject = Subject::container(w, c);
        let mut ctx = root_context(env);
        for (name, v) in &subject.vars {
            ctx.add_variable_as_val(*name, v.clone_as_boxed());
        }
        let rules = if i == 0 { workload_rules } else { &[][..] };
        for (rule, params) in rules.iter().chain(container_rules) {
            let mut scope = ctx.new_inner_scope();
            scope.add_variable_as_val("params", params.clone_as_boxed());
            run_rule(rule, &scope, &subject, out, &owner);
        }
    }
}

type Owner<'a> = &'a dyn Fn() -> (Arc<ObjectId>, Option<Arc<str>>, Span);

/// Evaluates one rule in a scope that holds the subject's variables and `params`.
fn run_rule(rule: &Rule, scope: &Context, subject: &Subject, out: &mut Vec<Finding>, owner: Owner) {
    let applies = rule
        .conditions
        .iter()
        .all(|c| matches!(c.program.execute(scope), Ok(Value::Bool(true))));
    if !applies {
        return;
    }
    // The items stay in the interpreter's representation, moved out of the list and shared,
    // so that binding one and pointing at it copy nothing.
    let items: Vec<Option<BoxVal>> = match &rule.for_each {
        None => vec![None],
        Some(fe) => match fe.program.evaluate(scope) {
            Ok(l) => into_items(l).into_iter().map(Some).collect(),
            Err(e) => {
                out.push(rule_error(rule, &fe.source, &e.to_string(), fe.span));
                return;
            }
        },
    };
    for item in items {
        let mut s2 = scope.new_inner_scope();
        if let Some(it) = &item {
            s2.add_variable_as_val("item", it.clone_as_boxed());
        }
        match rule.expression.program.execute(&s2) {
            Ok(Value::Bool(true)) => {}
            Ok(Value::Bool(false)) => out.push(finding(rule, subject, &s2, item.as_deref(), owner)),
            Ok(other) => out.push(rule_error(
                rule,
                &rule.expression.source,
                &format!("expression returned {other:?}, not a bool"),
                rule.expression.span,
            )),
            Err(e) => out.push(rule_error(
                rule,
                &rule.expression.source,
                &e.to_string(),
                rule.expression.span,
            )),
        }
    }
}

fn rule_error(rule: &Rule, src: &str, err: &str, span: Span) -> Finding {
    let mut f = Finding::input(
        "rule-error",
        format!("rule {} failed to evaluate `{src}`: {err}", rule.id),
        Some(span),
    );
    f.file_name = Some(rule.file.clone());
    f
}

/// Renders a template; expressions that fail render as `?`.
pub fn render(t: &Template, ctx: &Context) -> String {
    let mut out = String::new();
    for p in &t.parts {
        match p {
            Part::Text(s) => out.push_str(s),
            Part::Expr(e) => match e.program.evaluate(ctx) {
                Ok(v) => out.push_str(&display_val(v.as_ref())),
                _ => out.push('?'),
            },
        }
    }
    // Kept until the report: without the room left over from growing.
    out.shrink_to_fit();
    out
}

/// A value of the interpreter as text for messages, as [`display`] shows it: a map (also a YAML
/// mapping read in place, which has no [`Value`] form) by its `raw`, `value` or `name`.
fn display_val(v: &dyn Val) -> String {
    match v.get_type().name() {
        "map" => ["raw", "value", "name"]
            .iter()
            .find_map(|k| field(v, k))
            .map_or_else(|| "{…}".into(), |f| display_val(f.as_ref())),
        "list" if v.downcast_ref::<cel::common::types::CelList>().is_some() => items(v)
            .iter()
            .map(|i| display_val(i.as_ref()))
            .collect::<Vec<_>>()
            .join(", "),
        _ => Value::try_from(v).map_or_else(|_| "?".into(), |v| display(&v)),
    }
}

/// A CEL value as text for messages.
pub fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 {
                format!("{f:.0}")
            } else {
                format!("{f}")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::List(l) => l.iter().map(display).collect::<Vec<_>>().join(", "),
        Value::Map(m) => {
            for k in ["raw", "value", "name"] {
                if let Some(v) = m.map.get(&Key::from(k.to_string())) {
                    return display(v);
                }
            }
            "{…}".into()
        }
        Value::Null => "null".into(),
        _ => format!("{v:?}"),
    }
}

/// Where an `at:` path points: the span, the object it lies in, and the segments that were
/// missing when only a parent could be found.
type Located = (Span, Option<Arc<ObjectId>>, Option<String>);

/// Resolves an `at:` path to a span, walking up to the nearest parent that exists. A key that
/// holds a list or a scalar (which carry no `loc`) is found through its parent mapping's node,
/// and the finding points at the key.
/// The model value at a dotted path (`item` is the `forEach` element).
fn value_at<'v>(subject: &'v Subject, item: Option<&'v dyn Val>, path: &str) -> Option<BoxVal<'v>> {
    let mut segs = path.split('.');
    let first = segs.next()?;
    let mut v: BoxVal<'v> = if first == "item" {
        item?.clone_as_boxed()
    } else {
        subject
            .vars
            .iter()
            .find(|(n, _)| *n == first)?
            .1
            .clone_as_boxed()
    };
    for seg in segs {
        v = field(v.as_ref(), seg)?.into_owned();
    }
    Some(v)
}

/// The `loc` of a model value (a mapping that has one).
fn loc_of(v: Option<BoxVal<'_>>) -> Option<usize> {
    let v = v?;
    let l = match field(v.as_ref(), "loc") {
        Some(l) => as_int(l.as_ref())?,
        None => as_int(v.as_ref())?,
    };
    // A negative number is no `loc`: out of range, it stops the search as before.
    Some(usize::try_from(l).unwrap_or(usize::MAX))
}

fn locate(at: &super::load::At, subject: &Subject, item: Option<&dyn Val>) -> Option<Located> {
    let at_loc = |l: usize, missing: Option<String>| -> Option<Located> {
        let (span, owner, _) = subject.locs.resolve(l)?;
        Some((span, owner, missing))
    };
    for (i, path) in at.prefixes.iter().enumerate() {
        let rest = (i > 0).then(|| &at.path[path.len() + 1..]);
        if let Some(&l) = subject.anchors.get(path) {
            return at_loc(l, rest.map(str::to_string));
        }
        let Some(l) = loc_of(value_at(subject, item, path)) else {
            continue;
        };
        // An exact hit on a mapping that is the value of a key: point at the key (`spec:`), as
        // a person would, when the parent mapping's node is known.
        if i == 0 {
            if let (Some(parent), Some(last)) = (at.prefixes.get(1), path.rsplit('.').next()) {
                if let Some(pl) = loc_of(value_at(subject, item, parent)) {
                    if let Some((_, owner, Some(node))) = subject.locs.resolve(pl) {
                        if let Some((key, _)) = node.entry(last) {
                            return Some((key.span, owner, None));
                        }
                    }
                }
            }
        }
        if let (Some(rest), Some((_, owner, Some(node)))) = (rest, subject.locs.resolve(l)) {
            // Walk the remaining keys in the YAML itself.
            let mut current: &Node = node;
            let segments: Vec<&str> = rest.split('.').collect();
            for (j, seg) in segments.iter().enumerate() {
                match current.entry(seg) {
                    Some((key, _)) if j + 1 == segments.len() => {
                        return Some((key.span, owner, None));
                    }
                    Some((_, value)) => current = value,
                    None => break,
                }
            }
        }
        return at_loc(l, rest.map(str::to_string));
    }
    None
}

fn finding(
    rule: &Rule,
    subject: &Subject,
    ctx: &Context,
    item: Option<&dyn Val>,
    owner: Owner,
) -> Finding {
    let (object, template, whole) = owner();
    let located = rule
        .at
        .iter()
        .find_map(|a| locate(a, subject, item).filter(|(_, _, missing)| missing.is_none()))
        .or_else(|| rule.at.first().and_then(|a| locate(a, subject, item)));
    let (span, owner, missing) = match located {
        Some((span, owner, missing)) => (Some(span), owner, missing),
        None => (Some(whole), None, None),
    };
    let mut label = rule.label.as_ref().map(|t| render(t, ctx));
    if let Some(m) = missing.filter(|_| rule.label.is_none()) {
        let add = format!("add `{m}` here");
        label = Some(match label {
            Some(l) => format!("{l}; {add}"),
            None => add,
        });
    }
    let mut related = Vec::new();
    for also in &rule.also {
        if let Some((span, object, None)) = locate(&also.at, subject, item) {
            related.push(Label {
                span,
                text: render(&also.label, ctx),
                object,
            });
        }
    }
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: render(&rule.message, ctx),
        help: match &rule.help.constant {
            Some(text) => Some(text.clone()),
            None => Some(render(&rule.help, ctx).into()),
        }
        .filter(|h: &std::sync::Arc<str>| !h.is_empty()),
        span,
        label,
        related,
        object: Some(object),
        located_in: owner.clone(),
        // The template the user edits: the one of the object the primary span lies in.
        template: owner.as_ref().and_then(|o| o.template.clone()).or(template),
        file_name: None,
        input_error: false,
    }
}

/// Which containers a container rule runs on.
pub fn server_containers(w: &Workload) -> impl Iterator<Item = &ServerContainer> {
    w.containers.iter().filter(|c| c.role == Role::Server)
}

/// Default parameter values of a rule as a CEL map.
pub fn default_params(rule: &Rule) -> Value {
    map_value(
        rule.params
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect(),
    )
}
/// A scalar of a CEL value as label text.
fn str_of(v: &dyn Val) -> Option<String> {
    if let Some(s) = as_str(v) {
        Some(s.to_string())
    } else if let Some(i) = as_int(v) {
        Some(i.to_string())
    } else {
        as_bool(v).map(|b| b.to_string())
    }
}

fn labels_from_cel(v: &dyn Val) -> crate::k8s::Labels {
    entries(v)
        .into_iter()
        .filter(|(k, _)| *k != "loc")
        .filter_map(|(k, v)| Some((k.to_string(), str_of(v.as_ref())?)))
        .collect()
}

/// A Kubernetes `LabelSelector` given to CEL, with Kubernetes' semantics (used by
/// `selectorMatches(selector, labels)`, so that rules never re-implement selectors).
fn selector_from_cel(v: &dyn Val) -> crate::k8s::Selector {
    use crate::k8s::{Op, Requirement, Selector};
    let mut s = Selector {
        labels: field(v, "matchLabels")
            .map(|l| labels_from_cel(l.as_ref()))
            .unwrap_or_default()
            .into_iter()
            .collect(),
        ..Selector::default()
    };
    if let Some(exprs) = field(v, "matchExpressions") {
        for e in items(exprs.as_ref()) {
            let e = e.as_ref();
            let text_of = |key: &str| field(e, key).and_then(|v| str_of(v.as_ref()));
            let op = match text_of("operator").as_deref() {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                _ => {
                    s.invalid = true;
                    continue;
                }
            };
            let values = field(e, "values")
                .map(|l| {
                    items(l.as_ref())
                        .iter()
                        .filter_map(|v| str_of(v.as_ref()))
                        .collect()
                })
                .unwrap_or_default();
            s.exprs.push(Requirement {
                key: text_of("key").unwrap_or_default(),
                op,
                values,
            });
        }
    }
    s
}

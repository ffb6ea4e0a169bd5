//! Documents in, Kubernetes objects out: kind, name, namespace, labels and the selectors that
//! relate objects to pods, with Kubernetes' own label-selector semantics. The cross-document
//! index keeps only these few fields per object (a document is parsed again when a workload
//! needs its full text), so memory stays small on large inputs.

use crate::yaml::{DocSlice, Node};
use std::collections::BTreeMap;

/// Where a document lives, so that it can be parsed again on demand.
#[derive(Debug, Clone)]
pub struct DocRef {
    /// File id.
    pub file: u32,
    /// The document's byte range and Helm template.
    pub slice: DocSlice,
    /// The item of a `kind: List` document, when the object is one.
    pub item: Option<u32>,
}

/// `matchExpressions` operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `In`.
    In,
    /// `NotIn`.
    NotIn,
    /// `Exists`.
    Exists,
    /// `DoesNotExist`.
    DoesNotExist,
}

/// One `matchExpressions` requirement.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// Label key.
    pub key: String,
    /// Operator.
    pub op: Op,
    /// Values for `In` / `NotIn`.
    pub values: Vec<String>,
}

/// A label selector (`matchLabels` + `matchExpressions`, or a Service's plain map).
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// `matchLabels`.
    pub labels: Vec<(String, String)>,
    /// `matchExpressions`.
    pub exprs: Vec<Requirement>,
    /// An operator the selector uses that Kubernetes does not know: it matches nothing.
    pub invalid: bool,
}

/// Labels of a pod or object.
pub type Labels = BTreeMap<String, String>;

impl Selector {
    /// Reads a `LabelSelector` node (`matchLabels`/`matchExpressions`).
    pub fn from_label_selector(node: &Node) -> Selector {
        let mut s = Selector {
            labels: string_map(node.get("matchLabels")).into_iter().collect(),
            ..Selector::default()
        };
        for e in node.get("matchExpressions").map_or(&[][..], Node::items) {
            let op = match e.get("operator").and_then(Node::as_str) {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                _ => {
                    s.invalid = true;
                    continue;
                }
            };
            s.exprs.push(Requirement {
                key: e
                    .get("key")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                op,
                values: e
                    .get("values")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
            });
        }
        s
    }

    /// Reads a Service's `spec.selector` map.
    pub fn from_map(node: &Node) -> Selector {
        Selector {
            labels: string_map(Some(node)).into_iter().collect(),
            ..Selector::default()
        }
    }

    /// Whether the selector has no requirement at all (selects every pod in the namespace).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.exprs.is_empty() && !self.invalid
    }

    /// Whether pods with `labels` are selected (`NotIn` and `DoesNotExist` match absent keys).
    pub fn matches<L: LabelSet + ?Sized>(&self, labels: &L) -> bool {
        if self.invalid {
            return false;
        }
        let listed = |values: &[String], v: &str| values.iter().any(|x| x == v);
        self.labels
            .iter()
            .all(|(k, v)| labels.label(k) == Some(v.as_str()))
            && self.exprs.iter().all(|r| {
                let have = labels.label(&r.key);
                match r.op {
                    Op::In => have.is_some_and(|v| listed(&r.values, v)),
                    Op::NotIn => have.is_none_or(|v| !listed(&r.values, v)),
                    Op::Exists => have.is_some(),
                    Op::DoesNotExist => have.is_none(),
                }
            })
    }
}

/// Labels a selector is matched against.
pub trait LabelSet {
    /// The value of the label `key`.
    fn label(&self, key: &str) -> Option<&str>;
}

impl LabelSet for Labels {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

/// Labels as the index keeps them: sorted by key in one allocation (a `BTreeMap` of three
/// labels takes a node of eleven).
#[derive(Debug, Clone, Default)]
pub struct IndexLabels(Box<[(Box<str>, Box<str>)]>);

impl IndexLabels {
    /// The labels and their values, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }
}

impl From<Labels> for IndexLabels {
    fn from(labels: Labels) -> Self {
        IndexLabels(
            labels
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl LabelSet for IndexLabels {
    fn label(&self, key: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        Some(&self.0[i].1)
    }
}

/// A map of string keys to scalar values (labels, annotations, Service selectors).
pub fn string_map(node: Option<&Node>) -> Labels {
    node.map_or(&[][..], Node::entries)
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// What the index keeps of one object.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (empty when unset).
    pub namespace: String,
    /// `metadata.labels`, for Services (the objects selected by label); empty for others.
    pub labels: IndexLabels,
    /// The names of a Service's ports (`spec.ports[].name`), which ServiceMonitors refer to;
    /// empty for others.
    pub port_names: Box<[Box<str>]>,
    /// The selector that relates it to pods: PDB `spec.selector`, Service `spec.selector`,
    /// NetworkPolicy `spec.podSelector`, ServiceMonitor `spec.selector` (selects Services).
    pub selector: Option<Selector>,
    /// Where its document is.
    pub doc: DocRef,
    /// The whole parsed document, when the run keeps trees between its passes (small inputs);
    /// otherwise the second pass parses the document again from `doc`.
    pub tree: Option<std::sync::Arc<Node>>,
}

/// Kinds whose pods can run valkey-server.
pub const WORKLOAD_KINDS: &[&str] = &[
    "StatefulSet",
    "Deployment",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
];

impl Entry {
    /// Reads the indexed fields of a document; `None` when it is not a Kubernetes object.
    pub fn from_node(node: &Node, doc: DocRef) -> Option<Entry> {
        let kind = node.get("kind")?.as_str()?.to_string();
        let meta = node.get("metadata");
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        // Only Services are selected by label (by ServiceMonitors); other objects' labels are
        // not kept, to hold the index near a hundred bytes per document.
        let (labels, port_names) = if kind == "Service" {
            let ports = node
                .path(&["spec", "ports"])
                .map_or(&[][..], Node::items)
                .iter()
                .filter_map(|p| p.get("name").and_then(Node::as_str).map(Box::from))
                .collect();
            (string_map(meta.and_then(|m| m.get("labels"))).into(), ports)
        } else {
            (IndexLabels::default(), Box::default())
        };
        let spec = node.get("spec");
        let selector = match kind.as_str() {
            "PodDisruptionBudget" => spec
                .and_then(|s| s.get("selector"))
                .map(Selector::from_label_selector),
            "Service" => spec
                .and_then(|s| s.get("selector"))
                .filter(|n| !n.entries().is_empty())
                .map(Selector::from_map),
            "NetworkPolicy" => Some(
                spec.and_then(|s| s.get("podSelector"))
                    .map(Selector::from_label_selector)
                    .unwrap_or_default(),
            ),
            "ServiceMonitor" | "PodMonitor" => spec
                .and_then(|s| s.get("selector"))
                .map(Selector::from_label_selector),
            _ => None,
        };
        Some(Entry {
            api_version: node
                .get("apiVersion")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string(),
            kind,
            name,
            namespace,
            labels,
            port_names,
            selector,
            doc,
            tree: None,
        })
    }

    /// Whether pods of this kind may run valkey-server.
    pub fn is_workload(&self) -> bool {
        WORKLOAD_KINDS.contains(&self.kind.as_str())
    }
}

/// The Secrets and ConfigMaps a volume shows as files, as (kind, source, object name): a
/// `secret` or `configMap` volume, or those among a `projected` volume's sources. `None` for any
/// other volume type (emptyDir, PVC, downwardAPI…).
pub fn volume_objects(vol: &Node) -> Option<Vec<(&'static str, &Node, &str)>> {
    fn named<'a>(kind: &'static str, src: &'a Node) -> (&'static str, &'a Node, &'a str) {
        let key = if kind == "Secret" {
            src.get("secretName").or_else(|| src.get("name"))
        } else {
            src.get("name")
        };
        (kind, src, key.and_then(Node::as_str).unwrap_or_default())
    }
    let sources = if let Some(p) = vol.get("projected") {
        p.get("sources")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|s| {
                s.get("configMap")
                    .map(|n| named("ConfigMap", n))
                    .or_else(|| s.get("secret").map(|n| named("Secret", n)))
            })
            .collect()
    } else if let Some(n) = vol.get("configMap") {
        vec![named("ConfigMap", n)]
    } else {
        vec![named("Secret", vol.get("secret")?)]
    };
    Some(sources)
}

/// The Secrets and ConfigMaps a pod spec uses, as (kind, name): volumes (also projected), and
/// `env` / `envFrom` references of every container and init container.
pub fn referenced_objects(spec: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |kind: &str, name: Option<&str>| {
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            out.push((kind.to_string(), n.to_string()));
        }
    };
    for v in spec.get("volumes").map_or(&[][..], Node::items) {
        for (kind, _, name) in volume_objects(v).unwrap_or_default() {
            add(kind, Some(name));
        }
    }
    for list in ["containers", "initContainers"] {
        for c in spec.get(list).map_or(&[][..], Node::items) {
            for e in c.get("env").map_or(&[][..], Node::items) {
                let from = e.get("valueFrom");
                let name = |r: &str| from?.path(&[r, "name"]).and_then(Node::as_str);
                add("Secret", name("secretKeyRef"));
                add("ConfigMap", name("configMapKeyRef"));
            }
            for e in c.get("envFrom").map_or(&[][..], Node::items) {
                let name = |r: &str| e.path(&[r, "name"]).and_then(Node::as_str);
                add("Secret", name("secretRef"));
                add("ConfigMap", name("configMapRef"));
            }
        }
    }
    out
}

/// The pod template (or the Pod itself) of a workload document: (metadata, spec).
pub fn pod_template(doc: &Node) -> Option<(Option<&Node>, &Node)> {
    match doc.get("kind")?.as_str()? {
        "Pod" => Some((doc.get("metadata"), doc.get("spec")?)),
        _ => {
            let t = doc.path(&["spec", "template"])?;
            Some((t.get("metadata"), t.get("spec")?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one as node;

    #[test]
    fn selector_semantics() {
        let s = Selector::from_label_selector(&node(
            "matchLabels: {app: v}\nmatchExpressions:\n- {key: tier, operator: NotIn, values: [x]}\n- {key: role, operator: Exists}\n",
        ));
        let mut l = Labels::new();
        l.insert("app".into(), "v".into());
        l.insert("role".into(), "p".into());
        assert!(s.matches(&l), "NotIn matches an absent key");
        l.insert("tier".into(), "x".into());
        assert!(!s.matches(&l));
        let bad = Selector::from_label_selector(&node(
            "matchExpressions:\n- {key: a, operator: Bogus}\n",
        ));
        assert!(!bad.matches(&Labels::new()));
        assert!(Selector::default().matches(&Labels::new()));
    }
}

//! `.valkey-lint.yaml` in, run settings out: which rules and categories run, severity overrides,
//! rule parameters, path includes and excludes, and per-object excludes with a reason. The file
//! is read with spans, so an unknown key, an unknown rule id or a bad value is a diagnostic that
//! points into the config file, with "did you mean" when a known name is close.
//!
//! ```yaml
//! rules:
//!   disable: [tls-disabled]          # or enable: [...] to run only those
//!   categories: {disable: [tls]}     # or enable: [...]
//! severity:
//!   pdb-missing: error
//! params:
//!   maxmemory-above-limit: {ratio: 0.85}
//! paths:
//!   include: ["deploy/**"]
//!   exclude: ["**/vendor/**"]
//! objects:
//!   - {kind: StatefulSet, name: legacy-cache, namespace: cache, rules: [pdb-missing], reason: "vendored chart"}
//! ```

use crate::finding::{Finding, ObjectId, Severity};
use crate::rules::Rule;
use crate::source::SourceFile;
use crate::valkey::conf::edit_distance;
use crate::yaml::{parse_document, split_documents, Node, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file name looked up from the working folder upward.
pub const FILE_NAME: &str = ".valkey-lint.yaml";

/// An object excluded from some (or all) rules.
#[derive(Debug, Clone)]
pub struct ObjectExclude {
    /// Kind, or empty for any.
    pub kind: String,
    /// Name (a glob).
    pub name: globset::GlobMatcher,
    /// Namespace, or empty for any.
    pub namespace: String,
    /// Rule ids; empty for every rule.
    pub rules: Vec<String>,
}

/// Settings read from the config file.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// Only these rules (empty: all).
    pub enable: Vec<String>,
    /// Never these rules.
    pub disable: Vec<String>,
    /// Only these categories (empty: all).
    pub enable_categories: Vec<String>,
    /// Never these categories.
    pub disable_categories: Vec<String>,
    /// Severity per rule id.
    pub severity: BTreeMap<String, Severity>,
    /// Parameter overrides per rule id.
    pub params: BTreeMap<String, Vec<(String, cel::Value)>>,
    /// Path globs to check (empty: every input).
    pub include: Vec<String>,
    /// Path globs to skip.
    pub exclude: Vec<String>,
    /// Objects excluded from rules.
    pub objects: Vec<ObjectExclude>,
}

/// Finds `.valkey-lint.yaml` in `start` or the closest parent folder.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

struct Reader<'a> {
    errors: Vec<Finding>,
    rules: &'a [Rule],
    name: &'a str,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: String, help: Option<String>) {
        let mut f = Finding::input("config-error", message, Some(span));
        f.help = help.map(Into::into);
        f.file_name = Some(self.name.to_string());
        self.errors.push(f);
    }

    fn closest<'b>(&self, word: &str, options: impl Iterator<Item = &'b str>) -> Option<String> {
        options
            .map(|o| (edit_distance(word, o), o))
            .filter(|(d, o)| *d <= 2.max(o.len() / 4))
            .min_by_key(|(d, _)| *d)
            .map(|(_, o)| format!("did you mean `{o}`?"))
    }

    fn keys(&mut self, node: &Node, allowed: &[&str]) {
        if !matches!(node.value, crate::yaml::Value::Map(_)) {
            self.error(node.span, "expected a mapping".into(), None);
            return;
        }
        for (k, _) in node.entries() {
            let key = k.as_str().unwrap_or_default();
            if !allowed.contains(&key) {
                let hint = self.closest(key, allowed.iter().copied());
                self.error(k.span, format!("unknown key `{key}`"), hint);
            }
        }
    }

    fn rule_id(&mut self, node: &Node) -> Option<String> {
        let id = node.as_str().unwrap_or_default();
        if self.rules.iter().any(|r| r.id == id) {
            return Some(id.to_string());
        }
        let hint = self.closest(id, self.rules.iter().map(|r| r.id.as_str()));
        self.error(node.span, format!("unknown rule id `{id}`"), hint);
        None
    }

    fn strings(&mut self, node: Option<&Node>) -> Vec<(String, Span)> {
        let Some(node) = node else { return Vec::new() };
        if !matches!(node.value, crate::yaml::Value::Seq(_)) {
            self.error(node.span, "expected a list".into(), None);
            return Vec::new();
        }
        node.items()
            .iter()
            .filter_map(|i| match i.as_str() {
                Some(s) => Some((s.to_string(), i.span)),
                None => {
                    self.error(i.span, "expected a string".into(), None);
                    None
                }
            })
            .collect()
    }

    fn rule_ids(&mut self, node: Option<&Node>) -> Vec<String> {
        let Some(node) = node else { return Vec::new() };
        let items: Vec<Node> = node.items().to_vec();
        self.strings(Some(node));
        items.iter().filter_map(|i| self.rule_id(i)).collect()
    }

    fn categories(&mut self, node: Option<&Node>) -> Vec<String> {
        let known: Vec<String> = self.rules.iter().map(|r| r.category.clone()).collect();
        self.strings(node)
            .into_iter()
            .filter_map(|(c, span)| {
                if known.contains(&c) {
                    Some(c)
                } else {
                    let hint = self.closest(&c, known.iter().map(String::as_str));
                    self.error(span, format!("unknown category `{c}`"), hint);
                    None
                }
            })
            .collect()
    }
}

/// Reads a config file; errors are findings with spans into it (file id `file_id`).
pub fn read(
    file: &SourceFile,
    file_id: u32,
    path: &Path,
    rules: &[Rule],
) -> (Config, Vec<Finding>) {
    let mut cfg = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let mut r = Reader {
        errors: Vec::new(),
        rules,
        name: &file.name,
    };
    let docs = split_documents(&file.text);
    let root = match docs.first().map(|d| parse_document(&file.text, d, file_id)) {
        None | Some(Ok(None)) => return (cfg, Vec::new()),
        Some(Err(e)) => {
            r.error(e.span, format!("invalid YAML: {}", e.message), None);
            return (cfg, r.errors);
        }
        Some(Ok(Some(n))) => n,
    };
    r.keys(&root, &["rules", "severity", "params", "paths", "objects"]);
    if let Some(rules_node) = root.get("rules") {
        r.keys(rules_node, &["enable", "disable", "categories"]);
        cfg.enable = r.rule_ids(rules_node.get("enable"));
        cfg.disable = r.rule_ids(rules_node.get("disable"));
        if let Some(c) = rules_node.get("categories") {
            r.keys(c, &["enable", "disable"]);
            cfg.enable_categories = r.categories(c.get("enable"));
            cfg.disable_categories = r.categories(c.get("disable"));
        }
    }
    if let Some(sev) = root.get("severity") {
        for (k, v) in sev.entries() {
            let Some(id) = r.rule_id(k) else { continue };
            match v.as_str().and_then(Severity::parse) {
                Some(s) => {
                    cfg.severity.insert(id, s);
                }
                None => r.error(
                    v.span,
                    format!(
                        "severity `{}` is not one of error, warning, info",
                        v.as_str().unwrap_or("?")
                    ),
                    None,
                ),
            }
        }
    }
    if let Some(params) = root.get("params") {
        for (k, v) in params.entries() {
            let Some(id) = r.rule_id(k) else { continue };
            let Some(rule) = rules.iter().find(|x| x.id == id) else {
                continue;
            };
            let mut values = Vec::new();
            for (pk, pv) in v.entries() {
                let name = pk.as_str().unwrap_or_default();
                match rule.params.iter().find(|p| p.name == name) {
                    Some(p) => {
                        let value = crate::rules::load::yaml_to_cel(pv);
                        if std::mem::discriminant(&value) != std::mem::discriminant(&p.value)
                            && !matches!(
                                (&value, &p.value),
                                (cel::Value::Int(_), cel::Value::Float(_))
                            )
                        {
                            r.error(
                                pv.span,
                                format!(
                                    "parameter `{name}` of {id} takes a value like `{}`",
                                    p.default
                                ),
                                None,
                            );
                            continue;
                        }
                        let value = match (value, &p.value) {
                            (cel::Value::Int(i), cel::Value::Float(_)) => {
                                cel::Value::Float(i as f64)
                            }
                            (v, _) => v,
                        };
                        values.push((name.to_string(), value));
                    }
                    None => {
                        let hint = r.closest(name, rule.params.iter().map(|p| p.name.as_str()));
                        r.error(
                            pk.span,
                            format!("rule {id} has no parameter `{name}`"),
                            hint,
                        );
                    }
                }
            }
            cfg.params.insert(id, values);
        }
    }
    if let Some(paths) = root.get("paths") {
        r.keys(paths, &["include", "exclude"]);
        for (key, target) in [("include", &mut cfg.include), ("exclude", &mut cfg.exclude)] {
            for (g, span) in r.strings(paths.get(key)) {
                match globset::Glob::new(&g) {
                    Ok(_) => target.push(g),
                    Err(e) => r.error(span, format!("invalid glob `{g}`: {e}"), None),
                }
            }
        }
    }
    if let Some(objects) = root.get("objects") {
        for o in objects.items() {
            r.keys(o, &["kind", "name", "namespace", "rules", "reason"]);
            let reason = o.get("reason").and_then(Node::as_str).unwrap_or_default();
            if reason.trim().is_empty() {
                r.error(o.span, "an object exclude needs a `reason`".into(), None);
                continue;
            }
            let name = o.get("name").and_then(Node::as_str).unwrap_or("*");
            let name = match globset::Glob::new(name) {
                Ok(g) => g.compile_matcher(),
                Err(e) => {
                    r.error(o.span, format!("invalid name glob `{name}`: {e}"), None);
                    continue;
                }
            };
            cfg.objects.push(ObjectExclude {
                kind: o
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                name,
                namespace: o
                    .get("namespace")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string(),
                rules: r.rule_ids(o.get("rules")),
            });
        }
    }
    (cfg, r.errors)
}

impl Config {
    /// Whether a rule runs under this config.
    pub fn runs(&self, rule: &Rule) -> bool {
        (self.enable.is_empty() || self.enable.contains(&rule.id))
            && !self.disable.contains(&rule.id)
            && (self.enable_categories.is_empty()
                || self.enable_categories.contains(&rule.category))
            && !self.disable_categories.contains(&rule.category)
    }

    /// Whether findings of `rule` about `object` are excluded.
    pub fn excludes(&self, rule: &str, object: &ObjectId) -> bool {
        self.objects.iter().any(|o| {
            (o.kind.is_empty() || o.kind == object.kind)
                && (o.namespace.is_empty() || o.namespace == object.namespace)
                && o.name.is_match(&object.name)
                && (o.rules.is_empty() || o.rules.iter().any(|r| r == rule))
        })
    }
}

//! What every stage hands to the reporters: a finding with a rule id, a severity, words for
//! people, a primary span, related spans, and the object it is about.

use crate::yaml::Span;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Advisory.
    Info,
    /// Availability or security risk in production.
    Warning,
    /// The deployment will not start, loses data, or is open.
    Error,
}

impl Severity {
    /// Parses `error`, `warning` (or `warn`), `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Kubernetes object a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectId {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` (empty when unset).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// Helm template that produced it (`# Source:`), when known.
    #[serde(skip)]
    pub template: Option<std::sync::Arc<str>>,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A secondary location that explains a finding.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it is.
    pub text: String,
    /// The object it lies in, when not the finding's own.
    pub object: Option<Arc<ObjectId>>,
}

/// One diagnostic.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id (or `invalid-yaml`, `input-error`, `rule-error`, `config-error`).
    pub rule: String,
    /// Severity after configuration.
    pub severity: Severity,
    /// One sentence.
    pub message: String,
    /// How to fix it (shared by the findings of a rule whose help has no `${…}`).
    pub help: Option<std::sync::Arc<str>>,
    /// The primary location; `None` for an input that has no text (an unreadable path).
    pub span: Option<Span>,
    /// The label on the primary span.
    pub label: Option<String>,
    /// Related locations.
    pub related: Vec<Label>,
    /// What the finding is about (shared by the findings about it).
    pub object: Option<Arc<ObjectId>>,
    /// The object the primary span lies in, when it is not `object` (e.g. the ConfigMap).
    pub located_in: Option<Arc<ObjectId>>,
    /// Helm template that produced the object (`# Source:`).
    pub template: Option<std::sync::Arc<str>>,
    /// Display name of the file, for findings without a span.
    pub file_name: Option<String>,
    /// True for problems with the input itself (bad YAML, bad rule file): exit code 2.
    pub input_error: bool,
}

impl Finding {
    /// A finding about the input itself (unreadable file, bad YAML, bad rule or config file).
    pub fn input(rule: &str, message: String, span: Option<Span>) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity: Severity::Error,
            message,
            help: None,
            span,
            label: None,
            related: Vec::new(),
            object: None,
            located_in: None,
            template: None,
            file_name: None,
            input_error: true,
        }
    }
}

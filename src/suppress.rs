//! Suppressions written on the objects themselves: the annotation
//! `ignore.valkey-lint.io/<rule-id>: "<reason>"` on a workload, its pod template or any object
//! a rule applies to removes that rule's findings about it. A reason is required, the rule id
//! must exist, and an annotation that suppresses nothing is reported, so suppressions do not
//! outlive the problem they excused.

use crate::finding::{Finding, ObjectId, Severity};
use crate::yaml::{Node, Span};
use std::sync::Arc;

/// The annotation prefix.
pub const PREFIX: &str = "ignore.valkey-lint.io/";

/// One suppression annotation.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The rule id it names.
    pub rule: String,
    /// The reason given.
    pub reason: String,
    /// The annotation key.
    pub span: Span,
}

/// The suppressions on an object and, for workloads, on its pod template.
pub fn of(doc: &Node) -> Vec<Suppression> {
    let mut out = Vec::new();
    let places = [
        doc.path(&["metadata", "annotations"]),
        doc.path(&["spec", "template", "metadata", "annotations"]),
    ];
    for annotations in places.into_iter().flatten() {
        for (k, v) in annotations.entries() {
            let Some(rule) = k.as_str().and_then(|k| k.strip_prefix(PREFIX)) else {
                continue;
            };
            out.push(Suppression {
                rule: rule.to_string(),
                reason: v.as_str().unwrap_or_default().trim().to_string(),
                span: k.span,
            });
        }
    }
    out
}

/// Removes the findings that `suppressions` cover, and reports suppressions that are invalid
/// (no reason, unknown rule) or that suppressed nothing.
pub fn apply(
    findings: &mut Vec<Finding>,
    suppressions: &[Suppression],
    object: &Arc<ObjectId>,
    template: Option<&Arc<str>>,
    rule_ids: &[&str],
    ran: &dyn Fn(&str) -> bool,
) {
    if suppressions.is_empty() {
        return;
    }
    let mut used = vec![false; suppressions.len()];
    findings.retain(|f| {
        let hit = suppressions.iter().position(|s| {
            s.rule == f.rule && !s.reason.is_empty() && f.object.as_ref() == Some(object)
        });
        if let Some(i) = hit {
            used[i] = true;
        }
        hit.is_none()
    });
    for (s, used) in suppressions.iter().zip(used) {
        let (rule, message, help) = if !rule_ids.contains(&s.rule.as_str()) {
            let suggestion = rule_ids
                .iter()
                .min_by_key(|r| crate::valkey::conf::edit_distance(&s.rule, r))
                .filter(|r| crate::valkey::conf::edit_distance(&s.rule, r) <= 3)
                .map(|r| format!("did you mean `{PREFIX}{r}`?"));
            (
                "suppression-invalid",
                format!("`{PREFIX}{}` names no rule", s.rule),
                suggestion.or(Some("`valkey-lint rules` lists the rule ids".into())),
            )
        } else if s.reason.is_empty() {
            (
                "suppression-invalid",
                format!("the suppression of {} gives no reason", s.rule),
                Some("write why the finding is acceptable here as the annotation's value".into()),
            )
        } else if !used && ran(&s.rule) {
            (
                "unused-suppression",
                format!("the suppression of {} matches no finding", s.rule),
                Some("remove the annotation: the problem it excused is gone".into()),
            )
        } else {
            continue;
        };
        findings.push(Finding {
            rule: rule.into(),
            severity: Severity::Warning,
            message,
            help: help.map(Into::into),
            span: Some(s.span),
            label: None,
            related: Vec::new(),
            object: Some(object.clone()),
            located_in: None,
            template: template.cloned(),
            file_name: None,
            input_error: false,
        });
    }
}

//! The run: rule files and input files in, findings out. Two passes over the documents keep
//! memory flat on large inputs: the first parses every document once and keeps only a small
//! index entry (kind, name, namespace, labels, selector); the second parses the workloads again
//! with the ConfigMaps and related objects they name, builds the Valkey model and evaluates
//! the rules. Both passes use every core.

use crate::finding::Finding;
use crate::k8s::{DocRef, Entry};
use crate::par::{parallel_min, parallel_with};
use crate::rules::eval;
use crate::rules::load::{self, Rule, Subject};
use crate::source::{Behind, Files, SourceFile};
use crate::valkey::model::{self, Index};
use crate::yaml::{split_documents_with, Node, Value as YValue};
use std::path::Path;

/// Loads the built-in rules and every `*.yaml` in `dirs`; rule errors come back as findings.
pub fn load_rules(dirs: &[&Path], files: &mut Files) -> (Vec<Rule>, Vec<Finding>) {
    let mut texts: Vec<(String, String)> = load::BUILTIN
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let mut errors = Vec::new();
    for dir in dirs {
        match std::fs::read_dir(dir) {
            Ok(rd) => {
                let mut paths: Vec<_> = rd
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                    })
                    .collect();
                paths.sort();
                for p in paths {
                    match std::fs::read_to_string(&p) {
                        Ok(t) => texts.push((p.display().to_string(), t)),
                        Err(e) => errors.push(Finding::input(
                            "rule-error",
                            format!("cannot read rule file {}: {e}", p.display()),
                            None,
                        )),
                    }
                }
            }
            Err(e) => errors.push(Finding::input(
                "rule-error",
                format!("cannot read rules folder {}: {e}", dir.display()),
                None,
            )),
        }
    }
    let first = files.len();
    let ids: Vec<u32> = texts
        .into_iter()
        .map(|(name, text)| files.add(SourceFile::new(name, text)))
        .collect();
    // Compiling CEL is most of the start-up: the rule files are compiled on every core.
    let files: &Files = files;
    let builtin = load::BUILTIN.len();
    let compiled = parallel_min(&ids, 8, |&id| {
        load::load(files.get(id), id, id as usize >= first + builtin)
    });
    let mut rules: Vec<Rule> = Vec::new();
    for result in compiled {
        match result {
            Ok(rule) => {
                if let Some(prev) = rules.iter().position(|r| r.id == rule.id) {
                    // A user rule with a built-in id replaces the built-in one.
                    rules[prev] = rule;
                } else {
                    rules.push(rule);
                }
            }
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    (rules, errors)
}

/// Result of the first pass over one document.
enum Parsed {
    Objects(Vec<Entry>),
    Error(Box<Finding>),
}

/// Inputs up to this size keep every parsed document between the two passes, so the second
/// pass parses nothing again (with saphyr alone that was a quarter of a run; with the fast path
/// about a tenth). A tree takes ~15 times its text (measured on the
/// generated corpus), so the trees never take more than ~130 MB, whatever the input; larger
/// inputs keep the index alone and parse again the documents the second pass needs.
pub const KEEP_TREES_UP_TO: usize = 8 << 20;

fn index_document(files: &Files, file: u32, slice: crate::yaml::DocSlice, keep: bool) -> Parsed {
    let f = files.get(file);
    let parsed = if keep {
        crate::yaml::parse_document(&f.text, &slice, file)
    } else {
        crate::yaml::parse_index_fields(&f.text, &slice, file)
    };
    // Items of a `kind: List` are copied out of their document; a whole document is moved.
    let tree = |node: &Node| keep.then(|| std::sync::Arc::new(node.clone()));
    match parsed {
        Err(e) => {
            let mut finding = Finding::input(
                "invalid-yaml",
                format!("invalid YAML: {}", e.message),
                Some(e.span),
            );
            finding.template = slice.template.clone();
            Parsed::Error(Box::new(finding))
        }
        Ok(None) => Parsed::Objects(Vec::new()),
        Ok(Some(node)) => {
            let doc = DocRef {
                file,
                slice,
                item: None,
            };
            if node.get("kind").and_then(Node::as_str) == Some("List") {
                let entries = node
                    .get("items")
                    .map_or(&[][..], Node::items)
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        let mut e = Entry::from_node(
                            item,
                            DocRef {
                                item: Some(i as u32),
                                ..doc.clone()
                            },
                        )?;
                        e.tree = tree(item);
                        Some(e)
                    })
                    .collect();
                return Parsed::Objects(entries);
            }
            match Entry::from_node(&node, doc) {
                Some(mut e) => {
                    e.tree = keep.then(|| std::sync::Arc::new(node));
                    Parsed::Objects(vec![e])
                }
                None => {
                    let what = match &node.value {
                        YValue::Map(_) => "a mapping without `kind`",
                        YValue::Seq(_) => "a sequence",
                        _ => "a scalar",
                    };
                    // The first line of the document: the same whether the tree was pruned
                    // for the index or kept whole.
                    let start = node.span.start as usize;
                    let end = f.text[start..]
                        .find('\n')
                        .map_or(f.text.len(), |i| start + i);
                    let mut finding = Finding::input(
                        "invalid-object",
                        format!("document is {what}, not a Kubernetes object"),
                        Some(crate::yaml::Span::new(file, start, end)),
                    );
                    finding.input_error = false;
                    finding.severity = crate::finding::Severity::Info;
                    Parsed::Error(Box::new(finding))
                }
            }
        }
    }
}

/// Checks the input files (ids in `inputs`) with `rules`.
pub fn check(
    files: &Files,
    inputs: &[u32],
    rules: &[Rule],
    params: &(dyn Fn(&Rule) -> cel::Value + Sync),
) -> Vec<Finding> {
    // Files are cut into documents on every core.
    let mut jobs = Vec::new();
    // The same scan indexes the lines, and gives back the pages of a mapped file behind it.
    let cut = parallel_min(inputs, 8, |&id| {
        let file = files.get(id);
        let mut behind = Behind::new(files);
        let (docs, lines) = split_documents_with(&file.text, |at| behind.at(id, at));
        file.set_lines(lines);
        docs
    });
    files.release_all();
    for (&id, slices) in inputs.iter().zip(cut) {
        jobs.extend(slices.into_iter().map(|slice| (id, slice)));
    }
    let size: usize = inputs.iter().map(|&id| files.get(id).text.len()).sum();
    // The budget can be lowered (`VALKEY_LINT_TREE_BUDGET=0`) to run the re-parsing path on
    // small inputs, as the tests do.
    let budget = std::env::var("VALKEY_LINT_TREE_BUDGET")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(KEEP_TREES_UP_TO);
    let keep = size <= budget;
    let t0 = std::time::Instant::now();
    let parsed = parallel_with(
        &jobs,
        64,
        || Behind::new(files),
        |behind, (id, slice)| {
            let parsed = index_document(files, *id, slice.clone(), keep);
            behind.at(*id, slice.end);
            parsed
        },
    );
    files.release_all();
    let t1 = std::time::Instant::now();
    let timings = std::env::var_os("VALKEY_LINT_TIMINGS").is_some();
    if timings {
        eprintln!("index pass done: {}", memory());
    }
    drop(jobs);
    let mut findings = Vec::new();
    // One allocation of the exact size: growing by doubling left up to half of it unused.
    let count = parsed
        .iter()
        .map(|p| match p {
            Parsed::Objects(e) => e.len(),
            Parsed::Error(_) => 0,
        })
        .sum();
    let mut entries = Vec::with_capacity(count);
    for p in parsed {
        match p {
            Parsed::Objects(mut e) => entries.append(&mut e),
            Parsed::Error(f) => findings.push(*f),
        }
    }
    let ti = std::time::Instant::now();
    let index = Index::new(&entries, files);
    if timings {
        eprintln!("index built in {:?}", ti.elapsed());
    }
    let workloads: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.is_workload() || crate::valkey::operator::detect(e).is_some())
        .collect();
    // Every rule id the annotations may name: built-in ones (enabled or not) and loaded ones.
    let mut known_ids: Vec<&str> = load::BUILTIN
        .iter()
        .filter_map(|(name, _)| name.rsplit('/').next()?.strip_suffix(".yaml"))
        .chain(rules.iter().map(|r| r.id.as_str()))
        .collect();
    known_ids.sort_unstable();
    known_ids.dedup();
    let ran = |id: &str| rules.iter().any(|r| r.id == id);
    // Each rule's parameters are converted once, and shared by every subject.
    let of = |kind: Subject| {
        let matching: Vec<&Rule> = rules.iter().filter(|r| r.subject == kind).collect();
        eval::bind(&matching, params)
    };
    let (workload_rules, container_rules, object_rules) = (
        of(Subject::Workload),
        of(Subject::Container),
        of(Subject::Object),
    );
    // Services that serve Valkey pods, for the rules about what scrapes them, and the Secrets
    // and ConfigMaps the Valkey pods use, for the rules about those objects.
    let valkey_services = std::sync::Mutex::new(std::collections::HashSet::new());
    let valkey_uses = std::sync::Mutex::new(std::collections::HashSet::new());
    let results = each_entry(files, &workloads, |entry, out| {
        let Some(doc) = index.parse(entry) else {
            return;
        };
        let built = match crate::valkey::operator::detect(entry) {
            Some(op) => crate::valkey::operator::build(entry, doc, op),
            None => model::build(entry, doc, &index),
        };
        let Some(w) = built else {
            return;
        };
        if let Ok(mut set) = valkey_services.lock() {
            set.extend(
                w.services
                    .iter()
                    .map(|e| (e.namespace.clone(), e.name.clone())),
            );
        }
        if let (Ok(mut set), Some(spec)) = (valkey_uses.lock(), w.pod_spec()) {
            for (kind, name) in crate::k8s::referenced_objects(spec) {
                set.insert((kind, entry.namespace.clone(), name));
            }
        }
        eval::evaluate(&eval::env(), &workload_rules, &container_rules, &w, out);
        let object = eval::object_id(&w);
        let suppressions = crate::suppress::of(&w.doc);
        let template = entry.doc.slice.template.as_ref();
        crate::suppress::apply(out, &suppressions, &object, template, &known_ids, &ran);
    });
    let t2 = std::time::Instant::now();
    if timings {
        eprintln!("workload pass done: {}", memory());
    }
    let valkey_services = valkey_services.into_inner().unwrap_or_default();
    let valkey_uses = valkey_uses.into_inner().unwrap_or_default();
    let objects: Vec<&Entry> = entries
        .iter()
        .filter(|e| object_rules.iter().any(|(r, _)| r.kinds.contains(&e.kind)))
        .collect();
    let object_results = each_entry(files, &objects, |entry, out| {
        if let Some(doc) = index.parse(entry) {
            let used = valkey_uses.contains(&(
                entry.kind.clone(),
                entry.namespace.clone(),
                entry.name.clone(),
            ));
            let mut extra = vec![("usedByValkey", crate::rules::shared::boolean(used))];
            if entry.kind == "ServiceMonitor" {
                extra.push((
                    "targets",
                    eval::servicemonitor_targets(&doc, entry, &index, &valkey_services),
                ));
            }
            eval::evaluate_object(&eval::env(), &object_rules, entry, &doc, extra, out);
            let object = eval::related_id(entry);
            let suppressions = crate::suppress::of(&doc);
            let template = entry.doc.slice.template.as_ref();
            crate::suppress::apply(out, &suppressions, &object, template, &known_ids, &ran);
        }
    });
    // One allocation for every finding: growing by doubling held two copies at the peak.
    findings.reserve_exact(
        object_results.iter().map(Vec::len).sum::<usize>()
            + results.iter().map(Vec::len).sum::<usize>(),
    );
    findings.extend(object_results.into_iter().flatten());
    if timings {
        eprintln!(
            "index {:?}, workloads {:?}, objects {:?}; {}",
            t1 - t0,
            t2 - t1,
            t2.elapsed(),
            memory()
        );
    }
    for mut r in results {
        findings.append(&mut r);
    }
    findings.sort_by(|a, b| {
        let key = |f: &Finding| f.span.map(|s| (s.file, s.start));
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    findings
}

/// The process's resident memory now and at its peak, for `VALKEY_LINT_TIMINGS` (Linux).
pub fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("?".to_string(), |v| v.trim().to_string())
    };
    format!("resident {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}

/// Runs `work` for each entry on every core, each [`guarded`], with the pages of mapped files
/// that a thread has gone past given back, and all of them once the pass is done.
fn each_entry<'a>(
    files: &Files,
    entries: &[&'a Entry],
    work: impl Fn(&'a Entry, &mut Vec<Finding>) + Sync,
) -> Vec<Vec<Finding>> {
    let results = parallel_with(
        entries,
        64,
        || Behind::new(files),
        |behind, entry| {
            behind.at(entry.doc.file, entry.doc.slice.start);
            guarded(entry, |out| work(entry, out))
        },
    );
    files.release_all();
    results
}

/// Runs the work for one object; a panic becomes an `internal-error` finding on that object
/// instead of taking the run down or silently dropping its findings.
fn guarded(entry: &Entry, work: impl FnOnce(&mut Vec<Finding>)) -> Vec<Finding> {
    let mut out = Vec::new();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut out)));
    if result.is_err() {
        let f = Finding::input(
            "internal-error",
            format!(
                "valkey-lint failed while checking {} {}; please report this with the manifest",
                entry.kind, entry.name
            ),
            Some(crate::yaml::Span::new(
                entry.doc.file,
                entry.doc.slice.start,
                entry.doc.slice.start,
            )),
        );
        return vec![f];
    }
    // The findings stay until the report: without the room left over from growing.
    out.shrink_to_fit();
    out
}

//! Rule files in, compiled rules out. Each rule is one YAML file (built-in ones are embedded at
//! build time; `--rules DIR` adds more). Every CEL expression, `${…}` interpolation and `at:`
//! path is compiled here, once, so a broken rule is reported with a span into its file before
//! any manifest is read.

use crate::finding::{Finding, Severity};
use crate::source::SourceFile;
use crate::yaml::{parse_document, split_documents, Node, Span, Value};
use std::collections::BTreeMap;

/// A parsed CEL expression (its macros expanded), evaluated against a context.
#[derive(Debug)]
pub struct Program(cel::IdedExpr);

impl Program {
    /// Evaluates the expression in `ctx`.
    pub fn execute(&self, ctx: &cel::Context) -> cel::ResolveResult {
        cel::Value::resolve(&self.0, ctx)
    }

    /// Evaluates the expression in `ctx`, keeping the result in the interpreter's own
    /// representation (no conversion to [`cel::Value`]).
    pub fn evaluate<'v>(
        &self,
        ctx: &cel::Context<'_, 'v>,
    ) -> Result<Box<dyn cel::common::value::Val + 'v>, cel::ExecutionError> {
        cel::Value::resolve_val(&self.0, ctx).map(|v| v.into_owned())
    }

    /// The expression tree.
    pub fn expression(&self) -> &cel::IdedExpr {
        &self.0
    }
}

/// A compiled CEL expression with its source.
#[derive(Debug)]
pub struct Expr {
    /// The expression text.
    pub source: String,
    /// The compiled program.
    pub program: Program,
    /// Where it stands in the rule file.
    pub span: Span,
}

/// Text with `${expr}` holes.
#[derive(Debug, Default)]
pub struct Template {
    /// The pieces in order.
    pub parts: Vec<Part>,
    /// The raw text, for docs.
    pub raw: String,
    /// The text, when it interpolates nothing: shared by every finding that shows it.
    pub constant: Option<std::sync::Arc<str>>,
}

/// A piece of a template.
#[derive(Debug)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// An interpolated expression.
    Expr(Expr),
}

/// What a rule is evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Once per workload running valkey-server.
    Workload,
    /// Once per valkey-server container.
    Container,
    /// Once per object of the kinds the rule names (`kinds:`), e.g. Jobs or ServiceMonitors.
    Object,
}

/// Where a finding points: a model path such as `valkey.maxmemory`.
#[derive(Debug)]
pub struct At {
    /// The dotted path.
    pub path: String,
    /// The path and each of its parents, longest first.
    pub prefixes: Vec<String>,
}

/// A related location of a finding.
#[derive(Debug)]
pub struct Also {
    /// Where.
    pub at: At,
    /// What to call it.
    pub label: Template,
}

/// A parameter: its default and its description.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Default value as YAML text.
    pub default: String,
    /// Default value for CEL.
    pub value: cel::Value,
}

/// A pass or fail example embedded in the rule.
#[derive(Debug, Clone)]
pub struct Example {
    /// True for a failing example.
    pub fail: bool,
    /// The manifest text.
    pub yaml: String,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Kebab-case id naming the problem.
    pub id: String,
    /// One line.
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// Category (memory, availability, cluster, config, …).
    pub category: String,
    /// What it is evaluated for.
    pub subject: Subject,
    /// For `appliesTo: object`, the kinds it applies to.
    pub kinds: Vec<String>,
    /// Parameters with defaults.
    pub params: Vec<Param>,
    /// All must be true for the rule to apply.
    pub conditions: Vec<Expr>,
    /// Optional list to evaluate the expression for, one finding per failing `item`.
    pub for_each: Option<Expr>,
    /// True when the deployment is fine.
    pub expression: Expr,
    /// The finding's message.
    pub message: Template,
    /// The label on the primary span.
    pub label: Option<Template>,
    /// How to fix it.
    pub help: Template,
    /// Where to point: the first path that exists, else the nearest parent of the first.
    pub at: Vec<At>,
    /// Related spans.
    pub also: Vec<Also>,
    /// Why it matters.
    pub rationale: String,
    /// Links.
    pub references: Vec<String>,
    /// Embedded examples.
    pub examples: Vec<Example>,
    /// The rule file's name.
    pub file: String,
}

/// The rule files compiled into the binary.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Compiles the rules of one file; errors are findings with spans into the rule file. With
/// `check_regexes`, the patterns passed to `regexMatch` are compiled now too (rules from
/// `--rules`); the built-in rules' patterns are compiled on first use, the test suite having
/// checked them (`tests/rule_files.rs`).
pub fn load(file: &SourceFile, file_id: u32, check_regexes: bool) -> Result<Rule, Vec<Finding>> {
    let docs = split_documents(&file.text);
    let err = |msg: String, span: Option<Span>| {
        let mut f = Finding::input("rule-error", msg, span);
        f.file_name = Some(file.name.clone());
        vec![f]
    };
    let Some(doc) = docs.first() else {
        return Err(err(format!("{}: empty rule file", file.name), None));
    };
    let root = match parse_document(&file.text, doc, file_id) {
        Ok(Some(n)) => n,
        Ok(None) => return Err(err(format!("{}: empty rule file", file.name), None)),
        Err(e) => return Err(err(format!("invalid YAML: {}", e.message), Some(e.span))),
    };
    let mut b = RuleBuilder {
        root: &root,
        errors: Vec::new(),
        file_name: &file.name,
        check_regexes,
    };
    let rule = b.build();
    if b.errors.is_empty() {
        if let Some(r) = rule {
            return Ok(r);
        }
    }
    Err(b.errors)
}

const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "category",
    "appliesTo",
    "kinds",
    "params",
    "matchConditions",
    "forEach",
    "expression",
    "message",
    "label",
    "help",
    "at",
    "also",
    "rationale",
    "references",
    "examples",
];

struct RuleBuilder<'a> {
    root: &'a Node,
    errors: Vec<Finding>,
    file_name: &'a str,
    check_regexes: bool,
}

impl RuleBuilder<'_> {
    fn error(&mut self, msg: String, span: Span) {
        let mut f = Finding::input("rule-error", msg, Some(span));
        f.file_name = Some(self.file_name.to_string());
        self.errors.push(f);
    }

    fn string(&mut self, key: &str, required: bool) -> Option<String> {
        match self.root.get(key) {
            Some(n) => match n.as_str() {
                Some(s) => Some(s.to_string()),
                None => {
                    self.error(format!("`{key}` must be a string"), n.span);
                    None
                }
            },
            None => {
                if required {
                    self.error(
                        format!("missing required key `{key}`"),
                        Span::new(
                            self.root.span.file,
                            self.root.span.start as usize,
                            self.root.span.start as usize,
                        ),
                    );
                }
                None
            }
        }
    }

    fn expr(&mut self, node: &Node) -> Option<Expr> {
        let Some(src) = node.as_str() else {
            self.error("expected a CEL expression (a string)".into(), node.span);
            return None;
        };
        match self.expr_source(src, node.span) {
            Ok(e) => Some(e),
            Err(e) => {
                self.error(format!("CEL does not compile: {e}"), node.span);
                None
            }
        }
    }

    /// Compiles `src`, written at `span` of the rule file.
    fn expr_source(&self, src: &str, span: Span) -> Result<Expr, String> {
        // Regexes of built-in rules are compiled on first use (the test suite checks them).
        let program = if self.check_regexes {
            compile(src)
        } else {
            compile_cel(src)
        }?;
        Ok(Expr {
            source: src.to_string(),
            program,
            span,
        })
    }

    fn template(&mut self, node: Option<&Node>) -> Template {
        let Some(node) = node else {
            return Template::default();
        };
        let Some(text) = node.as_str() else {
            self.error("expected text".into(), node.span);
            return Template::default();
        };
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(pos) = rest.find("${") {
            if pos > 0 {
                parts.push(Part::Text(rest[..pos].to_string()));
            }
            let after = &rest[pos + 2..];
            let Some(end) = matching_brace(after) else {
                self.error("unclosed `${` in text".into(), node.span);
                return Template::default();
            };
            let src = &after[..end];
            match self.expr_source(src, node.span) {
                Ok(e) => parts.push(Part::Expr(e)),
                Err(e) => {
                    self.error(format!("`${{{src}}}` does not compile: {e}"), node.span);
                    return Template::default();
                }
            }
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        let constant = match parts.as_slice() {
            [] => Some("".into()),
            [Part::Text(t)] => Some(t.as_str().into()),
            _ => None,
        };
        Template {
            parts,
            raw: text.to_string(),
            constant,
        }
    }

    fn at(&mut self, node: Option<&Node>, default: &str) -> At {
        let path = node.and_then(Node::as_str).unwrap_or(default).to_string();
        let valid = path.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if !valid {
            if let Some(n) = node {
                self.error(
                    format!("`at` must be a dotted model path, not `{path}`"),
                    n.span,
                );
            }
        }
        // Paths are walked over the model's values directly: no CEL program per prefix.
        let segs: Vec<&str> = path.split('.').collect();
        let prefixes = (1..=segs.len())
            .rev()
            .map(|n| segs[..n].join("."))
            .collect();
        At { path, prefixes }
    }

    fn build(&mut self) -> Option<Rule> {
        let root = self.root;
        for (k, _) in root.entries() {
            let key = k.as_str().unwrap_or_default();
            if !KNOWN_KEYS.contains(&key) {
                let hint = KNOWN_KEYS
                    .iter()
                    .min_by_key(|c| crate::valkey::conf::edit_distance(key, c))
                    .filter(|c| crate::valkey::conf::edit_distance(key, c) <= 3)
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                self.error(format!("unknown key `{key}`{hint}"), k.span);
            }
        }
        let id = self.string("id", true)?;
        if !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            if let Some(n) = root.get("id") {
                self.error(format!("rule id `{id}` must be kebab-case"), n.span);
            }
        }
        let title = self.string("title", true).unwrap_or_default();
        let severity = match self.string("severity", true) {
            Some(s) => match Severity::parse(&s) {
                Some(sev) => sev,
                None => {
                    if let Some(n) = root.get("severity") {
                        self.error(
                            format!("severity `{s}` is not one of error, warning, info"),
                            n.span,
                        );
                    }
                    Severity::Warning
                }
            },
            None => Severity::Warning,
        };
        let category = self.string("category", true).unwrap_or_default();
        let subject = match self.string("appliesTo", true).as_deref() {
            Some("workload") => Subject::Workload,
            Some("container") => Subject::Container,
            Some("object") => Subject::Object,
            other => {
                if let (Some(o), Some(n)) = (other, root.get("appliesTo")) {
                    self.error(
                        format!("appliesTo `{o}` is not one of workload, container, object"),
                        n.span,
                    );
                }
                Subject::Workload
            }
        };
        let kinds: Vec<String> = root
            .get("kinds")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        if subject == Subject::Object && kinds.is_empty() {
            self.error(
                "`appliesTo: object` needs `kinds:` (e.g. [Job])".into(),
                root.get("appliesTo").map_or(root.span, |n| n.span),
            );
        }
        let mut params = Vec::new();
        for (k, v) in root.get("params").map_or(&[][..], Node::entries) {
            let name = k.as_str().unwrap_or_default().to_string();
            params.push(Param {
                default: v.as_str().unwrap_or_default().to_string(),
                value: yaml_to_cel(v),
                name,
            });
        }
        let mut conditions = Vec::new();
        if let Some(mc) = root.get("matchConditions") {
            for item in mc.items() {
                if let Some(e) = self.expr(item) {
                    conditions.push(e);
                }
            }
        }
        let for_each = root.get("forEach").and_then(|n| self.expr(n));
        let expression = match root.get("expression") {
            Some(n) => self.expr(n),
            None => {
                self.string("expression", true);
                None
            }
        };
        let message = self.template(root.get("message"));
        if root.get("message").is_none() {
            self.string("message", true);
        }
        let label = root.get("label").map(|n| self.template(Some(n)));
        let help = self.template(root.get("help"));
        if root.get("help").is_none() {
            self.string("help", true);
        }
        let default_at = match subject {
            Subject::Workload => "workload",
            Subject::Container => "container",
            Subject::Object => "object",
        };
        let at = match root.get("at") {
            Some(n) if !n.items().is_empty() => n
                .items()
                .iter()
                .map(|i| self.at(Some(i), default_at))
                .collect(),
            other => vec![self.at(other, default_at)],
        };
        let mut also = Vec::new();
        for item in root.get("also").map_or(&[][..], Node::items) {
            let at = self.at(item.get("at"), default_at);
            let label = self.template(item.get("label"));
            also.push(Also { at, label });
        }
        let rationale = self.string("rationale", true).unwrap_or_default();
        let references = root
            .get("references")
            .map_or(&[][..], Node::items)
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        let mut examples = Vec::new();
        match root.get("examples") {
            Some(ex) => {
                for (k, v) in ex.entries() {
                    let kind = k.as_str().unwrap_or_default();
                    let fail = match kind {
                        "fail" => true,
                        "pass" => false,
                        _ => {
                            self.error(
                                format!("examples key `{kind}` must be pass or fail"),
                                k.span,
                            );
                            continue;
                        }
                    };
                    let texts: Vec<&Node> = match &v.value {
                        Value::Seq(items) => items.iter().collect(),
                        _ => vec![v],
                    };
                    for t in texts {
                        examples.push(Example {
                            fail,
                            yaml: t.as_str().unwrap_or_default().to_string(),
                        });
                    }
                }
                if !examples.iter().any(|e| e.fail) || !examples.iter().any(|e| !e.fail) {
                    self.error(
                        "examples need at least one `pass` and one `fail`".into(),
                        ex.span,
                    );
                }
            }
            None => {
                self.string("examples", true);
            }
        }
        Some(Rule {
            id,
            title,
            severity,
            category,
            subject,
            kinds,
            params,
            conditions,
            for_each,
            expression: expression?,
            message,
            label,
            help,
            at,
            also,
            rationale,
            references,
            examples,
            file: self.file_name.to_string(),
        })
    }
}

fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') if depth == 0 => return Some(i),
            (None, '}') => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Compiles a CEL expression and pre-compiles the regexes it passes to `regexMatch`.
pub fn compile(src: &str) -> Result<Program, String> {
    let program = compile_cel(src)?;
    for pattern in regex_literals(src) {
        super::eval::cached_regex(&pattern)?;
    }
    Ok(program)
}

/// Compiles a CEL expression alone.
///
/// The `cel` crate's hand-written Pratt parser (feature `parser_pratt`) reads the built-in
/// rules' 177 expressions in ~0.8 ms where its ANTLR parser (`Env::compile`) takes ~10 ms, which
/// was most of the start-up of a run. It expands the standard macros only, so an expression
/// that calls a macro the extensions add (`sortBy` of the lists extension) goes through the
/// environment's own parser. `tests/rule_files.rs` checks that both parsers build the same tree
/// for every built-in expression.
fn compile_cel(src: &str) -> Result<Program, String> {
    let parsed = if EXTENSION_MACROS.iter().any(|m| src.contains(m)) {
        super::eval::env().parser().parse(src)
    } else {
        pratt_parser().parse(src)
    };
    let mut expr = parsed.map_err(|e| e.to_string())?;
    fuse_matches(&mut expr);
    unqualify(&mut expr, &mut Vec::new());
    Ok(Program(expr))
}

/// The variables the model binds: `eval` binds these names and no others, besides the
/// comprehension variables of the expression itself.
pub const VARIABLES: &[&str] = &[
    "workload",
    "container",
    "valkey",
    "server",
    "params",
    "item",
    "object",
    "plainBooleans",
    "usedByValkey",
    "targets",
];

/// The function that `list.exists(x, regexMatch(x, r'…'))` becomes (see [`fuse_matches`]); a
/// name no rule can write.
pub const ANY_MATCH: &str = "@anyRegexMatch";

/// The function that `list.exists(x, regexMatch(string(x), r'…'))` becomes: [`ANY_MATCH`] on
/// each element converted by the standard library's `string()`, as the comprehension converts it.
pub const ANY_MATCH_STRING: &str = "@anyRegexMatchString";

/// Rewrites `l.exists(x, regexMatch(x, r'pattern'))`, the way rules look for a word in a
/// command line or a script, into one call of [`ANY_MATCH`] that loops natively.
///
/// The interpreter's comprehension binds the loop variable and the accumulator in a new scope
/// at every element (allocating their names and values): an `exists` over three arguments took
/// about 1 µs, against 0.2 µs for one `regexMatch`. The function gives the same result and the
/// same errors (an element that is not a string is a `regexMatch` overload error, which a later
/// match overrides, as in the comprehension).
///
/// It also puts a list or map literal compared with `==` or `!=` on the right-hand side: the
/// interpreter asks the left value whether it equals the right one, and a built-in map does not
/// know a YAML mapping read in place ([`super::lazy::YamlMap`]) as a map, while the mapping
/// knows any map. Equality is symmetric, so the result is the same.
fn fuse_matches(e: &mut cel::IdedExpr) {
    use cel::common::ast::{operators, CallExpr, Expr, LiteralValue};
    if let Expr::Call(CallExpr {
        func_name,
        target: None,
        args,
    }) = &mut e.expr
    {
        let literal = |x: &cel::IdedExpr| matches!(x.expr, Expr::List(_) | Expr::Map(_));
        if (func_name == operators::EQUALS || func_name == operators::NOT_EQUALS)
            && args.len() == 2
            && literal(&args[0])
            && !literal(&args[1])
        {
            args.swap(0, 1);
        }
    }
    if let Expr::Comprehension(c) = &mut e.expr {
        let accu = c.accu_var.as_str();
        let is = |x: &cel::IdedExpr, name: &str| matches!(&x.expr, Expr::Ident(n) if n == name);
        let call = |x: &cel::IdedExpr, f: &str| match &x.expr {
            Expr::Call(CallExpr {
                func_name,
                target: None,
                args,
            }) if func_name == f => Some(args.clone()),
            _ => None,
        };
        // The pattern, and whether the element is converted with `string()` first.
        let pattern = match call(&c.loop_step, operators::LOGICAL_OR).as_deref() {
            Some([a, m]) if is(a, accu) => match call(m, "regexMatch").as_deref() {
                Some([t, p]) if matches!(p.expr, Expr::Literal(LiteralValue::String(_))) => {
                    if is(t, &c.iter_var) {
                        Some((p.clone(), ANY_MATCH))
                    } else {
                        match call(t, "string").as_deref() {
                            Some([x]) if is(x, &c.iter_var) => Some((p.clone(), ANY_MATCH_STRING)),
                            _ => None,
                        }
                    }
                }
                _ => None,
            },
            _ => None,
        };
        let starts_false = matches!(
            &c.accu_init.expr,
            Expr::Literal(LiteralValue::Boolean(b)) if !*b.inner()
        );
        let stops_at_true = match call(&c.loop_cond, operators::NOT_STRICTLY_FALSE).as_deref() {
            Some([n]) => {
                matches!(call(n, operators::LOGICAL_NOT).as_deref(), Some([a]) if is(a, accu))
            }
            None | Some(_) => false,
        };
        if let (Some((pattern, function)), true, true, true, None) = (
            pattern,
            starts_false,
            stops_at_true,
            is(&c.result, accu),
            &c.iter_var2,
        ) {
            let range = std::mem::take(&mut c.iter_range);
            e.expr = Expr::Call(CallExpr {
                func_name: function.to_string(),
                target: None,
                args: vec![range, pattern],
            });
        }
    }
    match &mut e.expr {
        cel::common::ast::Expr::Call(call) => {
            if let Some(t) = &mut call.target {
                fuse_matches(t);
            }
            call.args.iter_mut().for_each(fuse_matches);
        }
        cel::common::ast::Expr::Comprehension(c) => {
            for x in [
                &mut c.iter_range,
                &mut c.accu_init,
                &mut c.loop_cond,
                &mut c.loop_step,
                &mut c.result,
            ] {
                fuse_matches(x);
            }
        }
        cel::common::ast::Expr::Select(sel) => fuse_matches(&mut sel.operand),
        cel::common::ast::Expr::List(l) => l.elements.iter_mut().for_each(fuse_matches),
        cel::common::ast::Expr::Map(m) => {
            for entry in &mut m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &mut entry.expr {
                    fuse_matches(&mut me.key);
                    fuse_matches(&mut me.value);
                }
            }
        }
        cel::common::ast::Expr::Struct(st) => {
            for entry in &mut st.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &mut entry.expr {
                    fuse_matches(&mut f.value);
                }
            }
        }
        _ => {}
    }
}

/// The innermost operand of a chain of field selections.
fn chain_root(e: &mut cel::IdedExpr) -> &mut cel::IdedExpr {
    if !matches!(e.expr, cel::common::ast::Expr::Select(_)) {
        return e;
    }
    match &mut e.expr {
        cel::common::ast::Expr::Select(inner) => chain_root(&mut inner.operand),
        _ => unreachable!("checked above"),
    }
}

/// Rewrites each field selection rooted at one of our variables, `container.livenessProbe.exec`,
/// into index operations, `container["livenessProbe"]["exec"]`, which the interpreter evaluates
/// as it evaluates a selection, without asking first whether the dotted name is a variable.
///
/// CEL lets a dotted name be a variable of its own (`a.b` bound as one name), so for every
/// selection the interpreter collects the chain's names into a new vector and, when the chain
/// starts at a name, looks up `a.b.c`, `a.b` and `a` in every scope; for a chain of three
/// fields it does so three times. We bind no dotted names, so the answer is always the variable
/// `a` with its fields. Only a chain of plain selections that starts at one of our variables or
/// at a comprehension variable is rewritten (a chain through `.?` keeps its selections, whose
/// `optional` handling differs from an index's). An index gives the same value and the same
/// missing-key error; a field selected on a value that is no map (a rule's mistake) reports the
/// index operator (`_[_]`) in its overload error instead of `_._`, and one selected on a
/// comprehension variable that holds an `optional` of a value that is no map gives
/// `optional.none()` instead of that error. `has(a.b)` stays a presence test, with `a` wrapped
/// as `true ? a : a` (which the interpreter evaluates without allocating) when it is the
/// variable itself. Names that are not our variables (types, namespaces) are left alone.
fn unqualify(e: &mut cel::IdedExpr, bound: &mut Vec<String>) {
    use cel::common::ast::{EntryExpr, Expr};
    let ours =
        |name: &str, bound: &[String]| VARIABLES.contains(&name) || bound.iter().any(|b| b == name);
    match &mut e.expr {
        Expr::Select(select) => {
            let root = chain_root(&mut select.operand);
            match &root.expr {
                Expr::Ident(name) if ours(name, bound) => to_index(e),
                Expr::Ident(_) => {}
                _ => unqualify(root, bound),
            }
        }
        Expr::Call(call) => {
            if let Some(target) = &mut call.target {
                unqualify(target, bound);
            }
            for a in &mut call.args {
                unqualify(a, bound);
            }
        }
        Expr::Comprehension(c) => {
            unqualify(&mut c.iter_range, bound);
            unqualify(&mut c.accu_init, bound);
            let names = [Some(&c.iter_var), c.iter_var2.as_ref(), Some(&c.accu_var)];
            let added: Vec<String> = names.into_iter().flatten().cloned().collect();
            let n = added.len();
            bound.extend(added);
            unqualify(&mut c.loop_cond, bound);
            unqualify(&mut c.loop_step, bound);
            unqualify(&mut c.result, bound);
            bound.truncate(bound.len() - n);
        }
        Expr::List(l) => l.elements.iter_mut().for_each(|x| unqualify(x, bound)),
        Expr::Map(m) => {
            for entry in &mut m.entries {
                if let EntryExpr::MapEntry(me) = &mut entry.expr {
                    unqualify(&mut me.key, bound);
                    unqualify(&mut me.value, bound);
                }
            }
        }
        Expr::Struct(st) => {
            for entry in &mut st.entries {
                if let EntryExpr::StructField(f) = &mut entry.expr {
                    unqualify(&mut f.value, bound);
                }
            }
        }
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Turns a chain of field selections (its root already rewritten) into index operations; see
/// [`unqualify`].
fn to_index(e: &mut cel::IdedExpr) {
    use cel::common::ast::{operators, CallExpr, Expr, LiteralValue};
    let cel::common::ast::Expr::Select(select) = &mut e.expr else {
        return;
    };
    let id = e.id;
    to_index(&mut select.operand);
    if select.test {
        if matches!(select.operand.expr, Expr::Ident(_)) {
            let ident = (*select.operand).clone();
            select.operand.expr = Expr::Call(CallExpr {
                func_name: operators::CONDITIONAL.to_string(),
                target: None,
                args: vec![
                    cel::IdedExpr {
                        id: ident.id,
                        expr: Expr::Literal(LiteralValue::Boolean(true.into())),
                    },
                    ident.clone(),
                    ident,
                ],
            });
        }
        return;
    }
    let operand = std::mem::take(&mut *select.operand);
    let field = std::mem::take(&mut select.field);
    e.expr = Expr::Call(CallExpr {
        func_name: operators::INDEX.to_string(),
        target: None,
        args: vec![
            operand,
            cel::IdedExpr {
                id,
                expr: Expr::Literal(LiteralValue::String(field.into())),
            },
        ],
    });
}

/// Macros that `eval::env()`'s extensions add to the standard ones.
const EXTENSION_MACROS: &[&str] = &["sortBy"];

/// The parser for rule expressions, set up as `Env::parser` sets up the ANTLR one for
/// `Env::stdlib()` (optional syntax on).
pub fn pratt_parser() -> cel::parser::PrattParser {
    cel::parser::PrattParser::default().enable_optional_syntax(true)
}

/// Parses `src` with the environment's ANTLR parser, for the test that compares the two.
pub fn parse_with_antlr(src: &str) -> Result<cel::IdedExpr, String> {
    super::eval::env()
        .parser()
        .parse(src)
        .map_err(|e| e.to_string())
}

fn regex_literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(pos) = rest.find("regexMatch(") {
        rest = &rest[pos + 11..];
        let Some(comma) = rest.find(',') else { break };
        let arg = rest[comma + 1..].trim_start();
        // Only raw strings (r'…') are read: their text is the pattern as the regex sees it.
        if let Some(body) = arg.strip_prefix("r'").or_else(|| arg.strip_prefix("r\"")) {
            let q = if arg.starts_with("r'") { '\'' } else { '"' };
            if let Some(end) = body.find(q) {
                out.push(body[..end].to_string());
            }
        }
    }
    out
}

/// A YAML scalar as CEL types it.
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

/// How CEL reads a scalar node: plain scalars typed as the YAML 1.2 core schema would, quoted
/// and block ones as strings. Collections are `Null` here.
pub fn scalar(n: &Node) -> Scalar<'_> {
    match &n.value {
        Value::Scalar(s, crate::yaml::Style::Plain) => {
            if let Some(b) = n.as_bool() {
                Scalar::Bool(b)
            } else if let Ok(i) = s.parse::<i64>() {
                Scalar::Int(i)
            } else if let Ok(f) = s.parse::<f64>().map_err(|_| ()).and_then(|f| {
                if s.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == 'e')
                {
                    Ok(f)
                } else {
                    Err(())
                }
            }) {
                Scalar::Float(f)
            } else {
                Scalar::Str(s)
            }
        }
        Value::Scalar(s, _) => Scalar::Str(s),
        _ => Scalar::Null,
    }
}

/// A YAML node as a CEL value (plain scalars typed as YAML 1.2 core schema would).
pub fn yaml_to_cel(n: &Node) -> cel::Value {
    match &n.value {
        Value::Null | Value::Scalar(..) => match scalar(n) {
            Scalar::Null => cel::Value::Null,
            Scalar::Bool(b) => cel::Value::Bool(b),
            Scalar::Int(i) => cel::Value::Int(i),
            Scalar::Float(f) => cel::Value::Float(f),
            Scalar::Str(s) => cel::Value::String(s.to_string().into()),
        },
        Value::Seq(items) => {
            cel::Value::List(items.iter().map(yaml_to_cel).collect::<Vec<_>>().into())
        }
        Value::Map(entries) => {
            let map: BTreeMap<String, cel::Value> = entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), yaml_to_cel(v))))
                .collect();
            super::eval::map_value(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::compile;
    use cel::{Context, Value};

    fn eval(src: &str) -> Value {
        let program = compile(src).unwrap_or_else(|e| panic!("`{src}`: {e}"));
        let ctx = Context::with_env(super::super::eval::env());
        program
            .execute(&ctx)
            .unwrap_or_else(|e| panic!("`{src}`: {e}"))
    }

    /// `exists` with `regexMatch` runs as one native call, with the comprehension's results
    /// and errors; other shapes are left as they are.
    #[test]
    fn fused_regex_exists_agrees_with_the_comprehension() {
        let fused = |src: &str| {
            let p = compile(src).unwrap_or_else(|e| panic!("`{src}`: {e}"));
            format!("{:?}", p.expression()).contains(super::ANY_MATCH)
        };
        assert!(fused("l.exists(t, regexMatch(t, r'x'))"));
        assert!(fused("[l.exists(t, regexMatch(t, 'x'))].all(b, b)"));
        assert!(
            !fused("l.exists(t, regexMatch(t, p))"),
            "pattern not a literal"
        );
        let fused_string = |src: &str| {
            let p = compile(src).unwrap_or_else(|e| panic!("`{src}`: {e}"));
            format!("{:?}", p.expression()).contains(super::ANY_MATCH_STRING)
        };
        assert!(fused_string("l.exists(t, regexMatch(string(t), r'x'))"));
        assert!(!fused_string("l.exists(t, regexMatch(string(u), r'x'))"));
        assert!(!fused_string("l.exists(t, regexMatch(int(t), r'x'))"));
        assert!(!fused("l.exists(t, regexMatch(r'x', t))"));
        assert!(!fused("l.all(t, regexMatch(t, r'x'))"));
        assert!(!fused("l.exists(t, regexMatch(t, r'x') && true)"));
        let lists = [
            "[]",
            "['a', 'b']",
            "['a', 'xx', 'b']",
            "[1, 'xx']",
            "['xx', 1]",
            "[1, 2]",
            "[1, 'b', true]",
            "{'xx': 1}",
            "{'a': 1}",
            "'xx'",
            "1",
            "[['xx']]",
            "[1, 2u, true, 2.5, b'xx', null]",
            "[11, 'b']",
            "[false, 1]",
            "[[1], 11]",
            "[{'a': 1}, 'a']",
            "[null, 'xx']",
            "['a', 2.5]",
            "{1: 'a', 11: 'b'}",
        ];
        let env = super::super::eval::env();
        for l in lists {
            for (element, pattern) in [("t", "^x+$"), ("string(t)", "^x+$"), ("string(t)", "1")] {
                let src = format!("{l}.exists(t, regexMatch({element}, r'{pattern}'))");
                let rewritten = compile(&src).unwrap();
                let plain = super::pratt_parser().parse(&src).unwrap();
                let ctx = Context::with_env(env.clone());
                let a = rewritten.execute(&ctx).map_err(|e| e.to_string());
                let b = Value::resolve(&plain, &ctx).map_err(|e| e.to_string());
                assert_eq!(a, b, "{src}");
            }
        }
    }

    /// Field selections rooted at our variables run as index operations: the same values and
    /// the same errors as the selections, but for the operator a field of a non-map names.
    #[test]
    fn selections_as_indexes_agree_with_selections() {
        let text = "name: valkey\nargs: [--port, '6379']\nnothing: ~\n\
                    list:\n  - {name: A, value: '1'}\n  - {name: B}\n\
                    nested: {deep: {list: [1, 2], flag: true}, empty: {}}\n";
        let doc = crate::yaml::split_documents(text).remove(0);
        let node = crate::yaml::parse_document(text, &doc, 0)
            .expect("parses")
            .expect("a document");
        let env = super::super::eval::env();
        let run = |program: &cel::IdedExpr, lazy: bool| {
            let mut ctx = Context::with_env(env.clone());
            if lazy {
                ctx.add_variable_as_val(
                    "container",
                    Box::new(crate::rules::lazy::YamlMap::new(&node, 0, None)),
                );
            } else {
                ctx.add_variable("container", super::yaml_to_cel(&node))
                    .expect("binds");
            }
            ctx.add_variable("other", super::yaml_to_cel(&node))
                .expect("binds");
            Value::resolve(program, &ctx).map_err(|e| e.to_string())
        };
        let exprs = [
            "container.name",
            "container.nested.deep.list",
            "container.nested.deep.flag && true",
            "container.list.map(e, e.name)",
            "container.list.filter(e, has(e.value)).map(e, e.value)",
            "container.list.exists(e, e.name == 'B')",
            "has(container.name) && !has(container.nope)",
            "has(container.nested.deep.flag) && !has(container.nested.empty.x)",
            "container.?nested.?deep.flag.orValue(false)",
            "container.?nope.name.orValue('none')",
            "container.?name.deep.orValue('none')",
            "container.?nothing.x.orValue('none')",
            "container.?nested.deep.flag.orValue(false)",
            "[container.nested][0].deep.flag",
            "container.list.filter(e, true)[0].name",
            "[container.nested][0].deep.list[1]",
            "container.list[1].name",
            "other.nested.deep.flag",
            "container.nope",
            "container.nested.nope.deep",
            "container.list.map(e, e.value)",
            "container.list[5].name",
            "container.args.size()",
        ];
        let shown = |src: &str| format!("{:?}", super::compile(src).unwrap().expression());
        assert!(!shown("container.nested.deep.list").contains("Select"));
        assert!(shown("has(container.nested.deep)").contains("Select"));
        assert!(shown("int.size").contains("Select"), "not our variable");
        assert!(
            shown("container.?a.b").contains("Select"),
            "through an optional"
        );
        for src in exprs {
            let rewritten = super::compile(src).unwrap().expression().clone();
            let plain = super::pratt_parser().parse(src).unwrap();
            for lazy in [true, false] {
                assert_eq!(
                    run(&rewritten, lazy),
                    run(&plain, lazy),
                    "{src}, lazy {lazy}"
                );
            }
        }
        // A field of a value that is no map: the same error, under the index operator's name.
        for src in ["container.name.deep", "container.nothing.x"] {
            let rewritten = super::compile(src).unwrap().expression().clone();
            let plain = super::pratt_parser().parse(src).unwrap();
            for lazy in [true, false] {
                let (a, b) = (run(&rewritten, lazy), run(&plain, lazy));
                let a = a.expect_err(src).replace("_[_]", "_._");
                assert_eq!(a, b.expect_err(src), "{src}, lazy {lazy}");
            }
        }
    }

    #[test]
    fn standard_and_extension_macros_expand() {
        assert_eq!(eval("[1, 2, 3].exists(x, x > 2)"), Value::Bool(true));
        assert_eq!(
            eval("[3, 1, 2].map(x, x * 2).filter(x, x > 2)"),
            eval("[6, 4]")
        );
        // `sortBy` is a macro of the lists extension, which the Pratt parser does not know.
        assert_eq!(eval("[3, 1, 2].sortBy(x, -x)"), eval("[3, 2, 1]"));
        assert_eq!(
            eval("has({'a': 1}.a) && !has({'a': 1}.b)"),
            Value::Bool(true)
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(compile("a. == 1").is_err());
        assert!(compile("[1, 2").is_err());
    }
}

//! Rule files as a whole: they load, ids are unique and kebab-case, every rule has its docs
//! fields and fixtures, and the generated pages under docs/rules are up to date.

use std::collections::BTreeSet;
use valkey_lint::check;
use valkey_lint::rules::docs;
use valkey_lint::source::Files;

#[test]
fn rules_load_with_unique_ids_and_complete_docs() {
    let mut files = Files::default();
    let (rules, errors) = check::load_rules(&[], &mut files);
    assert!(
        errors.is_empty(),
        "{:?}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    let ids: BTreeSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids.len(),
        valkey_lint::rules::load::BUILTIN.len(),
        "every rule file is one rule with a unique id"
    );
    for r in &rules {
        assert!(
            !r.title.is_empty() && !r.rationale.is_empty() && !r.help.raw.is_empty(),
            "{}",
            r.id
        );
        assert!(!r.references.is_empty(), "{} has no references", r.id);
        assert!(
            r.references.iter().all(|u| u.starts_with("https://")),
            "{}",
            r.id
        );
        let file = format!("rules/{}.yaml", r.id);
        assert_eq!(r.file, file, "the file of rule {} is named after it", r.id);
    }
}

#[test]
fn every_template_of_the_built_in_rules_compiles() {
    // Start-up compiles the built-in rules' regexes on first use; this is where they (and every
    // template) are checked.
    let mut files = Files::default();
    for (name, text) in valkey_lint::rules::load::BUILTIN {
        let id = files.add(valkey_lint::source::SourceFile::new(
            *name,
            text.to_string(),
        ));
        if let Err(errors) = valkey_lint::rules::load::load(files.get(id), id, true) {
            panic!(
                "{name}: {:?}",
                errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn the_fast_cel_parser_reads_every_built_in_expression_as_the_antlr_one_does() {
    // Rules are compiled with the `cel` crate's Pratt parser (its ANTLR parser took most of the
    // start-up); both must build the same tree. They number the nodes in another order, and
    // the ids play no part in evaluation, so they are left out of the comparison.
    use valkey_lint::rules::load::{self, Part, Template};
    fn without_ids(tree: &cel::IdedExpr) -> String {
        let text = format!("{tree:?}");
        let mut out = String::with_capacity(text.len());
        let mut pieces = text.split("id: ");
        out.push_str(pieces.next().unwrap_or_default());
        for piece in pieces {
            out.push_str(piece.trim_start_matches(|c: char| c.is_ascii_digit()));
        }
        out
    }
    let mut files = Files::default();
    let (rules, _) = check::load_rules(&[], &mut files);
    let mut sources: Vec<(String, String)> = Vec::new();
    for r in &rules {
        let exprs = r
            .conditions
            .iter()
            .chain(&r.for_each)
            .chain([&r.expression]);
        sources.extend(exprs.map(|e| (r.id.clone(), e.source.clone())));
        let templates: Vec<&Template> = [&r.message, &r.help]
            .into_iter()
            .chain(&r.label)
            .chain(r.also.iter().map(|a| &a.label))
            .collect();
        for t in templates {
            for part in &t.parts {
                if let Part::Expr(e) = part {
                    sources.push((r.id.clone(), e.source.clone()));
                }
            }
        }
    }
    assert!(sources.len() > 300, "only {} expressions", sources.len());
    for (id, src) in &sources {
        let fast = load::pratt_parser()
            .parse(src)
            .unwrap_or_else(|e| panic!("{id}: `{src}`: {e}"));
        let antlr = load::parse_with_antlr(src).unwrap_or_else(|e| panic!("{id}: `{src}`: {e}"));
        assert_eq!(without_ids(&fast), without_ids(&antlr), "{id}: `{src}`");
    }
}

#[test]
fn generated_docs_are_fresh() {
    let mut files = Files::default();
    let (rules, _) = check::load_rules(&[], &mut files);
    let mut stale = Vec::new();
    for r in &rules {
        let path = format!("docs/rules/{}.md", r.id);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(docs::page(r).as_str()) {
            stale.push(path);
        }
    }
    if std::fs::read_to_string("docs/rules/README.md")
        .ok()
        .as_deref()
        != Some(docs::index(&rules).as_str())
    {
        stale.push("docs/rules/README.md".into());
    }
    let readme = std::fs::read_to_string("README.md").unwrap();
    if docs::update_readme(&readme, &rules).as_deref() != Some(readme.as_str()) {
        stale.push("README.md (rules section)".into());
    }
    assert!(
        stale.is_empty(),
        "stale rule docs {stale:?}: run `cargo run -- docs --out docs/rules`"
    );
}

#[test]
fn broken_rule_files_are_diagnostics_with_spans() {
    let dir = std::env::temp_dir().join(format!("vl-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        "id: bad-rule\ntitle: t\nseverity: fatal\ncategory: c\nappliesTo: container\nexpresion: x\nexpression: 'valkey.maxmemory >'\nmessage: m\nhelp: h\nrationale: r\nreferences: [https://x]\nexamples: {fail: a, pass: b}\n",
    )
    .unwrap();
    let mut files = Files::default();
    let (_, errors) = check::load_rules(&[dir.as_path()], &mut files);
    std::fs::remove_dir_all(&dir).unwrap();
    let messages: Vec<String> = errors
        .iter()
        .map(|e| {
            let span = e.span.expect("span into the rule file");
            let (line, _) = files.get(span.file).position(span.start);
            format!("{line}: {}", e.message)
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("3: severity `fatal`")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("6: unknown key `expresion` (did you mean `expression`?)")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("7: CEL does not compile")),
        "{messages:?}"
    );
}

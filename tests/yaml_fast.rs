//! The fast YAML path (`src/yaml_fast.rs`) against saphyr: every document must come out as the
//! same tree with the same spans, whichever path reads it, and the fast path must read the
//! block YAML that Helm and kubectl write (so that a change that sends everything to saphyr
//! does not pass unnoticed).

mod common;

use std::path::{Path, PathBuf};
use valkey_lint::yaml::{
    fast_path_reads, parse_document, parse_document_with_saphyr, split_documents,
};

fn yaml_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            yaml_files(&e, out);
        }
    } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
        out.push(p.to_path_buf());
    }
}

/// Compares both paths on every document of `text`; returns (documents, read by the fast path).
fn compare(name: &str, text: &str) -> (usize, usize) {
    let docs = split_documents(text);
    let mut fast = 0;
    for d in &docs {
        let a = format!("{:?}", parse_document(text, d, 0));
        let b = format!("{:?}", parse_document_with_saphyr(text, d, 0));
        assert_eq!(
            a,
            b,
            "{name} at byte {}: the fast path and saphyr differ on\n{}",
            d.start,
            &text[d.start..d.end]
        );
        fast += usize::from(fast_path_reads(text, d));
    }
    (docs.len(), fast)
}

#[test]
fn the_shared_renders_and_the_test_data_parse_the_same_on_both_paths() {
    let mut files = Vec::new();
    yaml_files(Path::new("../shared/corpus/rendered"), &mut files);
    yaml_files(Path::new("testdata"), &mut files);
    // The rule files: folded scalars (`>-`) in nearly every one.
    yaml_files(Path::new("rules"), &mut files);
    let (mut docs, mut fast) = (0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let (d, r) = compare(&f.display().to_string(), &text);
        docs += d;
        fast += r;
    }
    assert!(docs > 500, "only {docs} documents");
    // Shrunk inputs on which an earlier fast path differed from saphyr or overflowed its stack,
    // found by fuzzing both paths against each other (about 2.6 million documents).
    let mut found = Vec::new();
    yaml_files(Path::new("tests/data/yaml-fast"), &mut found);
    assert!(found.len() > 20);
    for f in &found {
        compare(
            &f.display().to_string(),
            &std::fs::read_to_string(f).unwrap(),
        );
    }
    // The rule files (folded `>-` texts, multi-line plain scalars) mostly go to saphyr.
    let mut rules = Vec::new();
    yaml_files(Path::new("rules"), &mut rules);
    for f in &rules {
        compare(
            &f.display().to_string(),
            &std::fs::read_to_string(f).unwrap(),
        );
    }
    // Robustness cases and chart templates go to saphyr; nearly all the rest is fast.
    assert!(fast * 100 >= docs * 90, "fast path read {fast} of {docs}");
}

#[test]
fn a_generated_corpus_parses_the_same_on_both_paths() {
    let dir = std::env::temp_dir().join(format!("valkey-lint-fastyaml-{}", std::process::id()));
    let status = std::process::Command::new("python3")
        .arg("../shared/tools/gen_corpus.py")
        .arg(&dir)
        .args(["--docs", "3000", "--files", "3"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs the corpus generator");
    assert!(status.success());
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    let (mut docs, mut fast) = (0, 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (d, r) = compare(&f.display().to_string(), &text);
        docs += d;
        fast += r;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(docs, 3000);
    assert_eq!(fast, docs, "the generated corpus is plain Helm output");
}

/// Shapes at the edge of what the fast path reads: each must come out as saphyr reads it,
/// through either path. `true` marks the ones the fast path must read itself.
const CASES: &[(bool, &str)] = &[
    (true, "a: 1\nb: two words\nc: 'it''s'\nd: \"q \\\"x\\\" \\\\ \\n\"\n"),
    (true, "a:\nb: ~\nc: null\nd: \"\"\ne:   # comment\nf: x # trailing\n"),
    (true, "k:\n- a\n- b\nz: 1\n"),
    (true, "k:\n  - a\n  -\n  - b: 1\n    c: 2\n"),
    (true, "- a: 1\n  b: [x, 'y', \"z\"]\n- c\n- {p: 1, q: \"2\"}\n- []\n- {}\n"),
    (true, "args:\n  - --maxmemory\n  - -1\n  - \"--port 6379\"\nx: -1\n"),
    (true, "s: |\n  l1\n\n  l2\nt: 1\n"),
    (true, "s: |-\n  l1\n    indented\n  l3\nt: 1\n"),
    (true, "s: |+\n  l1\n\n\nt: 1\n"),
    (true, "s: |\n  # not a comment\n  x\n"),
    (true, "\"quoted key\": 1\n'single': 2\nurl: http://x:80/y\nk#: v\n"),
    (true, "# leading comment\n\na: 1 # c\n\n# between\nb:\n  c: {x: [1, 2]}\n"),
    (true, "limits: {cpu: 50m, memory: 32Mi}\ncmd: [\"/bin/sh\", \"-ec\", \"chown -R 999:1000 /data\"]\n"),
    (true, "é: ü\nname: naïve\ns: |\n  ünïcode\n"),
    (false, "a: &x 1\nb: *x\n"),
    (false, "a: !!str 1\n"),
    (true, "a: >\n  folded\n  text\n"),
    (true, "a: >-\n  one\n  two\n\n  three\n\n\n  four\nb: 1\n"),
    (true, "a: >+\n  kept\n\n\nb: 1\n"),
    (true, "a: >\n  trailing spaces  \n  next\n"),
    (true, "- >-\n  item\n  text\n- x\n"),
    (true, "a: >-\n  é ü\n  x # not a comment\n"),
    (true, "a: >\n  folded\n    more indented\n  text\n"),
    (true, "a: >\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n   * lines\n\n last\n line\nb: 1\n"),
    (true, "a: >-\n  first\n    spaced\n  then\n  folded\n\n\n    spaced\n\n    again\n"),
    (false, "a: >\n\n  leading blank\n"),
    (false, "a: >2\n   x\n"),
    (false, "a: >\n  x\n# comment after\nb: 1\n"),
    (false, "a: >\n  x"),
    (false, "a: multi\n  line plain\n"),
    (false, "a: \"multi\n  line quoted\"\n"),
    (false, "a: \"\\u00e9\"\n"),
    (false, "a: [1,\n  2]\n"),
    (false, "s: |\n\n  leading blank\n"),
    (false, "s: |2\n   x\n"),
    (false, "s: |\n  x\n# comment after\nt: 1\n"),
    (false, "s: |-\nt: 1\n"),
    (false, "k:\n-\n- b\n"),
    (false, "? complex\n: key\n"),
    (false, "a:\tb\n"),
    (false, "a: b\t# comment\nc: d\n"),
    (true, "args:\n- |\n  x\n- y\n"),
    (true, "a:\n-\n  b: 1\n"),
    (false, "a: [] \n"),
    (false, "a: {}  # c\n"),
    (false, "a: [[]  , x]\n"),
    (false, "a: [-]\n"),
    (false, "a: [-, x]\n"),
    (false, "a: {b: -}\n"),
    (false, "a: [b -]\n"),
    (false, "a: b\u{0}c\n"),
    (false, "a: b\u{feff}c\n"),
    (false, "# c\n\u{feff}a: 1\n"),
    (true, "- \n- a\n-\n-   \n"),
    (false, "- # comment\n- a\n"),
    (false, "s: |\n  x"),
    (false, "s: |+\n  x\n  "),
    (false, "- a\t# c\n"),
    (false, "a: b \t# c\n"),
    (false, "s: |\n  x\n\ty\n"),
    (false, "a: b: c\n"),
    (false, "- - nested\n"),
    (false, "plain scalar document\n"),
    (false, "a: 1\n  b: 2\n"),
    (false, "a: [x, ]\n"),
    (false, "a: {b}\n"),
    (false, "a: 'unterminated\n"),
    (false, "a: 1\r\nb: 2\r\n"),
];

#[test]
fn deep_nesting_goes_to_saphyr() {
    // The fast path recurses; a document nested deeper than it allows is left to saphyr.
    let mut text = String::new();
    for depth in 0..200 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    text.push_str(&" ".repeat(200));
    text.push_str("leaf: 1\n");
    let flow = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
    for t in [&text, &flow] {
        compare("deep", t);
        let d = &split_documents(t)[0];
        assert!(!fast_path_reads(t, d));
    }
    let long_key = format!("{}: 1\n", "k".repeat(1100));
    compare("long key", &long_key);
    assert!(!fast_path_reads(&long_key, &split_documents(&long_key)[0]));
    let shallow = "a:\n  b:\n    c: [[1], {d: [2]}]\n";
    assert!(fast_path_reads(shallow, &split_documents(shallow)[0]));
}

#[test]
fn edge_cases_parse_the_same_on_both_paths() {
    for (must_be_fast, text) in CASES {
        compare(text, text);
        let docs = split_documents(text);
        let fast = docs.iter().all(|d| fast_path_reads(text, d));
        if *must_be_fast {
            assert!(fast, "the fast path should read {text:?}");
        } else {
            assert!(!fast, "the fast path should leave {text:?} to saphyr");
        }
    }
}

#[test]
fn nesting_that_overflowed_a_recursive_parser_is_an_input_error_not_a_crash() {
    for f in [
        "tests/data/yaml-fast/25_stack_overflow_main_thread.yaml",
        "tests/data/yaml-fast/26_stack_overflow_worker_thread_linter.yaml",
    ] {
        let (code, out, err) =
            common::outcome(common::valkey_lint().args(["check", "--format", "json", f]));
        assert_eq!(code, 2, "{f}: {err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(common::rule_ids(&report), ["invalid-yaml"], "{f}");
    }
}

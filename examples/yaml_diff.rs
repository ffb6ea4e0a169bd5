//! Compares the fast YAML path with saphyr on every document under some folders or files:
//!
//!     cargo run --release --example yaml_diff -- PATH...
//!
//! Prints the first differences (a bug of the fast path) and a summary; exits 1 when any
//! document differs. `SHOWSLOW=1` also lists the documents the fast path leaves to saphyr.

use std::path::{Path, PathBuf};
use valkey_lint::yaml::{
    fast_path_reads, parse_document, parse_document_with_saphyr, split_documents,
};

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            walk(&e, out);
        }
    } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        walk(Path::new(&a), &mut files);
    }
    let show_slow = std::env::var_os("SHOWSLOW").is_some();
    let (mut total, mut differ, mut fast) = (0, 0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for d in split_documents(&text) {
            total += 1;
            if fast_path_reads(&text, &d) {
                fast += 1;
            } else if show_slow {
                println!("SLOW {} @{}", f.display(), d.start);
            }
            let a = format!("{:?}", parse_document(&text, &d, 0));
            let b = format!("{:?}", parse_document_with_saphyr(&text, &d, 0));
            if a != b {
                differ += 1;
                if differ <= 4 {
                    let cut = |s: &str| s.chars().take(1500).collect::<String>();
                    println!(
                        "DIFF {} @{}:\n{}\n--- fast: {}\n--- saphyr: {}\n",
                        f.display(),
                        d.start,
                        cut(&text[d.start..d.end]),
                        cut(&a),
                        cut(&b)
                    );
                }
            }
        }
    }
    println!(
        "{total} docs, {} same, {differ} differ, fast path read {fast}",
        total - differ
    );
    if differ > 0 {
        std::process::exit(1);
    }
}

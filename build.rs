//! Embeds every `rules/*.yaml` file into the binary as `(name, text)` pairs.
use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut names: Vec<_> = std::fs::read_dir("rules")
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::from("&[\n");
    for p in names {
        let abs = std::fs::canonicalize(&p).expect("rule path");
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            p.display().to_string(),
            abs.display().to_string()
        );
    }
    out.push(']');
    // The rule-set version: how many rules, and a hash of their text (FNV-1a), so that
    // `--version` tells which rules a binary carries.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut paths: Vec<_> = std::fs::read_dir("rules")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    for p in &paths {
        for b in std::fs::read(p).unwrap_or_default() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!(
        "cargo:rustc-env=VALKEY_LINT_RULESET={} rules, {:08x}",
        paths.len(),
        hash >> 32
    );
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
}

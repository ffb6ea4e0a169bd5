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
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
}

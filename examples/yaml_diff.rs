use valkey_lint::yaml::{parse_document, parse_document_with_saphyr, split_documents};
fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            walk(&e.unwrap().path(), out)
        }
    } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
        out.push(p.to_path_buf())
    }
}
fn main() {
    let mut files = vec![];
    for a in std::env::args().skip(1) {
        walk(std::path::Path::new(&a), &mut files);
    }
    let (mut same, mut differ, mut total, mut fast) = (0, 0, 0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for d in split_documents(&text) {
            total += 1;
            if valkey_lint::yaml::fast_path_reads(&text, &d) {
                fast += 1
            } else if std::env::var_os("SHOWSLOW").is_some() {
                println!("SLOW {} @{}", f.display(), d.start)
            }
            let a = format!("{:?}", parse_document(&text, &d, 0));
            let b = format!("{:?}", parse_document_with_saphyr(&text, &d, 0));
            if a == b {
                same += 1;
            } else {
                differ += 1;
                if differ <= 4 {
                    println!(
                        "DIFF {} @{}:\n{}\n--- fast: {}\n--- saphyr: {}\n",
                        f.display(),
                        d.start,
                        &text[d.start..d.end.min(d.start + 600)],
                        &a[..a.len().min(1500)],
                        &b[..b.len().min(1500)]
                    );
                }
            }
        }
    }
    println!("{total} docs, {same} same, {differ} differ, fast path read {fast}");
}

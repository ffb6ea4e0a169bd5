use std::time::Instant;
use valkey_lint::yaml::{parse_document, parse_index_fields, split_documents};
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut texts = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let mut docs = 0;
    let t = Instant::now();
    for text in &texts {
        for d in split_documents(text) {
            docs += 1;
            let mut p = saphyr_parser::Parser::new_from_str(&text[d.start..d.end]);
            while let Some(Ok(_)) = p.next_event() {}
        }
    }
    let raw = t.elapsed();
    let t = Instant::now();
    for text in &texts {
        for d in split_documents(text) {
            let _ = parse_index_fields(text, &d, 0);
        }
    }
    let pruned = t.elapsed();
    let t = Instant::now();
    for text in &texts {
        for d in split_documents(text) {
            let _ = parse_document(text, &d, 0);
        }
    }
    let full = t.elapsed();
    println!(
        "{docs} docs {:.1} MB: raw saphyr {raw:?} ({:.0} MB/s), pruned {pruned:?}, full {full:?}",
        total as f64 / 1e6,
        total as f64 / 1e6 / raw.as_secs_f64()
    );
}

//! How fast the YAML paths read a folder of manifests, on one thread:
//!
//!     cargo run --release --example yaml_speed -- DIR
//!
//! Prints the time of saphyr's events alone, of the saphyr path of `valkey_lint::yaml` (events
//! to a span tree) and of the default path (the fast path, saphyr where it gives up).

use std::time::{Duration, Instant};
use valkey_lint::yaml::{parse_document, parse_document_with_saphyr, split_documents};

fn timed(texts: &[String], mut parse: impl FnMut(&str, &valkey_lint::yaml::DocSlice)) -> Duration {
    let t = Instant::now();
    for text in texts {
        for d in split_documents(text) {
            parse(text, &d);
        }
    }
    t.elapsed()
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: yaml_speed DIR");
        std::process::exit(2);
    };
    let mut paths: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(2);
        }
    };
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let docs: usize = texts.iter().map(|t| split_documents(t).len()).sum();
    let events = timed(&texts, |text, d| {
        let mut p = saphyr_parser::Parser::new_from_str(&text[d.start..d.end]);
        while let Some(Ok(_)) = p.next_event() {}
    });
    let saphyr = timed(&texts, |text, d| {
        let _ = parse_document_with_saphyr(text, d, 0);
    });
    let default = timed(&texts, |text, d| {
        let _ = parse_document(text, d, 0);
    });
    let rate = |t: Duration| mb / t.as_secs_f64();
    println!("{docs} documents, {mb:.1} MB");
    println!(
        "saphyr events alone  {events:>10.1?}  {:>5.0} MB/s",
        rate(events)
    );
    println!(
        "saphyr path (tree)   {saphyr:>10.1?}  {:>5.0} MB/s",
        rate(saphyr)
    );
    println!(
        "default (fast path)  {default:>10.1?}  {:>5.0} MB/s",
        rate(default)
    );
}

use valkey_lint::yaml::{parse_document, split_documents};
fn show(t: &str) {
    let d = &split_documents(t)[0];
    let n = parse_document(t, d, 0);
    println!("=== {:?}\n{:?}\n", t, n.map(|n| n.map(|n| dump(&n, t))));
}
fn dump(n: &valkey_lint::yaml::Node, t: &str) -> String {
    use valkey_lint::yaml::Value::*;
    let sp = format!(
        "[{}..{} {:?}]",
        n.span.start,
        n.span.end,
        &t[n.span.start as usize..n.span.end as usize]
    );
    match &n.value {
        Scalar(s, st) => format!("S({s:?},{st:?}){sp}"),
        Null => format!("Null{sp}"),
        Map(es) => format!(
            "M{sp}{{{}}}",
            es.iter()
                .map(|(k, v)| format!("{} => {}", dump(k, t), dump(v, t)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Seq(xs) => format!(
            "Q{sp}[{}]",
            xs.iter().map(|x| dump(x, t)).collect::<Vec<_>>().join(", ")
        ),
    }
}
fn main() {
    for t in [
        "a:\nb: 1\n",
        "a:   # c\nb: 1",
        "a: x   # c\n",
        "a: 'q'  # c\nb:",
        "k:\n- a\n-\n- b\nz: 1\n",
        "a: {}\nb: []\nc: {x: 1, y: \"2\"}\nd: [p, 'q' , r]\n",
        "s: |\n  l1\n\n  l2\n\n# comment\nt: 1\n",
        "s: |-\n  l1\n  l2\nt: 1\n",
        "s: |+\n  l1\n\n\nt: 1\n",
        "- a: 1\n  b: 2\n- c\n",
        "a: x\n\n",
    ] {
        show(t);
    }
}

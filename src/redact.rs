//! Source text in, the byte ranges that hold secret values out, so that no report ever shows
//! them: Secret `data`/`stringData` values, password arguments of valkey-server and valkey-cli,
//! env values of password-like variables, and `requirepass` / `primaryauth` / `user … >pass`
//! lines of embedded valkey.conf files. Reporters that print source lines blank these bytes.

use crate::valkey::conf;
use crate::yaml::{parse_document, split_documents, Node, Value};

const SECRET_FLAGS: &[&str] = &[
    "--requirepass",
    "--primaryauth",
    "--masterauth",
    "--tls-key-file-pass",
    "--tls-client-key-file-pass",
    "-a",
    "--pass",
];

const SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "primaryauth",
    "masterauth",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// Byte ranges of secret values in a whole file.
pub fn secret_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for doc in split_documents(text) {
        if let Ok(Some(node)) = parse_document(text, &doc, 0) {
            let is_secret = node.get("kind").and_then(Node::as_str) == Some("Secret");
            walk(&node, text, is_secret, &mut out);
        }
    }
    out
}

/// Copies `text` with every secret byte replaced by `*` (offsets unchanged); `None` when there
/// is nothing to hide.
pub fn redacted(text: &str) -> Option<String> {
    let spans = secret_spans(text);
    if spans.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for (s, e) in spans {
        for b in bytes.iter_mut().take(e.min(text.len())).skip(s) {
            if !matches!(*b, b'\n' | b'\r') {
                *b = b'*';
            }
        }
    }
    // Only ASCII bytes inside whole scalars were replaced, so the text stays UTF-8 except where a
    // multi-byte character was partly covered; fall back to lossy then.
    Some(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

fn span_of(n: &Node) -> (usize, usize) {
    (n.span.start as usize, n.span.end as usize)
}

fn walk(n: &Node, text: &str, in_secret: bool, out: &mut Vec<(usize, usize)>) {
    match &n.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let key = k.as_str().unwrap_or_default();
                if in_secret && (key == "data" || key == "stringData") {
                    for (_, val) in v.entries() {
                        out.push(span_of(val));
                    }
                    continue;
                }
                if key == "command" || key == "args" {
                    args(v.items(), text, out);
                }
                if key == "env" {
                    for e in v.items() {
                        let name = e
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_ascii_uppercase();
                        if ["PASS", "SECRET", "TOKEN", "AUTH"]
                            .iter()
                            .any(|w| name.contains(w))
                        {
                            if let Some(val) = e.get("value") {
                                out.push(span_of(val));
                            }
                        }
                    }
                }
                if let Value::Scalar(s, _) = &v.value {
                    conf_lines(v, s, text, out);
                }
                walk(v, text, in_secret, out);
            }
        }
        Value::Seq(items) => {
            for i in items {
                walk(i, text, in_secret, out);
            }
        }
        _ => {}
    }
}

fn args(items: &[Node], text: &str, out: &mut Vec<(usize, usize)>) {
    for (i, item) in items.iter().enumerate() {
        let Some(s) = item.as_str() else { continue };
        if SECRET_FLAGS.contains(&s) {
            if let Some(next) = items.get(i + 1) {
                out.push(span_of(next));
            }
        } else if let Some((flag, _)) = s.split_once(' ') {
            if SECRET_FLAGS.contains(&flag) {
                out.push(span_of(item));
            }
        }
        // Shell scripts in args: blank whatever follows a password flag on the same line.
        if s.contains('\n') || s.contains(" -a ") || s.contains("--requirepass") {
            for flag in SECRET_FLAGS {
                let pat = format!("{flag} ");
                let mut from = 0;
                while let Some(p) = s[from..].find(&pat) {
                    let start = from + p + pat.len();
                    let len = s[start..]
                        .find(char::is_whitespace)
                        .unwrap_or(s.len() - start);
                    let value = &s[start..start + len];
                    if !value.starts_with('$') && !value.starts_with("\"$") {
                        if let Some(sp) = item.text_span(text, start, len) {
                            out.push((sp.start as usize, sp.end as usize));
                        }
                    }
                    from = start + len;
                }
            }
        }
    }
}

fn conf_lines(node: &Node, s: &str, text: &str, out: &mut Vec<(usize, usize)>) {
    if !s.contains('\n') {
        return;
    }
    for line in conf::lines(s) {
        let Some(first) = line.tokens.first() else {
            continue;
        };
        let name = first.text.to_ascii_lowercase();
        let secret_tokens: Vec<&conf::Token> = if SECRET_DIRECTIVES.contains(&name.as_str()) {
            line.tokens.iter().skip(1).collect()
        } else if name == "user" {
            line.tokens
                .iter()
                .skip(2)
                .filter(|t| t.text.starts_with('>') || t.text.starts_with('#'))
                .collect()
        } else {
            continue;
        };
        for t in secret_tokens {
            if let Some(sp) = node.text_span(text, t.start, t.end - t.start) {
                out.push((sp.start as usize, sp.end as usize));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_every_kind_of_secret() {
        let text = "kind: Secret\ndata:\n  password: aHVudGVyMg==\n---\nkind: Deployment\nspec:\n  containers:\n  - args: [valkey-server, --requirepass, hunter2]\n    env:\n    - {name: VALKEY_PASSWORD, value: hunter3}\n---\nkind: ConfigMap\ndata:\n  valkey.conf: |\n    port 1\n    requirepass hunter4\n    user app on >hunter5 ~* +@all\n";
        let r = redacted(text).unwrap();
        for s in ["aHVudGVyMg", "hunter2", "hunter3", "hunter4", "hunter5"] {
            assert!(!r.contains(s), "{s} leaked:\n{r}");
        }
        assert!(r.contains("port 1") && r.contains("user app on"));
        assert_eq!(r.len(), text.len());
    }
}

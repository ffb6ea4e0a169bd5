//! Source text in, the byte ranges that hold secret values out, so that no report ever shows
//! them. What counts: every value of a Secret's `data`/`stringData` (in a List too), every value
//! whose key names a password (`requirepass:` in an operator's config map, `*PASSWORD*` env
//! vars), password arguments of valkey-server and valkey-cli (`--requirepass X`, `-a X`,
//! `--pass=X`, `redis://user:X@host`), and the secret lines of embedded valkey.conf and
//! sentinel.conf files (`requirepass`, `primaryauth`, `sentinel auth-pass`, `user … >X`, and
//! misspelt or unbalanced lines of the same kind). When a secret sits in a scalar whose text
//! does not map byte for byte onto the file (escapes, folding), the whole scalar is blanked.
//! A document that does not parse is blanked line by line wherever a line looks secret.

use crate::valkey::conf;
use crate::yaml::{parse_document, split_documents, Node, Value};

const SECRET_FLAGS: &[&str] = &[
    "--requirepass",
    "--primaryauth",
    "--masterauth",
    "--tls-key-file-pass",
    "--tls-client-key-file-pass",
    "--pass",
    "--password",
    "-a",
];

/// Whether a key or directive name speaks of a secret (`requirepass`, `VALKEY_PASSWORD`,
/// `auth-pass`, `token`…); misspellings such as `requirepas` still count.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let misspelt = ["requirepass", "primaryauth", "masterauth"]
        .iter()
        .any(|d| conf::edit_distance(&n, d) <= 2);
    (misspelt
        || ["pass", "secret", "token", "auth"]
            .iter()
            .any(|w| n.contains(w)))
        && !n.ends_with("_file")
        && !n.ends_with("-file")
        && !n.contains("clients")
        && !n.starts_with("allow_empty")
}

/// Byte ranges of secret values in a whole file.
pub fn secret_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for doc in split_documents(text) {
        match parse_document(text, &doc, 0) {
            Ok(Some(node)) => walk(&node, text, &mut out),
            Ok(None) => {}
            Err(_) => lines_fallback(text, doc.start, doc.end, &mut out),
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
    // Multi-byte characters partly covered become replacement characters: still no secret.
    Some(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

fn whole(n: &Node, out: &mut Vec<(usize, usize)>) {
    out.push((n.span.start as usize, n.span.end as usize));
}

/// Blanks `len` bytes at `offset` of a scalar's text, or the whole scalar when that range cannot
/// be placed in the file exactly.
fn part(n: &Node, text: &str, offset: usize, len: usize, out: &mut Vec<(usize, usize)>) {
    match n.text_span(text, offset, len) {
        Some(sp) => out.push((sp.start as usize, sp.end as usize)),
        None => whole(n, out),
    }
}

fn walk(n: &Node, text: &str, out: &mut Vec<(usize, usize)>) {
    match &n.value {
        Value::Map(entries) => {
            let is_secret = n.get("kind").and_then(Node::as_str) == Some("Secret");
            for (k, v) in entries {
                let key = k.as_str().unwrap_or_default();
                if is_secret && (key == "data" || key == "stringData") {
                    for (_, val) in v.entries() {
                        whole(val, out);
                    }
                    continue;
                }
                if matches!(v.value, Value::Scalar(..)) && secret_name(key) {
                    whole(v, out);
                    continue;
                }
                if key == "command" || key == "args" {
                    args(v.items(), out);
                }
                if key == "env" {
                    for e in v.items() {
                        let name = e.get("name").and_then(Node::as_str).unwrap_or_default();
                        if let Some(val) = e.get("value") {
                            if secret_name(name) {
                                whole(val, out);
                            } else {
                                scalar(val, text, out);
                            }
                        }
                    }
                    continue;
                }
                walk(v, text, out);
            }
        }
        Value::Seq(items) => {
            for i in items {
                walk(i, text, out);
            }
        }
        Value::Scalar(..) => scalar(n, text, out),
        Value::Null => {}
    }
}

fn args(items: &[Node], out: &mut Vec<(usize, usize)>) {
    for (i, item) in items.iter().enumerate() {
        let Some(s) = item.as_str() else { continue };
        if SECRET_FLAGS.contains(&s) {
            if let Some(next) = items.get(i + 1) {
                whole(next, out);
            }
        }
    }
}

/// Secrets inside one scalar's text: config lines, command lines, URIs.
fn scalar(n: &Node, text: &str, out: &mut Vec<(usize, usize)>) {
    let Some(s) = n.as_str() else { return };
    for (start, len) in conf_secrets(s).into_iter().chain(command_secrets(s)) {
        part(n, text, start, len, out);
    }
}

/// Byte ranges (start, len) of secret values in config text.
fn conf_secrets(s: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for raw in s.split('\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();
        let first = trimmed.split_whitespace().next().unwrap_or("");
        // A config directive is one bare word; `VAR=value cmd …` is a shell line.
        let directive = first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if first.starts_with('#') || first.is_empty() || !directive {
            continue;
        }
        let secret_line = secret_name(first)
            || (first.eq_ignore_ascii_case("sentinel")
                && trimmed.split_whitespace().nth(1).is_some_and(secret_name));
        let user_line = first.eq_ignore_ascii_case("user");
        if !secret_line && !user_line {
            continue;
        }
        match conf::split_args(trimmed) {
            Ok(tokens) => {
                let skip = if first.eq_ignore_ascii_case("sentinel") {
                    2
                } else {
                    1
                };
                for t in tokens.iter().skip(skip) {
                    let sensitive = secret_line || t.text.starts_with(['>', '<', '#', '!']);
                    if sensitive {
                        found.push((line_start + lead + t.start, t.end - t.start));
                    }
                }
            }
            // Unbalanced quotes: everything after the directive.
            Err(_) => {
                let after = first.len();
                found.push((line_start + lead + after, trimmed.len() - after));
            }
        }
    }
    found
}

/// Byte ranges (start, len) of secrets on command lines: values after password flags
/// (`-a X`, `--requirepass X`, `--pass=X`), `VAR=X` for secret-named variables, URI passwords.
fn command_secrets(s: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let bytes = s.as_bytes();
    let word_end = |from: usize| -> usize {
        s[from..]
            .find(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
            .map_or(s.len(), |p| from + p)
    };
    // Tokens separated by whitespace, with their byte offsets.
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let end = word_end(i).max(i + 1).min(s.len());
        if let Some(tok) = s.get(i..end) {
            tokens.push((i, tok));
        }
        i = end;
    }
    for (j, (at, tok)) in tokens.iter().enumerate() {
        let bare = tok.trim_matches(['"', '\'']);
        if SECRET_FLAGS.contains(&bare) {
            if let Some((next_at, next)) = tokens.get(j + 1) {
                if !next.starts_with("$") && !next.starts_with("\"$") {
                    found.push((*next_at, next.len()));
                }
            }
        }
        if let Some((flag, value)) = bare.split_once('=') {
            let named = SECRET_FLAGS.contains(&flag) || secret_name(flag.trim_start_matches('-'));
            if named && !value.is_empty() && !value.starts_with('$') && !value.starts_with("\"$") {
                let v = at + tok.find('=').unwrap_or(0) + 1;
                found.push((v, at + tok.len() - v));
            }
        }
        // scheme://user:password@host
        if let Some(p) = tok.find("://") {
            let rest = &tok[p + 3..];
            if let Some(atsign) = rest.find('@') {
                if let Some(colon) = rest[..atsign].find(':') {
                    let v = at + p + 3 + colon + 1;
                    found.push((v, atsign - colon - 1));
                }
            }
        }
    }
    found
}

/// For a document that does not parse: blank everything after the key or directive on any line
/// that looks secret, and every indented line of a Secret's data.
fn lines_fallback(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let doc = &text[start..end];
    let is_secret = doc.lines().any(|l| l.trim() == "kind: Secret");
    let mut in_data = false;
    let mut offset = start;
    for line in doc.split('\n') {
        let here = offset;
        offset += line.len() + 1;
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if indent == 0 {
            in_data = is_secret && (t.starts_with("data:") || t.starts_with("stringData:"));
            if !in_data {
                if let Some(p) = t.find(':') {
                    if secret_name(&t[..p]) {
                        out.push((here + p + 1, here + line.len()));
                    }
                }
                continue;
            }
        }
        if in_data && indent > 0 {
            out.push((here + indent, here + line.len()));
            continue;
        }
        let key = t.split([':', ' ', '=']).next().unwrap_or("");
        if secret_name(key) {
            let p = t.find([':', ' ', '=']).map_or(t.len(), |p| p + 1);
            out.push((here + indent + p, here + line.len()));
        }
        for (s, len) in command_secrets(line) {
            out.push((here + s, here + s + len));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_every_kind_of_secret() {
        let text = "kind: Secret\ndata:\n  password: aHVudGVyMg==\n---\nkind: Deployment\nspec:\n  containers:\n  - args: [valkey-server, --requirepass, hunter2]\n    env:\n    - {name: VALKEY_PASSWORD, value: hunter3}\n    - {name: FLAGS, value: \"--requirepass hunter6\"}\n---\nkind: ConfigMap\ndata:\n  valkey.conf: |\n    port 1\n    requirepass hunter4\n    user app on >hunter5 ~* +@all\n    sentinel auth-pass mymaster hunter7\n  probe.sh: valkey-cli -u redis://default:hunter8@localhost ping\n";
        let r = redacted(text).unwrap();
        for s in [
            "aHVudGVyMg",
            "hunter2",
            "hunter3",
            "hunter4",
            "hunter5",
            "hunter6",
            "hunter7",
            "hunter8",
        ] {
            assert!(!r.contains(s), "{s} leaked:\n{r}");
        }
        assert!(r.contains("port 1") && r.contains("user app on") && r.contains("@localhost"));
        assert_eq!(r.len(), text.len());
    }

    #[test]
    fn blanks_whole_scalars_it_cannot_map_and_broken_documents() {
        let text = "kind: ConfigMap\ndata:\n  valkey.conf: \"maxmemory 1gb\\nrequirepass hunter2\\n\"\n---\nkind: Secret\nstringData:\n  password: hunter3\n  other: [unclosed\n";
        let r = redacted(text).unwrap();
        assert!(!r.contains("hunter2") && !r.contains("hunter3"), "{r}");
    }
}

//! The small part of Bash that chart start scripts use to build a server command line, read
//! without running anything: `ARGS=(…)` / `ARGS+=(…)`, `exec valkey-server "${ARGS[@]}"`,
//! `cp` of mounted config files, `echo "line" >> file.conf`, and `if [[ -f … ]]` / `if [[ "$V" =
//! "x" ]]` where the answer is known. What depends on run-time state is marked uncertain rather
//! than guessed.

use crate::yaml::Span;
use std::collections::BTreeMap;

/// What a start script does that matters for the server's configuration.
#[derive(Debug, Default, Clone)]
pub struct ScriptEffect {
    /// The server command line (`valkey-server` / `redis-server` and its arguments), when found.
    pub server_argv: Option<Vec<Word>>,
    /// `cp SRC DST` copies, in order.
    pub copies: Vec<(String, String)>,
    /// Lines appended to files with `echo … >> FILE`.
    pub appends: Vec<(String, String)>,
    /// Arguments added under a condition only known at run time (e.g. `--replicaof` on replicas).
    pub conditional: Vec<Word>,
    /// Another script or program the script hands over to (`exec /path/run.sh`).
    pub execs: Vec<Vec<String>>,
}

/// A shell word after expansion; `literal` is false when it holds a variable not known here.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The expanded text (unknown variables kept as `${NAME}`).
    pub text: String,
    /// Whether every part of it is known.
    pub literal: bool,
    /// Where its text stands in the file, when known.
    pub span: Option<Span>,
    /// Byte range of its text (quotes excluded) in the text it was read from.
    pub range: (usize, usize),
}

/// Variables a script can read: container env vars with literal values.
pub type Env = BTreeMap<String, String>;

/// Reads a script. `exists` answers `-f PATH` tests; `locate` maps a byte range of the script
/// to the file, so that arguments built by the script can be pointed at.
pub fn interpret(
    script: &str,
    env: &Env,
    exists: &dyn Fn(&str) -> bool,
    locate: &dyn Fn(usize, usize) -> Option<Span>,
) -> ScriptEffect {
    let mut fx = ScriptEffect::default();
    let mut args: Vec<Word> = Vec::new();
    let mut conds: Vec<Option<bool>> = Vec::new();
    let mut in_function = 0usize;
    for (raw_offset, joined, raw) in join_continuations(script) {
        let line = raw.trim();
        let base = raw_offset + (raw.len() - raw.trim_start().len());
        let place = |mut ws: Vec<Word>, skip: usize| -> Vec<Word> {
            for w in &mut ws {
                if !joined && w.range.1 > w.range.0 {
                    w.span = locate(base + skip + w.range.0, base + skip + w.range.1);
                }
            }
            ws
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if in_function > 0 {
            in_function += line.matches('{').count();
            in_function -= line.matches('}').count().min(in_function);
            continue;
        }
        if line.ends_with("() {") || line.starts_with("function ") {
            in_function = 1;
            continue;
        }
        let known_true = conds.iter().all(|c| *c == Some(true));
        let dead = conds.contains(&Some(false));
        if let Some(cond) = line.strip_prefix("if ") {
            conds.push(condition(cond, env, exists));
            continue;
        }
        if line.starts_with("elif ") {
            if let Some(c) = conds.last_mut() {
                *c = None;
            }
            continue;
        }
        if line == "else" {
            if let Some(c) = conds.last_mut() {
                *c = c.map(|b| !b);
            }
            continue;
        }
        if line == "fi" {
            conds.pop();
            continue;
        }
        if dead {
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("ARGS+=(")
            .or_else(|| line.strip_prefix("ARGS=("))
        {
            let words = place(
                words(rest.trim_end_matches(')'), env),
                line.len() - rest.len(),
            );
            if line.starts_with("ARGS=(") && known_true {
                args.clear();
            }
            if known_true {
                args.extend(words);
            } else {
                fx.conditional.extend(words);
            }
            continue;
        }
        if let Some((cmd, file)) = line.split_once(">>") {
            if let Some(text) = cmd.trim().strip_prefix("echo ") {
                let w = words(text, env);
                let line = w
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                let file = words(file.trim(), env)
                    .first()
                    .map(|w| w.text.clone())
                    .unwrap_or_default();
                fx.appends.push((file, line));
            }
            continue;
        }
        let w = place(words(line, env), 0);
        let first = w.first().map(|w| w.text.as_str()).unwrap_or("");
        if first == "cp" && w.len() == 3 && known_true {
            fx.copies.push((w[1].text.clone(), w[2].text.clone()));
            continue;
        }
        let cmd: &[Word] = if first == "exec" { &w[1..] } else { &w[..] };
        let Some(prog) = cmd.first() else { continue };
        if is_server(&prog.text) {
            let mut argv = vec![prog.clone()];
            for a in &cmd[1..] {
                if a.text == "${ARGS[@]}" {
                    argv.extend(args.iter().cloned());
                } else {
                    argv.push(a.clone());
                }
            }
            if known_true {
                fx.server_argv = Some(argv);
            }
        } else if first == "exec" || prog.text.ends_with(".sh") {
            fx.execs
                .push(cmd.iter().map(|w| w.text.clone()).collect::<Vec<_>>());
        }
    }
    fx
}

/// Whether a program name is the Valkey or Redis server.
pub fn is_server(prog: &str) -> bool {
    let base = prog.rsplit('/').next().unwrap_or(prog);
    matches!(base, "valkey-server" | "redis-server")
}

/// Logical lines: (byte offset of the first physical line, whether lines were joined, text).
fn join_continuations(script: &str) -> Vec<(usize, bool, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0usize;
    let mut joined = false;
    let mut offset = 0usize;
    for line in script.split('\n') {
        if cur.is_empty() && !joined {
            start = offset;
        }
        offset += line.len() + 1;
        if let Some(head) = line.strip_suffix('\\') {
            cur.push_str(head);
            cur.push(' ');
            joined = true;
        } else {
            cur.push_str(line);
            out.push((start, joined, std::mem::take(&mut cur)));
            joined = false;
        }
    }
    if !cur.is_empty() {
        out.push((start, joined, cur));
    }
    out
}

fn condition(cond: &str, env: &Env, exists: &dyn Fn(&str) -> bool) -> Option<bool> {
    let c = cond
        .trim()
        .trim_end_matches("then")
        .trim()
        .trim_end_matches(';')
        .trim();
    let inner = c
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"))
        .or_else(|| c.strip_prefix('[').and_then(|s| s.strip_suffix(']')))?;
    let w = words(inner, env);
    match w.as_slice() {
        [op, path] if op.text == "-f" || op.text == "-e" => {
            path.literal.then(|| exists(&path.text))
        }
        [a, op, b] if op.text == "=" || op.text == "==" || op.text == "!=" => {
            if a.literal && b.literal {
                Some((a.text == b.text) == (op.text != "!="))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Splits and expands shell words: quotes removed, `$VAR` / `${VAR}` replaced when known.
pub fn words(text: &str, env: &Env) -> Vec<Word> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let byte_at: Vec<usize> = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut w = Word {
            text: String::new(),
            literal: true,
            span: None,
            range: (0, 0),
        };
        let (mut dq, mut sq) = (false, false);
        let mut first: Option<usize> = None;
        let mut last = 0usize;
        while i < chars.len() {
            let c = chars[i];
            let is_delim = (c == '\'' && !dq) || (c == '"' && !sq);
            if first.is_none() && !is_delim && !(c.is_whitespace() && !dq && !sq) {
                first = Some(i);
            }
            if sq {
                if c == '\'' {
                    sq = false;
                } else {
                    w.text.push(c);
                }
            } else if c == '\'' && !dq {
                sq = true;
            } else if c == '"' {
                dq = !dq;
            } else if c == '\\' && i + 1 < chars.len() {
                i += 1;
                w.text.push(chars[i]);
            } else if c == '$' {
                i = expand(&chars, i, env, &mut w);
                continue;
            } else if (c.is_whitespace() || c == ';' || c == '|' || c == '&') && !dq {
                break;
            } else {
                w.text.push(c);
            }
            if !is_delim {
                last = i + 1;
            }
            i += 1;
        }
        let f = first.unwrap_or(i).min(last.max(first.unwrap_or(i)));
        w.range = (byte_at[f], byte_at[last.max(f)]);
        out.push(w);
        if i < chars.len() && matches!(chars[i], ';' | '|' | '&') {
            break;
        }
    }
    out
}

fn expand(chars: &[char], at: usize, env: &Env, w: &mut Word) -> usize {
    let mut i = at + 1;
    let name: String;
    if chars.get(i) == Some(&'{') {
        let end = chars[i..].iter().position(|&c| c == '}').map(|p| i + p);
        let Some(end) = end else {
            w.text.push('$');
            return i;
        };
        name = chars[i + 1..end].iter().collect();
        i = end + 1;
        if name == "ARGS[@]" {
            w.text.push_str("${ARGS[@]}");
            return i;
        }
    } else if chars.get(i) == Some(&'(') {
        // Command substitution: unknown at lint time.
        let mut depth = 0;
        while i < chars.len() {
            match chars[i] {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        w.text.push_str("$(…)");
        w.literal = false;
        return i;
    } else {
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        name = chars[start..i].iter().collect();
        if name.is_empty() {
            w.text.push('$');
            return i;
        }
    }
    match env.get(&name) {
        Some(v) => w.text.push_str(v),
        None => {
            w.text.push_str(&format!("${{{name}}}"));
            w.literal = false;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitnami_start_script() {
        let script = r#"#!/bin/bash
[[ -f $VALKEY_PASSWORD_FILE ]] && export VALKEY_PASSWORD="$(< "${VALKEY_PASSWORD_FILE}")"
if [[ -f /m/valkey.conf ]];then
    cp /m/valkey.conf /e/valkey.conf
fi
get_port() {
    if [ -z "$port" ]; then
      echo x
    fi
}
echo "" >> /e/replica.conf
echo "replica-announce-port $PORT" >> /e/replica.conf
ARGS=("--port" "${VALKEY_PORT}")
if [[ "$MODE" = "replica" ]]; then
    ARGS+=("--replicaof" "${HOST}" "6379")
fi
ARGS+=("--include" "/e/valkey.conf")
ARGS+=("--maxmemory")
ARGS+=("1gb")
exec valkey-server "${ARGS[@]}"
"#;
        let mut env = Env::new();
        env.insert("VALKEY_PORT".into(), "6379".into());
        let fx = interpret(script, &env, &|p| p == "/m/valkey.conf", &|s, e| {
            Some(Span::new(0, s, e))
        });
        let argv: Vec<_> = fx
            .server_argv
            .clone()
            .unwrap()
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(
            argv,
            vec![
                "valkey-server",
                "--port",
                "6379",
                "--include",
                "/e/valkey.conf",
                "--maxmemory",
                "1gb"
            ]
        );
        assert_eq!(
            fx.copies,
            vec![("/m/valkey.conf".into(), "/e/valkey.conf".into())]
        );
        assert_eq!(fx.conditional.len(), 3);
        assert_eq!(fx.appends[1].1, "replica-announce-port ${PORT}");
        let last = fx
            .server_argv
            .as_ref()
            .unwrap()
            .last()
            .unwrap()
            .span
            .unwrap();
        assert_eq!(&script[last.start as usize..last.end as usize], "1gb");
    }
}

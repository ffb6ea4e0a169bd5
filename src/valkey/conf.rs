//! valkey.conf text in, directives out, read exactly as valkey-server reads it
//! (`loadServerConfigFromString` and `sdssplitargs` in the server's source): lines trimmed, `#`
//! only at the start of a line, C-like double quotes, literal single quotes, directive names
//! case-insensitive. Each directive is then checked against the directive table the way the
//! server's setters would, so that what the server refuses at start-up is a finding here.

use super::directives::{self, Directive, Kind};
use crate::units::parse_memory;

/// One argument of a config line, with its byte range in the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The argument after unquoting.
    pub text: String,
    /// First byte in the text.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Splits one line into arguments like `sdssplitargs`; `Err` carries the byte where the line
/// became unbalanced.
pub fn split_args(line: &str) -> Result<Vec<Token>, usize> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut p = 0usize;
    loop {
        while p < b.len() && is_space(b[p]) {
            p += 1;
        }
        if p >= b.len() {
            return Ok(out);
        }
        let start = p;
        let mut cur: Vec<u8> = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            let c = b.get(p).copied();
            if inq {
                match c {
                    None => return Err(start),
                    Some(b'\\')
                        if b.get(p + 1) == Some(&b'x')
                            && b.get(p + 2).is_some_and(u8::is_ascii_hexdigit)
                            && b.get(p + 3).is_some_and(u8::is_ascii_hexdigit) =>
                    {
                        cur.push(hex(b[p + 2]) * 16 + hex(b[p + 3]));
                        p += 3;
                    }
                    Some(b'\\') if p + 1 < b.len() => {
                        p += 1;
                        cur.push(match b[p] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'a' => 7,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        if b.get(p + 1).is_some_and(|&n| !is_space(n)) {
                            return Err(p);
                        }
                        p += 1;
                        break;
                    }
                    Some(other) => cur.push(other),
                }
            } else if insq {
                match c {
                    None => return Err(start),
                    Some(b'\\') if b.get(p + 1) == Some(&b'\'') => {
                        p += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => {
                        if b.get(p + 1).is_some_and(|&n| !is_space(n)) {
                            return Err(p);
                        }
                        p += 1;
                        break;
                    }
                    Some(other) => cur.push(other),
                }
            } else {
                match c {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t') => break,
                    Some(b'"') => inq = true,
                    Some(b'\'') => insq = true,
                    Some(other) => cur.push(other),
                }
            }
            p += 1;
        }
        out.push(Token {
            text: String::from_utf8_lossy(&cur).into_owned(),
            start,
            end: p.min(b.len()),
        });
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

/// One non-comment line of a config text.
#[derive(Debug, Clone)]
pub struct Line {
    /// Byte offset of the trimmed line in the text.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// 1-based line number in the text.
    pub number: usize,
    /// The arguments; the first is the directive name as written. Empty when unbalanced.
    pub tokens: Vec<Token>,
    /// Set when the quotes do not balance: the byte where it went wrong.
    pub unbalanced: Option<usize>,
}

/// Reads a config text into its lines, skipping blanks and `#` comment lines.
pub fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for (i, raw) in text.split('\n').enumerate() {
        let lead = raw.len() - raw.trim_start_matches([' ', '\t', '\r']).len();
        let trimmed = raw.trim_matches([' ', '\t', '\r']);
        let start = offset + lead;
        offset += raw.len() + 1;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (tokens, unbalanced) = match split_args(trimmed) {
            Ok(t) => (
                t.into_iter()
                    .map(|t| Token {
                        start: t.start + start,
                        end: t.end + start,
                        text: t.text,
                    })
                    .collect(),
                None,
            ),
            Err(at) => (Vec::new(), Some(start + at)),
        };
        if tokens.is_empty() && unbalanced.is_none() {
            continue;
        }
        out.push(Line {
            start,
            end: start + trimmed.len(),
            number: i + 1,
            tokens,
            unbalanced,
        });
    }
    out
}

/// What valkey-server would refuse in one directive, and which argument is at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The server's reason, in its own words where it has them.
    pub message: String,
    /// Index of the offending argument (0 = the directive name).
    pub arg: usize,
    /// A short hint for a person.
    pub hint: Option<String>,
}

/// How a directive is known to the server.
#[derive(Debug, Clone, Copy)]
pub enum Known {
    /// A standard config (possibly through an alias).
    Standard(&'static Directive),
    /// `include`, `rename-command`, `user`, `loadmodule`, `sentinel`.
    Special,
    /// A module option (`name.with.dot`).
    Module,
    /// A deprecated name the server accepts and ignores.
    Ignored,
}

/// Canonical name of a directive (aliases resolved), lower-cased.
pub fn canonical(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match directives::lookup(&lower) {
        Some(d) => d.name.to_string(),
        None => lower,
    }
}

/// Checks one directive with its arguments as valkey-server would at start-up.
///
/// `sentinel_mode` allows `sentinel …` lines. Returns how the directive is known, or the problem.
pub fn check(args: &[&str], sentinel_mode: bool) -> Result<Known, Problem> {
    let Some(first) = args.first() else {
        return Ok(Known::Ignored);
    };
    let name = first.to_ascii_lowercase();
    let argc = args.len();
    if let Some(d) = directives::lookup(&name) {
        let values: Vec<&str> =
            match d.kind {
                Kind::Multi | Kind::MultiEnum(_) | Kind::Save if argc == 2 => {
                    args[1].split(' ').filter(|s| !s.is_empty()).collect()
                }
                Kind::Multi | Kind::MultiEnum(_) | Kind::Save => args[1..].to_vec(),
                _ if argc != 2 => return Err(Problem {
                    message: "wrong number of arguments".into(),
                    arg: if argc > 2 { 2 } else { 0 },
                    hint: (argc > 2 && args[2].starts_with('#')).then(|| {
                        "valkey.conf has no end-of-line comments: put the comment on its own line"
                            .into()
                    }),
                }),
                _ => vec![args[1]],
            };
        check_values(d, &values).map_err(|(message, i, hint)| Problem {
            message,
            arg: if argc == 2 { 1 } else { 1 + i },
            hint,
        })?;
        return Ok(Known::Standard(d));
    }
    if directives::DEPRECATED_NOOPS.contains(&name.as_str()) {
        return Ok(Known::Ignored);
    }
    let ok = match name.as_str() {
        "include" => argc == 2,
        "rename-command" => argc == 3,
        "user" | "loadmodule" => argc >= 2,
        "sentinel" => {
            if argc != 1 && sentinel_mode {
                return Ok(Known::Special);
            }
            false
        }
        _ if name.contains('.') => {
            if argc < 2 {
                return Err(Problem {
                    message: "Module config specified without value".into(),
                    arg: 0,
                    hint: None,
                });
            }
            return Ok(Known::Module);
        }
        _ => false,
    };
    if ok {
        Ok(Known::Special)
    } else {
        let hint = suggest(&name).map(|s| format!("did you mean `{s}`?"));
        Err(Problem {
            message: "Bad directive or wrong number of arguments".into(),
            arg: 0,
            hint,
        })
    }
}

type ValueError = (String, usize, Option<String>);

fn check_values(d: &Directive, values: &[&str]) -> Result<(), ValueError> {
    let one = values.first().copied().unwrap_or("");
    match d.kind {
        Kind::Bool => {
            if one.eq_ignore_ascii_case("yes") || one.eq_ignore_ascii_case("no") {
                Ok(())
            } else {
                let hint = match one.to_ascii_lowercase().as_str() {
                    "true" | "1" | "on" => Some("write `yes`".to_string()),
                    "false" | "0" | "off" => Some("write `no`".to_string()),
                    _ => None,
                };
                Err(("argument must be 'yes' or 'no'".into(), 0, hint))
            }
        }
        Kind::Int { min, max } => match parse_ll(one) {
            None => Err((
                "argument couldn't be parsed into an integer".into(),
                0,
                None,
            )),
            Some(v) if v < min || v > max => Err((
                format!("argument must be between {min} and {max} inclusive"),
                0,
                None,
            )),
            Some(_) => Ok(()),
        },
        Kind::Octal => {
            if !one.is_empty() && one.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                Ok(())
            } else {
                Err((
                    "argument couldn't be parsed into an integer".into(),
                    0,
                    None,
                ))
            }
        }
        Kind::Memory { percent } => {
            if parse_memory(one).is_ok()
                || (percent
                    && one
                        .strip_suffix('%')
                        .and_then(parse_ll)
                        .is_some_and(|v| v >= 0))
            {
                Ok(())
            } else {
                let message = if percent {
                    "argument must be a memory or percent value"
                } else {
                    "argument must be a memory value"
                };
                Err((message.into(), 0, memory_hint(one)))
            }
        }
        Kind::Enum(names) => {
            if names.iter().any(|n| n.eq_ignore_ascii_case(one)) {
                Ok(())
            } else {
                Err((
                    format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    ),
                    0,
                    None,
                ))
            }
        }
        Kind::MultiEnum(names) => {
            for (i, v) in values.iter().enumerate() {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(v)) {
                    return Err((
                        format!(
                            "argument(s) must be one of the following: {}",
                            names.join(", ")
                        ),
                        i,
                        None,
                    ));
                }
            }
            let has = |n: &str| values.iter().any(|v| v.eq_ignore_ascii_case(n));
            if values.is_empty() || (has("save") && has("nosave")) {
                return Err((
                    format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    ),
                    0,
                    None,
                ));
            }
            Ok(())
        }
        Kind::Save => check_save(values),
        Kind::Multi => check_multi(d.name, values),
        Kind::String => Ok(()),
    }
}

fn check_save(values: &[&str]) -> Result<(), ValueError> {
    if values.is_empty() || (values.len() == 1 && values[0].is_empty()) {
        return Ok(());
    }
    if values.len() % 2 != 0 {
        return Err(("Invalid save parameters".into(), values.len() - 1, None));
    }
    for (i, pair) in values.chunks(2).enumerate() {
        let secs = parse_ll(pair[0]);
        let changes = parse_ll(pair[1]);
        if secs.is_none_or(|s| s < 1) || changes.is_none_or(|c| c < 0) {
            return Err(("Invalid save parameters".into(), i * 2, None));
        }
    }
    Ok(())
}

fn check_multi(name: &str, values: &[&str]) -> Result<(), ValueError> {
    match name {
        "client-output-buffer-limit" => {
            if values.len() % 4 != 0 {
                return Err((
                    "Wrong number of arguments in buffer limit configuration.".into(),
                    0,
                    None,
                ));
            }
            for (i, chunk) in values.chunks(4).enumerate() {
                let class_ok = ["normal", "replica", "slave", "pubsub"]
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(chunk[0]));
                if !class_ok {
                    return Err((
                        "Invalid client class specified in buffer limit configuration.".into(),
                        i * 4,
                        None,
                    ));
                }
                for (j, limit) in chunk.iter().enumerate().take(3).skip(1) {
                    if parse_memory(limit).is_err() {
                        return Err((
                            "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                                .into(),
                            i * 4 + j,
                            memory_hint(limit),
                        ));
                    }
                }
                if parse_ll(chunk[3]).is_none_or(|v| v < 0) {
                    return Err((
                        "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                            .into(),
                        i * 4 + 3,
                        None,
                    ));
                }
            }
            Ok(())
        }
        "oom-score-adj-values" => {
            if values.len() != 3 {
                return Err((
                    "Invalid number of oom-score-adj-values (expected 3).".into(),
                    0,
                    None,
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if parse_ll(v).is_none_or(|v| !(-2000..=2000).contains(&v)) {
                    return Err((
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
                            .into(),
                        i,
                        None,
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn memory_hint(v: &str) -> Option<String> {
    let digits = v.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &v[digits.len()..];
    let valkey_unit = match unit {
        "Ki" | "KiB" => "kb",
        "Mi" | "MiB" => "mb",
        "Gi" | "GiB" => "gb",
        "K" | "KB" => "kb",
        _ if digits.contains('.') => {
            return Some(
                "memory values are whole numbers: write e.g. `1536mb` for 1.5 GiB".to_string(),
            )
        }
        _ => return Some("units are k, kb, m, mb, g, gb (kb/mb/gb are powers of 1024)".into()),
    };
    Some(format!(
        "Kubernetes units are not valkey units: write `{digits}{valkey_unit}`"
    ))
}

/// `string2ll`: an optional `-`, then digits only, no leading `+`, no spaces, fits in i64.
pub fn parse_ll(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// The closest known directive name, for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    directives::DIRECTIVES
        .iter()
        .map(|d| d.name)
        .chain(directives::SPECIAL.iter().copied())
        .map(|n| (edit_distance(name, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 5))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Levenshtein distance between two short strings.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        split_args(s).unwrap().into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(toks("save \"\""), vec!["save", ""]);
        assert_eq!(toks("a \"b c\" 'd e'"), vec!["a", "b c", "d e"]);
        assert_eq!(toks("x \"\\x41\\n\""), vec!["x", "A\n"]);
        assert_eq!(toks("x 'it\\'s'"), vec!["x", "it's"]);
        assert_eq!(toks("x ab\"c d\""), vec!["x", "abc d"]);
        assert!(split_args("x \"foo\"bar").is_err());
        assert!(split_args("x \"foo").is_err());
        assert!(split_args("x 'foo").is_err());
    }

    #[test]
    fn comment_lines_only_at_start() {
        let ls = lines("# c\n  maxmemory 100mb # cache\r\n\n port 1");
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].tokens.len(), 4);
        assert_eq!(ls[0].number, 2);
        assert_eq!(ls[1].tokens[0].start, 33);
    }

    #[test]
    fn checks() {
        assert!(check(&["maxmemory", "100mb"], false).is_ok());
        assert!(check(&["MAXMEMORY", "100mb"], false).is_ok());
        assert_eq!(
            check(&["maxmemory", "2Gi"], false).unwrap_err().message,
            "argument must be a memory value"
        );
        assert_eq!(
            check(&["maxmemory", "1gb", "#", "x"], false)
                .unwrap_err()
                .message,
            "wrong number of arguments"
        );
        assert!(check(&["appendonly", "true"], false).is_err());
        assert!(check(&["appendonly", "YES"], false).is_ok());
        assert!(check(&["save", "900 1 300 10"], false).is_ok());
        assert!(check(&["save", ""], false).is_ok());
        assert!(check(&["save", "900"], false).is_err());
        assert!(check(&["masterauth", "x"], false).is_ok());
        assert!(check(&["include", "/x"], false).is_ok());
        assert!(check(&["sentinel", "monitor", "a"], false).is_err());
        assert!(check(&["sentinel", "monitor", "a"], true).is_ok());
        assert!(check(&["nosuch", "x"], false).is_err());
        assert_eq!(
            check(&["maxmemroy", "1"], false)
                .unwrap_err()
                .hint
                .as_deref(),
            Some("did you mean `maxmemory`?")
        );
        assert!(check(
            &["client-output-buffer-limit", "replica 256mb 64mb 60"],
            false
        )
        .is_ok());
        assert!(check(
            &["client-output-buffer-limit", "replica 256Mi 64mb 60"],
            false
        )
        .is_err());
    }
}

//! valkey.conf text in, directives out, read exactly as valkey-server 9.1 reads it
//! (`loadServerConfigFromString` and `sdssplitargs` in the server's source): lines trimmed, `#`
//! only at the start of a line, C-like double quotes, literal single quotes, quoted and unquoted
//! parts of one argument joined as in a shell, directive names case-insensitive. Each directive
//! is then checked against the directive table the way the server's setters would, so that what
//! the server refuses at start-up is a finding here.

use std::fmt::Write as _;

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

/// Splits one line into arguments like `sdssplitargs` of valkey 9.1; `Err` carries the byte where
/// the line became unbalanced.
///
/// As in a shell, a closing quote does not end the argument: `"1"gb` and `'1'"gb"` are `1gb`.
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
                    Some(b'"') => inq = false,
                    Some(other) => cur.push(other),
                }
            } else if insq {
                match c {
                    None => return Err(start),
                    Some(b'\\') if b.get(p + 1) == Some(&b'\'') => {
                        p += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => insq = false,
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

const BAD_DIRECTIVE: &str = "Bad directive or wrong number of arguments";

/// What valkey-server says when module options are set and no module is loaded.
pub const MODULE_CONFIG_WITHOUT_MODULE: &str =
    "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting";

/// Checks one directive with its arguments as valkey-server 9.1 would at start-up.
///
/// `sentinel_mode` allows `sentinel …` lines. Returns how the directive is known, or the problem.
/// What only the whole file decides (module options without `loadmodule`) is
/// [`check_module_configs`].
pub fn check(args: &[&str], sentinel_mode: bool) -> Result<Known, Problem> {
    let Some(first) = args.first() else {
        return Ok(Known::Ignored);
    };
    let name = first.to_ascii_lowercase();
    let argc = args.len();
    // 9.1 ignores these names with exactly one argument, before looking at its config table.
    if directives::DEPRECATED_NOOPS.contains(&name.as_str()) {
        if argc == 2 {
            return Ok(Known::Ignored);
        }
        return Err(Problem {
            message: BAD_DIRECTIVE.into(),
            arg: 0,
            hint: Some(format!(
                "`{name}` is deprecated: valkey-server ignores it, with exactly one argument"
            )),
        });
    }
    if let Some(d) = directives::lookup(&name) {
        let multi = matches!(d.kind, Kind::Multi | Kind::MultiEnum(_) | Kind::Save);
        let resplit: Vec<Token>;
        let values: Vec<&str> = if multi && argc == 2 && !args[1].is_empty() {
            // One non-empty argument is split again like a config line; unbalanced quotes leave
            // no arguments at all.
            resplit = split_args(args[1]).unwrap_or_default();
            resplit.iter().map(|t| t.text.as_str()).collect()
        } else if multi {
            args[1..].to_vec()
        } else if argc != 2 {
            return Err(Problem {
                message: "wrong number of arguments".into(),
                arg: if argc > 2 { 2 } else { 0 },
                hint: (argc > 2 && args[2].starts_with('#')).then(|| {
                    "valkey.conf has no end-of-line comments: put the comment on its own line"
                        .into()
                }),
            });
        } else {
            vec![args[1]]
        };
        check_values(d, &values).map_err(|(message, i, hint)| Problem {
            message,
            arg: if argc == 2 { 1 } else { 1 + i },
            hint,
        })?;
        return Ok(Known::Standard(d));
    }
    match name.as_str() {
        "include" if argc == 2 => Ok(Known::Special),
        "rename-command" if argc == 3 => check_rename_command(args).map(|()| Known::Special),
        "user" if argc >= 2 => check_user(args).map(|()| Known::Special),
        "loadmodule" if argc >= 2 => Ok(Known::Special),
        // A bare `sentinel` line is read by main() before the file and ignored here.
        "sentinel" if argc == 1 => Ok(Known::Ignored),
        "sentinel" if sentinel_mode => Ok(Known::Special),
        "sentinel" => Err(Problem {
            message: "sentinel directive while not in sentinel mode".into(),
            arg: 0,
            hint: Some(
                "only valkey-sentinel (valkey-server --sentinel) reads `sentinel` lines".into(),
            ),
        }),
        _ if name.contains('.') => {
            if argc < 2 {
                return Err(Problem {
                    message: "Module config specified without value".into(),
                    arg: 0,
                    hint: None,
                });
            }
            Ok(Known::Module)
        }
        _ => {
            let known = directives::SPECIAL.contains(&name.as_str());
            let hint = if known {
                None
            } else {
                suggest(&name).map(|s| format!("did you mean `{s}`?"))
            };
            Err(Problem {
                message: BAD_DIRECTIVE.into(),
                arg: 0,
                hint,
            })
        }
    }
}

/// Module options (`name.with.dot value`) are only applied by a module: when no `loadmodule` line
/// loads one, valkey-server aborts start-up once the whole file is read. Returns the index (into
/// `lines`) of the first module option of such a file, with the problem; `None` when the file
/// has no module option or loads a module.
pub fn check_module_configs(lines: &[Line]) -> Option<(usize, Problem)> {
    let mut first = None;
    for (i, line) in lines.iter().enumerate() {
        let [name, _, ..] = line.tokens.as_slice() else {
            continue;
        };
        let lower = name.text.to_ascii_lowercase();
        if lower == "loadmodule" {
            return None;
        }
        if first.is_none() && lower.contains('.') && directives::lookup(&lower).is_none() {
            first = Some(i);
        }
    }
    first.map(|i| {
        (
            i,
            Problem {
                message: MODULE_CONFIG_WITHOUT_MODULE.into(),
                arg: 0,
                hint: Some(
                    "a module option needs the module: add its `loadmodule` line, or remove the option"
                        .into(),
                ),
            },
        )
    })
}

fn check_rename_command(args: &[&str]) -> Result<(), Problem> {
    if !directives::is_command(args[1]) {
        return Err(Problem {
            message: "No such command in rename-command".into(),
            arg: 1,
            hint: None,
        });
    }
    if !args[2].is_empty()
        && directives::is_command(args[2])
        && !args[2].eq_ignore_ascii_case(args[1])
    {
        return Err(Problem {
            message: "Target command name already exists".into(),
            arg: 2,
            hint: None,
        });
    }
    Ok(())
}

type ValueError = (String, usize, Option<String>);

fn value_error(message: impl Into<String>, i: usize) -> ValueError {
    (message.into(), i, None)
}

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
            None => Err(value_error(
                "argument couldn't be parsed into an integer",
                0,
            )),
            Some(v) if v < min || v > max => Err(value_error(
                format!("argument must be between {min} and {max} inclusive"),
                0,
            )),
            Some(_) => Ok(()),
        },
        Kind::Octal => match parse_strtoll(one, 8) {
            None => Err(value_error(
                "argument couldn't be parsed into an integer",
                0,
            )),
            Some(v) if !(0..=0o777).contains(&v) => Err(value_error(
                "argument must be between 0 and 777 inclusive",
                0,
            )),
            Some(_) => Ok(()),
        },
        Kind::Memory { percent } => check_memory(d.name, percent, one),
        Kind::Enum(names) => {
            if names.iter().any(|n| n.eq_ignore_ascii_case(one)) {
                Ok(())
            } else {
                Err(value_error(
                    format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    ),
                    0,
                ))
            }
        }
        Kind::MultiEnum(names) => {
            let message = || {
                format!(
                    "argument(s) must be one of the following: {}",
                    names.join(", ")
                )
            };
            for (i, v) in values.iter().enumerate() {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(v)) {
                    return Err(value_error(message(), i));
                }
            }
            let has = |n: &str| values.iter().any(|v| v.eq_ignore_ascii_case(n));
            if values.is_empty() || (has("save") && has("nosave")) {
                return Err(value_error(message(), 0));
            }
            Ok(())
        }
        Kind::Save => check_save(values),
        Kind::Multi => check_multi(d.name, values),
        Kind::String => check_string(d.name, one),
    }
}

/// Byte bounds of a memory directive in valkey-server 9.1. A negative lower bound marks a signed
/// option, which reads huge values as negative numbers (and stores percentages as negatives).
fn memory_bounds(name: &str) -> (i128, i128) {
    let long_max = i128::from(i64::MAX);
    match name {
        "maxmemory" | "cluster-link-sendbuf-limit" => (0, i128::from(u64::MAX)),
        "client-query-buffer-limit" | "proto-max-bulk-len" => (1 << 20, long_max),
        "repl-backlog-size" | "active-defrag-ignore-bytes" => (1, long_max),
        "maxmemory-clients" => (-100, long_max),
        "slot-migration-max-failover-repl-bytes" => (-1, long_max),
        _ => (0, long_max),
    }
}

/// A memory value (`memtoull`), a percentage for `percent` options, or a plain negative number
/// for signed options, within the option's bounds.
fn check_memory(name: &str, percent: bool, value: &str) -> Result<(), ValueError> {
    let (min, max) = memory_bounds(name);
    let percent_error = || {
        value_error(
            format!("percentage argument must be less or equal to {}", -min),
            0,
        )
    };
    if let Ok(bytes) = parse_memory(value) {
        // A signed option sees the bytes as a long long.
        let v = if min < 0 {
            i128::from(bytes as i64)
        } else {
            i128::from(bytes)
        };
        if v < min || v > max {
            if percent && v < 0 {
                return Err(percent_error());
            }
            return Err(value_error(
                format!("argument must be between {min} and {max} inclusive"),
                0,
            ));
        }
        return Ok(());
    }
    if percent {
        if let Some(p) = value.strip_suffix('%').and_then(parse_ll) {
            if p >= 0 && -i128::from(p) >= min {
                return Ok(());
            }
            if p >= 0 {
                return Err(percent_error());
            }
        }
    } else if min < 0 {
        if let Some(v) = parse_ll(value).filter(|v| *v < 0) {
            if i128::from(v) >= min {
                return Ok(());
            }
            return Err(value_error(
                format!("argument must be between {min} and {max} inclusive"),
                0,
            ));
        }
    }
    let message = if percent {
        "argument must be a memory or percent value"
    } else {
        "argument must be a memory value"
    };
    Err((message.into(), 0, memory_hint(value)))
}

/// The validators of string options that refuse values at start-up.
fn check_string(name: &str, value: &str) -> Result<(), ValueError> {
    let message = match name {
        "notify-keyspace-events" => {
            if value.chars().all(|c| "Ag$lshzxeKEtmdn".contains(c)) {
                return Ok(());
            }
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        }
        "cluster-announce-hostname" => {
            if value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return Ok(());
            }
            "Hostnames may only contain alphanumeric characters, hyphens or dots"
        }
        "cluster-announce-human-nodename" => {
            if value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-./:_`".contains(c))
            {
                return Ok(());
            }
            "Announced human node name contained invalid character"
        }
        "dbfilename" | "appendfilename" | "appenddirname" => {
            if value.is_empty() {
                return Err(value_error(format!("{name} can't be empty"), 0));
            }
            if !value.contains(['/', '\\']) {
                return Ok(());
            }
            if name == "appenddirname" {
                "appenddirname can't be a path, just a dirname"
            } else if name == "dbfilename" {
                "dbfilename can't be a path, just a filename"
            } else {
                "appendfilename can't be a path, just a filename"
            }
        }
        "proc-title-template" => {
            if proc_title_template_ok(value) {
                return Ok(());
            }
            "template format is invalid or contains unknown variables"
        }
        _ => return Ok(()),
    };
    Err(value_error(message, 0))
}

/// `validateProcTitleTemplate`: known `{variables}` only, `{{` for a brace, and a title that is
/// not blank once expanded. At start-up `{title}`, `{server-mode}` (outside cluster and sentinel
/// mode) and `{unixsocket}` (not set yet) expand to nothing.
fn proc_title_template_ok(template: &str) -> bool {
    let mut expanded = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        expanded.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return false;
        }
        if let Some(more) = after.strip_prefix('{') {
            expanded.push('{');
            rest = more;
            continue;
        }
        let Some(close) = after.find('}') else {
            return false;
        };
        match &after[..close] {
            "title" | "server-mode" | "unixsocket" => {}
            "listen-addr" | "port" | "tls-port" | "config-file" => expanded.push('x'),
            _ => return false,
        }
        rest = &after[close + 1..];
    }
    expanded.push_str(rest);
    !expanded.trim_matches(' ').is_empty()
}

fn check_save(values: &[&str]) -> Result<(), ValueError> {
    if values.is_empty() || (values.len() == 1 && values[0].is_empty()) {
        return Ok(());
    }
    if values.len() % 2 != 0 {
        return Err(value_error("Invalid save parameters", values.len() - 1));
    }
    for (i, pair) in values.chunks(2).enumerate() {
        let secs = parse_strtoll(pair[0], 10);
        let changes = parse_strtoll(pair[1], 10);
        if secs.is_none_or(|s| s < 1) || changes.is_none_or(|c| c < 0) {
            return Err(value_error("Invalid save parameters", i * 2));
        }
    }
    Ok(())
}

fn check_multi(name: &str, values: &[&str]) -> Result<(), ValueError> {
    match name {
        "client-output-buffer-limit" => {
            if values.len() % 4 != 0 {
                return Err(value_error(
                    "Wrong number of arguments in buffer limit configuration.",
                    0,
                ));
            }
            for (i, chunk) in values.chunks(4).enumerate() {
                let class_ok = ["normal", "replica", "slave", "pubsub"]
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(chunk[0]));
                if !class_ok {
                    return Err(value_error(
                        "Invalid client class specified in buffer limit configuration.",
                        i * 4,
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
                if parse_strtoll(chunk[3], 10).is_none_or(|v| v < 0) {
                    return Err(value_error(
                        "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
                        i * 4 + 3,
                    ));
                }
            }
            Ok(())
        }
        "oom-score-adj-values" => {
            if values.len() != 3 {
                return Err(value_error(
                    "Invalid number of oom-score-adj-values (expected 3).",
                    0,
                ));
            }
            for (i, v) in values.iter().enumerate() {
                if parse_strtoll(v, 10).is_none_or(|v| !(-2000..=2000).contains(&v)) {
                    return Err(value_error(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
                        i,
                    ));
                }
            }
            Ok(())
        }
        "replicaof" => {
            if values.len() != 2 {
                return Err(value_error("wrong number of arguments", 0));
            }
            if values[0].eq_ignore_ascii_case("no") && values[1].eq_ignore_ascii_case("one") {
                return Ok(());
            }
            // `strtol` into an int: the port wraps modulo 2^32 before the range check.
            match parse_strtoll(values[1], 10) {
                Some(port) if (0..=65535).contains(&(port as i32)) => Ok(()),
                _ => Err(value_error("Invalid primary port", 1)),
            }
        }
        "bind" | "rdma-bind" => {
            if values.len() > 16 {
                return Err(value_error("Too many bind addresses specified.", 16));
            }
            Ok(())
        }
        "latency-tracking-info-percentiles" => {
            if values.len() == 1 && values[0].is_empty() {
                return Ok(());
            }
            for (i, v) in values.iter().enumerate() {
                match parse_strtod(v) {
                    None => {
                        return Err(value_error(
                            "Invalid latency-tracking-info-percentiles parameters",
                            i,
                        ))
                    }
                    Some(p) if !(0.0..=100.0).contains(&p) => {
                        return Err(value_error(
                            "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
                            i,
                        ))
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Why ACLSetUser refused a rule, in the server's words.
const ACL_SYNTAX: &str = "Syntax error";
const ACL_UNKNOWN: &str = "Unknown command or category name in ACL";
const ACL_BAD_HASH: &str =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
const ACL_NO_PASSWORD: &str = "The password you are trying to remove from the user does not exist";
const ACL_AFTER_ALLKEYS: &str = "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const ACL_AFTER_ALLCHANNELS: &str = "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
const ACL_FIRST_ARG_OF_SUBCOMMAND: &str = "Allowing first-arg of a subcommand is not supported";
const ACL_DB_RANGE: &str = "The provided database ID is out of range";

/// `user NAME rule…`: the rules applied in order to a new user, as valkey-server does twice at
/// start-up (every refusal is fatal, unknown commands and categories included).
fn check_user(args: &[&str]) -> Result<(), Problem> {
    if has_acl_space(args[1]) {
        return Err(Problem {
            message: "Spaces not allowed in ACL usernames".into(),
            arg: 1,
            hint: None,
        });
    }
    let rules = &args[2..];
    let merged = merge_selectors(rules).map_err(|i| Problem {
        message: format!(
            "Unmatched parenthesis in acl selector starting at '{}'.",
            rules[i]
        ),
        arg: 2 + i,
        hint: Some("a selector `(…)` spans arguments until one ends with `)`".into()),
    })?;
    let mut user = AclUser::default();
    for (i, rule) in &merged {
        user.apply(rule).map_err(|why| Problem {
            message: format!("Error in user declaration '{}': {why}", args[1]),
            arg: 2 + i,
            hint: None,
        })?;
    }
    Ok(())
}

/// `ACLMergeSelectorArguments` of 9.1: an argument starting with `(` and not ending with `)`
/// opens a selector that takes the following arguments, joined by spaces, up to one ending with
/// `)`. Returns each rule with the index of its first argument, or the index of an unclosed one.
fn merge_selectors(rules: &[&str]) -> Result<Vec<(usize, String)>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, rule) in rules.iter().enumerate() {
        if let Some((start, mut selector)) = open.take() {
            selector.push(' ');
            selector.push_str(rule);
            if rule.ends_with(')') {
                out.push((start, selector));
            } else {
                open = Some((start, selector));
            }
        } else if rule.starts_with('(') && !rule.ends_with(')') {
            open = Some((i, (*rule).to_string()));
        } else {
            out.push((i, (*rule).to_string()));
        }
    }
    match open {
        Some((start, _)) => Err(start),
        None => Ok(out),
    }
}

/// What of an ACL selector makes a later rule fail: key and channel patterns after `*`.
#[derive(Debug, Default)]
struct AclSelector {
    all_keys: bool,
    all_channels: bool,
}

/// The user the server's `ACLSetUser` builds: its password hashes and its root selector.
#[derive(Debug, Default)]
struct AclUser {
    passwords: Vec<String>,
    root: AclSelector,
}

impl AclUser {
    /// `ACLSetUser` for one rule.
    fn apply(&mut self, op: &str) -> Result<(), &'static str> {
        match op.to_ascii_lowercase().as_str() {
            "" | "on" | "off" | "skip-sanitize-payload" | "sanitize-payload" | "clearselectors" => {
                return Ok(())
            }
            "nopass" | "resetpass" => {
                self.passwords.clear();
                return Ok(());
            }
            "reset" => {
                *self = AclUser::default();
                return Ok(());
            }
            _ => {}
        }
        let Some(&first) = op.as_bytes().first() else {
            return Ok(());
        };
        let rest = op.get(1..).unwrap_or("");
        match first {
            b'>' | b'#' | b'<' | b'!' => {
                let hash = if matches!(first, b'>' | b'<') {
                    sha256_hex(rest.as_bytes())
                } else if is_password_hash(rest) {
                    rest.to_string()
                } else {
                    return Err(ACL_BAD_HASH);
                };
                let known = self.passwords.iter().position(|p| *p == hash);
                match (first, known) {
                    (b'>' | b'#', Some(_)) => {}
                    (b'>' | b'#', None) => self.passwords.push(hash),
                    (_, Some(i)) => {
                        self.passwords.remove(i);
                    }
                    (_, None) => return Err(ACL_NO_PASSWORD),
                }
                Ok(())
            }
            b'(' if op.ends_with(')') => {
                let mut selector = AclSelector::default();
                // Unbalanced quotes inside leave an empty selector, which is fine.
                for rule in split_args(&op[1..op.len() - 1]).unwrap_or_default() {
                    selector.apply(&rule.text)?;
                }
                Ok(())
            }
            _ => self.root.apply(op),
        }
    }
}

impl AclSelector {
    /// `ACLSetSelector` for one rule.
    fn apply(&mut self, op: &str) -> Result<(), &'static str> {
        let lower = op.to_ascii_lowercase();
        match lower.as_str() {
            "allkeys" | "~*" => {
                self.all_keys = true;
                return Ok(());
            }
            "resetkeys" => {
                self.all_keys = false;
                return Ok(());
            }
            "allchannels" | "&*" => {
                self.all_channels = true;
                return Ok(());
            }
            "resetchannels" => {
                self.all_channels = false;
                return Ok(());
            }
            "allcommands" | "+@all" | "nocommands" | "-@all" | "alldbs" | "resetdbs" => {
                return Ok(())
            }
            _ => {}
        }
        if lower.starts_with("db=") {
            return check_acl_databases(&op[3..]);
        }
        let bytes = op.as_bytes();
        match bytes.first() {
            Some(b'~' | b'%') => {
                if self.all_keys {
                    return Err(ACL_AFTER_ALLKEYS);
                }
                let mut pattern = &op[1..];
                if bytes[0] == b'%' {
                    let (mut read, mut write) = (false, false);
                    loop {
                        match pattern.as_bytes().first() {
                            None => break,
                            Some(b'~') => {
                                pattern = &pattern[1..];
                                break;
                            }
                            Some(b'R' | b'r') if !read => read = true,
                            Some(b'W' | b'w') if !write => write = true,
                            Some(_) => return Err(ACL_SYNTAX),
                        }
                        pattern = &pattern[1..];
                    }
                    if !read && !write {
                        return Err(ACL_SYNTAX);
                    }
                }
                if has_acl_space(pattern) {
                    return Err(ACL_SYNTAX);
                }
                self.all_keys = false;
                Ok(())
            }
            Some(b'&') => {
                if self.all_channels {
                    return Err(ACL_AFTER_ALLCHANNELS);
                }
                if has_acl_space(&op[1..]) {
                    return Err(ACL_SYNTAX);
                }
                self.all_channels = false;
                Ok(())
            }
            Some(b'+' | b'-') if bytes.get(1) == Some(&b'@') => {
                let category = &op[2..];
                if directives::ACL_CATEGORIES
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(category))
                {
                    Ok(())
                } else {
                    Err(ACL_UNKNOWN)
                }
            }
            Some(b'+') => check_acl_allow(&op[1..]),
            Some(b'-') => lookup_command(&op[1..]).map(|_| ()).ok_or(ACL_UNKNOWN),
            _ => Err(ACL_SYNTAX),
        }
    }
}

/// What `lookupCommandBySds` finds for `name` or `name|sub`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CommandRef {
    Command,
    Subcommand,
}

fn lookup_command(name: &str) -> Option<CommandRef> {
    match name.split_once('|') {
        None => directives::is_command(name).then_some(CommandRef::Command),
        Some((_, sub)) if sub.contains('|') => None,
        Some(_) => directives::is_subcommand(name).then_some(CommandRef::Subcommand),
    }
}

/// `+command`, `+command|subcommand`, or `+command|first-arg` for a command without subcommands.
fn check_acl_allow(name: &str) -> Result<(), &'static str> {
    let Some((base, sub)) = name.rsplit_once('|') else {
        return lookup_command(name).map(|_| ()).ok_or(ACL_UNKNOWN);
    };
    match lookup_command(base) {
        None => Err(ACL_UNKNOWN),
        Some(CommandRef::Subcommand) => Err(ACL_FIRST_ARG_OF_SUBCOMMAND),
        Some(CommandRef::Command) if sub.is_empty() => Err(ACL_SYNTAX),
        Some(CommandRef::Command) if directives::has_subcommands(base) => {
            if directives::is_subcommand(name) {
                Ok(())
            } else {
                Err(ACL_UNKNOWN)
            }
        }
        Some(CommandRef::Command) => Ok(()),
    }
}

/// `db=N[,N…]` (9.1): database numbers as `strtol` reads them, 0 to INT_MAX.
fn check_acl_databases(list: &str) -> Result<(), &'static str> {
    for part in list.split(',') {
        if part.is_empty() {
            return Err(ACL_SYNTAX);
        }
        match parse_strtoll(part, 10) {
            None => return Err(ACL_SYNTAX),
            Some(db) if !(0..=i64::from(i32::MAX)).contains(&db) => return Err(ACL_DB_RANGE),
            Some(_) => {}
        }
    }
    Ok(())
}

/// `ACLStringHasSpaces`: C white space or NUL.
fn has_acl_space(s: &str) -> bool {
    s.bytes().any(|c| c == 0 || is_space(c))
}

/// `ACLCheckPasswordHash`: 64 lower-case hex digits.
fn is_password_hash(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// SHA-256 of `data` as 64 lower-case hex digits, the form of ACL password hashes.
fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut state: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w: Vec<u32> = block
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        while w.len() < 64 {
            let i = w.len();
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w.push(
                w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1),
            );
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
        for (&k, &wi) in K.iter().zip(&w) {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(k)
                .wrapping_add(wi);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut hex = String::with_capacity(64);
    for word in state {
        let _ = write!(hex, "{word:08x}");
    }
    hex
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

/// `string2ll`: an optional `-`, then digits only, no leading `+`, no leading zeros (so no `-0`),
/// no spaces, fits in i64.
pub fn parse_ll(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if digits.starts_with('0') && s != "0" {
        return None;
    }
    s.parse().ok()
}

/// `strtoll(s, &end, radix)` with nothing left at `end`, as several setters call it: leading C
/// white space and a `+` or `-` allowed, then digits of the radix only; out-of-range values
/// saturate; the empty string is 0.
pub fn parse_strtoll(s: &str, radix: u32) -> Option<i64> {
    let trimmed = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() {
        return s.is_empty().then_some(0);
    }
    let limit = i128::from(i64::MAX) + 1;
    let mut value: i128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        value = (value * i128::from(radix) + i128::from(d)).min(limit);
    }
    if negative {
        value = -value;
    }
    i64::try_from(value.clamp(i128::from(i64::MIN), i128::from(i64::MAX))).ok()
}

/// `string2d`: a decimal float as `strtod` reads it, nothing before or after, not NaN, and not
/// out of range (overflowing to infinity or underflowing to zero).
fn parse_strtod(s: &str) -> Option<f64> {
    let v: f64 = s.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    let body = s.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if v.is_infinite() && body != "inf" && body != "infinity" {
        return None;
    }
    let mantissa = body.split('e').next().unwrap_or("");
    if v == 0.0 && mantissa.bytes().any(|c| matches!(c, b'1'..=b'9')) {
        return None;
    }
    Some(v)
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
        // 9.1: a closing quote does not end the argument, as in a shell.
        assert_eq!(toks("x \"foo\"bar"), vec!["x", "foobar"]);
        assert_eq!(toks("maxmemory '2'\"gb\" y"), vec!["maxmemory", "2gb", "y"]);
        assert_eq!(toks("x 'a'\u{b}b"), vec!["x", "a\u{b}b"]);
        assert!(split_args("x \"foo\"bar\"").is_err());
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

    fn ok(line: &[&str]) -> bool {
        check(line, false).is_ok()
    }

    #[test]
    fn integers() {
        assert_eq!(parse_ll("0"), Some(0));
        assert_eq!(parse_ll("-5"), Some(-5));
        for bad in [
            "-0",
            "00",
            "01",
            "-01",
            "+1",
            " 1",
            "",
            "-",
            "9223372036854775808",
        ] {
            assert_eq!(parse_ll(bad), None, "{bad}");
        }
        assert_eq!(parse_strtoll("", 10), Some(0));
        assert_eq!(parse_strtoll(" +0900", 10), Some(900));
        assert_eq!(parse_strtoll("-0", 10), Some(0));
        assert_eq!(parse_strtoll("99999999999999999999", 10), Some(i64::MAX));
        assert_eq!(parse_strtoll("-99999999999999999999", 10), Some(i64::MIN));
        assert_eq!(parse_strtoll("0777", 8), Some(0o777));
        for bad in [" ", "+", "-", "1 ", "1x", "0x10"] {
            assert_eq!(parse_strtoll(bad, 10), None, "{bad}");
        }
        assert_eq!(parse_strtoll("8", 8), None);
        assert!(!ok(&["port", "-0"]));
        assert!(ok(&["cluster-blacklist-ttl", "-1"]));
    }

    #[test]
    fn multi_argument_options() {
        assert!(ok(&["save", "+900 1"]));
        assert!(ok(&["save", "0900", "1"]));
        assert!(ok(&["save", "900", ""]));
        assert!(ok(&["save", "900\t1"]));
        assert!(ok(&["save", "'\"x"]));
        assert!(!ok(&["save", "0 1"]));
        assert!(ok(&["shutdown-on-sigterm", "save\tnow"]));
        assert!(ok(&[
            "client-output-buffer-limit",
            "replica 256mb 64mb +60"
        ]));
        assert!(!ok(&["client-output-buffer-limit", ""]));
        assert!(ok(&["oom-score-adj-values", "0 0200 800"]));
        assert!(!ok(&["oom-score-adj-values", "0 200 2001"]));
        assert!(ok(&["replicaof", "no one"]));
        assert!(ok(&["replicaof", "NO", "ONE"]));
        assert!(ok(&["replicaof", "10.0.0.1", "6379"]));
        assert!(ok(&["replicaof", "10.0.0.1", "4294967296"]));
        assert!(!ok(&["replicaof", "10.0.0.1"]));
        assert!(!ok(&["replicaof", "10.0.0.1", "6379", "x"]));
        assert_eq!(
            check(&["replicaof", "10.0.0.1", "99999"], false)
                .unwrap_err()
                .message,
            "Invalid primary port"
        );
        let addresses: Vec<String> = (0..17).map(|i| format!("10.0.0.{i}")).collect();
        let mut bind: Vec<&str> = vec!["bind"];
        bind.extend(addresses.iter().map(String::as_str));
        assert!(!ok(&bind));
        assert!(ok(&bind[..17]));
        assert!(ok(&["latency-tracking-info-percentiles", ""]));
        assert!(ok(&["latency-tracking-info-percentiles", "50 99.9 1e2 .5"]));
        for bad in ["101", "abc", "nan", "inf", "1e-400", "0x10", "-1"] {
            assert!(!ok(&["latency-tracking-info-percentiles", bad]), "{bad}");
        }
    }

    #[test]
    fn memory_bounds_and_percentages() {
        assert!(!ok(&["maxmemory", "18446744073709551616"]));
        assert!(ok(&["maxmemory", "18446744073709551615"]));
        assert!(!ok(&["client-query-buffer-limit", "1kb"]));
        assert!(ok(&["client-query-buffer-limit", "1mb"]));
        assert!(!ok(&["repl-backlog-size", "0"]));
        assert!(!ok(&["hash-max-listpack-value", "9223372036854775808"]));
        assert!(ok(&["maxmemory-clients", "100%"]));
        assert!(!ok(&["maxmemory-clients", "101%"]));
        assert!(!ok(&["maxmemory-clients", "-0%"]));
        assert!(!ok(&["maxmemory-clients", "9223372036854775808"]));
        assert!(ok(&["slot-migration-max-failover-repl-bytes", "-1"]));
        assert!(!ok(&["slot-migration-max-failover-repl-bytes", "-2"]));
        assert!(ok(&["unixsocketperm", "+700"]));
        assert!(ok(&["unixsocketperm", ""]));
        assert!(ok(&["unixsocketperm", " 700"]));
        assert!(!ok(&["unixsocketperm", "1777"]));
        assert!(!ok(&["unixsocketperm", "8"]));
    }

    #[test]
    fn names_and_special_directives() {
        assert!(ok(&["list-max-ziplist-entries", "512"]));
        assert!(ok(&["events-per-io-thread", "-5"]));
        assert!(!ok(&["list-max-ziplist-entries", "512", "1024"]));
        assert!(!ok(&["dynamic-hz"]));
        assert!(ok(&["sentinel"]));
        assert!(ok(&["SENTINEL"]));
        assert!(ok(&["rename-command", "CONFIG", ""]));
        assert!(ok(&["rename-command", "config", "CONFIG"]));
        assert_eq!(
            check(&["rename-command", "NOSUCH", "x"], false)
                .unwrap_err()
                .message,
            "No such command in rename-command"
        );
        assert_eq!(
            check(&["rename-command", "CONFIG", "GET"], false)
                .unwrap_err()
                .message,
            "Target command name already exists"
        );
        assert!(ok(&["notify-keyspace-events", "KEA"]));
        assert!(!ok(&["notify-keyspace-events", "ak"]));
        assert!(ok(&["cluster-announce-hostname", "a-1.example"]));
        assert!(!ok(&["cluster-announce-hostname", "a_b"]));
        assert!(ok(&["cluster-announce-human-nodename", "a:b/c_d"]));
        assert!(!ok(&["cluster-announce-human-nodename", "a b"]));
        assert!(!ok(&["dbfilename", "/tmp/dump.rdb"]));
        assert!(!ok(&["dbfilename", ""]));
        assert!(!ok(&["appenddirname", "dir\\sub"]));
        assert!(ok(&[
            "proc-title-template",
            "{title} {listen-addr} {server-mode}"
        ]));
        assert!(ok(&["proc-title-template", "{port}"]));
        assert!(ok(&["proc-title-template", "{{x"]));
        for bad in [
            "{title}",
            "{server-mode}",
            " {title} ",
            "{bogus}",
            "{title",
            "x{",
        ] {
            assert!(!ok(&["proc-title-template", bad]), "{bad}");
        }
    }

    #[test]
    fn acl_rules() {
        let hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
        assert_eq!(sha256_hex(b"password"), hash);
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let user = |rules: &str| {
            let mut args = vec!["user", "alice"];
            args.extend(rules.split(' ').filter(|r| !r.is_empty()));
            check(&args, false)
        };
        for good in [
            "",
            "on >secret ~* +@all",
            "RESET on nopass allkeys allchannels allcommands",
            "on #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 ~* +get",
            ">password !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
            ">a <a",
            "-@all +get +CONFIG|GET -config|set +select|0 ~cache:* %R~r %RW~rw &chan",
            "allkeys resetkeys ~x",
            "(+get ~x) (~y +set)",
            "( +get ) ()",
            "() db=0,1 alldbs resetdbs",
            "skip-sanitize-payload clearselectors",
        ] {
            assert!(user(good).is_ok(), "{good}");
        }
        for bad in [
            "bogusrule",
            "on #abc",
            "<a",
            ">a <b",
            "+@nosuchcategory",
            "+nosuch",
            "+config|nosuch",
            "-get|x",
            "+config|get|x",
            "+get|",
            "allkeys ~x",
            "~* %R~x",
            "&* &x",
            "%X~a",
            "%~a",
            "(~x",
            ")",
            "(on)",
            "(+get ~x (+set ~y)",
            "db=",
            "db=1,",
            "db=-1",
            "db=2147483648",
        ] {
            assert!(user(bad).is_err(), "{bad}");
        }
        assert!(check(&["user", "a b", "on"], false).is_err());
        assert!(check(&["user", "", "on"], false).is_ok());
        assert!(check(&["user", "a", "~a b"], false).is_err());
        assert!(check(&["user", "a", "(~\"x)"], false).is_ok());
        assert_eq!(
            user("on #abc").unwrap_err().arg,
            3,
            "the offending rule is pointed at"
        );
    }

    #[test]
    fn module_options_need_a_module() {
        assert!(matches!(check(&["foo.bar", "1"], false), Ok(Known::Module)));
        assert!(check(&["foo.bar"], false).is_err());
        let ls = lines("port 1\nsearch.threads 4\nfoo.bar 1\n");
        let (i, p) = check_module_configs(&ls).expect("no loadmodule");
        assert_eq!(i, 1);
        assert_eq!(p.message, MODULE_CONFIG_WITHOUT_MODULE);
        assert!(check_module_configs(&lines("search.threads 4\nloadmodule /x.so\n")).is_none());
        assert!(check_module_configs(&lines("port 1\n")).is_none());
    }
}

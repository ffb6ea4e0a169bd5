//! A fast path for the block YAML that Helm, kubectl and kustomize write: block mappings and
//! sequences, single-line plain and quoted scalars, literal block scalars, single-line flow
//! collections and comments. It builds the same tree, with the same spans, as the
//! `saphyr-parser` path of [`crate::yaml`] and is about four times as fast; whatever it is not
//! sure of (anchors, tags, folded or multi-line scalars, escapes beyond the simple ones, tabs,
//! anything malformed) makes it give up, and the document goes to saphyr, which
//! also reports every error. `tests/yaml_fast.rs` checks that both paths build the same trees
//! over every document of the shared renders, the test data and generated corpora.

use crate::yaml::{Node, Span, Style, Value};
use compact_str::CompactString;

/// Parses one document (`src`, at byte `base` of file `file`); `None` when the fast path does
/// not handle it and saphyr must.
/// `compact`: collections are shrunk to fit (for trees that are kept).
pub(crate) fn parse(src: &str, base: usize, file: u32, compact: bool) -> Option<Node> {
    // A TAB may separate tokens or start a comment (`a: b\t# c`); documents with one (after
    // the trailing ones are replaced) are rare and go to saphyr, like carriage returns.
    // NUL and byte-order marks inside a document are errors (or, after comments, dropped) in
    // saphyr: left to it as well.
    // Byte searches: a `char` pattern would decode the whole document one character at a
    // time, which was a tenth of the parse.
    let bytes = src.as_bytes();
    if memchr::memchr3(b'\r', b'\t', 0, bytes).is_some()
        || memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_some()
    {
        return None;
    }
    let p = Fast {
        s: src.as_bytes(),
        src,
        base,
        file,
        depth: std::cell::Cell::new(0),
        compact,
    };
    let (line, indent) = p.content_line(0)??;
    if indent != 0 {
        return None;
    }
    let (node, next) = if p.is_seq_item(line) {
        p.seq(line, 0)?
    } else {
        p.map(line, 0)?
    };
    // Nothing may follow the root collection.
    match p.content_line(next)? {
        None => Some(node),
        Some(_) => None,
    }
}

struct Fast<'a> {
    s: &'a [u8],
    src: &'a str,
    base: usize,
    file: u32,
    /// Collections open around the current position: the parser recurses, so deeper documents
    /// go to saphyr, which does not.
    depth: std::cell::Cell<usize>,
    /// Shrink collections to fit.
    compact: bool,
}

/// How deep the fast path nests collections before leaving a document to saphyr; Kubernetes
/// objects stay well below it, and a worker thread's stack holds it many times over.
const MAX_DEPTH: usize = 64;

/// saphyr refuses a block key whose `:` is more than 1024 characters after its start; longer
/// ones (counted in bytes, a safe over-estimate) go to it.
const MAX_KEY: usize = 1024;

/// Plain scalars that YAML resolves to null.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Characters that cannot start a plain scalar here (or that start what the fast path leaves
/// to saphyr: anchors, aliases, tags, directives, folded scalars). `-`, `?` and `:` start a
/// plain scalar when a non-space follows (`--port`, `-1`).
fn unsafe_start(c: u8) -> bool {
    matches!(
        c,
        b',' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'\t'
    )
}

impl Fast<'_> {
    /// Whether the byte at `i` cannot start a plain scalar (see [`unsafe_start`]).
    fn unsafe_at(&self, i: usize) -> bool {
        match self.s.get(i) {
            None => true,
            Some(b'-' | b'?' | b':') => {
                matches!(self.s.get(i + 1), None | Some(b' ' | b'\n' | b'\t'))
            }
            Some(&c) => unsafe_start(c),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start, self.base + end)
    }

    fn node(&self, start: usize, end: usize, value: Value) -> Node {
        Node {
            span: self.span(start, end),
            value,
        }
    }

    fn scalar(&self, start: usize, end: usize, text: CompactString, style: Style) -> Node {
        let value = if style == Style::Plain && is_null(&text) {
            Value::Null
        } else {
            Value::Scalar(text, style)
        };
        self.node(start, end, value)
    }

    fn line_end(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.s[from..]).map_or(self.s.len(), |i| from + i)
    }

    fn next_line(&self, from: usize) -> usize {
        (self.line_end(from) + 1).min(self.s.len())
    }

    /// The next line at or after `from` (a line start) with content: `(line start, indent)`;
    /// `Some(None)` at the end; `None` (give up) for a tab in the indentation.
    fn content_line(&self, mut from: usize) -> Option<Option<(usize, usize)>> {
        while from < self.s.len() {
            let mut i = from;
            while i < self.s.len() && self.s[i] == b' ' {
                i += 1;
            }
            match self.s.get(i) {
                None => return Some(None),
                Some(b'\n') => from = i + 1,
                Some(b'#') => from = self.next_line(i),
                Some(b'\t') => return None,
                Some(_) => return Some(Some((from, i - from))),
            }
        }
        Some(None)
    }

    /// Whether the content of the line at `line` (after its indent) is a `-` sequence entry.
    fn is_seq_item(&self, line: usize) -> bool {
        let i = line + self.indent_of(line);
        self.s.get(i) == Some(&b'-') && matches!(self.s.get(i + 1), None | Some(b' ' | b'\n'))
    }

    fn indent_of(&self, line: usize) -> usize {
        self.s[line..].iter().take_while(|&&b| b == b' ').count()
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.s.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    }

    /// After a value that ends at `i`: only spaces and a comment may follow on the line.
    /// Returns the start of the next line.
    fn rest_of_line(&self, i: usize) -> Option<usize> {
        let j = self.skip_spaces(i);
        match self.s.get(j) {
            None => Some(self.s.len()),
            Some(b'\n') => Some(j + 1),
            Some(b'#') if j > i => Some(self.next_line(j)),
            _ => None,
        }
    }

    /// The `:` that ends a plain key starting at `i`, on its line: followed by a space or the
    /// line end, and before any comment.
    fn key_colon(&self, i: usize) -> Option<usize> {
        let end = self.line_end(i);
        // Only a `:` or a `#` can end the key: jump from one to the next.
        let mut j = i;
        while let Some(k) = memchr::memchr2(b':', b'#', &self.s[j..end]) {
            j += k;
            match self.s[j] {
                b':' if matches!(self.s.get(j + 1), None | Some(b' ' | b'\n')) => return Some(j),
                b'#' if j > i && self.s[j - 1] == b' ' => return None,
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// A block mapping whose first key is at byte `at`, at column `indent`. Returns the node
    /// and the start of the line after it.
    fn map(&self, at: usize, indent: usize) -> Option<(Node, usize)> {
        self.nested(|| self.map_entries(at, indent))
    }

    /// Runs `f` one collection deeper; `None` past [`MAX_DEPTH`].
    fn nested<T>(&self, f: impl FnOnce() -> Option<T>) -> Option<T> {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return None;
        }
        self.depth.set(depth + 1);
        let result = f();
        self.depth.set(depth);
        result
    }

    fn map_entries(&self, at: usize, indent: usize) -> Option<(Node, usize)> {
        let mut items: Vec<(Node, Node)> = Vec::new();
        let mut k = at;
        loop {
            let (key, colon) = self.key(k)?;
            let (value, next) = self.value(colon + 1, colon, indent, true)?;
            items.push((key, value));
            match self.content_line(next)? {
                Some((line, ind)) if ind == indent && !self.is_seq_item(line) => k = line + ind,
                Some((_, ind)) if ind > indent => return None,
                Some((_, ind)) if ind == indent => return None,
                _ => {
                    if self.compact {
                        items.shrink_to_fit();
                    }
                    let end = items
                        .last()
                        .map_or(at, |(_, v)| v.span.end as usize - self.base);
                    return Some((self.node(at, end, Value::Map(items)), next));
                }
            }
        }
    }

    /// A mapping key at `i`: the key node and the position of its `:`.
    fn key(&self, i: usize) -> Option<(Node, usize)> {
        let c = *self.s.get(i)?;
        if c == b'"' || c == b'\'' {
            let (node, end) = self.quoted(i)?;
            let colon = self.skip_spaces(end);
            if self.s.get(colon) != Some(&b':')
                || !matches!(self.s.get(colon + 1), None | Some(b' ' | b'\n'))
                || colon - i > MAX_KEY
            {
                return None;
            }
            return Some((node, colon));
        }
        if self.unsafe_at(i) {
            return None;
        }
        let colon = self.key_colon(i)?;
        if colon - i > MAX_KEY {
            return None;
        }
        let text = self.src[i..colon].trim_end_matches(' ');
        if text.is_empty() {
            return None;
        }
        let end = i + text.len();
        Some((
            self.scalar(i, end, CompactString::new(text), Style::Plain),
            colon,
        ))
    }

    /// The value after a `:` or `-` that ends at `i` (the indicator is at `ind_at`), of an
    /// entry whose key or dash is at column `indent`. `in_map` allows a sequence at the same
    /// indent as the key. Returns the value and the start of the line after it.
    fn value(&self, i: usize, ind_at: usize, indent: usize, in_map: bool) -> Option<(Node, usize)> {
        let j = self.skip_spaces(i);
        match self.s.get(j) {
            None | Some(b'\n') | Some(b'#') => {
                if self.s.get(j) == Some(&b'#') && j == i {
                    return None;
                }
                let next = if j >= self.s.len() {
                    self.s.len()
                } else {
                    self.next_line(j)
                };
                // Saphyr places an empty value at the `:` of a key, and at the line end of an
                // item (`- ` then the line end); an item followed by a comment is left to it.
                if !in_map && self.s.get(j) == Some(&b'#') {
                    return None;
                }
                let empty_at = if in_map { ind_at } else { j };
                let empty = self.node(empty_at, empty_at, Value::Null);
                match self.content_line(next)? {
                    Some((line, ind)) if ind > indent => {
                        if self.is_seq_item(line) {
                            self.seq(line, ind)
                        } else {
                            self.map(line + ind, ind)
                        }
                    }
                    Some((line, ind)) if ind == indent && in_map && self.is_seq_item(line) => {
                        self.indentless_seq(line, ind)
                    }
                    _ => Some((empty, next)),
                }
            }
            Some(&c) if j == i && c != b'\n' => None,
            Some(b'|') => self.block(j, indent, false),
            Some(b'>') => self.block(j, indent, true),
            Some(b'"' | b'\'') => {
                let (node, end) = self.quoted(j)?;
                let next = self.rest_of_line(end)?;
                self.no_continuation(next, indent)?;
                Some((node, next))
            }
            Some(b'[' | b'{') => {
                let (node, end) = self.flow(j)?;
                let next = self.rest_of_line(end)?;
                self.no_continuation(next, indent)?;
                Some((node, next))
            }
            Some(_) if self.unsafe_at(j) => None,
            Some(_) => {
                let end_of_line = self.line_end(j);
                let mut end = end_of_line;
                let mut k = j;
                while let Some(at) = memchr::memchr2(b'#', b':', &self.s[k..end_of_line]) {
                    k += at;
                    match self.s[k] {
                        b'#' if self.s[k - 1] == b' ' => {
                            end = k;
                            break;
                        }
                        b':' if matches!(self.s.get(k + 1), None | Some(b' ' | b'\n')) => {
                            return None
                        }
                        _ => {}
                    }
                    k += 1;
                }
                let text = self.src[j..end].trim_end_matches(' ');
                let node = self.scalar(j, j + text.len(), CompactString::new(text), Style::Plain);
                let next = (end_of_line + 1).min(self.s.len());
                self.no_continuation(next, indent)?;
                Some((node, next))
            }
        }
    }

    /// Gives up when the line after a single-line scalar is indented more than its entry: a
    /// multi-line scalar (or an error) that saphyr reads.
    fn no_continuation(&self, next: usize, indent: usize) -> Option<()> {
        match self.content_line(next)? {
            Some((_, ind)) if ind > indent => None,
            _ => Some(()),
        }
    }

    /// A block sequence whose first `-` is on the line at `line`, at column `indent`.
    fn seq(&self, line: usize, indent: usize) -> Option<(Node, usize)> {
        let (items, next) = self.seq_items(line, indent)?;
        let end = items.last()?.span.end as usize - self.base;
        Some((self.node(line + indent, end, Value::Seq(items)), next))
    }

    /// A sequence at the same indent as the key it belongs to (`key:\n- a`); saphyr starts it
    /// at its first item.
    fn indentless_seq(&self, line: usize, indent: usize) -> Option<(Node, usize)> {
        let (items, next) = self.seq_items(line, indent)?;
        let first = items.first()?;
        if matches!(first.value, Value::Null) {
            return None;
        }
        // The first token after the dash: a literal scalar's `|`, not where its text starts.
        let start = self.skip_spaces(line + indent + 1);
        let end = items.last()?.span.end as usize - self.base;
        Some((self.node(start, end, Value::Seq(items)), next))
    }

    fn seq_items(&self, line: usize, indent: usize) -> Option<(Vec<Node>, usize)> {
        self.nested(|| self.seq_entries(line, indent))
    }

    fn seq_entries(&self, mut line: usize, indent: usize) -> Option<(Vec<Node>, usize)> {
        let mut items = Vec::new();
        loop {
            let dash = line + indent;
            if !self.is_seq_item(line) {
                return None;
            }
            let q = self.skip_spaces(dash + 1);
            let (item, next) = if self.compact_map_at(q)? {
                self.map(q, q - line)?
            } else {
                if self.s.get(q) == Some(&b'-') && self.unsafe_at(q) {
                    return None;
                }
                self.value(dash + 1, dash, indent, false)?
            };
            items.push(item);
            match self.content_line(next)? {
                Some((l, ind)) if ind == indent && self.is_seq_item(l) => line = l,
                Some((_, ind)) if ind > indent => return None,
                _ => {
                    if self.compact {
                        items.shrink_to_fit();
                    }
                    return Some((items, next));
                }
            }
        }
    }

    /// Whether a sequence item's content at `q` is a mapping (`- key: value`).
    fn compact_map_at(&self, q: usize) -> Option<bool> {
        match self.s.get(q) {
            None | Some(b'\n' | b'#') => Some(false),
            Some(b'"' | b'\'') => {
                let (_, end) = self.quoted(q)?;
                let c = self.skip_spaces(end);
                Some(
                    self.s.get(c) == Some(&b':')
                        && matches!(self.s.get(c + 1), None | Some(b' ' | b'\n')),
                )
            }
            Some(_) if self.unsafe_at(q) => Some(false),
            Some(_) => Some(self.key_colon(q).is_some()),
        }
    }

    /// A quoted scalar on one line starting at `i`: the node and the byte after its closing
    /// quote. Escapes other than the common ones are left to saphyr.
    fn quoted(&self, i: usize) -> Option<(Node, usize)> {
        let q = self.s[i];
        let mut out = CompactString::default();
        let mut j = i + 1;
        let mut run = j;
        loop {
            let c = *self.s.get(j)?;
            match c {
                b'\n' => return None,
                b'\'' if q == b'\'' => {
                    out.push_str(&self.src[run..j]);
                    if self.s.get(j + 1) == Some(&b'\'') {
                        out.push('\'');
                        j += 2;
                        run = j;
                    } else {
                        break;
                    }
                }
                b'"' if q == b'"' => {
                    out.push_str(&self.src[run..j]);
                    break;
                }
                b'\\' if q == b'"' => {
                    out.push_str(&self.src[run..j]);
                    let e = match *self.s.get(j + 1)? {
                        b'\\' => '\\',
                        b'"' => '"',
                        b'/' => '/',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'0' => '\0',
                        b' ' => ' ',
                        _ => return None,
                    };
                    out.push(e);
                    j += 2;
                    run = j;
                }
                _ => j += 1,
            }
        }
        Some((self.scalar(i, j + 1, out, Style::Quoted), j + 1))
    }

    /// A flow collection on one line starting at `i` (`[` or `{`): the node and the byte after
    /// its closing bracket.
    fn flow(&self, i: usize) -> Option<(Node, usize)> {
        self.nested(|| self.flow_entries(i))
    }

    fn flow_entries(&self, i: usize) -> Option<(Node, usize)> {
        let close = if self.s[i] == b'[' { b']' } else { b'}' };
        let mut j = self.skip_spaces(i + 1);
        if self.s.get(j) == Some(&close) {
            // saphyr ends an empty collection after the spaces (and comment) that follow it.
            if self.s.get(j + 1) == Some(&b' ') {
                return None;
            }
            let value = if close == b']' {
                Value::Seq(Vec::new())
            } else {
                Value::Map(Vec::new())
            };
            return Some((self.node(i, j + 1, value), j + 1));
        }
        let mut seq = Vec::new();
        let mut map = Vec::new();
        loop {
            if close == b']' {
                let (item, end) = self.flow_node(j, false)?;
                seq.push(item);
                j = self.skip_spaces(end);
            } else {
                let (key, end) = self.flow_node(j, true)?;
                let colon = self.skip_spaces(end);
                if self.s.get(colon) != Some(&b':') || self.s.get(colon + 1) != Some(&b' ') {
                    return None;
                }
                let (value, end) = self.flow_node(self.skip_spaces(colon + 1), false)?;
                map.push((key, value));
                j = self.skip_spaces(end);
            }
            match self.s.get(j)? {
                b',' => {
                    j = self.skip_spaces(j + 1);
                    if matches!(self.s.get(j), Some(b']' | b'}' | b',')) {
                        return None;
                    }
                }
                &c if c == close => {
                    let (value, last) = if close == b']' {
                        let last = seq.last()?.span.end as usize;
                        (Value::Seq(seq), last)
                    } else {
                        let last = map.last()?.1.span.end as usize;
                        (Value::Map(map), last)
                    };
                    return Some((self.node(i, last - self.base, value), j + 1));
                }
                _ => return None,
            }
        }
    }

    /// One scalar or collection inside a flow collection at `j`.
    fn flow_node(&self, j: usize, key: bool) -> Option<(Node, usize)> {
        match *self.s.get(j)? {
            b'"' | b'\'' => self.quoted(j),
            b'[' | b'{' if !key => self.flow(j),
            b'\n' => None,
            _ if self.unsafe_at(j) => None,
            _ => {
                let mut k = j;
                while let Some(&c) = self.s.get(k) {
                    match c {
                        b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'#' => break,
                        b':' if matches!(self.s.get(k + 1), Some(b' ' | b',' | b']' | b'}')) => {
                            break
                        }
                        _ => k += 1,
                    }
                }
                if matches!(self.s.get(k), Some(b'[' | b'{' | b'\n' | b'#') | None) {
                    return None;
                }
                let text = self.src[j..k].trim_end_matches(' ');
                // A word that is a lone `-` before a flow indicator is an error in saphyr.
                if text.is_empty()
                    || text == "-"
                    || text.ends_with(" -")
                    || (self.s.get(k) == Some(&b':') && !key)
                {
                    return None;
                }
                let end = j + text.len();
                Some((
                    self.scalar(j, end, CompactString::new(text), Style::Plain),
                    end,
                ))
            }
        }
    }

    /// A block scalar whose `|` (or, `folded`, `>`) is at `i`, in an entry at column `indent`.
    ///
    /// A folded scalar joins its lines with a space, and a run of empty lines between two of
    /// them becomes that many line breaks; a more-indented line is not folded, so the line
    /// breaks before and after it are kept (YAML 1.2 §8.1.3, example 8.10).
    fn block(&self, i: usize, indent: usize, folded: bool) -> Option<(Node, usize)> {
        let mut h = i + 1;
        let chomp = match self.s.get(h) {
            Some(b'-') => {
                h += 1;
                b'-'
            }
            Some(b'+') => {
                h += 1;
                b'+'
            }
            _ => b' ',
        };
        let body = self.rest_of_line(h)?;
        // The first line with content sets the indentation; blank lines before it, or a
        // first line no deeper than the entry, are left to saphyr.
        let (first, m) = self.content_or_comment_line(body)?;
        if first != body || m <= indent {
            return None;
        }
        let mut text = String::new();
        let mut line = first;
        let mut last_content_end = first + m;
        let mut trailing_breaks = 0usize;
        let mut prev_spaced = false;
        let mut next = self.s.len();
        while line < self.s.len() {
            let end = self.line_end(line);
            let ind = self.indent_of(line);
            let blank = line + ind == end;
            if blank {
                if end - line > m {
                    return None;
                }
                trailing_breaks += 1;
            } else if ind < m {
                next = line;
                break;
            } else {
                // Between two lines: a literal scalar keeps the line break and the empty lines;
                // a folded one turns the break into a space, or drops it before empty lines,
                // unless a line is more indented (not folded).
                let spaced = ind > m;
                if line != first {
                    let folds = folded && !spaced && !prev_spaced;
                    let breaks = trailing_breaks + usize::from(!folds);
                    if breaks == 0 {
                        text.push(' ');
                    }
                    for _ in 0..breaks {
                        text.push('\n');
                    }
                }
                prev_spaced = spaced;
                trailing_breaks = 0;
                text.push_str(&self.src[line + m..end]);
                last_content_end = end;
            }
            if end >= self.s.len() {
                // The text ends without a line break: how the chomping then reads is left to
                // saphyr (only the last scalar of a file can end so).
                return None;
            }
            line = end + 1;
        }
        // A comment right after the scalar changes where saphyr ends it: leave that to saphyr.
        let mut after = next;
        if let Some((l, _)) = self.content_line(next)? {
            after = l;
        }
        if self.src[next..after].contains('#') {
            return None;
        }
        match chomp {
            b'-' => {}
            b'+' => {
                text.push('\n');
                for _ in 0..trailing_breaks {
                    text.push('\n');
                }
            }
            _ => text.push('\n'),
        }
        let start = first + m;
        let end = start + self.src[start..last_content_end].trim_end().len();
        let style = if folded {
            Style::Folded
        } else {
            Style::Literal
        };
        Some((self.scalar(start, end, text.into(), style), next))
    }

    /// Like [`Fast::content_line`], but stops at comment lines too (inside a block scalar a
    /// `#` line is content).
    fn content_or_comment_line(&self, mut from: usize) -> Option<(usize, usize)> {
        while from < self.s.len() {
            let ind = self.indent_of(from);
            match self.s.get(from + ind) {
                None => return None,
                Some(b'\n') => from = from + ind + 1,
                Some(b'\t') => return None,
                Some(_) => return Some((from, ind)),
            }
        }
        None
    }
}

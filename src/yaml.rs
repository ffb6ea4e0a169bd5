//! YAML text in, a tree of nodes out, where every key, value and sequence item carries the byte
//! range it came from. A stream is first cut into documents at `---` lines so that one broken
//! document is reported without losing the others; each document is then parsed with
//! `saphyr-parser` (YAML 1.2) and its character positions turned into byte offsets of the file.

use saphyr_parser::{Event, Parser, ScalarStyle, Span as PSpan};
use std::borrow::Cow;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Index of the file in the run's file table.
    pub file: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `len` bytes at `start` in `file`.
    pub fn new(file: u32, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
}

/// How a scalar was written; decides how embedded text maps back to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// `'...'` or `"..."`.
    Quoted,
    /// `|` block: each content line sits on its own source line at a fixed indent.
    Literal,
    /// `>` block.
    Folded,
}

/// One YAML node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Where the node stands (for a block scalar: from the indicator to the end of its text).
    pub span: Span,
    /// The node itself.
    pub value: Value,
}

/// The content of a node.
#[derive(Debug, Clone)]
pub enum Value {
    /// A scalar: its text (kept inline up to 24 bytes, as most keys and values are), and how
    /// it was written.
    Scalar(compact_str::CompactString, Style),
    /// An ordered mapping of key nodes to value nodes.
    Map(Vec<(Node, Node)>),
    /// A sequence.
    Seq(Vec<Node>),
    /// `~`, `null`, empty.
    Null,
}

/// A YAML document that could not be parsed.
#[derive(Debug, Clone)]
pub struct YamlError {
    /// Where the parser stopped.
    pub span: Span,
    /// What it said.
    pub message: String,
}

/// One document of a stream: its byte range and the Helm template it came from.
#[derive(Debug, Clone)]
pub struct DocSlice {
    /// First byte of the document's content.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Helm's `# Source: chart/templates/x.yaml`, when present (one copy per template name in
    /// a stream, shared by its documents and their findings).
    pub template: Option<std::sync::Arc<str>>,
}

/// Cuts a YAML stream into documents at lines that start with `---` (or end at `...`).
///
/// Document markers at column 0 cannot occur inside any scalar (YAML 1.2 §9.1.1), so cutting on
/// them is exact and lets each document be parsed, and fail, on its own.
pub fn split_documents(text: &str) -> Vec<DocSlice> {
    split_documents_with(text, |_| {}).0
}

/// [`split_documents`], with the text's [`LineIndex`] built in the same scan, and `passed`
/// called with the start of each next document (so a caller can give back the pages of a
/// mapped file that the scan has gone past).
pub fn split_documents_with(
    text: &str,
    mut passed: impl FnMut(usize),
) -> (Vec<DocSlice>, LineIndex) {
    let mut docs = Vec::new();
    let mut lines = LineIndexBuilder::new(text.len());
    let mut start = 0usize;
    let mut pos = 0usize;
    let bytes = text.as_bytes();
    let mut templates: rustc_hash::FxHashMap<&str, std::sync::Arc<str>> = Default::default();
    let mut push = |s: usize, e: usize, docs: &mut Vec<DocSlice>| {
        let body = &text[s..e];
        if body.lines().any(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        }) {
            let template = helm_source(body)
                .map(|name| templates.entry(name).or_insert_with(|| name.into()).clone());
            docs.push(DocSlice {
                start: s,
                end: e,
                template,
            });
        }
    };
    while pos < bytes.len() {
        let line_end = memchr_nl(bytes, pos);
        if line_end < bytes.len() {
            lines.line_break(line_end);
        }
        let line = &text[pos..line_end];
        // A marker is followed by a space, a TAB or the line end (YAML's s-white and breaks,
        // not any Unicode space).
        let is_marker = (line.starts_with("---") || line.starts_with("..."))
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| matches!(c, ' ' | '\t' | '\r'));
        if is_marker {
            push(start, pos, &mut docs);
            passed(pos);
            // Content after `--- ` on the same line belongs to the next document.
            start = if line.starts_with("---") && line.len() > 3 {
                pos + 3
            } else {
                (line_end + 1).min(bytes.len())
            };
        }
        pos = line_end + 1;
    }
    if start < bytes.len() {
        push(start, bytes.len(), &mut docs);
    }
    (docs, lines.build())
}

fn memchr_nl(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |p| from + p)
}

fn helm_source(body: &str) -> Option<&str> {
    for line in body.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("# Source:") {
            return Some(rest.trim());
        }
        if !t.is_empty() && !t.starts_with('#') {
            break;
        }
    }
    None
}

/// Parses one document (`text[doc.start..doc.end]`) into a node tree with file byte spans.
///
/// Returns `Ok(None)` for a document with no content.
pub fn parse_document(text: &str, doc: &DocSlice, file: u32) -> Result<Option<Node>, YamlError> {
    parse(text, doc, file, Read::Kept)
}

/// [`parse_document`] for a tree that is dropped soon (the second pass's): the fast path's
/// collections keep the spare room left from growing instead of being shrunk to fit, which
/// saves a copy of every mapping and sequence (~2 % of a run) for ~30 % more memory per tree.
pub fn parse_document_transient(
    text: &str,
    doc: &DocSlice,
    file: u32,
) -> Result<Option<Node>, YamlError> {
    parse(text, doc, file, Read::Transient)
}

/// [`parse_document`] through saphyr alone, without the fast path of [`crate::yaml_fast`]:
/// for the tests that compare the two, and for measuring.
#[doc(hidden)]
pub fn parse_document_with_saphyr(
    text: &str,
    doc: &DocSlice,
    file: u32,
) -> Result<Option<Node>, YamlError> {
    parse(text, doc, file, Read::Saphyr)
}

/// Parses a document for the cross-document index: saphyr keeps only `kind`, `apiVersion`,
/// `metadata.name`/`namespace`/`labels`, `spec.selector`, `spec.podSelector`, `spec.ports` and
/// `items`, the fast path (cheaper still) the whole tree. The whole document is scanned either
/// way, so YAML errors are found exactly as by [`parse_document`].
pub fn parse_index_fields(
    text: &str,
    doc: &DocSlice,
    file: u32,
) -> Result<Option<Node>, YamlError> {
    parse(text, doc, file, Read::Index)
}

/// Whether the fast path of [`crate::yaml_fast`] reads a document (rather than saphyr).
#[doc(hidden)]
pub fn fast_path_reads(text: &str, doc: &DocSlice) -> bool {
    let cleaned = without_trailing_tabs(&text[doc.start..doc.end]);
    crate::yaml_fast::parse(&cleaned, doc.start, 0, false).is_some()
}

/// Go's YAML (and so Helm) accepts a TAB after a scalar at the end of a line; YAML 1.2 parsers
/// reject it in some positions. Replacing trailing tabs by spaces keeps every offset.
fn without_trailing_tabs(src: &str) -> Cow<'_, str> {
    if src.contains('\t') {
        Cow::Owned(strip_trailing_tabs(src))
    } else {
        Cow::Borrowed(src)
    }
}

/// What a document is read for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// A tree that may be kept: compact collections.
    Kept,
    /// A tree dropped soon: collections keep their spare room.
    Transient,
    /// The index fields: saphyr prunes the rest (the fast path reads the whole tree anyway).
    Index,
    /// Through saphyr alone, for the tests that compare the two paths.
    Saphyr,
}

fn parse(text: &str, doc: &DocSlice, file: u32, read: Read) -> Result<Option<Node>, YamlError> {
    let cleaned = without_trailing_tabs(&text[doc.start..doc.end]);
    // Most documents are block YAML as Helm and kubectl write it, which the fast path reads
    // (the whole tree, also when only the index fields are wanted); the rest goes to saphyr.
    if read != Read::Saphyr {
        let compact = read == Read::Kept;
        if let Some(node) = crate::yaml_fast::parse(&cleaned, doc.start, file, compact) {
            return Ok(Some(node));
        }
    }
    let prune = read == Read::Index;
    let offsets = Offsets::new(&cleaned, doc.start);
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        file,
        offsets: &offsets,
        text,
        prune,
        skip: 0,
    };
    let mut parser = Parser::new_from_str(&cleaned);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((ev, span))) => {
                if matches!(ev, Event::StreamEnd) {
                    break;
                }
                if let Err(message) = builder.on(ev, span) {
                    return Err(YamlError {
                        span: offsets.span(file, span.start.index(), span.end.index()),
                        message,
                    });
                }
            }
            Some(Err(e)) => {
                let at = e.marker().index();
                return Err(YamlError {
                    span: offsets.span(file, at, at + 1),
                    message: e.info().to_string(),
                });
            }
        }
    }
    Ok(builder.root)
}

fn strip_trailing_tabs(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for (i, line) in src.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_end_matches(['\t', ' ', '\r']);
        if trimmed.len() < line.len() && line[trimmed.len()..].contains('\t') {
            out.push_str(trimmed);
            out.extend(std::iter::repeat_n(' ', line.len() - trimmed.len()));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Character index (as saphyr counts) to file byte offset.
struct Offsets {
    base: usize,
    /// `None` when the document is ASCII, where characters and bytes coincide.
    char_to_byte: Option<Vec<u32>>,
    len: usize,
}

impl Offsets {
    fn new(src: &str, base: usize) -> Offsets {
        let char_to_byte = if src.is_ascii() {
            None
        } else {
            let mut v: Vec<u32> = src.char_indices().map(|(b, _)| b as u32).collect();
            v.push(src.len() as u32);
            Some(v)
        };
        Offsets {
            base,
            char_to_byte,
            len: src.len(),
        }
    }

    fn byte(&self, ch: usize) -> usize {
        let local = match &self.char_to_byte {
            None => ch.min(self.len),
            Some(v) => v.get(ch).copied().unwrap_or(self.len as u32) as usize,
        };
        self.base + local
    }

    fn span(&self, file: u32, start: usize, end: usize) -> Span {
        Span::new(file, self.byte(start), self.byte(end))
    }
}

enum Frame {
    Map(usize, Vec<(Node, Node)>, Option<Node>),
    Seq(usize, Vec<Node>),
}

struct Builder<'a> {
    stack: Vec<Frame>,
    root: Option<Node>,
    file: u32,
    offsets: &'a Offsets,
    text: &'a str,
    /// Keep only what the cross-document index reads (see [`parse_index_fields`]).
    prune: bool,
    /// Nesting depth inside a value being skipped.
    skip: usize,
}

/// Whether a value at this key path is kept when pruning for the index.
fn index_wants(path: &[&str]) -> bool {
    matches!(
        path,
        [] | ["kind" | "apiVersion" | "metadata" | "spec" | "items"]
            | ["items", ..]
            | ["metadata", "name" | "namespace" | "labels", ..]
            | ["spec", "selector" | "podSelector" | "ports", ..]
    )
}

impl Builder<'_> {
    /// Decides, at a value event, whether pruning drops it; a dropped collection is skipped
    /// until its end without building anything.
    fn pruned(&mut self, starts_collection: bool) -> bool {
        let Some(Frame::Map(_, _, Some(_))) = self.stack.last() else {
            return false;
        };
        let path: Vec<&str> = self
            .stack
            .iter()
            .map(|f| match f {
                Frame::Map(_, _, Some(k)) => k.as_str().unwrap_or("?"),
                _ => "*",
            })
            .collect();
        if index_wants(&path) {
            return false;
        }
        if let Some(Frame::Map(_, _, pending)) = self.stack.last_mut() {
            *pending = None;
        }
        if starts_collection {
            self.skip = 1;
        }
        true
    }

    fn on(&mut self, ev: Event, span: PSpan) -> Result<(), String> {
        if self.skip > 0 {
            match ev {
                Event::MappingStart(..) | Event::SequenceStart(..) => self.skip += 1,
                Event::MappingEnd | Event::SequenceEnd => self.skip -= 1,
                _ => {}
            }
            return Ok(());
        }
        if self.prune {
            let value_event = matches!(
                ev,
                Event::Scalar(..)
                    | Event::MappingStart(..)
                    | Event::SequenceStart(..)
                    | Event::Alias(_)
            );
            if value_event
                && self.pruned(matches!(
                    ev,
                    Event::MappingStart(..) | Event::SequenceStart(..)
                ))
            {
                return Ok(());
            }
        }
        let start = self.offsets.byte(span.start.index());
        match ev {
            Event::Scalar(value, style, _, tag) => {
                let end = self.offsets.byte(span.end.index());
                let end = self.scalar_end(start, end, style);
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let is_null = style == Style::Plain
                    && tag.is_none()
                    && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let value = if is_null {
                    Value::Null
                } else {
                    Value::Scalar(value.into(), style)
                };
                self.push(Node {
                    span: Span::new(self.file, start, end),
                    value,
                });
            }
            Event::MappingStart(..) => self.stack.push(Frame::Map(start, Vec::new(), None)),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(start, Vec::new())),
            Event::MappingEnd | Event::SequenceEnd => {
                let end = self.offsets.byte(span.end.index());
                let node = match self.stack.pop() {
                    Some(Frame::Map(s, mut items, _)) => {
                        items.shrink_to_fit();
                        let end = items.last().map_or(end, |(_, v)| v.span.end as usize);
                        Node {
                            span: Span::new(self.file, s, end.max(s)),
                            value: Value::Map(items),
                        }
                    }
                    Some(Frame::Seq(s, mut items)) => {
                        items.shrink_to_fit();
                        let end = items.last().map_or(end, |v| v.span.end as usize);
                        Node {
                            span: Span::new(self.file, s, end.max(s)),
                            value: Value::Seq(items),
                        }
                    }
                    None => return Err("unbalanced collection end".into()),
                };
                self.push(node);
            }
            Event::Alias(_) => {
                // Kubernetes manifests rarely use anchors; an alias is kept as null so that no
                // rule reads a value it cannot locate.
                self.push(Node {
                    span: Span::new(self.file, start, start),
                    value: Value::Null,
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// saphyr ends a block or quoted scalar where the next token starts (after a trailing
    /// comment, say); end it at its last content byte or its closing quote.
    fn scalar_end(&self, start: usize, end: usize, style: ScalarStyle) -> usize {
        let t = self.text.get(start..end.min(self.text.len())).unwrap_or("");
        match style {
            ScalarStyle::Literal | ScalarStyle::Folded => start + t.trim_end().len(),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                closing_quote(t).map_or(end, |i| start + i + 1)
            }
            ScalarStyle::Plain => end,
        }
    }

    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, items, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => items.push((key, node)),
            },
        }
    }
}

impl Node {
    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.value {
            Value::Map(items) => items
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Walks a dotted path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The scalar text, for any scalar style.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// Whether the node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(v) => v,
            _ => &[],
        }
    }

    /// A scalar as an integer, as Kubernetes would read it (plain `3` or quoted `"3"`).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str().and_then(|s| s.trim().parse().ok())
    }

    /// A plain scalar as a YAML 1.2 boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s, Style::Plain) => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the node is null or absent content.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// For a scalar whose lines map one to one onto source lines (plain single-line, quoted
    /// single-line, or a literal block), the file span of `len` bytes at `offset` of its text.
    pub fn text_span(&self, source: &str, offset: usize, len: usize) -> Option<Span> {
        // A literal block's source lines are walked only as far as `offset`'s line.
        let upto = match &self.value {
            Value::Scalar(text, Style::Literal) => {
                memchr::memchr_iter(b'\n', text.get(..offset)?.as_bytes()).count()
            }
            _ => 0,
        };
        self.spans_upto(source, upto)?.span(offset, len)
    }

    /// [`Node::text_span`] for many pieces of one scalar (the lines of an embedded config
    /// file): the scalar's lines are mapped onto the file once.
    pub fn text_spans<'a>(&'a self, source: &'a str) -> Option<TextSpans<'a>> {
        self.spans_upto(source, usize::MAX)
    }

    /// [`Node::text_spans`] for the text's lines up to line `upto` (0-based) alone.
    fn spans_upto<'a>(&'a self, source: &'a str, upto: usize) -> Option<TextSpans<'a>> {
        let Value::Scalar(text, style) = &self.value else {
            return None;
        };
        let (s, e) = (self.span.start as usize, self.span.end as usize);
        // Only where the source holds the text verbatim (no escapes, no folding) do offsets in
        // the text map one to one onto the file.
        let map = match style {
            Style::Plain if source.get(s..e) == Some(text.as_str()) => Mapping::Verbatim(s),
            Style::Quoted if e >= s + 2 && source.get(s + 1..e - 1) == Some(text.as_str()) => {
                Mapping::Verbatim(s + 1)
            }
            Style::Literal => Mapping::Literal(LiteralLines::new(source, s, text, upto)?),
            _ => Mapping::None,
        };
        Some(TextSpans {
            text,
            file: self.span.file,
            map,
        })
    }
}

/// Where the pieces of one scalar's text lie in the file (see [`Node::text_spans`]).
pub struct TextSpans<'a> {
    text: &'a str,
    file: u32,
    map: Mapping,
}

enum Mapping {
    /// The text is the file's from this byte on.
    Verbatim(usize),
    /// A literal block, line by line.
    Literal(LiteralLines),
    /// The file does not hold the text as it is.
    None,
}

/// A literal block scalar's lines in the file. saphyr starts the scalar's span at its first
/// content character, so that column is the block's indentation, and content line `i` (leading
/// blank lines aside, as they are not part of the span) is the `i`-th source line from there
/// with the indentation removed.
struct LiteralLines {
    /// Byte offsets of the line breaks in the text.
    breaks: Vec<usize>,
    /// Leading blank lines of the text.
    lead: usize,
    /// The block's indentation.
    indent: usize,
    /// Where each content line's source line starts, from the first.
    starts: Vec<usize>,
}

impl LiteralLines {
    /// The lines of `text`, a literal block whose span starts at `start` of `source`, mapped up
    /// to text line `upto`.
    fn new(source: &str, start: usize, text: &str, upto: usize) -> Option<LiteralLines> {
        let breaks: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        let lead = text.len() - text.trim_start_matches('\n').len();
        let first_line = source.get(..start)?.rfind('\n').map_or(0, |p| p + 1);
        let mut starts = Vec::with_capacity(breaks.len() + 1);
        starts.push(first_line);
        let mut at = first_line;
        for _ in lead..breaks.len().min(upto) {
            match source
                .get(at..)
                .and_then(|rest| memchr::memchr(b'\n', rest.as_bytes()))
            {
                Some(i) => {
                    at += i + 1;
                    starts.push(at);
                }
                None => break,
            }
        }
        Some(LiteralLines {
            breaks,
            lead,
            indent: start - first_line,
            starts,
        })
    }
}

impl TextSpans<'_> {
    /// The file span of `len` bytes at `offset` of the text, when the file holds them as they
    /// are.
    pub fn span(&self, offset: usize, len: usize) -> Option<Span> {
        self.text.get(offset..offset + len)?;
        match &self.map {
            Mapping::Verbatim(at) => Some(Span::new(self.file, at + offset, at + offset + len)),
            Mapping::Literal(l) => {
                self.text.get(..offset)?;
                // Line breaks before `offset`, and where its line starts in the text.
                let k = l.breaks.partition_point(|&b| b < offset);
                let line_no = k.checked_sub(l.lead)?;
                let col = offset - k.checked_sub(1).map_or(0, |j| l.breaks[j] + 1);
                let at = l.starts.get(line_no)? + l.indent + col;
                Some(Span::new(self.file, at, at + len))
            }
            Mapping::None => None,
        }
    }
}

/// Byte index of the quote that closes a quoted scalar starting at `t[0]`.
fn closing_quote(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let q = *b.first()?;
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Line starts of a text, to turn byte offsets into 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// The byte offset where every `STRIDE`-th line starts (lines 0, STRIDE, 2·STRIDE…).
    checkpoints: Vec<u32>,
}

/// Lines between two checkpoints: a position is found from the nearest one by counting at most
/// this many line breaks, and a 5-million-line input keeps 80k offsets instead of 5 million.
const STRIDE: usize = 64;

/// Builds a [`LineIndex`] from the line breaks of a text, given in order.
struct LineIndexBuilder {
    checkpoints: Vec<u32>,
    breaks: usize,
}

impl LineIndexBuilder {
    fn new(len: usize) -> Self {
        let mut checkpoints = Vec::with_capacity(len / (40 * STRIDE) + 1);
        checkpoints.push(0);
        LineIndexBuilder {
            checkpoints,
            breaks: 0,
        }
    }

    /// A line break at byte `at`: every `STRIDE`-th one starts a checkpoint line.
    fn line_break(&mut self, at: usize) {
        self.breaks += 1;
        if self.breaks % STRIDE == 0 {
            self.checkpoints.push(at as u32 + 1);
        }
    }

    fn build(self) -> LineIndex {
        LineIndex {
            checkpoints: self.checkpoints,
        }
    }
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut lines = LineIndexBuilder::new(text.len());
        for at in memchr::memchr_iter(b'\n', text.as_bytes()) {
            lines.line_break(at);
        }
        lines.build()
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: u32) -> (usize, usize) {
        let end = (offset as usize).min(text.len());
        let k = self
            .checkpoints
            .partition_point(|&s| s as usize <= end)
            .max(1)
            - 1;
        let from = self.checkpoints[k] as usize;
        let mut line = k * STRIDE;
        let mut start = from;
        for i in memchr::memchr_iter(b'\n', &text.as_bytes()[from..end]) {
            line += 1;
            start = from + i + 1;
        }
        let col = text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count())
            + 1;
        (line + 1, col)
    }

    /// Byte offset of the start of 1-based `line` of `text`.
    pub fn line_start(&self, text: &str, line: usize) -> Option<usize> {
        let line = line.checked_sub(1)?;
        let from = *self.checkpoints.get(line / STRIDE)? as usize;
        match line % STRIDE {
            0 => Some(from),
            // Just after the `skip`-th line break from the checkpoint.
            skip => memchr::memchr_iter(b'\n', &text.as_bytes()[from..])
                .nth(skip - 1)
                .map(|i| from + i + 1),
        }
    }
}

/// Parses the first document of a text (for unit tests).
#[cfg(test)]
pub(crate) fn parse_one(text: &str) -> Node {
    let docs = split_documents(text);
    parse_document(text, &docs[0], 0)
        .expect("valid YAML")
        .expect("a document")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Result<Option<Node>, YamlError>> {
        split_documents(text)
            .iter()
            .map(|d| parse_document(text, d, 0))
            .collect()
    }

    #[test]
    fn splits_and_keeps_helm_source() {
        let text =
            "---\n# Source: valkey/templates/cm.yaml\na: 1\n---\n# only a comment\n---\nb: 2\n";
        let docs = split_documents(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(
            docs[0].template.as_deref(),
            Some("valkey/templates/cm.yaml")
        );
        assert_eq!(docs[1].template, None);
    }

    #[test]
    fn spans_are_file_bytes() {
        let text = "---\nkind: ConfigMap\ndata:\n  k: |\n    maxmemory 1mb\n    port 1\n";
        let doc = parse(text).remove(0).unwrap().unwrap();
        let kind = doc.get("kind").unwrap();
        assert_eq!(
            &text[kind.span.start as usize..kind.span.end as usize],
            "ConfigMap"
        );
        let k = doc.path(&["data", "k"]).unwrap();
        let s = k.text_span(text, 14, 6).unwrap();
        assert_eq!(&text[s.start as usize..s.end as usize], "port 1");
    }

    #[test]
    fn the_split_builds_the_same_line_index() {
        let line = |i: usize| match i % 5 {
            0 => "---\n".to_string(),
            1 => format!("kind: K{i}\n"),
            2 => "\n".to_string(),
            3 => "...\n".to_string(),
            _ => format!("# a comment é {i}\n"),
        };
        for n in [0, 1, 63, 64, 65, 127, 128, 129, 1000] {
            for tail in ["", "no break at the end"] {
                let text = (0..n).map(line).collect::<String>() + tail;
                let mut passed = Vec::new();
                let (docs, lines) = split_documents_with(&text, |p| passed.push(p));
                assert_eq!(lines, LineIndex::new(&text), "{n} lines, tail {tail:?}");
                // Every marker is passed, in order; every document but the first starts after one.
                let markers: Vec<usize> = (0..n)
                    .filter(|i| i % 5 == 0 || i % 5 == 3)
                    .map(|i| (0..i).map(|j| line(j).len()).sum())
                    .collect();
                assert_eq!(passed, markers, "{n} lines");
                assert!(docs
                    .iter()
                    .all(|d| d.start == 0 || passed.contains(&(d.start - 4))));
            }
        }
    }

    #[test]
    fn non_ascii_offsets() {
        let text = "a: \"é\"\nb: x\n";
        let doc = parse(text).remove(0).unwrap().unwrap();
        let b = doc.get("b").unwrap();
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "x");
    }

    #[test]
    fn only_yaml_white_space_ends_a_document_marker() {
        let text = "a: 1\n---\u{a0}\nb: 2\n--- \nc: 3\n";
        assert_eq!(split_documents(text).len(), 2);
    }

    #[test]
    fn tab_after_scalar_is_accepted() {
        let text = "a: b\t\nc: d\n";
        let doc = parse(text).remove(0).unwrap().unwrap();
        assert_eq!(doc.get("a").unwrap().as_str(), Some("b"));
        assert_eq!(doc.get("c").unwrap().as_str(), Some("d"));
    }

    #[test]
    fn broken_document_does_not_hide_others() {
        let text = "a: [1\n---\nb: 2\n";
        let results = parse(text);
        assert!(results[0].is_err());
        assert!(results[1].as_ref().unwrap().is_some());
    }

    #[test]
    fn line_index() {
        let text = "ab\ncd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 4), (2, 2));
    }

    /// Every character of a literal block's text maps onto the same character of the file.
    #[test]
    fn literal_text_spans_point_at_the_text() {
        let body: String = (0..300)
            .map(|i| format!("    line {i} {}\n", "é".repeat(i % 3)))
            .collect();
        // A blank first line: part of the value, not of the block's span.
        let source = format!("data:\n  conf: |\n\n{body}  other: x\n");
        let doc = split_documents(&source).remove(0);
        let node = parse_document(&source, &doc, 0)
            .expect("parses")
            .expect("a document");
        let conf = node.path(&["data", "conf"]).expect("conf");
        let text = conf.as_str().expect("a scalar");
        let spans = conf.text_spans(&source).expect("a scalar");
        let mut checked = 0;
        for (offset, c) in text.char_indices().filter(|(_, c)| *c != '\n') {
            let span = spans.span(offset, c.len_utf8()).expect("mapped");
            assert_eq!(
                &source[span.start as usize..span.end as usize],
                c.to_string(),
                "offset {offset}"
            );
            assert_eq!(conf.text_span(&source, offset, c.len_utf8()), Some(span));
            checked += 1;
        }
        assert!(checked > 2000, "{checked}");
        // Past the end, or inside a character: nothing.
        assert_eq!(spans.span(text.len(), 1), None);
    }

    /// Positions and line starts agree with a plain scan, across many checkpoints.
    #[test]
    fn line_index_checkpoints() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&"é".repeat(i % 7));
            text.push_str(&"x".repeat(i % 5));
            text.push('\n');
        }
        let idx = LineIndex::new(&text);
        let (mut line, mut col) = (1, 1);
        let mut starts = vec![0];
        for (offset, c) in text.char_indices() {
            assert_eq!(
                idx.position(&text, offset as u32),
                (line, col),
                "at {offset}"
            );
            if c == '\n' {
                line += 1;
                col = 1;
                starts.push(offset + 1);
            } else {
                col += 1;
            }
        }
        assert_eq!(idx.position(&text, text.len() as u32), (line, col));
        assert_eq!(idx.position(&text, u32::MAX), (line, col));
        for (i, &start) in starts.iter().enumerate() {
            assert_eq!(idx.line_start(&text, i + 1), Some(start), "line {}", i + 1);
        }
        assert_eq!(idx.line_start(&text, starts.len() + 1), None);
        assert_eq!(idx.line_start(&text, 0), None);
    }
}

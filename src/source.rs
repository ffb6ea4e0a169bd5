//! Paths in, source files out: files, folders (recursive `*.yaml` / `*.yml`, minus globset
//! excludes) and `-` for standard input. Each file keeps its text and a line index; spans refer
//! to files by their position in [`Files`].

use crate::yaml::{LineIndex, Span};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input text.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown to users (path as given, `<stdin>`, or the rule file).
    pub name: String,
    /// The whole text.
    pub text: Text,
    /// Line starts, for 1-based positions; built on first use (only files with findings), or
    /// by the pass that cuts the file into documents.
    lines: std::sync::OnceLock<LineIndex>,
}

/// A file's text: read into memory, or, for a large file, mapped from it, so that the pages a
/// pass has gone past can be given back ([`SourceFile::release`]) and the whole file is never
/// resident at once.
#[derive(Debug)]
pub enum Text {
    /// Read into memory (small files, standard input, rendered charts, rule files).
    Owned(String),
    /// Mapped read-only from the file, checked to be UTF-8 when mapped.
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Owned(s) => s,
            // SAFETY: the bytes were checked to be UTF-8 when the file was mapped
            // (`map_file`), and the mapping is read-only, so nothing in the process can change
            // them; a page given back is read again from the same file. The caveat of every
            // mapped read remains, and the README states it: another process rewriting the
            // file during the run could make these bytes change (even into invalid UTF-8), and
            // truncating it makes a read fault (SIGBUS).
            Text::Mapped(m) => unsafe { std::str::from_utf8_unchecked(m) },
        }
    }
}

/// Files from this size on are mapped instead of read (below it, mapping costs more than
/// the copy it saves).
pub const MAP_FROM: u64 = 64 << 10;

/// The unit in which pages are given back: a multiple of every page size Linux uses (4, 16 and
/// 64 KB), so a block boundary is always a page boundary.
const BLOCK: usize = 1 << 20;

impl SourceFile {
    /// Wraps a text under a name. A lone carriage return (old Mac line ends) becomes a line
    /// feed, which keeps every byte offset and lets lines, documents and spans work as usual.
    pub fn new(name: impl Into<String>, text: String) -> SourceFile {
        let text = if text.contains('\r') {
            let mut bytes = text.into_bytes();
            for i in 0..bytes.len() {
                if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
                    bytes[i] = b'\n';
                }
            }
            // Only ASCII bytes changed, so the text is still UTF-8.
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        } else {
            text
        };
        SourceFile {
            name: name.into(),
            text: Text::Owned(text),
            lines: std::sync::OnceLock::new(),
        }
    }

    /// Keeps the line index built by the pass that cut the file into documents.
    pub fn set_lines(&self, lines: LineIndex) {
        let _ = self.lines.set(lines);
    }

    /// Gives back the memory of the whole blocks of a mapped text inside `range`: the next
    /// read of those bytes reads them from the file again. Does nothing for a text in memory.
    pub fn release(&self, range: std::ops::Range<usize>) {
        if let Text::Mapped(map) = &self.text {
            give_back(map, range);
        }
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, offset: u32) -> (usize, usize) {
        self.lines().position(&self.text, offset)
    }

    /// Byte offset of the start of 1-based `line`, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.lines().line_start(&self.text, line)
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// Gives back the memory of the whole blocks of `map` inside `range` (Unix; elsewhere the
/// pages stay until the run ends).
#[cfg(not(unix))]
fn give_back(_map: &memmap2::Mmap, _range: std::ops::Range<usize>) {}

/// Gives back the memory of the whole blocks of `map` inside `range`.
#[cfg(unix)]
fn give_back(map: &memmap2::Mmap, range: std::ops::Range<usize>) {
    let start = range.start.next_multiple_of(BLOCK);
    let end = if range.end >= map.len() {
        map.len()
    } else {
        range.end / BLOCK * BLOCK
    };
    if start < end {
        // SAFETY: MADV_DONTNEED on a read-only file mapping (shared, never written) only
        // drops the pages from this process; the next access maps the same page-cache bytes
        // again, so every `&str` into the text keeps reading what it read before (the kernel
        // may drop such pages at any time anyway).
        let _ = unsafe {
            map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
        };
    }
}

/// Gives back the pages of mapped texts behind a pass that goes through them in order: each
/// thread of a pass keeps one, and tells it where it is ([`Behind::at`]).
pub struct Behind<'a> {
    files: &'a Files,
    file: u32,
    from: usize,
}

impl<'a> Behind<'a> {
    /// Nothing passed yet.
    pub fn new(files: &'a Files) -> Behind<'a> {
        Behind {
            files,
            file: u32::MAX,
            from: 0,
        }
    }

    /// The pass is at `offset` of `file` and will not come back to the blocks before it
    /// (if it does, they are read from the file again: this saves memory, it never changes
    /// what is read).
    pub fn at(&mut self, file: u32, offset: usize) {
        let block = offset / BLOCK * BLOCK;
        if file != self.file {
            // This thread is done with the file it was in; in the new one, what lies before
            // it is another thread's or already done (the start of a file before its first
            // document, for one).
            if self.file != u32::MAX {
                self.files.get(self.file).release(self.from..usize::MAX);
            }
            self.file = file;
            self.from = 0;
        }
        if block > self.from {
            self.files.get(file).release(self.from..block);
            self.from = block;
        }
    }
}

/// All texts of a run; a span's `file` indexes into it.
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> u32 {
        self.files.push(file);
        (self.files.len() - 1) as u32
    }

    /// The file with this id.
    pub fn get(&self, id: u32) -> &SourceFile {
        &self.files[id as usize]
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (i as u32, f))
    }

    /// Gives back the memory of every mapped text (after a pass).
    pub fn release_all(&self) {
        for f in &self.files {
            f.release(0..f.text.len());
        }
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// A path that could not be read.
#[derive(Debug, Clone)]
pub struct InputError {
    /// The path as given.
    pub path: String,
    /// Why.
    pub message: String,
}

/// Builds the exclude matcher from glob patterns.
pub fn excludes(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("invalid --exclude pattern `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Reads every input named by `paths`; `-` reads standard input. Folders are walked in sorted
/// order for stable output; a Helm chart or kustomize folder (given, or met while walking) is
/// rendered instead of read. Errors are returned beside the files that could be read.
pub fn read_inputs(
    paths: &[PathBuf],
    exclude: &GlobSet,
    helm: &crate::render::HelmOptions,
) -> (Vec<SourceFile>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            match std::io::stdin().read_to_string(&mut text) {
                Ok(_) => files.push(SourceFile::new("<stdin>", text)),
                Err(e) => errors.push(InputError {
                    path: "-".into(),
                    message: format!("cannot read standard input: {e}"),
                }),
            }
            continue;
        }
        if path.is_dir() && crate::render::kind(path).is_some() {
            match crate::render::render(path, helm) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            }
        } else if path.is_dir() {
            let before = files.len();
            let mut found = Vec::new();
            let mut rendered = Vec::new();
            walk(path, exclude, &mut found, &mut rendered, &mut errors);
            found.sort();
            rendered.sort();
            for dir in rendered {
                match crate::render::render(&dir, helm) {
                    Ok(f) => files.push(f),
                    Err(e) => errors.push(e),
                }
            }
            if found.is_empty() && files.len() == before {
                errors.push(InputError {
                    path: path.display().to_string(),
                    message: "no *.yaml or *.yml files in this folder".into(),
                });
            }
            read_many(&found, &mut files, &mut errors);
        } else if !exclude.is_match(path) {
            read_one(path, &mut files, &mut errors);
        }
    }
    (files, errors)
}

fn walk(
    dir: &Path,
    exclude: &GlobSet,
    out: &mut Vec<PathBuf>,
    rendered: &mut Vec<PathBuf>,
    errors: &mut Vec<InputError>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(InputError {
                path: dir.display().to_string(),
                message: e.to_string(),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if exclude.is_match(&p) {
            continue;
        }
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if p.is_dir() {
            if hidden {
                continue;
            }
            if crate::render::kind(&p).is_some() {
                rendered.push(p);
            } else {
                walk(&p, exclude, out, rendered, errors);
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

/// Reads `paths` in order, on every core when there are many (reading and checking that a
/// file is UTF-8 is a tenth of a run on 1,000 files).
fn read_many(paths: &[PathBuf], files: &mut Vec<SourceFile>, errors: &mut Vec<InputError>) {
    for result in crate::par::parallel_min(paths, 16, |p| read_file(p)) {
        match result {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
}

fn read_one(path: &Path, files: &mut Vec<SourceFile>, errors: &mut Vec<InputError>) {
    match read_file(path) {
        Ok(f) => files.push(f),
        Err(e) => errors.push(e),
    }
}

fn read_file(path: &Path) -> Result<SourceFile, InputError> {
    let error = |message: String| InputError {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| error(e.to_string()))?;
    if file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() >= MAP_FROM)
    {
        if let Some(mapped) = map_file(path, &file).map_err(error)? {
            return Ok(mapped);
        }
    }
    drop(file);
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let text =
        String::from_utf8(bytes).map_err(|e| error(not_utf8(e.utf8_error().valid_up_to())))?;
    Ok(SourceFile::new(path.display().to_string(), text))
}

/// The error of a file that is not UTF-8 at byte `offset`.
fn not_utf8(offset: usize) -> String {
    format!("not UTF-8 text (invalid byte at offset {offset})")
}

/// Maps a large file and checks, a block at a time, that it is UTF-8, giving each block back
/// once checked. `None` when the file holds a lone carriage return, which [`SourceFile::new`]
/// rewrites in a copy, or cannot be mapped: the caller reads it instead.
fn map_file(path: &Path, file: &std::fs::File) -> Result<Option<SourceFile>, String> {
    // SAFETY: the mapping is read-only; the file changing under it during the run is the one
    // caveat, documented in the README (see `Text`).
    let Ok(map) = (unsafe { memmap2::Mmap::map(file) }) else {
        return Ok(None);
    };
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    let bytes = &map[..];
    let mut pos = 0;
    let mut lone_cr = false;
    let mut released = 0;
    while pos < bytes.len() {
        let end = (pos + BLOCK).min(bytes.len());
        let valid = match std::str::from_utf8(&bytes[pos..end]) {
            Ok(_) => end,
            // A character cut by the block's end is checked with the next block.
            Err(e) if e.error_len().is_none() && end < bytes.len() => pos + e.valid_up_to(),
            Err(e) => return Err(not_utf8(pos + e.valid_up_to())),
        };
        lone_cr |= memchr::memchr_iter(b'\r', &bytes[pos..valid])
            .any(|i| bytes.get(pos + i + 1) != Some(&b'\n'));
        give_back(&map, released..valid);
        released = valid / BLOCK * BLOCK;
        pos = valid;
    }
    if lone_cr {
        return Ok(None);
    }
    let source = SourceFile {
        name: path.display().to_string(),
        text: Text::Mapped(map),
        lines: std::sync::OnceLock::new(),
    };
    Ok(Some(source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, bytes: &[u8]) -> Result<SourceFile, InputError> {
        let dir = std::env::temp_dir().join(format!("valkey-lint-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let result = read_file(&path);
        std::fs::remove_file(&path).unwrap();
        result
    }

    #[test]
    fn a_large_file_is_mapped_and_reads_as_its_bytes() {
        // Six bytes a line, "é" two of them: the é at 1,048,575 straddles the first block's end.
        let text = "a: é\n".repeat(BLOCK / 3);
        assert_eq!(text.as_bytes()[BLOCK - 1], 0xc3);
        let f = read("mapped.yaml", text.as_bytes()).unwrap();
        assert!(matches!(f.text, Text::Mapped(_)));
        f.release(0..BLOCK + 7);
        assert_eq!(&*f.text, text, "pages given back are read again");
        let small = read("small.yaml", b"a: 1\n").unwrap();
        assert!(matches!(small.text, Text::Owned(_)));
        small.release(0..5);
        assert_eq!(&*small.text, "a: 1\n");
    }

    #[test]
    fn invalid_utf8_past_the_first_block_names_its_offset() {
        let mut bytes = "a: b\n".repeat(BLOCK / 5 * 2).into_bytes();
        let at = BLOCK + 3;
        bytes[at] = 0xff;
        let e = read("invalid.yaml", &bytes).expect_err("an error");
        assert_eq!(
            e.message,
            format!("not UTF-8 text (invalid byte at offset {at})")
        );
    }

    #[test]
    fn a_lone_carriage_return_in_a_large_file_is_read_and_rewritten() {
        let mut text = "a: b\r\n".repeat(MAP_FROM as usize / 6 + 1);
        let crlf = read("crlf.yaml", text.as_bytes()).unwrap();
        assert!(
            matches!(crlf.text, Text::Mapped(_)),
            "CRLF needs no rewriting"
        );
        text.push_str("c: d\re: f\n");
        let f = read("cr.yaml", text.as_bytes()).unwrap();
        assert!(matches!(f.text, Text::Owned(_)));
        assert!(f.text.ends_with("c: d\ne: f\n"));
    }
}

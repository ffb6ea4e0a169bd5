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
    pub text: String,
    /// Line starts, for 1-based positions; built on first use (only files with findings).
    lines: std::sync::OnceLock<LineIndex>,
}

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
            text,
            lines: std::sync::OnceLock::new(),
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
    let bytes = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        error(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(SourceFile::new(path.display().to_string(), text))
}

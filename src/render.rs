//! Chart and kustomize folders in, rendered manifests out: a folder with `Chart.yaml` is
//! rendered with `helm template`, one with `kustomization.yaml` with `kubectl kustomize`, so
//! that `valkey-lint check ./chart` sees what the cluster would. Helm's `# Source:` comments
//! name the template of every object.

use crate::source::{InputError, SourceFile};
use std::path::Path;
use std::process::Command;

/// Flags passed through to `helm template`.
#[derive(Debug, Default, Clone)]
pub struct HelmOptions {
    /// `-f` values files.
    pub values: Vec<String>,
    /// `--set` assignments.
    pub set: Vec<String>,
    /// Release name (default `release`).
    pub release: Option<String>,
    /// `--namespace`.
    pub namespace: Option<String>,
}

/// What kind of folder this is, if it is to be rendered.
pub fn kind(dir: &Path) -> Option<&'static str> {
    if dir.join("Chart.yaml").is_file() {
        Some("helm")
    } else if ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .any(|f| dir.join(f).is_file())
    {
        Some("kustomize")
    } else {
        None
    }
}

fn run(mut cmd: Command, what: &str, dir: &Path, install: &str) -> Result<String, InputError> {
    let shown = format!("{what} {}", dir.display());
    let out = cmd.output().map_err(|e| InputError {
        path: dir.display().to_string(),
        message: if e.kind() == std::io::ErrorKind::NotFound {
            format!("this folder needs `{what}` to be rendered, and it is not on PATH; {install}")
        } else {
            format!("cannot run {shown}: {e}")
        },
    })?;
    if !out.status.success() {
        return Err(InputError {
            path: dir.display().to_string(),
            message: format!(
                "{shown} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    String::from_utf8(out.stdout).map_err(|_| InputError {
        path: dir.display().to_string(),
        message: format!("{shown} printed text that is not UTF-8"),
    })
}

/// Renders a chart or kustomize folder into one source file.
pub fn render(dir: &Path, helm: &HelmOptions) -> Result<SourceFile, InputError> {
    match kind(dir) {
        Some("helm") => {
            let helm_bin = std::env::var("VALKEY_LINT_HELM").unwrap_or_else(|_| "helm".into());
            let mut cmd = Command::new(&helm_bin);
            cmd.arg("template")
                .arg(helm.release.as_deref().unwrap_or("release"))
                .arg(dir);
            if let Some(ns) = &helm.namespace {
                cmd.args(["--namespace", ns]);
            }
            for v in &helm.values {
                cmd.args(["--values", v]);
            }
            for s in &helm.set {
                cmd.args(["--set", s]);
            }
            let text = run(
                cmd,
                "helm template",
                dir,
                "install Helm (https://helm.sh/docs/intro/install/) or render first: `helm template rel ./chart | valkey-lint check -`",
            )?;
            Ok(SourceFile::new(
                format!("{} (helm template)", dir.display()),
                text,
            ))
        }
        Some(_) => {
            let mut cmd = Command::new("kubectl");
            cmd.arg("kustomize").arg(dir);
            let text = run(
                cmd,
                "kubectl kustomize",
                dir,
                "install kubectl, or render first: `kubectl kustomize DIR | valkey-lint check -`",
            )?;
            Ok(SourceFile::new(
                format!("{} (kubectl kustomize)", dir.display()),
                text,
            ))
        }
        None => Err(InputError {
            path: dir.display().to_string(),
            message: "not a Helm chart or kustomize folder".into(),
        }),
    }
}

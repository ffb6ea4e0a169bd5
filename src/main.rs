//! The command line: parse flags, run, print, and map the outcome to the exit code (the only
//! exit point): 0 clean, 1 findings at or above `--fail-on`, 2 usage or input error.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use valkey_lint::check;
use valkey_lint::finding::{Finding, Severity};
use valkey_lint::report::{self, Summary};
use valkey_lint::rules::{docs, eval};
use valkey_lint::source::{self, Files};

// The run allocates many small nodes and frees them per document; mimalloc's per-thread heaps
// cut the allocator's share of a check from about a third to a few percent.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "valkey-lint",
    version = concat!(env!("CARGO_PKG_VERSION"), " (rules ", env!("CARGO_PKG_VERSION"), ")"),
    about = "Checks Valkey and Redis deployments on Kubernetes against what experienced operators know goes wrong"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(clap::Args)]
struct RuleArgs {
    /// Also load the rule files (*.yaml) in this folder; a rule with a built-in id replaces it.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Run only these rules (repeatable).
    #[arg(long = "enable", value_name = "ID")]
    enable: Vec<String>,
    /// Do not run these rules (repeatable).
    #[arg(long = "disable", value_name = "ID")]
    disable: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Check rendered manifests: files, folders (*.yaml, *.yml) or - for standard input.
    Check {
        /// Files or folders to check; `-` reads standard input.
        #[arg(value_name = "PATH", default_value = "-")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Exit 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value = "warning")]
        fail_on: FailOn,
        /// Skip paths matching this glob (repeatable), e.g. `**/charts/**`.
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Print only the summary line (human format).
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// List the rules.
    Rules {
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Print the documentation of one rule.
    Explain {
        /// Rule id.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
    /// Write docs/rules/<id>.md and docs/rules/README.md from the rule files.
    Docs {
        /// Output folder.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("valkey-lint: {msg}");
            ExitCode::from(2)
        }
    }
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn load(
    args: &RuleArgs,
    files: &mut Files,
) -> Result<(Vec<valkey_lint::rules::Rule>, Vec<Finding>), String> {
    let dirs: Vec<&std::path::Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let (mut rules, errors) = check::load_rules(&dirs, files);
    for id in args.enable.iter().chain(&args.disable) {
        if !rules.iter().any(|r| &r.id == id) {
            let hint = rules
                .iter()
                .map(|r| r.id.as_str())
                .min_by_key(|r| valkey_lint::valkey::conf::edit_distance(id, r))
                .map(|r| format!(" (did you mean `{r}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown rule id `{id}`{hint}; `valkey-lint rules` lists them"
            ));
        }
    }
    if !args.enable.is_empty() {
        rules.retain(|r| args.enable.contains(&r.id));
    }
    rules.retain(|r| !args.disable.contains(&r.id));
    Ok((rules, errors))
}

fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Check {
            paths,
            format,
            fail_on,
            exclude,
            quiet,
            rules: rule_args,
        } => {
            let mut files = Files::default();
            let (rules, mut findings) = load(&rule_args, &mut files)?;
            let excludes = source::excludes(&exclude)?;
            let (inputs, errors) = source::read_inputs(&paths, &excludes);
            for e in errors {
                let mut f =
                    Finding::input("input-error", format!("{}: {}", e.path, e.message), None);
                f.file_name = Some(e.path);
                findings.push(f);
            }
            let ids: Vec<u32> = inputs.into_iter().map(|f| files.add(f)).collect();
            findings.extend(check::check(&files, &ids, &rules, &eval::default_params));
            let summary = Summary::of(&findings, ids.len());
            match format {
                Format::Json => out(&report::json::render(&files, &findings, summary.clone())),
                Format::Human => {
                    if !quiet {
                        let width = std::env::var("COLUMNS")
                            .ok()
                            .and_then(|c| c.parse().ok())
                            .unwrap_or(100);
                        out(&report::human::render(&files, &findings, color(), width));
                    }
                    out(&format!(
                        "{} error(s), {} warning(s), {} info in {} file(s){}\n",
                        summary.errors,
                        summary.warnings,
                        summary.infos,
                        summary.files,
                        if summary.input_errors > 0 {
                            format!("; {} input error(s)", summary.input_errors)
                        } else {
                            String::new()
                        }
                    ));
                }
            }
            let threshold = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
                FailOn::Info => Severity::Info,
            };
            Ok(if findings.iter().any(|f| f.input_error) {
                2
            } else if findings.iter().any(|f| f.severity >= threshold) {
                1
            } else {
                0
            })
        }
        Command::Rules { rules: rule_args } => {
            let mut files = Files::default();
            let (rules, errors) = load(&rule_args, &mut files)?;
            let mut text = String::new();
            for r in &rules {
                text.push_str(&format!(
                    "{:<32} {:<8} {:<13} {}\n",
                    r.id,
                    r.severity.as_str(),
                    r.category,
                    r.title
                ));
            }
            text.push_str(&format!("{} rules\n", rules.len()));
            out(&text);
            report_rule_errors(&files, &errors)
        }
        Command::Explain {
            id,
            rules: rule_args,
        } => {
            let mut files = Files::default();
            let (rules, errors) = load(&rule_args, &mut files)?;
            match rules.iter().find(|r| r.id == id) {
                Some(r) => out(&docs::page(r)),
                None => {
                    return Err(format!(
                        "unknown rule id `{id}`; `valkey-lint rules` lists them"
                    ))
                }
            }
            report_rule_errors(&files, &errors)
        }
        Command::Docs { out: dir } => {
            let mut files = Files::default();
            let (rules, errors) = check::load_rules(&[], &mut files);
            if !errors.is_empty() {
                return report_rule_errors(&files, &errors);
            }
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for r in &rules {
                let p = dir.join(format!("{}.md", r.id));
                std::fs::write(&p, docs::page(r)).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            let p = dir.join("README.md");
            std::fs::write(&p, docs::index(&rules)).map_err(|e| format!("{}: {e}", p.display()))?;
            out(&format!(
                "wrote {} rule pages to {}\n",
                rules.len(),
                dir.display()
            ));
            Ok(0)
        }
    }
}

fn report_rule_errors(files: &Files, errors: &[Finding]) -> Result<u8, String> {
    if errors.is_empty() {
        return Ok(0);
    }
    eprint!("{}", report::human::render(files, errors, color(), 100));
    Ok(2)
}

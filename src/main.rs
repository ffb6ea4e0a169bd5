//! The command line: parse flags, run, print, and map the outcome to the exit code (the only
//! exit point): 0 clean, 1 findings at or above `--fail-on`, 2 usage or input error.

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use valkey_lint::check;
use valkey_lint::config::{self, Config};
use valkey_lint::finding::{Finding, Severity};
use valkey_lint::render::HelmOptions;
use valkey_lint::report::{self, Summary};
use valkey_lint::rules::{docs, eval, Rule};
use valkey_lint::source::{self, Files, SourceFile};

// The run allocates many small nodes and frees them per document; mimalloc's per-thread heaps
// cut the allocator's share of a check from about a third to a few percent.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (rule set: ",
    env!("VALKEY_LINT_RULESET"),
    ")"
);

#[derive(Parser)]
#[command(
    name = "valkey-lint",
    version = VERSION,
    about = "Checks Valkey and Redis deployments on Kubernetes against what experienced operators know goes wrong",
    after_help = "Docs for every rule: `valkey-lint explain ID`. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Debug)]
enum Format {
    /// Diagnostics with the YAML around each finding (miette).
    Human,
    /// valkey-lint's JSON, schema version 1.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on pull requests).
    Github,
    /// JUnit XML for CI test reports.
    Junit,
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
    /// Config file (default: .valkey-lint.yaml in the working folder or the closest parent).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore any .valkey-lint.yaml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check rendered manifests: files, folders (*.yaml, *.yml), Helm chart and kustomize
    /// folders (rendered first), or - for standard input.
    Check {
        /// Files or folders to check; `-` reads standard input.
        #[arg(value_name = "PATH", default_value = "-")]
        paths: Vec<PathBuf>,
        /// Output format (repeatable; pair each with a following --output FILE, at most one on stdout).
        #[arg(long, value_enum, action = clap::ArgAction::Append)]
        format: Vec<Format>,
        /// Write the preceding --format to this file instead of standard output.
        #[arg(long, short, value_name = "FILE", action = clap::ArgAction::Append)]
        output: Vec<PathBuf>,
        /// Exit 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value = "warning")]
        fail_on: FailOn,
        /// Skip paths matching this glob (repeatable), e.g. `**/vendor/**`.
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Print only the summary line (human format).
        #[arg(long, short)]
        quiet: bool,
        /// Helm values file for chart folders (repeatable), as `helm template -f`.
        #[arg(long = "values", short = 'f', value_name = "FILE")]
        values: Vec<String>,
        /// Helm value for chart folders (repeatable), as `helm template --set`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Release name for chart folders.
        #[arg(long, value_name = "NAME")]
        release: Option<String>,
        /// Namespace for chart folders.
        #[arg(long, short = 'n', value_name = "NS")]
        namespace: Option<String>,
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
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match run(cli, &matches) {
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

/// Rules, config and the problems found while loading them.
struct Loaded {
    rules: Vec<Rule>,
    config: Config,
    errors: Vec<Finding>,
}

fn load(args: &RuleArgs, files: &mut Files) -> Result<Loaded, String> {
    let dirs: Vec<&Path> = args.rules.iter().map(PathBuf::as_path).collect();
    let (mut rules, mut errors) = check::load_rules(&dirs, files);
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
    let path = if args.no_config {
        None
    } else if let Some(p) = &args.config {
        Some(p.clone())
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d))
    };
    let mut cfg = Config::default();
    if let Some(path) = path {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        let id = files.add(SourceFile::new(path.display().to_string(), text));
        let (c, mut errs) = config::read(files.get(id), id, &path, &rules);
        cfg = c;
        errors.append(&mut errs);
    }
    for r in &mut rules {
        if let Some(s) = cfg.severity.get(&r.id) {
            r.severity = *s;
        }
    }
    // Flags narrow further what the config file enables.
    rules.retain(|r| cfg.runs(r));
    if !args.enable.is_empty() {
        rules.retain(|r| args.enable.contains(&r.id));
    }
    rules.retain(|r| !args.disable.contains(&r.id));
    Ok(Loaded {
        rules,
        config: cfg,
        errors,
    })
}

fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
}

/// Pairs every `--format` with the `--output` that follows it on the command line.
fn outputs(
    m: Option<&ArgMatches>,
    formats: &[Format],
    files: &[PathBuf],
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let Some(m) = m else {
        return Ok(vec![(Format::Human, None)]);
    };
    let fidx: Vec<usize> = m
        .indices_of("format")
        .map(|i| i.collect())
        .unwrap_or_default();
    let oidx: Vec<usize> = m
        .indices_of("output")
        .map(|i| i.collect())
        .unwrap_or_default();
    let mut pairs: Vec<(Format, Option<PathBuf>)> = if formats.is_empty() {
        vec![(Format::Human, None)]
    } else {
        formats.iter().map(|f| (*f, None)).collect()
    };
    for (o, path) in oidx.iter().zip(files) {
        let owner = fidx.iter().rposition(|f| f < o).unwrap_or(0);
        if pairs[owner].1.is_some() {
            return Err(format!(
                "--output {} follows a --format that already has an output",
                path.display()
            ));
        }
        pairs[owner].1 = Some(path.clone());
    }
    if pairs.iter().filter(|(_, p)| p.is_none()).count() > 1 {
        return Err(
            "more than one --format writes to standard output; give the others an --output FILE"
                .into(),
        );
    }
    Ok(pairs)
}

fn run(cli: Cli, matches: &ArgMatches) -> Result<u8, String> {
    match cli.command {
        Command::Check {
            paths,
            format,
            output,
            fail_on,
            exclude,
            quiet,
            values,
            set,
            release,
            namespace,
            rules: rule_args,
        } => {
            let targets = outputs(matches.subcommand_matches("check"), &format, &output)?;
            let stdin_only = paths.iter().all(|p| p.as_os_str() == "-");
            if stdin_only && std::io::stdin().is_terminal() {
                return Err("no input: give files or folders to check, or pipe manifests into `valkey-lint check -`".into());
            }
            let clock = std::time::Instant::now();
            let mut files = Files::default();
            let Loaded {
                rules,
                config: cfg,
                errors,
            } = load(&rule_args, &mut files)?;
            let loaded_at = clock.elapsed();
            let mut findings = errors;
            let mut globs = exclude.clone();
            globs.extend(cfg.exclude.iter().cloned());
            let excludes = source::excludes(&globs)?;
            let helm = HelmOptions {
                values,
                set,
                release,
                namespace,
            };
            let (mut inputs, errors) = source::read_inputs(&paths, &excludes, &helm);
            if !cfg.include.is_empty() {
                let include = source::excludes(&cfg.include)?;
                inputs.retain(|f| {
                    f.name == "<stdin>" || include.is_match(&f.name) || f.name.ends_with(')')
                });
            }
            for e in errors {
                let mut f =
                    Finding::input("input-error", format!("{}: {}", e.path, e.message), None);
                f.file_name = Some(e.path);
                findings.push(f);
            }
            let ids: Vec<u32> = inputs.into_iter().map(|f| files.add(f)).collect();
            let params: BTreeMap<String, cel::Value> = rules
                .iter()
                .map(|r| {
                    let mut p: BTreeMap<String, cel::Value> = r
                        .params
                        .iter()
                        .map(|p| (p.name.clone(), p.value.clone()))
                        .collect();
                    for (k, v) in cfg.params.get(&r.id).into_iter().flatten() {
                        p.insert(k.clone(), v.clone());
                    }
                    (r.id.clone(), eval::map_value(p))
                })
                .collect();
            let lookup = |r: &Rule| {
                params
                    .get(&r.id)
                    .cloned()
                    .unwrap_or_else(|| eval::default_params(r))
            };
            let read_at = clock.elapsed();
            let mut checked = check::check(&files, &ids, &rules, &lookup);
            let checked_at = clock.elapsed();
            checked.retain(|f| !f.object.as_ref().is_some_and(|o| cfg.excludes(&f.rule, o)));
            if findings.is_empty() {
                findings = checked;
            } else {
                findings.extend(checked);
            }
            let summary = Summary::of(&findings, ids.len());
            for (fmt, path) in targets {
                let text = match fmt {
                    Format::Json => {
                        // Streamed: a report of 100k findings is not held in memory.
                        let summary = summary.clone();
                        let result = match &path {
                            Some(p) => std::fs::File::create(p).and_then(|mut f| {
                                report::json::write(&files, &findings, summary, &mut f)
                            }),
                            None => report::json::write(
                                &files,
                                &findings,
                                summary,
                                &mut std::io::stdout().lock(),
                            ),
                        };
                        match result {
                            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                                return Err(format!("cannot write the JSON report: {e}"));
                            }
                            _ => continue,
                        }
                    }
                    Format::Sarif => report::sarif::render(&files, &findings, &rules),
                    Format::Github => report::github::render(&files, &findings),
                    Format::Junit => report::junit::render(&files, &findings, &ids),
                    Format::Human => {
                        let mut text = String::new();
                        if !quiet {
                            let width = std::env::var("COLUMNS")
                                .ok()
                                .and_then(|c| c.parse().ok())
                                .unwrap_or(100);
                            let colored = path.is_none() && color();
                            text.push_str(&report::human::render(
                                &files, &findings, colored, width,
                            ));
                        }
                        text.push_str(&summary.line());
                        text
                    }
                };
                match path {
                    Some(p) => {
                        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                            std::fs::create_dir_all(dir)
                                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                        }
                        std::fs::write(&p, text)
                            .map_err(|e| format!("cannot write {}: {e}", p.display()))?
                    }
                    None => out(&text),
                }
            }
            if std::env::var_os("VALKEY_LINT_TIMINGS").is_some() {
                eprintln!(
                    "rules loaded {loaded_at:?}, input read {read_at:?}, checked {checked_at:?}, reported {:?}; {}",
                    clock.elapsed(),
                    check::memory()
                );
            }
            let threshold = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
                FailOn::Info => Severity::Info,
            };
            let code = if findings.iter().any(|f| f.input_error) {
                2
            } else if findings.iter().any(|f| f.severity >= threshold) {
                1
            } else {
                0
            };
            // The process ends next: freeing the inputs, rules and findings one allocation at a
            // time would only delay the exit (~2 ms of a small run; longer on large inputs).
            std::mem::forget((files, rules, findings));
            Ok(code)
        }
        Command::Rules { rules: rule_args } => {
            let mut files = Files::default();
            let loaded = load(&rule_args, &mut files)?;
            let mut text = String::new();
            for r in &loaded.rules {
                text.push_str(&format!(
                    "{:<34} {:<8} {:<13} {}\n",
                    r.id,
                    r.severity.as_str(),
                    r.category,
                    r.title
                ));
            }
            text.push_str(&format!("{} rules\n", loaded.rules.len()));
            out(&text);
            report_errors(&files, &loaded.errors)
        }
        Command::Explain {
            id,
            rules: rule_args,
        } => {
            let mut files = Files::default();
            let loaded = load(&rule_args, &mut files)?;
            match loaded.rules.iter().find(|r| r.id == id) {
                Some(r) => out(&docs::page(r)),
                None => {
                    return Err(format!(
                        "unknown rule id `{id}`; `valkey-lint rules` lists them"
                    ))
                }
            }
            report_errors(&files, &loaded.errors)
        }
        Command::Docs { out: dir } => {
            let mut files = Files::default();
            let (rules, errors) = check::load_rules(&[], &mut files);
            if !errors.is_empty() {
                return report_errors(&files, &errors);
            }
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for r in &rules {
                let p = dir.join(format!("{}.md", r.id));
                std::fs::write(&p, docs::page(r)).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            let p = dir.join("README.md");
            std::fs::write(&p, docs::index(&rules)).map_err(|e| format!("{}: {e}", p.display()))?;
            // The project README carries the rule list too, between markers.
            if let Ok(readme) = std::fs::read_to_string("README.md") {
                if let Some(updated) = docs::update_readme(&readme, &rules) {
                    std::fs::write("README.md", updated).map_err(|e| format!("README.md: {e}"))?;
                }
            }
            out(&format!(
                "wrote {} rule pages to {}\n",
                rules.len(),
                dir.display()
            ));
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "valkey-lint", &mut buf);
            out(&String::from_utf8_lossy(&buf));
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .map_err(|e| e.to_string())?;
            out(&String::from_utf8_lossy(&buf));
            Ok(0)
        }
    }
}

fn report_errors(files: &Files, errors: &[Finding]) -> Result<u8, String> {
    if errors.is_empty() {
        return Ok(0);
    }
    eprint!("{}", report::human::render(files, errors, color(), 100));
    Ok(2)
}

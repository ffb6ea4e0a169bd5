//! The table of valkey-server configuration directives (Valkey 8 and 9): names, aliases, value
//! types, ranges and defaults, as `src/config.c` declares them. The config parser looks every
//! directive up here; rules read defaults from it.

/// How valkey-server parses the arguments of one directive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `yes` / `no`, case-insensitive; anything else is fatal.
    Bool,
    /// `string2ll` integer (optional `-`, digits only) within the inclusive range.
    Int { min: i64, max: i64 },
    /// `memtoull` byte size (k/kb/m/mb/g/gb); `percent` also allows `N%`.
    Memory { percent: bool },
    /// One name out of the list, case-insensitive.
    Enum(&'static [&'static str]),
    /// One or more names out of the list (e.g. `shutdown-on-sigterm save now`).
    MultiEnum(&'static [&'static str]),
    /// Any single token (some have validators, not modelled).
    String,
    /// Octal integer (`unixsocketperm`).
    Octal,
    /// Several free tokens, or one token split again on spaces (`bind`, `client-output-buffer-limit`, …).
    Multi,
    /// `save`: pairs of integers, or `""`.
    Save,
}

/// One configuration directive of valkey-server.
#[derive(Debug, Clone, Copy)]
pub struct Directive {
    /// Canonical lower-case name.
    pub name: &'static str,
    /// Value type and range.
    pub kind: Kind,
    /// Default as valkey-server prints it in `CONFIG GET` (e.g. `"15000"`, `"yes"`, `""`).
    pub default: &'static str,
    /// Set only at startup (IMMUTABLE_CONFIG).
    pub immutable: bool,
    /// Redacted by the server (SENSITIVE_CONFIG): never print its value.
    pub sensitive: bool,
    /// First Valkey major.minor that knows it (e.g. (8, 0)); (7, 2) for everything inherited.
    pub since: (u8, u8),
}

/// Flags of `shutdown-on-sigterm` and `shutdown-on-sigint` (`safe` and `failover` since 9.0).
const SHUTDOWN_ON_SIGNAL: &[&str] = &[
    "default", "save", "nosave", "now", "force", "safe", "failover",
];

// Values, bounds and defaults are those of valkey-server 9.1, checked against its binary. Hidden
// (test and debug) options are included; the build-dependent `LOG_REQ_RES` ones
// (`req-res-logfile`, `client-default-resp`) are not. Caveats the types cannot express:
// - `events-per-io-thread` and `sanitize-dump-payload` are typed options up to 9.0 and ignored
//   from 9.1 on, so they are also listed in `DEPRECATED_NOOPS`;
// - `io-threads` is immutable before 9.0; the `shutdown-on-*` flags `safe` and `failover` need
//   9.0; `log-format json` and `tls-auth-clients-user URI` need 9.1;
// - memory options also have byte bounds (`client-query-buffer-limit`, `proto-max-bulk-len` >= 1mb,
//   `repl-backlog-size`, `active-defrag-ignore-bytes` >= 1, most <= LONG_MAX), and
//   `slot-migration-max-failover-repl-bytes` also accepts `-1` (9.1);
// - unsigned options bounded by ULONG_MAX (`cluster-blacklist-ttl`) also accept negative numbers,
//   which wrap around;
// - `dir` defaults to the working directory, shown here as `"."`.
/// The configuration directives of valkey-server (`static_configs[]`), sorted by name.
pub static DIRECTIVES: &[Directive] = &[
    Directive {
        name: "acl-pubsub-default",
        kind: Kind::Enum(&["allchannels", "resetchannels"]),
        default: "resetchannels",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aclfile",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "acllog-max-len",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-cycle-max",
        kind: Kind::Int { min: 1, max: 99 },
        default: "25",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-cycle-min",
        kind: Kind::Int { min: 1, max: 99 },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-cycle-us",
        kind: Kind::Int {
            min: 0,
            max: 100000,
        },
        default: "500",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "active-defrag-ignore-bytes",
        kind: Kind::Memory { percent: false },
        default: "104857600",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-max-scan-fields",
        kind: Kind::Int {
            min: 1,
            max: i64::MAX,
        },
        default: "1000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-threshold-lower",
        kind: Kind::Int { min: 0, max: 1000 },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-defrag-threshold-upper",
        kind: Kind::Int { min: 0, max: 1000 },
        default: "100",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "active-expire-effort",
        kind: Kind::Int { min: 1, max: 10 },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "activedefrag",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "activerehashing",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "always-show-logo",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aof-disable-auto-gc",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aof-load-truncated",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aof-rewrite-cpulist",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "aof-rewrite-incremental-fsync",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aof-timestamp-enabled",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "aof-use-rdb-preamble",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "appenddirname",
        kind: Kind::String,
        default: "appendonlydir",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "appendfilename",
        kind: Kind::String,
        default: "appendonly.aof",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "appendfsync",
        kind: Kind::Enum(&["everysec", "always", "no"]),
        default: "everysec",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "appendonly",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "auto-aof-rewrite-min-size",
        kind: Kind::Memory { percent: false },
        default: "67108864",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "auto-aof-rewrite-percentage",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "100",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "availability-zone",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "bgsave-cpulist",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "bind",
        kind: Kind::Multi,
        default: "* -::*",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "bind-source-addr",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "bio-cpulist",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "busy-reply-threshold",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "5000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "client-output-buffer-limit",
        kind: Kind::Multi,
        default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "client-query-buffer-limit",
        kind: Kind::Memory { percent: false },
        default: "1073741824",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-allow-pubsubshard-when-down",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-allow-reads-when-down",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-allow-replica-migration",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-bus-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-client-ipv4",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "cluster-announce-client-ipv6",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "cluster-announce-client-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "cluster-announce-client-tls-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "cluster-announce-hostname",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-human-nodename",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-ip",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-announce-tls-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-blacklist-ttl",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "60",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "cluster-config-file",
        kind: Kind::String,
        default: "nodes.conf",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-config-save-behavior",
        kind: Kind::Enum(&["sync", "best-effort"]),
        default: "sync",
        immutable: false,
        sensitive: false,
        since: (9, 1),
    },
    Directive {
        name: "cluster-databases",
        kind: Kind::Int {
            min: 1,
            max: 2147483647,
        },
        default: "1",
        immutable: true,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "cluster-enabled",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-link-sendbuf-limit",
        kind: Kind::Memory { percent: false },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-manual-failover-timeout",
        kind: Kind::Int {
            min: 1,
            max: 2147483647,
        },
        default: "5000",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "cluster-message-gossip-perc",
        kind: Kind::Int { min: 1, max: 100 },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (9, 1),
    },
    Directive {
        name: "cluster-migration-barrier",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-node-timeout",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "15000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-ping-interval",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "cluster-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-preferred-endpoint-type",
        kind: Kind::Enum(&["ip", "hostname", "unknown-endpoint"]),
        default: "ip",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-replica-no-failover",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-replica-validity-factor",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-require-full-coverage",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "cluster-slot-migration-log-max-len",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "1000",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "cluster-slot-stats-enabled",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "commandlog-execution-slower-than",
        kind: Kind::Int {
            min: -1,
            max: i64::MAX,
        },
        default: "10000",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "commandlog-large-reply-max-len",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "commandlog-large-request-max-len",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "commandlog-reply-larger-than",
        kind: Kind::Int {
            min: -1,
            max: i64::MAX,
        },
        default: "1048576",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "commandlog-request-larger-than",
        kind: Kind::Int {
            min: -1,
            max: i64::MAX,
        },
        default: "1048576",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "commandlog-slow-execution-max-len",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "crash-log-enabled",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "crash-memcheck-enabled",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "daemonize",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "databases",
        kind: Kind::Int {
            min: 1,
            max: 2147483647,
        },
        default: "16",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "dbfilename",
        kind: Kind::String,
        default: "dump.rdb",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "debug-context",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "dir",
        kind: Kind::String,
        default: ".",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "disable-thp",
        kind: Kind::Bool,
        default: "yes",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "dual-channel-replication-enabled",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "enable-debug-assert",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "enable-debug-command",
        kind: Kind::Enum(&["no", "yes", "local"]),
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "enable-module-command",
        kind: Kind::Enum(&["no", "yes", "local"]),
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "enable-protected-configs",
        kind: Kind::Enum(&["no", "yes", "local"]),
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "events-per-io-thread",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "2",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "extended-redis-compatibility",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "hash-max-listpack-entries",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "512",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "hash-max-listpack-value",
        kind: Kind::Memory { percent: false },
        default: "64",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "hash-seed",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (9, 1),
    },
    Directive {
        name: "hide-user-data-from-log",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "hll-sparse-max-bytes",
        kind: Kind::Memory { percent: false },
        default: "3000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "hz",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "ignore-warnings",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "import-mode",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "io-threads",
        kind: Kind::Int { min: 1, max: 256 },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "io-threads-always-active",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (9, 1),
    },
    Directive {
        name: "jemalloc-bg-thread",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "key-load-delay",
        kind: Kind::Int {
            min: -2147483648,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "latency-monitor-threshold",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "latency-tracking",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "latency-tracking-info-percentiles",
        kind: Kind::Multi,
        default: "50 99 99.9",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lazyfree-lazy-eviction",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lazyfree-lazy-expire",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lazyfree-lazy-server-del",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lazyfree-lazy-user-del",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lazyfree-lazy-user-flush",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lfu-decay-time",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lfu-log-factor",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "list-compress-depth",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "list-max-listpack-size",
        kind: Kind::Int {
            min: -2147483648,
            max: 2147483647,
        },
        default: "-2",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "loading-process-events-interval-bytes",
        kind: Kind::Int {
            min: 1024,
            max: 2147483647,
        },
        default: "2097152",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "locale-collate",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "log-format",
        kind: Kind::Enum(&["legacy", "logfmt", "json"]),
        default: "legacy",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "log-timestamp-format",
        kind: Kind::Enum(&["legacy", "iso8601", "milliseconds"]),
        default: "legacy",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "logfile",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "loglevel",
        kind: Kind::Enum(&["debug", "verbose", "notice", "warning", "nothing"]),
        default: "notice",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "lua-enable-deprecated-api",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "lua-enable-insecure-api",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "max-new-connections-per-cycle",
        kind: Kind::Int { min: 1, max: 1000 },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "max-new-tls-connections-per-cycle",
        kind: Kind::Int { min: 1, max: 1000 },
        default: "1",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "maxclients",
        kind: Kind::Int {
            min: 1,
            max: 4294967295,
        },
        default: "10000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "maxmemory",
        kind: Kind::Memory { percent: false },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "maxmemory-clients",
        kind: Kind::Memory { percent: true },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "maxmemory-eviction-tenacity",
        kind: Kind::Int { min: 0, max: 100 },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "maxmemory-policy",
        kind: Kind::Enum(&[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ]),
        default: "noeviction",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "maxmemory-samples",
        kind: Kind::Int { min: 1, max: 64 },
        default: "5",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "min-io-threads-avoid-copy-reply",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "7",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "min-replicas-max-lag",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "min-replicas-to-write",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "min-string-size-avoid-copy-reply",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "16384",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "min-string-size-avoid-copy-reply-threaded",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "65536",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "mptcp",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "no-appendfsync-on-rewrite",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "notify-keyspace-events",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "oom-score-adj",
        kind: Kind::Enum(&["no", "yes", "relative", "absolute"]),
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "oom-score-adj-values",
        kind: Kind::Multi,
        default: "0 200 800",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "pidfile",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "6379",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "prefetch-batch-max-size",
        kind: Kind::Int { min: 0, max: 128 },
        default: "16",
        immutable: false,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "primaryauth",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: true,
        since: (8, 0),
    },
    Directive {
        name: "primaryuser",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: true,
        since: (8, 0),
    },
    Directive {
        name: "proc-title-template",
        kind: Kind::String,
        default: "{title} {listen-addr} {server-mode}",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "propagation-error-behavior",
        kind: Kind::Enum(&["ignore", "panic", "panic-on-replicas"]),
        default: "ignore",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "protected-mode",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "proto-max-bulk-len",
        kind: Kind::Memory { percent: false },
        default: "536870912",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdb-del-sync-files",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdb-key-save-delay",
        kind: Kind::Int {
            min: -2147483648,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdb-save-incremental-fsync",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdb-version-check",
        kind: Kind::Enum(&["strict", "relaxed"]),
        default: "strict",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "rdbchecksum",
        kind: Kind::Bool,
        default: "yes",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdbcompression",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "rdma-bind",
        kind: Kind::Multi,
        default: "",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "rdma-completion-vector",
        kind: Kind::Int { min: -1, max: 1024 },
        default: "-1",
        immutable: true,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "rdma-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "rdma-rx-size",
        kind: Kind::Int {
            min: 65536,
            max: 16777216,
        },
        default: "1048576",
        immutable: true,
        sensitive: false,
        since: (8, 1),
    },
    Directive {
        name: "repl-backlog-size",
        kind: Kind::Memory { percent: false },
        default: "10485760",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-backlog-ttl",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "3600",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-disable-tcp-nodelay",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-diskless-load",
        kind: Kind::Enum(&["disabled", "on-empty-db", "swapdb", "flush-before-load"]),
        default: "disabled",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-diskless-sync",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-diskless-sync-delay",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "5",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-diskless-sync-max-replicas",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-mptcp",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "repl-ping-replica-period",
        kind: Kind::Int {
            min: 1,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "repl-timeout",
        kind: Kind::Int {
            min: 1,
            max: 2147483647,
        },
        default: "60",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-announce-ip",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-announce-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-announced",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-ignore-disk-write-errors",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-ignore-maxmemory",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-lazy-flush",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-priority",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "100",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-read-only",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replica-serve-stale-data",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "replicaof",
        kind: Kind::Multi,
        default: "",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "requirepass",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: true,
        since: (7, 2),
    },
    Directive {
        name: "sanitize-dump-payload",
        kind: Kind::Enum(&["no", "yes", "clients"]),
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "save",
        kind: Kind::Save,
        default: "3600 1 300 100 60 10000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "server-cpulist",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "set-max-intset-entries",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "512",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "set-max-listpack-entries",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "set-max-listpack-value",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "64",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "set-proc-title",
        kind: Kind::Bool,
        default: "yes",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "shutdown-on-sigint",
        kind: Kind::MultiEnum(SHUTDOWN_ON_SIGNAL),
        default: "default",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "shutdown-on-sigterm",
        kind: Kind::MultiEnum(SHUTDOWN_ON_SIGNAL),
        default: "default",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "shutdown-timeout",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "10",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "slot-migration-max-failover-repl-bytes",
        kind: Kind::Memory { percent: false },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "socket-mark-id",
        kind: Kind::Int {
            min: 0,
            max: 4294967295,
        },
        default: "0",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "stop-writes-on-bgsave-error",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "stream-node-max-bytes",
        kind: Kind::Memory { percent: false },
        default: "4096",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "stream-node-max-entries",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "100",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "supervised",
        kind: Kind::Enum(&["upstart", "systemd", "auto", "no"]),
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "syslog-enabled",
        kind: Kind::Bool,
        default: "no",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "syslog-facility",
        kind: Kind::Enum(&[
            "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ]),
        default: "local0",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "syslog-ident",
        kind: Kind::String,
        default: "valkey",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tcp-backlog",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "511",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tcp-keepalive",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "300",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "timeout",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-auth-clients",
        kind: Kind::Enum(&["no", "yes", "optional"]),
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-auth-clients-user",
        kind: Kind::Enum(&["CN", "URI", "off"]),
        default: "off",
        immutable: false,
        sensitive: false,
        since: (9, 0),
    },
    Directive {
        name: "tls-auto-reload-interval",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (9, 1),
    },
    Directive {
        name: "tls-ca-cert-dir",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-ca-cert-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-cert-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-ciphers",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-ciphersuites",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-client-cert-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-client-key-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-client-key-file-pass",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: true,
        since: (7, 2),
    },
    Directive {
        name: "tls-cluster",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-dh-params-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-key-file",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-key-file-pass",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: true,
        since: (7, 2),
    },
    Directive {
        name: "tls-port",
        kind: Kind::Int { min: 0, max: 65535 },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-prefer-server-ciphers",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-protocols",
        kind: Kind::String,
        default: "",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-replication",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-session-cache-size",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "20480",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-session-cache-timeout",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "300",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tls-session-caching",
        kind: Kind::Bool,
        default: "yes",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "tracking-table-max-keys",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "1000000",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "unixsocket",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "unixsocketgroup",
        kind: Kind::String,
        default: "",
        immutable: true,
        sensitive: false,
        since: (8, 0),
    },
    Directive {
        name: "unixsocketperm",
        kind: Kind::Octal,
        default: "0",
        immutable: true,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "use-exit-on-panic",
        kind: Kind::Bool,
        default: "no",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "watchdog-period",
        kind: Kind::Int {
            min: 0,
            max: 2147483647,
        },
        default: "0",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "zset-max-listpack-entries",
        kind: Kind::Int {
            min: 0,
            max: i64::MAX,
        },
        default: "128",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
    Directive {
        name: "zset-max-listpack-value",
        kind: Kind::Memory { percent: false },
        default: "64",
        immutable: false,
        sensitive: false,
        since: (7, 2),
    },
];

/// Old names still accepted, as (alias, canonical name); every alias is a Redis 7.2 name.
pub static ALIASES: &[(&str, &str)] = &[
    ("aof_rewrite_cpulist", "aof-rewrite-cpulist"),
    ("bgsave_cpulist", "bgsave-cpulist"),
    ("bio_cpulist", "bio-cpulist"),
    ("cluster-slave-no-failover", "cluster-replica-no-failover"),
    (
        "cluster-slave-validity-factor",
        "cluster-replica-validity-factor",
    ),
    ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
    ("hash-max-ziplist-value", "hash-max-listpack-value"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
    ("lua-time-limit", "busy-reply-threshold"),
    ("masterauth", "primaryauth"),
    ("masteruser", "primaryuser"),
    ("min-slaves-max-lag", "min-replicas-max-lag"),
    ("min-slaves-to-write", "min-replicas-to-write"),
    ("repl-ping-slave-period", "repl-ping-replica-period"),
    ("server_cpulist", "server-cpulist"),
    ("slave-announce-ip", "replica-announce-ip"),
    ("slave-announce-port", "replica-announce-port"),
    ("slave-ignore-maxmemory", "replica-ignore-maxmemory"),
    ("slave-lazy-flush", "replica-lazy-flush"),
    ("slave-priority", "replica-priority"),
    ("slave-read-only", "replica-read-only"),
    ("slave-serve-stale-data", "replica-serve-stale-data"),
    ("slaveof", "replicaof"),
    (
        "slowlog-log-slower-than",
        "commandlog-execution-slower-than",
    ),
    ("slowlog-max-len", "commandlog-slow-execution-max-len"),
    ("zset-max-ziplist-entries", "zset-max-listpack-entries"),
    ("zset-max-ziplist-value", "zset-max-listpack-value"),
];

/// Names valkey-server 9.1 accepts with exactly one argument and ignores (`deprecated_configs[]`).
pub static DEPRECATED_NOOPS: &[&str] = &[
    "dynamic-hz",
    "events-per-io-thread",
    "io-threads-do-reads",
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
    "sanitize-dump-payload",
];

/// Directives parsed outside the table (as are module options, whose names contain a `.`).
pub static SPECIAL: &[&str] = &[
    "include",
    "loadmodule",
    "rename-command",
    "sentinel",
    "user",
];

/// Finds a directive by its lower-case name or alias.
pub fn lookup(name: &str) -> Option<&'static Directive> {
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, target)| *target);
    DIRECTIVES
        .binary_search_by(|d| d.name.cmp(canonical))
        .ok()
        .and_then(|i| DIRECTIVES.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_sorted_and_unique() {
        for pair in DIRECTIVES.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} >= {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn aliases_point_at_directives() {
        for (alias, target) in ALIASES {
            assert!(
                lookup(target).is_some(),
                "alias {alias} -> missing {target}"
            );
            assert!(
                DIRECTIVES.binary_search_by(|d| d.name.cmp(alias)).is_err(),
                "alias {alias} is also a directive"
            );
            assert_eq!(lookup(alias).map(|d| d.name), Some(*target));
        }
    }

    #[test]
    fn special_and_deprecated_names_are_not_directives() {
        for name in SPECIAL {
            assert!(lookup(name).is_none(), "{name}");
        }
        let typed: Vec<&str> = DEPRECATED_NOOPS
            .iter()
            .copied()
            .filter(|name| lookup(name).is_some())
            .collect();
        assert_eq!(typed, ["events-per-io-thread", "sanitize-dump-payload"]);
    }

    #[test]
    fn defaults_match_their_kind() {
        for d in DIRECTIVES {
            match d.kind {
                Kind::Bool => assert!(d.default == "yes" || d.default == "no", "{}", d.name),
                Kind::Int { min, max } => {
                    let v: i64 = d.default.parse().expect(d.name);
                    assert!(min <= v && v <= max, "{}", d.name);
                }
                Kind::Memory { .. } => {
                    assert!(d.default.parse::<u64>().is_ok(), "{}", d.name);
                }
                Kind::Enum(names) | Kind::MultiEnum(names) => {
                    assert!(names.contains(&d.default), "{}", d.name);
                }
                Kind::String | Kind::Octal | Kind::Multi | Kind::Save => {}
            }
        }
    }

    #[test]
    fn lookups() {
        let auth = lookup("masterauth").expect("masterauth");
        assert_eq!(auth.name, "primaryauth");
        assert!(auth.sensitive);
        assert_eq!(auth.since, (8, 0));
        let replicaof = lookup("slaveof").expect("slaveof");
        assert_eq!(replicaof.name, "replicaof");
        assert_eq!(replicaof.kind, Kind::Multi);
        assert!(replicaof.immutable);
        let port = lookup("port").expect("port");
        assert_eq!(port.kind, Kind::Int { min: 0, max: 65535 });
        assert_eq!(port.default, "6379");
        assert_eq!(
            lookup("maxmemory").map(|d| d.kind),
            Some(Kind::Memory { percent: false })
        );
        assert_eq!(
            lookup("maxmemory-clients").map(|d| d.kind),
            Some(Kind::Memory { percent: true })
        );
        assert_eq!(
            lookup("save").map(|d| d.default),
            Some("3600 1 300 100 60 10000")
        );
        assert_eq!(
            lookup("cluster-slave-validity-factor").map(|d| d.name),
            Some("cluster-replica-validity-factor")
        );
        assert!(lookup("shutdown-on-sigterm").is_some_and(
            |d| matches!(d.kind, Kind::MultiEnum(names) if names.contains(&"failover"))
        ));
        assert!(lookup("maxmemory-policy").is_some_and(|d| d.default == "noeviction"));
        assert!(lookup("maxmemoryy").is_none());
        assert!(lookup("MAXMEMORY").is_none());
        assert!(lookup("list-max-ziplist-entries").is_none());
    }
}

#!/usr/bin/env python3
"""The valkey-lint benchmark: end-to-end runs of the release binary, process start included.

    python3 bench/run.py [--quick]

Builds the release binary, makes corpora with ../shared/tools/gen_corpus.py (1k, 10k and 100k
documents, and 100k documents in one ~155 MB file) under $TMPDIR/valkey-lint-bench, and measures:

* latency of one small file (10 documents) and of one rendered chart, against the start-up of the
  same binary (`--version`, a clap hello-world) as the unit, so the figures are ratios that hold
  on a noisy machine;
* throughput in documents per second on one core (taskset -c 0) and on all cores;
* peak memory (max RSS) per run, against the input size.

Each figure is the median of several runs in one invocation. `--quick` skips the 100k corpora.

    python3 bench/run.py --baseline PATH/TO/OLD/valkey-lint

also runs another build of valkey-lint on every input, alternating with this one run by run,
and reports each figure of this build as a ratio to that build's (`vs baseline`, below 1 is
faster or smaller). On a machine whose speed drifts from minute to minute (a shared 2-core VM
was 1.6 times slower in some hours than in others), those ratios are the figures to compare.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
BIN = os.path.join(ROOT, "target", "release", "valkey-lint")
WORK = os.path.join(tempfile.gettempdir(), "valkey-lint-bench")


def corpus(name, docs, files):
    out = os.path.join(WORK, name)
    if not os.path.isdir(out):
        subprocess.run([sys.executable, os.path.join(SHARED, "tools", "gen_corpus.py"), out,
                        "--docs", str(docs), "--files", str(files)], check=True, stdout=subprocess.DEVNULL)
    return out


def size_of(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def run(args, cores=None, repeat=5, bins=(BIN,)):
    """Median wall seconds and max RSS (KiB) of `valkey-lint ARGS`, for each of `bins`, whose
    runs alternate."""
    prefix = ["taskset", "-c", cores] if cores else []
    walls = {b: [] for b in bins}
    rss = {b: [] for b in bins}
    for _ in range(repeat):
        for b in bins:
            t0 = time.perf_counter()
            p = subprocess.run(prefix + ["/usr/bin/time", "-f", "%M", b] + args,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            walls[b].append(time.perf_counter() - t0)
            if p.returncode not in (0, 1):
                sys.exit(f"{b} {' '.join(args)} exited {p.returncode}: {p.stderr[-2000:]}")
            rss[b].append(int(p.stderr.strip().splitlines()[-1]))
    found = [(statistics.median(walls[b]), max(rss[b])) for b in bins]
    return found[0] if len(bins) == 1 else found


def main():
    quick = "--quick" in sys.argv
    baseline = sys.argv[sys.argv.index("--baseline") + 1] if "--baseline" in sys.argv else None
    bins = (BIN, os.path.abspath(baseline)) if baseline else (BIN,)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    os.makedirs(WORK, exist_ok=True)
    results = {}

    def measure(args, cores=None, repeat=5):
        """This build's (wall, rss), and its ratios to the baseline's when there is one."""
        found = run(args, cores, repeat, bins)
        if not baseline:
            return found, None
        (wall, rss), (base_wall, base_rss) = found
        return (wall, rss), {"time": round(wall / base_wall, 3), "peak memory": round(rss / base_rss, 3)}

    (start, _), _ = measure(["--version"], repeat=30)
    small = os.path.join(corpus("c10", 10, 1), "manifests-00000.yaml")
    chart = os.path.join(SHARED, "corpus", "rendered", "bitnami-valkey-cluster-prod.yaml")
    for label, path in [("10-document file", small), ("rendered chart (valkey-cluster prod)", chart)]:
        (wall, _), ratio = measure(["check", "--format", "json", path], repeat=30)
        results[label] = {"ms": round(wall * 1000, 2), "x start-up": round(wall / start, 2)}
        if ratio:
            results[label]["vs baseline"] = ratio["time"]
    results["start-up (--version)"] = {"ms": round(start * 1000, 2)}

    sets = [("1k docs", 1000, 10), ("10k docs", 10000, 100)]
    if not quick:
        sets += [("100k docs", 100000, 1000), ("100k docs, one file", 100000, 1)]
    for label, docs, files in sets:
        path = corpus(label.replace(" ", "-").replace(",", ""), docs, files)
        size = size_of(path)
        row = {"MB": round(size / 1e6, 1)}
        repeat = 5 if docs <= 10000 else 3
        for cores, name in [("0", "1 core"), (None, "all cores")]:
            (wall, rss), ratio = measure(["check", "--format", "json", path], cores=cores, repeat=repeat)
            row[name] = {"s": round(wall, 3), "docs/s": int(docs / wall), "peak MB": round(rss / 1024, 1),
                         "peak / input": round(rss * 1024 / size, 2)}
            if ratio:
                row[name]["vs baseline"] = ratio
        results[label] = row
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

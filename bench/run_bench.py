"""The scan benchmark in one command: throughput, stage shares, peak memory, naive baseline.

In one run, each measured program in its own process pinned to one core:

1. generates the synthetic corpus (bench/generate_corpus.py) if it is missing;
2. start-up alone: ``scan --no-model`` of the first 1,000 messages, once with an empty cache
   directory and once with the user's filled (by an unmeasured scan just before, which also
   fills it for the scans that follow);
3. ``interdiction scan`` (Parquet in, Parquet out, every installed detector, the default
   learned model, ``--profile``) on the first quarter of the corpus and on the whole of it: wall
   time, CPU time, peak RSS (the process tree: the scan and any helper it starts, such as an
   OPSIN JVM) and stage times; then ``scan --no-model`` (the rules alone) on the whole of it;
4. the naive baseline (bench/naive_regex.py) on the first ``--naive-sample`` messages;

then prints a summary and writes it into docs/performance.md between the bench markers.

    .venv/bin/python bench/run_bench.py [--n 1000000] [--naive-sample 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from generate_corpus import KIND_SHARES, CorpusStats, corpus_key, describe, write_corpus

# the maintainer scripts beside bench/ share the markdown-section writer
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from doc_sections import replace_section

from interdiction.kb import KnowledgeBase, load_kb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DOC_INTRO = """# Performance

How fast `interdiction scan` screens messages and how much memory it needs, measured with
`bench/run_bench.py` on the synthetic corpus of `bench/generate_corpus.py`. The section between
the markers below is rewritten by each run of the benchmark.

"""
TARGET_MSGS_PER_S = 100_000  # the rules alone (scan --no-model)
TARGET_MODEL_MSGS_PER_S = 50_000  # with the default learned model (scan)
TARGET_RSS = 1_000_000_000  # bytes
RSS_FLAT = 1.10  # the whole corpus may take at most 10 % more memory than a quarter of it
POLL_S = 0.05
START_UP_ITEMS = 1_000  # messages of the scans that measure start-up alone
TIME = Path("/usr/bin/time")
MB = 1e6


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and the children it waited for
    peak_rss: int  # bytes
    stdout: str
    stderr: str


@dataclass(frozen=True)
class ScanRun:
    items: int
    measured: Measured
    stages: dict[str, float]  # seconds, as --profile reports them

    @property
    def msgs_per_s(self) -> float:
        return self.items / self.measured.wall

    @property
    def startup(self) -> float:
        """Wall time outside the profiled stages: imports, KB load, pattern compilation."""
        return max(self.measured.wall - sum(self.stages.values()), 0.0)


@dataclass(frozen=True)
class NaiveRun:
    items: int
    names: int
    compile_seconds: float
    match_seconds: float
    items_matched: int
    measured: Measured

    @property
    def msgs_per_s(self) -> float:
        return self.items / self.match_seconds


def pinning(cpu: int) -> tuple[list[str], str]:
    """Command prefix that pins a program to one core, and how it was done."""
    if shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)], f"`taskset -c {cpu}`"
    return [], f"`os.sched_setaffinity(0, {{{cpu}}})` in the child"


def _tree_rss(root: int, page: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(entry.name)
        parent[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, ppid in parent.items() if ppid == pid)
    return total


def _high_water(pid: int) -> int:
    """Peak resident bytes of one process so far (VmHWM), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def memory_method() -> str:
    program = (
        "GNU time's maximum resident set size of the program"
        if TIME.exists()
        else "the program's VmHWM sampled from /proc"
    )
    return (
        f"{program}, or the resident memory of its whole process tree (helpers such as a JVM "
        f"included) sampled from /proc every {POLL_S * 1000:.0f} ms, whichever is larger"
    )


def run_measured(cmd: list[str], cpu: int, env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` pinned to ``cpu``; wall and CPU time, and peak RSS as memory_method() says.

    The kernel's ru_maxrss from wait4 is not used: a child forked from this (large) process
    starts with this process's resident set counted in its high-water mark.
    """
    prefix, _ = pinning(cpu)

    def pin() -> None:
        os.sched_setaffinity(0, {cpu})

    page = os.sysconf("SC_PAGE_SIZE")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "time")
        timer = [str(TIME), "-o", str(report), "-f", "%M"] if TIME.exists() else []
        out_path, err_path = Path(tmp, "stdout"), Path(tmp, "stderr")
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                timer + prefix + cmd,
                stdout=out,
                stderr=err,
                preexec_fn=None if prefix else pin,
                env=env,
            )
            tree = program = 0
            done = threading.Event()

            def poll() -> None:
                nonlocal tree, program
                while not done.wait(POLL_S):
                    tree = max(tree, _tree_rss(proc.pid, page))
                    if not timer:
                        program = max(program, _high_water(proc.pid))

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - started
            done.set()
            poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout, stderr = out_path.read_text(), err_path.read_text()
        if proc.returncode != 0:
            raise SystemExit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{stderr[-4000:]}")
        if timer:
            program = int(report.read_text().split()[-1]) * 1024
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss=max(tree, program),
        stdout=stdout,
        stderr=stderr,
    )


def scan_command(corpus: Path, output: Path, extra: tuple[str, ...] = ()) -> list[str]:
    exe = Path(sys.executable).with_name("interdiction")
    program = str(exe) if exe.exists() else shutil.which("interdiction") or "interdiction"
    return [program, "scan", str(corpus), "-o", str(output), "--text-field", "text",
            "--profile", "--quiet", *extra]  # fmt: skip


def run_scan(corpus: Path, output: Path, cpu: int, extra: tuple[str, ...] = ()) -> ScanRun:
    measured = run_measured(scan_command(corpus, output, extra), cpu)
    lines = [line for line in measured.stderr.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"no --profile line from scan:\n{measured.stderr[-4000:]}")
    profile = json.loads(lines[-1])
    stages = {name: stage["seconds"] for name, stage in profile["stages"].items()}
    return ScanRun(items=profile["items"], measured=measured, stages=stages)


@dataclass(frozen=True)
class StartUp:
    """Wall seconds of ``scan --no-model`` on a few messages, where start-up is nearly all."""

    items: int
    warm: float  # what start-up built is in the cache directory (kb/cache.py)
    cold: float  # an empty cache directory: the first scan after the KB or the code changed


def run_start_up(head: Path, items: int, cpu: int) -> StartUp:
    """Cold: with an empty cache directory of its own. Warm: with the user's, filled by a scan
    just before (unmeasured), so it also fills the cache for the measured scans that follow."""
    command = scan_command(head, head.with_name("scan-start-up.parquet"), ("--no-model",))
    with tempfile.TemporaryDirectory() as empty:
        cold = run_measured(command, cpu, {**os.environ, "INTERDICTION_CACHE_DIR": empty})
    run_measured(command, cpu)
    warm = run_measured(command, cpu)
    return StartUp(items=items, warm=warm.wall, cold=cold.wall)


def run_naive(corpus: Path, sample: int, cpu: int) -> NaiveRun:
    cmd = [sys.executable, str(BENCH / "naive_regex.py"), str(corpus), "--sample", str(sample)]
    measured = run_measured(cmd, cpu)
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return NaiveRun(**result, measured=measured)


def write_head(corpus: Path, rows: int, out: Path) -> None:
    """The first ``rows`` rows of ``corpus``, streamed batch by batch."""
    source = pq.ParquetFile(corpus)
    with pq.ParquetWriter(out, source.schema_arrow, compression="zstd") as writer:
        left = rows
        for batch in source.iter_batches(batch_size=65_536):
            if left <= 0:
                break
            writer.write_batch(batch.slice(0, left))
            left -= batch.num_rows


def ensure_corpus(n: int, seed: int, kb: KnowledgeBase) -> Path:
    """The corpus for this size, seed and KB (its names are planted), generated if missing."""
    path = BENCH / "out" / f"corpus-{n}-seed{seed}-{corpus_key(kb)}.parquet"
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == n:
        return path
    print(f"generating {n:,} messages (seed {seed}) into {path} ...", flush=True)
    seconds = write_corpus(n, seed, path, kb)
    print(f"  done in {seconds:.1f} s", flush=True)
    return path


@dataclass(frozen=True)
class Machine:
    cpu_model: str
    cores: int
    memory_gb: float
    kernel: str
    python: str
    load: tuple[float, float, float]


def machine() -> Machine:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    memory = 0.0
    if Path("/proc/meminfo").exists():
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024 / 1e9
    return Machine(
        cpu_model=models[0] if models else platform.processor() or "unknown",
        cores=os.cpu_count() or 1,
        memory_gb=memory,
        kernel=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        load=os.getloadavg(),
    )


def code_version() -> str:
    """The commit measured, and whether the working tree differs from it (read-only git)."""
    git = ["git", "--no-optional-locks", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True,
                               text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"`{head}`" + (" with uncommitted changes" if dirty else "")


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def _mb(value: float) -> str:
    return f"{value / MB:,.0f} MB"


def _ok(passed: bool) -> str:
    return "yes" if passed else "**no**"


@dataclass(frozen=True)
class Setting:
    """Everything about a run besides its measurements."""

    command: str
    when: dt.datetime
    host: Machine
    pinned: str
    code: str
    corpus: Path
    stats: CorpusStats
    kb: KnowledgeBase


def render(
    setting: Setting,
    quarter: ScanRun,
    full: ScanRun,
    naive: NaiveRun,
    load_after: tuple[float, float, float],
    rules_only: ScanRun,
    start_up: StartUp,
) -> str:
    command, when, host, pinned = setting.command, setting.when, setting.host, setting.pinned
    code, corpus, stats, kb = setting.code, setting.corpus, setting.stats, setting.kb
    detectors = [s.split(":", 1)[1] for s in full.stages if s.startswith("detect:")]
    kinds = stats.kinds
    substances = sum(kinds.get(k, 0.0) for k in ("substance", "trade", "obfuscated", "offer"))
    identifiers = sum(kinds.get(k, 0.0) for k in ("identifier", "offer"))
    langs = ", ".join(f"{k} {_pct(v)}" for k, v in stats.langs.items())
    planted = ", ".join(f"{k} {_pct(kinds.get(k, 0.0))}" for k in KIND_SHARES)
    rss_growth = full.measured.peak_rss / quarter.measured.peak_rss
    flat = rss_growth <= RSS_FLAT
    speedup = full.msgs_per_s / naive.msgs_per_s
    wall = full.measured.wall
    stage_rows = "\n".join(
        f"| {name} | {seconds:,.2f} | {_pct(seconds / sum(full.stages.values()))} "
        f"| {_pct(seconds / wall)} |"
        for name, seconds in sorted(full.stages.items(), key=lambda kv: -kv[1])
    )
    loads = ", ".join(f"{x:.2f}" for x in host.load)
    loads_after = ", ".join(f"{x:.2f}" for x in load_after)
    return f"""## Latest run

- Command: `{command}`
- Date: {when:%Y-%m-%d %H:%M} UTC; code: commit {code}
- Machine: {host.cpu_model}, {host.cores} cores, {host.memory_gb:.0f} GB RAM, {host.kernel}, Python {host.python}; shared with other jobs (load average {loads} before the run, {loads_after} after). Each measured program ran alone in its own process, pinned with {pinned}. Peak RSS: {memory_method()}.
- Corpus: {stats.rows:,} synthetic messages (`{corpus.name}`), {stats.text_mb:,.0f} MB of UTF-8 text ({stats.bytes_on_disk / MB:,.0f} MB Parquet); length in characters: median {stats.chars_median}, p90 {stats.chars_p90}, p99 {stats.chars_p99}, max {stats.chars_max}. Languages: {langs}. Planted: substances {_pct(substances)}, identifiers {_pct(identifiers)} ({planted}).
- Knowledge base: {len(kb):,} substances, {naive.names:,} names matched by the substance detector (fingerprint `{kb.fingerprint}`). Detectors on: {", ".join(detectors)}.

| Measure | Value | Target |
| --- | --- | --- |
| End-to-end `scan` with the default model (rules + model), Parquet in and out, {full.items:,} msgs, one core | {wall:,.1f} s wall, **{full.msgs_per_s:,.0f} msgs/s** | ≥ {TARGET_MODEL_MSGS_PER_S:,} msgs/s: {_ok(full.msgs_per_s >= TARGET_MODEL_MSGS_PER_S)} |
| Same, `scan --no-model` (rules alone) | {rules_only.measured.wall:,.1f} s wall, **{rules_only.msgs_per_s:,.0f} msgs/s** | ≥ {TARGET_MSGS_PER_S:,} msgs/s: {_ok(rules_only.msgs_per_s >= TARGET_MSGS_PER_S)} |
| Cost of the model | {full.measured.wall - rules_only.measured.wall:+,.1f} s wall; stage `score` {full.stages.get("score", 0):,.2f} s with, {rules_only.stages.get("score", 0):,.2f} s without | |
| Same, per CPU second (user + system) | {full.items / full.measured.cpu:,.0f} msgs/s ({full.measured.cpu:,.1f} s CPU) | |
| Start-up outside the stages (imports, KB, compilation, exit) | {full.startup:,.1f} s with the model ({_pct(full.startup / wall)} of wall), {rules_only.startup:,.1f} s rules alone | |
| Start-up alone: `scan --no-model` of {start_up.items:,} msgs | {start_up.warm:,.2f} s wall with the start-up cache filled; {start_up.cold:,.2f} s with an empty cache directory (the first scan after the KB or the code changed) | |
| Peak RSS, {quarter.items:,} msgs | {_mb(quarter.measured.peak_rss)} | ≤ 1 GB: {_ok(quarter.measured.peak_rss <= TARGET_RSS)} |
| Peak RSS, {full.items:,} msgs | {_mb(full.measured.peak_rss)} (× {rss_growth:.2f} for 4× the input) | ≤ 1 GB: {_ok(full.measured.peak_rss <= TARGET_RSS)}; flat: {_ok(flat)} |
| Naive `re` alternation of the {naive.names:,} KB names, {naive.items:,} msgs, one core | **{naive.msgs_per_s:,.0f} msgs/s** (compile {naive.compile_seconds:.2f} s) | |
| Naive peak RSS | {_mb(naive.measured.peak_rss)} | |
| `scan` end to end ÷ naive matching alone | **× {speedup:,.0f}** | |

Stages of the {full.items:,}-message scan (`--profile`):

| Stage | Seconds | Share of stages | Share of wall |
| --- | --- | --- | --- |
{stage_rows}
"""  # noqa: E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="messages in the corpus")
    parser.add_argument("--naive-sample", type=int, default=20_000, help="messages for naive re")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--cpu", type=int, default=0, help="core to pin measured programs to")
    parser.add_argument("--doc", type=Path, default=DOC, help="Markdown file to update")
    args = parser.parse_args()
    python = Path(sys.executable)
    python_shown = python.relative_to(ROOT) if python.is_relative_to(ROOT) else python.name
    command = shlex.join([str(python_shown), "bench/run_bench.py", *sys.argv[1:]])
    when = dt.datetime.now(dt.UTC)
    host = machine()
    others = os.sched_getaffinity(0) - {args.cpu}
    if others:
        os.sched_setaffinity(0, others)  # keep this process's polling off the measured core

    kb = load_kb()
    corpus = ensure_corpus(args.n, args.seed, kb)
    out = BENCH / "out"
    quarter_corpus = corpus.with_name(corpus.stem + "-quarter.parquet")
    write_head(corpus, args.n // 4, quarter_corpus)
    setting = Setting(
        command=command,
        when=when,
        host=host,
        pinned=pinning(args.cpu)[1],
        code=code_version(),
        corpus=corpus,
        stats=describe(corpus),
        kb=kb,
    )

    print("start-up, cache empty and filled ...", flush=True)
    head = corpus.with_name(corpus.stem + f"-head{START_UP_ITEMS}.parquet")
    write_head(corpus, START_UP_ITEMS, head)
    start_up = run_start_up(head, START_UP_ITEMS, args.cpu)
    print(f"scan of {args.n // 4:,} messages ...", flush=True)
    quarter = run_scan(quarter_corpus, out / "scan-quarter.parquet", args.cpu)
    print(f"scan of {args.n:,} messages ...", flush=True)
    full = run_scan(corpus, out / "scan-full.parquet", args.cpu)
    print(f"scan --no-model of {args.n:,} messages ...", flush=True)
    rules_only = run_scan(corpus, out / "scan-full-rules.parquet", args.cpu, ("--no-model",))
    print(f"naive re over {args.naive_sample:,} messages ...", flush=True)
    naive = run_naive(corpus, args.naive_sample, args.cpu)

    block = render(setting, quarter, full, naive, os.getloadavg(), rules_only, start_up)
    replace_section(args.doc, START, END, block, DOC_INTRO)
    print()
    print(block)
    print(f"(written to {args.doc})")


if __name__ == "__main__":
    main()

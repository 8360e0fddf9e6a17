"""Load test of the review service's intake: single items posted to ``POST /v1/items`` over
loopback, on SQLite and on PostgreSQL, in one run.

For each backend: a fresh database (a SQLite file in a temporary directory; a PostgreSQL database
created for the run and dropped after it), an organisation and an API key made through the
review service, then the server started with ``interdiction serve`` (uvicorn, one process,
access log off), warmed up, and driven by an async httpx client in two phases:

1. **target rate** (open loop): requests due on a fixed schedule at ``--rate`` per second (the
   issue's target, 200/s); latency counts from when a request was due, so a server that falls
   behind is charged for the queue it builds (no coordinated omission);
2. **saturation** (closed loop): ``--concurrency`` clients, each posting its next item as soon
   as the previous one is answered: the most the server sustains.

Items are realistic and unique (an external id each): mostly everyday listings and chat, about
5 % offers of controlled substances with quantities, prices and contacts. Beside latency, the
CPU time per request of the server (its process and its PostgreSQL backends) and of the load
generator is measured from /proc: on a machine shared with other jobs it says what a request
costs, whatever the neighbours take.

    .venv/bin/python bench/load_service.py [--seconds 20] [--concurrency 8] [--rate 200]

The result is printed and written into docs/performance.md between the service-bench markers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg

from interdiction.auth.policy import Role
from interdiction.review.schemas import UserIn
from interdiction.review.service import ReviewService
from interdiction.settings import Settings
from interdiction.store.db import Database

# the maintainer scripts beside bench/ share the markdown-section writer
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from doc_sections import replace_section  # noqa: E402

START, END = "<!-- bench-service:start -->", "<!-- bench-service:end -->"
DOC_HEADING = """## Review service under load

`bench/load_service.py` starts the review service (`interdiction serve`: uvicorn, one process,
access log off) on loopback, once on SQLite and once on PostgreSQL, each with a fresh database,
and posts single items to `POST /v1/items` with an async httpx client on the same machine:
first on a fixed schedule (open loop: latency counts from when a request was due, so queueing
behind a slow server is charged), then as fast as `--concurrency` clients can go (closed loop).
Every item is screened (rules and the default model), stored and committed before it is
answered; on SQLite a commit is on disk before the answer (`synchronous=FULL`). Items: about
95 % everyday listings and chat, 5 % drug offers, each with a unique external id.

The client shares the two cores with the server (and, on PostgreSQL, with the database), and the
machine with other jobs, so the run also reports CPU time per request from /proc: the server's
(its process and its PostgreSQL backends) and the load generator's. The server is one Python
process: it can use at most one core, so 1000 ÷ its CPU ms per request bounds what it can
answer per second with a core to itself.

A third phase drives the same server with `wrk` (Debian's package; C, four connections, closed
loop, unique items from a Lua script): it needs a small fraction of the CPU the Python client
takes per request, so it shows what the server sustains when the load generator does not eat
half of the two cores. It is left out, with a message, where wrk is not installed.

Target (issue 3): 200 requests/s with p99 latency under 50 ms on this 2-core machine.

"""
TARGET_RATE = 200.0
TARGET_P99_MS = 50.0
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"

BENIGN = [
    "{thing} for sale, {condition}, {price} {currency}. Pick up in {city}.",
    "Selling my {thing}, {condition}, {price} {currency} or best offer",
    "Looking for a {thing} in {city}, budget around {price} {currency}",
    "Anyone know a good {trade} near {city} station? Ours quit last week",
    "Great {meal} at the new place in {city} today, highly recommend",
    "Free to a good home: {thing}, {condition}, collect from {city}",
    "Does anyone have the timetable for the {city} bus this weekend?",
]
OFFERS = [
    "{drug} {grams}g for {price}{currency}, telegram @{handle}, discreet shipping",
    "Selling pure {drug}, {grams}g available now, DM on wickr: {handle}",
    "{drug} pills {grams}0 pcs, {price} {currency}, worldwide delivery, contact @{handle}",
    "Top quality {drug} in stock, {grams}g {price}{currency}, signal {handle}",
]
FILL = {
    "thing": ["oak bookshelf", "road bike", "baby stroller", "gaming chair", "sofa", "desk lamp"],
    "condition": ["barely used", "like new", "some scratches", "needs a new tyre", "boxed"],
    "currency": ["EUR", "USD", "GBP", "€", "$"],
    "city": ["Leeds", "Porto", "Lyon", "Graz", "Utrecht", "Malmö", "Bilbao"],
    "trade": ["plumber", "electrician", "dentist", "mechanic", "piano teacher"],
    "meal": ["ramen", "pizza", "brunch", "curry", "ice cream"],
    "drug": ["fentanyl", "cocaine", "MDMA", "ketamine", "oxycodone", "protonitazene", "meth"],
}


@dataclass
class Phase:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    statuses: Counter = field(default_factory=Counter)  # HTTP status, or the exception's name
    flagged: int = 0
    server_cpu: float = 0.0  # seconds: the server process and its PostgreSQL backends
    client_cpu: float = 0.0  # seconds: this process (the load generator)
    # Set by the wrk phase: its own latency percentiles (ms, by "50"/"90"/"99") and rate.
    wrk: dict[str, float] | None = None
    wrk_rate: float = 0.0
    wrk_requests: int = 0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def answered(self) -> int:
        return self.wrk_requests if self.wrk is not None else len(self.latencies)

    @property
    def rate(self) -> float:
        return self.wrk_rate if self.wrk is not None else len(self.latencies) / self.seconds

    def cpu_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(1, self.answered)

    def percentile_ms(self, q: float) -> float:
        if self.wrk is not None:  # wrk reports 50/75/90/99 only
            return self.wrk.get(str(round(q * 100)), float("nan"))
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class BackendResult:
    backend: str
    phases: list[Phase]


class Items:
    """Unique realistic items: ~5 % offers."""

    def __init__(self, seed: int, offer_share: float = 0.05):
        self.random = random.Random(seed)
        self.offer_share = offer_share
        self.run = secrets.token_hex(3)
        self.count = 0

    def next(self) -> dict:
        self.count += 1
        r = self.random
        offer = r.random() < self.offer_share
        template = r.choice(OFFERS if offer else BENIGN)
        values = {key: r.choice(options) for key, options in FILL.items()}
        values |= {
            "price": r.randrange(5, 900),
            "grams": r.choice([1, 2, 3, 5, 10, 25]),
            "handle": f"{r.choice(['plug', 'candy', 'snow', 'rx'])}_{r.randrange(100, 999)}",
        }
        return {
            "text": template.format(**values),
            "source": "bench-market",
            "external_id": f"{self.run}-{self.count}",
        }


@contextmanager
def database(backend: str, workdir: Path, postgres: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    name = f"interdiction_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = postgres.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{postgres}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(url: str, data_dir: Path) -> str:
    """An organisation with an analyst and the analyst's API key (what an intake client uses)."""
    settings = Settings(data_dir=data_dir, database_url=url)
    service = ReviewService(settings, Database.open(settings))
    try:
        org = service.bootstrap_organisation("bench", "Load test")
        user = service.bootstrap_user(org.id, UserIn(username="bench-intake", role=Role.ANALYST))
        return service.bootstrap_api_key(org.id, user.id, "load test")[1]
    finally:
        service.db.close()


class CpuMeter:
    """CPU seconds used so far by the server process and, on PostgreSQL, by the backends that
    serve the benchmark's database (read from /proc; they run on the same machine)."""

    def __init__(self, pid: int, url: str):
        self.pid = pid
        self.url = url

    def _pids(self) -> list[int]:
        # The server and its worker processes (with --workers).
        own = [self.pid, *(child.pid for child in psutil.Process(self.pid).children(True))]
        if not self.url.startswith("postgresql"):
            return own
        server, database = self.url.rsplit("/", 1)
        dsn = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)
            ).fetchall()
        return [*own, *(pid for (pid,) in rows)]

    def read(self) -> dict[int, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        out = {}
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a backend that just ended
            out[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        return out

    @staticmethod
    def used(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


@contextmanager
def server(url: str, data_dir: Path, log: Path, workers: int) -> Iterator[tuple[str, CpuMeter]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"INTERDICTION_DATABASE_URL": url, "INTERDICTION_DATA_DIR": str(data_dir)}
    # The product's own command: uvicorn, one process, access log off.
    command = [
        str(Path(sys.executable).with_name("interdiction")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, CpuMeter(process.pid, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


async def _post(client: httpx.AsyncClient, items: Items, phase: Phase, sent_at: float) -> None:
    try:
        response = await client.post("/v1/items", json=items.next())
    except httpx.HTTPError as exc:
        phase.statuses[type(exc).__name__] += 1
        return
    phase.statuses[response.status_code] += 1
    if response.status_code == 200:
        phase.latencies.append(time.perf_counter() - sent_at)
        phase.flagged += response.json()["items"][0]["flagged"]


async def open_loop(
    client: httpx.AsyncClient, items: Items, phase: Phase, rate: float, connections: int
) -> None:
    """Request n is due at n/rate s, however long earlier answers take (as wrk2 does): each of
    ``connections`` senders takes the next due request, waits for its time if it is early, and
    counts the latency from when it was due, so a server that falls behind is charged for it."""
    start = time.perf_counter()
    due = itertools.count()
    total = int(phase.seconds * rate)

    async def sender() -> None:
        while (n := next(due)) < total:
            scheduled = start + n / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await _post(client, items, phase, scheduled)

    await asyncio.gather(*(sender() for _ in range(connections)))
    phase.seconds = time.perf_counter() - start


async def closed_loop(
    client: httpx.AsyncClient, items: Items, phase: Phase, concurrency: int
) -> None:
    start = time.perf_counter()
    deadline = start + phase.seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await _post(client, items, phase, time.perf_counter())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    phase.seconds = time.perf_counter() - start


WRK_SCRIPT = """
-- Generated by bench/load_service.py: unique items posted round-robin from a fixed pool.
local bodies = {%s}
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
request = function()
  counter = counter + 1
  local body = string.format(bodies[(counter %% #bodies) + 1], counter)
  return wrk.format(nil, "/v1/items", nil, body)
end
"""
_WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_WRK_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_phase(base: str, key: str, items: Items, args: argparse.Namespace, meter: CpuMeter):
    """Closed loop driven by wrk (C, a small fraction of the CPU httpx needs per request), so
    the server gets the cores the Python client would take; None when wrk is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk not found (Debian: apt-get install wrk): its phase is left out", file=sys.stderr)
        return None
    bodies = []
    for _ in range(500):
        item = items.next()
        # wrk fills the counter into the external id ("%d"): every request is a new item.
        item["external_id"] = f"{item['external_id']}-wrk-%d"
        bodies.append(json.dumps(json.dumps(item).replace("%", "%%").replace("%%d", "%d")))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (", ".join(bodies), key))
    phase = Phase(f"saturation: wrk, {args.wrk_connections} connections, closed loop",
                  args.seconds)  # fmt: skip
    before = meter.read()
    try:
        out = subprocess.run(
            [wrk, "-t1", f"-c{args.wrk_connections}", f"-d{args.seconds:g}s", "--latency",
             "-s", script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    phase.server_cpu = CpuMeter.used(before, meter.read())
    phase.wrk = {q: float(v) * _WRK_UNIT[u] for q, v, u in _WRK_LATENCY.findall(out)}
    phase.wrk_rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    phase.wrk_requests = int(re.search(r"(\d+) requests in", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    phase.statuses["non-2xx"] = int(failed.group(1)) if failed else 0
    return phase


async def measured(phase: Phase, meter: CpuMeter, run: Awaitable[None]) -> Phase:
    server_before, client_before = meter.read(), time.process_time()
    await run
    phase.server_cpu = CpuMeter.used(server_before, meter.read())
    phase.client_cpu = time.process_time() - client_before
    return phase


async def drive(base: str, meter: CpuMeter, key: str, args: argparse.Namespace) -> list[Phase]:
    items = Items(seed=1)
    # At most 32 connections, as a real client would keep.
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:
        # Warm up: the first request builds the screener; the pools fill.
        await closed_loop(client, items, Phase("warm-up", args.warmup), args.concurrency)
        target = Phase(f"target rate: {args.rate:g} requests/s, open loop", args.seconds)
        await measured(target, meter, open_loop(client, items, target, args.rate, 32))
        saturation = Phase(f"saturation: {args.concurrency} clients, closed loop", args.seconds)
        await measured(saturation, meter, closed_loop(client, items, saturation, args.concurrency))
    by_wrk = wrk_phase(base, key, items, args, meter)
    return [target, saturation] + ([by_wrk] if by_wrk else [])


def run_backend(backend: str, args: argparse.Namespace) -> BackendResult:
    with tempfile.TemporaryDirectory(prefix="interdiction-bench-") as tmp:
        workdir = Path(tmp)
        with database(backend, workdir, args.postgres) as url:
            key = seed(url, workdir / "data")
            workers = args.pg_workers if backend == "postgresql" else 1
            with server(url, workdir / "data", workdir / "server.log", workers) as (base, meter):
                phases = asyncio.run(drive(base, meter, key, args))
    return BackendResult(backend, phases)


def cpu_model() -> str:
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def render(results: list[BackendResult], args: argparse.Namespace, load_before, load_after) -> str:
    def load(values) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    command = " ".join(["bench/load_service.py", *sys.argv[1:]])
    lines = [
        "### Latest run",
        "",
        f"- Command: `.venv/bin/python {command}`",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; shared with other jobs "
        f"(load average {load(load_before)} before the run, {load(load_after)} after)",
        f"- Each phase {args.seconds:g} s after a {args.warmup:g} s warm-up; PostgreSQL "
        f"{args.postgres.split('@')[-1]} on the same machine",
        "",
        "| Backend | Phase | Requests/s | p50 ms | p90 ms | p99 ms | max ms | Errors "
        "| Server CPU ms/request | Client CPU ms/request |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        for phase in result.phases:
            lines.append(
                f"| {result.backend} | {phase.name} | **{phase.rate:,.0f}** "
                f"| {phase.percentile_ms(0.5):.1f} | {phase.percentile_ms(0.9):.1f} "
                f"| **{phase.percentile_ms(0.99):.1f}** | {phase.percentile_ms(1.0):.1f} "
                f"| {phase.errors} | {phase.cpu_ms(phase.server_cpu):.2f} "
                f"| {'–' if phase.wrk is not None else f'{phase.cpu_ms(phase.client_cpu):.2f}'} |"
            )
    lines.append("")

    def verdict(ok: bool) -> str:
        met = "met" if ok else "missed"
        return f"target {met} (≥ {TARGET_RATE:g}/s with p99 < {TARGET_P99_MS:g} ms)"

    for result in results:
        target = result.phases[0]
        met = target.rate >= 0.98 * args.rate and target.percentile_ms(0.99) < TARGET_P99_MS
        lines.append(
            f"- {result.backend}: {target.rate:,.0f} requests/s answered at a {args.rate:g}/s "
            f"schedule by the Python client, p99 {target.percentile_ms(0.99):.1f} ms: "
            + verdict(met)
        )
        for phase in result.phases:
            if phase.wrk is not None:
                ok = phase.rate >= TARGET_RATE and phase.percentile_ms(0.99) < TARGET_P99_MS
                lines.append(
                    f"  - with wrk: {phase.rate:,.0f} requests/s sustained, p99 "
                    f"{phase.percentile_ms(0.99):.1f} ms: " + verdict(ok)
                )
        answered = sum(len(phase.latencies) for phase in result.phases if phase.wrk is None)
        flagged = sum(phase.flagged for phase in result.phases if phase.wrk is None)
        lines.append(f"  - {flagged / max(1, answered):.1%} of the items were flagged")
        failures = {str(k): n for k, n in result.phases[0].statuses.items() if k != 200}
        if failures:
            lines.append(f"  - errors by kind: {failures}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the closed loop")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="open-loop requests/s")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    parser.add_argument("--wrk-connections", type=int, default=4, help="connections of wrk")
    parser.add_argument(
        "--pg-workers", type=int, default=1, help="server processes on PostgreSQL (serve --workers)"
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--postgres", default=POSTGRES, help="PostgreSQL server URL (no database)")
    parser.add_argument(
        "--doc", type=Path, default=ROOT / "docs" / "performance.md", help="report to update"
    )
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")

    load_before = os.getloadavg()
    results = []
    for backend in backends:
        print(f"{backend}: warming up and measuring ({2 * args.seconds + args.warmup:g} s) ...")
        results.append(run_backend(backend, args))
    block = render(results, args, load_before, os.getloadavg())
    print()
    print(block)
    if not args.no_doc:
        replace_section(args.doc, START, END, block, "# Performance\n", DOC_HEADING)
        print(f"(written to {args.doc})")


if __name__ == "__main__":
    main()

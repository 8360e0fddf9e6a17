"""Run the installed ``interdiction`` console script as a user would, in a scratch directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

# Settings of the test runner's terminal that would change what the CLI prints.
_TERMINAL_ENV = ("COLUMNS", "LINES", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE")


def _executable() -> str | None:
    beside = Path(sys.executable).parent / "interdiction"
    return str(beside) if beside.exists() else shutil.which("interdiction")


@dataclass(repr=False)
class CliResult:
    args: list[str]
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    def records(self) -> list[dict]:
        return [orjson.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def __repr__(self) -> str:  # shown by pytest when an assertion on the result fails
        return f"$ {' '.join(self.args)}\nexit {self.returncode}\nstderr:\n{self.stderr}"


Cli = Callable[..., CliResult]


@pytest.fixture(scope="session")
def interdiction_exe() -> str:
    exe = _executable()
    if exe is None:
        pytest.skip("the interdiction console script is not installed")
    return exe


@pytest.fixture(scope="session")
def cli_in(interdiction_exe) -> Callable[..., CliResult]:
    """``cli_in(directory, "scan", "in.jsonl", stdin=b"...")``: run the CLI in ``directory``."""
    env = {k: v for k, v in os.environ.items() if k not in _TERMINAL_ENV}
    env["NO_COLOR"] = "1"

    def run(cwd: Path, *args: str, stdin: bytes | None = None, timeout: float = 120) -> CliResult:
        argv = [interdiction_exe, *map(str, args)]
        done = subprocess.run(
            argv,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=timeout,
            check=False,
        )
        return CliResult(
            ["interdiction", *map(str, args)],
            done.returncode,
            done.stdout,
            done.stderr.decode("utf-8", "replace"),
        )

    return run


@pytest.fixture
def cli(cli_in, tmp_path) -> Cli:
    """``cli("scan", "in.jsonl", "-o", "out.jsonl", stdin=b"...")``, run in ``tmp_path``."""

    def run(*args: str, stdin: bytes | None = None, timeout: float = 120) -> CliResult:
        return cli_in(tmp_path, *args, stdin=stdin, timeout=timeout)

    return run

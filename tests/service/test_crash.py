"""Crash safety: the server is killed (SIGKILL) while a client posts batches. After a restart every
item of an acknowledged batch is stored exactly once, the batch that was in flight is stored
whole or not at all, a retry of every batch creates nothing twice, and the audit chain holds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from interdiction.auth.policy import Role
from interdiction.review.schemas import UserIn
from interdiction.review.service import ReviewService
from interdiction.store.db import Database
from interdiction.store.models import Item

from .conftest import scratch_database

BATCH = 100
INTERDICTION = str(Path(sys.executable).with_name("interdiction"))  # the installed command
TEXTS = [
    "Vintage oak bookshelf, 5 shelves, pick up only",
    "Selling my road bike, 54cm frame, barely used, 350 EUR",
    "Anyone know a good plumber near the station?",
    "Pure fentanyl powder 10g for $200, telegram @crash_plug, ships fast",
    "Kids' winter jacket, size 116, worn twice",
]


@dataclass
class Server:
    """``interdiction serve`` in a process of its own."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    url: str = ""

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        command = [INTERDICTION, "serve", "--host", "127.0.0.1", "--port", str(port)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited at start:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        pytest.fail(f"the server did not answer within 60 s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown handlers, no flushing
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Poster:
    """Posts batches one after another until the server goes away; remembers which were
    acknowledged and which one was in flight."""

    url: str
    headers: dict[str, str]
    acknowledged: list[int] = field(default_factory=list)
    in_flight: int | None = None
    sending: threading.Event = field(default_factory=threading.Event)
    seconds_per_batch: list[float] = field(default_factory=list)

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers=self.headers, timeout=60) as client:
            for number in range(10_000):
                self.in_flight = number
                self.sending.set()
                started = time.monotonic()
                try:
                    response = client.post("/v1/items", json=batch(number))
                except httpx.TransportError:
                    return  # the server died with this batch unanswered
                self.sending.clear()
                assert response.status_code == 200, response.text
                self.seconds_per_batch.append(time.monotonic() - started)
                self.acknowledged.append(number)


def batch(number: int) -> dict:
    return {
        "items": [
            {
                "text": f"{TEXTS[n % len(TEXTS)]} #{number}-{n}",
                "source": "crash-test",
                "external_id": f"{number}-{n}",
            }
            for n in range(BATCH)
        ]
    }


@pytest.fixture
def crash_database(database_url, service_settings, tmp_path):
    """A fresh database of the session's backend, with an organisation and its admin's key."""
    with scratch_database(database_url, tmp_path, "crash") as url:
        settings = replace(service_settings, database_url=url, data_dir=tmp_path / "data")
        seeding = ReviewService(settings, Database.open(settings))
        org = seeding.bootstrap_organisation("crash", "Crash test")
        admin = seeding.bootstrap_user(org.id, UserIn(username="crash-admin", role=Role.ADMIN))
        key = seeding.bootstrap_api_key(org.id, admin.id, "poster")[1]
        seeding.db.close()
        yield url, {"Authorization": f"Bearer {key}"}


def stored_per_batch(url: str) -> dict[int, dict[str, int]]:
    """Batch number -> {external id: rows}."""
    database = Database(url)
    try:
        with database.session() as session:
            rows = session.execute(
                select(Item.external_id, func.count()).group_by(Item.external_id)
            ).all()
    finally:
        database.close()
    out: dict[int, dict[str, int]] = {}
    for external_id, count in rows:
        out.setdefault(int(external_id.split("-")[0]), {})[external_id] = count
    return out


def test_acknowledged_items_survive_a_kill_and_retries_never_duplicate(crash_database, tmp_path):
    url, headers = crash_database
    env = os.environ | {
        "INTERDICTION_DATABASE_URL": url,
        "INTERDICTION_DATA_DIR": str(tmp_path / "data"),
        "INTERDICTION_ARGON2_TIME_COST": "1",
        "INTERDICTION_ARGON2_MEMORY_KIB": "1024",
    }
    server = Server(env, tmp_path / "server.log")
    try:
        server.start()
        poster = Poster(server.url, headers)
        thread = threading.Thread(target=poster.run, daemon=True)
        thread.start()
        while len(poster.acknowledged) < 3:
            assert thread.is_alive(), "the poster stopped before the kill"
            time.sleep(0.01)
        # Kill in the middle of a batch: half its expected time after it was sent.
        assert poster.sending.wait(10)
        time.sleep(sorted(poster.seconds_per_batch)[len(poster.seconds_per_batch) // 2] / 2)
        server.kill()
        thread.join(60)
        assert not thread.is_alive()
        acknowledged, in_flight = list(poster.acknowledged), poster.in_flight
        assert in_flight not in acknowledged, "the kill came between batches"

        stored = stored_per_batch(url)
        for number in acknowledged:
            assert stored.get(number, {}) == {f"{number}-{n}": 1 for n in range(BATCH)}
        # One transaction per request: the batch in flight is all there or not at all.
        assert len(stored.get(in_flight, {})) in (0, BATCH)
        assert set(stored) <= {*acknowledged, in_flight}

        server.start()
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            for number in [*acknowledged, in_flight]:
                response = client.post("/v1/items", json=batch(number))
                assert response.status_code == 200, response.text
                created = [item["created"] for item in response.json()["items"]]
                if number in acknowledged or stored.get(in_flight):
                    assert not any(created), f"batch {number} was stored again"
            verified = client.get("/v1/audit/verify").json()
        assert verified["ok"], verified["problems"]
        stored = stored_per_batch(url)
        for number in [*acknowledged, in_flight]:
            assert stored[number] == {f"{number}-{n}": 1 for n in range(BATCH)}
    finally:
        server.stop()

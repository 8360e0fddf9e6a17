"""The service's command line on a scratch data directory (SQLite): the demo bootstrap, the
administration commands, audit verification against a tampered database, statement export,
start-up errors, and a real ``interdiction serve --demo`` process answering HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import time
from dataclasses import fields
from pathlib import Path

import httpx
import orjson
import pytest
from service.conftest import scratch_database
from typer.testing import CliRunner

from interdiction.auth.credentials import principal_of
from interdiction.auth.policy import GRANTS, Permission, Principal, Role
from interdiction.cli.main import app
from interdiction.review.demo import USERS, bootstrap_demo, sample_records
from interdiction.review.service import ItemFilter, ReviewService
from interdiction.settings import Settings
from interdiction.store.db import Database

PASSWORD = "correct horse battery"
FAST_HASHING = {"INTERDICTION_ARGON2_TIME_COST": "1", "INTERDICTION_ARGON2_MEMORY_KIB": "1024"}
KEY = re.compile(r"^idk_[0-9a-f]{12}_[A-Za-z0-9_-]+$")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh INTERDICTION_DATA_DIR for the command line (created by it on first use)."""
    directory = tmp_path / "data"
    for name in list(os.environ):
        if name.startswith("INTERDICTION_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERDICTION_DATA_DIR", str(directory))
    for name, value in FAST_HASHING.items():
        monkeypatch.setenv(name, value)
    return directory


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


@pytest.fixture
def service(data_dir, screener):
    settings = Settings.load()
    svc = ReviewService(settings, Database.open(settings), lambda: screener)
    yield svc
    svc.db.close()


def _principal(service: ReviewService, username: str) -> Principal:
    org = service.organisation_by_slug("demo")
    return principal_of(service.user_by_username(org.id, username), "test", is_person=True)


def test_demo_bootstrap_fills_the_queue_once(service, data_dir):
    first = bootstrap_demo(service, data_dir)
    records = sample_records()
    assert first.listings == first.stored == len(records)
    assert first.notices == sum("notice" in r for r in records) == 5
    assert first.decisions == sum("decision" in r for r in records) == 3
    assert first.queue >= 20

    password_file = data_dir / "demo-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert first.password == password_file.read_text().strip()
    assert len(first.password) >= 16
    for username in USERS:
        assert service.login(username, first.password, "test") is not None

    reviewer = _principal(service, "demo-reviewer")
    queue = service.queue(reviewer, limit=500)
    assert len(queue) == first.queue
    # The authority order first, then the trusted flaggers' notices (one names a post the
    # screener may miss: it is queued all the same), then the notice from the public.
    assert [i.priority for i in queue[:6]] == [0, 1, 1, 1, 2, 3]
    assert queue[0].external_id == "48620" and queue[4].external_id == "48533"
    assert {i.external_id for i in queue[1:4]} == {"51002", "p-9133", "c-77045"}
    assert [i.risk for i in queue[1:4]] == sorted((i.risk for i in queue[1:4]), reverse=True)
    cluster = [i for i in queue if i.text.startswith("Oxycodone 30mg M30 blues")]
    assert len(cluster) == 4 and len({i.cluster_key for i in cluster}) == 1

    again = bootstrap_demo(service, data_dir)
    assert (again.stored, again.notices, again.decisions) == (0, 0, 0)
    assert again.password == first.password and again.queue == first.queue
    analyst = _principal(service, "demo-analyst")
    assert service.search_items(analyst, ItemFilter(limit=500))[1] == len(records)
    assert len(service.list_notices(analyst, limit=500)) == 5
    assert len(service.list_decisions(analyst, limit=500)) == 3


def test_organisation_user_and_key_creation(data_dir, screener):
    created = invoke("org", "create", "acme", "Acme Marketplace")
    assert created.exit_code == 0, created.output
    assert "created organisation acme" in created.stdout
    assert invoke("org", "create", "acme", "Again").exit_code == 1
    bad_slug = invoke("org", "create", "Acme Market", "x")
    assert bad_slug.exit_code == 2 and "slug" in bad_slug.stderr

    made = invoke("user", "create", "--org", "acme", "alice", "--role", "admin",
                  "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "created user alice (admin)" in made.stdout
    taken = invoke("user", "create", "--org", "acme", "alice", "--role", "reviewer",
                   "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert taken.exit_code == 1 and "taken" in taken.stderr
    short = invoke("user", "create", "--org", "acme", "bob", "--role", "reviewer",
                   "--password-stdin", stdin="short")  # fmt: skip
    assert short.exit_code == 2 and "at least 10 characters" in short.stderr
    no_terminal = invoke("user", "create", "--org", "acme", "bob", "--role", "reviewer")
    assert no_terminal.exit_code == 2 and "--password-stdin" in no_terminal.stderr
    no_org = invoke("user", "create", "--org", "nope", "bob", "--role", "reviewer",
                    "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert no_org.exit_code == 1 and "no organisation 'nope'" in no_org.stderr
    bad_role = invoke("user", "create", "--org", "acme", "bob", "--role", "boss")
    assert bad_role.exit_code == 2

    key = invoke("key", "create", "--org", "acme", "--user", "alice", "listing pipeline")
    assert key.exit_code == 0, key.output
    secret = key.stdout.strip()
    assert KEY.match(secret), key.stdout
    assert "shown once" in key.stderr
    assert invoke("key", "create", "--org", "acme", "--user", "carol", "x").exit_code == 1

    settings = Settings.load()
    service = ReviewService(settings, Database.open(settings), lambda: screener)
    try:
        principal = service.authenticate_key(secret)
        assert principal is not None
        assert (principal.username, principal.role) == ("alice", Role.ADMIN)
        assert service.login("alice", PASSWORD, "test") is not None
    finally:
        service.db.close()


def test_audit_verify_finds_an_edited_and_a_deleted_event(data_dir):
    assert invoke("org", "create", "acme", "Acme").exit_code == 0
    for name in ("alice", "bob"):
        made = invoke("user", "create", "--org", "acme", name, "--role", "reviewer",
                      "--password-stdin", stdin=PASSWORD)  # fmt: skip
        assert made.exit_code == 0, made.output
    intact = invoke("audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert re.fullmatch(r"3 events, chain intact, head [0-9a-f]{64}\n", intact.stdout)

    # Someone with write access to the file removes the append-only guard and rewrites history.
    with sqlite3.connect(data_dir / "interdiction.db") as db:
        db.execute("DROP TRIGGER audit_events_no_update")
        db.execute("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2")
    edited = invoke("audit", "verify")
    assert edited.exit_code == 1
    assert "chain BROKEN" in edited.stdout
    assert "event 2 (user.create) was changed after it was written" in edited.stdout

    with sqlite3.connect(data_dir / "interdiction.db") as db:
        db.execute("DROP TRIGGER audit_events_no_delete")
        db.execute("UPDATE audit_events SET actor = 'cli' WHERE seq = 2")  # undo the edit
        db.execute("DELETE FROM audit_events WHERE seq = 3")
    truncated = invoke("audit", "verify")
    assert truncated.exit_code == 1
    assert "event 2 (user.create) was changed" not in truncated.stdout
    assert "the chain ends at event 2 but the head records event 3" in truncated.stdout


def test_statement_export(service, data_dir, tmp_path):
    bootstrap_demo(service, data_dir)  # two removals among the demo's decisions
    out = tmp_path / "statements.jsonl"
    exported = invoke("sor", "export", "--org", "demo", "--out", str(out), "--since", "2020-01-01")
    assert exported.exit_code == 0, exported.output
    (batch,) = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(batch["statements"]) == 2
    assert {s["category"] for s in batch["statements"]} == {
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
    }

    marked = invoke("sor", "export", "--org", "demo", "--out", str(out), "--mark-exported")
    assert marked.exit_code == 0, marked.output
    assert "2 decisions marked exported" in marked.stdout
    again = invoke("sor", "export", "--org", "demo", "--out", str(out))
    assert again.exit_code == 0 and "wrote 0 statements" in again.stdout
    assert out.read_bytes() == b""

    missing_dir = invoke("sor", "export", "--org", "demo", "--out", str(tmp_path / "no" / "x"))
    assert missing_dir.exit_code == 2 and "cannot write" in missing_dir.stderr
    bad_date = invoke("sor", "export", "--org", "demo", "--out", str(out), "--since", "soon")
    assert bad_date.exit_code == 2


def test_db_upgrade_applies_migrations_once(data_dir):
    first = invoke("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "upgraded from empty" in first.stdout
    second = invoke("db", "upgrade")
    assert second.exit_code == 0 and "(up to date)" in second.stdout
    assert (data_dir / "interdiction.db").is_file()


def test_serve_refuses_a_port_in_use(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("INTERDICTION_CLAIM_MINUTES", "soon", "INTERDICTION_CLAIM_MINUTES"),
        ("INTERDICTION_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none",
         "cannot open the database"),
        ("INTERDICTION_DATABASE_URL", "not a url", "INTERDICTION_DATABASE_URL"),
    ],
)  # fmt: skip
def test_serve_names_unusable_settings(data_dir, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    result = invoke("serve", "--port", "0")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_demo_server(
    interdiction_exe: str, tmp_path: Path, *options: str, **env_settings: str
) -> tuple[subprocess.Popen, str, httpx.Response]:
    """``interdiction serve --demo`` on a free port with a scratch data directory, once it
    answers: (the process, its base URL, its /v1/health answer)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERDICTION_")}
    env |= FAST_HASHING | {"INTERDICTION_DATA_DIR": str(tmp_path / "data")} | env_settings
    port = _free_port()
    server = subprocess.Popen(
        [interdiction_exe, "serve", "--demo", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, server.communicate()[0].decode()
        try:
            return server, base, httpx.get(f"{base}/v1/health", timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the service did not start in 120 s")
            time.sleep(0.25)


def test_serve_demo_answers_http(interdiction_exe, tmp_path):
    server, base, health = _start_demo_server(interdiction_exe, tmp_path)
    try:
        assert health.json() == {"status": "ok", "database": True}
        login_page = httpx.get(f"{base}/login")
        assert login_page.status_code == 200 and 'name="password"' in login_page.text
        password = (tmp_path / "data" / "demo-password").read_text().strip()
        login = httpx.post(
            f"{base}/login", data={"username": "demo-reviewer", "password": password}
        )
        assert login.status_code == 303 and "interdiction_session" in login.cookies
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 130, output  # stopped by Ctrl+C, after a clean shutdown
    assert f"Open      {base}/" in output
    assert f"demo-reviewer   password {password}" in output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output


DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def test_docs_roles_table_matches_the_policy():
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].startswith("`") and cells[0].strip("`") in set(Permission):
            rows[Permission(cells[0].strip("`"))] = {
                role for role, cell in zip(Role, cells[1:], strict=True) if cell == "✓"
            }
    assert rows == {p: {r for r in Role if p in GRANTS[r]} for p in Permission}


def test_docs_name_every_setting():
    text = DOCS.read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if f"`INTERDICTION_{f.name.upper()}`" not in text]
    assert not missing


def test_model_learns_from_reviewer_decisions(service, data_dir, tmp_path):
    bootstrap_demo(service, data_dir)  # the demo sample carries three reviewer decisions
    rows = [
        {"text": f"{drug} {n}g for sale, stealth shipping, wickr me", "label": "offer"}
        for n, drug in enumerate(["mdma", "ketamine", "cocaine", "heroin", "meth"] * 4, 1)
    ] + [
        {"text": f"{thing} {n} pack, free delivery over 20 euro", "label": "none"}
        for n, thing in enumerate(["socks", "tea", "pens", "soap", "rice"] * 4, 1)
    ]
    data = tmp_path / "labelled.jsonl"
    data.write_bytes(b"\n".join(orjson.dumps(r) for r in rows))
    out = tmp_path / "model.npz"

    result = invoke("model", "train", "--data", str(data), "--from-decisions", "demo",
                    "--out", str(out))  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "3 reviewer decisions of 'demo'" in result.output
    card = orjson.loads(out.with_suffix(".card.json").read_bytes())
    reviewed = [f for f in card["data"] if f["path"].startswith("store:")]
    assert reviewed and reviewed[0]["rows"] == 3
    assert reviewed[0]["labels"] == {"offer": 2, "not-offer": 1}


def test_model_training_needs_data(data_dir, tmp_path):
    result = invoke("model", "train", "--out", str(tmp_path / "m.npz"))
    assert result.exit_code == 2
    assert "--from-decisions" in result.output
    result = invoke(
        "model", "train", "--from-decisions", "nobody", "--out", str(tmp_path / "m.npz")
    )
    assert result.exit_code != 0
    assert "nobody" in result.output


def test_several_workers_need_postgresql(data_dir):
    result = invoke("serve", "--workers", "2", "--port", "0")
    assert result.exit_code == 2
    assert "PostgreSQL" in result.output


@pytest.mark.skipif(
    os.environ.get("INTERDICTION_TEST_POSTGRES") == "off", reason="PostgreSQL switched off"
)
def test_two_workers_on_postgresql_share_the_port_and_the_store(interdiction_exe, tmp_path):
    with scratch_database("postgresql", tmp_path, "workers") as url:
        _serve_two_workers(interdiction_exe, tmp_path, url)


def _serve_two_workers(interdiction_exe: str, tmp_path: Path, url: str) -> None:
    server, base, _ = _start_demo_server(
        interdiction_exe, tmp_path, "--workers", "2", INTERDICTION_DATABASE_URL=url
    )
    try:
        password = (tmp_path / "data" / "demo-password").read_text().strip()
        # Logins land on either process; the session made by one is good in the other.
        with httpx.Client(base_url=base) as browser:
            login = browser.post("/login", data={"username": "demo-reviewer", "password": password})
            assert login.status_code in (200, 303)
            pages = [browser.get("/queue", follow_redirects=False) for _ in range(6)]
        assert all(page.status_code == 200 for page in pages)
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=60)[0].decode()
    assert output.count("Application startup complete") == 2, output
    assert "Traceback" not in output

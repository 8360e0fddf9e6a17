"""Service fixtures: every test here runs on SQLite and on PostgreSQL.

PostgreSQL is the machine's server (``INTERDICTION_TEST_POSTGRES``, default
``postgresql+psycopg://postgres@127.0.0.1:5432``); each run creates its own database and drops it
at the end. Set ``INTERDICTION_TEST_POSTGRES=off`` to run on SQLite only (the run then says so).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from interdiction.auth.policy import Role
from interdiction.review.schemas import UserIn
from interdiction.review.service import ReviewService
from interdiction.server import create_app
from interdiction.settings import Settings
from interdiction.store.db import Database

POSTGRES = os.environ.get(
    "INTERDICTION_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
BACKENDS = ["sqlite"] + ([] if POSTGRES == "off" else ["postgresql"])
PASSWORD = "correct horse battery"


def _admin_dsn() -> str:
    return POSTGRES.replace("postgresql+psycopg://", "postgresql://") + "/postgres"


@contextmanager
def scratch_database(backend: str, directory: Path, label: str = "test") -> Iterator[str]:
    """The URL of a new, empty database of ``backend`` ("sqlite" or "postgresql"), dropped
    afterwards (a SQLite file in ``directory``)."""
    if backend.startswith("sqlite"):
        yield f"sqlite:///{directory / f'{label}.db'}"
        return
    name = f"interdiction_{label}_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES} is not reachable ({exc}); "
            "set INTERDICTION_TEST_POSTGRES=off to test on SQLite only"
        )
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    with scratch_database(request.param, tmp_path_factory.mktemp("store")) as url:
        yield url


@pytest.fixture(scope="session")
def service_settings(database_url, tmp_path_factory) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )


@pytest.fixture(scope="session")
def service(service_settings, screener) -> ReviewService:
    svc = ReviewService(service_settings, Database.open(service_settings), lambda: screener)
    yield svc
    svc.db.close()


@pytest.fixture(scope="session")
def app(service_settings, service):
    return create_app(service_settings, service)


@dataclass
class Org:
    """An organisation with one user and one API key per role."""

    id: str
    slug: str
    users: dict[Role, str] = field(default_factory=dict)  # role -> user id
    usernames: dict[Role, str] = field(default_factory=dict)
    keys: dict[Role, str] = field(default_factory=dict)  # role -> API key

    def headers(self, role: Role = Role.ADMIN) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_org(service: ReviewService, label: str) -> Org:
    slug = f"{label}-{secrets.token_hex(4)}"
    org = service.bootstrap_organisation(slug, f"Organisation {label}")
    out = Org(id=org.id, slug=slug)
    for role in Role:
        username = f"{slug}-{role}"
        user = service.bootstrap_user(
            org.id, UserIn(username=username, role=role, password=PASSWORD)
        )
        out.users[role] = user.id
        out.usernames[role] = username
        out.keys[role] = service.bootstrap_api_key(org.id, user.id, f"{role} key")[1]
    return out


@pytest.fixture
def org_a(service) -> Org:
    return make_org(service, "a")


@pytest.fixture
def org_b(service) -> Org:
    return make_org(service, "b")


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client

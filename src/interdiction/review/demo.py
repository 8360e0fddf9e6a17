"""The demo organisation: one user per role, the bundled sample of listings screened through the
review service, notices from a trusted flagger and an authority, and a few decisions, so that a
fresh data directory shows a real queue, item pages, an audit trail and a dashboard.

Running it again changes nothing: users and notices are looked up before they are created, and
items are stored idempotently on (source, external id)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson

from interdiction.auth.policy import NotFound, Principal, Role
from interdiction.review.schemas import DecisionIn, ItemIn, NoticeIn, UserIn
from interdiction.review.service import Conflict, ReviewService
from interdiction.store.models import Organisation, User

ORGANISATION = "demo"
USERS = {f"demo-{role}": role for role in Role}
SAMPLE = "samples/service_listings.jsonl"
PASSWORD_FILE = "demo-password"
# How the bootstrap's own actions appear in the audit trail ("demo-analyst (demo)").
VIA = "demo"


@dataclass(frozen=True)
class DemoResult:
    organisation: str
    password: str | None  # None: the users exist but the password file is gone
    password_file: Path
    listings: int  # in the sample
    stored: int  # stored by this run (0 on every run after the first)
    notices: int  # sent by this run
    decisions: int  # made by this run
    queue: int  # waiting for review now


def sample_records() -> list[dict[str, Any]]:
    data = files("interdiction").joinpath(SAMPLE).read_bytes()
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


def bootstrap_demo(service: ReviewService, data_dir: Path) -> DemoResult:
    org = _organisation(service)
    password_file = data_dir / PASSWORD_FILE
    principals: dict[Role, Principal] = {}
    password = _read_password(password_file)
    for username, role in USERS.items():
        try:
            user = service.user_by_username(org.id, username)
        except NotFound:
            password = password or _create_password(password_file)
            user = service.bootstrap_user(
                org.id, UserIn(username=username, role=role, password=password)
            )
        principals[role] = _principal(user)

    records = sample_records()
    submitted = service.submit_items(
        principals[Role.ANALYST],
        [
            ItemIn(**{k: v for k, v in r.items() if k not in ("notice", "decision")})
            for r in records
        ],
    )
    notices = _send_notices(service, principals[Role.FLAGGER], records)
    decisions = 0
    for record, result in zip(records, submitted, strict=True):
        if "decision" in record and _undecided(service, principals[Role.REVIEWER], result.item.id):
            try:
                service.decide(
                    principals[Role.REVIEWER], result.item.id, DecisionIn(**record["decision"])
                )
                decisions += 1
            except Conflict:
                pass  # a person holds or decided it meanwhile: theirs is the decision that counts
    return DemoResult(
        organisation=org.slug,
        password=password,
        password_file=password_file,
        listings=len(records),
        stored=sum(r.created for r in submitted),
        notices=notices,
        decisions=decisions,
        queue=service.stats(principals[Role.REVIEWER], days=1).queue,
    )


def _organisation(service: ReviewService) -> Organisation:
    try:
        return service.organisation_by_slug(ORGANISATION)
    except NotFound:
        pass
    try:
        return service.bootstrap_organisation(ORGANISATION, "Demo marketplace")
    except Conflict:  # another process created it between the two calls
        return service.organisation_by_slug(ORGANISATION)


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id, username=user.username, org_id=user.org_id, role=Role(user.role), via=VIA
    )


def _read_password(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _create_password(path: Path) -> str:
    """Generated once and kept beside the database, readable by its owner only: the demo never
    ships a password everyone knows."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    password = secrets.token_urlsafe(12)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_password(path) or password
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return password


def _send_notices(service: ReviewService, flagger: Principal, records: list[dict]) -> int:
    sent = {(n.kind, n.source, n.external_id) for n in service.list_notices(flagger, limit=500)}
    count = 0
    for record in records:
        notice = record.get("notice")
        if notice is None or (notice["kind"], record["source"], record["external_id"]) in sent:
            continue
        service.submit_notice(
            flagger,
            NoticeIn(
                url=record["url"],
                source=record["source"],
                external_id=record["external_id"],
                **notice,
            ),
        )
        count += 1
    return count


def _undecided(service: ReviewService, reviewer: Principal, item_id: str) -> bool:
    return not service.list_decisions(reviewer, limit=1, item_id=item_id)

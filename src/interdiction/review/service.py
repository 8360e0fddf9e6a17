"""The review capability: items in (screened, stored, idempotent), notices, the priority queue
with claims and deadlines, decisions (one item or a cluster), search, statistics.

Every public method takes the ``Principal`` asking and checks it through
``interdiction.auth.policy`` before touching data; queries go through ``owned``/``get_owned``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interdiction.auth.credentials import Credentials, principal_of, sha256
from interdiction.auth.policy import (
    Forbidden,
    NotFound,
    Permission,
    Principal,
    Role,
    get_owned,
    owned,
    require,
)
from interdiction.pipeline.output import RecordBuilder
from interdiction.pipeline.screen import Screener
from interdiction.review.schemas import (
    RESTRICTING,
    Action,
    ApiKeyIn,
    DecisionIn,
    ItemIn,
    NoticeIn,
    NoticeKind,
    UserIn,
)
from interdiction.settings import Settings
from interdiction.store import audit
from interdiction.store.db import Database
from interdiction.store.models import (
    ApiKey,
    Assessment,
    AuditEvent,
    Decision,
    Detection,
    Entity,
    Item,
    ItemEntity,
    ItemSubstance,
    Notice,
    Organisation,
    User,
    new_id,
    utcnow,
)


class Conflict(RuntimeError):
    """The request clashes with the current state (e.g. another reviewer holds the claim)."""


class Invalid(ValueError):
    """The request is well-formed but cannot be done (e.g. unknown user for a key)."""


# Why an item is in the queue decides its place (0 first): DSA Art. 9 orders, then Art. 22
# trusted flaggers, then Art. 16 notices, then what the screener flagged on its own.
PRIORITY = {
    NoticeKind.AUTHORITY_ORDER: 0,
    NoticeKind.TRUSTED_FLAGGER: 1,
    NoticeKind.NOTICE: 2,
    "flagged": 3,
}
NOT_QUEUED = 9
SOURCE_TYPE = {
    NoticeKind.AUTHORITY_ORDER: "order",
    NoticeKind.TRUSTED_FLAGGER: "trusted_flagger",
    NoticeKind.NOTICE: "notice",
}
KEY_USE_AUDIT_INTERVAL = timedelta(hours=1)
KEY_TRUST_SECONDS = 5.0
LOGIN_FAILURES_ALLOWED = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
T = TypeVar("T")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cluster_key(text: str) -> str:
    """Near-identical listings share this key: same words once case, accents, digits (prices,
    quantities), punctuation and spacing are set aside."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _DIGITS.sub("0", folded)
    return hashlib.sha1(" ".join(_NON_WORD.sub(" ", folded).split()).encode()).hexdigest()


def dedup_key(item: ItemIn) -> str:
    if item.external_id:
        key = f"ext:{item.source}:{item.external_id}"
        # The column holds 300 characters; the longest ids are kept by their hash.
        return key if len(key) <= 300 else f"ext-sha256:{item.source}:{content_hash(key)}"
    return f"sha256:{item.source}:{content_hash(item.text)}"


@dataclass
class Submitted:
    item: Item
    created: bool
    assessment: Assessment | None


@dataclass
class ItemFilter:
    label: str | None = None
    flagged: bool | None = None
    status: str | None = None
    min_risk: float | None = None
    substance: str | None = None
    identifier: str | None = None  # entity value (type optional as "type:value")
    source: str | None = None
    text: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


@dataclass
class ItemView:
    """An item with everything a reviewer needs on one page."""

    item: Item
    assessment: Assessment | None
    entities: list[Entity]
    linked: list[tuple[Item, list[str]]]  # items sharing an identifier, and which
    decisions: list[Decision]
    notices: list[Notice]
    cluster_size: int


@dataclass
class Stats:
    items_by_day: list[tuple[str, int, int]] = field(default_factory=list)  # day, all, flagged
    decisions_by_day: list[tuple[str, str, int]] = field(default_factory=list)  # day, action, n
    by_label: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_substance: list[tuple[str, int]] = field(default_factory=list)
    by_action: dict[str, int] = field(default_factory=dict)
    # (day, label | source | substance id, items): the dashboard's charts over time.
    items_by_day_label: list[tuple[str, str, int]] = field(default_factory=list)
    items_by_day_source: list[tuple[str, str, int]] = field(default_factory=list)
    items_by_day_substance: list[tuple[str, str, int]] = field(default_factory=list)
    queue: int = 0
    overdue: int = 0


def configured_screener(settings: Settings) -> Screener:
    """The rules with the configured learned model (see ``Settings.model``)."""
    from interdiction.learn.model import ModelFileError
    from interdiction.learn.scorer import use_model

    screener = Screener.create(threshold=settings.threshold)
    if settings.model == "none":
        return screener
    try:
        return use_model(screener, None if settings.model == "default" else Path(settings.model))
    except ModelFileError as exc:
        raise Invalid(f"INTERDICTION_MODEL: {exc}") from exc


class ReviewService:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        screener_factory: Callable[[], Screener] | None = None,
    ):
        self.settings = settings
        self.db = database
        self.credentials = Credentials(settings)
        self._screener_factory = screener_factory or (lambda: configured_screener(settings))
        self._screener: Screener | None = None
        self._builder: RecordBuilder | None = None
        # Hyperscan scratch space is per caller: screening runs one batch at a time.
        self._screen_lock = threading.Lock()
        # SQLite has one writer; taking turns here avoids "database is locked" retries.
        self.write_lock = threading.Lock()
        # Recent failed logins per username (this process): slows down password guessing.
        self._login_failures: dict[str, deque[datetime]] = {}
        # API keys found good recently: sha256(key) -> (trusted until, principal).
        self._trusted_keys: dict[str, tuple[float, Principal]] = {}
        self._key_changes = 0  # counts revocations and deactivations (authenticate_key)
        # Intake writes waiting to be committed together (_write_together).
        self._write_queue: list[tuple[Callable[[Session], Any], Future]] = []
        self._write_queue_lock = threading.Lock()

    # ------------------------------------------------------------------ screening
    @property
    def screener(self) -> Screener:
        if self._screener is None:  # built once; after that no lock is taken here
            with self._screen_lock:
                if self._screener is None:
                    screener = self._screener_factory()
                    self._builder = RecordBuilder(screener.kb)
                    self._screener = screener
        return self._screener

    def _screen(self, texts: list[str]) -> list[dict[str, Any]]:
        screener = self.screener
        with self._screen_lock:  # only the scan needs it: the records are built outside
            assessments = screener.screen(texts)
        return [self._builder.record("", a) | {"model": a.model} for a in assessments]

    # ------------------------------------------------------------------ organisations & users
    def bootstrap_organisation(self, slug: str, name: str) -> Organisation:
        """Create an organisation (command-line administration, no principal)."""
        with self.db.session() as session, self.write_lock:
            org = Organisation(slug=slug, name=name)
            session.add(org)
            try:  # the unique slug is checked when the row is written, i.e. at flush
                session.flush()
            except IntegrityError as exc:
                raise Conflict(f"organisation {slug!r} exists") from exc
            audit.record(
                session,
                actor="cli",
                action="organisation.create",
                org_id=org.id,
                object_type="organisation",
                object_id=org.id,
                details={"slug": slug},
            )
            session.commit()
            return org

    def organisation_by_slug(self, slug: str) -> Organisation:
        with self.db.session() as session:
            org = session.execute(
                select(Organisation).where(Organisation.slug == slug)
            ).scalar_one_or_none()
            if org is None:
                raise NotFound(f"no organisation {slug!r}")
            return org

    def user_by_username(self, org_id: str, username: str) -> User:
        """Command-line administration (no principal): a user of this organisation."""
        with self.db.session() as session:
            user = session.execute(
                select(User).where(User.org_id == org_id, User.username == username)
            ).scalar_one_or_none()
            if user is None:
                raise NotFound(f"no user {username!r} in this organisation")
            return user

    def bootstrap_user(self, org_id: str, data: UserIn) -> User:
        """Create a user without a principal (first admin, demo); audited as the command line."""
        return self._add_user(org_id, data, actor="cli")

    def create_user(self, principal: Principal, data: UserIn) -> User:
        require(principal, Permission.MANAGE_USERS)
        return self._add_user(principal.org_id, data, actor=principal.actor)

    def _add_user(self, org_id: str, data: UserIn, actor: str) -> User:
        password_hash = self.credentials.hash_password(data.password) if data.password else None
        with self.db.session() as session, self.write_lock:
            user = User(
                org_id=org_id,
                username=data.username,
                display_name=data.display_name or data.username,
                email=data.email,
                role=str(data.role),
                password_hash=password_hash,
            )
            session.add(user)
            try:  # the unique username is checked when the row is written, i.e. at flush
                session.flush()
            except IntegrityError as exc:
                raise Conflict(f"username {data.username!r} is taken") from exc
            audit.record(
                session,
                actor=actor,
                action="user.create",
                org_id=org_id,
                object_type="user",
                object_id=user.id,
                details={"username": data.username, "role": str(data.role)},
            )
            session.commit()
            return user

    def list_users(self, principal: Principal) -> list[User]:
        require(principal, Permission.MANAGE_USERS)
        with self.db.session() as session:
            stmt = owned(select(User), User, principal).order_by(User.username)
            return list(session.execute(stmt).scalars())

    def get_user(self, principal: Principal, user_id: str) -> User:
        require(principal, Permission.MANAGE_USERS)
        with self.db.session() as session:
            return get_owned(session, User, user_id, principal)

    def set_user_active(self, principal: Principal, user_id: str, active: bool) -> User:
        require(principal, Permission.MANAGE_USERS)
        with self.db.session() as session, self.write_lock:
            user = get_owned(session, User, user_id, principal)
            if user.id == principal.user_id and not active:
                raise Invalid("you cannot deactivate yourself")
            user.active = active
            audit.record(
                session,
                actor=principal.actor,
                action="user.activate" if active else "user.deactivate",
                org_id=principal.org_id,
                object_type="user",
                object_id=user.id,
            )
            session.commit()
            self._forget_trusted_keys()
            return user

    def create_api_key(self, principal: Principal, data: ApiKeyIn) -> tuple[ApiKey, str]:
        require(principal, Permission.MANAGE_USERS)
        return self._new_key(
            principal.org_id, data.user_id or principal.user_id, data.name, principal.actor
        )

    def bootstrap_api_key(self, org_id: str, user_id: str, name: str) -> tuple[ApiKey, str]:
        return self._new_key(org_id, user_id, name, "cli")

    def _new_key(self, org_id: str, user_id: str, name: str, actor: str) -> tuple[ApiKey, str]:
        with self.db.session() as session, self.write_lock:
            user = session.get(User, user_id)
            if user is None or user.org_id != org_id:
                raise NotFound(f"no user {user_id}")
            key, secret = self.credentials.new_api_key(session, user, name)
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="api_key.create",
                org_id=org_id,
                object_type="api_key",
                object_id=key.id,
                details={"name": name, "prefix": key.prefix, "user": user.username},
            )
            session.commit()
            return key, secret

    def list_api_keys(self, principal: Principal) -> list[ApiKey]:
        require(principal, Permission.MANAGE_USERS)
        with self.db.session() as session:
            stmt = owned(select(ApiKey), ApiKey, principal).order_by(ApiKey.created_at)
            return list(session.execute(stmt).scalars())

    def revoke_api_key(self, principal: Principal, key_id: str) -> ApiKey:
        require(principal, Permission.MANAGE_USERS)
        with self.db.session() as session, self.write_lock:
            key = get_owned(session, ApiKey, key_id, principal)
            if key.revoked_at is None:
                key.revoked_at = utcnow()
                audit.record(
                    session,
                    actor=principal.actor,
                    action="api_key.revoke",
                    org_id=principal.org_id,
                    object_type="api_key",
                    object_id=key.id,
                )
                session.commit()
                self._forget_trusted_keys()
            return key

    # ------------------------------------------------------------------ authentication
    def authenticate_key(self, presented: str) -> Principal | None:
        """The principal of a live API key. A key found good is trusted for KEY_TRUST_SECONDS
        without asking the database (the lookup was a quarter of an intake request's CPU).
        Revoking a key or deactivating a user through this service forgets every trusted key
        at once; done by another process (the command line) it takes effect within
        KEY_TRUST_SECONDS."""
        digest = sha256(presented)
        trusted = self._trusted_keys.get(digest)
        if trusted is not None and trusted[0] > time.monotonic():
            return trusted[1]
        changes = self._key_changes
        principal = self._check_key(presented)
        # Not trusted if a revocation or deactivation happened while the database was asked.
        if principal is not None and changes == self._key_changes:
            if len(self._trusted_keys) >= 10_000:  # expired entries of many keys: start afresh
                self._trusted_keys.clear()
            self._trusted_keys[digest] = (time.monotonic() + KEY_TRUST_SECONDS, principal)
        return principal

    def _forget_trusted_keys(self) -> None:
        self._key_changes += 1
        self._trusted_keys.clear()

    def _check_key(self, presented: str) -> Principal | None:
        with self.db.session() as session:
            key = self.credentials.check_api_key(session, presented)
            if key is None:
                return None
            now = utcnow()
            # Key use is audited once per key per hour (with the time of use), not per request:
            # the chain would otherwise grow by every API call.
            if key.last_used_at is None or now - key.last_used_at > KEY_USE_AUDIT_INTERVAL:
                with self.write_lock:
                    key.last_used_at = now
                    audit.record(
                        session,
                        actor=f"{key.user.username} (key:{key.prefix})",
                        action="api_key.use",
                        org_id=key.org_id,
                        object_type="api_key",
                        object_id=key.id,
                    )
                    session.commit()
            return principal_of(key.user, f"key:{key.prefix}", is_person=False)

    def login(self, username: str, password: str, client: str | None) -> str | None:
        """A session token for a correct password; every attempt is audited. After
        ``LOGIN_FAILURES_ALLOWED`` failures for a username within ``LOGIN_FAILURE_WINDOW``,
        further attempts are refused until the window has passed (password guessing)."""
        now = utcnow()
        with self.db.session() as session:
            failures = self._login_failures.setdefault(username, deque())
            while failures and now - failures[0] > LOGIN_FAILURE_WINDOW:
                failures.popleft()
            throttled = len(failures) >= LOGIN_FAILURES_ALLOWED
            user = (
                None if throttled else self.credentials.check_password(session, username, password)
            )
            if user is None:
                failures.append(now)
            else:
                self._login_failures.pop(username, None)
            with self.write_lock:
                token = self.credentials.new_session(session, user) if user else None
                audit.record(
                    session,
                    actor=username[:100],
                    action="login.success"
                    if user
                    else ("login.throttled" if throttled else "login.failure"),
                    # A failure on an existing username is its organisation's to see.
                    org_id=user.org_id if user else self._org_of_username(session, username),
                    object_type="user",
                    object_id=user.id if user else None,
                    details={"client": client},
                )
                session.commit()
            return token

    @staticmethod
    def _org_of_username(session: Session, username: str) -> str | None:
        return session.execute(
            select(User.org_id).where(User.username == username)
        ).scalar_one_or_none()

    def authenticate_session(self, token: str) -> Principal | None:
        with self.db.session() as session:
            login = self.credentials.check_session(session, token)
            return principal_of(login.user, "session", is_person=True) if login else None

    def logout(self, token: str) -> None:
        with self.db.session() as session, self.write_lock:
            login = self.credentials.check_session(session, token)
            if login is not None:
                login.revoked_at = utcnow()
                audit.record(
                    session,
                    actor=login.user.username,
                    action="logout",
                    org_id=login.user.org_id,
                    object_type="user",
                    object_id=login.user_id,
                )
                session.commit()

    # ------------------------------------------------------------------ items
    def submit_items(self, principal: Principal, items: Sequence[ItemIn]) -> list[Submitted]:
        """Screen and store; an item already stored (same source + external id, or same text
        from the same source) is returned as it is, so a retried batch never duplicates."""
        require(principal, Permission.SUBMIT_ITEMS)
        keys = [dedup_key(i) for i in items]
        for _attempt in range(3):
            try:
                return self._submit(principal, items, keys)
            except IntegrityError:
                continue  # another request stored one of these in between: read it back
        raise Conflict("the items were being stored concurrently; retry the request")

    def _submit(
        self, principal: Principal, items: Sequence[ItemIn], keys: list[str]
    ) -> list[Submitted]:
        with self.db.session() as session:
            existing = self._existing(session, principal.org_id, keys)
        new_positions: dict[str, int] = {}
        for position, key in enumerate(keys):
            if key not in existing and key not in new_positions:
                new_positions[key] = position
        records = self._screen([items[p].text for p in new_positions.values()])

        def store(session: Session) -> dict[str, tuple[Item, Assessment]]:
            return {
                key: self._store_item(session, principal, items[position], key, record)
                for (key, position), record in zip(new_positions.items(), records, strict=True)
            }

        created = self._write_together(store) if new_positions else {}
        out = []
        seen: set[str] = set()
        for key in keys:
            if key in created:
                item, assessment = created[key]
                out.append(Submitted(item, key not in seen, assessment))
            else:
                item = existing[key]
                out.append(
                    Submitted(item, False, item.assessments[-1] if item.assessments else None)
                )
            seen.add(key)
        return out

    def _write_together(self, job: Callable[[Session], T]) -> T:
        """Run ``job`` in one transaction with the jobs of concurrent callers, committed once
        (group commit). On SQLite a commit waits for an fsync (about 3 ms on this project's
        machine, more than the rest of an intake request), so one commit per request caps
        intake; the callers that queue up while a commit is on its way share the next one. The
        first caller to get the write lock writes everything queued; the others find their job
        done when they get it."""
        done: Future = Future()
        with self._write_queue_lock:
            self._write_queue.append((job, done))
        with self.write_lock:
            if not done.done():
                with self._write_queue_lock:
                    group, self._write_queue = self._write_queue, []
                self._write_group(group)
        return done.result()

    def _write_group(self, group: list[tuple[Callable[[Session], Any], Future]]) -> None:
        with self.db.session() as session:
            try:
                results = [job(session) for job, _ in group]
                session.commit()
            except Exception as exc:
                session.rollback()
                if len(group) == 1:
                    group[0][1].set_exception(exc)
                    return
                results = None  # one job spoilt the transaction: each is written alone below
        if results is None:
            for one in group:
                self._write_group([one])
            return
        for (_, done), result in zip(group, results, strict=True):
            done.set_result(result)

    @staticmethod
    def _existing(session: Session, org_id: str, keys: list[str]) -> dict[str, Item]:
        # Most intake is new: look for the keys alone, load whole items only for those found.
        found = (
            session.execute(
                select(Item.id).where(Item.org_id == org_id, Item.dedup_key.in_(set(keys)))
            )
            .scalars()
            .all()
        )
        if not found:
            return {}
        items = session.execute(select(Item).where(Item.id.in_(found))).scalars()
        return {item.dedup_key: item for item in items}

    def _store_item(
        self, session: Session, principal: Principal, data: ItemIn, key: str, record: dict
    ) -> tuple[Item, Assessment]:
        now = utcnow()
        flagged = bool(record["flagged"])
        # Ids are made here, not at flush, so that all rows of an item go in one flush.
        item = Item(
            id=new_id(),
            org_id=principal.org_id,
            dedup_key=key,
            source=data.source,
            external_id=data.external_id,
            url=str(data.url) if data.url else None,
            account=data.account,
            content_hash=content_hash(data.text),
            text=data.text,
            language=data.language,
            content_type=data.content_type,
            extra=data.extra,
            content_date=_aware(data.content_date),
            created_at=now,
            label=record["label"],
            risk=float(record["risk"]),
            flagged=flagged,
            status="pending" if flagged else "clear",
            priority=PRIORITY["flagged"] if flagged else NOT_QUEUED,
            due_at=now + timedelta(hours=self.settings.sla_flagged_hours) if flagged else None,
            cluster_key=cluster_key(data.text),
        )
        session.add(item)
        return item, self._store_assessment(session, item, record)

    def _store_assessment(self, session: Session, item: Item, record: dict) -> Assessment:
        assessment = Assessment(
            id=new_id(),
            org_id=item.org_id,
            item_id=item.id,
            model=record.get("model", "rules"),
            label=record["label"],
            risk=float(record["risk"]),
            flagged=bool(record["flagged"]),
            reasons=record["reasons"],
            substances=record["substances"],
        )
        session.add(assessment)
        for det in record["detections"]:
            attrs = {
                k: v
                for k, v in det.items()
                if k not in ("detector", "kind", "start", "end", "text", "value", "weight")
            }
            session.add(
                Detection(
                    org_id=item.org_id,
                    assessment_id=assessment.id,
                    detector=det["detector"],
                    kind=det["kind"],
                    start=det["start"],
                    end=det["end"],
                    text=det["text"],
                    value=None if det["value"] is None else str(det["value"]),
                    weight=float(det["weight"]),
                    attrs=attrs,
                )
            )
        # A new item: plain inserts (merge would look each row up first), one row per key.
        matches = {sub["id"]: sub["match"] for sub in record["substances"]}
        session.add_all(
            ItemSubstance(item_id=item.id, substance_id=sid, org_id=item.org_id, match=match)
            for sid, match in matches.items()
        )
        entity_ids = {
            self._entity(session, item.org_id, kind, value).id
            for kind, value in {(i["type"], i["value"]) for i in record["identifiers"]}
        }
        session.add_all(
            ItemEntity(item_id=item.id, entity_id=entity_id, org_id=item.org_id)
            for entity_id in entity_ids
        )
        return assessment

    @staticmethod
    def _entity(session: Session, org_id: str, kind: str, value: str) -> Entity:
        value = value[:500]
        entity = session.execute(
            select(Entity).where(
                Entity.org_id == org_id, Entity.type == kind, Entity.value == value
            )
        ).scalar_one_or_none()
        if entity is None:
            entity = Entity(id=new_id(), org_id=org_id, type=kind, value=value)
            session.add(entity)
        return entity

    def search_items(self, principal: Principal, query: ItemFilter) -> tuple[list[Item], int]:
        require(principal, Permission.READ_ITEMS)
        stmt = owned(select(Item), Item, principal)
        if query.label:
            stmt = stmt.where(Item.label == query.label)
        if query.flagged is not None:
            stmt = stmt.where(Item.flagged == query.flagged)
        if query.status:
            stmt = stmt.where(Item.status == query.status)
        if query.min_risk is not None:
            stmt = stmt.where(Item.risk >= query.min_risk)
        if query.source:
            stmt = stmt.where(Item.source == query.source)
        if query.since:
            stmt = stmt.where(Item.created_at >= _aware(query.since))
        if query.until:
            stmt = stmt.where(Item.created_at < _aware(query.until))
        if query.text:
            stmt = stmt.where(Item.text.ilike(f"%{_escape_like(query.text)}%", escape="\\"))
        if query.substance:
            ids = self._substance_ids(query.substance)
            stmt = stmt.where(
                Item.id.in_(
                    select(ItemSubstance.item_id).where(
                        ItemSubstance.org_id == principal.org_id,
                        ItemSubstance.substance_id.in_(ids),
                    )
                )
            )
        if query.identifier:
            # "type:value" names one kind of identifier; a bare value matches any kind. Values
            # may hold colons themselves (url:https://...), so the type is what precedes the
            # first one.
            kind, _, value = query.identifier.partition(":")
            matches = Entity.value.in_({query.identifier, query.identifier.lower()})
            if kind.isalpha() and value:
                matches = or_(
                    matches,
                    and_(Entity.type == kind.lower(), Entity.value.in_({value, value.lower()})),
                )
            stmt = stmt.where(
                Item.id.in_(
                    select(ItemEntity.item_id)
                    .join(Entity, Entity.id == ItemEntity.entity_id)
                    .where(Entity.org_id == principal.org_id, matches)
                )
            )
        with self.db.session() as session:
            total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = session.execute(
                stmt.order_by(Item.created_at.desc(), Item.id)
                .limit(max(1, min(query.limit, 500)))
                .offset(max(0, query.offset))
            ).scalars()
            return list(rows), total

    def _substance_ids(self, text: str) -> list[str]:
        kb = self.screener.kb
        if kb.get(text):
            return [text]
        return [s.id for s in kb.lookup(text)] or [s.id for s, _ in kb.search(text, limit=20)]

    def item_view(self, principal: Principal, item_id: str) -> ItemView:
        require(principal, Permission.READ_ITEMS)
        with self.db.session() as session:
            item = get_owned(session, Item, item_id, principal)
            entities = [
                link.entity
                for link in session.execute(
                    select(ItemEntity).where(ItemEntity.item_id == item.id)
                ).scalars()
            ]
            linked: dict[str, tuple[Item, list[str]]] = {}
            for entity in entities:
                rows = session.execute(
                    select(Item)
                    .join(ItemEntity, ItemEntity.item_id == Item.id)
                    .where(
                        ItemEntity.entity_id == entity.id,
                        ItemEntity.org_id == principal.org_id,
                        Item.id != item.id,
                    )
                    .limit(20)
                ).scalars()
                for other in rows:
                    linked.setdefault(other.id, (other, []))[1].append(
                        f"{entity.type}:{entity.value}"
                    )
            decisions = list(
                session.execute(
                    owned(select(Decision), Decision, principal)
                    .where(Decision.item_id == item.id)
                    .order_by(Decision.created_at)
                ).scalars()
            )
            notices = list(
                session.execute(
                    owned(select(Notice), Notice, principal).where(Notice.item_id == item.id)
                ).scalars()
            )
            cluster = session.execute(
                select(func.count())
                .select_from(Item)
                .where(
                    Item.org_id == principal.org_id,
                    Item.cluster_key == item.cluster_key,
                    Item.status == "pending",
                )
            ).scalar_one()
            latest = item.assessments[-1] if item.assessments else None
            if latest is not None:
                _ = latest.detections  # load before the session closes
            return ItemView(
                item, latest, entities, list(linked.values()), decisions, notices, cluster
            )

    # ------------------------------------------------------------------ notices
    def submit_notice(self, principal: Principal, data: NoticeIn) -> Notice:
        """Acknowledge a notice and put its item at the front of the queue (by kind). A notice
        about content not stored yet stores it (screening the copy sent with the notice)."""
        require(principal, Permission.SUBMIT_NOTICES)
        if data.kind == NoticeKind.AUTHORITY_ORDER and principal.role not in (
            Role.FLAGGER,
            Role.ADMIN,
        ):
            raise Forbidden("only an authority account may send an order")
        with self.db.session() as session:
            item = self._notice_target(session, principal, data)
        if item is None and not (data.url or data.external_id):
            # Only an item id, and no such item here (perhaps another organisation's).
            raise NotFound(f"no item {data.item_id}")
        if item is None:
            text = data.content or (str(data.url) if data.url else data.external_id or "")
            stored = self._submit_as_system(
                principal,
                ItemIn(
                    text=text or "(content not provided)",
                    source=data.source or "notice",
                    external_id=data.external_id or _url_id(data.url),
                    url=data.url,
                ),
            )
            item_id = stored.id
        else:
            item_id = item.id
        with self.db.session() as session, self.write_lock:
            item = session.get(Item, item_id)
            notice = Notice(
                org_id=principal.org_id,
                kind=str(data.kind),
                item_id=item.id,
                url=str(data.url) if data.url else item.url,
                source=data.source,
                external_id=data.external_id,
                explanation=data.explanation,
                legal_basis=data.legal_basis,
                submitter_name=data.submitter_name,
                submitter_email=data.submitter_email,
                submitted_by=principal.user_id,
                good_faith=data.good_faith,
            )
            session.add(notice)
            session.flush()
            priority = PRIORITY[data.kind]
            if item.status != "decided" or item.priority > priority:
                hours = {
                    NoticeKind.AUTHORITY_ORDER: self.settings.sla_order_hours,
                    NoticeKind.TRUSTED_FLAGGER: self.settings.sla_trusted_flagger_hours,
                    NoticeKind.NOTICE: self.settings.sla_notice_hours,
                }[data.kind]
                due = utcnow() + timedelta(hours=hours)
                item.status = "pending"
                item.priority = min(item.priority, priority)
                item.due_at = min(item.due_at, due) if item.due_at else due
            audit.record(
                session,
                actor=principal.actor,
                action="notice.receive",
                org_id=principal.org_id,
                object_type="notice",
                object_id=notice.id,
                details={"kind": str(data.kind), "item": item.id},
            )
            session.commit()
            return notice

    def _submit_as_system(self, principal: Principal, data: ItemIn) -> Item:
        # The flagger may not submit items itself; the notice stores the content it points to.
        system = Principal(
            user_id=principal.user_id,
            username=principal.username,
            org_id=principal.org_id,
            role=Role.ANALYST,
            via=principal.via,
            is_person=principal.is_person,
        )
        return self.submit_items(system, [data])[0].item

    @staticmethod
    def _notice_target(session: Session, principal: Principal, data: NoticeIn) -> Item | None:
        conditions = []
        if data.item_id:
            conditions.append(Item.id == data.item_id)
        if data.url:
            conditions.append(Item.url == str(data.url))
        if data.source and data.external_id:
            conditions.append(
                and_(Item.source == data.source, Item.external_id == data.external_id)
            )
        stmt = owned(select(Item), Item, principal).where(or_(*conditions)).limit(1)
        return session.execute(stmt).scalar_one_or_none()

    def list_notices(self, principal: Principal, limit: int = 100, offset: int = 0) -> list[Notice]:
        stmt = self._notice_scope(principal)
        with self.db.session() as session:
            rows = session.execute(
                stmt.order_by(Notice.created_at.desc()).limit(min(limit, 500)).offset(offset)
            ).scalars()
            return list(rows)

    def get_notice(self, principal: Principal, notice_id: str) -> Notice:
        with self.db.session() as session:
            notice = session.execute(
                self._notice_scope(principal).where(Notice.id == notice_id)
            ).scalar_one_or_none()
            if notice is None:
                raise NotFound(f"no notice {notice_id}")
            return notice

    @staticmethod
    def _notice_scope(principal: Principal):
        stmt = owned(select(Notice), Notice, principal)
        if principal.can(Permission.READ_ALL_NOTICES):
            return stmt
        require(principal, Permission.READ_OWN_NOTICES)
        return stmt.where(Notice.submitted_by == principal.user_id)

    # ------------------------------------------------------------------ queue
    def queue(self, principal: Principal, limit: int = 50, offset: int = 0) -> list[Item]:
        require(principal, Permission.REVIEW)
        stmt = (
            owned(select(Item), Item, principal)
            .where(Item.status == "pending")
            .order_by(Item.priority, Item.risk.desc(), Item.created_at, Item.id)
            .limit(max(1, min(limit, 500)))
            .offset(max(0, offset))
        )
        with self.db.session() as session:
            return list(session.execute(stmt).scalars())

    def claim(self, principal: Principal, item_id: str) -> Item:
        """Take an item for review for ``claim_minutes``: one atomic update, so two reviewers
        can never both hold it."""
        require(principal, Permission.REVIEW)
        now = utcnow()
        with self.db.session() as session, self.write_lock:
            item = get_owned(session, Item, item_id, principal)
            if item.status != "pending":
                raise Conflict(f"item {item_id} is not waiting for review ({item.status})")
            result = session.execute(
                update(Item)
                .where(
                    Item.id == item_id,
                    Item.org_id == principal.org_id,
                    Item.status == "pending",
                    or_(
                        Item.claimed_by.is_(None),
                        Item.claimed_until < now,
                        Item.claimed_by == principal.user_id,
                    ),
                )
                .values(
                    claimed_by=principal.user_id,
                    claimed_until=now + timedelta(minutes=self.settings.claim_minutes),
                )
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                session.rollback()
                raise Conflict(f"item {item_id} is claimed by another reviewer")
            session.commit()
            session.refresh(item)
            return item

    def release(self, principal: Principal, item_id: str) -> Item:
        require(principal, Permission.REVIEW)
        with self.db.session() as session, self.write_lock:
            item = get_owned(session, Item, item_id, principal)
            if item.claimed_by == principal.user_id:
                item.claimed_by = None
                item.claimed_until = None
                session.commit()
            return item

    # ------------------------------------------------------------------ decisions
    def decide(self, principal: Principal, item_id: str, data: DecisionIn) -> list[Decision]:
        """Record a decision on an item the principal holds (or can take); with
        ``apply_to_cluster`` the same decision goes to every pending near-identical item that no
        one else holds. Returns the decisions made, the chosen item's first."""
        require(principal, Permission.REVIEW)
        self.claim(principal, item_id)
        now = utcnow()
        with self.db.session() as session, self.write_lock:
            item = get_owned(session, Item, item_id, principal)
            if item.claimed_by != principal.user_id or item.status != "pending":
                raise Conflict(f"item {item_id} is no longer yours to decide")
            targets = [item]
            if data.apply_to_cluster:
                targets += list(
                    session.execute(
                        owned(select(Item), Item, principal).where(
                            Item.cluster_key == item.cluster_key,
                            Item.status == "pending",
                            Item.id != item.id,
                            or_(
                                Item.claimed_by.is_(None),
                                Item.claimed_until < now,
                                Item.claimed_by == principal.user_id,
                            ),
                        )
                    ).scalars()
                )
            decisions = [
                self._decide_one(session, principal, target, data, now, primary=item)
                for target in targets
            ]
            session.commit()
            for decision in decisions:
                _ = decision.decider  # load who decided while the session is open
            return decisions

    def _decide_one(
        self,
        session: Session,
        principal: Principal,
        item: Item,
        data: DecisionIn,
        now: datetime,
        primary: Item,
    ) -> Decision:
        notice = (
            session.execute(
                select(Notice)
                .where(Notice.item_id == item.id, Notice.org_id == item.org_id)
                .order_by(Notice.created_at)
            )
            .scalars()
            .all()
        )
        # The notice that put the item highest in the queue is the decision's source.
        source = min(notice, key=lambda n: PRIORITY[NoticeKind(n.kind)], default=None)
        if not principal.is_person:
            automation = "fully"
        elif item.id != primary.id:
            automation = "partially"  # a person's decision applied to a found look-alike
        else:
            automation = "not"
        decision = Decision(
            org_id=item.org_id,
            item_id=item.id,
            action=str(data.action),
            policy_ground=data.policy_ground,
            legal_ground=data.legal_ground,
            explanation=data.explanation,
            decided_by=principal.user_id,
            automated_detection=item.flagged,
            automated_decision=automation,
            source_type=SOURCE_TYPE[NoticeKind(source.kind)] if source else "voluntary",
            source_identity=source.submitter_name if source else None,
            notice_id=source.id if source else None,
            cluster_of=primary.id if item.id != primary.id else None,
            territorial_scope=list(data.territorial_scope),
            created_at=now,
        )
        session.add(decision)
        session.flush()
        item.claimed_by = None
        item.claimed_until = None
        if data.action == Action.NEEDS_INFO:
            item.status = "pending"  # stays in the queue for the next reviewer
        else:
            item.status = "decided"
            item.decided_at = now
            for n in notice:
                if n.status != "decided":
                    n.status, n.outcome, n.decided_at = "decided", str(data.action), now
        audit.record(
            session,
            actor=principal.actor,
            action="decision.create",
            org_id=item.org_id,
            object_type="decision",
            object_id=decision.id,
            details={
                "item": item.id,
                "action": str(data.action),
                "restricting": data.action in RESTRICTING,
                "cluster_of": decision.cluster_of,
                "automated_decision": automation,
            },
        )
        return decision

    def list_decisions(
        self, principal: Principal, limit: int = 100, offset: int = 0, item_id: str | None = None
    ) -> list[Decision]:
        require(principal, Permission.READ_DECISIONS)
        stmt = owned(select(Decision), Decision, principal)
        if item_id:
            stmt = stmt.where(Decision.item_id == item_id)
        with self.db.session() as session:
            return list(
                session.execute(
                    stmt.order_by(Decision.created_at.desc()).limit(min(limit, 500)).offset(offset)
                ).scalars()
            )

    def get_decision(self, principal: Principal, decision_id: str) -> Decision:
        require(principal, Permission.READ_DECISIONS)
        with self.db.session() as session:
            return get_owned(session, Decision, decision_id, principal)

    # ------------------------------------------------------------------ statements of reasons
    def statement_sources(
        self,
        principal: Principal,
        since: datetime | None = None,
        until: datetime | None = None,
        include_exported: bool = False,
        limit: int = 1000,
        offset: int = 0,
    ) -> tuple[list[tuple[Decision, Item, Notice | None]], int]:
        """Restricting decisions made in [since, until) (each owes a DSA statement of reasons),
        oldest first, with their item (and its screenings) and the notice they answered; and
        how many there are in all. Already exported ones only with ``include_exported``."""
        require(principal, Permission.EXPORT_STATEMENTS)
        stmt = owned(select(Decision), Decision, principal).where(
            Decision.action.in_([str(action) for action in RESTRICTING])
        )
        if since:
            stmt = stmt.where(Decision.created_at >= _aware(since))
        if until:
            stmt = stmt.where(Decision.created_at < _aware(until))
        if not include_exported:
            stmt = stmt.where(Decision.exported_at.is_(None))
        with self.db.session() as session:
            total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            decisions = list(
                session.execute(
                    stmt.order_by(Decision.created_at, Decision.id)
                    .limit(max(1, limit))
                    .offset(max(0, offset))
                ).scalars()
            )
            items = {
                item.id: item
                for item in session.execute(
                    owned(select(Item), Item, principal).where(
                        Item.id.in_(sorted({d.item_id for d in decisions}))
                    )
                ).scalars()
            }
            notices = {
                notice.id: notice
                for notice in session.execute(
                    owned(select(Notice), Notice, principal).where(
                        Notice.id.in_(sorted({d.notice_id for d in decisions if d.notice_id}))
                    )
                ).scalars()
            }
            rows = [(d, items[d.item_id], notices.get(d.notice_id)) for d in decisions]
            return rows, total

    def mark_exported(self, principal: Principal, decision_ids: Sequence[str]) -> int:
        """Record that these decisions' statements went to the Transparency Database; ids of
        another organisation's, unrestricting or already marked decisions are left alone.
        Returns how many were marked."""
        require(principal, Permission.EXPORT_STATEMENTS)
        ids = sorted(set(decision_ids))
        now = utcnow()
        marked = 0
        with self.db.session() as session, self.write_lock:
            for start in range(0, len(ids), 500):  # stay under the databases' parameter limits
                result = session.execute(
                    owned(update(Decision), Decision, principal)
                    .where(
                        Decision.id.in_(ids[start : start + 500]),
                        Decision.action.in_([str(action) for action in RESTRICTING]),
                        Decision.exported_at.is_(None),
                    )
                    .values(exported_at=now)
                    .execution_options(synchronize_session=False)
                )
                marked += result.rowcount
            audit.record(
                session,
                actor=principal.actor,
                action="statements.mark_exported",
                org_id=principal.org_id,
                details={"requested": len(ids), "marked": marked},
            )
            session.commit()
        return marked

    # ------------------------------------------------------------------ audit & stats
    def audit_events(
        self, principal: Principal, limit: int = 100, before: int | None = None
    ) -> list[AuditEvent]:
        require(principal, Permission.READ_AUDIT)
        stmt = owned(select(AuditEvent), AuditEvent, principal)
        if before is not None:
            stmt = stmt.where(AuditEvent.seq < before)
        with self.db.session() as session:
            return list(
                session.execute(
                    stmt.order_by(AuditEvent.seq.desc()).limit(min(limit, 500))
                ).scalars()
            )

    def record_event(self, principal: Principal, action: str, **details: Any) -> None:
        """Audit an action taken at the edge (an export, a configuration change)."""
        with self.db.session() as session, self.write_lock:
            audit.record(
                session,
                actor=principal.actor,
                action=action,
                org_id=principal.org_id,
                details=details,
            )
            session.commit()

    def verify_audit(self, principal: Principal | None = None) -> audit.Verification:
        """Recompute the whole chain (one chain for all organisations). For a principal, the
        event count is its own organisation's: other organisations' activity stays theirs.
        Without one (the operator's command line), the whole chain's."""
        if principal is not None:
            require(principal, Permission.READ_AUDIT)
        with self.db.session() as session:
            result = audit.verify(session)
            if principal is not None:
                result.events = session.execute(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.org_id == principal.org_id)
                ).scalar_one()
            return result

    def stats(self, principal: Principal, days: int = 30) -> Stats:
        require(principal, Permission.READ_STATS)
        since = utcnow() - timedelta(days=days)
        out = Stats()
        with self.db.session() as session:
            items = session.execute(
                select(Item.created_at, Item.flagged, Item.label, Item.source).where(
                    Item.org_id == principal.org_id, Item.created_at >= since
                )
            ).all()
            per_day: dict[str, list[int]] = {}
            per_day_label: dict[tuple[str, str], int] = {}
            per_day_source: dict[tuple[str, str], int] = {}
            for created, flagged, label, source in items:
                day = created.date().isoformat()
                counts = per_day.setdefault(day, [0, 0])
                counts[0] += 1
                counts[1] += int(flagged)
                out.by_label[label] = out.by_label.get(label, 0) + 1
                out.by_source[source] = out.by_source.get(source, 0) + 1
                per_day_label[day, label] = per_day_label.get((day, label), 0) + 1
                per_day_source[day, source] = per_day_source.get((day, source), 0) + 1
            out.items_by_day = [(d, c[0], c[1]) for d, c in sorted(per_day.items())]
            out.items_by_day_label = [(d, k, n) for (d, k), n in sorted(per_day_label.items())]
            out.items_by_day_source = [(d, k, n) for (d, k), n in sorted(per_day_source.items())]
            decisions = session.execute(
                select(Decision.created_at, Decision.action).where(
                    Decision.org_id == principal.org_id, Decision.created_at >= since
                )
            ).all()
            per_action_day: dict[tuple[str, str], int] = {}
            for created, action in decisions:
                key = (created.date().isoformat(), action)
                per_action_day[key] = per_action_day.get(key, 0) + 1
                out.by_action[action] = out.by_action.get(action, 0) + 1
            out.decisions_by_day = [(d, a, n) for (d, a), n in sorted(per_action_day.items())]
            out.by_substance = [
                (sid, n)
                for sid, n in session.execute(
                    select(ItemSubstance.substance_id, func.count())
                    .join(Item, Item.id == ItemSubstance.item_id)
                    .where(ItemSubstance.org_id == principal.org_id, Item.created_at >= since)
                    .group_by(ItemSubstance.substance_id)
                    .order_by(func.count().desc())
                    .limit(15)
                ).all()
            ]
            per_day_substance: dict[tuple[str, str], int] = {}
            for created, sid in session.execute(
                select(Item.created_at, ItemSubstance.substance_id)
                .join(Item, Item.id == ItemSubstance.item_id)
                .where(
                    ItemSubstance.org_id == principal.org_id,
                    Item.created_at >= since,
                    ItemSubstance.substance_id.in_([sid for sid, _ in out.by_substance]),
                )
            ).all():
                key = (created.date().isoformat(), sid)
                per_day_substance[key] = per_day_substance.get(key, 0) + 1
            out.items_by_day_substance = [
                (d, k, n) for (d, k), n in sorted(per_day_substance.items())
            ]
            out.queue, out.overdue = session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((Item.due_at < utcnow(), 1), else_=0)), 0),
                ).where(Item.org_id == principal.org_id, Item.status == "pending")
            ).one()
        return out

    def usernames(self, principal: Principal, user_ids: Iterable[str | None]) -> dict[str, str]:
        """User id -> username for colleagues in the principal's organisation (who holds a
        claim); ids from elsewhere are left out."""
        require(principal, Permission.READ_ITEMS)
        wanted = {user_id for user_id in user_ids if user_id}
        if not wanted:
            return {}
        with self.db.session() as session:
            stmt = owned(select(User.id, User.username), User, principal).where(User.id.in_(wanted))
            return {user_id: name for user_id, name in session.execute(stmt)}

    def substance_name(self, substance_id: str) -> str:
        sub = self.screener.kb.get(substance_id)
        return sub.name if sub else substance_id


def _url_id(url: object | None) -> str | None:
    """A URL as an item's external id: itself, or its hash when longer than an id may be."""
    if url is None:
        return None
    text = str(url)
    return text if len(text) <= 200 else f"url-sha256:{content_hash(text)}"


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""The stored objects. Every row that holds an organisation's data carries ``org_id``: access
checks (``interdiction.auth.policy``) filter on it in one place."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None: API keys only
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiKey(Base):
    """A machine's key. Only a SHA-256 of the secret is kept: keys are 256-bit random strings,
    so a slow password hash adds nothing and would cost every API call ~0.1 s."""

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base):
    __tablename__ = "login_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class Item(Base):
    """A listing, post or message, its latest verdict and where it stands in review."""

    __tablename__ = "items"
    __table_args__ = (
        # Idempotent intake: (source, external id) when the client has one, else content hash.
        UniqueConstraint("org_id", "dedup_key", name="uq_items_org_dedup"),
        Index("ix_items_queue", "org_id", "status", "priority", "risk"),
        Index("ix_items_org_created", "org_id", "created_at"),
        Index("ix_items_org_cluster", "org_id", "cluster_key"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    dedup_key: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(100), default="api")
    external_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    account: Mapped[str | None] = mapped_column(String(200))  # the seller/poster on the platform
    content_hash: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(20), default="text")  # text | product
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_date: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Latest verdict, copied from the newest assessment for searching and ordering.
    label: Mapped[str] = mapped_column(String(10))
    risk: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean)
    # clear (nothing to review) | pending (in the queue) | decided
    status: Mapped[str] = mapped_column(String(10))
    priority: Mapped[int] = mapped_column(Integer, default=9)  # 0 = most urgent
    due_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    claimed_until: Mapped[datetime | None]
    cluster_key: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="item", order_by="Assessment.created_at", lazy="selectin"
    )


class Assessment(Base):
    """One screening of an item (re-screening after a KB or model update adds another)."""

    __tablename__ = "assessments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    model: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(10))
    risk: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    substances: Mapped[list[Any]] = mapped_column(default=list)  # the scan record's summaries
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="assessments")
    detections: Mapped[list[Detection]] = relationship(order_by="Detection.start", lazy="selectin")


class Detection(Base):
    __tablename__ = "detections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), index=True)
    detector: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(30))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float] = mapped_column(Float)
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ItemSubstance(Base):
    """Which KB substances an item names: the index behind search by substance."""

    __tablename__ = "item_substances"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    substance_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    match: Mapped[str] = mapped_column(String(10))
    __table_args__ = (Index("ix_item_substances_org_substance", "org_id", "substance_id"),)


class Entity(Base):
    """A phone, wallet, handle, domain ... seen in an organisation's items; items that share
    one are linked."""

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("org_id", "type", "value", name="uq_entities_org_value"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    type: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)


class ItemEntity(Base):
    __tablename__ = "item_entities"
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)

    entity: Mapped[Entity] = relationship(lazy="joined")


class Notice(Base):
    """A notice (DSA Art. 16), a trusted flagger's notice (Art. 22) or an authority's order
    (Art. 9), about content on the organisation's service."""

    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # notice | trusted_flagger | authority_order
    item_id: Mapped[str | None] = mapped_column(ForeignKey("items.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    submitter_name: Mapped[str] = mapped_column(String(200))
    submitter_email: Mapped[str | None] = mapped_column(String(200))
    submitted_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    good_faith: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default="received")  # received|decided
    outcome: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class Decision(Base):
    """A reviewer's decision on an item: a superset of the DSA statement-of-reasons fields."""

    __tablename__ = "decisions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    policy_ground: Mapped[str] = mapped_column(String(500))
    legal_ground: Mapped[str | None] = mapped_column(String(500))
    explanation: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # Taken from the review log, never typed in: was the item found by the screener, and did a
    # person decide this item or was a person's decision applied to its cluster?
    automated_detection: Mapped[bool] = mapped_column(Boolean)
    automated_decision: Mapped[str] = mapped_column(String(20))  # not | partially | fully
    source_type: Mapped[str] = mapped_column(String(20))  # voluntary|notice|trusted_flagger|order
    source_identity: Mapped[str | None] = mapped_column(String(300))
    notice_id: Mapped[str | None] = mapped_column(ForeignKey("notices.id"))
    cluster_of: Mapped[str | None] = mapped_column(ForeignKey("items.id"))
    territorial_scope: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    exported_at: Mapped[datetime | None]

    decider: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """Append-only, hash-chained: each event's hash covers its fields and the previous hash."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    org_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash, updated with every append: it serialises
    writers (row lock) and reveals a deleted tail."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))

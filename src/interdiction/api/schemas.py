"""What the API returns (documented in /openapi.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from interdiction.review.service import Stats
from interdiction.store.models import (
    ApiKey,
    AuditEvent,
    Decision,
    Item,
    Notice,
    User,
)


class ItemOut(BaseModel):
    id: str
    source: str
    external_id: str | None
    url: str | None
    account: str | None
    created_at: datetime
    label: str
    risk: float
    flagged: bool
    status: str
    priority: int
    due_at: datetime | None

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls(
            id=item.id,
            source=item.source,
            external_id=item.external_id,
            url=item.url,
            account=item.account,
            created_at=item.created_at,
            label=item.label,
            risk=round(item.risk, 4),
            flagged=item.flagged,
            status=item.status,
            priority=item.priority,
            due_at=item.due_at,
        )


class SubmittedOut(ItemOut):
    created: bool
    reasons: list[str]
    substances: list[dict[str, Any]]


class SubmittedList(BaseModel):
    items: list[SubmittedOut]


class ItemList(BaseModel):
    items: list[ItemOut]
    total: int


class DetectionOut(BaseModel):
    detector: str
    kind: str
    start: int
    end: int
    text: str
    value: str | None
    weight: float


class EntityOut(BaseModel):
    type: str
    value: str


class LinkedOut(BaseModel):
    item: ItemOut
    shared: list[str]


class DecisionOut(BaseModel):
    id: str
    item_id: str
    action: str
    policy_ground: str
    legal_ground: str | None
    explanation: str
    decided_by: str
    automated_detection: bool
    automated_decision: str
    source_type: str
    source_identity: str | None
    cluster_of: str | None
    territorial_scope: list[str]
    created_at: datetime

    @classmethod
    def of(cls, d: Decision) -> DecisionOut:
        return cls(
            id=d.id,
            item_id=d.item_id,
            action=d.action,
            policy_ground=d.policy_ground,
            legal_ground=d.legal_ground,
            explanation=d.explanation,
            decided_by=d.decider.username,
            automated_detection=d.automated_detection,
            automated_decision=d.automated_decision,
            source_type=d.source_type,
            source_identity=d.source_identity,
            cluster_of=d.cluster_of,
            territorial_scope=list(d.territorial_scope),
            created_at=d.created_at,
        )


class DecisionList(BaseModel):
    decisions: list[DecisionOut]


class NoticeOut(BaseModel):
    id: str
    kind: str
    item_id: str | None
    url: str | None
    explanation: str
    legal_basis: str | None
    submitter_name: str
    status: str
    outcome: str | None
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, n: Notice) -> NoticeOut:
        return cls(
            id=n.id,
            kind=n.kind,
            item_id=n.item_id,
            url=n.url,
            explanation=n.explanation,
            legal_basis=n.legal_basis,
            submitter_name=n.submitter_name,
            status=n.status,
            outcome=n.outcome,
            created_at=n.created_at,
            decided_at=n.decided_at,
        )


class NoticeList(BaseModel):
    notices: list[NoticeOut]


class ItemDetail(ItemOut):
    text: str
    language: str | None
    content_type: str
    model: str | None
    reasons: list[str]
    substances: list[dict[str, Any]]
    detections: list[DetectionOut]
    entities: list[EntityOut]
    linked: list[LinkedOut]
    decisions: list[DecisionOut]
    notices: list[NoticeOut]
    cluster_pending: int
    claimed_by: str | None
    claimed_until: datetime | None


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    email: str | None
    role: str
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            role=u.role,
            active=u.active,
            created_at=u.created_at,
        )


class UserList(BaseModel):
    users: list[UserOut]


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str
    user_id: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, k: ApiKey) -> ApiKeyOut:
        return cls(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            user_id=k.user_id,
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
        )


class NewApiKeyOut(ApiKeyOut):
    key: str  # shown once


class ApiKeyList(BaseModel):
    keys: list[ApiKeyOut]


class AuditEventOut(BaseModel):
    seq: int
    created_at: datetime
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    details: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            seq=e.seq,
            created_at=e.created_at,
            actor=e.actor,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            details=e.details,
            hash=e.hash,
        )


class AuditList(BaseModel):
    events: list[AuditEventOut]


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    head_hash: str
    problems: list[str]


# Series are lists of named objects, not tuples: self-describing JSON, and OpenAPI tools that
# mishandle 3.1's prefixItems (Schemathesis) can check them.
class ItemsOnDay(BaseModel):
    day: str
    items: int
    flagged: int


class DecisionsOnDay(BaseModel):
    day: str
    action: str
    decisions: int


class SubstanceCount(BaseModel):
    substance: str
    items: int


class StatsOut(BaseModel):
    items_by_day: list[ItemsOnDay]
    decisions_by_day: list[DecisionsOnDay]
    by_label: dict[str, int]
    by_source: dict[str, int]
    by_substance: list[SubstanceCount]
    by_action: dict[str, int]
    queue: int
    overdue: int

    @classmethod
    def of(cls, s: Stats) -> StatsOut:
        return cls(
            items_by_day=[ItemsOnDay(day=d, items=n, flagged=f) for d, n, f in s.items_by_day],
            decisions_by_day=[
                DecisionsOnDay(day=d, action=a, decisions=n) for d, a, n in s.decisions_by_day
            ],
            by_label=s.by_label,
            by_source=s.by_source,
            by_substance=[SubstanceCount(substance=k, items=n) for k, n in s.by_substance],
            by_action=s.by_action,
            queue=s.queue,
            overdue=s.overdue,
        )


class Me(BaseModel):
    user_id: str
    username: str
    org_id: str
    role: str
    via: str


class Health(BaseModel):
    status: str
    database: bool


class StatementBatch(BaseModel):
    """A body for the DSA Transparency Database's multiple endpoint (at most 100)."""

    statements: list[dict[str, Any]]


class InvalidStatementOut(BaseModel):
    decision_id: str
    problems: list[str]


class StatementExportOut(BaseModel):
    batches: list[StatementBatch]
    exported: int
    invalid: list[InvalidStatementOut]
    total: int  # restricting decisions in the window, on all pages


class MarkedOut(BaseModel):
    marked: int

"""The audit trail: every decision, login, key use, export and configuration change, each event
hash-chained to the one before, so an edit or a deletion anywhere is found by ``verify``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdiction.store.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64


def event_hash(
    prev_hash: str,
    seq: int,
    created_at: datetime,
    org_id: str | None,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    details: dict[str, Any],
) -> str:
    payload = orjson.dumps(
        [
            prev_hash,
            seq,
            created_at.isoformat(timespec="microseconds"),
            org_id,
            actor,
            action,
            object_type,
            object_id,
            details,
        ],
        option=orjson.OPT_SORT_KEYS,
    )
    return hashlib.sha256(payload).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    org_id: str | None,
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction: it lands with the change it records, or
    neither does. Locking the head row serialises concurrent writers (PostgreSQL; SQLite has a
    single writer anyway)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    # Microseconds survive both databases exactly; the hash is over this very value.
    created_at = utcnow()
    actor = actor[:100]  # the column's width: "<username> (key:<prefix>)" can be longer
    details = orjson.loads(orjson.dumps(details or {}, default=str))
    seq = head.seq + 1
    digest = event_hash(
        head.hash, seq, created_at, org_id, actor, action, object_type, object_id, details
    )
    event = AuditEvent(
        seq=seq,
        created_at=created_at,
        org_id=org_id,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(event)
    head.seq, head.hash = seq, digest
    return event


@dataclass
class Verification:
    ok: bool
    events: int
    head_hash: str
    problems: list[str]


def verify(session: Session, batch: int = 5000) -> Verification:
    """Recompute the chain from the first event: an edited event breaks its own hash, a deleted
    one leaves a gap in the sequence or a broken link, a deleted tail disagrees with the head."""
    problems: list[str] = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last_seq)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            count += 1
            if event.seq != expected_seq:
                problems.append(f"events {expected_seq}..{event.seq - 1} are missing")
            if event.prev_hash != prev_hash:
                problems.append(f"event {event.seq}: link to the previous event is broken")
            recomputed = event_hash(
                event.prev_hash,
                event.seq,
                event.created_at,
                event.org_id,
                event.actor,
                event.action,
                event.object_type,
                event.object_id,
                event.details,
            )
            if recomputed != event.hash:
                problems.append(
                    f"event {event.seq} ({event.action}) was changed after it was written"
                )
            prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
        session.expunge_all()
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    if head.seq != last_seq or head.hash != prev_hash:
        problems.append(
            f"the chain ends at event {last_seq} but the head records event {head.seq}: "
            "events at the end were deleted or the head was changed"
        )
    return Verification(ok=not problems, events=count, head_hash=head.hash, problems=problems)

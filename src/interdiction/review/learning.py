"""Reviewers teach the model: their decisions become labelled training data, and the queue can
take in the items the screener is least sure about (active learning)."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta

import numpy as np
from sqlalchemy import select

from interdiction.auth.policy import Permission, Principal, owned, require
from interdiction.learn.data import DataFile, LabelledData
from interdiction.review.schemas import Action
from interdiction.review.service import ReviewService
from interdiction.store import audit
from interdiction.store.models import Decision, Item, utcnow

# What a decision says about the item: a restriction or a referral means it was an offer; "no
# action" means it was not; "needs more information" says nothing yet.
OFFER_ACTIONS = frozenset(
    {Action.REMOVE, Action.RESTRICT_VISIBILITY, Action.SUSPEND_ACCOUNT, Action.ESCALATE}
)
NOT_OFFER_ACTIONS = frozenset({Action.NO_ACTION})
LEARNING_PRIORITY = 4  # after every notice and every flag: reviewers see these when time allows


def labelled_from_decisions(service: ReviewService, principal: Principal) -> LabelledData:
    """The organisation's decided items with the latest decision's verdict as the label."""
    require(principal, Permission.READ_ITEMS)
    require(principal, Permission.READ_DECISIONS)
    latest: dict[str, tuple[str, str, str]] = {}  # item id -> (action, text, source)
    with service.db.session() as session:
        rows = session.execute(
            owned(
                select(Decision.item_id, Decision.action, Item.text, Item.source),
                Decision,
                principal,
            )
            .join(Item, Item.id == Decision.item_id)
            .order_by(Decision.created_at)
        ).all()
    for item_id, action, text, source in rows:
        latest[item_id] = (action, text, source)
    texts, offer, labels, sources = [], [], [], []
    skipped = 0
    for action, text, source in latest.values():
        if action in OFFER_ACTIONS:
            is_offer = True
        elif action in NOT_OFFER_ACTIONS:
            is_offer = False
        else:
            skipped += 1
            continue
        texts.append(text)
        offer.append(is_offer)
        labels.append("offer" if is_offer else "not-offer")
        sources.append(f"review:{source}")
    digest = hashlib.sha256("\n".join(sorted(latest)).encode()).hexdigest()
    summary = DataFile(
        path=f"store:{principal.org_id} (reviewer decisions)",
        sha256=digest,
        rows=len(texts),
        skipped=skipped,
        labels=dict(Counter(labels)),
        sources=dict(Counter(sources)),
    )
    return LabelledData(
        texts=texts,
        offer=np.array(offer, dtype=bool),
        labels=labels,
        sources=sources,
        files=[summary],
    )


def sample_uncertain(
    service: ReviewService, principal: Principal, count: int, low: float = 0.2
) -> list[Item]:
    """Queue up to ``count`` unflagged items whose risk came closest to the threshold (between
    ``low`` and it): a reviewer's verdict on them teaches the model most."""
    require(principal, Permission.REVIEW)
    threshold = service.settings.threshold
    with service.db.session() as session, service.write_lock:
        items = list(
            session.execute(
                owned(select(Item), Item, principal)
                .where(Item.status == "clear", Item.risk >= low, Item.risk < threshold)
                .order_by((threshold - Item.risk), Item.created_at.desc())
                .limit(max(0, min(count, 500)))
            ).scalars()
        )
        due = utcnow() + timedelta(hours=service.settings.sla_flagged_hours)
        for item in items:
            item.status, item.priority, item.due_at = "pending", LEARNING_PRIORITY, due
        if items:
            audit.record(
                session,
                actor=principal.actor,
                action="queue.sample_uncertain",
                org_id=principal.org_id,
                details={"items": [i.id for i in items], "band": [low, threshold]},
            )
        session.commit()
        return items

"""Reviewer decisions become training data; the queue can take in uncertain items."""

from __future__ import annotations

from dataclasses import replace

import pytest

from interdiction.auth.policy import Forbidden, Role
from interdiction.pipeline.screen import Screener
from interdiction.review import learning
from interdiction.review.schemas import DecisionIn, ItemIn
from interdiction.review.service import ReviewService
from interdiction.store.db import Database


def _principal(service, org, role):
    return service.authenticate_key(org.keys[role])


def test_decisions_become_labels(service, org_a, org_b):
    reviewer = _principal(service, org_a, Role.REVIEWER)
    submitted = service.submit_items(
        reviewer,
        [
            ItemIn(text="Oxycodone 80mg for sale, discreet shipping, wickr oxyman", source="m"),
            ItemIn(text="Selling MDMA crystals 1g 30 EUR, ship EU", source="m"),
            ItemIn(text="Oxycontin 40mg for sale, ship today", source="m"),
        ],
    )
    ids = [s.item.id for s in submitted]
    service.decide(reviewer, ids[0], DecisionIn(action="remove", explanation="opioid offer"))
    service.decide(reviewer, ids[1], DecisionIn(action="needs_more_information"))
    service.decide(reviewer, ids[2], DecisionIn(action="no_action"))
    # Organisation B's decisions never leak into A's training data.
    other = _principal(service, org_b, Role.REVIEWER)
    b_item = service.submit_items(other, [ItemIn(text="fentanyl powder 5g wholesale", source="m")])
    service.decide(other, b_item[0].item.id, DecisionIn(action="remove", explanation="offer"))

    admin = _principal(service, org_a, Role.ADMIN)
    data = learning.labelled_from_decisions(service, admin)
    assert "Oxycodone 80mg for sale, discreet shipping, wickr oxyman" in data.texts
    assert all("fentanyl powder 5g" not in t for t in data.texts)
    position = data.texts.index("Oxycodone 80mg for sale, discreet shipping, wickr oxyman")
    assert data.offer[position]
    assert data.files[0].skipped == 1  # needs more information: no label yet
    assert set(data.sources) == {"review:m"}


@pytest.fixture(scope="module")
def strict_service(service_settings, kb):
    """A service whose screener flags only at risk 0.9: offers scored below it are uncertain."""
    settings = replace(service_settings, threshold=0.9)
    strict = ReviewService(
        settings, Database.open(settings), lambda: Screener.create(kb=kb, threshold=0.9)
    )
    yield strict
    strict.db.close()


def test_uncertain_items_join_the_queue_after_everything_else(strict_service, org_a):
    service = strict_service
    analyst = _principal(service, org_a, Role.ANALYST)
    reviewer = _principal(service, org_a, Role.REVIEWER)
    texts = ["xanax 2mg", "tramadol 50mg", "good morning everyone", "fentanyl 10g ship today"]
    stored = service.submit_items(analyst, [ItemIn(text=t, source="chat") for t in texts])
    uncertain = {s.item.id for s in stored if not s.item.flagged and s.item.risk >= 0.2}
    offers = {s.item.id for s in stored if s.item.text != "good morning everyone"}
    assert uncertain == offers, [(s.item.text, s.item.risk, s.item.flagged) for s in stored]
    with pytest.raises(Forbidden):
        learning.sample_uncertain(service, analyst, 5)
    sampled = learning.sample_uncertain(service, reviewer, 5)
    assert {i.id for i in sampled} == uncertain
    assert learning.sample_uncertain(service, reviewer, 5) == []  # already queued
    queue = service.queue(reviewer, limit=500)
    assert [i.priority for i in queue] == sorted(i.priority for i in queue)
    assert {i.id for i in queue if i.priority == learning.LEARNING_PRIORITY} == uncertain

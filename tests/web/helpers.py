"""Helpers for the web tests: storing listings, logging in through the form, reading the CSRF
token from a page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from service.conftest import PASSWORD, Org

from interdiction.auth.policy import Principal, Role
from interdiction.review.schemas import ItemIn
from interdiction.review.service import ReviewService

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
# Listings written for the tests (no real person or shop).
OFFER = "Selling pure fentanyl powder 10g, wickr me: dealer99, fast shipping worldwide"
OFFER_TWIN = "Selling pure fentanyl powder 25g, wickr me: dealer99, fast shipping worldwide"
OTHER_OFFER = "oxycodone 80mg no prescription needed, text +1 202 555 0143 for prices"


def principal(svc: ReviewService, org: Org, role: Role = Role.ADMIN) -> Principal:
    found = svc.authenticate_key(org.keys[role])
    assert found is not None
    return found


def submit(svc: ReviewService, org: Org, *texts: str, source: str = "market") -> list[str]:
    """Store listings for ``org``; returns their ids."""
    items = [ItemIn(text=text, source=source) for text in texts]
    return [s.item.id for s in svc.submit_items(principal(svc, org), items)]


def log_in(browser: TestClient, org: Org, role: Role) -> None:
    response = browser.post(
        "/login",
        data={"username": org.usernames[role], "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(browser: TestClient, page: str = "/") -> str:
    """The CSRF token from a logged-in page's forms."""
    match = CSRF_FIELD.search(browser.get(page).text)
    assert match, f"no CSRF field on {page}"
    return match.group(1)

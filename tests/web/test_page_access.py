"""Adversarial access through every web page: each page route has a case below (a new page
without one fails), nobody logged out gets anything, organisation A never sees or changes
organisation B's data, and each role is refused what it may not do."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from service.conftest import Org

from interdiction.auth.policy import Role
from interdiction.review.schemas import NoticeIn

from .helpers import csrf_of, log_in, principal, submit

# B's listing carries a marker that must never appear on A's pages.
MARKER = "zz-orgb-marker"
B_OFFER = f"Selling fentanyl powder 10g {MARKER}, wickr me: bshop77, ship today"
A_OFFER = "MDMA crystals 5g for sale, stealth shipping, wickr me: ashop12"
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/"),
    # The API's documentation (Swagger UI, ReDoc): no data, like /openapi.json itself.
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
# (method, path) -> the roles that may use it (others get 403)
PAGES = {
    ("GET", "/queue"): {Role.ADMIN, Role.REVIEWER},
    ("GET", "/items/{item_id}"): {Role.ADMIN, Role.REVIEWER, Role.ANALYST, Role.AUDITOR},
    ("POST", "/items/{item_id}/claim"): {Role.ADMIN, Role.REVIEWER},
    ("POST", "/items/{item_id}/release"): {Role.ADMIN, Role.REVIEWER},
    ("POST", "/items/{item_id}/decide"): {Role.ADMIN, Role.REVIEWER},
    ("GET", "/search"): {Role.ADMIN, Role.REVIEWER, Role.ANALYST, Role.AUDITOR},
    ("GET", "/dashboard"): {Role.ADMIN, Role.REVIEWER, Role.ANALYST, Role.AUDITOR},
    ("GET", "/audit"): {Role.ADMIN, Role.AUDITOR},
    ("GET", "/notices"): set(Role),  # a flagger sees its own notices only
    ("POST", "/logout"): set(Role),
}


def _page_routes(app) -> set[tuple[str, str]]:
    return {
        (method, context.path)
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and not context.path.startswith("/v1/")
        for method in context.original_route.methods
    }


def test_every_page_has_an_access_case(app):
    assert _page_routes(app) == set(PAGES) | PUBLIC


@pytest.fixture
def b_world(service, org_b: Org):
    [item_id] = submit(service, org_b, B_OFFER)
    service.submit_notice(
        principal(service, org_b, Role.FLAGGER),
        NoticeIn(
            item_id=item_id,
            explanation=f"fentanyl offered {MARKER}",
            submitter_name=f"Flagger {MARKER}",
            good_faith=True,
        ),
    )
    return item_id


def _request(client, method: str, path: str, item_id: str, csrf: str = ""):
    url = path.replace("{item_id}", item_id)
    if method == "GET":
        return client.get(url, follow_redirects=False)
    data = {"csrf": csrf, "action": "remove", "explanation": "offers fentanyl"}
    return client.post(url, data=data, follow_redirects=False)


@pytest.mark.parametrize(("method", "path"), sorted(PAGES))
def test_nobody_logged_out_gets_a_page(client, b_world, method, path):
    response = _request(client, method, path, b_world)
    if method == "GET":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    else:  # no session: no CSRF token can match, nothing happens
        assert response.status_code in (303, 403)
    assert MARKER not in response.text


@pytest.mark.parametrize("role", list(Role))
def test_another_organisation_is_invisible_on_every_page(service, client, org_a, org_b, b_world,
                                                         role):  # fmt: skip
    submit(service, org_a, A_OFFER)
    log_in(client, org_a, role)
    token = csrf_of(client, "/notices")
    for method, path in sorted(PAGES):
        if path == "/logout":
            continue
        response = _request(client, method, path, b_world, token)
        assert MARKER not in response.text, (method, path, role)
        if "{item_id}" in path:
            assert response.status_code in (403, 404), (method, path, role)
    for query in ("q=fentanyl", "identifier=wickr:bshop77", "source=market", "substance=fentanyl"):
        page = client.get(f"/search?{query}").text
        assert MARKER not in page and b_world not in page, (query, role)
    view = service.item_view(principal(service, org_b), b_world)
    assert view.item.status == "pending" and view.item.claimed_by is None
    assert view.decisions == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_only_its_pages(service, client, org_a, role):
    [item_id] = submit(service, org_a, A_OFFER)
    log_in(client, org_a, role)
    token = csrf_of(client, "/notices")
    for (method, path), allowed in sorted(PAGES.items()):
        if path == "/logout":
            continue
        response = _request(client, method, path, item_id, token)
        if role in allowed:
            assert response.status_code in (200, 303), (method, path, role, response.status_code)
        else:
            assert response.status_code == 403, (method, path, role, response.status_code)

"""The web pages through the real app (TestClient): login, CSRF, escaping of untrusted text,
organisation boundaries, the decision form, and every page rendering as HTML."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from service.conftest import PASSWORD, Org

from interdiction.auth.policy import Role
from interdiction.review.schemas import NoticeIn
from interdiction.review.service import ItemFilter

from .helpers import OFFER, OFFER_TWIN, OTHER_OFFER, csrf_of, log_in, principal, submit

PAGES = ["/", "/queue", "/search", "/dashboard", "/audit", "/notices", "/items/0a1b"]


@pytest.fixture
def reviewer(client: TestClient, org_a: Org) -> TestClient:
    """The test client, logged in as organisation A's reviewer."""
    log_in(client, org_a, Role.REVIEWER)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_pages_send_a_visitor_who_is_not_logged_in_to_the_login_page(client, page):
    response = client.get(page, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert client.get(response.headers["location"]).status_code == 200


def test_after_logging_in_a_person_lands_on_the_page_first_asked_for(client, org_a):
    response = client.post(
        "/login",
        data={
            "username": org_a.usernames[Role.REVIEWER],
            "password": "wrong password!",
            "next": "/search?q=x",
        },
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    response = client.post(
        "/login",
        data={
            "username": org_a.usernames[Role.REVIEWER],
            "password": PASSWORD,
            "next": "/search?q=x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/search?q=x"


def test_a_form_posted_without_the_sessions_csrf_token_changes_nothing(service, reviewer, org_a):
    [item_id] = submit(service, org_a, OFFER)
    for token in ("", "forged"):
        response = reviewer.post(
            f"/items/{item_id}/decide",
            data={"csrf": token, "action": "remove", "explanation": "offers fentanyl"},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "out of date or came from another site" in response.text
    view = service.item_view(principal(service, org_a), item_id)
    assert view.item.status == "pending" and view.decisions == []
    # Logging out needs the token too: a forged form cannot end someone's session.
    assert reviewer.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert reviewer.get("/queue", follow_redirects=False).status_code == 200


def test_untrusted_text_is_shown_escaped_everywhere(service, reviewer, org_a):
    hostile = (
        '<script>alert("x")</script> Selling fentanyl pills <img src=x onerror=alert(1)> '
        "wickr me: dealer99 \" onmouseover='alert(2)'"
    )
    [item_id] = submit(service, org_a, hostile, source="<b>shop</b>")
    for page in (f"/items/{item_id}", "/queue", "/search?q=script", "/dashboard"):
        body = reviewer.get(page).text
        assert "<script>alert" not in body, page
        assert "<img src=x" not in body, page
        assert "<b>shop</b>" not in body, page
        assert "&lt;b&gt;shop&lt;/b&gt;" in body, page
    body = reviewer.get(f"/items/{item_id}").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body
    # The evidence is still marked inside the escaped text.
    assert re.search(r'<mark class="ev ev-substance"[^>]*>fentanyl</mark>', body)


def test_pages_carry_a_content_security_policy(reviewer):
    response = reviewer.get("/queue")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_another_organisations_item_is_not_found(service, reviewer, org_a, org_b):
    [theirs] = submit(service, org_b, OFFER)
    token = csrf_of(reviewer)
    for response in (
        reviewer.get(f"/items/{theirs}"),
        reviewer.post(f"/items/{theirs}/claim", data={"csrf": token}),
        reviewer.post(
            f"/items/{theirs}/decide",
            data={"csrf": token, "action": "remove", "explanation": "offers fentanyl"},
        ),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text
    assert theirs not in reviewer.get("/queue").text
    assert reviewer.get("/search?identifier=wickr:dealer99").text.count("/items/") == 0
    view = service.item_view(principal(service, org_b), theirs)
    assert view.item.claimed_by is None and view.decisions == []
    assert reviewer.get("/items/not-an-id").status_code == 404


def test_item_page_shows_evidence_legal_status_links_and_cluster(service, reviewer, org_a):
    first, twin, other = submit(service, org_a, OFFER, OFFER_TWIN, OTHER_OFFER)
    body = reviewer.get(f"/items/{first}").text
    assert re.search(r"<mark [^>]*>fentanyl</mark>", body)
    assert re.search(r'<mark class="ev ev-identifier"[^>]*>dealer99</mark>', body)
    assert "UN-1961 schedule I" in body  # fentanyl's control from the KB
    assert f'href="/items/{twin}"' in body  # shares the wickr handle
    assert f'href="/items/{other}"' not in body
    assert "2 near-identical pending listings" in body
    assert "Apply to the 1 other near-identical pending listing" in body
    for key in ("r", "v", "s", "e", "n", "i", "x", "c", "j"):
        assert f'data-key="{key}"' in body


def test_reviewer_decides_through_the_form_and_moves_to_the_next_item(service, reviewer, org_a):
    first, second = submit(service, org_a, OFFER, OTHER_OFFER)
    queue = reviewer.get("/queue").text
    assert first in queue and second in queue
    response = reviewer.post(
        f"/items/{first}/decide",
        data={
            "csrf": csrf_of(reviewer, f"/items/{first}"),
            "action": "remove",
            "policy_ground": "Prohibited products: controlled drugs",
            "explanation": "Offers fentanyl for sale with a contact handle.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/items/{second}")
    landed = reviewer.get(response.headers["location"])
    assert "Decided: Remove." in landed.text
    # The message is shown once.
    assert "Decided: Remove." not in reviewer.get("/queue").text
    assert first not in reviewer.get("/queue").text
    [decision] = service.item_view(principal(service, org_a), first).decisions
    assert decision.action == "remove" and decision.decider.username.endswith("-reviewer")


def test_a_cluster_is_decided_at_once_and_the_queue_empties(service, reviewer, org_a):
    first, twin = submit(service, org_a, OFFER, OFFER_TWIN)
    response = reviewer.post(
        f"/items/{first}/decide",
        data={
            "csrf": csrf_of(reviewer),
            "action": "restrict_visibility",
            "explanation": "Same offer posted twice.",
            "apply_to_cluster": "1",
        },
    )
    assert "also on 1 near-identical listing." in response.text
    assert "The queue is empty." in response.text
    assert service.item_view(principal(service, org_a), twin).item.status == "decided"


def test_a_restricting_decision_without_explanation_is_explained_not_lost(service, reviewer, org_a):
    [item_id] = submit(service, org_a, OFFER)
    response = reviewer.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(reviewer), "action": "remove", "legal_ground": "Art. 3 law X"},
    )
    assert response.status_code == 422
    assert "needs an explanation" in response.text
    assert 'value="Art. 3 law X"' in response.text  # what was typed is kept
    assert 'value="remove" data-key="r" required checked' in response.text
    response = reviewer.post(
        f"/items/{item_id}/decide", data={"csrf": csrf_of(reviewer), "action": "burn"}
    )
    assert response.status_code == 422 and "action:" in response.text


def test_an_item_held_by_a_colleague_cannot_be_taken(service, client, org_a):
    [item_id] = submit(service, org_a, OFFER)
    service.claim(principal(service, org_a, Role.REVIEWER), item_id)
    log_in(client, org_a, Role.ADMIN)
    page = client.get(f"/items/{item_id}").text
    assert f"{org_a.usernames[Role.REVIEWER]} is reviewing this item" in page
    assert "/decide" not in page
    assert org_a.usernames[Role.REVIEWER] in client.get("/queue").text
    response = client.post(f"/items/{item_id}/claim", data={"csrf": csrf_of(client)})
    assert response.status_code == 200
    assert "claimed by another reviewer" in response.text
    response = client.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(client), "action": "no_action"},
    )
    assert "claimed by another reviewer" in response.text
    assert service.item_view(principal(service, org_a), item_id).decisions == []


def test_claim_and_release(service, reviewer, org_a):
    [item_id] = submit(service, org_a, OFFER)
    page = reviewer.post(f"/items/{item_id}/claim", data={"csrf": csrf_of(reviewer)}).text
    assert "You hold this item until" in page and "Release claim" in page
    page = reviewer.post(f"/items/{item_id}/release", data={"csrf": csrf_of(reviewer)}).text
    assert "Released for others." in page
    assert service.item_view(principal(service, org_a), item_id).item.claimed_by is None


def test_an_analyst_reads_items_but_sees_no_decision_form(service, client, org_a):
    [item_id] = submit(service, org_a, OFFER)
    log_in(client, org_a, Role.ANALYST)
    assert client.get("/", follow_redirects=False).headers["location"] == "/search"
    page = client.get(f"/items/{item_id}")
    assert page.status_code == 200 and "fentanyl" in page.text
    assert "/decide" not in page.text and "can read items but not decide" in page.text
    queue = client.get("/queue")
    assert queue.status_code == 403 and "Not allowed" in queue.text
    response = client.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(client), "action": "no_action"},
    )
    assert response.status_code == 403
    assert client.get("/audit").status_code == 403


def test_search_filters_and_pages(service, reviewer, org_a):
    first, twin, other = submit(service, org_a, OFFER, OFFER_TWIN, OTHER_OFFER)
    by_identifier = reviewer.get("/search", params={"identifier": "wickr:dealer99"}).text
    assert first in by_identifier and twin in by_identifier and other not in by_identifier
    by_substance = reviewer.get("/search", params={"substance": "oxycodone"}).text
    assert other in by_substance and first not in by_substance
    by_text = reviewer.get("/search", params={"q": "25g", "label": "offer"}).text
    assert twin in by_text and first not in by_text
    today = service.item_view(principal(service, org_a), first).item.created_at.date()
    dated = reviewer.get("/search", params={"since": today.isoformat(), "until": today.isoformat()})
    assert first in dated.text
    ends_of_the_calendar = reviewer.get(
        "/search", params={"since": "0001-01-01", "until": "9999-12-31", "source": "market"}
    )
    assert ends_of_the_calendar.status_code == 200 and "3 items" in ends_of_the_calendar.text
    past_the_end = reviewer.get("/search", params={"source": "market", "page": 2}).text
    assert "3 items" in past_the_end and 'href="/items/' not in past_the_end
    bad = reviewer.get("/search", params={"min_risk": "high", "since": "yesterday"})
    assert bad.status_code == 200
    assert "minimum risk: a number from 0 to 1" in bad.text
    assert "from: a date like" in bad.text


def test_search_pages_through_many_results(service, reviewer, org_a):
    submit(service, org_a, *(f"{OFFER} lot {n}" for n in range(55)), source="bulk")
    first_page = reviewer.get("/search", params={"source": "bulk"}).text
    assert "55 items, page 1 of 2" in first_page
    assert "page=2" in first_page
    second_page = reviewer.get("/search", params={"source": "bulk", "page": 2}).text
    assert second_page.count('href="/items/') == 5


def test_dashboard_draws_charts_from_the_stats(service, reviewer, org_a):
    [item_id] = submit(service, org_a, OFFER, source="bazaar")
    reviewer.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(reviewer), "action": "no_action"},
    )
    page = reviewer.get("/dashboard?days=7")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 8
    for text in ("Items per day by substance named", "Fentanyl", "bazaar", "No action"):
        assert text in page.text
    assert reviewer.get("/dashboard?days=0").status_code == 422


def test_audit_log_shows_decisions_and_the_chain_check(service, reviewer, client, org_a):
    [item_id] = submit(service, org_a, OFFER)
    reviewer.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(reviewer), "action": "no_action"},
    )
    assert reviewer.get("/audit").status_code == 403
    reviewer.post("/logout", data={"csrf": csrf_of(reviewer)})
    log_in(client, org_a, Role.AUDITOR)
    page = client.get("/audit").text
    assert "Chain verified" not in page and "Verify the chain" in page
    page = client.get("/audit?verify=1").text
    assert "Chain verified" in page
    assert "decision.create" in page and f'href="/items/{item_id}"' in page
    older = client.get("/audit?before=2")
    assert older.status_code == 200


def test_flaggers_see_their_own_notices_only(service, client, org_a):
    [item_id] = submit(service, org_a, OTHER_OFFER)
    for role, name in ((Role.FLAGGER, "Drug Watch NGO"), (Role.ADMIN, "A member of the public")):
        service.submit_notice(
            principal(service, org_a, role),
            NoticeIn(
                kind="trusted_flagger" if role == Role.FLAGGER else "notice",
                item_id=item_id,
                explanation="This listing sells oxycodone without prescription.",
                submitter_name=name,
                good_faith=True,
            ),
        )
    log_in(client, org_a, Role.FLAGGER)
    assert client.get("/", follow_redirects=False).headers["location"] == "/notices"
    page = client.get("/notices").text
    assert "Drug Watch NGO" in page and "A member of the public" not in page
    assert f"/items/{item_id}" not in page  # a flagger may not read the platform's items
    client.post("/logout", data={"csrf": csrf_of(client)})
    log_in(client, org_a, Role.REVIEWER)
    page = client.get("/notices").text
    assert "Drug Watch NGO" in page and "A member of the public" in page
    queue = client.get("/queue").text
    assert "trusted flagger" in queue


def test_queue_orders_by_why_and_shows_deadlines(service, reviewer, org_a):
    flagged, noticed = submit(service, org_a, OFFER, OTHER_OFFER)
    service.submit_notice(
        principal(service, org_a, Role.FLAGGER),
        NoticeIn(
            kind="authority_order",
            item_id=noticed,
            explanation="Order to remove: sale of controlled opioids.",
            legal_basis="Art. 9 DSA; national drug law",
            submitter_name="National Police",
            good_faith=True,
        ),
    )
    page = reviewer.get("/queue").text
    assert page.index(noticed) < page.index(flagged)
    assert "authority order" in page and "left" in page
    pending = service.search_items(
        principal(service, org_a), ItemFilter(status="pending", limit=1)
    )[1]
    assert f"{pending} pending" in page


def test_identifier_links_find_the_items_that_share_them(service, reviewer, org_a):
    # A URL holds colons itself: "url:https://..." must still search by type and value.
    shop = "https://pills-shop.example.com/Fent?id=7"
    first, second = submit(
        service,
        org_a,
        f"Order fentanyl patches at {shop} fast delivery",
        f"Fentanyl patches in stock, see {shop}",
    )
    page = reviewer.get(f"/items/{first}").text
    links = re.findall(r'href="(/search\?identifier=[^"]+)"', page)
    assert len(links) == 1
    found = reviewer.get(html.unescape(links[0])).text
    assert "2 items" in found and first in found and second in found


def test_a_nul_character_is_refused_with_a_message_on_every_backend(service, client, org_a):
    # PostgreSQL cannot store NUL in text; SQLite can: pages refuse it alike.
    response = client.post("/login", data={"username": "a\x00b", "password": PASSWORD, "next": "/"})
    assert response.status_code == 422 and "NUL character" in response.text
    log_in(client, org_a, Role.REVIEWER)
    for name in ("q", "source", "identifier", "substance"):
        response = client.get("/search", params={name: "x\x00"})
        assert response.status_code == 422 and "NUL character" in response.text
    [item_id] = submit(service, org_a, OFFER)
    response = client.post(
        f"/items/{item_id}/decide",
        data={"csrf": csrf_of(client), "action": "remove", "explanation": "bad\x00text"},
    )
    assert response.status_code == 422 and "NUL character" in response.text
    assert service.item_view(principal(service, org_a), item_id).decisions == []

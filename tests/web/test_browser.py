"""End to end in a real browser: Debian's Chromium, driven by Playwright, against the real app
served by uvicorn on a loopback port (on SQLite and on PostgreSQL). A reviewer logs in, opens
the queue and a flagged item, sees the evidence highlighted, decides with the keyboard, sees the
item leave the queue; an auditor then finds the decision in the audit log. Screenshots go to
``INTERDICTION_TEST_ARTIFACTS`` (default: test-artifacts/ in the checkout)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright
from service.conftest import PASSWORD, Org, make_org

from interdiction.auth.policy import Role
from interdiction.review.schemas import NoticeIn

from .helpers import OFFER, OFFER_TWIN, OTHER_OFFER, principal, submit

CHROMIUM = os.environ.get("INTERDICTION_TEST_CHROMIUM", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
# Nothing outside this machine is reachable: every host but localhost fails at once.
CHROMIUM_ARGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
    "--no-sandbox",
]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("INTERDICTION_TEST_ARTIFACTS", REPO / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def live_server(app):
    """The app served by uvicorn in a thread, on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # lifespan off: shutting this server down must not close the session-wide database.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


def log_in(page: Page, org: Org, role: Role) -> None:
    page.get_by_label("Username").fill(org.usernames[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_review_in_a_real_browser(service, live_server, page, artifacts, database_url):
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    org = make_org(service, "web")
    target, twin, other = submit(service, org, OFFER, OFFER_TWIN, OTHER_OFFER)
    # A trusted flagger's notice puts the target first in the queue.
    service.submit_notice(
        principal(service, org, Role.FLAGGER),
        NoticeIn(
            item_id=target,
            explanation="Fentanyl offered for sale with a messenger contact.",
            submitter_name="Drug Watch NGO",
            good_faith=True,
        ),
    )
    # Script errors and refused loads (a Content-Security-Policy violation shows up as a
    # console error) fail the test.
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    # Log in: the queue asks for it first and comes back after.
    page.goto(f"{live_server}/queue")
    expect(page).to_have_url(re.compile(r"/login\?next=/queue$"))
    log_in(page, org, Role.REVIEWER)
    expect(page).to_have_url(f"{live_server}/queue")
    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("trusted flagger")
    expect(rows.first).to_have_class(re.compile("is-current"))
    page.screenshot(path=artifacts / f"review-queue-{backend}.png", full_page=True)

    # Open the first (the flagged item with the notice) with the keyboard.
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/items/{target}\?pos=0$"))
    text = page.get_by_test_id("listing-text")
    expect(text).to_contain_text(OFFER)
    expect(text.locator("mark.ev-substance", has_text="fentanyl")).to_have_count(1)
    expect(text.locator("mark.ev-identifier", has_text="dealer99")).to_have_count(1)
    expect(page.get_by_role("cell", name="UN-1961 schedule I")).to_be_visible()
    expect(page.locator(f'a[href="/items/{twin}"]')).to_be_visible()  # shares the handle
    expect(page.get_by_text("Drug Watch NGO")).to_be_visible()

    # Claim (c), pick "remove" (r), write the explanation (x), decide (Ctrl+Enter). Each page
    # answers keys once its script has run: wait for that after every page load.
    keys_ready = page.locator("html[data-keys=ready]")
    expect(keys_ready).to_have_count(1)
    page.keyboard.press("c")
    expect(page.get_by_role("status")).to_contain_text("You hold this item until")
    expect(keys_ready).to_have_count(1)
    page.keyboard.press("r")
    expect(page.locator('input[name="action"][value="remove"]')).to_be_checked()
    page.keyboard.press("x")
    expect(page.locator('textarea[name="explanation"]')).to_be_focused()
    page.keyboard.type("Offers fentanyl for sale with a Wickr contact.")
    page.screenshot(path=artifacts / f"review-item-{backend}.png", full_page=True)
    page.keyboard.press("Control+Enter")

    # On to the next item, with the outcome said once.
    expect(page.get_by_role("status")).to_contain_text("Decided: Remove.")
    expect(page).to_have_url(re.compile(rf"/items/({twin}|{other})\?pos=0$"))
    page.goto(f"{live_server}/queue")
    expect(page.locator("tr.queue-row")).to_have_count(2)
    expect(page.locator(f'a[href^="/items/{target}"]')).to_have_count(0)

    # The auditor sees the decision in the audit log, and the chain holds.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    log_in(page, org, Role.AUDITOR)
    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("link", name="Verify the chain").click()
    expect(page.get_by_role("status")).to_contain_text("Chain verified")
    decision_row = page.locator("tr", has=page.locator(f'a[href="/items/{target}"]'))
    expect(decision_row.first).to_contain_text("decision.create")
    expect(decision_row.first).to_contain_text(org.usernames[Role.REVIEWER])
    expect(decision_row.first).to_contain_text("action=remove")
    page.screenshot(path=artifacts / f"review-audit-{backend}.png", full_page=True)

    # The dashboard draws its charts as inline SVG, the decision among them.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart")).to_have_count(8)
    expect(page.get_by_role("img", name="Decisions per day by action")).to_be_visible()
    page.screenshot(path=artifacts / f"dashboard-{backend}.png", full_page=True)

    assert errors == [], errors
    for name in ("review-queue", "review-item", "review-audit", "dashboard"):
        assert (artifacts / f"{name}-{backend}.png").stat().st_size > 10_000
    assert [d.action for d in service.list_decisions(principal(service, org))] == ["remove"]

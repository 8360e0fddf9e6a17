"""Logging in: no redirect to another site after login, and password guessing is throttled."""

from __future__ import annotations

import pytest
from service.conftest import PASSWORD

from interdiction.auth.policy import Role
from interdiction.review.service import LOGIN_FAILURES_ALLOWED


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_login_never_sends_a_person_to_another_site(client, org_a, target):
    response = client.post(
        "/login",
        data={"username": org_a.usernames[Role.REVIEWER], "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_password_guessing_is_throttled_and_audited(service, client, org_a):
    username = org_a.usernames[Role.ANALYST]
    for _ in range(LOGIN_FAILURES_ALLOWED):
        assert service.login(username, "wrong password", "198.51.100.7") is None
    # Even the right password is refused while the window lasts.
    assert service.login(username, PASSWORD, "198.51.100.7") is None
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 401
    admin = service.authenticate_key(org_a.keys[Role.ADMIN])
    actions = [e.action for e in service.audit_events(admin, limit=500)]
    assert "login.throttled" in actions
    # Other users are not affected.
    assert service.login(org_a.usernames[Role.REVIEWER], PASSWORD, "198.51.100.7") is not None

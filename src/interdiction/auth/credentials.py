"""Passwords (argon2id), API keys (shown once, stored as SHA-256) and login sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from interdiction.auth.policy import Principal, Role
from interdiction.settings import Settings
from interdiction.store.models import ApiKey, LoginSession, User, utcnow

KEY_PREFIX = "idk"
# A fixed hash to verify against when the user does not exist, so a wrong username takes as
# long as a wrong password (no user enumeration by timing).
_DUMMY_PASSWORD = "not-a-real-password"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Credentials:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        self._dummy_hash = self.hasher.hash(_DUMMY_PASSWORD)

    # passwords
    def hash_password(self, password: str) -> str:
        if len(password) < 10:
            raise ValueError("a password needs at least 10 characters")
        return self.hasher.hash(password)

    def check_password(self, session: Session, username: str, password: str) -> User | None:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        stored = user.password_hash if user is not None and user.password_hash else None
        try:
            self.hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None or not user.active:
            return None
        if self.hasher.check_needs_rehash(stored):
            user.password_hash = self.hasher.hash(password)
        return user

    # API keys: "idk_<prefix>_<secret>"; the prefix finds the row, the secret proves the key.
    @staticmethod
    def new_api_key(session: Session, user: User, name: str) -> tuple[ApiKey, str]:
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        key = ApiKey(
            org_id=user.org_id,
            user_id=user.id,
            name=name,
            prefix=prefix,
            secret_hash=sha256(secret),
        )
        session.add(key)
        return key, f"{KEY_PREFIX}_{prefix}_{secret}"

    @staticmethod
    def check_api_key(session: Session, presented: str) -> ApiKey | None:
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        key = session.execute(select(ApiKey).where(ApiKey.prefix == parts[1])).scalar_one_or_none()
        if key is None or key.revoked_at is not None or not key.user.active:
            return None
        if not hmac.compare_digest(key.secret_hash, sha256(parts[2])):
            return None
        return key

    # login sessions: the cookie holds a random token; the database only its hash.
    def new_session(self, session: Session, user: User) -> str:
        token = secrets.token_urlsafe(32)
        session.add(
            LoginSession(
                user_id=user.id,
                token_hash=sha256(token),
                expires_at=utcnow() + timedelta(hours=self.settings.session_hours),
            )
        )
        return token

    @staticmethod
    def check_session(session: Session, token: str) -> LoginSession | None:
        login = session.execute(
            select(LoginSession).where(LoginSession.token_hash == sha256(token))
        ).scalar_one_or_none()
        if login is None or login.revoked_at is not None or login.expires_at < utcnow():
            return None
        return login if login.user.active else None

    @staticmethod
    def csrf_token(session_token: str) -> str:
        """Bound to the login session: a form posted from another site cannot know it."""
        return hmac.new(session_token.encode(), b"csrf", hashlib.sha256).hexdigest()


def principal_of(user: User, via: str, is_person: bool) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        org_id=user.org_id,
        role=Role(user.role),
        via=via,
        is_person=is_person,
    )

"""The access policy, in one place: which role may do what, and the organisation filter that
every read and write of stored data goes through.

Rules:
- every stored object belongs to one organisation; a principal sees only its own organisation's
  objects, and another organisation's object is reported as not found (its existence is not
  revealed);
- a role grants a fixed set of permissions (below); anything else is forbidden;
- a trusted flagger or authority account submits notices and sees only its own notices and their
  outcome, never the platform's items.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    ANALYST = "analyst"
    FLAGGER = "flagger"  # trusted flagger or authority
    AUDITOR = "auditor"


class Permission(StrEnum):
    SUBMIT_ITEMS = "submit_items"
    READ_ITEMS = "read_items"
    REVIEW = "review"  # claim and decide queue items
    READ_DECISIONS = "read_decisions"
    SUBMIT_NOTICES = "submit_notices"
    READ_ALL_NOTICES = "read_all_notices"
    READ_OWN_NOTICES = "read_own_notices"
    READ_AUDIT = "read_audit"
    EXPORT_STATEMENTS = "export_statements"
    MANAGE_USERS = "manage_users"
    READ_STATS = "read_stats"


P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.REVIEWER: frozenset(
        {
            P.SUBMIT_ITEMS,
            P.READ_ITEMS,
            P.REVIEW,
            P.READ_DECISIONS,
            P.READ_ALL_NOTICES,
            P.READ_OWN_NOTICES,
            P.READ_STATS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            P.SUBMIT_ITEMS,
            P.READ_ITEMS,
            P.READ_DECISIONS,
            P.READ_ALL_NOTICES,
            P.READ_OWN_NOTICES,
            P.READ_STATS,
        }
    ),
    Role.FLAGGER: frozenset({P.SUBMIT_NOTICES, P.READ_OWN_NOTICES}),
    Role.AUDITOR: frozenset(
        {
            P.READ_ITEMS,
            P.READ_DECISIONS,
            P.READ_ALL_NOTICES,
            P.READ_OWN_NOTICES,
            P.READ_AUDIT,
            P.EXPORT_STATEMENTS,
            P.READ_STATS,
        }
    ),
}


class Forbidden(PermissionError):
    """The principal's role does not allow this."""


class NotFound(LookupError):
    """No such object in the principal's organisation."""


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    org_id: str
    role: Role
    via: str  # "session" for a person logged in, "key:<prefix>" for a machine
    is_person: bool = True

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    @property
    def actor(self) -> str:
        return f"{self.username} ({self.via})"


def require(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise Forbidden(f"role {principal.role} may not {permission.value.replace('_', ' ')}")


T = TypeVar("T")


def owned(statement: Select, model: type, principal: Principal) -> Select:
    """Restrict a query to the principal's organisation."""
    return statement.where(model.org_id == principal.org_id)


def get_owned(session: Session, model: type[T], object_id: str, principal: Principal) -> T:
    obj = session.get(model, object_id)
    if obj is None or obj.org_id != principal.org_id:
        raise NotFound(f"no {model.__name__.lower()} {object_id}")
    return obj

"""Who is asking and what they may do: credentials (passwords, API keys, login sessions) and
the one access policy every capability calls."""

from interdiction.auth.policy import (
    Forbidden,
    NotFound,
    Permission,
    Principal,
    Role,
    get_owned,
    owned,
    require,
)

__all__ = [
    "Forbidden",
    "NotFound",
    "Permission",
    "Principal",
    "Role",
    "get_owned",
    "owned",
    "require",
]

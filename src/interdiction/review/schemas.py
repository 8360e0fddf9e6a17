"""What clients send: items, notices, decisions, users and keys, validated at the edge with clear
messages. Shared by the HTTP API, the web UI and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    UrlConstraints,
    field_validator,
    model_validator,
)

from interdiction.auth.policy import Role

MAX_TEXT = 100_000
MAX_BATCH = 1000
Short = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
# As wide as the columns that keep them.
Source = Annotated[str, Field(min_length=1, max_length=100)]
Url = Annotated[HttpUrl, UrlConstraints(max_length=2000)]


def _utc(value: datetime) -> datetime:
    """In UTC (a time without a zone is taken as UTC). A time whose UTC equivalent lies outside
    years 1 to 9999 becomes the nearest one that does not, rather than failing when stored or
    compared."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.max if value.year > 1 else datetime.min).replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # PostgreSQL cannot store a NUL character in text, and no listing needs one: refused here on
    # every backend alike rather than failing in the database.
    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if _has_nul(value):
            raise ValueError("contains a NUL character (\\u0000)")
        return value


class ItemIn(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="listing or message text")
    source: Source = Field(default="api", description="where it was seen, e.g. marketplace name")
    external_id: Short | None = Field(
        default=None, description="the client's id: (source, external_id) makes a retry safe"
    )
    url: Url | None = None
    account: Short | None = Field(default=None, description="seller or poster account")
    language: Annotated[str, Field(max_length=16)] | None = None
    content_type: Annotated[str, Field(pattern="^(text|product)$")] = "text"
    content_date: UtcDatetime | None = None
    extra: dict[str, str | int | float | bool | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _text_has_content(self) -> ItemIn:
        if not self.text.strip():
            raise ValueError("text is empty")
        return self


class ItemBatchIn(Strict):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_BATCH)


class NoticeKind(StrEnum):
    NOTICE = "notice"  # DSA Art. 16
    TRUSTED_FLAGGER = "trusted_flagger"  # Art. 22
    AUTHORITY_ORDER = "authority_order"  # Art. 9


class NoticeIn(Strict):
    kind: NoticeKind = NoticeKind.TRUSTED_FLAGGER
    url: Url | None = Field(default=None, description="exact location of the content")
    item_id: Annotated[str, Field(max_length=32)] | None = None
    source: Source | None = None
    external_id: Short | None = None
    content: Annotated[str, Field(max_length=MAX_TEXT)] | None = Field(
        default=None, description="a copy of the content, screened when the item is not stored"
    )
    explanation: str = Field(min_length=10, max_length=5000, description="why it is illegal")
    legal_basis: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="law relied on (required for an authority order)"
    )
    submitter_name: Short
    submitter_email: Email | None = None
    good_faith: bool = Field(description="the submitter confirms the notice is accurate")

    @model_validator(mode="after")
    def _complete(self) -> NoticeIn:
        if not (self.url or self.item_id or (self.source and self.external_id)):
            raise ValueError("say where the content is: url, item_id, or source + external_id")
        if not self.good_faith:
            raise ValueError("a notice needs the good-faith statement (good_faith: true)")
        if self.kind == NoticeKind.AUTHORITY_ORDER and not self.legal_basis:
            raise ValueError("an authority order needs its legal_basis")
        return self


class Action(StrEnum):
    REMOVE = "remove"
    RESTRICT_VISIBILITY = "restrict_visibility"
    SUSPEND_ACCOUNT = "suspend_account"
    ESCALATE = "escalate_law_enforcement"
    NO_ACTION = "no_action"
    NEEDS_INFO = "needs_more_information"


RESTRICTING = frozenset({Action.REMOVE, Action.RESTRICT_VISIBILITY, Action.SUSPEND_ACCOUNT})


class DecisionIn(Strict):
    action: Action
    policy_ground: str = Field(
        default="Prohibited products: controlled drugs and precursors", min_length=3, max_length=500
    )
    legal_ground: Annotated[str, Field(max_length=500)] | None = None
    explanation: Annotated[str, Field(max_length=5000)] = ""
    apply_to_cluster: bool = Field(
        default=False, description="apply to every pending near-identical listing"
    )
    territorial_scope: list[Annotated[str, Field(pattern="^[A-Z]{2}$")]] = Field(
        default_factory=list, max_length=40
    )

    @model_validator(mode="after")
    def _grounds(self) -> DecisionIn:
        if self.action in RESTRICTING and not self.explanation.strip():
            raise ValueError("a restricting decision needs an explanation (statement of reasons)")
        return self


class UserIn(Strict):
    username: Annotated[str, Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
    role: Role
    display_name: Annotated[str, Field(max_length=200)] = ""
    email: Email | None = None
    password: Annotated[str, Field(min_length=10, max_length=200)] | None = None


class ApiKeyIn(Strict):
    name: Short
    user_id: Annotated[str, Field(max_length=32)] | None = Field(
        default=None, description="the user the key acts as (default: yourself)"
    )

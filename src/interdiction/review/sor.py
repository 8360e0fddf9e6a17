"""Statements of reasons (DSA Art. 17) for the EU DSA Transparency Database (Art. 24(5)), in its
API schema v2: every restricting decision becomes one statement, every statement is checked
against the schema before it leaves, and statements go out in batches of at most 100 (what the
database's "multiple" endpoint takes per call).

The mapping copies what the review log recorded (who reported the item, whether the screener
found it, whether a person decided it) and never guesses; docs/statements.md has the table.
Statements carry no personal data beyond what is needed: identifiers found in the listing and
the seller's account name are withheld from the free text, and a private person who sent an
Art. 16 notice is not named.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from interdiction.auth.policy import Principal
from interdiction.review.schemas import RESTRICTING, Action, NoticeKind
from interdiction.review.service import SOURCE_TYPE, ReviewService
from interdiction.store.models import Assessment, Decision, Item, Notice

BATCH_SIZE = 100  # the Transparency Database's multiple endpoint takes at most 100 per call
PAGE_SIZE = 1000  # decisions read from the store at a time

# ---------------------------------------------------------------------------- the v2 schema


def _values(prefix: str, names: str) -> frozenset[str]:
    return frozenset(prefix + name for name in names.split())


ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
VOLUNTARY = "SOURCE_VOLUNTARY"
DECISION_GROUNDS = frozenset({ILLEGAL, INCOMPATIBLE})
DECISION_VISIBILITIES = _values(
    "DECISION_VISIBILITY_",
    "CONTENT_REMOVED CONTENT_DISABLED CONTENT_DEMOTED CONTENT_AGE_RESTRICTED "
    "CONTENT_INTERACTION_RESTRICTED CONTENT_LABELLED OTHER",
)
DECISION_MONETARIES = _values("DECISION_MONETARY_", "SUSPENSION TERMINATION OTHER")
DECISION_PROVISIONS = _values(
    "DECISION_PROVISION_",
    "PARTIAL_SUSPENSION TOTAL_SUSPENSION PARTIAL_TERMINATION TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = _values("DECISION_ACCOUNT_", "SUSPENDED TERMINATED")
ACCOUNT_TYPES = _values("ACCOUNT_TYPE_", "BUSINESS PRIVATE")
CONTENT_TYPES = _values("CONTENT_TYPE_", "APP AUDIO IMAGE PRODUCT SYNTHETIC_MEDIA TEXT VIDEO OTHER")
SOURCE_TYPES = frozenset(
    {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", VOLUNTARY}
)
AUTOMATED_DECISIONS = _values("AUTOMATED_DECISION_", "FULLY PARTIALLY NOT_AUTOMATED")
YES_NO = frozenset({"Yes", "No"})
# The v2 categories (aligned with Implementing Regulation 2024/2835, mandatory since July 2025).
CATEGORIES = _values(
    "STATEMENT_CATEGORY_",
    "ANIMAL_WELFARE CONSUMER_INFORMATION CYBER_VIOLENCE CYBER_VIOLENCE_AGAINST_WOMEN "
    "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS ILLEGAL_OR_HARMFUL_SPEECH "
    "INTELLECTUAL_PROPERTY_INFRINGEMENTS NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS "
    "NOT_SPECIFIED_NOTICE OTHER_VIOLATION_TC PROTECTION_OF_MINORS RISK_FOR_PUBLIC_SECURITY "
    "SCAMS_AND_FRAUD SELF_HARM UNSAFE_AND_PROHIBITED_PRODUCTS VIOLENCE",
)
KEYWORDS = _values(
    "KEYWORD_",
    "ANIMAL_HARM ADULT_SEXUAL_MATERIAL AGE_SPECIFIC_RESTRICTIONS AGE_SPECIFIC_RESTRICTIONS_MINORS "
    "BIOMETRIC_DATA_BREACH BULLYING_AGAINST_GIRLS CHILD_SEXUAL_ABUSE_MATERIAL "
    "CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE CONTENT_PROMOTING_EATING_DISORDERS COORDINATED_HARM "
    "COPYRIGHT_INFRINGEMENT CYBER_BULLYING_INTIMIDATION CYBER_HARASSMENT "
    "CYBER_HARASSMENT_AGAINST_WOMEN CYBER_INCITEMENT CYBER_STALKING CYBER_STALKING_AGAINST_WOMEN "
    "DATA_FALSIFICATION DEFAMATION DESIGN_INFRINGEMENT DISCRIMINATION "
    "MISINFORMATION_DISINFORMATION FEMALE_GENDERED_DISINFORMATION "
    "GEOGRAPHIC_INDICATIONS_INFRINGEMENT GEOGRAPHICAL_REQUIREMENTS GOODS_SERVICES_NOT_PERMITTED "
    "GROOMING_SEXUAL_ENTICEMENT_MINORS HATE_SPEECH HIDDEN_ADVERTISEMENT HUMAN_EXPLOITATION "
    "HUMAN_TRAFFICKING ILLEGAL_ORGANIZATIONS IMPERSONATION_ACCOUNT_HIJACKING INAUTHENTIC_ACCOUNTS "
    "INAUTHENTIC_LISTINGS INAUTHENTIC_USER_REVIEWS INCITEMENT_AGAINST_WOMEN "
    "INCITEMENT_VIOLENCE_HATRED INSUFFICIENT_INFORMATION_ON_TRADERS LANGUAGE_REQUIREMENTS "
    "MISLEADING_INFO_CONSUMER_RIGHTS MISLEADING_INFO_GOODS_SERVICES MISSING_PROCESSING_GROUND "
    "NON_CONSENSUAL_IMAGE_SHARING NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN "
    "NON_CONSENSUAL_MATERIAL_DEEPFAKE NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN "
    "NONCOMPLIANCE_PRICING NUDITY PATENT_INFRINGEMENT PHISHING PROHIBITED_PRODUCTS "
    "PYRAMID_SCHEMES RIGHT_TO_BE_FORGOTTEN RISK_ENVIRONMENTAL_DAMAGE RISK_PUBLIC_HEALTH "
    "SELF_MUTILATION STALKING SUICIDE TERRORIST_CONTENT TRADE_SECRET_INFRINGEMENT "
    "TRADEMARK_INFRINGEMENT TRAFFICKING_WOMEN_GIRLS UNLAWFUL_SALE_ANIMALS UNSAFE_CHALLENGES "
    "UNSAFE_PRODUCTS VIOLATION_EU_LAW VIOLATION_NATIONAL_LAW OTHER",
)
# EU member states plus Iceland, Liechtenstein and Norway, as ISO 3166-1 codes (Greece is GR).
EEA_COUNTRIES = _values(
    "",
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK",
)
# ISO 639-1 language codes, in capitals as the database wants them.
LANGUAGES = _values(
    "",
    "AA AB AE AF AK AM AN AR AS AV AY AZ BA BE BG BI BM BN BO BR BS CA CE CH CO CR CS CU CV "
    "CY DA DE DV DZ EE EL EN EO ES ET EU FA FF FI FJ FO FR FY GA GD GL GN GU GV HA HE HI HO "
    "HR HT HU HY HZ IA ID IE IG II IK IO IS IT IU JA JV KA KG KI KJ KK KL KM KN KO KR KS KU "
    "KV KW KY LA LB LG LI LN LO LT LU LV MG MH MI MK ML MN MR MS MT MY NA NB ND NE NG NL NN "
    "NO NR NV NY OC OJ OM OR OS PA PI PL PS PT QU RM RN RO RU RW SA SC SD SE SG SI SK SL SM "
    "SN SO SQ SR SS ST SU SV SW TA TE TG TH TI TK TL TN TO TR TS TT TW TY UG UK UR UZ VE VI "
    "VO WA WO XH YI YO ZA ZH ZU",
)

REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)
RESTRICTIONS = (
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
)
ONE_OF: dict[str, frozenset[str]] = {
    "decision_monetary": DECISION_MONETARIES,
    "decision_provision": DECISION_PROVISIONS,
    "decision_account": DECISION_ACCOUNTS,
    "account_type": ACCOUNT_TYPES,
    "decision_ground": DECISION_GROUNDS,
    "incompatible_content_illegal": YES_NO,
    "category": CATEGORIES,
    "content_language": LANGUAGES,
    "source_type": SOURCE_TYPES,
    "automated_detection": YES_NO,
    "automated_decision": AUTOMATED_DECISIONS,
}
MANY_OF: dict[str, frozenset[str]] = {
    "decision_visibility": DECISION_VISIBILITIES,
    "content_type": CONTENT_TYPES,
    "category_addition": CATEGORIES,
    "category_specification": KEYWORDS,
    "territorial_scope": EEA_COUNTRIES,
}
TEXT_LIMITS = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "category_specification_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
}
LATEST_DATE = date(2038, 1, 1)
DATES: dict[str, date | None] = {  # field -> earliest date allowed
    "content_date": date(2000, 1, 1),
    "application_date": date(2020, 1, 1),
    "end_date_account_restriction": None,
    "end_date_monetary_restriction": None,
    "end_date_service_restriction": None,
    "end_date_visibility_restriction": None,
}
GROUND_FIELDS = {
    ILLEGAL: ("illegal_content_legal_ground", "illegal_content_explanation"),
    INCOMPATIBLE: (
        "incompatible_content_ground",
        "incompatible_content_explanation",
        "incompatible_content_illegal",
    ),
}
GROUND_REQUIRED = {
    ILLEGAL: GROUND_FIELDS[ILLEGAL],
    INCOMPATIBLE: GROUND_FIELDS[INCOMPATIBLE][:2],  # "is it also illegal?" is optional
}
# "..._other" text: the field, the choice that calls for it, and whether that choice needs it.
OTHER_TEXT = {
    "decision_visibility_other": ("decision_visibility", "DECISION_VISIBILITY_OTHER", True),
    "decision_monetary_other": ("decision_monetary", "DECISION_MONETARY_OTHER", True),
    "content_type_other": ("content_type", "CONTENT_TYPE_OTHER", True),
    "category_specification_other": ("category_specification", "KEYWORD_OTHER", False),
}
KNOWN_FIELDS = frozenset(
    {*REQUIRED, *RESTRICTIONS, *ONE_OF, *MANY_OF, *TEXT_LIMITS, *DATES, "content_id"}
)
PUID = re.compile(r"[A-Za-z0-9_-]+")
YMD = re.compile(r"\d{4}-\d{2}-\d{2}")
EAN13 = re.compile(r"\d{13}")

# ---------------------------------------------------------------------------- our decisions

RESTRICTION_OF_ACTION: dict[Action, dict[str, Any]] = {
    Action.REMOVE: {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"]},
    Action.RESTRICT_VISIBILITY: {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_DEMOTED"]},
    Action.SUSPEND_ACCOUNT: {"decision_account": "DECISION_ACCOUNT_SUSPENDED"},
}
SOURCE_TYPE_OF = {
    "voluntary": VOLUNTARY,
    "notice": "SOURCE_ARTICLE_16",
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "order": "SOURCE_TYPE_OTHER_NOTIFICATION",
}
# Trusted flaggers and authorities are organisations and are named; whoever sent an Art. 16
# notice may be a private person, and Art. 24(5) forbids personal data in the database.
NAMED_SOURCES = frozenset({"trusted_flagger", "order"})
AUTOMATED_DECISION_OF = {
    "fully": "AUTOMATED_DECISION_FULLY",
    "partially": "AUTOMATED_DECISION_PARTIALLY",
    "not": "AUTOMATED_DECISION_NOT_AUTOMATED",
}
CONTENT_TYPE_OF = {"text": "CONTENT_TYPE_TEXT", "product": "CONTENT_TYPE_PRODUCT"}
CATEGORY = "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
CATEGORY_KEYWORDS = ("KEYWORD_PROHIBITED_PRODUCTS",)
NOTICE_CIRCUMSTANCES = {
    NoticeKind.NOTICE: "Reported in a notice under DSA Art. 16 received on {date}.",
    NoticeKind.TRUSTED_FLAGGER: "Reported by a trusted flagger (DSA Art. 22) on {date}.",
    NoticeKind.AUTHORITY_ORDER: "Ordered by an authority (DSA Art. 9) on {date}.",
}
WITHHELD = "[withheld]"


def statement_of(decision: Decision, item: Item, notice: Notice | None) -> dict[str, Any]:
    """The v2 statement of reasons for a restricting decision on ``item``, answering
    ``notice`` (None when the platform acted on its own). Fields without a value are left out.
    """
    action = Action(decision.action)
    if action not in RESTRICTING:
        raise ValueError(f"decision {decision.id} ({action}) restricts nothing: no statement due")
    assessment = item.assessments[-1] if item.assessments else None
    explanation = _withhold(decision.explanation.strip(), _personal_values(item, assessment))
    statement: dict[str, Any] = dict(RESTRICTION_OF_ACTION[action])
    if decision.legal_ground:
        statement |= {
            "decision_ground": ILLEGAL,
            "illegal_content_legal_ground": decision.legal_ground,
            "illegal_content_explanation": _clip(explanation, 2000),
        }
    else:
        statement |= {
            "decision_ground": INCOMPATIBLE,
            "incompatible_content_ground": decision.policy_ground,
            "incompatible_content_explanation": _clip(explanation, 2000),
            # No legal ground was given, so the decision does not claim the content is illegal.
            "incompatible_content_illegal": "No",
        }
    content_type = CONTENT_TYPE_OF.get(item.content_type, "CONTENT_TYPE_OTHER")
    statement["content_type"] = [content_type]
    if content_type == "CONTENT_TYPE_OTHER":
        statement["content_type_other"] = item.content_type
    statement |= {
        "category": CATEGORY,
        "category_specification": list(CATEGORY_KEYWORDS),
        "content_date": _ymd(item.content_date or item.created_at),
        "application_date": _ymd(decision.created_at),
        "decision_facts": _facts(explanation, decision, notice, assessment),
        # Unknown log values pass through unchanged, so the validator names them.
        "source_type": SOURCE_TYPE_OF.get(decision.source_type, decision.source_type),
        "automated_detection": "Yes" if decision.automated_detection else "No",
        "automated_decision": AUTOMATED_DECISION_OF.get(
            decision.automated_decision, decision.automated_decision
        ),
        "puid": decision.id,  # unique: one statement per decision
    }
    if decision.source_type in NAMED_SOURCES and decision.source_identity:
        statement["source_identity"] = decision.source_identity
    if decision.territorial_scope:
        statement["territorial_scope"] = sorted(set(decision.territorial_scope))
    language = _language(item.language)
    if language:
        statement["content_language"] = language
    return statement


def provenance_problems(decision: Decision, notice: Notice | None) -> list[str]:
    """Where the decision's recorded source or automation disagrees with the review log (the
    notice it answered, the cluster it was applied from): such a statement would misreport."""
    problems = []
    if notice is not None:
        expected = SOURCE_TYPE[NoticeKind(notice.kind)]
        if decision.source_type != expected:
            problems.append(
                f"source_type: the decision says {decision.source_type!r}, but the notice it "
                f"answers ({notice.id}) is a {notice.kind}, which makes it {expected!r}"
            )
    elif decision.source_type != "voluntary":
        problems.append(
            f"source_type: the decision says {decision.source_type!r} but answers no notice"
        )
    if decision.cluster_of and decision.automated_decision == "not":
        problems.append(
            "automated_decision: the decision was applied from another item's decision "
            f"({decision.cluster_of}), so it cannot be 'not automated'"
        )
    return problems


def _personal_values(item: Item, assessment: Assessment | None) -> set[str]:
    """The contact handles, phone numbers, wallets ... found in the listing, and the seller's
    account name: kept out of the statement's free text."""
    values = {item.account or ""}
    if assessment is not None:
        for det in assessment.detections:
            if det.kind == "identifier":
                values |= {det.text, det.value or ""}
    return {v for v in values if len(v.strip()) >= 3}


def _withhold(text: str, values: set[str]) -> str:
    if not values:
        return text
    pattern = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.sub(pattern, WITHHELD, text, flags=re.IGNORECASE)


def _facts(
    explanation: str, decision: Decision, notice: Notice | None, assessment: Assessment | None
) -> str:
    """The reviewer's explanation first (it is the statement's core and survives clipping),
    then how the item came to review, then what the screener found."""
    parts = [explanation, _circumstances(decision, notice), _evidence(assessment)]
    return _clip("\n\n".join(p for p in parts if p), TEXT_LIMITS["decision_facts"])


def _circumstances(decision: Decision, notice: Notice | None) -> str:
    if notice is not None:
        text = NOTICE_CIRCUMSTANCES[NoticeKind(notice.kind)].format(date=_ymd(notice.created_at))
        if notice.kind == NoticeKind.AUTHORITY_ORDER and notice.legal_basis:
            text += f" Legal basis stated in the order: {notice.legal_basis}."
    elif decision.automated_detection:
        text = "Found by the platform's automated screening."
    else:
        text = "Found by the platform on its own initiative."
    if decision.cluster_of:
        text += (
            " Decided together with a near-identical listing: a reviewer's decision on that "
            "listing was applied to this one."
        )
    return text


def _evidence(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    lines = [
        f"Automated screening ({assessment.model}): label {assessment.label}, "
        f"risk {assessment.risk:.2f}."
    ]
    substances = [_substance(s) for s in assessment.substances]
    if substances:
        lines.append("Substances named: " + "; ".join(substances) + ".")
    trade = sorted({d.value for d in assessment.detections if d.kind == "trade" and d.value})
    if trade:
        lines.append("Trade signals: " + ", ".join(trade) + ".")
    identifiers = Counter(
        str(d.attrs.get("type", "other")) for d in assessment.detections if d.kind == "identifier"
    )
    if identifiers:
        found = ", ".join(f"{n} {kind}" for kind, n in sorted(identifiers.items()))
        lines.append(f"Contact or payment identifiers (values withheld): {found}.")
    return "\n".join(lines)


def _substance(summary: Mapping[str, Any]) -> str:
    details = [str(summary["class"])] if summary.get("class") else []
    controls = [f"{c['regime']} {c['schedule']}".strip() for c in summary.get("controls") or []]
    if controls:
        details.append(", ".join(controls))
    name = str(summary.get("name", summary.get("id", "?")))
    return f"{name} ({'; '.join(details)})" if details else name


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ymd(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _language(code: str | None) -> str | None:
    """ "en", "en-GB" or "EN" -> "EN"; a code outside ISO 639-1 is left out (not known)."""
    primary = re.split(r"[-_]", code or "")[0].upper()
    return primary if primary in LANGUAGES else None


# ---------------------------------------------------------------------------- validation


def validate(statement: Mapping[str, Any]) -> list[str]:
    """Every way ``statement`` breaks the v2 schema (required fields, allowed values, lengths,
    dates, cross-field rules), each as "field: what is wrong". Empty when it may be sent."""
    problems = [
        f"{name}: not a field of the Transparency Database v2 schema"
        for name in sorted(set(statement) - KNOWN_FIELDS)
    ]
    problems += [f"{name}: required" for name in REQUIRED if _blank(statement.get(name))]
    for name, allowed in ONE_OF.items():
        value = statement.get(name)
        if value is not None and not (isinstance(value, str) and value in allowed):
            problems.append(f"{name}: {value!r} is not {_allowed(allowed)}")
    for name, allowed in MANY_OF.items():
        problems += _check_list(name, statement.get(name), allowed)
    for name, limit in TEXT_LIMITS.items():
        value = statement.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{name}: must be text, not {type(value).__name__}")
        elif len(value) > limit:
            problems.append(f"{name}: {len(value)} characters, at most {limit} allowed")
    problems += _check_dates(statement)
    problems += _check_cross_fields(statement)
    puid = statement.get("puid")
    if isinstance(puid, str) and puid and not PUID.fullmatch(puid):
        problems.append(f"puid: {puid!r} may hold only letters, digits, '-' and '_'")
    content_id = statement.get("content_id")
    if content_id is not None and not (
        isinstance(content_id, Mapping)
        and set(content_id) == {"EAN-13"}
        and EAN13.fullmatch(str(content_id["EAN-13"]))
    ):
        problems.append('content_id: must be {"EAN-13": "<13 digits>"}')
    return problems


def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _allowed(allowed: frozenset[str]) -> str:
    if len(allowed) <= 8:
        return "one of " + ", ".join(sorted(allowed))
    return f"one of the {len(allowed)} values the v2 schema allows (docs/statements.md)"


def _check_list(name: str, value: Any, allowed: frozenset[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"{name}: must be a list, not {type(value).__name__}"]
    problems = [
        f"{name}: {v!r} is not {_allowed(allowed)}"
        for v in value
        if not (isinstance(v, str) and v in allowed)
    ]
    if len({repr(v) for v in value}) != len(value):
        problems.append(f"{name}: lists a value twice")
    return problems


def _check_dates(statement: Mapping[str, Any]) -> list[str]:
    problems = []
    parsed: dict[str, date] = {}
    for name, earliest in DATES.items():
        value = statement.get(name)
        if value is None:
            continue
        try:
            if not (isinstance(value, str) and YMD.fullmatch(value)):
                raise ValueError
            day = date.fromisoformat(value)
        except ValueError:
            problems.append(f"{name}: {value!r} is not a date written YYYY-MM-DD")
            continue
        if earliest and day < earliest:
            problems.append(f"{name}: {value} is before {earliest.isoformat()}")
        elif day > LATEST_DATE:
            problems.append(f"{name}: {value} is after {LATEST_DATE.isoformat()}")
        parsed[name] = day
    applied = parsed.get("application_date")
    for name, day in parsed.items():
        if name.startswith("end_date_") and applied and day < applied:
            problems.append(f"{name}: {day.isoformat()} is before the application_date")
    return problems


def _check_cross_fields(statement: Mapping[str, Any]) -> list[str]:
    problems = []
    if all(_blank(statement.get(name)) for name in RESTRICTIONS):
        problems.append(
            "restriction: at least one of decision_visibility, decision_monetary, "
            "decision_provision or decision_account is required"
        )
    ground = statement.get("decision_ground")
    if ground in GROUND_FIELDS:
        problems += [
            f"{name}: required when decision_ground is {ground}"
            for name in GROUND_REQUIRED[ground]
            if _blank(statement.get(name))
        ]
        other = INCOMPATIBLE if ground == ILLEGAL else ILLEGAL
        problems += [
            f"{name}: only allowed when decision_ground is {other}"
            for name in GROUND_FIELDS[other]
            if name in statement
        ]
    if statement.get("source_type") == VOLUNTARY and "source_identity" in statement:
        problems.append(
            "source_identity: must be left out when source_type is SOURCE_VOLUNTARY "
            "(no one reported the content)"
        )
    for name, (choice_field, choice, needed) in OTHER_TEXT.items():
        chosen = statement.get(choice_field)
        selected = choice in chosen if isinstance(chosen, list) else chosen == choice
        if selected and needed and _blank(statement.get(name)):
            problems.append(f"{name}: required when {choice_field} is {choice}")
        elif not selected and name in statement:
            problems.append(f"{name}: only allowed when {choice_field} is {choice}")
    return problems


# ---------------------------------------------------------------------------- export


@dataclass
class StatementExport:
    """Statements that passed every check, in decision order, and the decisions whose
    statements did not, with the reasons. Nothing is dropped without being listed here."""

    statements: list[dict[str, Any]] = field(default_factory=list)
    invalid: dict[str, list[str]] = field(default_factory=dict)  # decision id -> problems
    puids: set[str] = field(default_factory=set)  # every puid exported, to keep them unique
    exported: int = 0

    def add(self, decision: Decision, item: Item, notice: Notice | None) -> bool:
        """Map and check one decision; True when its statement passed and was kept."""
        statement = statement_of(decision, item, notice)
        problems = provenance_problems(decision, notice) + validate(statement)
        puid = statement.get("puid")
        if puid in self.puids:
            problems.append(f"puid: {puid!r} is already used by another statement in this export")
        if problems:
            self.invalid[decision.id] = problems
            return False
        self.statements.append(statement)
        self.puids.add(puid)
        self.exported += 1
        return True

    def take_batches(self, partial: bool) -> list[dict[str, list[dict[str, Any]]]]:
        """Remove and return the statements as batches of ``BATCH_SIZE`` (the database's
        multiple-endpoint body); the last, shorter one only when ``partial``."""
        whole = len(self.statements) // BATCH_SIZE * BATCH_SIZE
        end = len(self.statements) if partial else whole
        batches = [
            {"statements": self.statements[start : start + BATCH_SIZE]}
            for start in range(0, end, BATCH_SIZE)
        ]
        del self.statements[:end]
        return batches

    def audit_details(self) -> dict[str, Any]:
        digest = hashlib.sha256("\n".join(sorted(self.puids)).encode()).hexdigest()
        return {
            "exported": self.exported,
            "invalid": len(self.invalid),
            "invalid_decisions": sorted(self.invalid)[:100],
            "puids_sha256": digest,  # which statements left, without listing them all
        }


@dataclass
class StatementPage:
    batches: list[dict[str, list[dict[str, Any]]]]
    exported: int
    invalid: dict[str, list[str]]
    total: int  # restricting decisions in the window, on all pages


@dataclass
class ExportSummary:
    path: Path
    batches: int
    exported: int
    invalid: dict[str, list[str]]
    marked: int  # decisions marked exported (0 unless asked)

    @property
    def problems(self) -> list[str]:
        return [f"decision {d}: {p}" for d, found in self.invalid.items() for p in found]


class MarkExportedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision_ids: list[
        Annotated[str, Field(min_length=1, max_length=32, pattern="^[0-9a-f]+$")]
    ] = Field(
        min_length=1,
        max_length=10_000,
        description="the decisions (= statement puids) the Transparency Database accepted",
    )


def export_page(
    service: ReviewService,
    principal: Principal,
    *,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    include_exported: bool = False,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> StatementPage:
    """One page of statements (``limit`` decisions from ``offset``) as batches of at most 100,
    for the API. Audited; nothing is marked exported (``service.mark_exported`` does that once
    the database has accepted them)."""
    rows, total = service.statement_sources(
        principal, _utc(since), _utc(until), include_exported, limit, offset
    )
    export = StatementExport()
    for decision, item, notice in rows:
        export.add(decision, item, notice)
    service.record_event(
        principal,
        "statements.export",
        **_window(since, until, include_exported),
        **export.audit_details(),
        via="api",
        offset=offset,
    )
    return StatementPage(export.take_batches(partial=True), export.exported, export.invalid, total)


def export_statements(
    service: ReviewService,
    principal: Principal,
    out: Path,
    *,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    include_exported: bool = False,
    mark_exported: bool = False,
) -> ExportSummary:
    """Write every statement due (restricting decisions made in [since, until), not yet
    exported unless ``include_exported``) to ``out`` as JSON lines, one batch of at most 100 per
    line, each line a body for the database's multiple endpoint. The file appears complete or
    not at all. With ``mark_exported`` the exported decisions are then marked, so the next run
    skips them; without it a re-run writes the same statements again. Audited."""
    out = Path(out)
    export = StatementExport()
    exported_ids: list[str] = []
    batches = 0
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            offset = 0
            while True:
                rows, _total = service.statement_sources(
                    principal, _utc(since), _utc(until), include_exported, PAGE_SIZE, offset
                )
                for decision, item, notice in rows:
                    if export.add(decision, item, notice):
                        exported_ids.append(decision.id)
                last_page = len(rows) < PAGE_SIZE
                for batch in export.take_batches(partial=last_page):
                    stream.write(orjson.dumps(batch) + b"\n")
                    batches += 1
                if last_page:
                    break
                offset += PAGE_SIZE
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    marked = service.mark_exported(principal, exported_ids) if mark_exported else 0
    service.record_event(
        principal,
        "statements.export",
        **_window(since, until, include_exported),
        **export.audit_details(),
        via="file",
        batches=batches,
        marked=marked,
    )
    return ExportSummary(out, batches, export.exported, export.invalid, marked)


def _utc(moment: datetime | date | None) -> datetime | None:
    """A date means its midnight, UTC; a datetime without a zone is taken as UTC."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time.min)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-14:00 lies past the calendar's end in UTC
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


def _window(
    since: datetime | date | None, until: datetime | date | None, include_exported: bool
) -> dict[str, Any]:
    return {
        "since": _utc(since).isoformat() if since else None,
        "until": _utc(until).isoformat() if until else None,
        "include_exported": include_exported,
    }

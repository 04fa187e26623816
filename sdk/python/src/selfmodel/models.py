"""The v1 wire format as a vendor sees it: what the server answers (frozen dataclasses, checked
against ``docs/openapi.json`` by the contract test) and what a vendor sends.

Field names are the JSON names. Answers ignore fields this version does not know.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Self

from .checkpoint import SignedCheckpoint
from .secret import PollSecret, Token


class Operation(enum.StrEnum):
    """What a grant allows besides its purposes and categories."""

    READ = "read"
    """Read beliefs."""
    READ_EVIDENCE = "read_evidence"
    """Also receive the evidence behind them."""
    PROPOSE = "propose"
    """Propose new beliefs to the person's inbox."""


class Sensitivity(enum.StrEnum):
    """How sensitive data may be: ``special`` is GDPR Art. 9 data (health, ...), granted only
    explicitly."""

    NORMAL = "normal"
    SPECIAL = "special"


class EvidenceKind(enum.StrEnum):
    """How a piece of evidence came about."""

    STATED = "stated"
    OBSERVED = "observed"
    INFERRED = "inferred"
    IMPORTED = "imported"


class ProposalStatus(enum.StrEnum):
    """Where a filed proposal stands."""

    PENDING = "pending"
    """In the person's inbox until they accept or reject it."""


class _OpenEnum(enum.StrEnum):
    """An enum a later server may add values to: values this version does not know read as its
    ``OTHER`` member."""

    @classmethod
    def _missing_(cls, value: object) -> Self:
        return cls["OTHER"]


class Origin(_OpenEnum):
    """Who brought a belief into the vault (which vendor is never said). Origins this version
    does not know read as ``OTHER``."""

    PERSON = "person"
    VENDOR = "vendor"
    IMPORT = "import"
    SYSTEM = "system"
    OTHER = "other"
    """An origin this version does not know."""


class EventKind(_OpenEnum):
    """What a notice is about. Kinds this version does not know read as ``OTHER``."""

    BELIEF_RECTIFIED = "belief.rectified"
    """A belief the vendor received was rectified: read it again."""
    BELIEF_ERASED = "belief.erased"
    """A belief the vendor received was erased: erase your copy."""
    GRANT_REVOKED = "grant.revoked"
    """The grant was revoked: stop using what it disclosed."""
    OTHER = "other"
    """A kind this version does not know."""


class PollStatus(enum.StrEnum):
    """Where a grant request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


# ---- answers -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VendorInfo:
    """Who the vendor is (self-asserted; shown to the person as such)."""

    id: str
    """The vendor's own id for itself, e.g. ``com.example.notes``."""
    name: str
    """Display name."""
    url: str | None = None
    """Its web site."""


@dataclass(frozen=True, kw_only=True)
class Consent:
    """The consent record of a grant, in the shape of ISO/IEC TS 27560."""

    id: str
    subject: str
    recipient: VendorInfo
    purposes: list[str]
    data_categories: list[str]
    operations: list[Operation]
    special_categories: bool
    notice: str
    """The notice shown (the vendor's justification)."""
    recipient_retention_days: int
    given_at: datetime
    expires_at: datetime
    method: str


@dataclass(frozen=True, kw_only=True)
class Grant:
    """A grant as its holder sees it."""

    id: str
    vendor: VendorInfo
    purposes: list[str]
    """Purposes reads may name."""
    categories: list[str]
    """Belief types that may be disclosed."""
    operations: list[Operation]
    max_sensitivity: Sensitivity
    min_confidence: float
    origins: list[str]
    """Browser origins allowed to use it."""
    fresh_only: bool
    """Only beliefs the person confirmed within their type's review interval are disclosed."""
    vendor_retention_days: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    consent: Consent

    def allows(self, operation: Operation) -> bool:
        """Whether the grant allows an operation."""
        return operation in self.operations


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """Evidence behind a belief (only under a grant with ``read_evidence``)."""

    kind: EvidenceKind
    source: str
    summary: str
    observed_at: datetime


@dataclass(frozen=True, kw_only=True)
class Belief:
    """A disclosed belief."""

    id: str
    statement: str
    category: str
    """Its type."""
    confidence: float
    """In [0, 1]."""
    purposes: list[str]
    sensitivity: Sensitivity
    origin: Origin
    """Who brought it into the vault."""
    updated_at: datetime
    confirmed_at: datetime | None = None
    """When the person last confirmed it is true; ``None`` if never."""
    review_overdue: bool
    """Its type's review interval has passed since then: it may no longer be true."""
    evidence: list[Evidence] | None = None
    """Present only under a grant with ``read_evidence``."""


@dataclass(frozen=True, kw_only=True)
class BeliefPage:
    """One page of ``GET /v1/beliefs``."""

    grant_id: str
    purpose: str
    beliefs: list[Belief]
    next: str | None = None
    """The cursor of the next page; ``None`` on the last. A page may be short, even empty, and
    still have a next one."""


@dataclass(frozen=True, kw_only=True)
class ProposalReceipt:
    """A filed proposal."""

    id: str
    """The new belief's id."""
    status: ProposalStatus


@dataclass(frozen=True, kw_only=True)
class Event:
    """A notice to a recipient (GDPR Art. 19)."""

    seq: int
    """Cursor position."""
    at: datetime
    kind: EventKind
    belief_id: str | None = None
    """The belief concerned, if any."""


@dataclass(frozen=True, kw_only=True)
class Events:
    """``GET /v1/events``."""

    events: list[Event]
    """Oldest first."""
    cursor: int
    """Pass as ``after`` next time."""


@dataclass(frozen=True, kw_only=True)
class PendingGrant:
    """A filed grant request: show ``user_code`` to the person, then poll."""

    request_id: str
    """The person approves it as ``selfmodel grant approve REQUEST_ID``."""
    user_code: str
    """The code the person matches in Selfmodel."""
    poll_secret: PollSecret
    expires_at: datetime
    interval: float
    """Seconds to wait between polls."""


@dataclass(frozen=True, kw_only=True)
class Approval:
    """An approved grant: the bearer token (handed over this once) and the grant, possibly
    narrowed by the person."""

    token: Token
    grant: Grant
    checkpoint: SignedCheckpoint | None = None
    """The vault's signed audit checkpoint at approval, checked against the pinned key: the first
    receipt to keep. ``None`` if the server sent none or one that does not verify (the token is
    handed over once, so the approval is not refused for it)."""


# ---- requests ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GrantRequest:
    """``POST /v1/grant-requests``: what a vendor asks the person for."""

    vendor: VendorInfo
    justification: str
    """Why, in plain words for the person."""
    purposes: list[str]
    """Purposes its reads will name (``selfmodel purposes``)."""
    categories: list[str]
    """Belief types it wants (``selfmodel types``)."""
    operations: list[Operation] = field(default_factory=lambda: [Operation.READ])
    max_sensitivity: Sensitivity | None = None
    """Highest sensitivity wanted (the server's default: normal)."""
    min_confidence: float | None = None
    """Never disclose beliefs below this confidence."""
    origins: list[str] = field(default_factory=list)
    """Browser origins that will call the API (exact, e.g. ``https://app.example``)."""
    fresh_only: bool = False
    """Only beliefs the person confirmed within their type's review interval, in every read."""
    duration_days: int = 30
    """For how many days (1 to 365)."""
    vendor_retention_days: int = 0
    """How long the vendor keeps what it reads, in days (shown to the person, recorded)."""


@dataclass(frozen=True, kw_only=True)
class BeliefQuery:
    """What to read: a purpose (required) and optional filters and paging."""

    purpose: str
    """The purpose the beliefs will be used for."""
    category: str | None = None
    min_confidence: float | None = None
    q: str | None = None
    """Only beliefs whose statement contains this text, ignoring case (at most 200
    characters)."""
    fresh: bool = False
    """Leave out beliefs overdue for review."""
    after: str | None = None
    """Start after this cursor (a page's ``next``)."""
    limit: int | None = None
    """Page size (server default 100, at most 500)."""

    def params(self) -> list[tuple[str, str]]:
        """The query parameters this read is sent with."""
        pairs = [("purpose", self.purpose)]
        if self.category is not None:
            pairs.append(("category", self.category))
        if self.min_confidence is not None:
            pairs.append(("min_confidence", repr(float(self.min_confidence))))
        if self.q is not None:
            pairs.append(("q", self.q))
        if self.fresh:
            pairs.append(("fresh", "true"))
        if self.after is not None:
            pairs.append(("after", self.after))
        if self.limit is not None:
            pairs.append(("limit", str(self.limit)))
        return pairs


@dataclass(frozen=True, kw_only=True)
class EvidenceIn:
    """Evidence a vendor offers with a proposal."""

    kind: EvidenceKind
    source: str
    summary: str
    """At most 280 characters; no raw data."""
    observed_at: datetime | None = None
    """When observed (the server's default: now). Needs a time zone."""
    content_sha256: str | None = None
    """SHA-256 (hex) of the raw source the summary was made from."""


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """``POST /v1/beliefs/proposals``: a belief for the person's inbox."""

    statement: str
    """What the vendor believes, in one sentence."""
    category: str
    """Its type (must be granted)."""
    confidence: float
    purposes: list[str] = field(default_factory=list)
    """Purposes (must be granted; none: the grant's purposes that the type allows)."""
    evidence: list[EvidenceIn] = field(default_factory=list)

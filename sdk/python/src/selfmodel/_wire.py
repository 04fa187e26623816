"""Wire shapes the client reads or sends but does not hand to vendors as such (the identity proof,
the grant flow's answers, errors). Secrets are typed as secrets from the moment they are read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .checkpoint import SignedCheckpoint
from .models import Grant, PollStatus
from .secret import PollSecret, Token


@dataclass(frozen=True, kw_only=True)
class ProofIn:
    """``POST /v1/server-proof``: a challenge, 32 random bytes in hex."""

    nonce: str


@dataclass(frozen=True, kw_only=True)
class ProofOut:
    """The server's identity proof: its key and its signature over the challenge."""

    public_key: str
    signature: str


@dataclass(frozen=True, kw_only=True)
class GrantRequestOut:
    """The answer to a grant request."""

    request_id: str
    user_code: str
    poll_secret: PollSecret
    expires_at: datetime
    interval: int


@dataclass(frozen=True, kw_only=True)
class PollIn:
    """``POST /v1/grant-requests/poll``."""

    poll_secret: PollSecret


@dataclass(frozen=True, kw_only=True)
class PollOut:
    """Where a grant request stands; on approval, the token (exactly once)."""

    status: PollStatus
    token: Token | None = None
    grant: Grant | None = None
    checkpoint: SignedCheckpoint | None = None


@dataclass(frozen=True, kw_only=True)
class ProblemBody:
    """An error's stable code and message."""

    code: str
    message: str


@dataclass(frozen=True, kw_only=True)
class Problem:
    """An error answer."""

    error: ProblemBody

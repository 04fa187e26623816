"""The requests of API v1, built without I/O: what the sync and async clients send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from . import _codec, _wire
from .models import BeliefQuery, GrantRequest, PendingGrant, Proposal

MAX_WAIT = 25
"""The longest long poll the server allows, in seconds."""


@dataclass(frozen=True)
class Call:
    """One request of the API, before it is sent."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    body: Any = field(default=None, repr=False)
    """The JSON body (it may hold a poll secret: never shown)."""
    wait: float = 0.0
    """Seconds the server may hold the answer back (a long poll), on top of the timeout."""


def proof_call(nonce: bytes) -> Call:
    return Call("POST", "/v1/server-proof", body=_codec.encode(_wire.ProofIn(nonce=nonce.hex())))


def grant_request_call(request: GrantRequest) -> Call:
    return Call("POST", "/v1/grant-requests", body=_codec.encode(request))


def poll_call(pending: PendingGrant) -> Call:
    body = _codec.encode(_wire.PollIn(poll_secret=pending.poll_secret))
    return Call("POST", "/v1/grant-requests/poll", body=body)


GRANT = Call("GET", "/v1/grant")
GIVE_UP = Call("DELETE", "/v1/grant")


def beliefs_call(query: BeliefQuery) -> Call:
    return Call("GET", "/v1/beliefs", query=tuple(query.params()))


def belief_call(belief_id: str, purpose: str) -> Call:
    path = "/v1/beliefs/" + quote(belief_id, safe="")
    return Call("GET", path, query=(("purpose", purpose),))


def proposal_call(proposal: Proposal) -> Call:
    return Call("POST", "/v1/beliefs/proposals", body=_codec.encode(proposal))


def events_call(after: int, wait: float) -> Call:
    seconds = max(0, min(int(wait), MAX_WAIT))
    query = (("after", str(after)), ("wait", str(seconds)))
    return Call("GET", "/v1/events", query=query, wait=float(seconds))


def checkpoint_call(seq: int | None) -> Call:
    return Call("GET", "/v1/checkpoint", query=() if seq is None else (("seq", str(seq)),))


def as_query(q: BeliefQuery | str) -> BeliefQuery:
    """A query for a bare purpose, or the query itself."""
    return BeliefQuery(purpose=q) if isinstance(q, str) else q

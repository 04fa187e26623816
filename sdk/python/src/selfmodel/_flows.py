"""What each call of the clients does, written once as a flow: a generator that yields the I/O it
needs (an HTTP request to send, a pause to sleep) and is handed back the response, or the error
the I/O raised. :class:`selfmodel.Client` runs flows over ``httpx.Client``,
:class:`selfmodel.AsyncClient` over ``httpx.AsyncClient``."""

from __future__ import annotations

import logging
import os
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

import httpx

from . import _answers, _base, _calls, _codec
from ._base import ClientBase
from ._calls import Call
from .checkpoint import Consistency, SignedCheckpoint
from .errors import (
    DeniedError,
    LockedError,
    NotFoundError,
    RateLimitedError,
    RequestExpiredError,
    SelfmodelError,
    ServerNotTrustedError,
    TransportError,
    UnavailableError,
)
from .models import (
    Approval,
    Belief,
    BeliefPage,
    BeliefQuery,
    Events,
    Grant,
    GrantRequest,
    PendingGrant,
    PollStatus,
    Proposal,
    ProposalReceipt,
)
from .secret import Token

log = logging.getLogger(__name__)

T = TypeVar("T")
AnyClient: TypeAlias = ClientBase[Any]
"""The sync or the async client a flow runs for."""


@dataclass(frozen=True)
class Sleep:
    """A pause of ``seconds``."""

    seconds: float


Step: TypeAlias = httpx.Request | Sleep
"""What a flow asks of its client: send a request (it is handed back the read response), or
sleep (it is handed back ``None``)."""
Flow: TypeAlias = Generator[Step, Any, T]


class Steps(Generic[T]):
    """A flow being run: the client takes each step and hands back what came of it."""

    result: T
    """What the flow returned, once :meth:`next` has said it is done."""

    def __init__(self, flow: Flow[T]) -> None:
        self._flow = flow
        self._outcome: Any = None
        self._failure: Exception | None = None

    def next(self) -> Step | None:
        """The flow's next step, or ``None`` once it has returned."""
        outcome, failure = self._outcome, self._failure
        self._outcome, self._failure = None, None
        try:
            if failure is not None:
                return self._flow.throw(failure)
            return self._flow.send(outcome)
        except StopIteration as done:
            self.result = done.value
            return None

    def took(self, outcome: httpx.Response | None) -> None:
        """The step went through: the response read, or ``None`` after a sleep."""
        self._outcome = outcome

    def failed(self, error: Exception) -> None:
        """The step raised ``error``: it is raised in the flow, where the step was asked for."""
        self._failure = error


# ---- exchanges -------------------------------------------------------------------------------


def send(client: AnyClient, call: Call, token: Token | None) -> Flow[Any]:
    """One exchange: the answer's JSON, or the typed error of a refusal or a failed connection."""
    try:
        response = yield client._request(call, token)
    except httpx.TransportError as e:
        client._trust.lost()  # whoever answers next must prove itself again
        raise TransportError(f"{call.method} {call.path}: {e}") from None
    if token is not None:
        client._trust.extend()  # the connection that carried the secret still leads to it
    return _answers.read_answer(response, call.path)


def authed(client: AnyClient, call: Call) -> Flow[Any]:
    """An exchange under the client's token, with a server that has proved itself."""
    token = client._needs_token()
    yield from verified(client)
    return (yield from send(client, call, token))


# ---- finding and trusting the server ---------------------------------------------------------


def verify_server(client: AnyClient) -> Flow[None]:
    """The server signs a fresh 32-byte nonce, checked against the pinned key; a busy server
    (429, or 503 with ``Retry-After``) is asked again a few times."""
    nonce = os.urandom(32)
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = yield from send(client, _calls.proof_call(nonce), None)
            break
        except (RateLimitedError, UnavailableError) as e:
            passes = isinstance(e, RateLimitedError) or e.retry_after is not None
            if not passes or attempt >= _base.PROOF_ATTEMPTS:
                raise
            yield Sleep(min(e.retry_after or _base.MAX_PROOF_WAIT, _base.MAX_PROOF_WAIT))
        except (TransportError, LockedError):
            raise
        except SelfmodelError as e:
            raise ServerNotTrustedError(client.url, f"no valid identity proof ({e})") from None
    _answers.check_proof(answer, client.server_key, nonce, client.url)
    client._trust.proved()
    log.debug("the server at %s proved its identity", client.url)


def verified(client: AnyClient) -> Flow[None]:
    """The server proves itself again unless its last proof still holds."""
    if not client._trust.valid():
        yield from verify_server(client)


# ---- the grant flow --------------------------------------------------------------------------


def request_grant(client: AnyClient, request: GrantRequest) -> Flow[PendingGrant]:
    yield from verified(client)
    answer = yield from send(client, _calls.grant_request_call(request), None)
    return _answers.pending_grant(answer)


def poll_once(client: AnyClient, pending: PendingGrant) -> Flow[Approval | PollStatus]:
    yield from verified(client)
    answer = yield from send(client, _calls.poll_call(pending), None)
    return _answers.poll_result(answer, client.server_key)


def wait_for_approval(client: AnyClient, pending: PendingGrant) -> Flow[Approval]:
    """Polls at the server's interval, 5 s slower after each 429, until the person decides."""
    interval = pending.interval
    while True:
        try:
            status = yield from poll_once(client, pending)
        except RateLimitedError as e:
            interval += _base.SLOW_DOWN
            log.debug("polling too fast; now every %.0f s", interval)
            yield Sleep(e.retry_after or 0.0)
        else:
            if isinstance(status, Approval):
                return status
            if status is PollStatus.DENIED:
                raise DeniedError()
            if status is PollStatus.EXPIRED:
                raise RequestExpiredError()
        yield Sleep(interval)


# ---- calls under a grant ---------------------------------------------------------------------


def grant(client: AnyClient) -> Flow[Grant]:
    return _codec.decode(Grant, (yield from authed(client, _calls.GRANT)))


def give_up(client: AnyClient) -> Flow[None]:
    yield from authed(client, _calls.GIVE_UP)


def beliefs(client: AnyClient, query: BeliefQuery | str) -> Flow[BeliefPage]:
    answer = yield from authed(client, _calls.beliefs_call(_calls.as_query(query)))
    return _codec.decode(BeliefPage, answer)


def belief(client: AnyClient, belief_id: str, purpose: str) -> Flow[Belief]:
    answer = yield from authed(client, _calls.belief_call(belief_id, purpose))
    return _codec.decode(Belief, answer)


def propose(client: AnyClient, proposal: Proposal) -> Flow[ProposalReceipt]:
    answer = yield from authed(client, _calls.proposal_call(proposal))
    return _codec.decode(ProposalReceipt, answer)


def events(client: AnyClient, after: int, wait: float) -> Flow[Events]:
    return _codec.decode(Events, (yield from authed(client, _calls.events_call(after, wait))))


def checkpoint(client: AnyClient, seq: int | None) -> Flow[SignedCheckpoint]:
    answer = yield from authed(client, _calls.checkpoint_call(seq))
    return _answers.checked_checkpoint(answer, client.server_key, seq)


def check_receipt(client: AnyClient, receipt: SignedCheckpoint) -> Flow[Consistency]:
    """The receipt against the vault's current statement of its event, else against the latest
    checkpoint (a vault that no longer has the event was rolled back)."""
    receipt.verify(client.server_key)
    try:
        current = yield from checkpoint(client, receipt.seq)
    except NotFoundError:
        current = yield from checkpoint(client, None)
    return receipt.compare(current)

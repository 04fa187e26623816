"""The synchronous client: the server proves its identity first; then the grant flow and the
calls a grant allows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from time import sleep
from types import TracebackType
from typing import Self, TypeVar

import httpx

from . import _base, _calls, _flows
from .checkpoint import Consistency, SignedCheckpoint
from .discovery import Discovery
from .identity import ServerKey
from .models import (
    Approval,
    Belief,
    BeliefPage,
    BeliefQuery,
    Event,
    Events,
    Grant,
    GrantRequest,
    PendingGrant,
    PollStatus,
    Proposal,
    ProposalReceipt,
)
from .secret import Token
from .state import VendorState

T = TypeVar("T")


class Client(_base.ClientBase[httpx.Client]):
    """A vendor's handle on one Selfmodel server.

    Before a call that carries a secret (poll secret or token) the client makes the server sign a
    fresh random challenge and checks it against the pinned key; a server that fails is refused
    with :class:`ServerNotTrustedError` and sees no secret. The check is repeated after a
    connection failure and after 2 s without a successful exchange (the server may have stopped
    and another process taken its port). Nothing is sent until the first call.

    Use it as a context manager, or :meth:`close` it. Clients made with :meth:`with_token` share
    its connections: closing one closes them all.
    """

    def _connections(self) -> httpx.Client:
        transport = httpx.HTTPTransport(uds=self._unix_socket, trust_env=False)
        return httpx.Client(transport=transport, **self._http_options())

    # ---- finding and trusting the server ---------------------------------------------------

    @classmethod
    def pair(
        cls, discovery: Discovery, *, unix_socket: bool = False, timeout: float = 30.0
    ) -> tuple[Self, ServerKey]:
        """Pairs with the server a discovery file names (trust on first use): checks that it
        proves the file's key, and returns the client with that key, which the vendor stores and
        passes to :meth:`connect` or :meth:`from_discovery` from then on."""
        key = discovery.server_key()
        client = cls.from_discovery(discovery, key, unix_socket=unix_socket, timeout=timeout)
        client._verified_or_closed()
        return client, key

    @classmethod
    def connect(
        cls,
        url: str,
        pinned: ServerKey,
        *,
        token: Token | None = None,
        unix_socket: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ) -> Self:
        """Connects to ``url`` and checks that the server proves it holds ``pinned``."""
        client = cls(url, pinned, token=token, unix_socket=unix_socket, timeout=timeout)
        client._verified_or_closed()
        return client

    @classmethod
    def from_state(
        cls,
        discovery: Discovery,
        state: VendorState,
        *,
        unix_socket: bool = False,
        timeout: float = 30.0,
    ) -> Self:
        """Trust on first use with the vendor's stored state: pairs when ``state`` pins no key yet
        (and pins the key the server proved into it: save the state), else insists on the pinned
        key (:class:`ServerKeyChangedError` if the discovery file names another). The client
        holds the state's token, if it has one."""
        key = _base.key_to_trust(discovery, state)
        client = cls.from_discovery(discovery, key, unix_socket=unix_socket, timeout=timeout)
        client._verified_or_closed()
        return client._holding(state)

    def _verified_or_closed(self) -> None:
        try:
            self.verify_server()
        except BaseException:
            self.close()
            raise

    def verify_server(self) -> None:
        """Makes the server sign a fresh 32-byte nonce and checks the signature against the
        pinned key. Sends no secret. A busy server (429) is asked again a few times."""
        self._run(_flows.verify_server(self))

    # ---- the grant flow --------------------------------------------------------------------

    def request_grant(self, request: GrantRequest) -> PendingGrant:
        """Asks the person for a grant. Show ``user_code`` to the person, then poll."""
        return self._run(_flows.request_grant(self, request))

    def poll_once(self, pending: PendingGrant) -> Approval | PollStatus:
        """Polls a grant request once: the :class:`Approval` (with the token, handed over only
        this once), else where the request stands (pending, denied or expired)."""
        return self._run(_flows.poll_once(self, pending))

    def wait_for_approval(self, pending: PendingGrant) -> Approval:
        """Polls until the person decides, waiting the server's interval between polls (5 s more
        after each 429, as asked). Denial and expiry raise :class:`DeniedError` and
        :class:`RequestExpiredError`."""
        return self._run(_flows.wait_for_approval(self, pending))

    # ---- calls under a grant ---------------------------------------------------------------

    def grant(self) -> Grant:
        """The grant this client's token stands for."""
        return self._run(_flows.grant(self))

    def give_up(self) -> None:
        """Gives the grant up: the token stops working at once."""
        self._run(_flows.give_up(self))

    def beliefs(self, query: BeliefQuery | str) -> BeliefPage:
        """One page of beliefs for a declared purpose (a query, or just the purpose)."""
        return self._run(_flows.beliefs(self, query))

    def pages(self, query: BeliefQuery | str) -> BeliefPages:
        """The pages of a purpose-bound read, following the server's cursor."""
        return BeliefPages(self, _calls.as_query(query))

    def iter_beliefs(self, query: BeliefQuery | str) -> Iterator[Belief]:
        """Every belief of a purpose-bound read, fetched page by page as the iteration goes."""
        for page in self.pages(query):
            yield from page.beliefs

    def all_beliefs(self, query: BeliefQuery | str) -> list[Belief]:
        """Every belief of a purpose-bound read, all pages."""
        return list(self.iter_beliefs(query))

    def belief(self, belief_id: str, purpose: str) -> Belief:
        """One belief for a declared purpose (:class:`NotFoundError` if it is not disclosable
        under the grant)."""
        return self._run(_flows.belief(self, belief_id, purpose))

    def propose(self, proposal: Proposal) -> ProposalReceipt:
        """Proposes a belief; it waits in the person's inbox until they accept or reject it."""
        return self._run(_flows.propose(self, proposal))

    def events(self, after: int = 0, wait: float = 0.0) -> Events:
        """Notices after cursor ``after``, waiting up to ``wait`` seconds (at most 25) for one."""
        return self._run(_flows.events(self, after, wait))

    def follow_events(self, cursor: int = 0) -> EventFeed:
        """A feed of notices after ``cursor`` (0 for all; store the feed's cursor to resume)."""
        return EventFeed(self, cursor)

    def checkpoint(self, seq: int | None = None) -> SignedCheckpoint:
        """The vault's signed audit checkpoint: the latest, or its current statement of event
        ``seq``; checked against the pinned key (:class:`InvalidCheckpointError` otherwise)."""
        return self._run(_flows.checkpoint(self, seq))

    def check_receipt(self, receipt: SignedCheckpoint) -> Consistency:
        """Checks a receipt (a checkpoint kept earlier) against what the vault states now. A vault
        that no longer has the receipt's event answers with its latest, which shows the rollback."""
        return self._run(_flows.check_receipt(self, receipt))

    # ---- plumbing --------------------------------------------------------------------------

    def _run(self, flow: _flows.Flow[T]) -> T:
        """Runs a flow: sends its requests over this client's connections, sleeps its pauses."""
        steps = _flows.Steps(flow)
        while (step := steps.next()) is not None:
            try:
                if isinstance(step, _flows.Sleep):
                    sleep(step.seconds)
                    steps.took(None)
                else:
                    response = self._http.send(step)
                    response.read()
                    steps.took(response)
            except Exception as e:
                steps.failed(e)
        return steps.result

    def close(self) -> None:
        """Closes the connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class BeliefPages(_base.PageCursor["Client"], Iterator[BeliefPage]):
    """The pages of a purpose-bound read. A page may be short, even empty, and be followed by
    more; the iteration ends after the page without a ``next`` cursor."""

    def __next__(self) -> BeliefPage:
        if (query := self._query) is None:
            raise StopIteration
        return self._advanced(query, self._client.beliefs(query))


class EventFeed(_base.FeedCursor["Client"]):
    """A feed of notices (a long poll with a cursor)."""

    def next_batch(self, wait: float = _calls.MAX_WAIT) -> list[Event]:
        """The next notices, waiting up to ``wait`` seconds (at most 25) for one; empty if none
        came. The cursor moves past what is returned."""
        return self._advanced(self._client.events(self.cursor, wait))

"""The asynchronous client: the same calls as :class:`selfmodel.Client`, awaited (asyncio)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
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


class AsyncClient(_base.ClientBase[httpx.AsyncClient]):
    """A vendor's asynchronous handle on one Selfmodel server; see :class:`selfmodel.Client` for
    how the server is made to prove its identity before any secret is sent.

    Use it as an async context manager, or :meth:`aclose` it. Clients made with
    :meth:`with_token` share its connections: closing one closes them all.
    """

    def _connections(self) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(uds=self._unix_socket, trust_env=False)
        return httpx.AsyncClient(transport=transport, **self._http_options())

    # ---- finding and trusting the server ---------------------------------------------------

    @classmethod
    async def pair(
        cls, discovery: Discovery, *, unix_socket: bool = False, timeout: float = 30.0
    ) -> tuple[Self, ServerKey]:
        """Pairs with the server a discovery file names (trust on first use); store the key."""
        key = discovery.server_key()
        client = cls.from_discovery(discovery, key, unix_socket=unix_socket, timeout=timeout)
        await client._verified_or_closed()
        return client, key

    @classmethod
    async def connect(
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
        await client._verified_or_closed()
        return client

    @classmethod
    async def from_state(
        cls,
        discovery: Discovery,
        state: VendorState,
        *,
        unix_socket: bool = False,
        timeout: float = 30.0,
    ) -> Self:
        """Trust on first use with the vendor's stored state; see
        :meth:`selfmodel.Client.from_state`."""
        key = _base.key_to_trust(discovery, state)
        client = cls.from_discovery(discovery, key, unix_socket=unix_socket, timeout=timeout)
        await client._verified_or_closed()
        return client._holding(state)

    async def _verified_or_closed(self) -> None:
        try:
            await self.verify_server()
        except BaseException:
            await self.aclose()
            raise

    async def verify_server(self) -> None:
        """Makes the server sign a fresh 32-byte nonce and checks the signature against the
        pinned key. Sends no secret. A busy server (429) is asked again a few times."""
        await self._run(_flows.verify_server(self))

    # ---- the grant flow --------------------------------------------------------------------

    async def request_grant(self, request: GrantRequest) -> PendingGrant:
        """Asks the person for a grant. Show ``user_code`` to the person, then poll."""
        return await self._run(_flows.request_grant(self, request))

    async def poll_once(self, pending: PendingGrant) -> Approval | PollStatus:
        """Polls a grant request once: the :class:`Approval`, else where the request stands."""
        return await self._run(_flows.poll_once(self, pending))

    async def wait_for_approval(self, pending: PendingGrant) -> Approval:
        """Polls until the person decides, waiting the server's interval between polls (5 s more
        after each 429, as asked). Denial and expiry raise :class:`DeniedError` and
        :class:`RequestExpiredError`."""
        return await self._run(_flows.wait_for_approval(self, pending))

    # ---- calls under a grant ---------------------------------------------------------------

    async def grant(self) -> Grant:
        """The grant this client's token stands for."""
        return await self._run(_flows.grant(self))

    async def give_up(self) -> None:
        """Gives the grant up: the token stops working at once."""
        await self._run(_flows.give_up(self))

    async def beliefs(self, query: BeliefQuery | str) -> BeliefPage:
        """One page of beliefs for a declared purpose (a query, or just the purpose)."""
        return await self._run(_flows.beliefs(self, query))

    def pages(self, query: BeliefQuery | str) -> AsyncBeliefPages:
        """The pages of a purpose-bound read, following the server's cursor."""
        return AsyncBeliefPages(self, _calls.as_query(query))

    async def iter_beliefs(self, query: BeliefQuery | str) -> AsyncIterator[Belief]:
        """Every belief of a purpose-bound read, fetched page by page as the iteration goes."""
        async for page in self.pages(query):
            for belief in page.beliefs:
                yield belief

    async def all_beliefs(self, query: BeliefQuery | str) -> list[Belief]:
        """Every belief of a purpose-bound read, all pages."""
        return [belief async for belief in self.iter_beliefs(query)]

    async def belief(self, belief_id: str, purpose: str) -> Belief:
        """One belief for a declared purpose (:class:`NotFoundError` if it is not disclosable
        under the grant)."""
        return await self._run(_flows.belief(self, belief_id, purpose))

    async def propose(self, proposal: Proposal) -> ProposalReceipt:
        """Proposes a belief; it waits in the person's inbox until they accept or reject it."""
        return await self._run(_flows.propose(self, proposal))

    async def events(self, after: int = 0, wait: float = 0.0) -> Events:
        """Notices after cursor ``after``, waiting up to ``wait`` seconds (at most 25) for one."""
        return await self._run(_flows.events(self, after, wait))

    def follow_events(self, cursor: int = 0) -> AsyncEventFeed:
        """A feed of notices after ``cursor`` (0 for all; store the feed's cursor to resume)."""
        return AsyncEventFeed(self, cursor)

    async def checkpoint(self, seq: int | None = None) -> SignedCheckpoint:
        """The vault's signed audit checkpoint: the latest, or its current statement of event
        ``seq``; checked against the pinned key (:class:`InvalidCheckpointError` otherwise)."""
        return await self._run(_flows.checkpoint(self, seq))

    async def check_receipt(self, receipt: SignedCheckpoint) -> Consistency:
        """Checks a receipt (a checkpoint kept earlier) against what the vault states now."""
        return await self._run(_flows.check_receipt(self, receipt))

    # ---- plumbing --------------------------------------------------------------------------

    async def _run(self, flow: _flows.Flow[T]) -> T:
        """Runs a flow: sends its requests over this client's connections, sleeps its pauses."""
        steps = _flows.Steps(flow)
        while (step := steps.next()) is not None:
            try:
                if isinstance(step, _flows.Sleep):
                    await asyncio.sleep(step.seconds)
                    steps.took(None)
                else:
                    response = await self._http.send(step)
                    await response.aread()
                    steps.took(response)
            except Exception as e:
                steps.failed(e)
        return steps.result

    async def aclose(self) -> None:
        """Closes the connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncBeliefPages(_base.PageCursor["AsyncClient"], AsyncIterator[BeliefPage]):
    """The pages of a purpose-bound read (``async for``); ends after the page without ``next``."""

    async def __anext__(self) -> BeliefPage:
        if (query := self._query) is None:
            raise StopAsyncIteration
        return self._advanced(query, await self._client.beliefs(query))


class AsyncEventFeed(_base.FeedCursor["AsyncClient"]):
    """A feed of notices (a long poll with a cursor)."""

    async def next_batch(self, wait: float = _calls.MAX_WAIT) -> list[Event]:
        """The next notices, waiting up to ``wait`` seconds (at most 25) for one; empty if none
        came. The cursor moves past what is returned."""
        return self._advanced(await self._client.events(self.cursor, wait))

"""What a client is, apart from how it sends: the server's URL (loopback only), its pinned key,
the token, and until when the server's last identity proof holds; and where its paged reads and
feeds of notices stand."""

from __future__ import annotations

import copy
import ipaddress
import os
import time
from dataclasses import replace
from typing import Any, Generic, Self, TypeVar

import httpx

from ._calls import Call
from .discovery import Discovery
from .errors import ConfigError, ServerKeyChangedError
from .identity import ServerKey
from .models import BeliefPage, BeliefQuery, Event, Events
from .secret import Token
from .state import VendorState

PROOF_ATTEMPTS = 3
"""How often the identity proof is asked for while the server answers 429 (busy)."""
MAX_PROOF_WAIT = 2.0
"""The longest wait, in seconds, between two such attempts."""
SLOW_DOWN = 5.0
"""Seconds added to the poll interval after a 429 (RFC 8628 ``slow_down``)."""
REVERIFY_AFTER = 2.0
"""After this many seconds without a successful exchange, the server proves itself again
before the next secret is sent: a pooled connection may have been dropped and the port taken."""
CONNECT_TIMEOUT = 5.0
"""Seconds to connect."""


H = TypeVar("H", bound="httpx.Client | httpx.AsyncClient")
"""The httpx client a client sends with."""
C = TypeVar("C")
"""The sync or async client a cursor reads with."""


def loopback_url(url: str) -> httpx.URL:
    """The URL, if it is plain http on a loopback address; the API listens nowhere else."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ConfigError(f"{url!r} is not a URL") from None
    host = parsed.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parsed.scheme != "http" or not loopback:
        raise ConfigError(
            f"{url!r} is not a loopback http URL; the Selfmodel API only listens on this machine"
        )
    return parsed


def socket_of(discovery: Discovery, unix_socket: bool) -> str | None:
    """The discovery file's Unix socket when it is asked for."""
    if not unix_socket:
        return None
    if discovery.unix_socket is None:
        raise ConfigError(
            "the discovery file offers no Unix socket (`selfmodel serve --no-socket`?)"
        )
    return discovery.unix_socket


def pinned_key(discovery: Discovery, pinned: ServerKey) -> None:
    """Refuses a discovery file that names another key than the pinned one."""
    named = discovery.server_key()
    if named != pinned:
        raise ServerKeyChangedError(discovery.url, pinned=pinned.hex(), named=named.hex())


def key_to_trust(discovery: Discovery, state: VendorState) -> ServerKey:
    """The key the vendor's state pins, else (trust on first use) the one the discovery file
    names."""
    return discovery.server_key() if state.server_key is None else state.server_key


class Trust:
    """Until when the last identity proof, extended by each exchange that carried a secret,
    holds. Shared by the clients made from one another with ``with_token``."""

    def __init__(self) -> None:
        self._until: float | None = None

    def valid(self) -> bool:
        return self._until is not None and time.monotonic() < self._until

    def proved(self) -> None:
        self._until = time.monotonic() + REVERIFY_AFTER

    def lost(self) -> None:
        self._until = None

    def extend(self) -> None:
        if self._until is not None:
            self.proved()


class ClientBase(Generic[H]):
    """The state of a client: the server, its pinned key, the token, the trust in the server and
    the connections."""

    _http: H

    def __init__(
        self,
        url: str,
        key: ServerKey,
        *,
        token: Token | None = None,
        unix_socket: str | os.PathLike[str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        """A client for the server at ``url`` (e.g. ``http://127.0.0.1:7420``) that must prove it
        holds ``key``; over the server's Unix socket if one is given."""
        self._url = loopback_url(url)
        self._key = key
        self._token = token
        self._unix_socket = None if unix_socket is None else os.fspath(unix_socket)
        self._timeout = timeout
        self._trust = Trust()
        self._http = self._connections()

    def _connections(self) -> H:
        """The httpx client this client sends with (no connection is opened yet)."""
        raise NotImplementedError

    @classmethod
    def from_discovery(
        cls,
        discovery: Discovery,
        pinned: ServerKey,
        *,
        token: Token | None = None,
        unix_socket: bool = False,
        timeout: float = 30.0,
    ) -> Self:
        """A client for the server a discovery file names, trusting the key pinned at pairing:
        :class:`ServerKeyChangedError` if the file names another. ``unix_socket``: talk over the
        socket the file offers instead of TCP."""
        pinned_key(discovery, pinned)
        socket = socket_of(discovery, unix_socket)
        return cls(discovery.url, pinned, token=token, unix_socket=socket, timeout=timeout)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return str(self._url)

    @property
    def server_key(self) -> ServerKey:
        """The pinned server key."""
        return self._key

    def with_token(self, token: Token) -> Self:
        """The same client (same connections, same trust in the server) holding ``token``."""
        other = copy.copy(self)
        other._token = token
        return other

    def _holding(self, state: VendorState) -> Self:
        """This client, once the server has proved itself, for the vendor's state: the proved key
        is pinned into the state if it pinned none yet, and the client holds the state's token,
        if it has one."""
        if state.server_key is None:
            state.server_key = self._key
        return self if state.token is None else self.with_token(state.token)

    def _http_options(self) -> dict[str, Any]:
        """Options of the httpx client: no proxy or other settings from the environment, no
        redirects."""
        return {
            "base_url": self._url,
            "trust_env": False,
            "follow_redirects": False,
            "timeout": httpx.Timeout(self._timeout, connect=CONNECT_TIMEOUT),
        }

    def _request(self, call: Call, token: Token | None) -> httpx.Request:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token.expose()}"
        return self._http.build_request(
            call.method,
            call.path,
            params=call.query,
            json=call.body,
            headers=headers,
            timeout=httpx.Timeout(self._timeout + call.wait, connect=CONNECT_TIMEOUT),
        )

    def _needs_token(self) -> Token:
        if self._token is None:
            raise ConfigError("this call needs a token; use with_token")
        return self._token

    def __repr__(self) -> str:
        via = f", unix_socket={self._unix_socket!r}" if self._unix_socket else ""
        return (
            f"{type(self).__name__}(url={self.url!r}, key={self._key.hex()!r}{via}, "
            f"has_token={self._token is not None})"
        )


class PageCursor(Generic[C]):
    """Where a purpose-bound read stands: the query of its next page, ``None`` after the last."""

    def __init__(self, client: C, query: BeliefQuery) -> None:
        self._client = client
        self._query: BeliefQuery | None = query

    def _advanced(self, query: BeliefQuery, page: BeliefPage) -> BeliefPage:
        """The page read with ``query``, once the cursor has moved on to the query of the next
        page (none after the page without a ``next`` cursor)."""
        self._query = None if page.next is None else replace(query, after=page.next)
        return page


class FeedCursor(Generic[C]):
    """Where a feed of notices stands (a long poll with a cursor)."""

    def __init__(self, client: C, cursor: int) -> None:
        self._client = client
        self.cursor = cursor
        """Where the feed is: store it to resume with ``follow_events``."""

    def _advanced(self, out: Events) -> list[Event]:
        """The notices of ``out``, once the cursor has moved past them."""
        self.cursor = max(self.cursor, out.cursor)
        return out.events

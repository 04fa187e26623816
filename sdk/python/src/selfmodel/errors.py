"""Typed errors: what the server refused (with its stable ``code`` and HTTP status), and what went
wrong on the way.

Every refusal by the server is an :class:`ApiError` subclass chosen by its code (e.g.
:class:`RevokedError` for ``token_revoked``), else by its status (e.g. :class:`ForbiddenError`).
"""

from __future__ import annotations


class SelfmodelError(Exception):
    """Any error of this SDK."""


class DiscoveryError(SelfmodelError):
    """The discovery file is missing, unreadable, malformed or not private."""


class ConfigError(SelfmodelError):
    """The client was set up wrongly (a non-loopback URL, a call that needs a token without one)."""


class TransportError(SelfmodelError):
    """The server could not be reached, or the connection failed."""


class ProtocolError(SelfmodelError):
    """The server answered something this client does not understand."""


class InvalidCheckpointError(SelfmodelError):
    """A signed checkpoint is malformed, does not verify, or is signed by another key than the
    pinned one."""


class ServerNotTrustedError(SelfmodelError):
    """The server could not prove it holds the pinned identity key (a port squatter, another
    vault, a tampered discovery file). Nothing secret was sent to it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the server at {url} is not the trusted Selfmodel server: {reason}")
        self.url = url
        self.reason = reason


class ServerKeyChangedError(ServerNotTrustedError):
    """The discovery file names another key than the one pinned at pairing: another vault, or
    someone posing as the server. Pair again only if the person says the vault changed."""

    def __init__(self, url: str, pinned: str, named: str) -> None:
        super().__init__(url, f"the discovery file names key {named}, not the pinned {pinned}")
        self.pinned = pinned
        self.named = named


class DeniedError(SelfmodelError):
    """The person denied the grant request."""

    def __init__(self) -> None:
        super().__init__("the person denied the grant request")


class RequestExpiredError(SelfmodelError):
    """Nobody decided on the grant request in time."""

    def __init__(self) -> None:
        super().__init__("the grant request expired before the person decided")


class ApiError(SelfmodelError):
    """An error response from the server: HTTP ``status``, stable machine-readable ``code``, a
    ``message`` for people, and ``retry_after``: the server's ``Retry-After`` in seconds, if it
    sent one (a 429, or a 503 whose cause passes)."""

    status_code: int | None = None
    """The HTTP status this class stands for (``None``: any)."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class BadRequestError(ApiError):
    """400, 413, 415: the request was malformed; the message names the field."""

    status_code = 400


class UnauthorizedError(ApiError):
    """401: the token or poll secret is missing, malformed or unknown."""

    status_code = 401


class InvalidTokenError(UnauthorizedError):
    """401 ``invalid_token``: the server does not know this token."""


class InvalidPollSecretError(UnauthorizedError):
    """401 ``invalid_poll_secret``: the server does not know this grant request."""


class RevokedError(UnauthorizedError):
    """401 ``token_revoked``: the person (or the vendor) revoked the grant. Stop using what it
    disclosed, and ask anew if needed."""


class TokenExpiredError(UnauthorizedError):
    """401 ``token_expired``: the grant ran out."""


class ForbiddenError(ApiError):
    """403: the grant does not cover this."""

    status_code = 403


class PurposeNotGrantedError(ForbiddenError):
    """403 ``purpose_not_granted``: the purpose named is not in the grant."""


class CategoryNotGrantedError(ForbiddenError):
    """403 ``category_not_granted``: the belief type is not in the grant."""


class OperationNotGrantedError(ForbiddenError):
    """403 ``operation_not_granted``: the grant does not allow this operation."""


class OriginNotAllowedError(ForbiddenError):
    """403 ``origin_not_allowed``: the browser origin is not one the grant lists."""


class WebVendorsOffError(ForbiddenError):
    """403 ``web_vendors_off``: the person has not let web pages ask for grants."""


class NotFoundError(ApiError):
    """404: no such belief under this grant and purpose, or no such endpoint."""

    status_code = 404


class ConflictError(ApiError):
    """409: the request conflicts with the state of the vault."""

    status_code = 409


class GoneError(ApiError):
    """410: gone for good."""

    status_code = 410


class TokenAlreadyIssuedError(GoneError):
    """410 ``token_already_issued``: this request's token was handed over already."""


class LockedError(ApiError):
    """423 ``vault_locked``: the person's vault is locked; try again later."""

    status_code = 423


class PausedError(LockedError):
    """423 ``paused``: the person paused all sharing. Nothing was revoked; the grant works again
    when they resume. Try again later."""


class RateLimitedError(ApiError):
    """429: slow down; ``retry_after`` says for how long, if the server said."""

    status_code = 429


class TooManyPendingError(RateLimitedError):
    """429 ``too_many_pending``: too many grant requests wait for the person already."""


class TooManyProposalsError(RateLimitedError):
    """429 ``too_many_proposals``: too many of this grant's proposals wait in the inbox."""


class ServerError(ApiError):
    """5xx, or any other unexpected status."""


class UnavailableError(ServerError):
    """503: the vault could not serve or log the request, so nothing was served. Safe to try
    again: after ``retry_after`` when the server says the cause passes (``unavailable``,
    ``busy``)."""

    status_code = 503


_BY_CODE: dict[str, type[ApiError]] = {
    "invalid_token": InvalidTokenError,
    "invalid_poll_secret": InvalidPollSecretError,
    "token_revoked": RevokedError,
    "token_expired": TokenExpiredError,
    "purpose_not_granted": PurposeNotGrantedError,
    "category_not_granted": CategoryNotGrantedError,
    "operation_not_granted": OperationNotGrantedError,
    "origin_not_allowed": OriginNotAllowedError,
    "web_vendors_off": WebVendorsOffError,
    "token_already_issued": TokenAlreadyIssuedError,
    "too_many_pending": TooManyPendingError,
    "too_many_proposals": TooManyProposalsError,
    "paused": PausedError,
}

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    413: BadRequestError,
    415: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    423: LockedError,
    429: RateLimitedError,
    503: UnavailableError,
}


def api_error(status: int, code: str, message: str, retry_after: float | None) -> ApiError:
    """The typed error for a refusal: by its code when the status agrees, else by its status."""
    cls = _BY_CODE.get(code)
    if cls is None or cls.status_code != status:
        cls = _BY_STATUS.get(status, ServerError)
    return cls(status, code, message, retry_after)

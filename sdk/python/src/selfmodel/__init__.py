"""Vendor SDK for Selfmodel's local API (v1).

A person keeps their self-model in a vault on their own machine; vendors get scoped, revocable,
purpose-bound grants to it through a local HTTP API. This package is the vendor's side:

1. **Find and trust the server.** :meth:`Discovery.load_default` reads the discovery file the
   server writes; :meth:`Client.pair` checks that the server proves possession of the identity
   key named there (a signed challenge) and hands back that :class:`ServerKey` to store (or let
   :meth:`Client.from_state` keep it in a :class:`StateFile`). Later sessions insist on that key:
   a server that cannot prove it is refused with :class:`ServerNotTrustedError` before any token
   or poll secret is sent.
2. **Ask for a grant** (:meth:`Client.request_grant`): show the person the user code, then
   :meth:`Client.wait_for_approval`. The bearer :class:`Token` is handed over exactly once.
3. **Use it**: :meth:`Client.iter_beliefs` for a declared purpose (every page),
   :meth:`Client.belief`, :meth:`Client.propose`, :meth:`Client.follow_events` for notices of
   rectification, erasure and revocation (act on them: GDPR Art. 19), and
   :meth:`Client.give_up` when done.
4. **Keep receipts.** The approval carries the vault's signed audit checkpoint;
   :meth:`Client.check_receipt` later tells whether the vault was rolled back or its history
   rewritten.

Every refusal arrives as a typed :class:`ApiError` carrying the server's stable ``code``.
:class:`AsyncClient` offers the same calls for asyncio.
"""

from .aio import AsyncBeliefPages, AsyncClient, AsyncEventFeed
from .checkpoint import (
    CHECKPOINT_CONTEXT,
    Consistency,
    Consistent,
    Rewritten,
    RolledBack,
    SignedCheckpoint,
    Undecided,
    checkpoint_message,
)
from .client import BeliefPages, Client, EventFeed
from .discovery import Discovery
from .errors import (
    ApiError,
    BadRequestError,
    CategoryNotGrantedError,
    ConfigError,
    ConflictError,
    DeniedError,
    DiscoveryError,
    ForbiddenError,
    GoneError,
    InvalidCheckpointError,
    InvalidPollSecretError,
    InvalidTokenError,
    LockedError,
    PausedError,
    NotFoundError,
    OperationNotGrantedError,
    OriginNotAllowedError,
    ProtocolError,
    PurposeNotGrantedError,
    RateLimitedError,
    RequestExpiredError,
    RevokedError,
    SelfmodelError,
    ServerError,
    ServerKeyChangedError,
    ServerNotTrustedError,
    TokenAlreadyIssuedError,
    TokenExpiredError,
    TooManyPendingError,
    TooManyProposalsError,
    TransportError,
    UnauthorizedError,
    UnavailableError,
    WebVendorsOffError,
)
from .identity import PROOF_CONTEXT, ServerKey, proof_message
from .models import (
    Approval,
    Belief,
    BeliefPage,
    BeliefQuery,
    Consent,
    Event,
    EventKind,
    Origin,
    Events,
    Evidence,
    EvidenceIn,
    EvidenceKind,
    Grant,
    GrantRequest,
    Operation,
    PendingGrant,
    PollStatus,
    Proposal,
    ProposalReceipt,
    ProposalStatus,
    Sensitivity,
    VendorInfo,
)
from .secret import PollSecret, Secret, Token
from .state import StateError, StateFile, VendorState

__version__ = "0.1.0"

__all__ = [
    "CHECKPOINT_CONTEXT",
    "PROOF_CONTEXT",
    "ApiError",
    "Approval",
    "AsyncBeliefPages",
    "AsyncClient",
    "AsyncEventFeed",
    "BadRequestError",
    "Belief",
    "BeliefPage",
    "BeliefPages",
    "BeliefQuery",
    "CategoryNotGrantedError",
    "Client",
    "ConfigError",
    "ConflictError",
    "Consent",
    "Consistency",
    "Consistent",
    "DeniedError",
    "Discovery",
    "DiscoveryError",
    "Event",
    "EventFeed",
    "EventKind",
    "Origin",
    "Events",
    "Evidence",
    "EvidenceIn",
    "EvidenceKind",
    "ForbiddenError",
    "GoneError",
    "Grant",
    "GrantRequest",
    "InvalidCheckpointError",
    "InvalidPollSecretError",
    "InvalidTokenError",
    "LockedError",
    "PausedError",
    "NotFoundError",
    "Operation",
    "OperationNotGrantedError",
    "OriginNotAllowedError",
    "PendingGrant",
    "PollSecret",
    "PollStatus",
    "Proposal",
    "ProposalReceipt",
    "ProposalStatus",
    "ProtocolError",
    "PurposeNotGrantedError",
    "RateLimitedError",
    "RequestExpiredError",
    "RevokedError",
    "Rewritten",
    "RolledBack",
    "Secret",
    "SelfmodelError",
    "Sensitivity",
    "ServerError",
    "ServerKey",
    "ServerKeyChangedError",
    "ServerNotTrustedError",
    "SignedCheckpoint",
    "StateError",
    "StateFile",
    "Token",
    "TokenAlreadyIssuedError",
    "TokenExpiredError",
    "TooManyPendingError",
    "TooManyProposalsError",
    "TransportError",
    "UnauthorizedError",
    "UnavailableError",
    "Undecided",
    "VendorInfo",
    "VendorState",
    "WebVendorsOffError",
    "checkpoint_message",
    "proof_message",
]

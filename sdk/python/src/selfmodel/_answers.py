"""Reading the server's answers: JSON or the typed error of its Problem body, the identity proof,
the grant flow's answers and checkpoints."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from . import _codec, _wire
from .checkpoint import SignedCheckpoint
from .errors import InvalidCheckpointError, ProtocolError, ServerNotTrustedError, api_error
from .identity import ServerKey, parse_hex, proof_message
from .models import Approval, PendingGrant, PollStatus

log = logging.getLogger(__name__)


def read_answer(response: httpx.Response, path: str) -> Any:
    """The parsed JSON of a successful answer (``None`` for an empty 204), else the typed error
    the server's Problem body stands for."""
    status = response.status_code
    body = response.content
    if 200 <= status < 300:
        if status == 204 and not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            raise ProtocolError(f"unexpected {status} response to {path}: not JSON") from None
    try:
        problem = _codec.decode(_wire.Problem, json.loads(body))
        code, message = problem.error.code, problem.error.message
    except (ValueError, ProtocolError):
        code, message = "unknown", body.decode("utf-8", "replace")[:200]
    retry_after = response.headers.get("retry-after", "").strip()
    wait = float(retry_after) if retry_after.isdigit() else None
    raise api_error(status, code, message, wait)


def check_proof(answer: Any, key: ServerKey, nonce: bytes, url: str) -> None:
    """Checks the server's answer to a proof challenge against the pinned key."""
    try:
        proof = _codec.decode(_wire.ProofOut, answer)
    except ProtocolError as e:
        raise ServerNotTrustedError(url, f"no valid identity proof ({e})") from None
    if proof.public_key.lower() != key.hex():
        raise ServerNotTrustedError(
            url, f"it presents key {proof.public_key}, not the pinned {key}"
        )
    signature = parse_hex(proof.signature, 64)
    if signature is None:
        raise ServerNotTrustedError(url, "the signature is not 64 bytes of hex")
    if not key.verifies(proof_message(nonce), signature):
        raise ServerNotTrustedError(url, "the signature over the challenge does not verify")


def poll_result(answer: Any, key: ServerKey) -> Approval | PollStatus:
    """A poll's answer: the approval (token, grant, checked checkpoint) or where it stands."""
    poll = _codec.decode(_wire.PollOut, answer)
    if poll.status is not PollStatus.APPROVED:
        return poll.status
    if poll.token is None or poll.grant is None:
        raise ProtocolError("approved without a token or grant")
    checkpoint = poll.checkpoint
    if checkpoint is not None:
        try:
            checkpoint.verify(key)
        except InvalidCheckpointError as e:
            log.warning("the checkpoint that came with the token is not kept: %s", e)
            checkpoint = None
    return Approval(token=poll.token, grant=poll.grant, checkpoint=checkpoint)


def pending_grant(answer: Any) -> PendingGrant:
    out = _codec.decode(_wire.GrantRequestOut, answer)
    return PendingGrant(
        request_id=out.request_id,
        user_code=out.user_code,
        poll_secret=out.poll_secret,
        expires_at=out.expires_at,
        interval=float(max(out.interval, 1)),
    )


def checked_checkpoint(answer: Any, key: ServerKey, asked: int | None) -> SignedCheckpoint:
    """A checkpoint answer, verified against the pinned key and the event asked for."""
    checkpoint = _codec.decode(SignedCheckpoint, answer)
    checkpoint.verify(key)
    if asked is not None and asked != checkpoint.seq:
        raise InvalidCheckpointError(
            f"asked for event {asked}, got a checkpoint of event {checkpoint.seq}"
        )
    return checkpoint

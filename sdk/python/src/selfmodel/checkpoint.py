"""Signed audit checkpoints as receipts: checking a signature, and comparing a receipt with what
the vault states now.

The signed message is ``CHECKPOINT_CONTEXT`` followed by the RFC 8785 canonical JSON of
``{"head", "issued_at", "seq", "vault_key"}``. For these fields that is ``json.dumps`` with the
members in that (sorted) order, no whitespace and ``ensure_ascii=False``: ``seq`` is an integer
(printed as its digits), and strings escape ``"``, ``\\`` and control characters only, with
``\\u00xx`` in lower case, as RFC 8785 does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import _codec
from .errors import ConfigError, InvalidCheckpointError
from .identity import ServerKey, parse_hex

CHECKPOINT_CONTEXT = b"selfmodel-checkpoint-v1\n"
"""The domain separation prefix of a checkpoint's signed message."""


def checkpoint_message(vault_key: str, seq: int, head: str, issued_at: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise InvalidCheckpointError("seq is not a non-negative integer")
    canonical = json.dumps(
        {"head": head, "issued_at": issued_at, "seq": seq, "vault_key": vault_key},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    try:
        return CHECKPOINT_CONTEXT + canonical.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidCheckpointError("a field is not valid Unicode text") from None


@dataclass(frozen=True)
class Consistent:
    """The vault states the same hash for the receipt's event: its history still extends it."""


@dataclass(frozen=True)
class Undecided:
    """The current checkpoint is of a later event, so it says nothing about the receipt's: ask for
    the receipt's event (``checkpoint(seq=receipt.seq)``)."""


@dataclass(frozen=True)
class RolledBack:
    """The vault has fewer events than the receipt: it was rolled back (restored from an older
    copy) since the receipt was issued."""

    receipt_seq: int
    current_seq: int


@dataclass(frozen=True)
class Rewritten:
    """The vault now states another hash for the receipt's event: its audit history was
    rewritten. The receipt and the current checkpoint, both validly signed by the same key, are
    the proof; keep both."""

    seq: int
    receipt_head: str
    current_head: str


Consistency = Consistent | Undecided | RolledBack | Rewritten
"""How a receipt compares with what the vault states now."""


@dataclass(frozen=True, kw_only=True)
class SignedCheckpoint:
    """The vault's signed statement that its audit event ``seq`` has hash ``head``, signed by its
    identity key (the key the server proves, which the vendor pinned). Keep checkpoints as
    receipts (:meth:`to_json` gives them back as the server sent them): a later statement of the
    same event with another hash, or a vault that no longer has the event, shows that its history
    was rewritten or rolled back."""

    vault_key: str
    """The vault's public identity key, hex."""
    seq: int
    """The audit event's sequence number (the event count, for the latest)."""
    head: str
    """The event's chain hash, hex."""
    issued_at: str
    """When it was signed (RFC 3339), exactly as signed."""
    signature: str
    """The Ed25519 signature, hex."""

    @classmethod
    def from_json(cls, data: Any) -> SignedCheckpoint:
        """A receipt read back from the vendor's storage (parsed JSON)."""
        return _codec.decode(cls, data)

    def to_json(self) -> dict[str, Any]:
        """The receipt as JSON, to store it."""
        encoded: dict[str, Any] = _codec.encode(self)
        return encoded

    def message(self) -> bytes:
        """The bytes the signature covers."""
        return checkpoint_message(self.vault_key, self.seq, self.head, self.issued_at)

    def verify(self, key: ServerKey) -> None:
        """Checks that the checkpoint is signed by ``key``: ``vault_key`` must name it and the
        signature must verify (strict Ed25519) over :meth:`message`. Raises
        :class:`InvalidCheckpointError` otherwise."""
        try:
            named = ServerKey.from_hex(self.vault_key)
        except ConfigError:
            raise InvalidCheckpointError("vault_key is not 32 bytes of hex") from None
        if named != key:
            raise InvalidCheckpointError(f"signed by key {named}, not the pinned {key}")
        if parse_hex(self.head, 32) is None:
            raise InvalidCheckpointError("head is not 32 bytes of hex")
        signature = parse_hex(self.signature, 64)
        if signature is None:
            raise InvalidCheckpointError("the signature is not 64 bytes of hex")
        if not key.verifies(self.message(), signature):
            raise InvalidCheckpointError("the signature does not verify")

    def compare(self, current: SignedCheckpoint) -> Consistency:
        """Compares this receipt with the vault's ``current`` checkpoint: its statement of this
        receipt's event, or its latest if it has no such event. Both must be validly signed by
        the receipt's key, else :class:`InvalidCheckpointError`."""
        try:
            key = ServerKey.from_hex(self.vault_key)
        except ConfigError:
            raise InvalidCheckpointError("the receipt's vault_key is not 32 bytes of hex") from None
        self.verify(key)
        current.verify(key)
        if current.seq < self.seq:
            return RolledBack(receipt_seq=self.seq, current_seq=current.seq)
        if current.seq > self.seq:
            return Undecided()
        if current.head.lower() == self.head.lower():
            return Consistent()
        return Rewritten(seq=self.seq, receipt_head=self.head, current_head=current.head)

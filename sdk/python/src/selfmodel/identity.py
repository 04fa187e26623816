"""The server's identity: its Ed25519 public key, the message it signs to prove it, and strict
signature checks (as ``ed25519-dalek``'s ``verify_strict``: no small-order key or ``R``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .errors import ConfigError

PROOF_CONTEXT = b"selfmodel-server-proof-v1\x00"
"""The domain separation prefix of a server proof."""

_HEX = re.compile(r"[0-9a-fA-F]*")

_P = 2**255 - 19
_ORDER_8_Y = 2707385501144840649318225287225658788936804267575313519463743609750303402022
_SMALL_ORDER_Y = frozenset({0, 1, _P - 1, _ORDER_8_Y, _P - _ORDER_8_Y})
"""The y coordinates of the eight points of small order (the 8-torsion) of Curve25519."""


def parse_hex(text: str, size: int) -> bytes | None:
    """``size`` bytes written as exactly ``2 * size`` hex digits, else ``None``."""
    if len(text) != 2 * size or not _HEX.fullmatch(text):
        return None
    return bytes.fromhex(text)


def proof_message(nonce: bytes) -> bytes:
    """The message a server signs to prove its identity: ``PROOF_CONTEXT || nonce``."""
    return PROOF_CONTEXT + nonce


def _small_order(point: bytes) -> bool:
    return (int.from_bytes(point, "little") & ((1 << 255) - 1)) % _P in _SMALL_ORDER_Y


@dataclass(frozen=True, repr=False)
class ServerKey:
    """The server's public identity key (Ed25519), pinned by a vendor at pairing. It is also the
    vault's key that signs audit checkpoints."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise ConfigError("a server key is 32 bytes")

    @classmethod
    def from_hex(cls, text: str) -> ServerKey:
        """Parses 64 hex digits (surrounding whitespace ignored)."""
        raw = parse_hex(text.strip(), 32)
        if raw is None:
            raise ConfigError(f"{text!r} is not a 32-byte hex key")
        return cls(raw)

    def hex(self) -> str:
        """The key as lowercase hex: how it is stored and shown."""
        return self.raw.hex()

    def __str__(self) -> str:
        return self.hex()

    def __repr__(self) -> str:
        return f"ServerKey({self.hex()!r})"

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's (strict) Ed25519 signature of ``message``."""
        if len(signature) != 64 or _small_order(self.raw) or _small_order(signature[:32]):
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

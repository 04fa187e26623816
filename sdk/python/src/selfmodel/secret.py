"""Secrets a vendor holds: never shown by ``repr``, ``str`` or formatting, so never logged."""

from __future__ import annotations

import hmac
from typing import NoReturn


class Secret:
    """A secret string. Only :meth:`expose` reveals it; it cannot be pickled or copied into text."""

    __slots__ = ("_value",)
    _kind = "secret"

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a {self._kind} is a str")
        self._value = value

    def expose(self) -> str:
        """The secret's text, to store it or send it. Never log it."""
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    def __str__(self) -> str:
        return repr(self)

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret) or type(other) is not type(self):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((type(self), self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"a {self._kind} is not pickled; store it with expose()")


class Token(Secret):
    """A grant's bearer token (``smt_<id>_<secret>``), handed over once: keep it as a password."""

    __slots__ = ()
    _kind = "token"

    @property
    def public_id(self) -> str | None:
        """The token's public id (safe to log), if the token has the usual shape."""
        parts = self._value.split("_")
        return parts[1] if len(parts) > 1 else None

    def __repr__(self) -> str:
        return f"Token(<redacted>, public_id={self.public_id!r})"


class PollSecret(Secret):
    """The secret a grant request is polled with (``smp_…``)."""

    __slots__ = ()
    _kind = "poll secret"

"""What a vendor keeps between runs: the server key it pinned at first contact, a pending grant
request, and the bearer token. One JSON file, mode 0600 in a 0700 directory, replaced
atomically; the same format as the Selfmodel MCP server's state file
(``~/.config/selfmodel/mcp/<client>.json``), so either can read the other's."""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _codec
from .errors import SelfmodelError
from .identity import ServerKey
from .models import PendingGrant
from .secret import PollSecret, Token

VERSION = 1
"""The state file's format version."""

log = logging.getLogger(__name__)


class StateError(SelfmodelError):
    """The vendor's state file cannot be read or written."""


@dataclass(kw_only=True)
class VendorState:
    """A vendor's standing with one Selfmodel server. Secrets stay typed as secrets."""

    vendor_id: str
    """The vendor id grants are asked under."""
    server_key: ServerKey | None = None
    """The server's identity key, pinned at first contact."""
    pending: PendingGrant | None = None
    """A grant request the person has not decided yet."""
    token: Token | None = None
    """The bearer token of the approved grant."""
    grant_id: str | None = None
    """The approved grant's id (not secret)."""

    def forget_grant(self) -> None:
        """Forgets the token and grant (revoked, expired, or unknown to the server)."""
        self.token = None
        self.grant_id = None

    def to_json(self) -> dict[str, Any]:
        """The state in the file's format (secrets in clear: the file is private)."""
        out: dict[str, Any] = {"version": VERSION, "vendor_id": self.vendor_id}
        if self.server_key is not None:
            out["server_key"] = self.server_key.hex()
        if self.pending is not None:
            p = self.pending
            out["pending"] = {
                "request_id": p.request_id,
                "user_code": p.user_code,
                "poll_secret": p.poll_secret.expose(),
                "expires_at": _codec.encode(p.expires_at),
                "interval_secs": int(p.interval),
            }
        if self.token is not None:
            out["token"] = self.token.expose()
        if self.grant_id is not None:
            out["grant_id"] = self.grant_id
        return out

    @classmethod
    def from_json(cls, data: Any) -> VendorState:
        """A state read back from the file's format."""
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise StateError(f"not a version {VERSION} state")
        try:
            pending = data.get("pending")
            return cls(
                vendor_id=_text(data, "vendor_id"),
                server_key=_optional(data, "server_key", ServerKey.from_hex),
                pending=None if pending is None else _pending(pending),
                token=_optional(data, "token", Token),
                grant_id=_optional(data, "grant_id", str),
            )
        except (SelfmodelError, TypeError, ValueError, KeyError) as e:
            raise StateError(f"malformed state ({type(e).__name__})") from None


def _text(data: dict[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise TypeError(name)
    return value


def _optional(data: dict[str, Any], name: str, make: Any) -> Any:
    return None if data.get(name) is None else make(_text(data, name))


def _pending(data: Any) -> PendingGrant:
    interval = data["interval_secs"]
    if not isinstance(interval, int):
        raise TypeError("interval_secs")
    return PendingGrant(
        request_id=_text(data, "request_id"),
        user_code=_text(data, "user_code"),
        poll_secret=PollSecret(_text(data, "poll_secret")),
        expires_at=_codec.decode_time(_text(data, "expires_at")),
        interval=float(max(interval, 1)),
    )


class StateFile:
    """Where a vendor's state lives."""

    def __init__(self, path: str | os.PathLike[str], *, own_dir: bool = False) -> None:
        """A state file at ``path``. ``own_dir``: the directory is the SDK's alone, and is kept
        at mode 0700 even if it existed."""
        self.path = Path(path)
        self.own_dir = own_dir

    @classmethod
    def default_for(cls, vendor_id: str) -> StateFile:
        """The default file for a vendor id: ``$XDG_CONFIG_HOME`` (or ``~/.config``)
        ``/selfmodel/vendors/<vendor id, file-safe>.json``."""
        config = os.environ.get("XDG_CONFIG_HOME", "")
        base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
        return cls(base / "selfmodel" / "vendors" / f"{_slug(vendor_id)}.json", own_dir=True)

    def load(self) -> VendorState | None:
        """Reads the state, if there is any. A file others can read is made private first."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise StateError(f"{self.path}: {e.strerror}") from None
        with os.fdopen(fd, "rb") as f:
            if os.fstat(f.fileno()).st_mode & 0o077:
                log.warning("%s was readable by others; making it private (0600)", self.path)
                os.fchmod(f.fileno(), 0o600)
            text = f.read()
        try:
            return VendorState.from_json(json.loads(text))
        except (ValueError, StateError) as e:
            raise StateError(f"{self.path}: {e}; delete the file to pair again") from None

    def save(self, state: VendorState) -> None:
        """Writes the state atomically: a private temporary file beside it, flushed, renamed over
        the old one, then the directory flushed. A crash leaves the old file or the new one."""
        directory = self.path.parent
        tmp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        data = (json.dumps(state.to_json(), indent=2) + "\n").encode()
        try:
            _private_dirs(directory)
            if self.own_dir:
                os.chmod(directory, 0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StateError(f"{self.path}: {e.strerror}") from None


def _private_dirs(directory: Path) -> None:
    """Creates a directory and its missing parents with mode 0700; existing ones are left as is."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)


def _slug(name: str) -> str:
    """A file-safe form of a vendor id: lowercase ASCII letters, digits, ``.``, ``_``, ``-``."""
    ascii_name = name.strip().encode("ascii", "replace").decode().lower()
    slug = re.sub(r"[^a-z0-9._]+", "-", ascii_name).strip("-.")[:60]
    return slug or "unknown-vendor"

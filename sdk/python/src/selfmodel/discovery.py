"""Finding the server: the discovery file it writes (mode 0600, in a 0700 directory), which says
where it listens and names the identity key it proves."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, DiscoveryError
from .identity import ServerKey


@dataclass(frozen=True, kw_only=True)
class Discovery:
    """The discovery file's content."""

    version: int
    """Format version (1)."""
    url: str
    """Base URL, e.g. ``http://127.0.0.1:7420``."""
    port: int
    """TCP port."""
    unix_socket: str | None = None
    """The server's Unix socket (owner-only), if it opened one."""
    public_key: str
    """The server's public identity key, hex."""
    pid: int
    """The serving process."""

    @staticmethod
    def default_path() -> Path | None:
        """Where the server writes the file by default: ``$XDG_RUNTIME_DIR/selfmodel/api.json``,
        else ``$XDG_DATA_HOME`` (or ``~/.local/share``) ``/selfmodel/run/api.json``."""
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        if runtime:
            return Path(runtime) / "selfmodel" / "api.json"
        home = os.environ.get("HOME")
        if home is None:
            return None
        data = os.environ.get("XDG_DATA_HOME")
        base = Path(data) if data is not None else Path(home) / ".local/share"
        return base / "selfmodel" / "run" / "api.json"

    @classmethod
    def load_default(cls) -> Discovery:
        """Reads the discovery file at its default path."""
        path = cls.default_path()
        if path is None:
            raise DiscoveryError("discovery: no runtime or home directory")
        return cls.load(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Discovery:
        """Reads a discovery file. Refuses one another user could have written or replaced, since
        it names the key the server is trusted by: the file and its directory must belong to this
        user and give group and others no access, and neither may be a symbolic link."""
        path = Path(path)
        try:
            meta = os.lstat(path)
        except OSError as e:
            raise DiscoveryError(
                f"discovery: {path}: {e.strerror} (is `selfmodel serve` running?)"
            ) from None
        directory = path.parent
        try:
            dir_meta = os.lstat(directory)
        except OSError as e:
            raise DiscoveryError(f"discovery: {directory}: {e.strerror}") from None
        why = _not_private(meta, is_dir=False) or _not_private(dir_meta, is_dir=True)
        if why:
            raise DiscoveryError(f"discovery: {path}: {why}; refusing to trust it")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as f:
                content: Any = json.loads(f.read())
        except OSError as e:
            raise DiscoveryError(f"discovery: {path}: {e.strerror}") from None
        except ValueError as e:
            raise DiscoveryError(f"discovery: {path}: not JSON ({e})") from None
        return cls._from_json(path, content)

    @classmethod
    def _from_json(cls, path: Path, content: Any) -> Discovery:
        if not isinstance(content, dict):
            raise DiscoveryError(f"discovery: {path}: not a JSON object")
        fields: dict[str, tuple[type, ...]] = {
            "version": (int,),
            "url": (str,),
            "port": (int,),
            "unix_socket": (str, type(None)),
            "public_key": (str,),
            "pid": (int,),
        }
        for name, types in fields.items():
            value = content.get(name)
            if not isinstance(value, types) or isinstance(value, bool):
                raise DiscoveryError(f"discovery: {path}: field {name!r} is missing or malformed")
        if content["version"] != 1:
            raise DiscoveryError(
                f"discovery: {path}: version {content['version']} is not supported (expected 1)"
            )
        return cls(
            version=content["version"],
            url=content["url"],
            port=content["port"],
            unix_socket=content.get("unix_socket"),
            public_key=content["public_key"],
            pid=content["pid"],
        )

    def server_key(self) -> ServerKey:
        """The key the discovery file names."""
        try:
            return ServerKey.from_hex(self.public_key)
        except ConfigError:
            raise DiscoveryError("discovery: the public key is not 32 bytes of hex") from None


def _not_private(meta: os.stat_result, *, is_dir: bool) -> str | None:
    """Why a discovery file (or its directory) cannot be trusted, if it cannot."""
    what = "its directory" if is_dir else "the file"
    if stat.S_ISLNK(meta.st_mode):
        return f"{what} is a symbolic link"
    if stat.S_ISDIR(meta.st_mode) != is_dir:
        return f"{what} is not a {'directory' if is_dir else 'file'}"
    if meta.st_uid != os.getuid():
        return f"{what} belongs to another user (uid {meta.st_uid})"
    if meta.st_mode & 0o077:
        return f"{what} is open to other users (mode {meta.st_mode & 0o777:o})"
    return None

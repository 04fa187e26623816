"""Black-box harness: the real ``selfmodel serve`` process on a real (demo) vault in a private
temporary directory, with the discovery file and socket in a private runtime directory of its
own; the person's side is driven with the real CLI on the same vault (a second process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import selfmodel as sm

PASS = "correct horse battery staple"
"""The passphrase of every test vault."""


def binary() -> str:
    """The ``selfmodel`` binary under test (``$SELFMODEL_BIN``, checked by conftest)."""
    return os.environ["SELFMODEL_BIN"]


def private_dir(prefix: str = "selfmodel-sdk-") -> Path:
    """A new temporary directory only its owner can enter (mode 0700, whatever the umask)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o700)
    return path


def environment(home: Path, vault: Path) -> dict[str, str]:
    """The environment of every ``selfmodel`` process: this vault, its passphrase, and every
    per-user directory inside ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SELFMODEL_NEW_PASSPHRASE", "SELFMODEL_LOG", "SELFMODEL_STATE_DIR")
    }
    env.update(
        SELFMODEL_VAULT=str(vault),
        SELFMODEL_PASSPHRASE=PASS,
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_RUNTIME_DIR=str(home / "rt"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    return env


def make_demo_vault() -> bytes:
    """The bytes of a demo vault made with ``selfmodel demo``."""
    home = private_dir()
    try:
        vault = home / "v.db"
        out = subprocess.run(
            [binary(), "demo"],
            env=environment(home, vault),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, f"selfmodel demo failed: {out.stderr}"
        return vault.read_bytes()
    finally:
        shutil.rmtree(home)


def flags(**options: object) -> list[str]:
    """Command-line options, ``--name value`` each, in the order given."""
    return [arg for name, value in options.items() for arg in (f"--{name}", str(value))]


def eventually(condition: Callable[[], bool], what: str = "the condition") -> None:
    """Waits until ``condition`` holds, checking every 100 ms; gives up after a minute, however
    loaded the machine is."""
    for _ in range(600):
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} never held")


class Served:
    """A running ``selfmodel serve`` on its own copy of the demo vault."""

    def __init__(self, demo: bytes, extra: Sequence[str] = (), port: int = 0) -> None:
        self.dir = private_dir()
        self.vault = self.dir / "v.db"
        self.vault.write_bytes(demo)
        (self.dir / "rt").mkdir(mode=0o700)
        self.extra = list(extra)
        self._process: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None
        self.port = self._serve(port)
        self.url = f"http://127.0.0.1:{self.port}"

    def _serve(self, port: int) -> int:
        """Starts the server and waits until it listens; returns its port."""
        with open(self.dir / "serve.log", "a") as log:
            process = subprocess.Popen(
                [binary(), "serve", "--port", str(port), *self.extra],
                env=environment(self.dir, self.vault),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        self._process = process
        assert process.stdout is not None
        for line in process.stdout:
            _, found, rest = line.partition("on http://127.0.0.1:")
            if found:
                # Keep draining stdout so that the server never blocks on a full pipe.
                self._drain = threading.Thread(target=process.stdout.read, daemon=True)
                self._drain.start()
                return int(rest.strip())
        process.wait()
        raise AssertionError(f"selfmodel serve stopped before listening: {self.server_log()}")

    def stop(self) -> None:
        """Stops the server process (killed, as a crash would)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            if self._drain is not None:
                self._drain.join()
            assert self._process.stdout is not None
            self._process.stdout.close()
            self._process = None

    def restart(self) -> None:
        """Starts ``selfmodel serve`` again on the same vault and port."""
        self.stop()
        assert self._serve(self.port) == self.port

    def close(self) -> None:
        """Stops the server and removes its directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def server_log(self) -> str:
        """What the server processes wrote to stderr."""
        return (self.dir / "serve.log").read_text()

    @property
    def discovery_path(self) -> Path:
        """The discovery file the server wrote."""
        return self.dir / "rt" / "selfmodel" / "api.json"

    def discovery(self) -> sm.Discovery:
        return sm.Discovery.load(self.discovery_path)

    def key(self) -> sm.ServerKey:
        """The key the server proves (as the discovery file names it)."""
        return self.discovery().server_key()

    # ---- the person's side: the CLI on the same vault --------------------------------------

    def cli_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The CLI on the same vault (a second process), whatever its outcome."""
        return subprocess.run(
            [binary(), *args],
            env=environment(self.dir, self.vault),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )

    def cli(self, *args: str) -> str:
        """The CLI on the same vault; must succeed; its stdout."""
        out = self.cli_run(*args)
        assert out.returncode == 0, f"selfmodel {args} failed: {out.stdout}{out.stderr}"
        return out.stdout

    def cli_json(self, *args: str) -> Any:
        """The CLI with ``--json``, parsed."""
        return json.loads(self.cli(*args, "--json"))

    def access_log(self, *filters: str) -> list[dict[str, Any]]:
        """The access log, one item per request: an entry counting several requests (repeats
        within its minute) is repeated that many times."""
        entries: list[dict[str, Any]] = self.cli_json("access-log", *filters)
        return [e for e in entries for _ in range(e["requests"])]

    def all_beliefs(self) -> list[dict[str, Any]]:
        """Every belief in the vault (the person's view)."""
        beliefs: list[dict[str, Any]] = self.cli_json("belief", "list")
        return beliefs

    def belief_id(self, statement: str) -> str:
        """The id of the belief whose statement is ``statement``."""
        for b in self.all_beliefs():
            if b["statement"] == statement:
                return str(b["id"])
        raise AssertionError(f"no belief {statement!r}")

    def normal_categories(self) -> list[str]:
        """The catalogue's normal (non-special) categories."""
        return [t["id"] for t in self.cli_json("types") if t["default_sensitivity"] == "normal"]

    def expected(self, purpose: str, categories: Sequence[str]) -> set[str]:
        """The ids the person's own data says a grant over normal ``categories`` may disclose
        for ``purpose``: active, carrying the purpose, at or above the type's minimum."""
        minimum = {t["id"]: t["min_share_confidence"] for t in self.cli_json("types")}
        return {
            b["id"]
            for b in self.all_beliefs()
            if b["status"] == "active"
            and b["category"] in categories
            and purpose in b["purposes"]
            and b["sensitivity"] == "normal"
            and b["confidence"] >= minimum[b["category"]]
        }

    # ---- the vendor's side -----------------------------------------------------------------

    def paired(self) -> sm.Client:
        """A client paired through the discovery file."""
        return sm.Client.pair(self.discovery())[0]

    def approval(self, request: sm.GrantRequest, *approve: str) -> tuple[sm.Client, sm.Approval]:
        """The grant flow: request, approval from the CLI with ``approve`` narrowing, claim.
        Returns the paired client (without token) and the approval."""
        client = self.paired()
        pending = client.request_grant(request)
        self.cli("grant", "approve", pending.request_id, *approve)
        result = client.poll_once(pending)
        assert isinstance(result, sm.Approval), result
        return client, result

    def vendor(self, request: sm.GrantRequest, *approve: str) -> tuple[sm.Client, sm.Grant]:
        """A client holding the token of an approved grant, and the grant."""
        client, approval = self.approval(request, *approve)
        return client.with_token(approval.token), approval.grant

    def reader(self, vendor: str, purposes: Sequence[str]) -> tuple[sm.Client, sm.Grant]:
        """A client with a token for a grant over all normal categories and ``purposes``."""
        return self.vendor(request(vendor, purposes, self.normal_categories()))


def request(
    vendor: str,
    purposes: Sequence[str],
    categories: Sequence[str],
    operations: Sequence[sm.Operation] = (sm.Operation.READ,),
) -> sm.GrantRequest:
    """A grant request of a vendor named after its id."""
    return sm.GrantRequest(
        vendor=sm.VendorInfo(id=vendor, name=vendor),
        justification="tests",
        purposes=list(purposes),
        categories=list(categories),
        operations=list(operations),
    )

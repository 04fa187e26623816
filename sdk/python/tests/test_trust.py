"""Server identity: pairing pins the key the server proves; a server that cannot prove the pinned
key (another vault, a port squatter, a replayed proof) is refused before any token or poll secret
is sent. Also the discovery file's checks, the stored pin and the Unix socket."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from harness import Served, private_dir, request

import selfmodel as sm


def pinned_request() -> sm.GrantRequest:
    return request("com.example.pinned", ["communication"], ["communication-style"])


STRANGER = Ed25519PrivateKey.from_private_bytes(bytes([9]) * 32)
STRANGER_KEY = sm.ServerKey(STRANGER.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def test_pairing_pins_the_key_the_server_proves(served: Served) -> None:
    d = served.discovery()
    assert (d.url, d.port) == (served.url, served.port)
    client, key = sm.Client.pair(d)
    with client:
        assert key.hex() == d.public_key
        assert key == sm.ServerKey.from_hex(d.public_key)
        assert client.server_key == key
    # Later sessions connect with the stored key, by URL or through the discovery file.
    sm.Client.connect(served.url, key).close()
    with sm.Client.from_discovery(d, key) as c:
        c.verify_server()
    # localhost works as well as 127.0.0.1 (the server accepts either Host).
    sm.Client.connect(f"http://localhost:{served.port}", key).close()


def test_the_key_is_pinned_on_first_use_and_a_changed_key_is_refused(
    serve: Callable[..., Served],
) -> None:
    first = serve()
    state_file = sm.StateFile(first.dir / "config" / "vendor.json")
    state = sm.VendorState(vendor_id="com.example.pinned")
    client = sm.Client.from_state(first.discovery(), state)
    assert state.server_key == first.key()
    pending = client.request_grant(pinned_request())
    first.cli("grant", "approve", pending.request_id)
    approval = client.wait_for_approval(pending)
    state.token, state.grant_id = approval.token, approval.grant.id
    state_file.save(state)

    # The next session insists on the stored key, and holds the stored token.
    stored = state_file.load()
    assert stored is not None and stored.server_key == first.key()
    again = sm.Client.from_state(first.discovery(), stored)
    assert again.grant().id == approval.grant.id
    logged = len(first.access_log("--grant", approval.grant.id))

    # Another vault's server now writes the discovery file the vendor reads: refused by type,
    # before anything is sent to it.
    other = serve()
    assert other.key() != first.key(), "each vault has its own identity"
    with pytest.raises(sm.ServerKeyChangedError) as refused:
        sm.Client.from_state(other.discovery(), stored)
    assert refused.value.pinned == first.key().hex()
    assert refused.value.named == other.key().hex()
    assert isinstance(refused.value, sm.ServerNotTrustedError)
    with pytest.raises(sm.ServerKeyChangedError):
        sm.Client.from_discovery(other.discovery(), first.key())
    # Reached by URL, the other server cannot prove the pinned key: the token is never sent.
    wrong = sm.Client(other.url, first.key(), token=approval.token)
    for call in (wrong.grant, lambda: wrong.beliefs("communication"), wrong.give_up):
        with pytest.raises(sm.ServerNotTrustedError) as e:
            call()
        assert not isinstance(e.value, sm.ApiError)
    with pytest.raises(sm.ServerNotTrustedError):
        sm.Client.connect(other.url, first.key())
    assert not any(e["operation"] == "grant.read" for e in other.access_log())
    # Nothing reached the first server either, and its grant is still live.
    assert len(first.access_log("--grant", approval.grant.id)) == logged
    assert again.grant().revoked_at is None


class Squatter:
    """A bare HTTP server on a port the real one does not hold, recording every request."""

    def __init__(self, mode: str, real_key: sm.ServerKey, replayed: str) -> None:
        self.seen: list[str] = []
        squatter = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                squatter.seen.append(f"{self.requestline}\r\n{self.headers}{body.decode()}")
                nonce = bytes.fromhex(json.loads(body or b"{}").get("nonce", ""))
                own = STRANGER.sign(sm.proof_message(nonce)).hex()
                status, answer = {
                    "own key": (200, {"public_key": STRANGER_KEY.hex(), "signature": own}),
                    "claims the real key": (200, {"public_key": real_key.hex(), "signature": own}),
                    "replay": (200, {"public_key": real_key.hex(), "signature": replayed}),
                    "not an API": (404, "<html>hello</html>"),
                }[mode]
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST
            do_DELETE = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def squatters() -> Iterator[list[Squatter]]:
    made: list[Squatter] = []
    yield made
    for s in made:
        s.close()


@pytest.mark.parametrize("mode", ["own key", "claims the real key", "replay", "not an API"])
def test_a_port_squatter_is_refused_and_never_sees_a_token_or_poll_secret(
    served: Served, squatters: list[Squatter], mode: str
) -> None:
    key = served.key()
    # A genuine proof for some other nonce, for the replay attempt.
    replayed = httpx.post(f"{served.url}/v1/server-proof", json={"nonce": "ab" * 32}).json()
    paired, approval = served.approval(pinned_request())
    pending = paired.request_grant(pinned_request())
    token, poll = approval.token.expose(), pending.poll_secret.expose()

    squatter = Squatter(mode, key, replayed["signature"])
    squatters.append(squatter)
    c = sm.Client(squatter.url, key, token=approval.token)
    calls: list[Callable[[], object]] = [
        lambda: c.beliefs("communication"),
        c.grant,
        lambda: c.poll_once(pending),
        lambda: c.request_grant(pinned_request()),
        c.verify_server,
    ]
    for call in calls:
        with pytest.raises(sm.ServerNotTrustedError):
            call()
    assert squatter.seen, "the client did ask for a proof"
    for seen in squatter.seen:
        assert seen.startswith("POST /v1/server-proof "), seen
        assert "authorization" not in seen.lower(), seen
        assert token not in seen and poll not in seen, seen
        assert "smt_" not in seen and "smp_" not in seen, seen
    # The genuine server still serves the genuine client.
    paired.with_token(approval.token).grant()


def test_a_replaced_server_on_the_same_port_must_prove_itself_again(
    serve: Callable[..., Served],
) -> None:
    a = serve()
    paired, approval = a.approval(pinned_request())
    v = paired.with_token(approval.token)
    v.grant()
    port = a.port
    a.close()
    with pytest.raises(sm.TransportError):
        v.grant()
    # Another vault's server takes the port: its key differs, so the client refuses it.
    b = serve(port=port)
    assert b.key() != v.server_key
    with pytest.raises(sm.ServerNotTrustedError):
        v.grant()
    assert not any(e["operation"] == "grant.read" for e in b.access_log())


def test_the_discovery_file_is_private_and_checked(served: Served) -> None:
    path = served.discovery_path
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700

    private = private_dir()
    try:
        copy = private / "copy.json"
        shutil.copy(path, copy)

        def refused(p: Path, why: str) -> None:
            with pytest.raises(sm.DiscoveryError, match=why):
                sm.Discovery.load(p)

        for mode in (0o666, 0o644, 0o640):
            copy.chmod(mode)
            refused(copy, "the file is open to other users")
        copy.chmod(0o600)
        assert sm.Discovery.load(copy) == served.discovery()
        # A link to a good file, and a good file in a directory others can enter or write.
        link = private / "link.json"
        link.symlink_to(copy)
        refused(link, "the file is a symbolic link")
        shared = private / "shared"
        shared.mkdir()
        shutil.copy(copy, shared / "api.json")
        (shared / "api.json").chmod(0o600)
        shared.chmod(0o777)
        refused(shared / "api.json", "its directory is open to other users")
        # A directory reached through a link.
        shared.chmod(0o700)
        linked_dir = private / "linked"
        linked_dir.symlink_to(shared)
        sm.Discovery.load(shared / "api.json")
        refused(linked_dir / "api.json", "its directory is a symbolic link")
        # Owned by another user (only root can arrange that here).
        if os.getuid() == 0:
            os.chown(shared / "api.json", 65534, -1)
            refused(shared / "api.json", "belongs to another user")
        # Malformed files.
        bad = private / "bad.json"
        for content in (
            "{",
            "[]",
            '{"version": 2}',
            json.dumps({**json.loads(copy.read_text()), "version": 2}),
        ):
            bad.write_text(content)
            bad.chmod(0o600)
            with pytest.raises(sm.DiscoveryError):
                sm.Discovery.load(bad)
    finally:
        shutil.rmtree(private)
    with pytest.raises(sm.DiscoveryError, match="is `selfmodel serve` running"):
        sm.Discovery.load(served.dir / "missing.json")


def test_the_default_discovery_path_follows_the_servers_rules(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(served.dir / "rt"))
    assert sm.Discovery.default_path() == served.discovery_path
    assert sm.Discovery.load_default() == served.discovery()
    monkeypatch.setenv("XDG_RUNTIME_DIR", "")
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert sm.Discovery.default_path() == Path("/home/someone/.local/share/selfmodel/run/api.json")
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    assert sm.Discovery.default_path() == Path("/data/selfmodel/run/api.json")
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.delenv("HOME")
    assert sm.Discovery.default_path() is None
    with pytest.raises(sm.DiscoveryError):
        sm.Discovery.load_default()


@pytest.mark.parametrize(
    "url", ["http://example.com:7420", "https://127.0.0.1:7420", "http://10.0.0.1:7420", "nonsense"]
)
def test_only_loopback_http_urls(url: str) -> None:
    with pytest.raises(sm.ConfigError):
        sm.Client(url, STRANGER_KEY)


def test_the_unix_socket_serves_the_same_api(serve: Callable[..., Served]) -> None:
    s = serve()
    d = s.discovery()
    assert d.unix_socket is not None
    _, approval = s.approval(pinned_request())
    with sm.Client.from_discovery(d, s.key(), unix_socket=True, token=approval.token) as c:
        assert "unix_socket" in repr(c)
        c.verify_server()
        page = c.beliefs("communication")
        assert page.grant_id == approval.grant.id
        assert page.beliefs
    # The socket, not TCP, carries the calls: a URL whose port nothing listens on still works.
    with sm.Client("http://127.0.0.1:1", s.key(), unix_socket=d.unix_socket) as c:
        c.with_token(approval.token).grant()
    # A server started without a socket offers none.
    bare = serve(["--no-socket"])
    with pytest.raises(sm.ConfigError, match="no Unix socket"):
        sm.Client.from_discovery(bare.discovery(), bare.key(), unix_socket=True)

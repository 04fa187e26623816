"""The parts without I/O: canonical checkpoint messages and strict signatures, error types,
decoding answers, and the vendor's state file."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import selfmodel as sm
from selfmodel import _answers, _calls, _codec, _wire
from selfmodel.errors import api_error


def test_the_checkpoint_message_is_rfc_8785_canonical() -> None:
    assert sm.checkpoint_message("ab", 7, "cd", "2026-01-02T03:04:05.000006Z") == (
        b"selfmodel-checkpoint-v1\n"
        b'{"head":"cd","issued_at":"2026-01-02T03:04:05.000006Z","seq":7,"vault_key":"ab"}'
    )
    assert sm.checkpoint_message("k", 2**53, "h", "t").endswith(
        b'"seq":9007199254740992,"vault_key":"k"}'
    )
    # Only '"', '\\' and control characters are escaped (lower-case \u00xx); the rest is UTF-8.
    odd = sm.checkpoint_message("k", 0, 'h"\\\x01\n\x7fé€😀', "odd \t time")
    assert odd == (
        b'selfmodel-checkpoint-v1\n{"head":"h\\"\\\\\\u0001\\n\x7f'
        + "é€😀".encode()
        + b'","issued_at":"odd \\t time","seq":0,"vault_key":"k"}'
    )
    with pytest.raises(sm.InvalidCheckpointError):
        sm.checkpoint_message("k", -1, "h", "t")


KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = sm.ServerKey(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def signed(seq: int, head: str, key: Ed25519PrivateKey = KEY) -> sm.SignedCheckpoint:
    vault_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    at = "2026-01-02T03:04:05.000006Z"
    signature = key.sign(sm.checkpoint_message(vault_key, seq, head, at)).hex()
    return sm.SignedCheckpoint(
        vault_key=vault_key, seq=seq, head=head, issued_at=at, signature=signature
    )


def test_signatures_are_checked_strictly() -> None:
    assert PUBLIC.verifies(b"m", KEY.sign(b"m"))
    assert not PUBLIC.verifies(b"n", KEY.sign(b"m"))
    # Under a small-order key (here the identity point), R = identity and S = 0 "sign" every
    # message for a lax verifier; the strict check refuses it, as ed25519-dalek's verify_strict.
    weak = sm.ServerKey(bytes([1]) + bytes(31))
    assert not weak.verifies(b"anything", bytes([1]) + bytes(63))
    assert sm.proof_message(b"\x01\x02") == b"selfmodel-server-proof-v1\x00\x01\x02"


def test_receipts_compare_by_event_and_hash() -> None:
    receipt = signed(5, "aa" * 32)
    receipt.verify(PUBLIC)
    assert receipt.compare(signed(5, "AA" * 32)) == sm.Consistent()
    assert receipt.compare(signed(6, "bb" * 32)) == sm.Undecided()
    assert receipt.compare(signed(4, "bb" * 32)) == sm.RolledBack(receipt_seq=5, current_seq=4)
    assert receipt.compare(signed(5, "bb" * 32)) == sm.Rewritten(
        seq=5, receipt_head="aa" * 32, current_head="bb" * 32
    )
    stranger = Ed25519PrivateKey.from_private_bytes(bytes([3]) * 32)
    with pytest.raises(sm.InvalidCheckpointError, match="not the pinned"):
        receipt.compare(signed(5, "aa" * 32, stranger))
    with pytest.raises(sm.InvalidCheckpointError, match="head is not"):
        replace(receipt, head="aa").verify(PUBLIC)
    with pytest.raises(sm.InvalidCheckpointError, match="vault_key"):
        replace(receipt, vault_key="zz").verify(PUBLIC)


def test_server_keys_are_64_hex_digits() -> None:
    assert sm.ServerKey.from_hex(f"  {PUBLIC.hex().upper()}\n") == PUBLIC
    assert str(PUBLIC) == PUBLIC.hex() and PUBLIC.hex() in repr(PUBLIC)
    for bad in ("", "ab", PUBLIC.hex()[:-1] + "g", PUBLIC.hex() + "00", " ".join(PUBLIC.hex())):
        with pytest.raises(sm.ConfigError):
            sm.ServerKey.from_hex(bad)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "token_revoked", sm.RevokedError),
        (401, "token_expired", sm.TokenExpiredError),
        (401, "invalid_token", sm.InvalidTokenError),
        (401, "something_new", sm.UnauthorizedError),
        (403, "purpose_not_granted", sm.PurposeNotGrantedError),
        (403, "category_not_granted", sm.CategoryNotGrantedError),
        (403, "token_revoked", sm.ForbiddenError),
        (404, "not_found", sm.NotFoundError),
        (409, "not_pending", sm.ConflictError),
        (410, "token_already_issued", sm.TokenAlreadyIssuedError),
        (413, "too_large", sm.BadRequestError),
        (415, "unsupported_media_type", sm.BadRequestError),
        (423, "vault_locked", sm.LockedError),
        (423, "paused", sm.PausedError),
        (429, "too_many_proposals", sm.TooManyProposalsError),
        (503, "unavailable", sm.UnavailableError),
        (503, "busy", sm.UnavailableError),
        (500, "internal", sm.ServerError),
        (418, "teapot", sm.ServerError),
    ],
)
def test_refusals_are_typed_by_code_and_status(status: int, code: str, kind: type) -> None:
    e = api_error(status, code, "why", 3.0)
    assert type(e) is kind
    assert (e.status, e.code, e.message, e.retry_after) == (status, code, "why", 3.0)
    assert str(e) == f"{status} {code}: why"


def test_answers_are_read_as_typed_errors_or_json() -> None:
    def answer(status: int, body: bytes, **headers: str) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers)

    problem = b'{"error": {"code": "rate_limited", "message": "slow down"}}'
    with pytest.raises(sm.RateLimitedError) as e:
        _answers.read_answer(answer(429, problem, **{"Retry-After": "2"}), "/p")
    assert (e.value.code, e.value.retry_after) == ("rate_limited", 2.0)
    with pytest.raises(sm.NotFoundError) as nf:
        _answers.read_answer(answer(404, b"<html>nothing</html>"), "/p")
    assert (nf.value.code, nf.value.message) == ("unknown", "<html>nothing</html>")
    assert _answers.read_answer(answer(204, b""), "/p") is None
    assert _answers.read_answer(answer(200, b'{"a": 1}'), "/p") == {"a": 1}
    with pytest.raises(sm.ProtocolError):
        _answers.read_answer(answer(200, b"<html>"), "/p")


def test_answers_are_decoded_by_the_models_and_unknown_fields_ignored() -> None:
    event = {"seq": 3, "at": "2026-01-02T03:04:05.000006Z", "kind": "belief.moved", "extra": 1}
    decoded = _codec.decode(sm.Event, event)
    assert decoded.kind is sm.EventKind.OTHER and decoded.belief_id is None
    assert decoded.at.utcoffset() is not None and decoded.at.microsecond == 6
    secret = "smt_abc_0123456789"
    poll = {"status": "approved", "token": secret}
    assert _codec.decode(_wire.PollOut, poll).token == sm.Token(secret)
    for bad, why in (
        ({**event, "seq": "3"}, "Event.seq: expected int"),
        ({**event, "seq": True}, "Event.seq: expected int"),
        ({**event, "at": "yesterday"}, "Event.at: not an RFC 3339 time"),
        ({**event, "at": "2026-01-02T03:04:05"}, "Event.at: a time without its offset"),
        ({k: v for k, v in event.items() if k != "seq"}, "Event: the field 'seq' is missing"),
    ):
        with pytest.raises(sm.ProtocolError, match=why):
            _codec.decode(sm.Event, bad)
    with pytest.raises(sm.ProtocolError) as e:
        _codec.decode(_wire.PollOut, {"status": "approved", "token": ["smt_not", secret]})
    assert secret not in str(e.value), "errors name fields, never values"
    belief = {
        "id": "b",
        "statement": "s",
        "category": "c",
        "confidence": 1,
        "purposes": [],
        "sensitivity": "normal",
        "updated_at": "2026-01-02T03:04:05Z",
        "origin": "person",
        "review_overdue": False,
    }
    assert _codec.decode(sm.Belief, belief).confidence == 1.0
    with pytest.raises(sm.ProtocolError, match=r"Belief\.sensitivity: not a known Sensitivity"):
        _codec.decode(sm.Belief, {**belief, "sensitivity": "secret"})


def test_requests_are_encoded_as_the_server_reads_them() -> None:
    ask = sm.GrantRequest(
        vendor=sm.VendorInfo(id="v", name="V"), justification="j", purposes=["p"], categories=["c"]
    )
    assert _codec.encode(ask) == {
        "vendor": {"id": "v", "name": "V"},
        "justification": "j",
        "purposes": ["p"],
        "categories": ["c"],
        "operations": ["read"],
        "origins": [],
        "fresh_only": False,
        "duration_days": 30,
        "vendor_retention_days": 0,
    }
    at = datetime(2026, 1, 2, 4, 4, 5, 6, tzinfo=timezone(timedelta(hours=1)))
    evidence = sm.EvidenceIn(kind=sm.EvidenceKind.STATED, source="s", summary="x", observed_at=at)
    assert _codec.encode(evidence)["observed_at"] == "2026-01-02T03:04:05.000006Z"
    with pytest.raises(ValueError, match="time zone"):
        _codec.encode(replace(evidence, observed_at=at.replace(tzinfo=None)))
    query = sm.BeliefQuery(purpose="p", category="c", min_confidence=0.8, after="x", limit=5)
    assert query.params() == [
        ("purpose", "p"),
        ("category", "c"),
        ("min_confidence", "0.8"),
        ("after", "x"),
        ("limit", "5"),
    ]
    assert _calls.belief_call("a/b c", "p").path == "/v1/beliefs/a%2Fb%20c"
    assert _calls.events_call(7, 99).query == (("after", "7"), ("wait", "25"))


def test_the_state_file_is_private_atomic_and_in_the_mcp_servers_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path.chmod(0o700)
    file = sm.StateFile(tmp_path / "new" / "sub" / "state.json")
    assert file.load() is None
    pending = sm.PendingGrant(
        request_id="r",
        user_code="ABCD-EFGH",
        poll_secret=sm.PollSecret("smp_x_y"),
        expires_at=_codec.decode_time("2026-01-02T03:04:05.123456789Z"),
        interval=2.0,
    )
    state = sm.VendorState(
        vendor_id="com.example",
        server_key=PUBLIC,
        pending=pending,
        token=sm.Token("smt_a_b"),
        grant_id="g",
    )
    file.save(state)
    assert json.loads(file.path.read_text()) == {
        "version": 1,
        "vendor_id": "com.example",
        "server_key": PUBLIC.hex(),
        "pending": {
            "request_id": "r",
            "user_code": "ABCD-EFGH",
            "poll_secret": "smp_x_y",
            "expires_at": "2026-01-02T03:04:05.123456Z",
            "interval_secs": 2,
        },
        "token": "smt_a_b",
        "grant_id": "g",
    }

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    assert mode(file.path) == 0o600
    assert mode(tmp_path / "new") == mode(tmp_path / "new" / "sub") == 0o700
    assert [p.name for p in file.path.parent.iterdir()] == ["state.json"], "no temporary file left"
    back = file.load()
    assert back == state and back is not None and "smt_a_b" not in repr(back)
    back.forget_grant()
    file.save(back)
    loaded = file.load()
    assert loaded is not None and loaded.token is None and loaded.grant_id is None

    file.path.chmod(0o644)
    file.load()
    assert mode(file.path) == 0o600, "a readable file is made private"
    file.path.write_text('{"version": 2, "vendor_id": "x"}')
    with pytest.raises(sm.StateError, match="delete the file"):
        file.load()
    file.path.write_text('{"version": 1, "vendor_id": "x", "server_key": "nope"}')
    with pytest.raises(sm.StateError):
        file.load()

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    default = sm.StateFile.default_for("  Com.Example/Notes: ünïcode!  ")
    assert default.path == tmp_path / "config/selfmodel/vendors/com.example-notes-n-code.json"
    default.save(sm.VendorState(vendor_id="x"))
    assert mode(default.path.parent) == 0o700

"""Secrets stay secret: the token and the poll secret never appear in ``repr``, ``str``, error
messages or logs (the SDK's, httpx's, httpcore's), and travel only in the Authorization header
or the poll's body, never in a URL."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from harness import Served, request

import selfmodel as sm


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[httpx.Request]]:
    """Every request the SDK sends during the test."""
    requests: list[httpx.Request] = []
    real = httpx.Client.send

    def send(self: httpx.Client, req: httpx.Request, **kwargs: Any) -> httpx.Response:
        requests.append(req)
        return real(self, req, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", send)
    yield requests


def test_the_token_is_in_no_repr_log_url_or_error(
    served: Served, sent: list[httpx.Request], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = served.paired()
    pending = client.request_grant(request("com.example.quiet", ["communication"], ["goals"]))
    poll_secret = pending.poll_secret.expose()
    served.cli("grant", "approve", pending.request_id)
    approval = client.wait_for_approval(pending)
    token = approval.token.expose()
    v = client.with_token(approval.token)
    v.all_beliefs(sm.BeliefQuery(purpose="communication", limit=1))
    served.cli("grant", "revoke", approval.grant.id)
    with pytest.raises(sm.RevokedError) as revoked:
        v.grant()

    shown = [
        repr(approval),
        str(approval),
        repr(approval.token),
        str(approval.token),
        f"{approval.token}",
        f"{approval.token:>80}",
        repr(pending),
        str(pending),
        repr(pending.poll_secret),
        repr(v),
        str(revoked.value),
        repr(revoked.value),
        repr(sm.VendorState(vendor_id="x", token=approval.token, pending=pending)),
    ]
    assert caplog.records, "the SDK and httpx did log"
    shown += [r.getMessage() for r in caplog.records]
    for text in shown:
        assert token not in text and poll_secret not in text, text
        assert "smt_" not in text and "smp_" not in text, text
    assert "public_id=" in repr(approval.token) and token.split("_")[1] in repr(approval.token)

    # On the wire: the token only in the Authorization header, the poll secret only in the body.
    assert sent
    for req in sent:
        assert token not in str(req.url) and poll_secret not in str(req.url)
        auth = req.headers.get("authorization")
        assert auth is None or auth == f"Bearer {token}"
        assert token not in repr(req.headers), "httpx masks the header in its repr"
    assert any(req.headers.get("authorization") for req in sent)
    assert any(poll_secret.encode() in req.content for req in sent)


def test_secrets_are_not_pickled_and_compare_by_value() -> None:
    t = sm.Token("smt_abc_def")
    with pytest.raises(TypeError):
        pickle.dumps(t)
    assert t == sm.Token("smt_abc_def") != sm.Token("smt_abc_deg")
    assert t != sm.PollSecret("smt_abc_def")
    assert t.public_id == "abc" and sm.Token("not a token").public_id is None
    with pytest.raises(TypeError):
        sm.Token(b"smt_abc_def")  # type: ignore[arg-type]

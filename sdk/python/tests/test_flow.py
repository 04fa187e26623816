"""The device flow and purpose-bound reads against the real server, with the person's side driven
by the real CLI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest
from harness import Served, eventually, flags, request

import selfmodel as sm
import selfmodel.client


def test_the_grant_flow_shows_a_code_and_hands_the_narrowed_token_over_once(
    served: Served,
) -> None:
    client = served.paired()
    pending = client.request_grant(
        sm.GrantRequest(
            vendor=sm.VendorInfo(
                id="com.example.notes", name="Example Notes", url="https://notes.example"
            ),
            justification="Adapt answers to you",
            purposes=["communication", "personalisation"],
            categories=["communication-style", "expertise", "interests"],
            operations=[sm.Operation.READ, sm.Operation.READ_EVIDENCE, sm.Operation.PROPOSE],
            duration_days=30,
            vendor_retention_days=14,
        )
    )
    assert len(pending.user_code) == 9
    assert pending.interval == 2.0
    assert client.poll_once(pending) is sm.PollStatus.PENDING

    # The person sees the request with the same user code, and approves it narrowed.
    [shown] = served.cli_json("grant", "requests")
    assert (shown["id"], shown["user_code"]) == (pending.request_id, pending.user_code)
    assert shown["vendor_retention_days"] == 14
    narrowing = flags(
        purpose="communication", category="communication-style", operation="read", days=7
    )
    [preview] = served.cli_json("grant", "preview", pending.request_id, *narrowing)
    previewed = {b["id"] for b in preview["beliefs"]}
    served.cli("grant", "approve", pending.request_id, *narrowing)

    approval = client.poll_once(pending)
    assert isinstance(approval, sm.Approval)
    g = approval.grant
    assert (g.purposes, g.categories, g.operations) == (
        ["communication"],
        ["communication-style"],
        [sm.Operation.READ],
    )
    assert g.max_sensitivity is sm.Sensitivity.NORMAL
    assert g.vendor.url == "https://notes.example"
    assert (g.expires_at - g.created_at).days == 7
    assert g.consent.purposes == g.purposes and g.consent.data_categories == g.categories
    assert g.consent.recipient_retention_days == 14 and not g.consent.special_categories
    assert approval.token.expose().startswith("smt_")
    assert approval.checkpoint is not None, "a first receipt comes with the token"

    # The token is handed over once: a second poll is refused with its code.
    with pytest.raises(sm.TokenAlreadyIssuedError) as gone:
        client.poll_once(pending)
    assert (gone.value.status, gone.value.code) == (410, "token_already_issued")
    assert isinstance(gone.value, sm.GoneError)

    vendor = client.with_token(approval.token)
    assert vendor.grant() == g
    page = vendor.beliefs("communication")
    assert (page.grant_id, page.purpose) == (g.id, "communication")
    assert {b.id for b in page.beliefs} == previewed, "the preview is what the vendor receives"
    assert previewed == served.expected("communication", ["communication-style"])
    assert all(b.category == "communication-style" and b.evidence is None for b in page.beliefs)

    # A wrong poll secret is refused.
    forged = replace(pending, poll_secret=sm.PollSecret(f"smp_{'1' * 16}_{'2' * 64}"))
    with pytest.raises(sm.InvalidPollSecretError) as e:
        client.poll_once(forged)
    assert (e.value.status, e.value.code) == (401, "invalid_poll_secret")


def test_waiting_for_approval_polls_until_the_person_decides(served: Served) -> None:
    client = served.paired()
    ask = request("com.example.waiter", ["communication"], ["expertise"])
    pending = client.request_grant(ask)

    def approve_after_a_poll() -> None:
        eventually(
            lambda: any(
                e["operation"] == "grant.poll"
                for e in served.access_log("--vendor", "com.example.waiter")
            ),
            "a poll",
        )
        served.cli("grant", "approve", pending.request_id)

    approver = threading.Thread(target=approve_after_a_poll)
    approver.start()
    approval = client.wait_for_approval(pending)
    approver.join()
    assert approval.grant.categories == ["expertise"]

    pending = client.request_grant(ask)
    served.cli("grant", "deny", pending.request_id)
    with pytest.raises(sm.DeniedError):
        client.wait_for_approval(pending)


class Enough(Exception):
    """Stops a wait loop once the test has seen what it waits for."""


def test_waiting_slows_down_when_the_server_says_so(
    serve: Callable[..., Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No refill: the grant request spends the grant flow's one token, so every poll is refused
    # with 429 and Retry-After: 1, however long anything takes.
    s = serve(["--rate-limit", "0"])
    client = s.paired()
    pending = client.request_grant(request("com.example.eager", ["communication"], ["goals"]))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 4:
            raise Enough

    monkeypatch.setattr(selfmodel.client, "sleep", sleep)
    with pytest.raises(Enough):
        client.wait_for_approval(pending)
    # The server's Retry-After, then the interval grown by 5 s each time (RFC 8628 slow_down).
    base = pending.interval
    assert waits == [1.0, base + 5, 1.0, base + 10]


def test_a_paged_read_walks_every_page_for_its_purpose(served: Served) -> None:
    v, _ = served.reader("com.example.pager", ["personalisation"])
    whole = v.beliefs(sm.BeliefQuery(purpose="personalisation", limit=500))
    assert whole.next is None and len(whole.beliefs) > 6
    pages = list(v.pages(sm.BeliefQuery(purpose="personalisation", limit=3)))
    assert len(pages) >= 3
    assert all(len(p.beliefs) <= 3 for p in pages)
    assert pages[-1].next is None and all(p.next for p in pages[:-1])
    assert [b for p in pages for b in p.beliefs] == whole.beliefs, "pages add up, in order"
    walked = v.iter_beliefs(sm.BeliefQuery(purpose="personalisation", limit=2))
    assert list(walked) == whole.beliefs
    expected = served.expected("personalisation", served.normal_categories())
    assert {b.id for b in whole.beliefs} == expected

    high = v.all_beliefs(sm.BeliefQuery(purpose="personalisation", min_confidence=0.8))
    assert high and len(high) < len(whole.beliefs)
    assert all(b.confidence >= 0.8 for b in high)
    goals = v.all_beliefs(sm.BeliefQuery(purpose="personalisation", category="goals"))
    assert goals and all(b.category == "goals" for b in goals)
    one = whole.beliefs[0]
    assert v.belief(one.id, "personalisation") == one


def test_a_purpose_outside_the_grant_is_refused_with_its_code(served: Served) -> None:
    v, g = served.reader("com.example.narrow", ["communication"])
    some = v.beliefs(sm.BeliefQuery(purpose="communication", limit=1)).beliefs[0].id
    with pytest.raises(sm.PurposeNotGrantedError) as e:
        v.beliefs("advertising")
    assert (e.value.status, e.value.code) == (403, "purpose_not_granted")
    assert isinstance(e.value, sm.ForbiddenError)
    with pytest.raises(sm.PurposeNotGrantedError):
        v.belief(some, "recommendations")
    with pytest.raises(sm.PurposeNotGrantedError):
        next(v.iter_beliefs("advertising"))
    denied = [
        e for e in served.access_log("--vendor", "com.example.narrow") if e["outcome"] == "denied"
    ]
    # Each refusal is logged; repeats within a minute are counted on one entry, so the order
    # of the entries is not the order of the requests.
    assert sorted((e["reason"], e["purpose"]) for e in denied) == [
        ("purpose_not_granted", "advertising"),
        ("purpose_not_granted", "advertising"),
        ("purpose_not_granted", "recommendations"),
    ]
    assert all(e["grant_id"] == g.id and not e["disclosed"] for e in denied)


def test_revocation_is_effective_on_the_very_next_request(served: Served) -> None:
    v, g = served.reader("com.example.revoked", ["communication"])
    pages = v.pages(sm.BeliefQuery(purpose="communication", limit=2))
    assert next(pages).beliefs
    # The person revokes with the CLI, a second process, in the middle of a paged read.
    served.cli("grant", "revoke", g.id)
    with pytest.raises(sm.RevokedError) as e:
        next(pages)
    assert (e.value.status, e.value.code) == (401, "token_revoked")
    assert isinstance(e.value, sm.UnauthorizedError)
    with pytest.raises(sm.RevokedError):
        v.grant()
    with pytest.raises(sm.RevokedError):
        v.belief(served.belief_id("Writes in British English"), "communication")
    denied = [e for e in served.access_log("--grant", g.id) if e["outcome"] == "denied"]
    assert len(denied) == 3 and all(e["reason"] == "token_revoked" for e in denied)
    # A revoked vendor still hears that it was revoked.
    kinds = [e.kind for e in v.events().events]
    assert sm.EventKind.GRANT_REVOKED in kinds


def test_a_vendor_can_give_its_grant_up(served: Served) -> None:
    v, g = served.reader("com.example.quitter", ["communication"])
    v.give_up()
    with pytest.raises(sm.RevokedError):
        v.beliefs("communication")
    [listed] = served.cli_json("grant", "list")
    assert (listed["id"], listed["revoked_by"]) == (g.id, "vendor")


def test_errors_are_typed_with_the_servers_code_and_status(served: Served) -> None:
    s = served
    v, _ = s.reader("com.example.errs", ["communication"])
    anon = s.paired()
    with pytest.raises(sm.ConfigError, match="needs a token"):
        anon.beliefs("communication")
    bogus = sm.Token(f"smt_{'0' * 16}_{'0' * 64}")
    with pytest.raises(sm.InvalidTokenError) as e:
        anon.with_token(bogus).grant()
    assert (e.value.status, e.value.code) == (401, "invalid_token")
    with pytest.raises(sm.NotFoundError) as nf:
        v.belief("01a20820-0000-7000-8000-000000000000", "communication")
    assert nf.value.status == 404
    with pytest.raises(sm.BadRequestError):
        v.belief("no-such-id", "communication")
    with pytest.raises(sm.BadRequestError) as bad:
        v.beliefs(sm.BeliefQuery(purpose="communication", min_confidence=2.0))
    assert bad.value.status == 400
    with pytest.raises(sm.BadRequestError):
        anon.request_grant(request("x", ["no-such-purpose"], ["goals"]))
    with pytest.raises(sm.OperationNotGrantedError) as op:
        v.propose(sm.Proposal(statement="Likes tea", category="expertise", confidence=0.8))
    assert (op.value.status, op.value.code) == (403, "operation_not_granted")


def test_too_many_requests_are_refused_and_a_busy_proof_is_asked_again(
    serve: Callable[..., Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One request a second, in bursts of two, per grant: far fewer than a hundred calls pass.
    s = serve(["--rate-limit", "1"])
    v, _ = s.reader("com.example.eager", ["communication"])
    with pytest.raises(sm.RateLimitedError) as slow:
        for _ in range(100):
            v.grant()
    assert (slow.value.status, slow.value.code, slow.value.retry_after) == (
        429,
        "rate_limited",
        1.0,
    )

    # No refill: one identity proof passes, then the proof is busy for good. Busy is not
    # untrusted: the client waits as told, asks again, and reports the server as busy.
    busy = serve(["--rate-limit", "0"])
    assert httpx.post(busy.url + "/v1/server-proof", json={"nonce": "ab" * 32}).status_code == 200
    waits: list[float] = []
    monkeypatch.setattr(selfmodel.client, "sleep", waits.append)
    with pytest.raises(sm.RateLimitedError):
        sm.Client(busy.url, busy.key()).verify_server()
    assert waits == [1.0, 1.0]

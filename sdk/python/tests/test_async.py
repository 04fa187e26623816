"""The asyncio client against the real server: the same flow, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from harness import Served, request

import selfmodel as sm


def test_the_async_client_pairs_waits_reads_every_page_and_hears_of_revocation(
    served: Served,
) -> None:
    async def vendor() -> None:
        client, key = await sm.AsyncClient.pair(served.discovery())
        async with client:
            assert key == served.key()
            normal = served.normal_categories()
            pending = await client.request_grant(
                request("com.example.async", ["personalisation"], normal)
            )
            assert await client.poll_once(pending) is sm.PollStatus.PENDING
            # The person approves (a second process) while the vendor waits.
            approving = asyncio.to_thread(served.cli, "grant", "approve", pending.request_id)
            approval, _ = await asyncio.gather(client.wait_for_approval(pending), approving)
            assert approval.checkpoint is not None
            v = client.with_token(approval.token)

            query = sm.BeliefQuery(purpose="personalisation", limit=3)
            pages = [page async for page in v.pages(query)]
            assert len(pages) >= 3 and pages[-1].next is None
            walked = [b async for b in v.iter_beliefs(query)]
            assert walked == [b for p in pages for b in p.beliefs]
            assert (
                walked
                == (await v.beliefs(sm.BeliefQuery(purpose="personalisation", limit=500))).beliefs
            )
            assert {b.id for b in walked} == served.expected("personalisation", normal)
            assert await v.belief(walked[0].id, "personalisation") == walked[0]
            with pytest.raises(sm.PurposeNotGrantedError):
                await v.all_beliefs("advertising")

            receipt = await v.checkpoint()
            assert await v.check_receipt(receipt) == sm.Consistent()

            # A long poll in flight hears of the revocation; the next call is refused by type.
            feed = v.follow_events()
            revoking = asyncio.to_thread(served.cli, "grant", "revoke", approval.grant.id)
            events, _ = await asyncio.gather(feed.next_batch(wait=25), revoking)
            assert [e.kind for e in events] == [sm.EventKind.GRANT_REVOKED]
            with pytest.raises(sm.RevokedError):
                await v.grant()

            pending = await client.request_grant(
                request("com.example.async", ["communication"], ["goals"])
            )
            served.cli("grant", "deny", pending.request_id)
            with pytest.raises(sm.DeniedError):
                await client.wait_for_approval(pending)

    asyncio.run(vendor())


def test_the_async_client_refuses_another_key_and_talks_over_the_socket(
    serve: Callable[..., Served],
) -> None:
    s, other = serve(), serve()
    _, approval = s.approval(request("com.example.async-socket", ["communication"], ["goals"]))

    async def vendor() -> None:
        with pytest.raises(sm.ServerKeyChangedError):
            sm.AsyncClient.from_discovery(other.discovery(), s.key())
        with pytest.raises(sm.ServerNotTrustedError):
            await sm.AsyncClient.connect(other.url, s.key())
        state = sm.VendorState(vendor_id="com.example.async-socket", token=approval.token)
        client = await sm.AsyncClient.from_state(s.discovery(), state, unix_socket=True)
        async with client:
            assert state.server_key == s.key()
            assert (await client.grant()).id == approval.grant.id
        with pytest.raises(sm.ServerKeyChangedError):
            await sm.AsyncClient.from_state(other.discovery(), state)

    asyncio.run(vendor())

"""After the grant: proposals and the inbox, notices by long poll, and signed checkpoints kept as
receipts, against the real server with the person's side on the real CLI."""

from __future__ import annotations

import shutil
import threading
from dataclasses import replace

import pytest
from harness import Served, flags, request

import selfmodel as sm


def proposal(statement: str) -> sm.Proposal:
    return sm.Proposal(
        statement=statement,
        category="communication-style",
        confidence=0.8,
        purposes=["communication"],
        evidence=[
            sm.EvidenceIn(
                kind=sm.EvidenceKind.OBSERVED,
                source="Example Vendor",
                summary="Seen in 3 of the last 5 conversations",
            )
        ],
    )


def proposer(s: Served) -> sm.Client:
    ops = [sm.Operation.READ, sm.Operation.PROPOSE]
    return s.vendor(
        request("com.example.proposer", ["communication"], ["communication-style"], ops)
    )[0]


def test_proposals_land_in_the_inbox_and_the_person_decides(served: Served) -> None:
    v = proposer(served)
    kept = v.propose(proposal("Prefers bullet points for instructions"))
    dropped = v.propose(proposal("Likes answers in French"))
    assert kept.status is sm.ProposalStatus.PENDING and kept.id != dropped.id
    inbox = served.cli_json("inbox")
    assert {b["id"] for b in inbox} == {kept.id, dropped.id}
    assert all(b["provenance"]["vendor_name"] == "com.example.proposer" for b in inbox)
    # Pending proposals are not disclosed, not even to their proposer.
    assert kept.id not in {b.id for b in v.iter_beliefs("communication")}

    served.cli("belief", "accept", kept.id)
    served.cli("belief", "reject", dropped.id)
    after = {b.id for b in v.iter_beliefs("communication")}
    assert kept.id in after and dropped.id not in after

    # Secrets and hidden characters are refused, naming the field.
    for bad in (proposal("Mail me at someone@example.com"), proposal("Likes bul\u200blet points")):
        with pytest.raises(sm.BadRequestError) as e:
            v.propose(bad)
        assert e.value.status == 400 and e.value.code in ("sensitive_data", "invalid_field")
    assert served.cli_json("inbox") == []


def test_notices_arrive_by_long_poll_with_a_cursor(served: Served) -> None:
    v, g = served.vendor(
        request("com.example.listener", ["communication"], ["communication-style"])
    )
    first, second = [b.id for b in v.iter_beliefs("communication")][:2]
    feed = v.follow_events(0)
    assert feed.next_batch(wait=0) == []

    # Rectified, while the vendor waits in a long poll. Whichever comes first, the poll or the
    # change, the notice is the poll's answer.
    got: list[sm.Event] = []
    waiting = threading.Thread(target=lambda: got.extend(feed.next_batch(wait=25)))
    waiting.start()
    served.cli("belief", "edit", first, "--confidence", "0.97", "--reason", "asked to correct")
    waiting.join()
    assert [(e.kind, e.belief_id) for e in got] == [(sm.EventKind.BELIEF_RECTIFIED, first)]
    assert feed.cursor == got[0].seq
    assert v.belief(first, "communication").confidence == 0.97
    after_first = feed.cursor

    # A belief the vendor never received changes silently for it; an erased one is announced.
    other = served.belief_id("Experienced Rust programmer")
    served.cli("belief", "edit", other, "--confidence", "0.95", "--reason", "x")
    served.cli("belief", "delete", second)
    got = feed.next_batch(wait=25)
    assert [(e.kind, e.belief_id) for e in got] == [(sm.EventKind.BELIEF_ERASED, second)]
    with pytest.raises(sm.NotFoundError):
        v.belief(second, "communication")

    served.cli("grant", "revoke", g.id)
    got = feed.next_batch(wait=25)
    assert [(e.kind, e.belief_id) for e in got] == [(sm.EventKind.GRANT_REVOKED, None)]

    # From 0 all three replay in order; from a stored cursor, only what came after.
    everything = v.events(after=0)
    assert [e.kind for e in everything.events] == [
        sm.EventKind.BELIEF_RECTIFIED,
        sm.EventKind.BELIEF_ERASED,
        sm.EventKind.GRANT_REVOKED,
    ]
    assert everything.cursor == everything.events[-1].seq
    assert len(v.events(after=after_first).events) == 2


def add(s: Served, statement: str) -> None:
    s.cli(
        "belief", "add", *flags(statement=statement, category="communication-style", confidence=0.8)
    )


def test_checkpoints_verify_and_receipts_expose_a_rolled_back_vault(served: Served) -> None:
    s = served
    client, approval = s.approval(
        request("com.example.witness", ["communication"], ["communication-style"])
    )
    key = client.server_key
    first = approval.checkpoint
    assert first is not None and first.vault_key == key.hex()
    first.verify(key)
    v = client.with_token(approval.token)

    add(s, "Prefers short answers")
    latest = v.checkpoint()
    assert latest.seq == first.seq + 1
    assert isinstance(first.compare(latest), sm.Undecided)
    assert v.checkpoint(first.seq).head == first.head
    assert v.check_receipt(first) == sm.Consistent()

    # A tampered checkpoint is refused, whichever field was changed; so is another key's.
    for tampered in (
        replace(latest, head="00" * 32),
        replace(latest, seq=latest.seq + 1),
        replace(latest, issued_at=latest.issued_at.replace("Z", "+00:00")),
        replace(latest, signature=f"{int(latest.signature[:2], 16) ^ 1:02x}{latest.signature[2:]}"),
        replace(latest, signature="zz"),
    ):
        with pytest.raises(sm.InvalidCheckpointError):
            tampered.verify(key)
        with pytest.raises(sm.InvalidCheckpointError):
            v.check_receipt(tampered)
    with pytest.raises(sm.InvalidCheckpointError, match="not the pinned"):
        latest.verify(sm.ServerKey(bytes([7]) * 32))
    # Receipts are kept as the server sent them, and read back the same.
    assert sm.SignedCheckpoint.from_json(latest.to_json()) == latest

    # A copy of the vault is taken now; the vault moves on and the vendor keeps a receipt ...
    s.stop()
    s.cli("audit", "verify")  # opens and closes the vault: the copy is whole without its WAL
    copy = s.vault.read_bytes()
    s.restart()
    add(s, "Likes examples before theory")
    add(s, "Dislikes jargon")
    receipt = v.checkpoint()
    assert receipt.seq == latest.seq + 2
    # ... then the copy is put back, and the machine's own witness is gone too.
    s.stop()
    s.vault.write_bytes(copy)
    for sidecar in ("v.db-wal", "v.db-shm"):
        (s.dir / sidecar).unlink(missing_ok=True)
    shutil.rmtree(s.dir / "state")
    s.restart()
    assert v.check_receipt(receipt) == sm.RolledBack(
        receipt_seq=receipt.seq, current_seq=latest.seq
    )
    assert v.check_receipt(latest) == sm.Consistent()
    # New history written over the same positions: two validly signed statements of one event.
    add(s, "Prefers bullet points")
    add(s, "Reads slowly")
    verdict = v.check_receipt(receipt)
    assert isinstance(verdict, sm.Rewritten) and verdict.seq == receipt.seq
    assert verdict.receipt_head == receipt.head != verdict.current_head

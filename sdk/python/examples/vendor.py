"""A vendor's whole flow against a live server: discover it, verify its identity, ask for a grant,
wait for the person's approval, read for a purpose, propose a belief, follow notices briefly,
give the grant up.

    selfmodel demo && selfmodel serve &          # the person's side
    python examples/vendor.py
    # then, as the person: selfmodel grant approve <request id>

Options: ``--discovery FILE`` (default: the server's default discovery file), or
``--url URL --key HEX`` to connect to a server whose key was pinned earlier;
``--events-secs N`` how long to follow notices (default 5).
"""

from __future__ import annotations

import argparse
import sys
import time

import selfmodel as sm

PURPOSE = "communication"


def run(args: argparse.Namespace) -> None:
    # 1. Find the server and make it prove its identity before anything secret is sent.
    if args.url and args.key:
        key = sm.ServerKey.from_hex(args.key)
        print(f"connecting to {args.url}, pinned key {key}")
        client = sm.Client.connect(args.url, key)
    else:
        discovery = (
            sm.Discovery.load(args.discovery) if args.discovery else sm.Discovery.load_default()
        )
        client, key = sm.Client.pair(discovery)
        print(f"paired with {discovery.url} (server pid {discovery.pid}); pin this key: {key}")

    with client:
        # 2. Ask for a grant and wait for the person.
        request = sm.GrantRequest(
            vendor=sm.VendorInfo(
                id="com.example.vendor-demo", name="Example Vendor", url="https://vendor.example"
            ),
            justification="Adapt the tone and length of answers to how you like to be addressed",
            purposes=[PURPOSE],
            categories=["communication-style", "expertise"],
            operations=[sm.Operation.READ, sm.Operation.PROPOSE],
            duration_days=7,
            vendor_retention_days=1,
        )
        pending = client.request_grant(request)
        print(f"asked for a grant; user code {pending.user_code}, expires {pending.expires_at}")
        print(f"approve it as the person: selfmodel grant approve {pending.request_id}", flush=True)
        approval = client.wait_for_approval(pending)
        g = approval.grant
        print(
            f"approved: grant {g.id} for purposes {g.purposes}, "
            f"categories {g.categories}, until {g.expires_at}"
        )
        vendor = client.with_token(approval.token)

        # 3. Read for the declared purpose (every page).
        beliefs = vendor.all_beliefs(sm.BeliefQuery(purpose=PURPOSE, limit=50))
        print(f"{len(beliefs)} beliefs for {PURPOSE!r}:")
        for b in beliefs:
            print(f"  {b.confidence:.2f}  {b.category:<20} {b.statement}")

        # 4. Propose what the vendor learned; it waits in the person's inbox.
        if vendor.grant().allows(sm.Operation.PROPOSE):
            proposal = sm.Proposal(
                statement="Prefers bullet points for step-by-step instructions",
                category="communication-style",
                confidence=0.7,
                purposes=[PURPOSE],
                evidence=[
                    sm.EvidenceIn(
                        kind=sm.EvidenceKind.OBSERVED,
                        source="Example Vendor",
                        summary="Asked for a bulleted list in 3 of the last 5 how-to questions",
                    )
                ],
            )
            try:
                receipt = vendor.propose(proposal)
                print(f"proposed belief {receipt.id} ({receipt.status})")
            except sm.ConflictError as e:
                print(f"not proposed: {e.message}")

        # 5. Follow notices for a while: rectified or erased beliefs, revocation.
        feed = vendor.follow_events(0)
        until = time.monotonic() + args.events_secs
        print(f"following notices for {args.events_secs} s ...", flush=True)
        while (left := until - time.monotonic()) >= 1:
            for notice in feed.next_batch(wait=min(left, 5)):
                print(f"  notice {notice.seq}: {notice.kind} {notice.belief_id}")

        # 6. Done: give the grant up.
        vendor.give_up()
        print("gave up the grant; its token no longer works")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--discovery", help="the server's discovery file")
    parser.add_argument("--url", help="the server's URL (with --key)")
    parser.add_argument("--key", help="the server key pinned earlier, hex (with --url)")
    parser.add_argument("--events-secs", type=float, default=5, help="how long to follow notices")
    try:
        run(parser.parse_args())
    except sm.SelfmodelError as e:
        print(f"vendor example failed: {e}", file=sys.stderr)
        if isinstance(e, sm.ApiError):
            print(f"(server code: {e.code})", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

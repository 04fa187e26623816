"""One purpose-bound read, timed, through the Python SDK (sync client), for scripts/bench-sdk.

Pairs with the server named by the default discovery file, asks for a grant (prints
``approve <request id>`` and waits for the person), then answers commands on standard input, one
per line: ``tcp N W`` or ``unix N W`` makes W untimed reads, then N timed reads of
``GET /v1/beliefs?purpose=communication&limit=20`` with one client over that transport, and prints
the N latencies in microseconds on one line.
"""

from __future__ import annotations

import sys
import time

import selfmodel as sm

PURPOSE = "communication"
CATEGORIES = ["communication-style", "context", "expertise", "goals", "interests",
              "preferences", "routines", "values"]


def main() -> None:
    d = sm.Discovery.load_default()
    key = d.server_key()
    tcp = sm.Client.connect(d.url, key)
    pending = tcp.request_grant(sm.GrantRequest(
        vendor=sm.VendorInfo(id="com.example.bench-python", name="Bench (Python)"),
        justification="latency benchmark", purposes=[PURPOSE], categories=CATEGORIES,
        duration_days=1))
    print(f"approve {pending.request_id}", flush=True)
    token = tcp.wait_for_approval(pending).token
    clients = {"tcp": tcp.with_token(token)}
    if d.unix_socket:
        clients["unix"] = sm.Client(d.url, key, token=token, unix_socket=d.unix_socket)
    print("ready", flush=True)

    query = sm.BeliefQuery(purpose=PURPOSE, limit=20)
    for line in sys.stdin:
        transport, n, warmup = line.split()
        client = clients[transport]
        out = []
        for i in range(int(warmup) + int(n)):
            start = time.perf_counter_ns()
            page = client.beliefs(query)
            took = time.perf_counter_ns() - start
            if not page.beliefs:
                sys.exit("bench_read.py: an empty page")
            if i >= int(warmup):
                out.append(f"{took / 1000:.1f}")
        print(" ".join(out), flush=True)


if __name__ == "__main__":
    main()

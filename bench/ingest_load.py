"""The load of `bench ingest`, in a process of its own: C keep-alive HTTP/1.1 connections post pre-signed events.

Like Stripe (or wrk), it spends almost nothing per request, so the figure is the server's and not the client's:
requests are built and signed before the clock starts, and each connection sends its next request as soon as
the previous one is answered. Then, untimed, it checks what the goal requires besides speed: `duplicates` of those events posted again must each
answer 200 with duplicate true, and `forged` events signed with another secret must each answer 400. Reads one
JSON object on stdin (url, secret, run, events, clients, duplicates, forged); prints one.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

from core.events.webhooks import sign_stripe_payload

PATH = "/api/ingest/stripe"


def build_requests(host: str, secret: str, run: str, items: list[int], *, prefix: str = "evt_bench") -> list[bytes]:
    """One signed POST per item, as raw HTTP/1.1 bytes on a keep-alive connection."""
    now = int(time.time())
    out = []
    for i in items:
        body = json.dumps({"id": f"{prefix}_{run}_{i}", "object": "event", "type": "bench.ping",
                           "created": now, "data": {"object": {"id": f"obj_{i}"}}}).encode()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Stripe-Signature: {sign_stripe_payload(body, secret, now)}\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode() + body)
    return out


async def _connection(host: str, port: int, requests: list[bytes], latencies: list[float],
                      answers: list[tuple[int, bytes]] | None = None) -> int:
    """Send each request after the previous answer; the count answered 200 with received: true (each answer's
    status and body appended to `answers` when given)."""
    reader, writer = await asyncio.open_connection(host, port)
    accepted = 0
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split(b" ", 2)[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            accepted += status == 200 and b'"received":true' in body
            if answers is not None:
                answers.append((status, body))
    finally:
        writer.close()
    return accepted


async def _load(url: str, secret: str, run: str, events: int, clients: int, duplicates: int = 0,
                forged: int = 0) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    chunks = [build_requests(f"{host}:{port}", secret, run, list(range(events))[i::clients]) for i in range(clients)]
    latencies: list[float] = []
    started = time.perf_counter()
    counts = await asyncio.gather(*(_connection(host, port, chunk, latencies) for chunk in chunks))
    seconds = time.perf_counter() - started
    answers: list[tuple[int, bytes]] = []  # untimed: the repeats of the first events, then the forgeries
    checks = (build_requests(f"{host}:{port}", secret, run, list(range(min(duplicates, events))))
              + build_requests(f"{host}:{port}", f"{secret}_forged", run, list(range(forged)), prefix="evt_forged"))
    await _connection(host, port, checks, [], answers)
    repeats, forgeries = answers[:min(duplicates, events)], answers[min(duplicates, events):]
    return {"accepted": sum(counts), "seconds": seconds, "latencies": latencies,
            "duplicates_absorbed": sum(status == 200 and b'"duplicate":true' in body for status, body in repeats),
            "forged_refused": sum(status == 400 for status, _ in forgeries)}


def main() -> int:
    """Run the load described on stdin and print its counts, wall time and per-request latencies."""
    spec = json.loads(sys.stdin.readline())
    result = asyncio.run(_load(spec["url"], spec["secret"], spec["run"], spec["events"], spec["clients"],
                               spec.get("duplicates", 0), spec.get("forged", 0)))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

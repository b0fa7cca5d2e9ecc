"""The load of `bench ingest`, in a process of its own: C keep-alive HTTP/1.1 connections post pre-signed events.

Like Stripe (or wrk), it spends almost nothing per request, so the figure is the server's and not the client's:
requests are built and signed before the clock starts, and each connection sends its next request as soon as
the previous one is answered. Reads one JSON object on stdin (url, secret, run, events, clients); prints one.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

from core.events.webhooks import sign_stripe_payload

PATH = "/api/ingest/stripe"


def build_requests(host: str, secret: str, run: str, items: list[int]) -> list[bytes]:
    """One signed POST per item, as raw HTTP/1.1 bytes on a keep-alive connection."""
    now = int(time.time())
    out = []
    for i in items:
        body = json.dumps({"id": f"evt_bench_{run}_{i}", "object": "event", "type": "bench.ping",
                           "created": now, "data": {"object": {"id": f"obj_{i}"}}}).encode()
        head = (f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Stripe-Signature: {sign_stripe_payload(body, secret, now)}\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode() + body)
    return out


async def _connection(host: str, port: int, requests: list[bytes], latencies: list[float]) -> int:
    """Send each request after the previous answer; the count answered 200 with received: true."""
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
    finally:
        writer.close()
    return accepted


async def _load(url: str, secret: str, run: str, events: int, clients: int) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    chunks = [build_requests(f"{host}:{port}", secret, run, list(range(events))[i::clients]) for i in range(clients)]
    latencies: list[float] = []
    started = time.perf_counter()
    counts = await asyncio.gather(*(_connection(host, port, chunk, latencies) for chunk in chunks))
    seconds = time.perf_counter() - started
    return {"accepted": sum(counts), "seconds": seconds, "latencies": latencies}


def main() -> int:
    """Run the load described on stdin and print its counts, wall time and per-request latencies."""
    spec = json.loads(sys.stdin.readline())
    result = asyncio.run(_load(spec["url"], spec["secret"], spec["run"], spec["events"], spec["clients"]))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

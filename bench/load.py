"""Load generator: signed Digitalent POSTs over keep-alive connections, from its own process.

Requests are signed before the clock starts (each with a fresh Request-Id and the current time),
so the generator spends its time sending, not hashing. Prints one JSON line of results.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid

from mock_server.clients.digitalent import digitalent_signature, iso_timestamp

PATH = "/api/public/pelatihan/akademi"


def signed_requests(port: int, count: int) -> list[bytes]:
    out = []
    for i in range(count):
        body = json.dumps({"id": i % 8 + 1}, separators=(",", ":")).encode()
        ts, rid = iso_timestamp(), str(uuid.uuid4())
        sig = digitalent_signature("dts-demo-secret", "POST", PATH, body, ts, rid)
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nClient-Id: dts-demo-client\r\nRequest-Id: {rid}\r\n"
            f"Request-Timestamp: {ts}\r\nSignature: {sig}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def worker(
    port: int,
    queue: list[bytes],
    deadline: float,
    latencies: list[float],
    statuses: dict[int, int],
    pipeline: int = 1,
) -> None:
    """``pipeline`` requests written at once, then their answers read (HTTP/1.1 pipelining):
    the generator spends less CPU per request, at the price of latency figures that are per
    batch."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue and time.perf_counter() < deadline:
            batch = [queue.pop() for _ in range(min(pipeline, len(queue)))]
            started = time.perf_counter()
            writer.write(b"".join(batch))
            for _ in batch:
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run(
    port: int, seconds: float, connections: int, count: int, pipeline: int = 1
) -> dict[str, object]:
    queue = signed_requests(port, count)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(worker(port, queue, deadline, latencies, statuses, pipeline) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--count", type=int, default=60_000)
    parser.add_argument("--pipeline", type=int, default=1, help="requests in flight per connection")
    args = parser.parse_args()
    coro = run(args.port, args.seconds, args.connections, args.count, args.pipeline)
    try:
        import uvloop

        result = uvloop.run(coro)
    except ImportError:
        result = asyncio.run(coro)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

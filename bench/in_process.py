"""Where a request's time goes without the network: the ASGI apps called directly.

    python bench/in_process.py [--requests 10000] [--rounds 3]

The signed Digitalent POST of bench/run.py, sent straight to the sandbox's ASGI app (the port
dispatcher, the pipeline, auth, the journal, the handler; a state file, as `make run` keeps it)
and to bench/bare_app.py, 32 requests at a time, no uvicorn and no sockets. Process time per
request, median of the rounds: it says what the sandbox's own code costs beside FastAPI's.
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bare_app import app as bare_app  # noqa: E402

from mock_server.app import Sandbox  # noqa: E402
from mock_server.clients.digitalent import digitalent_signature, iso_timestamp  # noqa: E402
from mock_server.core.config import Settings  # noqa: E402

PATH = "/api/public/pelatihan/akademi"
PORTS = {"admin": 1, "digitalent": 2, "joss": 3, "kyc": 4, "sales_order": 5, "appkey": 6}
AT_ONCE = 32


def signed(i: int) -> tuple[dict[str, Any], bytes]:
    body = json.dumps({"id": i % 8 + 1}, separators=(",", ":")).encode()
    ts, rid = iso_timestamp(), str(uuid.uuid4())
    signature = digitalent_signature("dts-demo-secret", "POST", PATH, body, ts, rid)
    headers = [
        (b"host", b"127.0.0.1:2"),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"client-id", b"dts-demo-client"),
        (b"request-id", rid.encode()),
        (b"request-timestamp", ts.encode()),
        (b"signature", signature.encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "server": ("127.0.0.1", PORTS["digitalent"]),
        "client": ("127.0.0.1", 50000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }
    return scope, body


async def call(app: Any, scope: dict[str, Any], body: bytes) -> int:
    sent: list[dict[str, Any]] = []
    given = False

    async def receive() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(dict(scope), receive, send)
    return int(sent[0]["status"])


async def per_request(app: Any, count: int, flush: Any = None) -> float:
    """Process seconds a request, over ``count`` fresh signed requests after a warm-up."""
    warm = [signed(i) for i in range(200)]
    statuses = await asyncio.gather(*(call(app, *r) for r in warm))
    assert set(statuses) == {200}, statuses
    batch = [signed(i) for i in range(count)]
    started = time.process_time()
    for at in range(0, count, AT_ONCE):
        await asyncio.gather(*(call(app, *r) for r in batch[at : at + AT_ONCE]))
        if flush is not None and at % (AT_ONCE * 10) == 0:
            flush()  # as the serving loop does every 0.01 s
    return (time.process_time() - started) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/state.db", ca_dir=tmp)
        sandbox = Sandbox(settings).open()
        try:
            dispatcher = sandbox.dispatcher(PORTS)
            journal = sandbox.services.journal
            bare, mine = [], []
            for _ in range(args.rounds):
                bare.append(asyncio.run(per_request(bare_app, args.requests)))
                mine.append(asyncio.run(per_request(dispatcher, args.requests, journal.flush)))
        finally:
            sandbox.close()
    b, m = statistics.median(bare), statistics.median(mine)
    print(f"in-process, {AT_ONCE} at a time, median of {args.rounds} rounds of {args.requests}:")
    print(f"  bare FastAPI POST        {b * 1e6:6.0f} us of process time a request")
    print(f"  signed Digitalent POST   {m * 1e6:6.0f} us ({m / b:.2f}x the bare app's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

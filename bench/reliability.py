"""Two reliability figures of the README, with the sandbox's default settings and a state file.

    python bench/reliability.py replay [--rounds 30] [--copies 100]
    python bench/reliability.py kill9 [--rounds 3] [--seconds 3]

replay: two sandbox processes share one state file. Each round sends ``--copies`` copies of one
signed JOSS ``PUT /api/v1/companies/{id}`` (same Request-Id, same signature) at once, alternating
between the two processes. Exactly one copy may be accepted; every other must be JOSS's 409.

kill9: one sandbox on a state file takes signed JOSS company PUTs from 16 concurrent clients; after
``--seconds`` it is killed with SIGKILL mid-load. A new process on the same file then looks up every
company whose PUT was acknowledged (201): each one missing is an acknowledged write lost. The
journal's entries for those requests are counted too: the journal is written in batches every
0.01 s, so a kill may lose its last batch (the README says so).
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
from run import start_sandbox, stop  # noqa: E402

from tests.helpers import joss_headers  # noqa: E402
from tests.providers.joss.common import company_body  # noqa: E402

CLIENTS = 16


def signed_put(company_id: str, request_id: str | None = None) -> tuple[str, dict[str, str], bytes]:
    path = f"/api/v1/companies/{company_id}"
    body = json.dumps(company_body(name=f"PT Uji {company_id[:8]}")).encode()
    headers = joss_headers("PUT", path, body, at=datetime.now(UTC), request_id=request_id)
    return path, headers, body


async def replay_round(ports: list[int], copies: int) -> dict[int, int]:
    path, headers, body = signed_put(str(uuid.uuid4()), request_id=str(uuid.uuid4()))
    limits = httpx.Limits(max_connections=copies)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        answers = await asyncio.gather(
            *(
                client.put(
                    f"http://127.0.0.1:{ports[i % len(ports)]}{path}", content=body, headers=headers
                )
                for i in range(copies)
            )
        )
    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    return statuses


def replay(rounds: int, copies: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "state.db")
        first, first_ports, _ = start_sandbox(db)
        # The second process starts once the first has made the schema, as a user's would.
        second, second_ports, _ = start_sandbox(db)
        try:
            ports = [first_ports["joss"], second_ports["joss"]]
            results = [asyncio.run(replay_round(ports, copies)) for _ in range(rounds)]
        finally:
            stop(first)
            stop(second)
    exact = sum(1 for r in results if r.get(201, 0) == 1 and r.get(409, 0) == copies - 1)
    return {
        "rounds": rounds,
        "copies": copies,
        "exactly_one_accepted": exact,
        "rounds_seen": results,
    }


async def put_until(port: int, seconds: float, acknowledged: list[str]) -> None:
    deadline = time.monotonic() + seconds

    async def one_client(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            company_id = str(uuid.uuid4())
            path, headers, body = signed_put(company_id)
            try:
                answer = await client.put(
                    f"http://127.0.0.1:{port}{path}", content=body, headers=headers
                )
            except httpx.HTTPError:
                return  # the process was killed under this request: not acknowledged
            if answer.status_code == 201:
                acknowledged.append(company_id)

    async with httpx.AsyncClient(
        limits=httpx.Limits(max_connections=CLIENTS), timeout=10
    ) as client:
        await asyncio.gather(*(one_client(client) for _ in range(CLIENTS)))


def kill9_round(seconds: float) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "state.db")
        proc, ports, _ = start_sandbox(db)
        acknowledged: list[str] = []

        async def load_then_kill() -> None:
            load = asyncio.create_task(put_until(ports["joss"], seconds + 5, acknowledged))
            await asyncio.sleep(seconds)
            proc.kill()  # SIGKILL, mid-load: requests are in flight
            await load

        try:
            asyncio.run(load_then_kill())
        finally:
            proc.kill()
            proc.wait()
        again, ports, _ = start_sandbox(db)
        try:
            lost = 0
            with httpx.Client(timeout=30) as client:
                for company_id in acknowledged:
                    path = f"/api/v1/companies/{company_id}"
                    headers = joss_headers("GET", path, at=datetime.now(UTC))
                    if (
                        client.get(
                            f"http://127.0.0.1:{ports['joss']}{path}", headers=headers
                        ).status_code
                        != 200
                    ):
                        lost += 1
                admin = f"http://127.0.0.1:{ports['admin']}/__admin/requests/count"
                journalled = client.get(
                    admin, params={"method": "PUT", "outcome": "accepted"}
                ).json()
        finally:
            stop(again)
    count = journalled["count"] if isinstance(journalled, dict) else int(journalled)
    return {
        "acknowledged": len(acknowledged),
        "lost": lost,
        "journal_entries_lost": len(acknowledged) - count,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("figure", choices=["replay", "kill9"])
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if args.figure == "replay":
        result = replay(args.rounds or 30, args.copies)
    else:
        result = {"rounds": [kill9_round(args.seconds) for _ in range(args.rounds or 3)]}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

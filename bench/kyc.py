"""Benchmark: SATUSEHAT KYC's encrypted generate-url against the cost of its RSA, in one run.

    python bench/kyc.py [--workers N] [--seconds S]     (make bench runs it)

An encrypted generate-url costs the sandbox one RSA-OAEP-SHA256 decryption with its 2048-bit
server key (the request's envelope), one RSA-OAEP encryption to the client's public key (the
reply's) and two AES-256-GCM passes. This measures, in the same run:
- those operations alone, in this process, as the sandbox's ``envelope`` module does them:
  their cost per request, and so the most requests a second one core could ever answer;
- the sandbox (default configuration: a state file) answering encrypted generate-url over 16
  keep-alive connections from another process: requests a second, per worker;
and prints the share of a worker's time that the RSA alone accounts for.
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import MOCK, ROOT, free_port, stop, wait_until

from mock_server.clients.kyc import (
    encrypt_message,
    generate_key_pair,
    sandbox_public_key,
)
from mock_server.providers.kyc.envelope import open_message, seal
from mock_server.providers.kyc.keys import load_server_key
from mock_server.registry import PROVIDERS

PATH = "/kyc/v1/generate-url"


def payload(public_key: str) -> bytes:
    return json.dumps(
        {"agent_name": "Budi Santoso", "agent_nik": "3171012345678901", "public_key": public_key}
    ).encode()


def rsa_cost(rounds: int = 200) -> float:
    """Seconds per request of what generate-url's crypto costs: open the request, seal a reply."""
    server_key = load_server_key("")
    _, client_public = generate_key_pair()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    client_key = serialization.load_pem_public_key(client_public.encode())
    assert isinstance(client_key, rsa.RSAPublicKey)
    sealed = encrypt_message(payload(client_public), sandbox_public_key())
    reply = json.dumps({"url": "http://127.0.0.1:7103/kyc/v1/validation-web/" + "x" * 43}).encode()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds // 5):
            open_message(sealed, server_key)
            seal(reply, client_key)
        times.append((time.perf_counter() - started) / (rounds // 5))
    return statistics.median(times)


def start(workers: int, state: Path) -> tuple[object, dict[str, int]]:
    import os
    import subprocess

    ports = {"admin": free_port()} | {p.name: free_port() for p in PROVIDERS}
    args = [*MOCK, "serve", "--db", str(state), "--admin-port", str(ports["admin"])]
    for p in PROVIDERS:
        args += [f"--{p.flag}-port", str(ports[p.name])]
    if workers != 1:
        args += ["--workers", str(workers)]
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOCK_EDGE_PORT": str(free_port()), "MOCK_LOG_LEVEL": "warning"},
    )
    wait_until({ports["admin"]: "/__admin/health", ports["kyc"]: "/"}, time.perf_counter() + 30)
    return proc, ports


def token(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/oauth2/v1/accesstoken?grant_type=client_credentials",
        data=b"client_id=kyc-demo-client&client_secret=kyc-demo-secret",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(json.loads(answer.read())["access_token"])


def requests(port: int, bearer: str, count: int) -> list[bytes]:
    """Distinct envelopes (each its own AES key), made before the clock starts."""
    _, client_public = generate_key_pair()
    server_public = sandbox_public_key()
    out = []
    for _ in range(count):
        body = encrypt_message(payload(client_public), server_public).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/plain\r\n"
            f"Authorization: Bearer {bearer}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


async def load(port: int, queue: list[bytes], seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue and time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(queue.pop())
                head = await reader.readuntil(b"\r\n\r\n")
                statuses[int(head[9:12])] = statuses.get(int(head[9:12]), 0) + 1
                length = next(
                    int(line[15:])
                    for line in head.split(b"\r\n")
                    if line[:15].lower() == b"content-length:"
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise SystemExit(f"generate-url answered {statuses}: not a benchmark of success")
    return {"rps": len(latencies) / elapsed, "p50_ms": statistics.median(latencies) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cost = rsa_cost()
    with tempfile.TemporaryDirectory() as tmp:
        proc, ports = start(args.workers, Path(tmp) / "mock.db")
        try:
            bearer = token(ports["kyc"])
            # Enough envelopes for the run at the most the crypto allows, all workers together.
            count = int(args.seconds * args.workers / cost * 1.2) + 100
            queue = requests(ports["kyc"], bearer, count)
            result = asyncio.run(load(ports["kyc"], queue, args.seconds, args.connections))
        finally:
            stop(proc)
    per_worker = result["rps"] / args.workers
    figures = {
        "workers": args.workers,
        "rsa_ms_per_request": cost * 1000,
        "crypto_bound_rps_per_core": 1 / cost,
        "rps": result["rps"],
        "rps_per_worker": per_worker,
        "p50_ms": result["p50_ms"],
        "rsa_share_of_worker_time": per_worker * cost,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"KYC encrypted generate-url, {args.workers} worker(s), {args.connections} keep-alive "
            f"connections, state file:\n"
            f"  RSA-OAEP decrypt + encrypt + AES-GCM, in-process: {cost * 1000:.2f} ms a request "
            f"(at most {1 / cost:,.0f} req/s a core)\n"
            f"  the sandbox: {result['rps']:,.0f} req/s ({per_worker:,.0f} a worker), "
            f"p50 {result['p50_ms']:.1f} ms\n"
            f"  the RSA alone is {per_worker * cost:.0%} of a worker's time"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

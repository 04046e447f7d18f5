"""Benchmark: the sandbox against a bare FastAPI app, in the same run, on this machine.

    python bench/run.py            (or: make bench)

Measures, with one uvicorn worker each and identical uvicorn settings:
- signed Digitalent POST throughput as a ratio of the bare app's (same request bytes), over
  interleaved rounds, median of the per-round ratios; p50/p99 latency of each;
- cold start: process start to every port answering HTTP (fresh in-memory state, and a state
  file kept from an earlier run);
- RSS of the sandbox after the load (peak resident set, VmHWM).
Targets (issue 2): ratio >= 0.6, cold start <= 0.7 s, RSS <= 150 MB.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
MOCK = [PYTHON, "-m", "mock_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=0.5) as resp:
            return resp.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


def wait_until(ports: dict[int, str], deadline: float) -> float:
    pending = dict(ports)
    while pending:
        for port, path in list(pending.items()):
            if answers(port, path):
                del pending[port]
        if pending:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"ports never answered: {sorted(pending)}")
            time.sleep(0.005)
    return time.perf_counter()


def start_sandbox(
    db: str | None, root: Path = ROOT
) -> tuple[subprocess.Popen[bytes], dict[str, int], float]:
    """``root``: the checkout whose ``mock_server`` runs (``--against`` starts a second one)."""
    from mock_server.registry import PROVIDERS

    ports = {"admin": free_port()} | {p.name: free_port() for p in PROVIDERS}
    state = ["--db", db] if db else ["--memory"]
    flags = [f"--{p.flag}-port" for p in PROVIDERS]
    port_args = [
        a for flag, p in zip(flags, PROVIDERS, strict=True) for a in (flag, str(ports[p.name]))
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*MOCK, "serve", *state, "--admin-port", str(ports["admin"]), *port_args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # The HTTPS edge on a free port, not 7443; by environment, which a checkout from before
        # the edge ignores (a flag it would refuse).
        env={**os.environ, "MOCK_EDGE_PORT": str(free_port())},
    )
    # Every port must answer HTTP: the control plane's health, and any answer from each provider.
    targets = {ports["admin"]: "/__admin/health"} | {ports[p.name]: "/" for p in PROVIDERS}
    ready = wait_until(targets, started + 20)
    return proc, ports, ready - started


def start_bare() -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--port",
            str(port),
            "--no-access-log",
            "--no-server-header",
            "--log-level",
            "warning",
            "--lifespan",
            "on",
        ],
        cwd=ROOT / "bench",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until({port: "/health"}, time.perf_counter() + 20)
    return proc, port


def load(port: int, seconds: float, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "load.py"),
            "--port",
            str(port),
            "--seconds",
            str(seconds),
            "--connections",
            str(connections),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="load per round and app")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--starts", type=int, default=5, help="cold starts to time")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="also load the sandbox of another checkout (e.g. a worktree of the previous "
        "commit) in the same interleaved rounds, and report its ratio beside this one's",
    )
    args = parser.parse_args()

    results: dict[str, object] = {"cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        # Cold starts: fresh in-memory state (seeding included), then a kept state file.
        fresh, kept = [], []
        for i in range(args.starts):
            proc, _, seconds = start_sandbox(None)
            fresh.append(seconds)
            stop(proc)
            proc, _, seconds = start_sandbox(db)
            if i:  # the first run creates and seeds the file
                kept.append(seconds)
            stop(proc)
        results["cold_start_memory_s"] = statistics.median(fresh)
        results["cold_start_file_s"] = statistics.median(kept) if kept else None

        sandbox, ports, _ = start_sandbox(db)
        bare, bare_port = start_bare()
        other = start_sandbox(str(Path(tmp) / "against.db"), args.against) if args.against else None
        try:
            load(bare_port, 1.0, args.connections)  # warm-up both
            load(ports["digitalent"], 1.0, args.connections)
            if other:
                load(other[1]["digitalent"], 1.0, args.connections)
            rounds = []
            for n in range(args.rounds):
                b = load(bare_port, args.seconds, args.connections)
                # With --against, the two sandboxes take turns going first after the bare app, so
                # neither always runs in the same place of the round.
                o = None
                if other and n % 2:
                    o = load(other[1]["digitalent"], args.seconds, args.connections)
                s = load(ports["digitalent"], args.seconds, args.connections)
                if other and o is None:
                    o = load(other[1]["digitalent"], args.seconds, args.connections)
                if set(s["statuses"]) != {"200"}:
                    raise SystemExit(
                        f"the sandbox answered {s['statuses']}: the load is not all accepted"
                    )
                this_round = {"bare": b, "sandbox": s, "ratio": s["rps"] / b["rps"]}
                if o is not None:
                    this_round |= {"against": o, "against_ratio": o["rps"] / b["rps"]}
                rounds.append(this_round)
            rss, peak = rss_mb(sandbox.pid)
        finally:
            stop(sandbox)
            stop(bare)
            if other:
                stop(other[0])

    def med(key: str, which: str) -> float:
        return statistics.median(r[which][key] for r in rounds)  # type: ignore[index]

    results.update(
        {
            "ratio": statistics.median(r["ratio"] for r in rounds),
            "ratios": [round(r["ratio"], 3) for r in rounds],
            "sandbox_rps": med("rps", "sandbox"),
            "bare_rps": med("rps", "bare"),
            "sandbox_p50_ms": med("p50_ms", "sandbox"),
            "sandbox_p99_ms": med("p99_ms", "sandbox"),
            "bare_p50_ms": med("p50_ms", "bare"),
            "bare_p99_ms": med("p99_ms", "bare"),
            "rss_mb": rss,
            "peak_rss_mb": peak,
        }
    )
    if args.against:
        results["against"] = str(args.against)
        results["against_ratio"] = statistics.median(r["against_ratio"] for r in rounds)
        results["against_ratios"] = [round(r["against_ratio"], 3) for r in rounds]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"machine: {results['cpus']} cores; one uvicorn worker each; {args.connections} keep-alive "
        f"connections; {args.rounds} interleaved rounds of {args.seconds:.0f} s"
    )
    print(
        f"signed Digitalent POST  {results['sandbox_rps']:8.0f} req/s   "
        f"p50 {results['sandbox_p50_ms']:.2f} ms   p99 {results['sandbox_p99_ms']:.2f} ms"
    )
    print(
        f"bare FastAPI POST       {results['bare_rps']:8.0f} req/s   "
        f"p50 {results['bare_p50_ms']:.2f} ms   p99 {results['bare_p99_ms']:.2f} ms"
    )
    print(
        f"throughput ratio        {results['ratio']:.2f}  (target >= 0.6; "
        f"rounds {results['ratios']})"
    )
    if args.against:
        print(
            f"ratio of {args.against}  {results['against_ratio']:.2f}  "
            f"(same rounds: {results['against_ratios']})"
        )
    print(f"cold start, memory      {results['cold_start_memory_s']:.2f} s  (target <= 0.7 s)")
    if results["cold_start_file_s"] is not None:
        print(f"cold start, kept file   {results['cold_start_file_s']:.2f} s")
    print(f"RSS after load          {rss:.0f} MB (peak {peak:.0f} MB; target <= 150 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the sandbox on PostgreSQL, and --workers 2 against --workers 1.

    python bench/scale.py          (make bench runs it after bench/run.py)

- signed Digitalent POST throughput on a throwaway PostgreSQL server (started from the server
  binaries, as the tests do) as a ratio of the bare FastAPI app's, over interleaved rounds,
  median of the per-round ratios (bench/run.py measures the same on SQLite);
- --workers 2 over --workers 1 on one SQLite file, in interleaved rounds, with more connections.
  The load generator is one process on the same machine: it takes CPU the workers would
  otherwise have, so its CPU use (cores busy, from its own rusage) is printed beside each figure.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from run import MOCK, PYTHON, ROOT, free_port, load, start_bare, stop, wait_until


def start(env: dict[str, str], *flags: str) -> tuple[subprocess.Popen[bytes], int]:
    """A sandbox with ``flags`` and ``env``; its Digitalent port once every worker listens."""
    from mock_server.registry import PROVIDERS

    ports = {"admin": free_port()} | {p.name: free_port() for p in PROVIDERS}
    port_args = [a for p in PROVIDERS for a in (f"--{p.flag}-port", str(ports[p.name]))]
    proc = subprocess.Popen(
        [*MOCK, "serve", "--admin-port", str(ports["admin"]), *port_args, "--no-edge", *flags],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # "ready" comes once every worker listens
        if line.startswith(b"ready:"):
            break
    else:
        raise SystemExit("the sandbox exited before it was ready")
    wait_until({ports["admin"]: "/__admin/health"}, time.perf_counter() + 20)
    # Nobody reads the rest of its output: a request line per request would fill the pipe.
    drain_output(proc)
    return proc, ports["digitalent"]


def drain_output(proc: subprocess.Popen[bytes]) -> None:
    import threading

    def drain() -> None:
        assert proc.stdout is not None
        for _ in proc.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


def pipelined_load(port: int, seconds: float, connections: int, pipeline: int) -> dict[str, Any]:
    argv = [PYTHON, str(ROOT / "bench" / "load.py"), "--port", str(port), "--seconds"]
    argv += [str(seconds), "--connections", str(connections), "--pipeline", str(pipeline)]
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def measured_load(
    port: int, seconds: float, connections: int, pipeline: int = 1
) -> dict[str, float]:
    """bench/load.py's figures, plus the cores the load generator kept busy meanwhile."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = (
        load(port, seconds, connections)
        if pipeline == 1
        else pipelined_load(port, seconds, connections, pipeline)
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if set(result["statuses"]) != {"200"}:  # type: ignore[arg-type]
        raise SystemExit(f"the sandbox answered {result['statuses']}: the load is not all accepted")
    return result | {"generator_cores": cpu / float(result["seconds"])}


def postgres_ratio(args: argparse.Namespace) -> None:
    from tests.postgres import ThrowawayPostgres, missing_reason

    reason = missing_reason()
    if reason:
        print(f"PostgreSQL: skipped ({reason})")
        return
    server = ThrowawayPostgres(in_memory=False).start()  # on disk, as a team's server is
    sandbox = bare = None
    try:
        url = server.create_database("bench")
        with tempfile.TemporaryDirectory() as ca:
            sandbox, port = start({"MOCK_DATABASE_URL": url, "MOCK_CA_DIR": ca})
            bare, bare_port = start_bare()
            load(bare_port, 1.0, args.connections)  # warm-up both
            load(port, 1.0, args.connections)
            ratios, rps = [], []
            for _ in range(args.rounds):
                b = measured_load(bare_port, args.seconds, args.connections)
                s = measured_load(port, args.seconds, args.connections)
                ratios.append(s["rps"] / b["rps"])
                rps.append(s["rps"])
    finally:
        for proc in (sandbox, bare):
            if proc is not None:
                stop(proc)
        server.stop()
    print(
        f"PostgreSQL 15 (throwaway, loopback TCP): signed Digitalent POST "
        f"{statistics.median(rps):.0f} req/s; ratio to the bare app "
        f"{statistics.median(ratios):.2f} (rounds {[round(r, 3) for r in ratios]})"
    )


def process_cpu(pid: int) -> float:
    """User + system seconds a running process has used (from /proc: it is not our child)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids(proc: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def workers_ratio(args: argparse.Namespace) -> None:
    connections = args.connections * 2  # enough in flight to keep two workers busy
    with tempfile.TemporaryDirectory() as tmp:
        one, one_port = start({}, "--db", str(Path(tmp) / "one.db"))
        two, two_port = start({}, "--db", str(Path(tmp) / "two.db"), "--workers", "2")
        try:
            load(one_port, 1.0, connections)
            load(two_port, 1.0, connections)
            rounds = []
            busy: dict[int, list[float]] = {1: [], 2: []}  # cores each sandbox process used
            pids = {1: [one.pid], 2: worker_pids(two)}
            for n in range(args.rounds):
                order = [(1, one_port), (2, two_port)]
                if n % 2:
                    order.reverse()  # neither always goes first
                this = {}
                for w, port in order:
                    before = [process_cpu(pid) for pid in pids[w]]
                    this[w] = measured_load(port, args.seconds, connections, args.pipeline)
                    after = [process_cpu(pid) for pid in pids[w]]
                    seconds = float(this[w]["seconds"])
                    busy[w] += [(a - b) / seconds for a, b in zip(after, before, strict=True)]
                rounds.append(this)
        finally:
            stop(one)
            stop(two)
    ratio = statistics.median(r[2]["rps"] / r[1]["rps"] for r in rounds)
    print(
        f"--workers 2 / --workers 1 (SQLite file, {connections} connections, "
        f"{args.pipeline} requests in flight on each): throughput ratio "
        f"{ratio:.2f} (rounds {[round(r[2]['rps'] / r[1]['rps'], 3) for r in rounds]}); "
        f"{statistics.median(r[1]['rps'] for r in rounds):.0f} -> "
        f"{statistics.median(r[2]['rps'] for r in rounds):.0f} req/s"
    )
    print(
        f"  the load generator (one process, same {os.cpu_count()} cores) kept "
        f"{statistics.median(r[1]['generator_cores'] for r in rounds):.2f} cores busy against one "
        f"worker and {statistics.median(r[2]['generator_cores'] for r in rounds):.2f} against two"
    )
    print(
        f"  cores each worker kept busy (median over rounds): {statistics.median(busy[1]):.2f} "
        f"alone, {statistics.median(busy[2]):.2f} each of two"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0, help="load per round and app")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--pipeline",
        type=int,
        default=8,
        help="requests in flight per connection for the workers ratio (pipelined: the generator "
        "then spends less of the shared CPU per request)",
    )
    args = parser.parse_args()
    postgres_ratio(args)
    workers_ratio(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

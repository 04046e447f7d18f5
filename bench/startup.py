"""Start-up: the sandbox's cold start against a bare FastAPI app's, and each CLI command's cost.

    python bench/startup.py            (make bench runs it after bench/run.py)
    python bench/startup.py --cli-only (the commands alone: the cold starts take minutes)

Measures, in the same run on this machine:
- cold start: from spawning the process to the first 200 on its health endpoint, for
  ``python -m mock_server serve --memory`` (every provider, seeded) and for bench/bare_app.py
  under ``python -m uvicorn`` (started the same way), in interleaved rounds; the median of each
  and of the per-round ratios. Target (issue 15): ratio <= 2. Then the same on a state file
  kept from an earlier start (``make run``'s default: nothing to seed);
- process time (user + sys, from the kernel's accounting of the child) of each command that
  talks to a running sandbox (``--version``, ``--help``, ``sign``, ``clock``, ``journal``,
  ``explain``), median of several runs against one sandbox. Target: <= 0.3 s each.
- reset: dropping and reseeding every provider in-process (wall time), the first time and then
  the median (the issue's seeding budget, 1 s, lives here and not in a timed test).
Process time rather than wall time: it does not count the time another program holds the cores.
Every process runs with Python's default bytecode cache (PYTHONDONTWRITEBYTECODE is dropped from
the environment): a user's install compiles each module once, not at every start.
"""

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from run import free_port, stop  # noqa: E402

ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PYTHON = sys.executable
MOCK_SERVER = str(Path(PYTHON).with_name("mock-server"))  # the console script users run


def status_of(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def time_to_200(command: list[str], url: str, env: dict[str, str], cwd: Path) -> float:
    """Seconds from spawn to the first 200 at ``url``; the process is stopped afterwards."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while status_of(url) != 200:
            if proc.poll() is not None:
                assert proc.stderr is not None
                why = proc.stderr.read().decode(errors="replace")[-500:]
                raise RuntimeError(f"{command[:4]} exited with {proc.returncode}: {why}")
            if time.perf_counter() - started > 30:
                raise TimeoutError(f"{url} never answered 200")
            time.sleep(0.005)
        return time.perf_counter() - started
    finally:
        stop(proc)


def sandbox_command(
    ports: dict[str, int], state: Path | None = None
) -> tuple[list[str], dict[str, str]]:
    """``state``: a state file (as ``make run`` keeps one), else ``--memory``."""
    from mock_server.registry import PROVIDERS

    where = ["--db", str(state)] if state else ["--memory"]
    command = [PYTHON, "-m", "mock_server", "serve", *where]
    command += ["--admin-port", str(ports["admin"])]
    for provider in PROVIDERS:
        command += [f"--{provider.flag}-port", str(ports[provider.name])]
    # The HTTPS edge on a free port, never the default 7443.
    return command, {**ENV, "MOCK_EDGE_PORT": str(free_port())}


def sandbox_ports() -> dict[str, int]:
    """Different free ports: each socket stays bound until all are chosen."""
    from mock_server.registry import PROVIDERS

    names = ["admin", *(p.name for p in PROVIDERS)]
    sockets = [socket.socket() for _ in names]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return {name: sock.getsockname()[1] for name, sock in zip(names, sockets, strict=True)}
    finally:
        for sock in sockets:
            sock.close()


def cold_starts(rounds: int, state: Path | None = None) -> dict[str, object]:
    """``state``: start on this state file, made by a first start that is not timed."""
    bare, sandbox, ratios = [], [], []
    if state is not None:
        ports = sandbox_ports()
        command, env = sandbox_command(ports, state)
        time_to_200(command, f"http://127.0.0.1:{ports['admin']}/__admin/health", env, ROOT)
    for _ in range(rounds):
        port = free_port()
        bare_command = [
            *(PYTHON, "-m", "uvicorn", "bare_app:app", "--port", str(port)),
            *("--no-access-log", "--log-level", "warning"),
        ]
        b = time_to_200(bare_command, f"http://127.0.0.1:{port}/health", dict(ENV), ROOT / "bench")
        for attempt in range(3):  # a free port can be taken by another program before the start
            ports = sandbox_ports()
            command, env = sandbox_command(ports, state)
            try:
                s = time_to_200(
                    command, f"http://127.0.0.1:{ports['admin']}/__admin/health", env, ROOT
                )
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        bare.append(b)
        sandbox.append(s)
        ratios.append(s / b)
    return {
        "bare_s": statistics.median(bare),
        "sandbox_s": statistics.median(sandbox),
        "ratio": statistics.median(ratios),
        "rounds": rounds,
    }


def process_seconds(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of ``command`` (which must succeed)."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        assert proc.stderr is not None
        raise RuntimeError(f"{command} failed: {proc.stderr.read().decode()}")
    return float(usage.ru_utime + usage.ru_stime)


def journal_id_of_a_rejection(digitalent_port: int) -> str:
    """An unsigned request, for ``explain`` to explain."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{digitalent_port}/api/public/pelatihan/akademi",
        data=b'{"id":1}',
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as exc:
        return str(exc.headers["X-Mock-Journal-Id"])
    raise RuntimeError("an unsigned request was accepted")


def commands(runs: int) -> dict[str, float]:
    ports = sandbox_ports()
    command, env = sandbox_command(ports)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.perf_counter() + 30
        while status_of(f"http://127.0.0.1:{ports['admin']}/__admin/health") != 200:
            if time.perf_counter() > deadline or proc.poll() is not None:
                raise RuntimeError("the sandbox never became healthy")
            time.sleep(0.02)
        cli_env = {
            **ENV,
            "MOCK_ADMIN_URL": f"http://127.0.0.1:{ports['admin']}",
            "MOCK_DIGITALENT_PORT": str(ports["digitalent"]),
        }
        journal_id = journal_id_of_a_rejection(ports["digitalent"])
        cases = {
            "python -c pass (the floor)": [PYTHON, "-c", "pass"],
            "--version": [MOCK_SERVER, "--version"],
            "--help": [MOCK_SERVER, "--help"],
            "sign digitalent": [
                *(MOCK_SERVER, "sign", "digitalent", "POST", "/api/public/pelatihan/akademi"),
                *("--body", '{"id":1}'),
            ],
            "clock": [MOCK_SERVER, "clock"],
            "journal": [MOCK_SERVER, "journal", "--limit", "5"],
            "explain": [MOCK_SERVER, "explain", journal_id],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):  # interleaved, so that a busy moment spreads over every command
            for name, case in cases.items():
                times[name].append(process_seconds(case, cli_env))
        return {name: statistics.median(values) for name, values in times.items()}
    finally:
        stop(proc)


def reset_seconds(runs: int) -> dict[str, float]:
    """``mock-server reset``'s work in-process (drop every table, recreate, reseed five
    providers), on a state file: the first, which imports Faker and the seeders, and the median
    of the others. The issue's budget for the whole sandbox's seeding is 1 s."""
    from mock_server.app import Sandbox
    from mock_server.core.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Sandbox(Settings(database_url=f"sqlite:///{tmp}/mock.db", ca_dir=tmp))
        try:
            first = sandbox.services.reset()
            rest = [sandbox.services.reset() for _ in range(max(runs, 1))]
        finally:
            sandbox.close()
    return {"first_s": first, "median_s": statistics.median(rest)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7, help="cold starts of each app")
    parser.add_argument("--runs", type=int, default=7, help="runs of each command")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--cli-only",
        action="store_true",
        help="measure only the commands' process time and reset (the cold starts take minutes)",
    )
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    results: dict[str, dict[str, object]] = {}
    if not args.cli_only:
        with tempfile.TemporaryDirectory() as tmp:
            results["cold_start"] = cold_starts(args.rounds)
            results["cold_start_state_file"] = cold_starts(args.rounds, Path(tmp) / "mock.db")
    results["cli_process_s"] = dict(commands(args.runs))
    results["reset"] = reset_seconds(args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"machine: {os.cpu_count()} cores")
    if not args.cli_only:
        cold = results["cold_start"]
        print(f"median of {args.rounds} interleaved rounds")
        print(
            f"cold start to first 200: sandbox --memory {cold['sandbox_s']:.2f} s, "
            f"bare FastAPI {cold['bare_s']:.2f} s, ratio {cold['ratio']:.2f} (target <= 2)"
        )
        kept = results["cold_start_state_file"]
        print(
            f"  on a state file kept from an earlier start (make run's default): "
            f"{kept['sandbox_s']:.2f} s, bare {kept['bare_s']:.2f} s, ratio {kept['ratio']:.2f}"
        )
    print(f"process time (user + sys), median of {args.runs} runs (target <= 0.3 s):")
    for name, seconds in results["cli_process_s"].items():
        assert isinstance(seconds, float)
        print(
            f"  mock-server {name:<28} {seconds:.3f} s"
            if not name.startswith("python")
            else f"  {name:<40} {seconds:.3f} s"
        )
    reset = results["reset"]
    print(
        f"reset (drop, recreate and reseed every provider, in-process, a state file): first "
        f"{reset['first_s'] * 1000:.0f} ms (imports the seeders), then median "
        f"{reset['median_s'] * 1000:.0f} ms of {args.runs} (budget: 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start the real ``mock-server`` process on free ports, as a user would, and talk HTTP to it."""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mock_server.registry import PROVIDERS
from tests.forked import ForkedProcess, zygote

CONSOLE_SCRIPT = Path(sys.executable).with_name("mock-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` different free ports: each socket stays bound until all are chosen, or the
    kernel may hand out one port twice (then the sandbox refuses two services on one port)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class RunningServer:
    process: subprocess.Popen[str] | ForkedProcess
    ports: dict[str, int]
    output: list[str] = field(default_factory=list)
    edge_port: int = 0  # the HTTPS edge's port (never a default one)
    # The CA's directory when no state file keeps it (a database URL): removed by stop().
    throwaway_ca: tempfile.TemporaryDirectory[str] | None = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_for_output(self, fragment: str, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                if fragment in line:
                    return line
            time.sleep(0.02)
        raise AssertionError(f"{fragment!r} never printed; output:\n" + "\n".join(self.output))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.throwaway_ca is not None:
            self.throwaway_ca.cleanup()
            self.throwaway_ca = None
        return self.process.returncode


@contextmanager
def running_server(
    db: Path | str | None,
    *extra: str,
    module: bool = False,
    env: dict[str, str] | None = None,
    exec_script: bool = False,
) -> Iterator[RunningServer]:
    """``db``: a SQLite file, a database URL (given as MOCK_DATABASE_URL), or None (--memory).

    The sandbox is forked from tests/zygote.py, unless ``exec_script`` (the console script,
    exec'd) or ``module`` (``python -m mock_server``): each provider's tests/…/test_server.py
    starts the console script itself, as a user does."""
    for attempt in range(3):
        try:
            server = _start(db, extra, module, env, exec_script)
            break
        except PortTaken:
            # Between free_ports() and the sandbox's bind, another test process took a port.
            if attempt == 2:
                raise
    try:
        yield server
    finally:
        server.stop()


class PortTaken(AssertionError):
    pass


def _start(
    db: Path | str | None,
    extra: tuple[str, ...],
    module: bool,
    env: dict[str, str] | None,
    exec_script: bool,
) -> RunningServer:
    *chosen, edge_port = free_ports(len(PROVIDERS) + 2)
    ports = dict(zip(["admin", *(p.name for p in PROVIDERS)], chosen, strict=True))
    command = [sys.executable, "-m", "mock_server"] if module else [str(CONSOLE_SCRIPT)]
    throwaway_ca: tempfile.TemporaryDirectory[str] | None = None
    if isinstance(db, str):
        # No state file to keep the CA beside: it would go to mock-ca/ in the working directory.
        throwaway_ca = tempfile.TemporaryDirectory(prefix="mock-ca-")
        env = {"MOCK_CA_DIR": throwaway_ca.name, **(env or {}), "MOCK_DATABASE_URL": db}
        command += ["serve"]
    else:
        command += ["serve", *(["--db", str(db)] if db else ["--memory"])]
    command += ["--admin-port", str(ports["admin"])]
    for provider in PROVIDERS:
        command += [f"--{provider.flag}-port", str(ports[provider.name])]
    command += ["--edge-port", str(edge_port), *extra]
    process: subprocess.Popen[str] | ForkedProcess
    if module or exec_script:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
    else:
        process = zygote().spawn(command[1:], env={**os.environ, **(env or {})})
    server = RunningServer(process, ports, edge_port=edge_port, throwaway_ca=throwaway_ca)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line.rstrip("\n"))

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pumping.join(5)
                output = "\n".join(server.output)
                if "Address already in use" in output:
                    raise PortTaken(output)
                raise AssertionError("mock-server exited:\n" + output)
            try:
                if httpx.get(f"{server.url('admin')}/__admin/health", timeout=1).status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    "mock-server never became healthy:\n" + "\n".join(server.output)
                )
            time.sleep(0.05)
    except BaseException:
        server.stop()
        raise

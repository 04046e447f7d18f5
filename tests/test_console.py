"""The console's request lines do not hold the sandbox up: a console that stops reading (a
paused terminal, a pipe nobody drains, two workers sharing one) used to block the journal's
write on the event loop, and every port with it."""

import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_server.console import ConsoleHandler
from mock_server.registry import PROVIDERS
from tests.server import CONSOLE_SCRIPT, free_ports

# A path this long makes each console line ~4 KB: a pipe's 64 KB fill in some 16 requests.
LONG_PATH = "/api/public/" + "x" * 4000
REQUESTS = 80


@pytest.fixture(params=[1, 2], ids=["one process", "--workers 2"])
def unread_sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, int]]:
    """A sandbox whose stdout is a pipe nobody reads after start-up."""
    *chosen, edge = free_ports(len(PROVIDERS) + 2)
    ports = dict(zip(["admin", *(p.name for p in PROVIDERS)], chosen, strict=True))
    command = [str(CONSOLE_SCRIPT), "serve", "--db", str(tmp_path / "state.db")]
    command += ["--admin-port", str(ports["admin"]), "--edge-port", str(edge)]
    command += [a for p in PROVIDERS for a in (f"--{p.flag}-port", str(ports[p.name]))]
    command += ["--workers", str(request.param)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, "the sandbox exited while starting"
            try:
                if httpx.get(f"http://127.0.0.1:{ports['admin']}/__admin/health").is_success:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the sandbox never became healthy"
            time.sleep(0.05)
        yield ports
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        assert process.stdout is not None
        process.stdout.close()


def test_a_console_nobody_reads_holds_no_port(unread_sandbox: dict[str, int]) -> None:
    base = f"http://127.0.0.1:{unread_sandbox['digitalent']}"
    with httpx.Client(base_url=base, timeout=5) as client:
        for _ in range(REQUESTS):  # some 20 pipes' worth of console lines
            answer = client.post(LONG_PATH, json={})
            assert 400 <= answer.status_code < 500
            time.sleep(0.005)  # across the journal's flushes, which write the lines
        assert client.post(LONG_PATH, json={}).status_code < 500
    time.sleep(0.3)  # each worker's last entries written (every 0.01 s)
    count = f"http://127.0.0.1:{unread_sandbox['admin']}/__admin/requests/count"
    # The journal kept every request, those the console could not show among them.
    assert httpx.get(count, timeout=5).json()["count"] == REQUESTS + 1


class HeldStream:
    """A console that reads nothing until ``release`` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.text: list[str] = []

    def write(self, text: str) -> int:
        self.release.wait(10)
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mock_server.requests", logging.INFO, __file__, 1, message, (), None)


def test_lines_past_the_queue_are_counted_then_said() -> None:
    stream = HeldStream()
    handler = ConsoleHandler(stream, max_pending=2)  # type: ignore[arg-type]
    started = time.monotonic()
    handler.emit(record("first"))
    time.sleep(0.1)  # the writer takes "first" and waits on the console
    for n in range(2, 7):
        handler.emit(record(f"line {n}\nand its second line"))
    assert time.monotonic() - started < 1  # emit never waited for the console
    stream.release.set()
    handler.flush()
    written = "".join(stream.text)
    # "first" was being written, lines 2 and 3 queued, 4 to 6 (two lines each) dropped: the
    # count follows the lines that came before them.
    assert written == (
        "first\nline 2\nand its second line\nline 3\nand its second line\n"
        "(6 request lines not shown: the console did not keep up; the journal has them)\n"
    )
    handler.emit(record("after"))
    handler.flush()
    assert stream.text[-1] == "after\n"  # said once


def test_a_forked_child_writes_its_own_lines(tmp_path: Path) -> None:
    out = tmp_path / "console.txt"
    with out.open("w") as stream:
        handler = ConsoleHandler(stream)
        handler.emit(record("from the parent"))
        handler.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's lines are checked in the file
            handler.emit(record("from the child"))
            handler.flush()
            os._exit(0)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert out.read_text().splitlines() == ["from the parent", "from the child"]

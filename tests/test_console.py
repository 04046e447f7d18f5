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

from mock_server.console import ConsoleHandler, flush_console
from mock_server.registry import PROVIDERS
from tests.server import CONSOLE_SCRIPT, free_ports

# A path this long makes each console line ~4 KB: a pipe's 64 KB fill in some 16 requests.
LONG_PATH = "/api/public/" + "x" * 4000
REQUESTS = 80


def start_unread(workers: int, tmp_path: Path) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    """A sandbox whose stdout is a pipe nobody reads; its stderr in a file, to say why it
    failed."""
    *chosen, edge = free_ports(len(PROVIDERS) + 2)
    ports = dict(zip(["admin", *(p.name for p in PROVIDERS)], chosen, strict=True))
    command = [str(CONSOLE_SCRIPT), "serve", "--db", str(tmp_path / "state.db")]
    command += ["--admin-port", str(ports["admin"]), "--edge-port", str(edge)]
    command += [a for p in PROVIDERS for a in (f"--{p.flag}-port", str(ports[p.name]))]
    command += ["--workers", str(workers)]
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
    return process, ports


@pytest.fixture(params=[1, 2], ids=["one process", "--workers 2"])
def unread_sandbox(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, int]]]:
    for attempt in range(3):
        process, ports = start_unread(request.param, tmp_path)
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{ports['admin']}/__admin/health").is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        if process.poll() is None:
            assert time.monotonic() < deadline, "the sandbox never became healthy"
            break
        stderr = (tmp_path / "stderr.txt").read_text()
        # Between free_ports() and the bind, another test process may have taken a port.
        assert "already in use" in stderr, stderr
        assert attempt < 2, stderr
    try:
        yield process, ports
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        assert process.stdout is not None
        process.stdout.close()


def test_a_console_nobody_reads_holds_no_port(
    unread_sandbox: tuple[subprocess.Popen[bytes], dict[str, int]],
) -> None:
    process, ports = unread_sandbox
    with httpx.Client(base_url=f"http://127.0.0.1:{ports['digitalent']}", timeout=5) as client:
        for _ in range(REQUESTS):  # some five pipes' worth of console lines
            answer = client.post(LONG_PATH, json={})
            assert 400 <= answer.status_code < 500
            time.sleep(0.005)  # across the journal's flushes, which write the lines
    count = f"http://127.0.0.1:{ports['admin']}/__admin/requests/count"
    deadline = time.monotonic() + 5  # each worker writes its entries every 0.01 s
    while httpx.get(count, timeout=5).json()["count"] < REQUESTS and time.monotonic() < deadline:
        time.sleep(0.05)
    # The journal kept every request, those the console could not show among them.
    assert httpx.get(count, timeout=5).json()["count"] == REQUESTS
    # And it still stops when told, the console unread: in time, and cleanly.
    process.terminate()
    assert process.wait(15) == 0


class HeldStream:
    """A console that reads nothing until ``release`` is set."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.text: list[str] = []

    def write(self, text: str) -> int:
        self.entered.set()
        self.release.wait(10)
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mock_server.requests", logging.INFO, __file__, 1, message, (), None)


def test_lines_past_the_queue_are_counted_where_they_would_have_been() -> None:
    stream = HeldStream()
    handler = ConsoleHandler(stream, max_pending=2)  # type: ignore[arg-type]
    started = time.monotonic()
    handler.emit(record("first"))
    assert stream.entered.wait(5)  # the writer took "first" and waits on the console
    for n in range(2, 7):
        handler.emit(record(f"line {n}\nand its second line"))
    assert time.monotonic() - started < 5  # emit never waited for the console
    stream.release.set()
    handler.flush()
    handler.emit(record("after"))
    handler.flush()
    handler.emit(record("later"))
    handler.flush()
    # "first" was being written, lines 2 and 3 queued, 4 to 6 (two lines each) dropped.
    assert "".join(stream.text) == (
        "first\nline 2\nand its second line\nline 3\nand its second line\n"
        "(6 request lines not shown: the console did not keep up)\nafter\nlater\n"
    )


def test_lines_go_to_the_streams_descriptor(tmp_path: Path) -> None:
    out = tmp_path / "console.txt"
    with out.open("w", encoding="utf-8") as stream:
        handler = ConsoleHandler(stream)
        handler.emit(record("Pelatihan Jaringan — Jakarta"))
        handler.flush()
        assert out.read_text(encoding="utf-8") == "Pelatihan Jaringan — Jakarta\n"


def test_a_forked_child_writes_its_own_lines(tmp_path: Path) -> None:
    out = tmp_path / "console.txt"
    with out.open("w") as stream:
        handler = ConsoleHandler(stream)
        handler.emit(record("from the parent"))
        handler.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's lines are checked in the file
            try:
                handler.emit(record("from the child"))
                handler.flush()
            finally:
                os._exit(0)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert out.read_text().splitlines() == ["from the parent", "from the child"]


def test_flush_console_waits_for_the_queued_lines() -> None:
    """What serve calls before the process leaves: logging's own flush at exit does not reach
    the handler (uvicorn's logging set-up takes it off the list that flush walks), and a
    worker leaves by os._exit, so lines still queued would go with the writing thread."""
    stream = HeldStream()
    handler = ConsoleHandler(stream)  # type: ignore[arg-type]
    requests = logging.getLogger("mock_server.requests")
    requests.addHandler(handler)
    try:
        handler.emit(record("the last batch"))
        assert stream.entered.wait(5)
        threading.Timer(0.3, stream.release.set).start()
        flush_console()
        assert stream.text == ["the last batch\n"]
    finally:
        requests.removeHandler(handler)


def test_the_last_requests_reach_the_console_when_the_sandbox_stops(tmp_path: Path) -> None:
    """The journal's last batch is written as the sandbox stops, and reaches the console."""
    for workers in (1, 2):
        (tmp_path / str(workers)).mkdir()
        process, ports = start_unread(workers, tmp_path / str(workers))
        try:
            deadline = time.monotonic() + 20
            while True:
                assert process.poll() is None, (tmp_path / str(workers) / "stderr.txt").read_text()
                try:
                    answer = httpx.post(
                        f"http://127.0.0.1:{ports['digitalent']}/api/public/last", json={}
                    )
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
            process.terminate()  # at once: the entry is still in the journal's buffer
            out, _ = process.communicate(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(5)
        assert process.returncode == 0
        journal_id = answer.headers["X-Mock-Journal-Id"]
        assert f"/api/public/last -> {answer.status_code}" in out.decode()
        assert f"[journal {journal_id}]" in out.decode()

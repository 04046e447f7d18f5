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

from mock_server import console
from mock_server.console import ConsoleHandler, flush_console
from mock_server.registry import PROVIDERS
from tests.server import CONSOLE_SCRIPT, free_ports

# A path this long makes each console line ~4 KB: a pipe's 64 KB fill in some 16 requests.
LONG_PATH = "/api/public/" + "x" * 4000
REQUESTS = 80


def start_unread(workers: int, where: Path) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    """A healthy sandbox whose stdout is a pipe nobody reads; its stderr in a file, to say why
    it failed. Started again when another test process took one of its ports first."""
    where.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        *chosen, edge = free_ports(len(PROVIDERS) + 2)
        ports = dict(zip(["admin", *(p.name for p in PROVIDERS)], chosen, strict=True))
        command = [str(CONSOLE_SCRIPT), "serve", "--db", str(where / "state.db")]
        command += ["--admin-port", str(ports["admin"]), "--edge-port", str(edge)]
        command += [a for p in PROVIDERS for a in (f"--{p.flag}-port", str(ports[p.name]))]
        command += ["--workers", str(workers)]
        with (where / "stderr.txt").open("wb") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{ports['admin']}/__admin/health").is_success:
                    return process, ports
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        stop(process)
        stderr_text = (where / "stderr.txt").read_text()
        # Between free_ports() and the bind, another test process may have taken a port.
        assert "already in use" in stderr_text, f"the sandbox did not start:\n{stderr_text}"
        assert attempt < 2, stderr_text
    raise AssertionError("unreachable")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(5)
    assert process.stdout is not None
    process.stdout.close()


@pytest.fixture(params=[1, 2], ids=["one process", "--workers 2"])
def unread_sandbox(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, int]]]:
    process, ports = start_unread(request.param, tmp_path)
    try:
        yield process, ports
    finally:
        stop(process)


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


@pytest.fixture(autouse=True)
def patient_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    """flush() returns as soon as the lines are out; on a loaded machine the writer thread may
    need longer than the 2 s a real exit waits."""
    monkeypatch.setattr(console, "FLUSH_SECONDS", 30.0)


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


class DescriptorOnly:
    """A stream whose own write must not be used: lines go to its descriptor."""

    encoding = "utf-8"

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def write(self, text: str) -> int:
        raise AssertionError("written through the stream, not its descriptor")

    def flush(self) -> None:
        raise AssertionError("flushed through the stream, not its descriptor")


def test_lines_go_to_the_streams_descriptor(tmp_path: Path) -> None:
    """So a writer stuck on a full pipe holds none of the stream's locks, which exit (flushing
    sys.stdout) and a worker's own flush would wait on."""
    out = tmp_path / "console.txt"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT)
    try:
        handler = ConsoleHandler(DescriptorOnly(fd))  # type: ignore[arg-type]
        handler.emit(record("Pelatihan Jaringan — Jakarta"))
        handler.flush()
    finally:
        os.close(fd)
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
        process, ports = start_unread(workers, tmp_path / str(workers))
        try:
            answer = httpx.post(f"http://127.0.0.1:{ports['digitalent']}/api/public/last", json={})
            process.terminate()  # at once: the entry is still in the journal's buffer
            out, _ = process.communicate(timeout=15)
        finally:
            stop(process)
        assert process.returncode == 0
        journal_id = answer.headers["X-Mock-Journal-Id"]
        assert f"/api/public/last -> {answer.status_code}" in out.decode()
        assert f"[journal {journal_id}]" in out.decode()

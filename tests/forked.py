"""Start ``mock-server`` as a fork of tests/zygote.py: the process a test gets behaves as
``subprocess.Popen`` of the console script does (pid, signals, wait, return code, output), for
about a quarter of the CPU. One zygote per test process, started on first use."""

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
ZYGOTE_ENDED = "the zygote (tests/zygote.py) ended"


class ForkedProcess:
    """What tests use of ``subprocess.Popen``, for a child of the zygote (not of this process:
    the zygote reaps it and reports its return code)."""

    def __init__(
        self,
        zygote: "Zygote",
        pid: int,
        argv: Sequence[str],
        stdout: IO[str],
        stderr: IO[str] | None = None,
    ) -> None:
        self.zygote = zygote
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.args = ["mock-server", *argv]
        self.returncode: int | None = None

    def poll(self) -> int | None:
        self.returncode = self.zygote.returncode(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        code = self.zygote.wait(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        self.returncode = code
        return code

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            # Reaped by the zygote a moment ago, its exit not yet reported here: as Popen does.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, str | None]:
        """Its stdout and stderr (None when merged into stdout), once it has ended."""
        streams = [s for s in (self.stdout, self.stderr) if s is not None]
        read: dict[int, str] = {}
        readers = [
            threading.Thread(target=lambda i=i, s=s: read.update({i: s.read()}), daemon=True)
            for i, s in enumerate(streams)
        ]
        for reader in readers:
            reader.start()
        try:
            self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.wait(5)
            raise
        for reader, stream in zip(readers, streams, strict=True):
            reader.join(5)
            stream.close()
        return read.get(0, ""), (read.get(1, "") if self.stderr is not None else None)


class Zygote:
    def __init__(self) -> None:
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self._ids = itertools.count()
        self._started: dict[int, Future[int]] = {}
        self._codes: dict[int, int] = {}
        self._ended = threading.Condition()
        self._dead = False
        self._send = threading.Lock()
        threading.Thread(target=self._listen, name="zygote", daemon=True).start()

    def spawn(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | str = ".",
        separate_stderr: bool = False,
    ) -> ForkedProcess:
        """``mock-server ARGV``: its stdout and stderr together on ``.stdout`` (as with
        ``stderr=STDOUT``), or apart on ``.stdout`` and ``.stderr``."""
        pipes = [os.pipe() for _ in range(2 if separate_stderr else 1)]
        request = {
            "id": next(self._ids),
            "argv": list(argv),
            "env": dict(os.environ if env is None else env),
            "cwd": str(Path(cwd).resolve()),
        }
        started: Future[int] = Future()
        with self._ended:
            if self._dead:
                raise RuntimeError(ZYGOTE_ENDED)
            self._started[request["id"]] = started
        try:
            with self._send:
                message = json.dumps(request).encode()
                socket.send_fds(self.control, [message], [w for _, w in pipes])
        finally:
            for _, write in pipes:
                os.close(write)
        try:
            pid = started.result(timeout=30)
        except BaseException:
            for read, _ in pipes:
                os.close(read)
            raise
        stdout, *stderr = (os.fdopen(r, "r", errors="replace") for r, _ in pipes)
        return ForkedProcess(self, pid, argv, stdout, *stderr)

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | str = ".",
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        """As ``subprocess.run(..., capture_output=True, text=True)`` would."""
        process = self.spawn(argv, env, cwd, separate_stderr=True)
        stdout, stderr = process.communicate(timeout)
        assert process.returncode is not None
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    def returncode(self, pid: int) -> int | None:
        with self._ended:
            if pid not in self._codes and self._dead:
                raise RuntimeError(ZYGOTE_ENDED)
            return self._codes.get(pid)

    def wait(self, pid: int, timeout: float | None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ended:
            while pid not in self._codes:
                if self._dead:
                    raise RuntimeError(ZYGOTE_ENDED)
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._ended.wait(left)
            return self._codes[pid]

    def _listen(self) -> None:
        while True:
            try:
                data = self.control.recv(1 << 16)
            except OSError:
                data = b""
            if not data:  # the zygote died (its traceback is on this process's stderr)
                with self._ended:
                    self._dead = True
                    for started in self._started.values():
                        started.set_exception(RuntimeError(ZYGOTE_ENDED))
                    self._ended.notify_all()
                return
            message: dict[str, Any] = json.loads(data)
            if "pid" in message:
                with self._ended:
                    # A pid the kernel has handed out again: the old child's code is not this one's.
                    self._codes.pop(message["pid"], None)
                    started = self._started.pop(message["id"])
                started.set_result(message["pid"])
            else:
                with self._ended:
                    self._codes[message["exit"]] = message["code"]
                    self._ended.notify_all()


_zygote: Zygote | None = None
_starting = threading.Lock()


def zygote() -> Zygote:
    """This test process's zygote, started on first use; it ends with this process (EOF)."""
    global _zygote
    with _starting:
        if _zygote is None or _zygote.process.poll() is not None:
            _zygote = Zygote()
        return _zygote

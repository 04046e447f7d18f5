"""``--workers N``: the parent has bound every socket; N forked children serve them all.

Each child inherits the listening sockets (the kernel hands each new connection to one of the
processes waiting on it, so no SO_REUSEPORT is needed) and opens its own database connections.
The parent serves nothing: it waits until every child says it is listening, forwards SIGINT and
SIGTERM, and stops the others when one dies, exiting non-zero.
"""

import contextlib
import os
import select
import signal
import sys
import time
from collections.abc import Callable

# A child that is not listening after this long has hung in start-up.
START_TIMEOUT_SECONDS = 60.0
# Exit status of a child whose server never started (uvicorn uses 3 for the same).
STARTUP_FAILURE = 3


def run_workers(count: int, child: Callable[[int, Callable[[], None]], int]) -> int:
    """Fork ``count`` children, each running ``child(number, ready)`` (numbered from 1) and
    exiting with what it returns; ``ready()`` says the child's sockets accept connections.
    Returns the parent's exit status: 0 after a signal stopped them all, 1 when a child
    failed or died."""
    read_end, write_end = os.pipe()
    pids: dict[int, int] = {}  # pid -> worker number, for the messages
    for number in range(1, count + 1):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, measured through the tests' process
            code = 1
            try:  # whatever is raised, the child must not go on into the parent's loop
                os.close(read_end)
                code = _child(child, number, write_end)
            finally:
                os._exit(code)
        pids[pid] = number
    os.close(write_end)
    stopping = False

    def forward(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        _signal_all(pids, signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if not _wait_ready(count, read_end, pids, lambda: stopping):
            if not stopping:
                _signal_all(pids, signal.SIGTERM)
            _reap(pids)
            return 0 if stopping else 1
        print(f"ready: every port is listening ({count} workers). Ctrl-C stops.", flush=True)
        status = 0
        while pids:
            pid, code = _wait_one()
            if pid == -1:
                break
            gone = pids.pop(pid, None)
            if gone is None or stopping:
                continue
            print(
                f"mock-server: worker {gone} exited ({_how(code)}); stopping the others",
                file=sys.stderr,
                flush=True,
            )
            stopping = True
            status = 1
            _signal_all(pids, signal.SIGTERM)
        return status
    finally:
        os.close(read_end)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _child(child: Callable[[int, Callable[[], None]], int], number: int, write_end: int) -> int:
    def ready() -> None:
        os.write(write_end, b"r")

    try:
        return child(number, ready)
    except BaseException:
        import traceback

        traceback.print_exc()
        return 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            # A console that has gone (a closed pipe) must not carry the child past os._exit
            # into the parent's code.
            with contextlib.suppress(OSError, ValueError):
                stream.flush()


def _wait_ready(
    count: int, read_end: int, pids: dict[int, int], stopping: Callable[[], bool]
) -> bool:
    """True once ``count`` children said they listen; False when one exited first, a signal
    came, or START_TIMEOUT_SECONDS passed (each said on stderr)."""
    ready = 0
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while ready < count:
        if stopping():
            return False
        for pid in list(pids):
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                number = pids.pop(pid)
                print(
                    f"mock-server: worker {number} exited while starting ({_how(code)})",
                    file=sys.stderr,
                    flush=True,
                )
                return False
        left = deadline - time.monotonic()
        if left <= 0:
            print("mock-server: the workers did not start in time", file=sys.stderr, flush=True)
            return False
        readable, _, _ = select.select([read_end], [], [], min(left, 0.1))
        if readable:
            ready += len(os.read(read_end, count))
    return True


def _wait_one() -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(-1, 0)
        except ChildProcessError:
            return -1, 0
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for clarity
            continue


def _reap(pids: dict[int, int]) -> None:
    while pids:
        pid, _ = _wait_one()
        if pid == -1:
            return
        pids.pop(pid, None)


def _signal_all(pids: dict[int, int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _how(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"killed by {signal.Signals(os.WTERMSIG(code)).name}"
    return f"status {os.waitstatus_to_exitcode(code)}"

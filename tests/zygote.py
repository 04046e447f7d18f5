"""Sandboxes and commands forked from one process that has imported the sandbox already.

A test that starts ``mock-server`` pays the interpreter's start and the import of the whole
serving stack (FastAPI, SQLAlchemy, uvicorn, cryptography, Faker...): an exec'd sandbox took
about 0.8 s of CPU to be ready, a fork about 0.23 s to start and stop, and the suite starts about
150. This zygote pays for the imports once per test process, then forks a child
per start. The child runs ``mock_server.cli.main`` with the test's arguments, environment,
working directory, standard output and error, and exits through the interpreter's own shutdown
(``sys.exit``: atexit, non-daemon threads, flushed streams), as the console script would.
What a fork cannot show, the tests that ``exec`` the real console script still do
(``running_server(..., exec_script=True)``, tests/test_startup.py, tests/test_packaging.py).

Protocol, over a SOCK_SEQPACKET socket pair (one JSON message each way, file descriptors
beside): ``{"id", "argv", "env", "cwd"}`` with the output pipes' write ends (one for both
streams, or stdout's then stderr's) -> ``{"id", "pid"}``;
later ``{"exit": pid, "code": returncode}`` (negative: the signal that ended it), as
``subprocess.Popen.returncode`` says it.

Run as ``python -m tests.zygote FD``; it ends when the test process closes its end.
"""

import contextlib
import gc
import importlib
import json
import os
import pkgutil
import selectors
import signal
import socket
import sys
import tempfile
import time
from typing import Any

# What ``mock-server serve`` imports beyond the command line's own modules, found with
# ``python -X importtime``: uvicorn picks its loop, protocol and lifespan modules when it runs.
SERVING = (
    "uvicorn.main",
    "uvicorn.loops.auto",
    "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.httptools_impl",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
)
NOT_PRELOADED = {"mock_server.__main__", "mock_server.pytest_plugin"}


def preload() -> None:
    import mock_server

    for module in pkgutil.walk_packages(mock_server.__path__, "mock_server."):
        if module.name not in NOT_PRELOADED:
            importlib.import_module(module.name)
    for name in (*SERVING, "psycopg"):
        # psycopg comes with the test tools; without it the PostgreSQL tests skip.
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # A sandbox opened and closed once leaves what opening and seeding a state file compile and
    # build (the statements in core/compiled.py's cache among them) for every child to inherit:
    # a forked child's first open and seed of a fresh file took 197 ms of CPU, then 60 ms. Its
    # seeding also imports Faker's id_ID providers and leaves the seeding Faker made
    # (services.seeded_faker keeps one a thread).
    from mock_server.app import Sandbox
    from mock_server.core.config import Settings

    Sandbox(Settings(memory=True)).open().close()


def send(control: socket.socket, message: dict[str, Any]) -> None:
    control.sendmsg([json.dumps(message).encode()])


def serve(control: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """Fork a child per request; returns only in a child, with its request and output fds
    (one for both streams, or stdout's and stderr's)."""
    children: set[int] = set()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the selector
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj == wake_r:
                drain(wake_r)
                reap(control, children)
                continue
            message, fds, _, _ = socket.recv_fds(control, 1 << 20, 4)
            if not message:  # the test process is done: so are the children it left
                for pid in children:
                    os.kill(pid, signal.SIGKILL)
                sys.exit(0)
            request = json.loads(message)
            pid = os.fork()
            if pid == 0:
                selector.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_r)
                os.close(wake_w)
                control.close()
                return request, fds
            for fd in fds:
                os.close(fd)
            children.add(pid)
            send(control, {"id": request["id"], "pid": pid})


def drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def reap(control: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        send(control, {"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def become(request: dict[str, Any], outputs: list[int]) -> None:
    """Turn this fork into the process the test asked for: streams, environment, directory."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(outputs[0], 1)
    os.dup2(outputs[-1], 2)
    for fd in {null, *outputs}:
        os.close(fd)
    unbuffered = bool(request["env"].get("PYTHONUNBUFFERED"))
    for fd, name in ((1, "stdout"), (2, "stderr")):
        # As a new interpreter's: line-buffered stderr, stdout too when PYTHONUNBUFFERED is set.
        buffering = 1 if unbuffered or fd == 2 else -1
        errors = "backslashreplace" if fd == 2 else "strict"
        stream = open(fd, "w", buffering=buffering, errors=errors, closefd=False)  # noqa: SIM115
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    time.tzset()  # TZ is the test's now
    tempfile.tempdir = None  # gettempdir() caches: TMPDIR is the test's now
    sys.argv = ["mock-server", *request["argv"]]


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload()
    gc.freeze()  # what every fork shares stays out of its collections (and its pages unshared)
    request, outputs = serve(control)
    become(request, outputs)
    from mock_server.cli import main as mock_server

    sys.exit(mock_server(request["argv"]))


if __name__ == "__main__":
    main()

"""The console's request lines, written by a thread of their own.

The journal logs each batch of request lines from the event loop, which serves every port. A
console that reads slowly (a paused terminal, ``| less``, a pipe its reader drains late, two
``--workers`` sharing one) would block that write, and every port with it. Measured under
``bench/scale.py``'s load with two workers: the workers waited on the full pipe and kept 1.0 of
the two cores busy instead of 1.6, and the round's throughput fell by a quarter.

So the loop only queues the text. Up to ``MAX_PENDING`` batches wait (~10 s of lines at the
journal's flush rate); past that, lines are counted instead of kept, and the count takes their
place once there is room again.
"""

import contextlib
import logging
import os
import queue
import threading
import time
from typing import TextIO

MAX_PENDING = 1000
# How long exit waits for queued lines to reach a console that has stopped reading.
FLUSH_SECONDS = 2.0


class ConsoleHandler(logging.Handler):
    def __init__(self, stream: TextIO, max_pending: int = MAX_PENDING) -> None:
        super().__init__()
        self.stream = stream
        # Written with os.write where the stream has a descriptor: a writer stuck on a full
        # pipe then holds no lock of the stream's, so exit (which flushes sys.stdout) and a
        # worker's os._exit do not wait for it.
        self._fd: int | None = None
        with contextlib.suppress(AttributeError, OSError, ValueError):
            self._fd = stream.fileno()
        self._encoding = getattr(stream, "encoding", None) or "utf-8"
        self._max_pending = max_pending
        self._pid = 0
        self._queue: queue.Queue[str] = queue.Queue(max_pending)
        self._dropped = 0  # lines, counted under self._count_lock
        self._count_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            self._writer()
            with self._count_lock:
                # One item with the count ahead of the batch: the count where the lines would
                # have been, and never a slot the count takes from the lines.
                item = f"{self._notice()}\n{text}" if self._dropped else text
                try:
                    self._queue.put_nowait(item)
                    self._dropped = 0
                except queue.Full:
                    self._dropped += text.count("\n") + 1
        except Exception:
            self.handleError(record)

    def _notice(self) -> str:
        return f"({self._dropped} request lines not shown: the console did not keep up)"

    def _writer(self) -> None:
        """Start the writing thread in this process. A ``--workers`` child is forked after the
        handler was made, and a thread does not survive a fork: each child starts its own, over
        a queue of its own (the parent's may hold lines the parent still writes)."""
        if self._pid == os.getpid():
            return
        with self._count_lock:
            if self._pid == os.getpid():
                return
            self._queue = queue.Queue(self._max_pending)
            self._dropped = 0
            threading.Thread(target=self._write, name="console", daemon=True).start()
            self._pid = os.getpid()

    def _write(self) -> None:
        lines = self._queue
        while True:
            text = lines.get()
            try:
                self._put(text + "\n")
            except Exception:
                pass  # the console is gone (a closed pipe, a closed file): nobody left to tell
            finally:
                lines.task_done()

    def _put(self, text: str) -> None:
        if self._fd is None:
            self.stream.write(text)
            self.stream.flush()
            return
        data = memoryview(text.encode(self._encoding, "backslashreplace"))
        while data:
            data = data[os.write(self._fd, data) :]

    def flush(self) -> None:
        """Wait, a little, for the queued lines to be written: before the process leaves."""
        if self._pid != os.getpid():
            return
        with self._count_lock:
            if self._dropped:  # a count no later line will carry
                with contextlib.suppress(queue.Full):
                    self._queue.put_nowait(self._notice())
                    self._dropped = 0
        deadline = time.monotonic() + FLUSH_SECONDS
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)


def flush_console() -> None:
    """Before a sandbox process leaves. logging's own flush at exit does not reach these
    handlers: uvicorn's logging set-up takes every handler off the list that flush walks, and a
    ``--workers`` child leaves by os._exit."""
    for handler in logging.getLogger("mock_server.requests").handlers:
        handler.flush()

"""The journal, pushed to open dashboards as server-sent events.

The journal calls ``LiveFeed.wake`` after each batch it writes (a few times a second at most),
never per request: a request costs the feed nothing. Each open page waits on its own event; on a
wake it reads what is new for its filters and sends it.
"""

import asyncio
from collections.abc import AsyncIterator

KEEP_ALIVE_SECONDS = 15.0  # a comment line now and then, so proxies keep the stream open


class LiveFeed:
    def __init__(self) -> None:
        self._waiting: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.closed = False

    def wake(self) -> None:
        """Something new is in the journal. Safe from any thread."""
        for loop, event in list(self._waiting):
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop has closed: its readers are gone
                self._waiting.discard((loop, event))

    def close(self) -> None:
        """The server is stopping: every stream ends, so shutting down waits for none."""
        self.closed = True
        self.wake()

    async def changes(self, quiet: float = KEEP_ALIVE_SECONDS) -> AsyncIterator[bool]:
        """Yields True at once (to catch up), then True after each wake and False after
        ``quiet`` seconds without one; ends when the feed closes."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        self._waiting.add(entry)
        try:
            woke = True
            while not self.closed:
                yield woke
                try:
                    await asyncio.wait_for(entry[1].wait(), quiet)
                    woke = True
                except TimeoutError:
                    woke = False
                entry[1].clear()
        finally:
            self._waiting.discard(entry)


def sse(event: str, data: str) -> str:
    """One server-sent event; every line of ``data`` gets its own ``data:`` field."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"

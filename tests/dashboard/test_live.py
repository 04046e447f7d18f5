"""The live journal over a real server: server-sent events, pushed as the journal writes."""

import asyncio
import queue
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_server.clients.digitalent import DigitalentAuth
from mock_server.dashboard.live import LiveFeed, sse
from tests.server import RunningServer, running_server

AKADEMI = "/api/public/pelatihan/akademi"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server(None) as running:
        yield running


class Stream:
    """An open event stream, its events collected by a thread as (arrival, name, data)."""

    def __init__(self, url: str) -> None:
        self.events: queue.Queue[tuple[float, str, str]] = queue.Queue()
        self.opened = threading.Event()
        threading.Thread(target=self._read, args=(url,), daemon=True).start()
        assert self.opened.wait(5), "the event stream never opened"

    def _read(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=30) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            self.opened.set()
            name, data = "message", []
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and data:
                    self.events.put((time.monotonic(), name, "\n".join(data)))
                    name, data = "message", []

    def next(self, timeout: float = 3.0) -> tuple[float, str, str]:
        return self.events.get(timeout=timeout)


def signed(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.url("digitalent"), auth=DigitalentAuth())


def test_a_request_is_pushed_within_a_second(server: RunningServer) -> None:
    stream = Stream(f"{server.url('admin')}/__admin/ui/events?provider=digitalent")
    time.sleep(0.3)  # the stream's own catch-up is done
    while not stream.events.empty():
        stream.next()
    with signed(server) as client:
        sent = time.monotonic()
        response = client.get(AKADEMI)
    assert response.status_code == 200
    arrived, name, data = stream.next()
    assert name == "rows"
    assert response.headers["x-mock-journal-id"] in data
    assert arrived - sent < 1.0


def test_the_stream_carries_only_what_its_filters_match(server: RunningServer) -> None:
    newest = httpx.get(f"{server.url('admin')}/__admin/requests?per_page=1").json()["data"]
    after = newest[0]["seq"] if newest else 0
    stream = Stream(f"{server.url('admin')}/__admin/ui/events?provider=joss&after_seq={after}")
    with signed(server) as client:
        ignored = client.get(AKADEMI)
    unsigned = httpx.get(f"{server.url('joss')}/api/v1/companies")
    _, name, data = stream.next()
    assert name == "rows"
    assert unsigned.headers["x-mock-journal-id"] in data
    assert ignored.headers["x-mock-journal-id"] not in data


def test_clearing_the_journal_tells_the_page_to_start_over(server: RunningServer) -> None:
    httpx.get(f"{server.url('joss')}/api/v1/companies")
    stream = Stream(f"{server.url('admin')}/__admin/ui/events")
    assert stream.next()[1] == "rows"  # the catch-up
    assert httpx.delete(f"{server.url('admin')}/__admin/requests").status_code == 200
    assert stream.next()[1] == "reset"


@pytest.mark.parametrize(
    ("name", "steps", "verdict"),
    [
        ("digitalent", 3, "done"),
        ("joss", 3, "reported"),
        ("sales_order", 4, "processed"),
        ("appkey", 4, "signed in"),
        ("kyc", 5, "validated"),
    ],
)
def test_each_guided_flow_runs_its_happy_path(
    server: RunningServer, name: str, steps: int, verdict: str
) -> None:
    before = httpx.get(f"{server.url('admin')}/__admin/requests/count?provider={name}").json()
    response = httpx.post(f"{server.url('admin')}/__admin/ui/flows/{name}", json={}, timeout=30)
    assert response.status_code == 200
    shown = response.text
    assert shown.count('<article class="step') == steps
    assert 'class="step failed"' not in shown
    assert f'data-verdict="{verdict}"' in shown
    after = httpx.get(f"{server.url('admin')}/__admin/requests/count?provider={name}").json()
    assert after["count"] > before["count"]  # it went through the sandbox, journal and all


def test_an_unknown_flow_is_a_404(server: RunningServer) -> None:
    response = httpx.post(f"{server.url('admin')}/__admin/ui/flows/nobody", json={})
    assert response.status_code == 404
    assert "unknown provider" in response.json()["detail"]


def test_an_open_stream_does_not_hold_up_stopping() -> None:
    with running_server(None) as own:
        Stream(f"{own.url('admin')}/__admin/ui/events")
        started = time.monotonic()
        assert own.stop() == 0
        assert time.monotonic() - started < 3.0


# -- the feed itself, without a server ----------------------------------------------------------
def test_every_line_of_an_event_gets_its_own_data_field() -> None:
    assert sse("rows", "<tr>\n<td>1</td>\n</tr>") == (
        "event: rows\ndata: <tr>\ndata: <td>1</td>\ndata: </tr>\n\n"
    )
    assert sse("reset", "") == "event: reset\ndata: \n\n"


def test_a_wake_from_another_thread_reaches_a_waiting_reader_and_close_ends_it() -> None:
    feed = LiveFeed()

    async def read() -> list[bool]:
        seen = []
        async for woke in feed.changes(quiet=5):
            seen.append(woke)
            if len(seen) == 1:
                # The journal flushes from whichever thread reads or writes it.
                threading.Timer(0.05, feed.wake).start()
            elif len(seen) == 2:
                threading.Timer(0.05, feed.close).start()
        return seen

    started = time.monotonic()
    assert asyncio.run(read()) == [True, True]
    assert time.monotonic() - started < 2


def test_a_quiet_feed_yields_false_for_a_keep_alive() -> None:
    feed = LiveFeed()

    async def read() -> list[bool]:
        seen = []
        async for woke in feed.changes(quiet=0.05):
            seen.append(woke)
            if len(seen) == 2:
                feed.close()
        return seen

    assert asyncio.run(read()) == [True, False]

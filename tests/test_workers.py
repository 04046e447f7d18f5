"""``--workers N``: several processes serve every port over one state database, and what one
worker is told, every worker does from the next request on: one acceptance per request id, the
clock, faults, and the journal's count."""

import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import FROZEN, digitalent_headers
from tests.postgres import ThrowawayPostgres, missing_reason
from tests.server import CONSOLE_SCRIPT, RunningServer, running_server

PATH = "/api/public/pelatihan/akademi"
ROUNDS = 40  # requests per check: with two workers, both answer some of them


# Each test that takes ``state`` runs on a SQLite file and on a PostgreSQL database.
pytestmark = pytest.mark.both_databases


@pytest.fixture
def state(request: pytest.FixtureRequest, database: str, tmp_path: Path) -> Iterator[Path | str]:
    """Where the sandbox keeps its state: a SQLite file, or the URL of an empty PostgreSQL
    database (the sandbox creates and seeds its tables, as on a first start)."""
    if database == "sqlite":
        yield tmp_path / "state.db"
        return
    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    name = f"w_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    yield url
    server.drop_database(name)


@pytest.fixture(scope="module")
def shared_workers() -> Iterator[tuple[ExitStack, dict[str, RunningServer]]]:
    """One ``--workers 2`` sandbox per database for the module's tests, started on first use:
    each start costs about a second of both cores."""
    with ExitStack() as stack:
        yield stack, {}


@pytest.fixture
def workers(
    request: pytest.FixtureRequest,
    database: str,
    shared_workers: tuple[ExitStack, dict[str, RunningServer]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    """The database's shared sandbox, left after each test as a fresh one starts: the clock
    running, no fault rules (request ids and the journal only grow, and tests count afresh)."""
    stack, started = shared_workers
    if database not in started:
        if database == "sqlite":
            state: Path | str = tmp_path_factory.mktemp("workers") / "state.db"
        else:
            server: ThrowawayPostgres = request.getfixturevalue("postgres")
            name = f"w_{uuid.uuid4().hex[:16]}"
            state = server.create_database(name)
            stack.callback(server.drop_database, name)
        running = stack.enter_context(running_server(state, "--workers", "2"))
        running.wait_for_output("ready: every port is listening (2 workers)", timeout=20)
        started[database] = running
    running = started[database]
    yield running
    admin = running.url("admin") + "/__admin"
    assert fresh("POST", f"{admin}/clock", json={"resume": True}).status_code == 200
    assert fresh("DELETE", f"{admin}/faults").status_code == 200
    time.sleep(0.1)  # each worker's journal entries written (every 0.01 s) before the next test


def fresh(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own, so the kernel may hand it to either worker."""
    with httpx.Client(timeout=30) as client:
        return client.request(method, url, **kwargs)


def concurrently(count: int, call: Any) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=min(count, 50)) as pool:
        return list(pool.map(lambda _: call(), range(count)))


def served_by(responses: list[httpx.Response]) -> set[str]:
    return {r.headers["x-mock-worker"] for r in responses}


def signed_get(server: RunningServer, at: datetime | None = None, **kw: Any) -> httpx.Response:
    headers = digitalent_headers("GET", PATH, at=at or datetime.now(UTC), **kw)
    return fresh("GET", server.url("digitalent") + PATH, headers=headers)


def warm_up(server: RunningServer, expect: int = 200) -> None:
    """Requests on both workers just before a change, so each holds the state it has cached
    (clock, rules): a worker that only re-read it after a second would answer the old way."""
    answers = concurrently(ROUNDS, lambda: signed_get(server))
    assert served_by(answers) == {"1", "2"}
    assert {r.status_code for r in answers} == {expect}


def test_one_request_id_sent_100_times_at_once_is_accepted_exactly_once(
    workers: RunningServer,
) -> None:
    headers = digitalent_headers("GET", PATH, at=datetime.now(UTC))
    answers = concurrently(
        100, lambda: fresh("GET", workers.url("digitalent") + PATH, headers=headers)
    )
    statuses = Counter(r.status_code for r in answers)
    assert statuses[200] == 1, statuses
    assert sum(statuses.values()) == 100
    assert all(r.status_code in (200, 401, 409) for r in answers), statuses
    assert served_by(answers) == {"1", "2"}
    # And a fresh id is accepted, by whichever worker.
    assert signed_get(workers).status_code == 200


def test_one_request_id_sent_100_times_to_two_sandbox_processes_is_accepted_once(
    state: Path | str,
) -> None:
    """Two replicas (separate sandboxes, as behind a proxy) on one database."""
    with running_server(state) as first, running_server(state) as second:
        headers = digitalent_headers("GET", PATH, at=datetime.now(UTC))
        urls = [s.url("digitalent") + PATH for s in (first, second)] * 50
        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(lambda url: fresh("GET", url, headers=headers), urls))
    statuses = Counter(r.status_code for r in answers)
    assert statuses[200] == 1, statuses
    assert sum(statuses.values()) == 100


def test_a_clock_frozen_through_one_worker_is_frozen_on_every_worker_at_once(
    workers: RunningServer,
) -> None:
    admin = workers.url("admin") + "/__admin/clock"
    warm_up(workers)
    assert fresh("POST", admin, json={"freeze": FROZEN.isoformat()}).status_code == 200
    # A request signed at the frozen instant (a year before the machine's clock) is within the
    # window on every worker only if every worker has the frozen clock.
    signed = concurrently(ROUNDS, lambda: signed_get(workers, at=FROZEN))
    assert served_by(signed) == {"1", "2"}
    assert {r.status_code for r in signed} == {200}
    # And what the control plane says of the clock, on every worker.
    clocks = concurrently(ROUNDS, lambda: fresh("GET", admin))
    assert served_by(clocks) == {"1", "2"}
    assert {(c.json()["frozen"], c.json()["now"]) for c in clocks} == {
        (True, FROZEN.isoformat().replace("+00:00", "Z"))
    }
    # Back to real time: every worker again at once.
    assert fresh("POST", admin, json={"resume": True}).status_code == 200
    clocks = concurrently(ROUNDS, lambda: fresh("GET", admin))
    assert {c.json()["frozen"] for c in clocks} == {False}


def test_a_fault_rule_applies_on_every_worker_at_once_and_its_removal_too(
    workers: RunningServer,
) -> None:
    faults = workers.url("admin") + "/__admin/faults"
    warm_up(workers)
    rule = fresh("POST", faults, json={"provider": "digitalent", "status": 503}).json()
    refused = concurrently(ROUNDS, lambda: signed_get(workers))
    assert served_by(refused) == {"1", "2"}
    assert {r.status_code for r in refused} == {503}
    warm_up(workers, expect=503)
    assert fresh("DELETE", f"{faults}/{rule['id']}").json() == {"deleted": 1}
    accepted = concurrently(ROUNDS, lambda: signed_get(workers))
    assert served_by(accepted) == {"1", "2"}
    assert {r.status_code for r in accepted} == {200}


def test_a_fault_for_the_next_n_requests_is_spent_exactly_n_times_across_workers(
    workers: RunningServer,
) -> None:
    faults = workers.url("admin") + "/__admin/faults"
    fresh("POST", faults, json={"provider": "digitalent", "status": 502, "times": 7})
    answers = concurrently(ROUNDS, lambda: signed_get(workers))
    assert Counter(r.status_code for r in answers) == {502: 7, 200: ROUNDS - 7}


def test_the_journal_counts_every_request_whichever_worker_served_it(
    workers: RunningServer,
) -> None:
    count = workers.url("admin") + "/__admin/requests/count"
    before = fresh("GET", count).json()["count"]
    answers = concurrently(ROUNDS, lambda: signed_get(workers))
    assert served_by(answers) == {"1", "2"}
    # Each worker writes its entries every 0.1 s; a read flushes the reading worker's at once.
    time.sleep(0.5)
    assert fresh("GET", count).json()["count"] == before + ROUNDS


def test_a_worker_that_dies_stops_the_sandbox_with_a_non_zero_status(tmp_path: Path) -> None:
    with running_server(tmp_path / "state.db", "--workers", "2") as server:
        server.wait_for_output("(2 workers)", timeout=20)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        pids = [int(p) for p in children.read_text().split()]
        assert len(pids) == 2
        os.kill(pids[0], signal.SIGKILL)
        assert server.process.wait(15) == 1
        server.wait_for_output("worker 1 exited (killed by SIGKILL); stopping the others")
        for pid in pids[1:]:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )


def test_sigterm_stops_every_worker_and_exits_0(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with running_server(
        tmp_path / "state.db", "--workers", "2", env={"TMPDIR": str(scratch)}
    ) as server:
        server.wait_for_output("(2 workers)", timeout=20)
        assert signed_get(server).status_code == 200
        # The file the workers take turns at writing through, removed when they are gone.
        assert [p.name[:20] for p in scratch.iterdir()] == ["mock-server-writers-"]
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(15) == 0
    assert list(scratch.iterdir()) == []


def test_workers_with_memory_are_refused_in_one_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "serve", "--memory", "--workers", "2", "--admin-port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("mock-server: --workers needs state the workers share")
    assert done.stdout == ""


def test_workers_is_in_serve_help_with_its_environment_variable() -> None:
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "serve", "--help"], capture_output=True, text=True, timeout=30
    )
    assert "--workers N" in done.stdout
    assert "MOCK_WORKERS" in done.stdout


def test_one_worker_names_no_worker(tmp_path: Path) -> None:
    with running_server(tmp_path / "state.db") as server:
        answer = signed_get(server)
        assert answer.status_code == 200
        assert "x-mock-worker" not in answer.headers


def test_replicas_started_together_on_an_empty_postgresql_database_seed_it_once(
    request: pytest.FixtureRequest,
) -> None:
    """As ``docker compose -f docker-compose.scale.yml up`` starts them: at the same moment."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server: ThrowawayPostgres = request.getfixturevalue("postgres")
    name = f"r_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    try:
        with ExitStack() as stack, ThreadPoolExecutor(max_workers=3) as pool:
            replicas = list(pool.map(lambda _: stack.enter_context(running_server(url)), range(3)))
            seeded = [line for r in replicas for line in r.output if "seeded in" in line]
            assert len(seeded) == 1, seeded  # one seeded it; the others found it ready
            assert {signed_get(r).status_code for r in replicas} == {200}
    finally:
        server.drop_database(name)

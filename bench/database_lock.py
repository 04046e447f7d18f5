"""How a state file locked by another process affects the sandbox, with its default settings.

    python bench/database_lock.py

Starts the sandbox on a state file, warms it with one request, takes the file's write lock from
this process (as a second program would), sends one signed Digitalent POST and polls the
control plane's health check meanwhile; then frees the lock and sends the POST again.
"""

import json
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
from run import start_sandbox, stop  # noqa: E402

from tests.helpers import digitalent_headers  # noqa: E402

PATH = "/api/public/pelatihan/akademi"
BODY = '{"id":1}'


def post(port: int) -> tuple[int, float]:
    headers = digitalent_headers("POST", PATH, BODY, at=datetime.now(UTC))
    started = time.monotonic()
    response = httpx.post(
        f"http://127.0.0.1:{port}{PATH}",
        content=BODY,
        headers={**headers, "content-type": "application/json"},
        timeout=30,
    )
    return response.status_code, round((time.monotonic() - started) * 1000, 1)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "state.db"
        proc, ports, _ = start_sandbox(str(db))
        try:
            post(ports["digitalent"])  # warm: the first request of a process pays its imports
            httpx.get(f"http://127.0.0.1:{ports['admin']}/__admin/health", timeout=30)
            holder = sqlite3.connect(db, isolation_level=None, timeout=5)
            holder.execute("BEGIN EXCLUSIVE")
            result: dict[str, object] = {}

            def locked_post() -> None:
                result["locked_post"] = post(ports["digitalent"])

            worker = threading.Thread(target=locked_post)
            worker.start()
            slowest = 0.0
            while worker.is_alive():
                started = time.monotonic()
                httpx.get(f"http://127.0.0.1:{ports['admin']}/__admin/health", timeout=30)
                slowest = max(slowest, time.monotonic() - started)
            worker.join()
            holder.execute("ROLLBACK")
            holder.close()
            result["health_slowest_ms"] = round(slowest * 1000, 1)
            result["after_release"] = post(ports["digitalent"])
        finally:
            stop(proc)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

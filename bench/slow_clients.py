"""How slow clients are bounded, with the sandbox's default settings.

    python bench/slow_clients.py

Opens 200 connections that send half a request and then nothing, and one request whose body is
dripped at 1 byte/s; while they are held, times control-plane health requests and Digitalent
requests (a new connection each). Reports how long the server held each slow client (from its
first byte to the server closing it) and the latency of normal requests before and during.
"""

import argparse
import json
import selectors
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import start_sandbox, stop


class Watch:
    """Records, for each socket, the seconds from its opening until the server closed it."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.opened: dict[socket.socket, float] = {}
        self.held: dict[socket.socket, float] = {}
        self.lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.opened[sock] = time.monotonic()
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)

    def run(self, until: float) -> None:
        while time.monotonic() < until and len(self.held) < len(self.opened):
            for key, _ in self.selector.select(0.05):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    with self.lock:
                        self.held[sock] = time.monotonic() - self.opened[sock]
                        self.selector.unregister(sock)


def latencies(port: int, path: str, count: int) -> list[float]:
    out = []
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    for _ in range(count):
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(request)
            while sock.recv(65536):
                pass
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half-open", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    proc, ports, _ = start_sandbox(None)
    try:
        before = latencies(ports["admin"], "/__admin/health", args.requests)
        watch = Watch()
        for _ in range(args.half_open):
            sock = socket.create_connection(("127.0.0.1", ports["digitalent"]))
            sock.sendall(b"POST /api/public/pelatihan/akademi HTTP/1.1\r\nHost:")
            watch.add(sock)
        drip = socket.create_connection(("127.0.0.1", ports["sales_order"]))
        drip.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 67\r\n\r\n")
        dripped = {"bytes": 0}

        def dripping() -> None:
            try:
                for _ in range(67):
                    time.sleep(1)
                    drip.send(b"x")
                    dripped["bytes"] += 1
            except OSError:
                pass

        threading.Thread(target=dripping, daemon=True).start()
        watch.add(drip)
        watcher = threading.Thread(target=watch.run, args=(time.monotonic() + 90,), daemon=True)
        watcher.start()
        during = latencies(ports["admin"], "/__admin/health", args.requests)
        during_provider = latencies(ports["digitalent"], "/api/public/pelatihan/akademi", 50)
        watcher.join()
        holds = [watch.held[s] for s in watch.opened if s is not drip and s in watch.held]
        results = {
            "half_open_connections": args.half_open,
            "half_open_cut": len(holds),
            "half_open_held_s": {"min": round(min(holds), 2), "max": round(max(holds), 2)},
            "dripped_body_held_s": round(watch.held.get(drip, float("nan")), 2),
            "dripped_body_bytes_sent": dripped["bytes"],
            "health_before": summary(before),
            "health_during": summary(during),
            "digitalent_during": summary(during_provider),
        }
    finally:
        stop(proc)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

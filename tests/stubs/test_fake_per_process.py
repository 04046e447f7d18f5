"""``{{ fake.* }}`` in a stub: each forked worker draws its own values, not its siblings'."""

import os

from mock_server.core.stubs.routes import FAKE


def names_in_a_fork(count: int) -> list[str]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a --workers child: draw, report, leave without running the parent's cleanup
        os.close(read)
        os.write(write, "\n".join(FAKE.name() for _ in range(count)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        drawn = pipe.read().split("\n")
    os.waitpid(pid, 0)
    return drawn


def test_forked_workers_draw_different_fake_values() -> None:
    FAKE.name()  # the parent has its generator before the workers fork, as serving does
    first, second = names_in_a_fork(5), names_in_a_fork(5)
    assert len(first) == 5
    assert first != second
    assert [FAKE.name() for _ in range(5)] != first

"""Seeding reuses one Faker a thread: its values must be those of a new Faker seeded alike."""

import threading

from faker import Faker

from mock_server.core.services import seeded_faker


def draws(fake: Faker) -> list[object]:
    return [fake.name(), fake.address(), fake.random_elements("abcdefgh", length=3, unique=True)]


def test_a_reused_faker_gives_what_a_new_one_seeded_alike_gives():
    fresh = Faker("id_ID")
    fresh.seed_instance(42)
    expected = draws(fresh)
    draws(seeded_faker(7))  # another seed's use first: its draws must not carry over
    assert draws(seeded_faker(42)) == expected
    assert draws(seeded_faker(42)) == expected


def test_unique_values_are_unique_within_one_seeding_only():
    fake = seeded_faker(3)
    first = [fake.unique.random_int(1, 3) for _ in range(3)]
    fake = seeded_faker(3)
    again = [fake.unique.random_int(1, 3) for _ in range(3)]  # raises if the first were kept
    assert first == again
    assert sorted(first) == [1, 2, 3]


def test_each_thread_seeds_a_faker_of_its_own():
    fakes = []
    thread = threading.Thread(target=lambda: fakes.append(seeded_faker(1)))
    thread.start()
    thread.join()
    assert fakes[0] is not seeded_faker(1)

"""Property-based: whatever a client puts in the auth headers or the JSON body of each provider's
example request, the answer is never a 5xx, and every rejection is in the provider's own error
shape. A small budget keeps ``make test`` fast; ``make fuzz`` runs the same properties longer
(``HYPOTHESIS_PROFILE=fuzz``)."""

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract import tally
from tests.contract.test_contract import Subject
from tests.helpers import raw_request

settings.register_profile(
    "default",
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure in CI reproduces locally
)
settings.register_profile(
    "fuzz",
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# What parsers choke on: Unicode digits, NaN and friends, huge numbers, control bytes, length.
TRICKY = [
    "²",
    "١٢٣",
    "NaN",
    "Infinity",
    "-1",
    "1e400",
    "9" * 40,
    "Bearer ",
    "Bearer \xe9",
    "\x7f",
    "\x01\x02",
    "=" * 5,
    "-----BEGIN PUBLIC KEY-----",
    "A" * 5000,
]


def header_bytes(value: bytes) -> bytes:
    """What can reach the app: uvicorn refuses CR, LF and NUL in a header, and strips spaces."""
    return value.replace(b"\r", b"").replace(b"\n", b"").replace(b"\0", b"").strip(b" \t")


header_values = st.one_of(
    st.sampled_from(TRICKY).map(lambda text: text.encode("utf-8")),
    st.sampled_from(TRICKY).map(lambda text: text.encode("latin-1", "replace")),
    st.binary(max_size=80),
    st.text(max_size=40).map(lambda text: text.encode("utf-8")),
).map(header_bytes)

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture
def subject(provider_name, contract_sandbox, contract_client) -> Subject:
    provider = next(p for p in contract_sandbox.providers if p.name == provider_name)
    return Subject(provider, contract_client(provider_name), contract_sandbox)


def assert_answer_in_shape(subject: Subject, status: int, body: Any) -> None:
    tally.count("property-based", status)
    assert status < 500, f"{status}: {body}"
    if status >= 400:
        assert subject.contract.is_error(body), f"{status} not in the provider's shape: {body}"


@given(data=st.data())
def test_no_auth_header_value_is_a_5xx(subject, data):
    headers = subject.sign()
    name = data.draw(st.sampled_from(sorted(headers)), label="header")
    value = data.draw(header_values, label="value")
    spoilt: dict[str, bytes | str] = {**headers, name: value}
    example = subject.contract.example
    status, _, body = raw_request(
        subject.sandbox.apps[subject.provider.name],
        example.method,
        example.path,
        spoilt,
        example.body,
    )
    assert_answer_in_shape(subject, status, body)


def mutated(example: bytes, key: str | None, value: Any) -> bytes:
    """The example body with one field replaced (or added), or ``value`` as the whole body."""
    document = json.loads(example) if example else {}
    if key is None or not isinstance(document, dict):
        return json.dumps(value).encode()
    return json.dumps(document | {key: value}).encode()  # NaN and Infinity as JavaScript writes


@given(data=st.data())
def test_no_signed_json_body_is_a_5xx(subject, data):
    example = subject.contract.example
    fields = sorted(json.loads(example.body)) if example.body else []
    key = data.draw(st.one_of(st.none(), st.sampled_from([*fields, "extra"])), label="field")
    value = data.draw(json_values, label="value")
    body = data.draw(
        st.one_of(
            st.just(mutated(example.body, key, value)),
            st.integers(min_value=60, max_value=3000).map(lambda depth: b"[" * depth),
            st.binary(max_size=60),
        ),
        label="body",
    )
    response = subject.send(body=body)
    try:
        answer = response.json()
    except ValueError:
        answer = response.text
    assert_answer_in_shape(subject, response.status_code, answer)

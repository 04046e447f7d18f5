"""The one JSON parser for client bodies: plain JSON passes, what would crash code does not."""

import json

import pytest

from mock_server.core import jsonbody


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, 2.5, "x", null, true]}', "[" * 64 + "]" * 64, '{"s": "[[[[' + "[" * 500 + '"}'],
)
def test_plain_json_is_read(text):
    assert jsonbody.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 5000, "nested deeper than 64 levels"),
        ('{"a":' * 65 + "1" + "}" * 65, "nested deeper"),
        ('{"exp": NaN}', "NaN is not a JSON number"),
        ('{"exp": Infinity}', "Infinity"),
        ('{"exp": -Infinity}', "-Infinity"),
        ('{"exp": 1e400}', "too large"),
        ('{"n": ' + "1" * 5000 + "}", "5000 digits"),
    ],
)
def test_what_json_loads_lets_through_is_refused_as_malformed(text, reason):
    with pytest.raises(json.JSONDecodeError) as refused:
        jsonbody.loads(text)
    assert reason in refused.value.msg


def test_bytes_must_be_utf8():
    assert jsonbody.loads('{"nama": "Budi é"}'.encode()) == {"nama": "Budi é"}
    with pytest.raises(UnicodeDecodeError):
        jsonbody.loads(b'{"a": "\xff"}')

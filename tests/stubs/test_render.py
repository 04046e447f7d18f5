"""The templating on its own: JSON types kept, missing values named, Python's insides out of
reach."""

import pytest

from mock_server.core.stubs.render import Fields, RenderFailed, compile_body, compile_text


def values(**extra):
    return {
        "path": Fields("path", {"nik": "3201"}),
        "query": Fields("query", {}),
        "body": Fields("body", {"jumlah": 2, "alamat": {"kota": "Bandung"}, "tags": ["a"]}),
        "headers": Fields("headers", {"client-id": "c1"}, fold_case=True),
        **extra,
    }


def test_a_lone_expression_keeps_its_json_type_and_text_around_one_is_text():
    body = compile_body(
        {
            "n": "{{ body.jumlah * 2 }}",
            "ok": "{{ body.jumlah > 1 }}",
            "alamat": "{{ body.alamat }}",
            "tags": "{{ body.tags }}",
            "text": "NIK {{ path.nik }}",
            "fixed": 7,
            "list": ["{{ path.nik | int }}", None],
        }
    )
    assert body.render(values()) == {
        "n": 4,
        "ok": True,
        "alamat": {"kota": "Bandung"},
        "tags": ["a"],
        "text": "NIK 3201",
        "fixed": 7,
        "list": [3201, None],
    }


def test_headers_are_read_by_any_case_and_with_underscores():
    render = compile_text("{{ headers['Client-Id'] }} {{ headers.CLIENT_ID }}")
    assert render(values()) == "c1 c1"


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ body.nama }}", "the request has no body field 'nama'"),
        ("{{ body.alamat.rt }}", "the request has no body.alamat field 'rt'"),
        ("{{ query.page }}", "the request has no query parameter 'page'"),
        ("{{ headers.x_trace }}", "the request has no header 'x_trace'"),
        ("x {{ path.id }}", "the request has no path parameter 'id'"),
    ],
)
def test_a_missing_value_is_named(template, said):
    with pytest.raises(RenderFailed, match=said):
        compile_body({"v": template}).render(values())


def test_a_default_covers_a_missing_value():
    assert compile_text("{{ body.nama | default('anon') }}")(values()) == "anon"


@pytest.mark.parametrize(
    "template",
    [
        "{{ path.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{{ body.items.__globals__ }}",
        "{{ uuid4.__globals__ }}",
        # Faker's generator looks attributes up with a plain getattr: reached through it, the
        # sandbox was escaped (a shell command ran); only its data methods are offered now.
        "{{ fake.get_formatter('__class__') }}",
        "{% set G = fake.get_formatter('__class__') %}"
        "{{ G.get_formatter(uuid4, '__globals__')['__builtins__'] }}",
        "{{ fake.format('__class__') }}",
        "{{ fake.parse('{{__class__}}') }}",
        "{{ fake.random.__class__ }}",
        "{{ fake.seed_instance(1) }}",
        "{{ fake.name.__self__.generator }}",
    ],
)
def test_python_internals_are_out_of_reach(template):
    with pytest.raises(RenderFailed):
        compile_body({"v": template}).render(values(**template_helpers()))


def template_helpers():
    """What a stub's template really gets beside the request: fake, uuid4, now…"""
    from mock_server.core.stubs.render import helpers
    from mock_server.core.stubs.routes import FAKE

    return {**helpers(), "fake": FAKE}


def test_fakers_data_methods_still_work():
    text = compile_text("{{ fake.name() }}|{{ fake.bothify('??-##') }}")(
        values(**template_helpers())
    )
    name, code = text.split("|")
    assert name.strip()
    assert len(code) == 5

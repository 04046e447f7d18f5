"""What a stub is: one method and path template of one provider, and the answer it gives.

    provider: digitalent
    method: GET
    path: /api/public/peserta/{nik}
    response:
      status: 200
      headers: {X-Source: stub}
      body: {"success": true, "data": {"nik": "{{ path.nik }}", "nama": "{{ fake.name() }}"}}
    state: {key: nik}          # optional: POST/PUT store, GET returns, DELETE forgets

The same shape comes from a file entry and from a control-plane body. ``compile_stub``
validates it and parses every template, so that whatever can be wrong with a stub is said when
it is loaded, never when a request reaches it.
"""

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mock_server.core.stubs.render import (
    BodyTemplate,
    Render,
    TemplateSyntaxError,
    compile_body,
    compile_text,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# One path segment's parameter: a name a template can use (path.nik).
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]|\{[A-Za-z_][A-Za-z0-9_]*\})*$")
ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


class StubInvalid(ValueError):
    """A stub that cannot work, with each problem as ``(field, what is wrong)``."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(
            "; ".join(f"{where}: {what}" if where else what for where, what in problems)
        )


class _Strict(BaseModel):
    # A misspelt key (respnse:) would otherwise be ignored and the stub answer an empty 200.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class StubResponse(_Strict):
    status: int = Field(200, ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = Field(None, description="JSON (its string leaves templates) or a text template")


class StubState(_Strict):
    key: str = Field(description="the path parameter the stored value is keyed by")
    name: str | None = Field(
        None,
        max_length=128,
        description="stubs with the same name share what is stored (default: the path template)",
    )
    store: Literal["request", "response"] = Field(
        "request", description="POST/PUT/PATCH store the request's body or the rendered answer"
    )


class StubRequest(_Strict):
    """What the OpenAPI document says the request carries (the stub does not enforce it)."""

    body: Any = Field(None, description="an example request body")
    body_schema: dict[str, Any] | None = Field(None, alias="schema")


class Stub(_Strict):
    provider: str = Field(min_length=1, max_length=32)
    method: str
    path: str = Field(min_length=1, max_length=512)
    id: str | None = Field(None, pattern=ID_PATTERN)
    summary: str = Field("", max_length=200)
    response: StubResponse = Field(default_factory=lambda: StubResponse())
    state: StubState | None = None
    request: StubRequest | None = None

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        if value.upper() not in METHODS:
            raise ValueError(f"must be one of {', '.join(METHODS)}, got {value!r}")
        return value.upper()

    @field_validator("path")
    @classmethod
    def _template(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"must start with /, got {value!r}")
        if "?" in value or "#" in value:
            raise ValueError("must not have a query string or fragment (templates read query.NAME)")
        for segment in value.split("/")[1:]:
            if not _SEGMENT.match(segment):
                raise ValueError(
                    f"path segment {segment!r} has a character a URL path cannot carry as is"
                )
        names = _PARAM.findall(value)
        if len(names) != len(set(names)):
            raise ValueError(f"names a parameter twice: {value}")
        return value


@dataclass(frozen=True)
class CompiledStub:
    """A validated stub with its templates parsed and its path as a pattern."""

    stub: Stub
    id: str
    source: str  # "stubs.yaml entry 2" or "control plane"
    pattern: re.Pattern[str]
    params: tuple[str, ...]
    body: BodyTemplate | None
    headers: dict[str, Render]
    digest: str  # changes when the definition does (the OpenAPI document follows)
    from_file: bool = True
    definition: dict[str, Any] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return self.stub.provider

    @property
    def method(self) -> str:
        return self.stub.method

    @property
    def path(self) -> str:
        return self.stub.path

    @property
    def shape(self) -> str:
        """Method and path with the parameter names left out: two stubs of one shape clash."""
        return f"{self.method} {shape_of(self.path)}"

    @property
    def specificity(self) -> int:
        """Fewer parameters first, so /peserta/aktif wins over /peserta/{nik} (then, the sort
        being stable, the one declared first)."""
        return len(self.params)

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    def describe(self) -> dict[str, Any]:
        """As the control plane lists it."""
        return {
            "id": self.id,
            "source": self.source,
            **self.stub.model_dump(by_alias=True, exclude_none=True),
        }


def shape_of(path: str) -> str:
    return _PARAM.sub("{}", path)


def path_pattern(path: str) -> re.Pattern[str]:
    out, last = [], 0
    for found in _PARAM.finditer(path):
        out.append(re.escape(path[last : found.start()]))
        out.append(f"(?P<{found[1]}>[^/]+)")
        last = found.end()
    out.append(re.escape(path[last:]))
    return re.compile("^" + "".join(out) + "$")


def slug(method: str, path: str) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "-", f"{method} {path}".lower()).strip("-")
    return text[:64] or "stub"


def did_you_mean(loc: tuple[int | str, ...]) -> str:
    model: type[BaseModel] = Stub
    for part in loc[:-1]:
        info = model.model_fields.get(str(part))
        inner = getattr(info, "annotation", None)
        inner = next((a for a in getattr(inner, "__args__", (inner,)) if isinstance(a, type)), None)
        if inner is None or not issubclass(inner, BaseModel):
            return ""
        model = inner
    names = [info.alias or name for name, info in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(names)})"


def problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key" + did_you_mean(error["loc"])
        out.append((where, message))
    return out


def compile_stub(
    definition: Any, *, source: str, from_file: bool = True, default_id: str | None = None
) -> CompiledStub:
    """Validate ``definition`` and parse its templates. Raises StubInvalid naming each field."""
    if not isinstance(definition, dict):
        raise StubInvalid([("", f"a stub is a mapping, got {type(definition).__name__}")])
    try:
        stub = Stub.model_validate(definition)
    except ValidationError as exc:
        raise StubInvalid(problems_of(exc)) from None
    problems: list[tuple[str, str]] = []
    params = tuple(_PARAM.findall(stub.path))
    if stub.state is not None and stub.state.key not in params:
        known = ", ".join(params) or "none"
        problems.append(
            ("state.key", f"{stub.state.key!r} is not a parameter of {stub.path} (it has {known})")
        )
    body = None
    if stub.response.body is not None:
        try:
            body = compile_body(stub.response.body, "response.body")
        except TemplateSyntaxError as exc:
            where, _, what = (exc.message or "").partition(": ")
            problems.append((where, f"template error: {what} (line {exc.lineno})"))
    headers: dict[str, Render] = {}
    for name, value in stub.response.headers.items():
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            problems.append((f"response.headers.{name}", "not a valid header name"))
            continue
        try:
            headers[name] = compile_text(value)
        except TemplateSyntaxError as exc:
            problems.append(
                (f"response.headers.{name}", f"template error: {exc.message} (line {exc.lineno})")
            )
    if problems:
        raise StubInvalid(problems)
    canonical = stub.model_dump(mode="json", by_alias=True, exclude_none=True)
    return CompiledStub(
        stub=stub,
        id=stub.id or default_id or slug(stub.method, stub.path),
        source=source,
        pattern=path_pattern(stub.path),
        params=params,
        body=body,
        headers=headers,
        digest=hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:16],
        from_file=from_file,
        definition=canonical,
    )

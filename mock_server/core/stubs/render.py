"""The templating of a stub's answer: Jinja2 in its sandbox, so a template reaches the request's
values and the helpers below and nothing of Python's internals.

Every string of a stub's body and headers is a template, parsed when the stub is loaded (a
syntax error is the file's error, not a request's). A JSON body keeps its JSON types: only its
string leaves are rendered, and a leaf that is exactly one ``{{ expression }}`` gives the
expression's own value (a number, a boolean, an object), not its text.

What a template sees:

- ``path``: the path parameters; ``query``: the query parameters (the first of each);
  ``body``: the request's JSON body (or its text); ``headers``: the request headers, by any
  case (``headers["client-id"]``, ``headers.client_id``);
- ``fake``: Faker with the ``id_ID`` locale (Indonesian names, addresses, phone numbers);
- ``now``: the sandbox clock as a UTC ``datetime``; ``uuid4()``: a fresh UUID;
- ``state``: what a POST or PUT stored under this request's key (``None`` if nothing);
- ``client_id``: whom auth served the request as.

A name the request does not have (``body.nama`` with no ``nama``) fails the render, naming it:
the stub then answers 400 in the provider's shape instead of sending half an answer.
"""

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

__all__ = [
    "BodyTemplate",
    "Fields",
    "RenderFailed",
    "TemplateSyntaxError",
    "compile_body",
    "compile_text",
    "helpers",
]

# A leaf that is one expression and nothing else: its value keeps its type.
_WHOLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)


class RenderFailed(Exception):
    """A template failed on this request's values (a missing field, a type error)."""


class Fields(dict[str, Any]):
    """Request values by name, which know what they are (``body``, ``query``) so that a missing
    one is named in full: "the request has no body field 'nama'"."""

    def __init__(self, label: str, values: Mapping[str, Any], *, fold_case: bool = False) -> None:
        self.label = label
        self.fold_case = fold_case
        super().__init__(
            {(k.lower() if fold_case else k): wrap(f"{label}.{k}", v) for k, v in values.items()}
        )

    def key(self, name: str) -> str | None:
        """The key ``name`` is stored under, or None. Headers match by any case, and ``_`` for
        ``-`` (``headers.client_id`` is ``Client-Id``)."""
        if name in self:
            return name
        if self.fold_case:
            for candidate in (name.lower(), name.lower().replace("_", "-")):
                if candidate in self:
                    return candidate
        return None


def wrap(label: str, value: Any) -> Any:
    if isinstance(value, dict):
        return Fields(label, value)
    if isinstance(value, list):
        return [wrap(f"{label}[{i}]", v) for i, v in enumerate(value)]
    return value


class _Environment(SandboxedEnvironment):
    """The sandbox, with missing request values named by where they were looked for."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Fields):
            return self._field(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Fields) and isinstance(argument, str):
            return self._field(obj, argument)
        return super().getitem(obj, argument)

    def _field(self, obj: Fields, name: str) -> Any:
        key = obj.key(name)
        if key is not None:
            return obj[key]
        if not obj.fold_case and name in dir(dict):  # body.items() and the like stay usable
            return super().getattr(obj, name)
        kinds = {"path": "path parameter", "query": "query parameter", "headers": "header"}
        if obj.label in kinds:
            hint = f"the request has no {kinds[obj.label]} {name!r}"
        else:
            hint = f"the request has no {obj.label} field {name!r}"
        return self.undefined(hint=hint, obj=obj, name=name)


ENVIRONMENT = _Environment(undefined=StrictUndefined, autoescape=False)

# Parsed once per source: a compiled template is immutable and renders from its arguments alone,
# and every sandbox of a process (each test's, each stub file's reload) parses the same sources
# again otherwise (the Jinja2 compile was most of opening a sandbox with a stub file).
_template = functools.lru_cache(maxsize=4096)(ENVIRONMENT.from_string)
_expression = functools.lru_cache(maxsize=4096)(ENVIRONMENT.compile_expression)


def _uuid4() -> str:
    return str(uuid.uuid4())


def helpers() -> dict[str, Any]:
    """The names every template sees besides the request's values."""
    return {"uuid4": _uuid4}


Render = Callable[[Mapping[str, Any]], Any]


def compile_text(source: str) -> Render:
    """A string template; renders to a string. TemplateSyntaxError when it does not parse."""
    template = _template(source)

    def render(values: Mapping[str, Any]) -> Any:
        try:
            return template.render(values)
        except UndefinedError as exc:
            raise RenderFailed(str(exc)) from None
        except Exception as exc:  # the template's own fault on these values: said, not raised
            raise RenderFailed(f"{type(exc).__name__}: {exc}") from None

    return render


def compile_leaf(source: str) -> Render:
    """A body's string leaf: a lone ``{{ expression }}`` keeps its value's type."""
    whole = _WHOLE.match(source)
    if whole is None:
        return compile_text(source)
    expression = _expression(whole["expr"], undefined_to_none=False)

    def render(values: Mapping[str, Any]) -> Any:
        try:
            result = expression(**values)
            if isinstance(result, Undefined):
                result._fail_with_undefined_error()
        except UndefinedError as exc:
            raise RenderFailed(str(exc)) from None
        except Exception as exc:
            raise RenderFailed(f"{type(exc).__name__}: {exc}") from None
        return plain(result)

    return render


def plain(value: Any) -> Any:
    """A value as JSON can carry it: request values unwrapped, anything else as its text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):  # now, dates Faker makes
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class BodyTemplate:
    """A JSON body (or a text one) with every string leaf a template."""

    render: Render


def compile_body(body: Any, where: str = "body") -> BodyTemplate:
    """``body`` with its string leaves parsed. Raises TemplateSyntaxError, its message prefixed
    with where in the body the leaf is (``response.body.data.nama``)."""

    def build(value: Any, at: str) -> Render:
        if isinstance(value, str):
            try:
                return compile_leaf(value)
            except TemplateSyntaxError as exc:
                raise TemplateSyntaxError(f"{at}: {exc.message}", exc.lineno) from None
        if isinstance(value, dict):
            parts = {k: build(v, f"{at}.{k}") for k, v in value.items()}
            return lambda values: {k: part(values) for k, part in parts.items()}
        if isinstance(value, list):
            items = [build(v, f"{at}[{i}]") for i, v in enumerate(value)]
            return lambda values: [item(values) for item in items]
        return lambda values: value

    return BodyTemplate(build(body, where))

"""Stub files: YAML or JSON, a list of stubs under ``stubs:`` (or the list itself).

    stubs:
      - provider: digitalent
        method: GET
        path: /api/public/peserta/{nik}
        response: {status: 200, body: {"nik": "{{ path.nik }}"}}

Every mistake is said as ``FILE: entry N (METHOD PATH): where: what is wrong``, all of a file's
mistakes at once, so that one run of ``mock-server stubs check`` finds them all.
"""

import datetime
import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_server.core.stubs.model import CompiledStub, StubInvalid, compile_stub


class StubFileError(ValueError):
    """Every mistake found in the stub files, one line each."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    stubs: list[CompiledStub]


def parse_file(path: Path) -> Any:
    """The file's content, by its suffix: .json is JSON, anything else YAML (a superset)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StubFileError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StubFileError([f"{path}: cannot be read ({exc})"]) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise StubFileError(
                [f"{path}: not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
            ) from None
    import yaml  # only here: serving without stub files never needs it

    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StubFileError([f"{path}: not YAML: {problem}{where}"]) from None
    # YAML reads 1990-01-01 as a date and 12:30 as a number of its own; a stub answers JSON, so
    # a date is the text it was written as, and what JSON cannot carry is refused here, not
    # answered with a 500 at every request.
    try:
        return json.loads(json.dumps(content, default=_json_value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise StubFileError([f"{path}: {exc}"]) from None


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"a {type(value).__name__} value has no JSON form: {value!r:.80}")


def entries_of(path: Path, content: Any) -> list[Any]:
    if isinstance(content, dict) and set(content) == {"stubs"}:
        content = content["stubs"]
    if content is None:
        return []
    if not isinstance(content, list):
        raise StubFileError(
            [f"{path}: expected a list of stubs (or a mapping with only the key stubs:)"]
        )
    return content


def label(entry: Any) -> str:
    if isinstance(entry, dict):
        return f"{str(entry.get('method', '?')).upper()} {entry.get('path', '?')}"
    return "?"


def load_file(path: Path, providers: Iterable[str]) -> LoadedFile:
    """One file's stubs. Raises StubFileError listing every mistake in it."""
    known = tuple(providers)
    entries = entries_of(path, parse_file(path))
    errors: list[str] = []
    stubs: list[CompiledStub] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: entry {number} ({label(entry)})"
        try:
            stub = compile_stub(entry, source=f"{path}: entry {number}")
        except StubInvalid as exc:
            errors += [
                f"{where}: {w}: {what}" if w else f"{where}: {what}" for w, what in exc.problems
            ]
            continue
        if stub.provider not in known:
            close = difflib.get_close_matches(stub.provider, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            errors.append(
                f"{where}: provider: unknown provider {stub.provider!r}; {hint}"
                f"known: {', '.join(known)}"
            )
            continue
        stubs.append(stub)
    if errors:
        raise StubFileError(errors)
    return LoadedFile(path, stubs)


def clashes(stubs: Sequence[CompiledStub]) -> list[str]:
    """Two stubs of one provider with the same method and path shape, or the same id."""
    out: list[str] = []
    seen_shape: dict[tuple[str, str], CompiledStub] = {}
    seen_id: dict[tuple[str, str], CompiledStub] = {}
    for stub in stubs:
        first = seen_shape.setdefault((stub.provider, stub.shape), stub)
        if first is not stub:
            out.append(
                f"{stub.source} ({stub.method} {stub.path}): duplicate of {first.source} "
                f"({first.method} {first.path}) for {stub.provider}"
            )
            continue
        first = seen_id.setdefault((stub.provider, stub.id), stub)
        if first is not stub:
            out.append(
                f"{stub.source} ({stub.method} {stub.path}): id {stub.id!r} is also "
                f"{first.source}'s; give one of them another id"
            )
    return out


def load_stub_files(paths: Iterable[Path], providers: Iterable[str]) -> list[CompiledStub]:
    """Every stub of every file, in order. Raises StubFileError listing every mistake."""
    known = tuple(providers)
    errors: list[str] = []
    stubs: list[CompiledStub] = []
    for path in paths:
        try:
            stubs += load_file(path, known).stubs
        except StubFileError as exc:
            errors += exc.lines
    if not errors:
        errors += clashes(stubs)
    if errors:
        raise StubFileError(errors)
    return stubs

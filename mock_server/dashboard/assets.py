"""The packaged files: templates and static assets (htmx, its json-enc extension, Swagger UI)."""

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import FileResponse, Response

if TYPE_CHECKING:
    from jinja2 import Environment

STATIC = Path(str(resources.files("mock_server.dashboard") / "static"))
# Every file under static/, by its path there: nothing else can be asked for.
FILES = {p.relative_to(STATIC).as_posix(): p for p in STATIC.rglob("*") if p.is_file()}


@cache
def templates() -> "Environment":
    """Built on the first page asked for: the sandbox's start-up does not wait for Jinja2."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("mock_server.dashboard"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return templates().get_template(template).render(**context)


def static_file(path: str) -> Response | None:
    file = FILES.get(path)
    if file is None:
        return None
    # The files change only with the package: a day's caching spares a projector's laptop.
    return FileResponse(file, headers={"Cache-Control": "public, max-age=86400"})

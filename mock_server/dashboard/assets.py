"""The packaged files: templates and static assets (htmx, its json-enc extension, Swagger UI)."""

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import FileResponse, Response

STATIC = Path(str(resources.files("mock_server.dashboard") / "static"))
# Every file under static/, by its path there: nothing else can be asked for.
FILES = {p.relative_to(STATIC).as_posix(): p for p in STATIC.rglob("*") if p.is_file()}

templates = Environment(
    loader=PackageLoader("mock_server.dashboard"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: Any) -> str:
    return templates.get_template(template).render(**context)


def static_file(path: str) -> Response | None:
    file = FILES.get(path)
    if file is None:
        return None
    # The files change only with the package: a day's caching spares a projector's laptop.
    return FileResponse(file, headers={"Cache-Control": "public, max-age=86400"})

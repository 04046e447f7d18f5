"""Where the sandbox listens and keeps its state, as URLs and the console show them, and the
error a setting that cannot work is reported with.

Apart from ``config.py``'s settings classes: a command that only talks to a running sandbox
(``mock-server clock``, ``--help``) needs these, and neither pydantic nor pydantic-settings, which
would be most of its start-up.
"""

import re
from pathlib import Path


class ConfigError(Exception):
    """A setting, flag or port that cannot work: said in one sentence, exit status 2."""


# What a listener bound to every interface is given as its host.
ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})


def url_host(host: str, any_address: str = "localhost") -> str:
    """The host part of a URL that reaches a listener on ``host`` from this machine: a
    listener on every interface as ``any_address``, an IPv6 address in brackets."""
    shown = any_address if host in ANY_ADDRESS else host
    return f"[{shown}]" if ":" in shown else shown


def shown_database(url: str) -> str:
    """A database URL as the console may print it: a SQLite file as its path, and a server
    URL's password as ***."""
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return re.sub(r"^([^:/]+://[^:/@]*):[^@]*@", r"\1:***@", url)


def sqlite_url_for(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file, as `--db PATH` takes it."""
    return f"sqlite:///{Path(path).expanduser()}"

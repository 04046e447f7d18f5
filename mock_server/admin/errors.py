"""What a control-plane operation can refuse with, apart from the protocol's models: the CLI and
``AdminClient`` raise these without building a single pydantic model (a command's start-up)."""


class AdminError(Exception):
    """A control-plane operation refused, with the HTTP status it answers."""

    status = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(AdminError):
    status = 404


class Conflict(AdminError):
    status = 409


class Unsupported(AdminError):
    status = 501


class AdminUnreachable(AdminError):
    """Nothing answers at the control plane's URL (as opposed to an answer that is an error)."""

    status = 503

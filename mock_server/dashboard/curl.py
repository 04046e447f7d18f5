"""'Copy as curl': a journal entry as a ready-to-run command, signed afresh by the provider's own
signer (the one ``mock-server sign`` uses) at the sandbox's time, so it passes the time window and
the replay guard now rather than failing as a copy of the old headers would."""

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mock_server.core.provider import Provider, SignInput

# Headers the signer does not decide but the request needs to mean the same thing.
KEPT_HEADERS = ("content-type", "accept", "x-language")


@dataclass(frozen=True)
class Curl:
    command: str
    notes: list[str]


def signed_curl(
    entry: dict[str, Any], provider: Provider[Any], settings: Any, base_url: str, now: datetime
) -> Curl:
    """May raise whatever the provider's signer raises (an unknown client, a server that does
    not answer a token request): the caller shows it."""
    if provider.sign is None:
        raise LookupError(f"{provider.name} has no signer")
    notes = []
    body = entry["body_excerpt"].encode()
    if entry["body_bytes"] > len(body):
        notes.append(
            f"the journal kept {len(body)} of the body's {entry['body_bytes']} bytes "
            "(MOCK_JOURNAL_BODY_EXCERPT): the command sends those only"
        )
    if "<redacted" in entry["path"] + entry["query"]:
        notes.append("the journal redacted a credential in the URL: put the real value back")
    if "<redacted>" in entry["body_excerpt"]:
        notes.append("the journal redacted a secret in the body: put the real value back")
    demo = {c.client_id: c.secret for c in provider.demo_credentials}
    client_id = entry.get("client_id")
    if client_id not in demo:
        # Only the demo clients' secrets are known here; another client's is shown once only.
        default = provider.demo_credentials[0].client_id if provider.demo_credentials else "?"
        if client_id:
            notes.append(f"signed as the demo client {default}: {client_id}'s secret is not kept")
        client_id = None
    target = entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
    headers = provider.sign(
        SignInput(
            method=entry["method"],
            path=target,
            body=body,
            client_id=client_id,
            secret=demo.get(client_id) if client_id else None,
            key_file=None,
            now=now,
            base_url=base_url,
            settings=settings,
        )
    )
    sent = {name.lower() for name in headers}
    for name in KEPT_HEADERS:
        value = entry["request_headers"].get(name)
        if value is not None and name not in sent:
            headers[name] = value
    parts = ["curl", "-sS", "-X", entry["method"], shlex.quote(base_url + target)]
    for name, value in headers.items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        parts += ["--data-binary", shlex.quote(body.decode("utf-8", "replace"))]
    return Curl(" ".join(parts), notes)

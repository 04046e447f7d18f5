"""Journal endpoints: list with filters, one entry, count (for CI assertions), clear."""

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from mock_server.core.clock import parse_iso8601
from mock_server.core.journal import JournalQuery

if TYPE_CHECKING:
    from mock_server.app import Sandbox


def instant(value: str | None, name: str) -> float | None:
    """ISO 8601 or unix seconds."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        moment = parse_iso8601(value)
        if moment is None:
            raise HTTPException(
                400, f"{name} must be ISO 8601 or unix seconds, got {value!r}"
            ) from None
        return moment.timestamp()


def journal_router(sandbox: "Sandbox") -> APIRouter:
    router = APIRouter(prefix="/__admin/requests", tags=["journal"])

    def build_query(
        provider: str | None = None,
        client_id: str | None = None,
        method: str | None = None,
        path: Annotated[str | None, Query(description="exact, or a prefix ending in *")] = None,
        status: int | None = None,
        outcome: Literal["accepted", "rejected"] | None = None,
        rule: str | None = None,
        would_have_failed: bool | None = None,
        since: Annotated[str | None, Query(description="ISO 8601 or unix seconds")] = None,
        until: str | None = None,
        after_seq: int | None = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> JournalQuery:
        return JournalQuery(
            provider=provider,
            client_id=client_id,
            method=method,
            path=path,
            status=status,
            outcome=outcome,
            rule=rule,
            would_have_failed=would_have_failed,
            since=instant(since, "since"),
            until=instant(until, "until"),
            after_seq=after_seq,
            page=page,
            per_page=per_page,
        )

    QueryDep = Annotated[JournalQuery, Depends(build_query)]

    @router.get("")
    async def list_requests(q: QueryDep) -> dict[str, Any]:
        """Journal entries, newest first, filtered and paginated."""
        entries, total = sandbox.journal.query(q)
        return {"data": entries, "meta": {"page": q.page, "per_page": q.per_page, "total": total}}

    @router.get("/count")
    async def count_requests(q: QueryDep) -> dict[str, int]:
        """How many entries match, for CI: "exactly one accepted POST to this path"."""
        return {"count": sandbox.journal.count(q)}

    @router.get("/{journal_id}")
    async def one_request(journal_id: str) -> dict[str, Any]:
        """One journal entry, by the id in a response's X-Mock-Journal-Id header."""
        entry = sandbox.journal.get(journal_id)
        if entry is None:
            raise HTTPException(404, f"no journal entry {journal_id!r} (it may have been pruned)")
        return entry

    @router.delete("", status_code=200)
    async def clear_requests() -> dict[str, int]:
        """Forget every journal entry."""
        count = sandbox.journal.count()
        sandbox.journal.clear()
        return {"deleted": count}

    return router

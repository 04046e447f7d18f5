"""The baseline: a bare FastAPI app answering the same request with no auth, journal or database."""

from fastapi import FastAPI
from pydantic import BaseModel

# The same FastAPI settings the sandbox's apps use: native telemetry off (see core/pipeline.py).
app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


class IdBody(BaseModel):
    id: int


@app.post("/api/public/pelatihan/akademi")
async def akademi(body: IdBody) -> dict[str, object]:
    return {"success": True, "message": "OK", "data": {"id": body.id, "slug": "FGA"}}


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}

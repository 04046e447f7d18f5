"""KYC request bodies; any bad body becomes a 400 in the metadata shape."""

import json
import re
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mock_server.core import jsonbody
from mock_server.core.clock import WIB
from mock_server.providers.kyc.errors import bad_request

ModelT = TypeVar("ModelT", bound=BaseModel)
NIK = re.compile(r"^\d{16}$")


def _nik(value: str) -> str:
    if not NIK.match(value):
        raise ValueError("must be 16 digits")
    return value


class GenerateUrl(BaseModel):
    model_config = ConfigDict(extra="ignore")
    agent_name: str = Field(min_length=1, max_length=200)
    agent_nik: str
    public_key: str = Field(min_length=1, max_length=16_384)

    _check_nik = field_validator("agent_nik")(_nik)

    @field_validator("agent_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class Patient(BaseModel):
    model_config = ConfigDict(extra="ignore")
    nik: str
    name: str = Field(min_length=1, max_length=200)

    _check_nik = field_validator("nik")(_nik)


class ChallengeMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    method: str


class ChallengeRequest(BaseModel):
    """``{"metadata": {"method": "request_per_nik"}, "data": {"nik": ..., "name": ...}}``"""

    model_config = ConfigDict(extra="ignore")
    metadata: ChallengeMetadata
    data: Patient


class VerifyRequest(BaseModel):
    """The validation page's own call (not a documented endpoint)."""

    model_config = ConfigDict(extra="ignore")
    challenge_code: str = Field(min_length=1, max_length=16)


def parse_json(body: bytes, example: str) -> dict[str, Any]:
    if not body.strip():
        raise bad_request(f"a JSON body is required, e.g. {example}")
    try:
        payload = jsonbody.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise bad_request(f"the body is not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(payload, dict):
        raise bad_request(f"the body must be a JSON object, e.g. {example}")
    return payload


def validate(model: type[ModelT], payload: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise bad_request(f"invalid fields: {summary}", errors=errors) from None


def wib(timestamp: float) -> str:
    """``2023-05-25T03:26:13+07:00``, as the doc's challenge-code example."""
    return datetime.fromtimestamp(int(timestamp), UTC).astimezone(WIB).isoformat()

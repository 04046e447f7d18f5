"""Request bodies: the company and the industrial vacancy, and how they are validated.

The employer fields are the ones JOSS's public doc shows (``title``, ``employer {id, region
{type, id, country_code}, name, postal_code, address, phone, email, license_number, industry,
about, website, latitude, longitude, logo_uri}``). The rest of the vacancy is the mock's choice of
names for what the vacancy-reporting regulation asks a report to contain: position, number of
workers needed, validity period, age range, gender, education level, skills, experience, salary
range in IDR, work location, employment type, and a status that can be reported as filled.

Every failing field is reported at once, by its path (``employer.region.id``, ``skills[0]``):
type errors from pydantic, unknown reference ids, and cross-field rules (``salary.max``).
"""

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from mock_server.core import jsonbody
from mock_server.providers.joss.errors import bad_request, validation_error

ModelT = TypeVar("ModelT", bound=BaseModel)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _coordinate(limit: float) -> Any:
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise ValueError("must be a decimal number written as a string") from None
        if not -limit <= number <= limit:
            raise ValueError(f"must be between -{limit:g} and {limit:g}")
        return value

    return AfterValidator(check)


def _email(value: str | None) -> str | None:
    if value is not None and not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _uri(value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return value


Text = Annotated[str, Field(min_length=1, max_length=255)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000)]


class Body(BaseModel):
    # Unknown fields are ignored, as a lenient JSON API would; known ones are checked strictly
    # enough that a portal's mapping bug shows here, not in production.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Region(Body):
    type: Literal["province", "city"]
    id: UUID
    country_code: Literal["ID"] | None = None  # the doc's example sends null


class Company(Body):
    """A company (employer), as PUT /api/v1/companies/{id} takes it."""

    id: UUID | None = None  # optional in the body; when given, it must be the path's id
    region: Region
    name: Text
    postal_code: Annotated[str, Field(pattern=r"^\d{5}$")]
    address: Annotated[str, Field(min_length=1, max_length=1000)]
    phone: Annotated[str | None, Field(pattern=r"^\+?[0-9()\- ]{6,20}$")] = None
    email: Annotated[str | None, Field(max_length=255), AfterValidator(_email)] = None
    license_number: Annotated[str, Field(min_length=1, max_length=64)]
    industry: UUID
    about: Annotated[str | None, Field(max_length=10_000)] = None
    website: Annotated[str | None, Field(max_length=500), AfterValidator(_uri)] = None
    # Strings, as the doc shows them: a JSON number here is a type error.
    latitude: Annotated[str | None, _coordinate(90)] = None
    longitude: Annotated[str | None, _coordinate(180)] = None
    logo_uri: Annotated[str | None, Field(max_length=1000), AfterValidator(_uri)] = None


class Employer(Company):
    id: UUID  # required inside a vacancy


class AgeRange(Body):
    min: Annotated[int, Field(ge=15, le=100)]
    max: Annotated[int, Field(ge=15, le=100)]


class SalaryRange(Body):
    min: Annotated[int, Field(ge=0, le=10_000_000_000)]
    max: Annotated[int, Field(ge=0, le=10_000_000_000)]
    currency: Literal["IDR"] = "IDR"


class WorkLocation(Body):
    region: Region
    address: Annotated[str | None, Field(max_length=1000)] = None


class IndustrialVacancy(Body):
    """An industrial vacancy report, as PUT /api/v1/jobs/{id}/industrial-vacancy takes it."""

    title: Text
    employer: Employer
    position: Text
    job_function: UUID
    description: LongText | None = None
    workers_needed: Annotated[int, Field(ge=1, le=100_000)]
    valid_from: date
    valid_until: date
    age: AgeRange
    gender: Literal["male", "female", "any"]
    education_level: UUID
    skills: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]],
        Field(min_length=1, max_length=50),
    ]
    min_experience_years: Annotated[int, Field(ge=0, le=50)] = 0
    salary: SalaryRange
    work_location: WorkLocation
    employment_type: UUID
    status: Literal["open", "filled", "closed"] = "open"


# Where each model refers to reference data: (path, reference kind). Regions are objects.
COMPANY_REFERENCES = ((("industry",), "industries"),)
COMPANY_REGIONS = (("region",),)
VACANCY_REFERENCES = (
    (("job_function",), "job-functions"),
    (("education_level",), "education-levels"),
    (("employment_type",), "employment-types"),
    (("employer", "industry"), "industries"),
)
VACANCY_REGIONS = (("employer", "region"), ("work_location", "region"))


def field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def parse_json(body: bytes) -> Any:
    """The body as JSON; 400 when it cannot be read at all."""
    if not body.strip():
        raise bad_request("a JSON body is required")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"the body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return jsonbody.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _get(payload: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(payload, Mapping):
            return None
        payload = payload.get(key)
    return payload


def _as_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(UUID(value))
    except ValueError:
        return None


def validate(
    model: type[ModelT],
    payload: Any,
    references: Mapping[str, Mapping[str, Any]],
    reference_paths: tuple[tuple[tuple[str, ...], str], ...],
    region_paths: tuple[tuple[str, ...], ...],
) -> ModelT:
    """The model, or a 422 listing every failing field."""
    if not isinstance(payload, dict):
        raise validation_error([{"field": "body", "message": "must be a JSON object"}])
    errors: list[dict[str, str]] = []
    parsed: ModelT | None = None
    try:
        parsed = model.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"field": field_path(e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
    flagged = {e["field"] for e in errors}

    def unknown(path: str, message: str) -> None:
        if path not in flagged:
            errors.append({"field": path, "message": message})

    for path, kind in reference_paths:
        ident = _as_uuid(_get(payload, path))
        if ident and ident not in references[kind]:
            unknown(".".join(path), f"no {kind} reference with id {ident}")
    for path in region_paths:
        region_type = _get(payload, (*path, "type"))
        ident = _as_uuid(_get(payload, (*path, "id")))
        region = references["regions"].get(ident) if ident else None
        if ident and region is None:
            unknown(".".join((*path, "id")), f"no region with id {ident}")
        elif (
            region is not None
            # a str check first: the body may hold a list or object here (unhashable); the model
            # validation above has already named that field
            and isinstance(region_type, str)
            and region_type in {"province", "city"} - {region["type"]}
        ):
            unknown(
                ".".join((*path, "id")),
                f"region {ident} is a {region['type']} ({region['name']}), not a {region_type}",
            )
    if isinstance(parsed, IndustrialVacancy):
        if parsed.valid_until < parsed.valid_from:
            errors.append({"field": "valid_until", "message": "must not be before valid_from"})
        if parsed.age.max < parsed.age.min:
            errors.append({"field": "age.max", "message": "must not be below age.min"})
        if parsed.salary.max < parsed.salary.min:
            errors.append({"field": "salary.max", "message": "must not be below salary.min"})
    if errors:
        raise validation_error(errors)
    assert parsed is not None
    return parsed

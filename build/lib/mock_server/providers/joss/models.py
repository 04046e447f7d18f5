"""JOSS state. Companies and vacancies keep the document as reported (JSON text) beside the
columns the lists filter on: the report is the resource, the columns only index it."""

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class JossClient(SQLModel, table=True):
    """Credentials issued by the Ministry of Manpower, one set per environment."""

    __tablename__ = "joss_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str = Field(max_length=256)
    environment: str = Field(max_length=16, description="staging or production")
    active: bool = True
    name: str = ""


class JossReference(SQLModel, table=True):
    """Reference data referred to by uuid: regions, industries, education levels, ..."""

    __tablename__ = "joss_reference"
    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(index=True, max_length=32)
    name: str
    type: str | None = Field(default=None, max_length=16, description="regions: province, city")
    parent_id: str | None = Field(default=None, max_length=36)


class JossCompany(SQLModel, table=True):
    __tablename__ = "joss_company"
    id: str = Field(primary_key=True, max_length=36, description="uuid chosen by the client")
    client_id: str = Field(index=True, max_length=128)
    name: str
    document: str = Field(sa_column=Column(Text, nullable=False))
    created_at: float
    updated_at: float


class JossVacancy(SQLModel, table=True):
    """An industrial vacancy report."""

    __tablename__ = "joss_vacancy"
    id: str = Field(primary_key=True, max_length=36, description="uuid chosen by the client")
    client_id: str = Field(index=True, max_length=128)
    employer_id: str = Field(index=True, max_length=36)
    status: str = Field(max_length=16)
    title: str
    document: str = Field(sa_column=Column(Text, nullable=False))
    created_at: float
    updated_at: float

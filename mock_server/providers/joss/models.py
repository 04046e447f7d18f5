"""JOSS state. Companies and vacancies keep the document as reported (JSON text) beside the
columns the lists filter on: the report is the resource, the columns only index it."""

from sqlalchemy import Boolean, Column, Float, String, Table, Text

from mock_server.core.db import METADATA

# Credentials issued by the Ministry of Manpower, one set per environment.
JossClient = Table(
    "joss_client",
    METADATA,
    Column("client_id", String(128), primary_key=True),
    Column("client_secret", String(256), nullable=False),
    Column("environment", String(16), nullable=False),  # staging or production
    Column("active", Boolean, nullable=False, default=True),
    Column("name", String, nullable=False, default=""),
)


# Reference data referred to by uuid: regions, industries, education levels, ...
JossReference = Table(
    "joss_reference",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("type", String(16)),  # regions: province, city
    Column("parent_id", String(36)),
)


JossCompany = Table(
    "joss_company",
    METADATA,
    Column("id", String(36), primary_key=True),  # uuid chosen by the client
    Column("client_id", String(128), nullable=False, index=True),
    Column("name", String, nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)


# An industrial vacancy report.
JossVacancy = Table(
    "joss_vacancy",
    METADATA,
    Column("id", String(36), primary_key=True),  # uuid chosen by the client
    Column("client_id", String(128), nullable=False, index=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("title", String, nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

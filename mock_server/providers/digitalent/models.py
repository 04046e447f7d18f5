from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table, Text

from mock_server.core.db import METADATA

# A partner domain's credentials, as issued by the Digitalent Developer Console.
DigitalentClient = Table(
    "digitalent_client",
    METADATA,
    Column("client_id", String(128), primary_key=True),
    Column("client_secret", String(256), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("name", String, nullable=False, default=""),
)


Akademi = Table(
    "digitalent_akademi",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("slug", String(16), nullable=False, unique=True),
    Column("nama", String, nullable=False),
    Column("deskripsi", Text, nullable=False),
)


Tema = Table(
    "digitalent_tema",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("akademi_id", Integer, ForeignKey("digitalent_akademi.id"), nullable=False, index=True),
    Column("nama", String, nullable=False),
)


# A training. Dates are unix seconds; its status follows the sandbox clock.
Pelatihan = Table(
    "digitalent_pelatihan",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("akademi_id", Integer, ForeignKey("digitalent_akademi.id"), nullable=False, index=True),
    Column("tema_id", Integer, ForeignKey("digitalent_tema.id"), nullable=False, index=True),
    Column("nama", String, nullable=False),
    Column("deskripsi", Text, nullable=False),
    Column("mitra", String, nullable=False),
    Column("level", String, nullable=False),
    Column("metode", String(8), nullable=False),  # online or offline
    Column("kota", String),
    Column("provinsi", String),
    Column("alamat", String),
    Column("kuota", Integer, nullable=False),
    Column("jumlah_jp", Integer, nullable=False),  # jam pelajaran (lesson hours)
    Column("pendaftaran_mulai", Float, nullable=False, index=True),
    Column("pendaftaran_selesai", Float, nullable=False),
    Column("pelatihan_mulai", Float, nullable=False),
    Column("pelatihan_selesai", Float, nullable=False),
)

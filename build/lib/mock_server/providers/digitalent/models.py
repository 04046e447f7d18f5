from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class DigitalentClient(SQLModel, table=True):
    """A partner domain's credentials, as issued by the Digitalent Developer Console."""

    __tablename__ = "digitalent_client"
    client_id: str = Field(primary_key=True, max_length=128)
    client_secret: str = Field(max_length=256)
    active: bool = True
    name: str = ""


class Akademi(SQLModel, table=True):
    __tablename__ = "digitalent_akademi"
    id: int = Field(primary_key=True)
    slug: str = Field(unique=True, max_length=16)
    nama: str
    deskripsi: str = Field(sa_column=Column(Text, nullable=False))


class Tema(SQLModel, table=True):
    __tablename__ = "digitalent_tema"
    id: int = Field(primary_key=True)
    akademi_id: int = Field(foreign_key="digitalent_akademi.id", index=True)
    nama: str


class Pelatihan(SQLModel, table=True):
    """A training. Dates are unix seconds; its status follows the sandbox clock."""

    __tablename__ = "digitalent_pelatihan"
    id: int = Field(primary_key=True)
    akademi_id: int = Field(foreign_key="digitalent_akademi.id", index=True)
    tema_id: int = Field(foreign_key="digitalent_tema.id", index=True)
    nama: str
    deskripsi: str = Field(sa_column=Column(Text, nullable=False))
    mitra: str
    level: str
    metode: str = Field(max_length=8, description="online or offline")
    kota: str | None = None
    provinsi: str | None = None
    alamat: str | None = None
    kuota: int
    jumlah_jp: int = Field(description="jam pelajaran (lesson hours)")
    pendaftaran_mulai: float = Field(index=True)
    pendaftaran_selesai: float
    pelatihan_mulai: float
    pelatihan_selesai: float

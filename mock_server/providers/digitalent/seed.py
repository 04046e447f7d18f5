"""Digitalent demo data: the real academies and themes from the fixture, Faker-made trainings.

Dates are laid out around the day of seeding (midnight WIB), so every status (coming soon, open,
closed, running, finished) has trainings whenever the sandbox is reset.
"""

import json
from datetime import datetime, time
from importlib import resources
from typing import Any

from mock_server.core.clock import WIB
from mock_server.core.provider import SeedContext
from mock_server.providers.digitalent.models import (
    Akademi,
    DigitalentClient,
    Pelatihan,
    Tema,
)

DAY = 86_400


def load_fixture() -> dict[str, Any]:
    text = resources.files("mock_server.fixtures").joinpath("digitalent.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def seed(ctx: SeedContext) -> None:
    data = load_fixture()
    fake, conn = ctx.fake, ctx.conn
    conn.execute(DigitalentClient.insert(), data["clients"])

    akademi_rows, tema_rows, pelatihan_rows = [], [], []
    anchor = datetime.combine(ctx.now.astimezone(WIB).date(), time(0), WIB).timestamp()
    tema_id = pelatihan_id = 0
    for akademi in data["akademi"]:
        akademi_rows.append({k: akademi[k] for k in ("id", "slug", "nama", "deskripsi")})
        for tema in akademi["tema"]:
            tema_id += 1
            tema_rows.append({"id": tema_id, "akademi_id": akademi["id"], "nama": tema})
            for _ in range(data["pelatihan_per_tema"]):
                pelatihan_id += 1
                pelatihan_rows.append(
                    _pelatihan(fake, data, pelatihan_id, akademi, tema_id, tema, anchor)
                )
    conn.execute(Akademi.insert(), akademi_rows)
    conn.execute(Tema.insert(), tema_rows)
    conn.execute(Pelatihan.insert(), pelatihan_rows)


def _pelatihan(
    fake: Any,
    data: dict[str, Any],
    pelatihan_id: int,
    akademi: dict[str, Any],
    tema_id: int,
    tema: str,
    anchor: float,
) -> dict[str, Any]:
    nama = fake.random_element(data["judul"]).format(tema=tema)
    level = fake.random_element(data["level"])
    metode = fake.random_element(["online", "online", "offline"])
    mitra = fake.company()
    jumlah_jp = fake.random_element([24, 32, 40, 48, 64, 80])
    # Registration opens between 90 days ago and 30 days ahead, runs 2-3 weeks, then a gap
    # before a training of 1-6 weeks: this spread covers every status on the day of seeding.
    pendaftaran_mulai = anchor + fake.random_int(-90, 30) * DAY
    pendaftaran_selesai = pendaftaran_mulai + fake.random_int(14, 21) * DAY - 1
    pelatihan_mulai = pendaftaran_selesai + 1 + fake.random_int(3, 10) * DAY
    pelatihan_selesai = pelatihan_mulai + fake.random_int(7, 42) * DAY - 1
    kota = provinsi = alamat = None
    if metode == "offline":
        kota, provinsi = fake.random_element(data["lokasi"])
        alamat = f"{fake.street_address()}, {kota}"
    deskripsi = (
        f"Pelatihan {nama} tingkat {level.lower()} dari {akademi['nama']} ({akademi['slug']}) "
        f"diselenggarakan bersama {mitra}. Peserta mempelajari {tema} selama {jumlah_jp} jam "
        f"pelajaran secara {'daring' if metode == 'online' else 'luring di ' + str(kota)}, "
        "dan yang lulus mendapat sertifikat kompetensi."
    )
    return {
        "id": pelatihan_id,
        "akademi_id": akademi["id"],
        "tema_id": tema_id,
        "nama": nama,
        "deskripsi": deskripsi,
        "mitra": mitra,
        "level": level,
        "metode": metode,
        "kota": kota,
        "provinsi": provinsi,
        "alamat": alamat,
        "kuota": fake.random_element([30, 50, 100, 150, 200, 300, 500]),
        "jumlah_jp": jumlah_jp,
        "pendaftaran_mulai": pendaftaran_mulai,
        "pendaftaran_selesai": pendaftaran_selesai,
        "pelatihan_mulai": pelatihan_mulai,
        "pelatihan_selesai": pelatihan_selesai,
    }

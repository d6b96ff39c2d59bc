"""The documented backup and restore (scripts/backup, scripts/restore) on real PostgreSQL."""

import os
import pathlib
import subprocess
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from casework import services
from tests.factories import CaseFactory

ROOT = pathlib.Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_restores_into_an_empty_database_with_everything_intact(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are for PostgreSQL")
    case = CaseFactory()
    services.contact_create(case=case, by=None, channel="phone", duration_minutes=12, note="Notiz")
    document = services.document_upload(
        case=case, by=None, title="Bescheid", file=ContentFile(b"%PDF-1.4 Inhalt", name="bescheid.pdf")
    )
    counts = {
        table: _count(connection.cursor(), table)
        for table in ("casework_case", "casework_contact", "casework_document", "casework_client")
    }

    source_url = database_url(connection.settings_dict["NAME"])
    backup_dir = tmp_path / "backup"
    result = run(
        "backup",
        str(backup_dir),
        env={"DATABASE_URL": source_url, "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert {p.name for p in backup_dir.iterdir()} == {"database.dump", "private_media.tar.gz", "SHA256SUMS"}

    target_name = f"kim_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    restored_media = tmp_path / "media"
    try:
        target_url = database_url(target_name)
        env = {"DATABASE_URL": target_url, "PRIVATE_MEDIA_ROOT": str(restored_media)}
        result = run("restore", str(backup_dir), env=env)
        assert result.returncode == 0, result.stderr
        with psycopg2.connect(target_url) as restored:
            cursor = restored.cursor()
            assert {table: _count(cursor, table) for table in counts} == counts
            cursor.execute("select reference from casework_case where id = %s", [case.pk])
            assert cursor.fetchone()[0] == case.reference
            cursor.execute("select file from casework_document where id = %s", [document.pk])
            assert (restored_media / cursor.fetchone()[0]).read_bytes() == b"%PDF-1.4 Inhalt"
        restored.close()
        # A second restore into the now non-empty database is refused.
        again = run("restore", str(backup_dir), env=env)
        assert again.returncode == 3
        assert "not empty" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def _count(cursor, table: str) -> int:
    cursor.execute(f"select count(*) from {table}")
    return cursor.fetchone()[0]

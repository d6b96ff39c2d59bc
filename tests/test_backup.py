"""The documented backup and restore (scripts/backup, scripts/restore) on real PostgreSQL."""

import os
import pathlib
import shutil
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
        assert "Bitte legen Sie eine neue, leere Datenbank an" in again.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def _count(cursor, table: str) -> int:
    cursor.execute(f"select count(*) from {table}")
    return cursor.fetchone()[0]


def test_a_damaged_dump_restores_nothing_and_the_retry_works(tmp_path):
    """A dump that passes its checksums but breaks half way (written damaged, checksummed after):
    pg_restore stops in its one transaction, no table and no document is left behind, the
    script says in German what to do, and a restore of a good backup into the same database
    then works without any cleaning up."""
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore are for PostgreSQL")
    case = CaseFactory()
    services.document_upload(
        case=case, by=None, title="Bescheid", file=ContentFile(b"%PDF-1.4 Inhalt", name="bescheid.pdf")
    )
    source = {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
    }
    good = tmp_path / "good"
    assert run("backup", str(good), env=source).returncode == 0
    damaged = tmp_path / "damaged"
    shutil.copytree(good, damaged)
    dump = damaged / "database.dump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size * 2 // 3])
    subprocess.run(
        "sha256sum database.dump private_media.tar.gz > SHA256SUMS", shell=True, cwd=damaged, check=True
    )

    target_name = f"kim_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target_name}"')
    restored_media = tmp_path / "media"
    try:
        env = {"DATABASE_URL": database_url(target_name), "PRIVATE_MEDIA_ROOT": str(restored_media)}
        result = run("restore", str(damaged), env=env)
        assert result.returncode == 5, result.stderr
        assert "Es wurde nichts wiederhergestellt" in result.stderr
        assert "erneut starten" in result.stderr
        with psycopg2.connect(env["DATABASE_URL"]) as target:
            cursor = target.cursor()
            cursor.execute("select count(*) from information_schema.tables where table_schema = 'public'")
            assert cursor.fetchone()[0] == 0
        target.close()
        assert not restored_media.exists() or not any(restored_media.iterdir())
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kim-restore-")]

        retry = run("restore", str(good), env=env)
        assert retry.returncode == 0, retry.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')


def test_a_changed_backup_is_refused_by_its_checksums(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"dump")
    (tmp_path / "private_media.tar.gz").write_bytes(b"tar")
    subprocess.run(
        "sha256sum database.dump private_media.tar.gz > SHA256SUMS", shell=True, cwd=tmp_path, check=True
    )
    (tmp_path / "database.dump").write_bytes(b"dumq")
    result = run("restore", str(tmp_path), env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    assert result.returncode == 6
    assert "Die Sicherung ist beschädigt" in result.stderr


@pytest.mark.parametrize(("script", "tools"), [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_the_scripts_refuse_to_start_without_their_tools(tmp_path, script, tools):
    """A PATH with the shell's basics but without the PostgreSQL client programs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in (
        "bash",
        "dirname",
        "mkdir",
        "chmod",
        "ls",
        "tar",
        "gzip",
        "sha256sum",
        "mktemp",
        "find",
        "mv",
        "rm",
    ):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    result = subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "scripts" / script), str(tmp_path / "target")],
        env={"PATH": str(bin_dir), "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 4
    assert f"Es fehlt: {tools}" in result.stderr
    assert "apt-get install postgresql-client" in result.stderr
    assert not (tmp_path / "target").exists()

import io

import pytest
from django.core.management import CommandError, call_command

from casework.models import Actor, Client

pytestmark = pytest.mark.django_db

DOCS = "docs/import/"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_actors_is_a_dry_run_by_default(district):
    out, err = run("import_actors", DOCS + "akteure-beispiel.csv", "--district", "05558")
    assert "Zeile 2 [A-01]: neu" in out and "Probelauf" in out
    assert "100 %" in err and "\r" in err  # the progress bar
    assert not Actor.objects.filter(external_id="A-01").exists()


def test_import_actors_with_commit_writes_and_a_second_run_changes_nothing(district):
    run("import_actors", DOCS + "akteure-beispiel.csv", "--district", "05558", "--commit")
    assert Actor.objects.filter(district=district, external_id__startswith="A-").count() == 3
    out, _err = run("import_actors", DOCS + "akteure-beispiel.csv", "--district", "05558", "--commit")
    assert "0 neu, 0 geändert, 4 unverändert, 0 abgelehnt" in out


def test_import_clients_needs_a_coordinator(nord_coordinator, case_manager):
    with pytest.raises(CommandError, match="darf nicht importieren"):
        run("import_clients", DOCS + "klientinnen-beispiel.csv", "--user", case_manager.username)
    run("import_clients", DOCS + "klientinnen-beispiel.csv", "--user", nord_coordinator.username, "--commit")
    assert Client.objects.filter(external_id__startswith="K-").count() == 4


def test_rejected_rows_fail_the_command_and_write_nothing(tmp_path, nord_coordinator):
    path = tmp_path / "k.csv"
    path.write_text("externe_id;vorname;nachname;kommune\r\nK-1;A;B;Atlantis\r\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nichts importiert"):
        run("import_clients", str(path), "--user", nord_coordinator.username, "--commit")
    assert not Client.objects.filter(external_id="K-1").exists()


def test_unreadable_file_fails_with_the_reason(tmp_path, district):
    path = tmp_path / "a.csv"
    path.write_text("externe_id|name|art|kommunen\r\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Trennzeichen"):
        run("import_actors", str(path), "--district", "05558")

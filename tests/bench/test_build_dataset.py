"""The benchmark data set builder (bench/build_dataset.py) at a tiny scale."""

import io
import json

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Q

from accounts.models import User
from casework.models import Case, Client, Contact, legal_framework_bits
from casework.names import search_key
from casework.references import format_reference

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = 20


@pytest.fixture
def built(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "bench/build_dataset.py generates its rows with PostgreSQL SQL; this database is not PostgreSQL"
        )
    from bench import build_dataset

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY tablename, indexname",
            [list(build_dataset.LOADED_TABLES)],
        )
        indexes_before = cursor.fetchall()
    path = tmp_path / "dataset.json"
    info = build_dataset.build(0.001, stdout=io.StringIO(), info_path=path)
    return build_dataset, info, indexes_before, path


def test_counts_and_info_file(built):
    build_dataset, info, _before, path = built
    assert json.loads(path.read_text()) == info
    plan = build_dataset.Plan(0.001)
    assert Case.objects.count() == info["counts"]["casework_case"] == 1000
    assert Client.objects.count() == 1500
    assert info["counts"]["audit_auditentry"] == 20_000
    assert 8_000 <= Contact.objects.count() <= 12_000
    assert info["counts"]["casework_actor"] == 51 * plan.actors_per_district
    assert Case.objects.filter(district__key="05558").count() == plan.coesfeld_cases == info["coesfeld_cases"]
    # ~8 % household cases, each with its household and no client.
    households = Case.objects.filter(household__isnull=False)
    assert 40 <= households.count() <= 130
    assert not households.filter(client__isnull=False).exists()


def test_contacts_and_referrals_are_dated_while_their_case_is_open(built):
    from casework.models import Referral

    for model, field in ((Contact, "contacted_on"), (Referral, "referred_on")):
        outside = model.objects.filter(
            Q(**{f"{field}__lt": F("case__opened_on")}) | Q(**{f"{field}__gt": F("case__closed_on")})
        )
        assert model.objects.exists(), model  # there are entries to check
        assert not outside.exists(), model


def test_cases_are_plausible(built):
    _module, info, _before, _path = built
    assert Case.objects.values("reference").distinct().count() == Case.objects.count()
    assert not Case.objects.filter(closed_on__lt=F("opened_on")).exists()
    for case in Case.objects.select_related("district").order_by("?")[:SAMPLE]:
        assert case.reference == format_reference(case.district, case.year, case.sequence)
        assert case.year == case.opened_on.year
        assert case.municipality.region.district_id == case.district_id
        if hasattr(case, "search_name"):
            expected = case.client.search_key if case.client_id else search_key(case.household.name)
            assert case.search_name == expected
        # The bits the case list filters on are those of the case's links.
        assert case.legal_framework_bits == legal_framework_bits(
            case.legal_frameworks.values_list("bit", flat=True)
        )
        assert case.legal_framework_bits != 0
    # Sequences run from 1 without gaps per district and year.
    for row in Case.objects.values("district", "year").annotate(
        n=Count("id"), distinct=Count("sequence", distinct=True), top=Max("sequence")
    ):
        assert row["n"] == row["distinct"] == row["top"]
    # The case manager of a case works in its district.
    assert (
        not Case.objects.filter(case_manager__isnull=False)
        .exclude(case_manager__district=F("district"))
        .exists()
    )


def test_benchmark_users_and_designated_case(built):
    _module, info, _before, _path = built
    cm = User.objects.get(username="bench.cm")
    koord = User.objects.get(username="bench.koord")
    admin = User.objects.get(username="bench.admin")
    assert admin.is_superuser and admin.is_staff
    assert not cm.has_usable_password()
    designated = Case.objects.get(pk=info["designated_case"]["pk"])
    assert designated.reference == info["designated_case"]["reference"]
    assert designated.case_manager == cm
    assert not designated.is_closed
    assert designated.district.key == "05558"
    assert designated.contacts.count() == 200
    assert Case.objects.open().filter(case_manager=cm).count() == info["bench_cm_open_cases"]
    assert Case.objects.filter(case_manager=cm, phase="closed").count() == info["bench_cm_closed_cases"]
    assert cm.follow_ups.filter(done_at__isnull=True).exists()
    coesfeld = Case.objects.filter(district__key="05558").count()
    assert Case.objects.visible_to(koord).count() == coesfeld
    assert cm.regions.count() == koord.regions.count() == 3


def test_sampled_rows_pass_full_clean(built):
    # Nothing is excluded: the generated rows satisfy every field validator, clean() and
    # constraint (CaseEntry.clean only checks closed cases for new entries, not for stored ones).
    for model in (Case, Client, Contact):
        for obj in model.objects.order_by("?")[:SAMPLE]:
            obj.full_clean()


def test_index_set_is_unchanged(built):
    build_dataset, _info, before, _path = built
    assert before
    assert build_dataset.index_state() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'bench_stage%%'")
        assert cursor.fetchone()[0] == 0


def test_refuses_to_build_twice(built):
    build_dataset, _info, _before, _path = built
    with pytest.raises(RuntimeError, match="--reset"):
        build_dataset.build(0.001, stdout=io.StringIO(), info_path=None)

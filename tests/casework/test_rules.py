"""Rules defined once and used in several places: each form of a rule agrees with the others."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from casework import references, services
from casework.models import Consent, FollowUp, overdue_q, overdue_sql
from kim.sql import fetch_all
from regions.models import District
from tests.factories import CaseFactory

TODAY = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due_on", "done", "overdue"),
    [
        (TODAY - DAY, False, True),
        (TODAY, False, False),  # due today is not overdue yet
        (TODAY + DAY, False, False),
        (TODAY - DAY, True, False),  # done is never overdue
    ],
)
def test_overdue_is_one_rule_in_python_the_orm_and_sql(due_on, done, overdue):
    follow_up = FollowUp.objects.create(
        case=CaseFactory(), title="Termin", due_on=due_on, done_at=timezone.now() if done else None
    )
    assert follow_up.is_overdue(TODAY) is overdue
    assert FollowUp.objects.filter(pk=follow_up.pk).overdue(TODAY).exists() is overdue
    assert FollowUp.objects.filter(overdue_q(TODAY), pk=follow_up.pk).exists() is overdue
    table = FollowUp._meta.db_table
    sql = f"SELECT id FROM {table} f WHERE f.id = %s AND {overdue_sql('f')}"
    rows = fetch_all(sql, [follow_up.pk, TODAY])
    assert bool(rows) is overdue


def _listed(admin_client, model, params) -> set[int]:
    url = reverse(f"admin:casework_{model._meta.model_name}_changelist")
    response = admin_client.get(url, params)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_the_admin_filters_overdue_follow_ups_by_the_rule(admin_client):
    today = timezone.localdate()
    case = CaseFactory(opened_on=today - dt.timedelta(days=30))
    late = FollowUp.objects.create(case=case, title="spät", due_on=today - DAY)
    due_today = FollowUp.objects.create(case=case, title="heute", due_on=today)
    FollowUp.objects.create(case=case, title="erledigt", due_on=today - DAY, done_at=timezone.now())
    assert _listed(admin_client, FollowUp, {"stand": "overdue"}) == {late.pk}
    assert due_today.pk in _listed(admin_client, FollowUp, {"stand": "open"})


def test_the_admin_filters_consents_valid_today_by_the_rule(admin_client):
    today = timezone.localdate()
    case = CaseFactory(opened_on=today - dt.timedelta(days=30))
    given = {"case": case, "by": None, "purpose": "Abstimmung", "actors": [], "data_categories": []}
    valid = services.consent_create(given_on=today - DAY, **given)
    withdrawn = services.consent_create(given_on=today - 5 * DAY, withdrawn_on=today, **given)
    expired = services.consent_create(given_on=today - 5 * DAY, valid_until=today - DAY, **given)
    assert _listed(admin_client, Consent, {"gueltig": "yes"}) == {valid.pk}
    assert _listed(admin_client, Consent, {"gueltig": "no"}) == {withdrawn.pk, expired.pk}


# --- The Aktenzeichen ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["C", "COE", "ABCD"])
def test_a_reference_is_formatted_read_and_searched_by_one_definition(code):
    district = District(code=code)
    reference = references.format_reference(district, 2026, 42)
    assert reference == f"{code}-2026-00042"
    assert references.normalise_reference(f" {code.lower()}-2026-42 ") == reference
    assert references.COMPLETE_REFERENCE_PATTERN.match(reference)
    assert references.REFERENCE_START_PATTERN.match(reference[:-2])
    assert not references.COMPLETE_REFERENCE_PATTERN.match(reference[:-2])


@pytest.mark.parametrize("term", ["Yılmaz", "COE-26-1", "COE-2026-123456", "ABCDE-2026-00001", ""])
def test_what_is_not_a_reference_is_not_read_as_one(term):
    assert references.normalise_reference(term) is None
    assert not references.COMPLETE_REFERENCE_PATTERN.match(term)


@pytest.mark.django_db
def test_reference_sql_builds_what_format_reference_builds():
    if connection.vendor != "postgresql":
        pytest.skip("reference_sql is PostgreSQL (lpad); the data builder runs only there")
    expression = references.reference_sql("%s", "%s", "%s")
    assert fetch_all(f"SELECT {expression}", ["COE", 2026, 42]) == [("COE-2026-00042",)]

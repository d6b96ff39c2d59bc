"""Deletion is safe: what is still in use is deactivated, not deleted; a deletion lists what goes too."""

import pytest
from django.urls import reverse

from casework import services
from casework.models import Actor, LegalFramework, Topic
from tests.factories import ActorFactory, CaseFactory, topic

pytestmark = pytest.mark.django_db

STILL_IN_USE = "Einträge, die noch verwendet werden, können nicht gelöscht werden"


def test_a_topic_in_use_cannot_be_deleted_and_deactivation_is_offered(admin_client):
    case = CaseFactory()
    used = topic("Sprache")
    services.goal_create(case=case, by=None, title="Deutschkurs", topic=used)
    url = reverse("admin:casework_topic_delete", args=[used.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert STILL_IN_USE in html
    assert "Deutschkurs" in html  # the goal that still uses it
    assert admin_client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert Topic.objects.filter(pk=used.pk).exists()


def test_an_actor_with_referrals_cannot_be_deleted(admin_client):
    actor = ActorFactory()
    case = CaseFactory()
    services.referral_create(case=case, by=None, actor=actor, status="planned", referred_on=case.opened_on)
    response = admin_client.post(
        reverse("admin:casework_actor_changelist"),
        {"action": "delete_selected", "_selected_action": [actor.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert STILL_IN_USE in response.content.decode()
    assert Actor.objects.filter(pk=actor.pk).exists()


def test_a_legal_framework_in_use_cannot_be_deleted_but_an_unused_one_can(admin_client):
    used = LegalFramework.objects.order_by("pk").first()
    unused = LegalFramework.objects.create(code="neu", name="Neues Gesetz")
    case = CaseFactory(legal_frameworks=[used])
    url = reverse("admin:casework_legalframework_delete", args=[used.pk])
    page = admin_client.get(url)
    assert STILL_IN_USE in page.content.decode()
    assert f"{used.name} – eingetragen bei Fällen: 1, bei Klient/innen: 0" in page.content.decode()
    assert admin_client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert list(case.legal_frameworks.all()) == [used]

    response = admin_client.post(
        reverse("admin:casework_legalframework_delete", args=[unused.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not LegalFramework.objects.filter(pk=unused.pk).exists()


def test_deleting_a_case_asks_first_and_lists_what_goes_with_it(admin_client):
    case = CaseFactory()
    services.contact_create(
        case=case, by=None, channel="phone", duration_minutes=10, contacted_on=case.opened_on
    )
    page = admin_client.get(reverse("admin:casework_case_delete", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kontakt" in html and "Phasenwechsel" in html

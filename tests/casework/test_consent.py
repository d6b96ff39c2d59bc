"""Consent: which referrals may pass data to an actor, withdrawal, the case alert and the
printable consent form (casework/consent.py and the case page)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT, STATISTICS
from casework import consent as rules
from casework import selectors, services
from casework.forms.cases import ReferralForm
from casework.lifecycle import Phase
from casework.models import Consent, DataCategory, Referral, ReferralStatus
from regions.models import Municipality
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, HouseholdFactory, closure_reason

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
LEGAL_BASIS = "§ 69 Abs. 1 Nr. 1 SGB X (Erfüllung einer gesetzlichen Aufgabe)"


def in_municipality(name: str, **kwargs):
    return CaseFactory(client=ClientFactory(municipality=Municipality.objects.get(name=name)), **kwargs)


@pytest.fixture
def case(case_manager):
    return CaseFactory(
        case_manager=case_manager,
        opened_on=TODAY - dt.timedelta(days=400),
        client=ClientFactory(
            first_name="Samira",
            last_name="Haddad",
            date_of_birth=dt.date(1988, 4, 12),
            municipality=Municipality.objects.get(name="Coesfeld"),
        ),
    )


@pytest.fixture
def jmd():
    return ActorFactory(
        name="Jugendmigrationsdienst Coesfeld",
        street="Marktplatz 3",
        postal_code="48653",
        city="Coesfeld",
        phone="02541 12345",
    )


@pytest.fixture
def caritas():
    return ActorFactory(name="Caritas Coesfeld")


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


def give_consent(case, actors, *, given_on=TODAY - dt.timedelta(days=10), **fields):
    fields.setdefault("purpose", "Abstimmung der Unterstützung beim Spracherwerb")
    return services.consent_create(
        case=case,
        by=None,
        actors=actors,
        data_categories=DataCategory.objects.all()[:2],
        given_on=given_on,
        **fields,
    )


def refer(case, actor, **fields):
    return services.referral_create(case=case, by=None, actor=actor, **fields)


def post_referral(web, case, actor, **fields):
    data = {
        "referral-actor": actor.pk,
        "referral-referred_on": TODAY.isoformat(),
        "referral-status": ReferralStatus.REFERRED,
    }
    data.update({f"referral-{name}": value for name, value in fields.items()})
    return web.post(reverse("cases:add_referral", args=[case.pk]), data)


# --- The rule: consent or legal basis -----------------------------------------------------


def test_it_refuses_a_referral_without_consent_or_legal_basis(case, jmd):
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd)
    errors = excinfo.value.message_dict
    assert "Jugendmigrationsdienst Coesfeld" in errors["consent"][0]
    assert "Rechtsgrundlage" in errors["legal_basis"][0]
    assert not Referral.objects.exists()


def test_the_case_page_shows_the_error_at_the_form_and_writes_nothing(cm_client, case, jmd):
    response = post_referral(cm_client, case, jmd)
    assert response.status_code == 200
    form = response.context["referral_form"]
    assert form.errors["consent"] and form.errors["legal_basis"]
    content = response.content.decode()
    assert "Einwilligung, die diese Stelle abdeckt" in content
    assert not Referral.objects.exists()


def test_a_valid_consent_covering_the_actor_allows_the_referral(case, jmd):
    consent = give_consent(case, [jmd])
    referral = refer(case, jmd, consent=consent)
    assert referral.consent == consent


def test_the_case_page_records_a_referral_with_a_covering_consent(cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    response = post_referral(cm_client, case, jmd, consent=consent.pk)
    assert response.status_code == 302
    assert Referral.objects.get().consent == consent


def test_a_consent_covering_another_actor_is_refused(cm_client, case, jmd, caritas):
    consent = give_consent(case, [caritas])
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, consent=consent)
    assert "nennt „Jugendmigrationsdienst Coesfeld“ nicht" in excinfo.value.message_dict["consent"][0]

    response = post_referral(cm_client, case, jmd, consent=consent.pk)
    assert response.status_code == 200
    assert "consent" in response.context["referral_form"].errors
    assert not Referral.objects.exists()


def test_a_chosen_consent_must_fit_even_with_a_legal_basis(case, jmd, caritas):
    consent = give_consent(case, [caritas])
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, consent=consent, legal_basis=LEGAL_BASIS)
    assert set(excinfo.value.message_dict) == {"consent"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"valid_until": TODAY - DAY}, "nur bis"),
        ({"withdrawn_on": TODAY - DAY}, "widerrufen"),
        ({"withdrawn_on": TODAY}, "widerrufen"),
    ],
    ids=["expired", "withdrawn-yesterday", "withdrawn-today"],
)
def test_an_expired_or_withdrawn_consent_is_refused(case, jmd, fields, message):
    consent = give_consent(case, [jmd], given_on=TODAY - dt.timedelta(days=30), **fields)
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, consent=consent)
    assert message in excinfo.value.message_dict["consent"][0]
    assert not Referral.objects.exists()


def test_the_form_offers_no_expired_or_withdrawn_consent(cm_client, case, jmd):
    expired = give_consent(case, [jmd], valid_until=TODAY - DAY, given_on=TODAY - dt.timedelta(days=30))
    withdrawn = give_consent(case, [jmd], withdrawn_on=TODAY - DAY, given_on=TODAY - dt.timedelta(days=30))
    valid = give_consent(
        case, [jmd], purpose="Austausch mit dem JMD", valid_until=TODAY + dt.timedelta(days=90)
    )
    offered = list(ReferralForm(case=case).fields["consent"].queryset)
    assert offered == [valid]
    for consent in (expired, withdrawn):
        response = post_referral(cm_client, case, jmd, consent=consent.pk)
        assert "consent" in response.context["referral_form"].errors
    assert not Referral.objects.exists()


def test_the_consent_choice_shows_purpose_validity_and_actors(case, jmd):
    until = TODAY + dt.timedelta(days=90)
    give_consent(case, [jmd], purpose="Austausch mit dem JMD", valid_until=until)
    field = ReferralForm(case=case).fields["consent"]
    labels = [label for _, label in field.choices]
    assert any(
        "Austausch mit dem JMD" in str(label)
        and f"gültig bis {until:%d.%m.%Y}" in str(label)
        and "Jugendmigrationsdienst Coesfeld" in str(label)
        for label in labels
    )
    assert "Einwilligung, die diese Stelle abdeckt – oder eine Rechtsgrundlage angeben" in str(
        field.help_text
    )


def test_a_consent_of_another_case_is_refused(case, jmd):
    other = CaseFactory()
    consent = give_consent(other, [jmd])
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, consent=consent)
    assert "anderen Fall" in excinfo.value.message_dict["consent"][0]


def test_the_consent_must_be_valid_on_the_referral_date(case, jmd):
    consent = give_consent(case, [jmd], given_on=TODAY - dt.timedelta(days=5))
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, consent=consent, referred_on=TODAY - dt.timedelta(days=6))
    assert "erst am" in excinfo.value.message_dict["consent"][0]
    # A referral made while the consent was valid stays lawful after a later withdrawal.
    referral = refer(case, jmd, consent=consent, referred_on=TODAY - dt.timedelta(days=3))
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    referral.refresh_from_db()
    referral.full_clean()


def test_a_documented_legal_basis_allows_the_referral(cm_client, case, jmd):
    assert refer(case, jmd, legal_basis=LEGAL_BASIS).legal_basis == LEGAL_BASIS
    response = post_referral(cm_client, case, jmd, legal_basis=LEGAL_BASIS)
    assert response.status_code == 302
    assert Referral.objects.count() == 2


@pytest.mark.parametrize("legal_basis", ["Gesetz", "SGB X", "   §69   "])
def test_a_legal_basis_of_one_or_two_words_is_too_vague(case, jmd, legal_basis):
    with pytest.raises(ValidationError) as excinfo:
        refer(case, jmd, legal_basis=legal_basis)
    assert set(excinfo.value.message_dict) == {"legal_basis"}
    assert "genauer" in excinfo.value.message_dict["legal_basis"][0]


def test_a_planned_referral_needs_no_basis_until_it_is_made(case, jmd):
    referral = refer(case, jmd, status=ReferralStatus.PLANNED)
    assert referral.pk
    # Any other status means data went to the actor (the admin edits referrals this way).
    for status in (ReferralStatus.REFERRED, ReferralStatus.TAKEN_UP, ReferralStatus.DECLINED):
        referral.status = status
        with pytest.raises(ValidationError) as excinfo:
            referral.full_clean()
        assert "consent" in excinfo.value.message_dict
    referral.legal_basis = LEGAL_BASIS
    referral.full_clean()


def test_a_planned_referral_with_an_unfitting_consent_is_refused(case, jmd, caritas):
    consent = give_consent(case, [caritas])
    with pytest.raises(ValidationError):
        refer(case, jmd, status=ReferralStatus.PLANNED, consent=consent)


def test_the_admin_refuses_a_referral_without_basis_with_a_form_error(admin_client, case, jmd):
    response = admin_client.post(
        reverse("admin:casework_referral_add"),
        {"case": case.pk, "actor": jmd.pk, "referred_on": TODAY.isoformat(), "status": "referred"},
    )
    assert response.status_code == 200
    assert "consent" in response.context["adminform"].form.errors
    assert not Referral.objects.exists()


# --- The rule's parts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"valid_until": TODAY},
        {"valid_until": TODAY - DAY},
        {"withdrawn_on": TODAY},
        {"withdrawn_on": TODAY - DAY},
        {"given_on": TODAY},
    ],
)
def test_valid_on_q_agrees_with_is_valid_on(case, fields):
    fields = {"given_on": TODAY - dt.timedelta(days=10), **fields}
    consent = give_consent(case, [], **fields)
    in_query = Consent.objects.filter(rules.valid_on_q(TODAY), pk=consent.pk).exists()
    assert in_query == consent.is_valid_on(TODAY)


def test_consent_covers_actor_and_data_categories(case, jmd, caritas):
    health = DataCategory.objects.filter(is_special_category=True).first()
    ordinary = list(DataCategory.objects.filter(is_special_category=False)[:1])
    consent = services.consent_create(
        case=case, by=None, purpose="Zweck", given_on=TODAY, actors=[jmd], data_categories=ordinary
    )
    assert rules.consent_covers(consent, jmd)
    assert rules.consent_covers(consent, jmd, data_categories=ordinary)
    assert not rules.consent_covers(consent, caritas)
    assert not rules.consent_covers(consent, jmd, data_categories=[health])
    assert not rules.consent_covers(consent, jmd, on=TODAY - DAY)


# --- Withdrawal ---------------------------------------------------------------------------


def test_a_consent_is_withdrawn(case, jmd):
    consent = give_consent(case, [jmd])
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert not consent.is_valid_on(TODAY)
    assert list(ReferralForm(case=case).fields["consent"].queryset) == []


@pytest.mark.parametrize(
    ("on", "message"),
    [(TODAY - dt.timedelta(days=11), "nicht vor dem Datum"), (TODAY + DAY, "nicht in der Zukunft")],
    ids=["before-given", "in-future"],
)
def test_a_withdrawal_is_dated_between_consent_and_today(case, jmd, on, message):
    consent = give_consent(case, [jmd], given_on=TODAY - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as excinfo:
        services.consent_withdraw(consent=consent, by=None, on=on)
    assert message in excinfo.value.message_dict["withdrawn_on"][0]
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_consent_is_withdrawn_only_once(case, jmd):
    consent = give_consent(case, [jmd])
    services.consent_withdraw(consent=consent, by=None, on=TODAY - DAY)
    with pytest.raises(ValidationError) as excinfo:
        services.consent_withdraw(consent=consent, by=None, on=TODAY)
    assert "bereits" in excinfo.value.message_dict["withdrawn_on"][0]


def test_a_consent_can_be_withdrawn_on_a_closed_case(case, jmd):
    consent = give_consent(case, [jmd])
    services.case_change_phase(
        case=case, to_phase=Phase.CLOSED, by=None, closed_on=TODAY, closure_reason=closure_reason()
    )
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY


def test_the_case_page_withdraws_a_consent(cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    page = cm_client.get(case.get_absolute_url()).content.decode()
    url = reverse("cases:withdraw_consent", args=[case.pk, consent.pk])
    assert url in page and "Widerruf erfassen" in page
    response = cm_client.post(url, {"withdrawn_on": TODAY.isoformat()}, follow=True)
    assert "Widerruf gespeichert" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert url not in response.content.decode()  # nothing left to withdraw


def test_the_withdrawal_view_reports_errors_and_checks_access(client, cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    url = reverse("cases:withdraw_consent", args=[case.pk, consent.pk])
    response = cm_client.post(url, {"withdrawn_on": (TODAY + DAY).isoformat()}, follow=True)
    assert "nicht in der Zukunft" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None

    client.force_login(make_staff(CASE_MANAGEMENT))  # same region, not this case's manager
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 403
    client.force_login(make_staff(CASE_MANAGEMENT, region_names=("Süd",)))
    assert client.post(url, {"withdrawn_on": TODAY.isoformat()}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


# --- The case alert -----------------------------------------------------------------------


def alerts(case):
    return selectors.case_alerts(case, selectors.case_consents(case))


def test_the_case_alert_names_actors_without_consent_or_legal_basis(cm_client, case, jmd, caritas):
    consent = give_consent(case, [jmd], given_on=TODAY - dt.timedelta(days=100))
    refer(case, jmd, consent=consent, referred_on=TODAY - dt.timedelta(days=50))
    refer(case, caritas, legal_basis=LEGAL_BASIS, referred_on=TODAY - dt.timedelta(days=40))
    assert not [text for level, text in alerts(case) if level == "danger"]

    # The consent runs out: the exchange with the JMD is no longer covered.
    Consent.objects.filter(pk=consent.pk).update(valid_until=TODAY - DAY)
    danger = [text for level, text in alerts(case) if level == "danger"]
    assert len(danger) == 1
    assert "Jugendmigrationsdienst Coesfeld" in danger[0]
    assert "Caritas" not in danger[0]  # covered by the legal basis
    assert "Jugendmigrationsdienst Coesfeld" in cm_client.get(case.get_absolute_url()).content.decode()


def test_the_case_alert_ignores_old_planned_and_ended_referrals(case, jmd, caritas):
    consent = give_consent(case, [jmd, caritas], given_on=TODAY - dt.timedelta(days=399))
    refer(case, jmd, consent=consent, referred_on=TODAY - dt.timedelta(days=380))  # older than 12 months
    refer(case, caritas, consent=consent, status=ReferralStatus.DECLINED)
    refer(case, ActorFactory(), status=ReferralStatus.PLANNED)
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    assert not [text for level, text in alerts(case) if level == "danger"]


def test_a_closed_case_shows_no_consent_alert(case, jmd):
    consent = give_consent(case, [jmd])
    refer(case, jmd, consent=consent)
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    assert any(level == "danger" for level, _ in alerts(case))
    services.case_change_phase(
        case=case, to_phase=Phase.CLOSED, by=None, closed_on=TODAY, closure_reason=closure_reason()
    )
    assert alerts(case) == []


# --- The printable consent form -----------------------------------------------------------

INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def long_date(day: dt.date) -> str:
    """Leichte Sprache writes dates with the month's name."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize(
    ("sprache", "phrase", "date"),
    [
        ("de", "Art. 7 Abs. 3 DSGVO", lambda day: f"{day:%d.%m.%Y}"),
        ("leicht", "Ich habe dadurch keine Nachteile.", long_date),
    ],
)
def test_the_consent_form_renders_in_both_versions(cm_client, case, jmd, caritas, sprache, phrase, date):
    until = TODAY + dt.timedelta(days=365)
    consent = give_consent(case, [jmd, caritas], valid_until=until)
    url = reverse("cases:consent_form", args=[case.pk, consent.pk])
    response = cm_client.get(url, {"sprache": sprache})
    assert response.status_code == 200
    assert response.templates[0].name == f"casework/consent/form_{sprache}.html"
    content = response.content.decode()
    for text in (
        "Abstimmung der Unterstützung beim Spracherwerb",
        "Jugendmigrationsdienst Coesfeld",
        "Marktplatz 3",
        "Caritas Coesfeld",
        "Samira",
        "Haddad",
        date(dt.date(1988, 4, 12)),
        date(until),
        case.reference,
        "Clara Casemann",
        phrase,
        "css/print-consent.css",
    ):
        assert text in content, text
    assert not INLINE_STYLE.search(content)
    assert "<script>" not in content  # scripts only from files, for the CSP


def test_an_unknown_version_falls_back_to_german(cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    url = reverse("cases:consent_form", args=[case.pk, consent.pk])
    for sprache in ("xx", "../de", ""):
        response = cm_client.get(url, {"sprache": sprache})
        assert response.status_code == 200
        assert response.templates[0].name == "casework/consent/form_de.html"


@pytest.mark.parametrize("sprache", ["de", "leicht"])
def test_a_blank_form_lists_the_data_categories_to_tick(cm_client, case, sprache):
    response = cm_client.get(reverse("cases:blank_consent_form", args=[case.pk]), {"sprache": sprache})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Haddad" in content and 'class="checklist"' in content
    for category in DataCategory.objects.filter(is_active=True):
        assert category.name in content
    assert not INLINE_STYLE.search(content)


def test_a_household_case_leaves_name_and_birth_date_to_fill_in(cm_client, case_manager):
    household_case = CaseFactory(
        client=None, household=HouseholdFactory(name="Familie Yılmaz"), case_manager=case_manager
    )
    for sprache in ("de", "leicht"):
        response = cm_client.get(
            reverse("cases:blank_consent_form", args=[household_case.pk]), {"sprache": sprache}
        )
        assert response.status_code == 200
        assert "Familie Yılmaz" in response.content.decode()


def test_a_withdrawn_consent_prints_with_a_warning(cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    services.consent_withdraw(consent=consent, by=None, on=TODAY)
    response = cm_client.get(reverse("cases:consent_form", args=[case.pk, consent.pk]))
    assert "Bitte nicht mehr unterschreiben lassen" in response.content.decode()


def test_the_consent_form_is_scoped_like_the_case(client, cm_client, case, jmd):
    other_region = in_municipality("Olfen")
    foreign = give_consent(other_region, [jmd])
    assert cm_client.get(reverse("cases:consent_form", args=[other_region.pk, foreign.pk])).status_code == 404
    assert cm_client.get(reverse("cases:blank_consent_form", args=[other_region.pk])).status_code == 404
    # A consent of another case under this case's address is not found either.
    assert cm_client.get(reverse("cases:consent_form", args=[case.pk, foreign.pk])).status_code == 404
    mine = give_consent(case, [jmd])
    client.force_login(make_staff(STATISTICS))
    assert client.get(reverse("cases:consent_form", args=[case.pk, mine.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("cases:consent_form", args=[case.pk, mine.pk])).status_code == 302


def test_the_case_page_links_the_printable_forms(cm_client, case, jmd):
    consent = give_consent(case, [jmd])
    page = cm_client.get(case.get_absolute_url()).content.decode()
    url = reverse("cases:consent_form", args=[case.pk, consent.pk])
    assert f'href="{url}"' in page and f'href="{url}?sprache=leicht"' in page
    assert "Formular drucken" in page
    assert reverse("cases:blank_consent_form", args=[case.pk]) in page

"""A hand-built data set for the statistics, with dates around the turn from Q1 to Q2 2025.

Every test states the figures it expects as numbers; this module only builds the cases.
The table below is the whole data set, so the expected values can be checked by hand.

Süd (Lüdinghausen, Senden, Olfen, Ascheberg, Nordkirchen):
  S1 Syrien, born 17.05.1990, Lüdinghausen, opened 10.01.2025, now Clearing; SGB II + AufenthG
  S2 Deutschland, born 31.03.2007, Lüdinghausen, opened 31.03.2025 (last day of Q1),
     closed 01.04.2025 (first day of Q2), Ziele erreicht; SGB VIII
  S3 Ukraine, born 01.01.1960, Senden, opened 15.11.2024, closed 14.02.2025, Wegzug; no framework
  S4 no nationality, no date of birth, Olfen, opened 01.02.2025, now pausiert; SGB XII
  S5 household, Senden, opened 01.06.2024, now Umsetzung / Monitoring; SGB II
  S6 Afghanistan, born 01.04.1999, Lüdinghausen, opened 15.04.2025, Erstkontakt; AsylbLG
  S7 Irak, born 07.07.1985, Olfen, opened 10.01.2024, closed 31.12.2024, Sonstiger Grund; SGB II
  S8 Polen, born 01.06.2010, Ascheberg, opened 01.01.2025, closed 31.03.2025, Ziele erreicht; SGB II
  S9 USA, born 01.04.1960 (65 on the day after Q1), Nordkirchen, opened 15.03.2025, Erstkontakt; none
Nord (Coesfeld):
  N1 Türkei, opened 10.02.2025, Erstkontakt; SGB II
  N2 Syrien, opened 01.03.2025, closed 20.03.2025, Ziele erreicht
Mitte (Dülmen):
  M1 Deutschland, opened 05.01.2025, Erstkontakt

Contacts: S1 10.01. persönlich, 03.02. telefonisch, 31.03. telefonisch, 01.04. Video;
  S2 31.03. persönlich; S3 01.12.2024 telefonisch, 14.02. E-Mail; S5 20.01. aufsuchend;
  N1 10.02. persönlich.
Referrals: S1 15.01. Jobcenter (angenommen), 31.03. Beratungsstelle (vermittelt);
  S2 31.03. Beratungsstelle (abgelehnt); S5 02.04. Jobcenter (geplant); N1 11.02. Jobcenter (angenommen).
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from casework import services
from casework.lifecycle import Phase
from casework.models import ActorType, Channel, ClosureReason, LegalFramework, ReferralStatus
from regions.models import Municipality
from reporting.periods import Period
from reporting.scopes import Scope
from tests.factories import ActorFactory, CaseFactory, ClientFactory, HouseholdFactory, municipality

LEGAL_BASIS = "§ 69 Abs. 1 Nr. 1 SGB X"

Q1 = Period.quarter(2025, 1)
Q2 = Period.quarter(2025, 2)


def D(text: str) -> dt.date:  # a German date, as in the table above
    day, month, year = (int(part) for part in text.split("."))
    return dt.date(year, month, day)


def frameworks(*names: str) -> list[LegalFramework]:
    return list(LegalFramework.objects.filter(name__in=names))


def open_case(
    *, place: str, opened: str, nationality: str = "", born: str | None = None, lf=(), household=False
):
    where = municipality(place)
    if household:
        return CaseFactory(
            client=None,
            household=HouseholdFactory(municipality=where),
            municipality=where,
            opened_on=D(opened),
            legal_frameworks=frameworks(*lf),
        )
    client = ClientFactory(
        municipality=where, nationality=nationality, date_of_birth=D(born) if born else None
    )
    return CaseFactory(client=client, opened_on=D(opened), legal_frameworks=frameworks(*lf))


def move(case, *phases: str) -> None:
    for phase in phases:
        services.case_change_phase(case=case, to_phase=phase, by=None)


def close(case, on: str, reason: str) -> None:
    services.case_change_phase(
        case=case,
        to_phase=Phase.CLOSED,
        by=None,
        closed_on=D(on),
        closure_reason=ClosureReason.objects.get(name=reason),
    )


def contact(case, on: str, channel: str) -> None:
    services.contact_create(case=case, by=None, contacted_on=D(on), channel=channel, duration_minutes=30)


def refer(case, actor, on: str, status: str) -> None:
    services.referral_create(
        case=case, by=None, actor=actor, referred_on=D(on), status=status, legal_basis=LEGAL_BASIS
    )


def scope_of_regions(*names: str) -> Scope:
    places = Municipality.objects.filter(region__name__in=names).order_by("pk")
    (district_id,) = set(places.values_list("region__district_id", flat=True))
    return Scope("region", ", ".join(names), district_id, tuple(places.values_list("pk", flat=True)))


def scope_of_municipality(name: str) -> Scope:
    place = municipality(name)
    return Scope("kommune", name, place.region.district_id, (place.pk,))


@pytest.fixture
def dataset(db):
    jobcenter = ActorFactory(
        name="Jobcenter Kreis Coesfeld", actor_type=ActorType.objects.get(name="Jobcenter")
    )
    counselling = ActorFactory(
        name="Migrationsberatung", actor_type=ActorType.objects.get(name="Beratungsstelle")
    )

    s1 = open_case(place="Lüdinghausen", opened="10.01.2025", nationality="SY", born="17.05.1990",
                   lf=("SGB II", "AufenthG"))  # fmt: skip
    s2 = open_case(
        place="Lüdinghausen", opened="31.03.2025", nationality="DE", born="31.03.2007", lf=("SGB VIII",)
    )
    s3 = open_case(place="Senden", opened="15.11.2024", nationality="UA", born="01.01.1960")
    s4 = open_case(place="Olfen", opened="01.02.2025", lf=("SGB XII",))
    s5 = open_case(place="Senden", opened="01.06.2024", household=True, lf=("SGB II",))
    s6 = open_case(
        place="Lüdinghausen", opened="15.04.2025", nationality="AF", born="01.04.1999", lf=("AsylbLG",)
    )
    s7 = open_case(place="Olfen", opened="10.01.2024", nationality="IQ", born="07.07.1985", lf=("SGB II",))
    s8 = open_case(
        place="Ascheberg", opened="01.01.2025", nationality="PL", born="01.06.2010", lf=("SGB II",)
    )
    s9 = open_case(place="Nordkirchen", opened="15.03.2025", nationality="US", born="01.04.1960")
    n1 = open_case(place="Coesfeld", opened="10.02.2025", nationality="TR", born="01.01.1980", lf=("SGB II",))
    n2 = open_case(place="Coesfeld", opened="01.03.2025", nationality="SY", born="01.01.1995")
    m1 = open_case(place="Dülmen", opened="05.01.2025", nationality="DE", born="01.01.1970")

    # Contacts and referrals first: a closed case takes no new entries.
    contact(s1, "10.01.2025", Channel.IN_PERSON)
    contact(s1, "03.02.2025", Channel.PHONE)
    contact(s1, "31.03.2025", Channel.PHONE)
    contact(s1, "01.04.2025", Channel.VIDEO)
    contact(s2, "31.03.2025", Channel.IN_PERSON)
    contact(s3, "01.12.2024", Channel.PHONE)
    contact(s3, "14.02.2025", Channel.EMAIL)
    contact(s5, "20.01.2025", Channel.OUTREACH)
    contact(n1, "10.02.2025", Channel.IN_PERSON)
    refer(s1, jobcenter, "15.01.2025", ReferralStatus.TAKEN_UP)
    refer(s1, counselling, "31.03.2025", ReferralStatus.REFERRED)
    refer(s2, counselling, "31.03.2025", ReferralStatus.DECLINED)
    refer(s5, jobcenter, "02.04.2025", ReferralStatus.PLANNED)
    refer(n1, jobcenter, "11.02.2025", ReferralStatus.TAKEN_UP)

    move(s1, Phase.ASSESSMENT)
    close(s2, "01.04.2025", "Ziele erreicht")
    close(s3, "14.02.2025", "Wegzug aus dem Kreis")
    move(s4, Phase.PAUSED)
    move(s5, Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING)
    close(s7, "31.12.2024", "Sonstiger Grund")
    close(s8, "31.03.2025", "Ziele erreicht")
    close(n2, "20.03.2025", "Ziele erreicht")

    return SimpleNamespace(
        s1=s1, s2=s2, s3=s3, s4=s4, s5=s5, s6=s6, s7=s7, s8=s8, s9=s9, n1=n1, n2=n2, m1=m1,
        jobcenter=jobcenter, counselling=counselling,
    )  # fmt: skip


@pytest.fixture
def sued() -> Scope:
    return scope_of_regions("Süd")

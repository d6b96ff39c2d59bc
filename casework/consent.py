"""Consent (Einwilligung) and the basis for passing a client's data to an actor.

The rules, in one place:

- A consent is **valid on a day** when it was given on or before that day, has not
  been withdrawn on or before it and has not run out (`Consent.is_valid_on`;
  `models.valid_on_q` is the same rule for querysets, and a test keeps the two in step).
- A consent **covers** a transfer to an actor when it is valid on the day and names
  the actor among its receiving bodies (and, when data categories are asked about,
  names each of them). A consent is specific: "all actors" is never implied.
- A referral **passes data** to the actor in every status except "geplant": once a
  referral is made (vermittelt, angenommen, and also abgelehnt or abgebrochen, which
  only follow a referral that was made) the actor has learnt about the client. A
  planned referral has passed nothing yet, so it may be recorded without a basis;
  the basis is required as soon as it is saved with any other status.
- A referral that passes data needs either a consent **of the same case** that covers
  the actor on the referral date, or a **documented legal basis** entered by the case
  manager (the statute and the purpose in a few words, e.g. "§ 69 Abs. 1 Nr. 1 SGB X
  (Erfüllung einer gesetzlichen Aufgabe)").
- A referral names the data categories it passes on; a consent chosen for it must name
  each of them (`check_referral_categories`, run by `services.referral_create`, since the
  categories are links written after the row).
- A consent chosen for a referral must fit even when a legal basis is also given,
  and even for a planned referral: the record must never claim a consent that does
  not cover the transfer.
- On a case, the actors that referrals of the last 12 months (status vermittelt or
  angenommen, i.e. an ongoing exchange) went to must still be covered today, by a
  valid consent or by a legal basis documented on one of those referrals; otherwise
  the case page raises an alert naming them (`actors_without_basis`).

`check_referral_basis` is called from `Referral.clean()`, so every write path runs it:
`services.referral_create` (through `full_clean()`), the case page and the admin.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Actor, Case, Consent, DataCategory, Referral, ReferralStatus, valid_on_q

# A referral in these statuses has passed data to the actor (see the module docstring).
NO_DATA_PASSED_STATUSES = frozenset({ReferralStatus.PLANNED})
# Referrals in these statuses stand for an ongoing exchange with the actor.
ONGOING_REFERRAL_STATUSES = (ReferralStatus.REFERRED, ReferralStatus.TAKEN_UP)
# How far back the case page looks for referrals whose actor must still be covered.
RECENT_REFERRAL_DAYS = 365
# "A few words": enough to name a statute and its purpose, not just "Gesetz".
LEGAL_BASIS_MIN_WORDS = 3
LEGAL_BASIS_MIN_CHARS = 10
LEGAL_BASIS_EXAMPLE = "§ 69 Abs. 1 Nr. 1 SGB X (Erfüllung einer gesetzlichen Aufgabe)"

CONSENT_OF_OTHER_CASE = _("Diese Einwilligung gehört zu einem anderen Fall.")
CONSENT_NOT_YET_GIVEN = _(
    "Diese Einwilligung wurde erst am %(date)s erteilt, also nach dem Datum der Vermittlung."
)
CONSENT_WITHDRAWN = _(
    "Diese Einwilligung wurde am %(date)s widerrufen und deckt die Vermittlung nicht mehr ab."
)
CONSENT_EXPIRED = _("Diese Einwilligung war nur bis %(date)s gültig und deckt die Vermittlung nicht ab.")
CONSENT_NOT_FOR_ACTOR = _(
    "Diese Einwilligung nennt „%(actor)s“ nicht als empfangende Stelle. Bitte wählen Sie eine "
    "Einwilligung, die diese Stelle abdeckt, oder erfassen Sie eine neue."
)
NO_BASIS_FOR_TRANSFER = _(
    "Bei einer Vermittlung an „%(actor)s“ werden Daten übermittelt: Bitte wählen Sie eine gültige "
    "Einwilligung, die diese Stelle abdeckt – oder geben Sie eine Rechtsgrundlage an."
)
CONSENT_NOT_FOR_CATEGORIES = _(
    "Diese Einwilligung deckt die Weitergabe von „%(categories)s“ an „%(actor)s“ nicht ab. Bitte "
    "wählen Sie nur Datenkategorien, die die Einwilligung nennt, erfassen Sie eine neue "
    "Einwilligung – oder geben Sie ohne Einwilligung eine Rechtsgrundlage an."
)
LEGAL_BASIS_MISSING = _("Ohne passende Einwilligung ist hier eine Rechtsgrundlage nötig.")
LEGAL_BASIS_TOO_VAGUE = _(
    "Bitte geben Sie die Rechtsgrundlage genauer an – Vorschrift und Zweck, z. B. „%(example)s“."
)
ACTORS_WITHOUT_BASIS = _(
    "Keine gültige Einwilligung und keine Rechtsgrundlage für die Zusammenarbeit mit: %(actors)s. "
    "Bitte eine Einwilligung einholen oder die Rechtsgrundlage dokumentieren."
)


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def valid_consents(case: Case, on: dt.date | None = None) -> QuerySet[Consent]:
    """The consents of a case that are valid on the day (today by default)."""
    return Consent.objects.filter(valid_on_q(on), case=case)


def consent_covers(
    consent: Consent,
    actor: Actor,
    *,
    data_categories: Iterable[DataCategory] | None = None,
    on: dt.date | None = None,
) -> bool:
    """Whether the consent allows passing data (of these categories) to the actor on the day.

    Uses the consent's prefetched actors and data categories when there are any.
    """
    if not consent.is_valid_on(on):
        return False
    if actor.pk not in {a.pk for a in consent.actors.all()}:
        return False
    if data_categories is not None:
        allowed = {c.pk for c in consent.data_categories.all()}
        if any(category.pk not in allowed for category in data_categories):
            return False
    return True


def is_documented_legal_basis(text: str | None) -> bool:
    """A legal basis counts when it says something: a few words, not a single keyword."""
    text = " ".join((text or "").split())
    return len(text) >= LEGAL_BASIS_MIN_CHARS and len(text.split(" ")) >= LEGAL_BASIS_MIN_WORDS


def referral_passes_data(status: str) -> bool:
    return status not in NO_DATA_PASSED_STATUSES


def _consent_error(consent: Consent, *, case: Case, actor: Actor, on: dt.date) -> ValidationError | None:
    """Why the consent does not cover the transfer, or None when it does."""
    if consent.case_id != case.pk:
        return ValidationError(CONSENT_OF_OTHER_CASE, code="consent_of_other_case")
    if consent.given_on > on:
        return ValidationError(
            CONSENT_NOT_YET_GIVEN, code="consent_not_yet_given", params={"date": _date(consent.given_on)}
        )
    if consent.withdrawn_on and consent.withdrawn_on <= on:
        return ValidationError(
            CONSENT_WITHDRAWN, code="consent_withdrawn", params={"date": _date(consent.withdrawn_on)}
        )
    if consent.valid_until and consent.valid_until < on:
        return ValidationError(
            CONSENT_EXPIRED, code="consent_expired", params={"date": _date(consent.valid_until)}
        )
    if not consent_covers(consent, actor, on=on):
        return ValidationError(CONSENT_NOT_FOR_ACTOR, code="consent_not_for_actor", params={"actor": actor})
    return None


def check_referral_basis(
    *,
    case: Case,
    actor: Actor,
    consent: Consent | None,
    legal_basis: str,
    on: dt.date,
    status: str = ReferralStatus.REFERRED,
) -> None:
    """Refuse a referral that would pass data to the actor without a basis.

    `on` is the referral date: the consent must be valid then. Errors are raised on the
    field the case manager has to change (`consent` or `legal_basis`).
    """
    if consent is not None:
        error = _consent_error(consent, case=case, actor=actor, on=on)
        if error is not None:
            raise ValidationError({"consent": error})
        return
    if not referral_passes_data(status):
        return
    if is_documented_legal_basis(legal_basis):
        return
    example = {"example": LEGAL_BASIS_EXAMPLE}
    if (legal_basis or "").strip():
        raise ValidationError(
            {"legal_basis": ValidationError(LEGAL_BASIS_TOO_VAGUE, code="legal_basis_vague", params=example)}
        )
    raise ValidationError(
        {
            "consent": ValidationError(NO_BASIS_FOR_TRANSFER, code="no_basis", params={"actor": actor}),
            "legal_basis": ValidationError(LEGAL_BASIS_MISSING, code="legal_basis_missing"),
        }
    )


def check_referral_categories(
    *, actor: Actor, consent: Consent | None, data_categories: Iterable[DataCategory]
) -> None:
    """Refuse a referral whose data categories the chosen consent does not cover.

    With a consent, every category passed on must be named by it (a consent is specific); a
    referral without a consent rests on its documented legal basis (`check_referral_basis`).
    Like the actor, the categories must fit even when a legal basis is given as well."""
    if consent is None:
        return
    allowed = set(consent.data_categories.values_list("pk", flat=True))
    missing = [category for category in data_categories if category.pk not in allowed]
    if missing:
        raise ValidationError(
            {
                "data_categories": ValidationError(
                    CONSENT_NOT_FOR_CATEGORIES,
                    code="consent_not_for_categories",
                    params={"categories": ", ".join(c.name for c in missing), "actor": actor},
                )
            }
        )


def recent_ongoing_referrals(case: Case, on: dt.date | None = None) -> QuerySet[Referral]:
    """Referrals of the case that stand for an exchange with the actor within the last 12 months."""
    on = on or timezone.localdate()
    return Referral.objects.filter(
        case=case,
        status__in=ONGOING_REFERRAL_STATUSES,
        referred_on__gte=on - dt.timedelta(days=RECENT_REFERRAL_DAYS),
    )


def actors_without_basis(
    *, referrals: Iterable[Referral], consents: Iterable[Consent], on: dt.date | None = None
) -> list[Actor]:
    """The actors of these referrals covered neither by a consent valid on the day nor by a
    legal basis documented on one of their referrals, by name.

    Pass `recent_ongoing_referrals(...)` with `select_related("actor")` and consents with
    their actors prefetched: this function runs no queries of its own then.
    """
    on = on or timezone.localdate()
    covered = {a.pk for consent in consents if consent.is_valid_on(on) for a in consent.actors.all()}
    referrals = list(referrals)
    covered |= {r.actor_id for r in referrals if is_documented_legal_basis(r.legal_basis)}
    uncovered = {r.actor_id: r.actor for r in referrals if r.actor_id not in covered}
    return sorted(uncovered.values(), key=lambda a: a.name)

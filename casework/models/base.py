"""Messages, validators and the versioned base shared by the casework models."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY_OUTSIDE_CASE_DISTRICT = _(
    "Die Kommune liegt nicht im Kreis des Falls. "
    "Für einen Umzug in einen anderen Kreis wird dort ein neuer Fall eröffnet."
)
DATE_OF_BIRTH_IN_FUTURE = _("Das Geburtsdatum darf nicht in der Zukunft liegen.")
DATE_OF_BIRTH_TOO_OLD = _("Bitte prüfen Sie das Geburtsdatum: es liegt mehr als 120 Jahre zurück.")
VALID_UNTIL_BEFORE_GIVEN = _("„Gültig bis“ darf nicht vor dem Datum der Einwilligung liegen.")
WITHDRAWN_BEFORE_GIVEN = _("Der Widerruf darf nicht vor dem Datum der Einwilligung liegen.")
DATE_IN_FUTURE = _("Das Datum darf nicht in der Zukunft liegen.")
CONTACT_PERSON_OF_OTHER_ACTOR = _("Die Ansprechperson gehört nicht zu diesem Akteur.")
ENTRY_BEFORE_CASE_OPENED = _(
    "Das Datum darf nicht vor der Eröffnung des Falls am %(opened_on)s liegen. Begann die Arbeit "
    "früher, lässt sich das Eröffnungsdatum ändern: von der Verwaltung (Verwaltung › Fälle › "
    "„eröffnet am“). Beim Eröffnen eines Falls lässt sich das Datum direkt setzen."
)
ENTRY_AFTER_CASE_CLOSED = _("Das Datum darf nicht nach dem Abschluss des Falls liegen.")
POSTAL_CODE_INVALID = _("Die Postleitzahl besteht aus genau 5 Ziffern, z. B. 48653.")
PHONE_INVALID = _("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und + ( ) / - ein.")

POSTAL_CODE_VALIDATOR = RegexValidator(r"^\d{5}$", POSTAL_CODE_INVALID)
PHONE_VALIDATOR = RegexValidator(r"^\+?[\d\s()/\-]{3,50}$", PHONE_INVALID)


class VersionedModel(models.Model):
    """A row two people may edit at once: every save through the services counts `version`
    up, and a save that started from an older version is refused (casework/concurrency.py)."""

    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    class Meta:
        abstract = True

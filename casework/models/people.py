"""People: clients and households."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kim.models import TimeStampedModel

from ..names import search_key
from .base import (
    DATE_OF_BIRTH_IN_FUTURE,
    DATE_OF_BIRTH_TOO_OLD,
    PHONE_VALIDATOR,
    POSTAL_CODE_VALIDATOR,
    VersionedModel,
)
from .catalogues import LegalFramework

# --- People --------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "f", _("weiblich")
    MALE = "m", _("männlich")
    DIVERSE = "d", _("divers")
    UNSPECIFIED = "x", _("ohne Angabe")


class ResidenceStatus(models.TextChoices):
    GERMAN = "german", _("deutsche Staatsangehörigkeit")
    EU = "eu", _("EU-Freizügigkeit")
    SETTLEMENT = "settlement", _("Niederlassungserlaubnis / Daueraufenthalt")
    TEMPORARY = "temporary", _("befristete Aufenthaltserlaubnis")
    TEMPORARY_PROTECTION = "temporary_protection", _("vorübergehender Schutz (§ 24 AufenthG)")
    GESTATTUNG = "gestattung", _("Aufenthaltsgestattung (Asylverfahren)")
    DULDUNG = "duldung", _("Duldung")
    # § 81 AufenthG: the title continues while its extension is decided; it has its own expiry.
    FIKTION = "fiktion", _("Fiktionsbescheinigung (§ 81 AufenthG)")
    UNCLEAR = "unclear", _("ungeklärt")


# Statuses that run out: the case warns when `residence_valid_until` comes near.
EXPIRING_RESIDENCE_STATUSES = (
    ResidenceStatus.TEMPORARY,
    ResidenceStatus.TEMPORARY_PROTECTION,
    ResidenceStatus.GESTATTUNG,
    ResidenceStatus.DULDUNG,
    ResidenceStatus.FIKTION,
)


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Hauptperson")
    PARTNER = "partner", _("Partner/in")
    CHILD = "child", _("Kind")
    RELATIVE = "relative", _("weitere/r Angehörige/r")
    OTHER = "other", _("sonstige Person")


class Household(TimeStampedModel):
    """A Bedarfsgemeinschaft or family supported together."""

    name = models.CharField(_("Bezeichnung"), max_length=200, help_text=_("Zum Beispiel „Familie Yılmaz“."))
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("Wohnort"),
    )

    class Meta:
        verbose_name = _("Haushalt / Familie")
        verbose_name_plural = _("Haushalte / Familien")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if kwargs.get("update_fields") is None:
            self.cases.update(search_name=search_key(self.name))


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.roles import restrict_clients

        return restrict_clients(self, user)


class Client(VersionedModel, TimeStampedModel):
    """A person supported by KIM. Only what casework needs is kept."""

    first_name = models.CharField(_("Vorname"), max_length=100)
    last_name = models.CharField(_("Nachname"), max_length=100)
    date_of_birth = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    gender = models.CharField(
        _("Geschlecht"), max_length=1, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    nationality = CountryField(verbose_name=_("Staatsangehörigkeit"), blank=True)
    languages = models.CharField(
        _("Sprachen"), max_length=200, blank=True, help_text=_("Zum Beispiel „Arabisch, Kurdisch“.")
    )
    needs_interpreter = models.BooleanField(_("Dolmetschung nötig"), default=False)
    residence_status = models.CharField(
        _("Aufenthaltsstatus"),
        max_length=30,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.UNCLEAR,
    )
    residence_valid_until = models.DateField(
        _("Aufenthaltstitel / Duldung gültig bis"), null=True, blank=True
    )
    legal_frameworks = models.ManyToManyField(
        LegalFramework, blank=True, related_name="clients", verbose_name=_("Rechtskreise")
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("Wohnort"),
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, blank=True, validators=[POSTAL_CODE_VALIDATOR])
    phone = models.CharField(_("Telefon"), max_length=50, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("E-Mail"), blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("Haushalt / Familie"),
    )
    household_role = models.CharField(
        _("Rolle im Haushalt"), max_length=20, choices=HouseholdRole.choices, blank=True
    )
    external_id = models.CharField(_("externe Kennung"), max_length=64, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("Klient/in")
        verbose_name_plural = _("Klient/innen")
        ordering = ["last_name", "first_name"]
        indexes = [
            # The client list reads a page along these two, in its order (name, or birth date),
            # and tests the municipality (the user's scope) from the index itself, so the first
            # page costs a few thousand index entries, not every client of the district.
            models.Index(
                fields=["last_name", "first_name", "id"],
                include=["municipality"],
                name="client_list_name_idx",
            ),
            # The admin's "=external_id" search compares upper case. Name searches: trigram
            # indexes on PostgreSQL (migration 0006).
            models.Index(Upper("external_id"), name="client_external_id_upper_idx"),
            models.Index(
                fields=["date_of_birth", "last_name", "first_name", "id"],
                include=["municipality"],
                name="client_list_birth_idx",
            ),
            # Residence deadlines (Mein Arbeitsplatz's "Fristen", the case list's filter): the
            # few people whose title runs out, by date, with their household for household cases.
            models.Index(
                fields=["residence_valid_until"],
                include=["household", "municipality"],
                condition=Q(residence_status__in=[status.value for status in EXPIRING_RESIDENCE_STATUSES]),
                name="client_residence_expiry_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="client_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if kwargs.get("update_fields") is None:
            # Partial saves (household moves, retention) leave the name alone or, anonymising
            # it, clear the cases' key themselves (privacy.inventory).
            self.cases.update(search_name=self.search_key)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def search_key(self) -> str:
        return "" if self.anonymised_at else search_key(self.last_name, self.first_name)

    def residence_expires_within(self, days: int, *, today: dt.date | None = None) -> bool:
        if not self.residence_valid_until or self.residence_status not in EXPIRING_RESIDENCE_STATUSES:
            return False
        today = today or timezone.localdate()
        return self.residence_valid_until <= today + dt.timedelta(days=days)

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth:
            today = timezone.localdate()
            if self.date_of_birth > today:
                raise ValidationError({"date_of_birth": DATE_OF_BIRTH_IN_FUTURE})
            if self.date_of_birth < today.replace(year=today.year - 120):
                raise ValidationError({"date_of_birth": DATE_OF_BIRTH_TOO_OLD})

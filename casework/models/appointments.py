"""Appointments (Termine) inside a case, and each staff member's secret calendar feed."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kim.models import DESCRIPTION_MAX_LENGTH, TimeStampedModel, text_limit

from .entries import CaseEntry, Channel, Contact
from .network import ContactPerson
from .people import Client

HOUSEHOLD_MEMBER_OUTSIDE_CASE = _("Diese Person gehört nicht zum Haushalt dieses Falls.")
NOBODY_INVITED = _(
    "Mit wem ist der Termin? Bitte Klient/in, Haushaltsmitglieder oder eine Ansprechperson angeben."
)


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", _("vor Ort")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Telefon")


# The contact an appointment becomes when it took place.
CHANNEL_OF_MODE = {
    AppointmentMode.IN_PERSON: Channel.IN_PERSON,
    AppointmentMode.VIDEO: Channel.VIDEO,
    AppointmentMode.PHONE: Channel.PHONE,
}


class Appointment(CaseEntry):
    """A Termin: when, where (a place or video), with whom, whether an interpreter is needed."""

    starts_at = models.DateTimeField(_("Beginn"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    mode = models.CharField(
        _("Art"), max_length=20, choices=AppointmentMode.choices, default=AppointmentMode.IN_PERSON
    )
    place = models.CharField(
        _("Ort oder Video-Link"), max_length=300, blank=True, help_text=_("Zum Beispiel „Rathaus, Raum 12“.")
    )
    with_client = models.BooleanField(_("mit Klient/in"), default=True)
    household_members = models.ManyToManyField(
        Client, blank=True, related_name="appointments", verbose_name=_("Haushaltsmitglieder")
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("Ansprechperson einer Stelle"),
    )
    interpreter_language = models.CharField(
        _("Dolmetschung nötig (Sprache)"),
        max_length=100,
        blank=True,
        help_text=_("Leer lassen, wenn keine nötig ist."),
    )
    note = models.TextField(_("Notiz"), blank=True, **text_limit(DESCRIPTION_MAX_LENGTH))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("zuständig"),
    )
    # Set when the appointment took place and was recorded as a contact (one step).
    contact = models.OneToOneField(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("erfasst als Kontakt"),
        editable=False,
    )

    class Meta:
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        ordering = ["starts_at", "id"]
        indexes = [
            # "Meine Termine" and the calendar feed: a user's appointments in a time window.
            models.Index(fields=["assigned_to", "starts_at"], name="appointment_user_start_idx"),
            models.Index(fields=["case", "starts_at"], name="appointment_case_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=600),
                name="appointment_duration_5_to_600",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%d.%m.%Y %H:%M} {self.get_mode_display()}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def took_place(self) -> bool:
        return self.contact_id is not None


class CalendarFeed(TimeStampedModel):
    """A staff member's secret calendar address. Only a hash of the token is stored: the
    address is shown once, when it is made, and a new one replaces it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("Mitarbeiter/in"),
    )
    token_hash = models.CharField(_("Prüfwert des Schlüssels"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("Kalender-Abo")
        verbose_name_plural = _("Kalender-Abos")

    def __str__(self) -> str:
        return str(_("Kalender-Abo"))


def validate_household_members(case, members) -> None:
    household_id = case.household_id or (case.client.household_id if case.client_id else None)
    for member in members:
        if household_id is None or member.household_id != household_id:
            raise ValidationError({"household_members": HOUSEHOLD_MEMBER_OUTSIDE_CASE})
